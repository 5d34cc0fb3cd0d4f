// Elementwise ops, cast, broadcasting and the rounding to each op's dtype.
#include <cmath>
#include <limits>

#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

TEST(Elementwise, UnaryOps) {
  expectTensor(runOp(OpKind::kRelu, tensors(f32({4}, {-1, 0, 2, -0.5}))), {4}, {0, 0, 2, 0});
  expectTensor(runOp(OpKind::kSigmoid, tensors(f32({3}, {0, 100, -100}))), {3}, {0.5, 1, 3.7200759760208361e-44}, 1e-7);
  expectTensor(runOp(OpKind::kTanh, tensors(f32({2}, {0.5, 0}))), {2}, {0.46211715726000974, 0});
  // Exact gelu: x * Phi(x); Phi(1) = 0.8413447460685429.
  expectTensor(runOp(OpKind::kGelu, tensors(f32({3}, {1, -1, 0}))), {3}, {0.8413447460685429, -0.15865525393145707, 0});
  expectTensor(runOp(OpKind::kExp, tensors(f32({2}, {1, 0}))), {2}, {2.718281828459045, 1});
  expectTensor(runOp(OpKind::kLog, tensors(f32({2}, {1, 0}))), {2}, {0, -std::numeric_limits<double>::infinity()});
  expectTensor(runOp(OpKind::kSqrt, tensors(f32({2}, {4, -1}))), {2}, {2, NAN});
  expectTensor(runOp(OpKind::kAbs, tensors(f32({2}, {-3, 2}))), {2}, {3, 2});
  expectTensor(runOp(OpKind::kNeg, tensors(f32({2}, {-3, 2}))), {2}, {3, -2});
  expectTensor(runOp(OpKind::kLeakyRelu, tensors(f32({2}, {-2, 2}))), {2}, {-0.6, 2});
  expectTensor(runOp(OpKind::kLeakyRelu, tensors(f32({1}, {-2})), attrs({{"alpha", Attribute::real(0.5)}})), {1}, {-1});
  expectTensor(runOp(OpKind::kRescaling, tensors(f32({2}, {2, 255})),
                     attrs({{"scale", Attribute::real(1.0 / 255)}, {"offset", Attribute::real(-1)}})),
               {2}, {2.0 / 255 - 1, 0});
}

TEST(Elementwise, ReluKeepsNaN) {
  Tensor out = runOp(OpKind::kRelu, tensors(f32({1}, {NAN})));
  EXPECT_TRUE(std::isnan(out.get(0)));
}

TEST(Elementwise, BinaryOpsBroadcastAsNumPy) {
  // [2, 1] + [3] -> [2, 3]
  Tensor out = runOp(OpKind::kAdd, tensors(f32({2, 1}, {1, 2}), f32({3}, {10, 20, 30})));
  expectTensor(out, {2, 3}, {11, 21, 31, 12, 22, 32});
  // [1, 3] - [2, 1] -> [2, 3]
  out = runOp(OpKind::kSub, tensors(f32({1, 3}, {1, 2, 3}), f32({2, 1}, {10, 20})));
  expectTensor(out, {2, 3}, {-9, -8, -7, -19, -18, -17});
  // A scalar against a matrix.
  out = runOp(OpKind::kMul, tensors(f32({2, 2}, {1, 2, 3, 4}), f32({}, {3})));
  expectTensor(out, {2, 2}, {3, 6, 9, 12});
  out = runOp(OpKind::kDiv, tensors(f32({}, {1}), f32({3}, {1, 2, 4})));
  expectTensor(out, {3}, {1, 0.5, 0.25});
  out = runOp(OpKind::kMaximum, tensors(f32({3}, {1, 5, NAN}), f32({3}, {2, 4, 0})));
  expectTensor(out, {3}, {2, 5, NAN});
  out = runOp(OpKind::kMinimum, tensors(f32({3}, {1, 5, 0}), f32({1}, {3})));
  expectTensor(out, {3}, {1, 3, 0});
}

TEST(Elementwise, RankThreeBroadcastOnTheMiddleAxis) {
  // [2, 1, 2] * [3, 1] -> [2, 3, 2]
  Tensor out = runOp(OpKind::kMul, tensors(f32({2, 1, 2}, {1, 2, 3, 4}), f32({3, 1}, {1, 10, 100})));
  expectTensor(out, {2, 3, 2}, {1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400});
}

TEST(Elementwise, ResultsAreRoundedToTheirDType) {
  // 1 + 2^-30 is not an f32: the sum rounds back to 1.
  Tensor out = runOp(OpKind::kAdd, tensors(f32({1}, {1}), f32({1}, {std::ldexp(1.0, -30)})));
  EXPECT_EQ(out.get(0), 1.0);
  // f16 has 10 fraction bits: 1 + 2^-12 rounds to 1, 1 + 2^-9 does not.
  out = runOp(OpKind::kAdd, tensors(tensor(DType::kF16, {2}, {1, 1}),
                                    tensor(DType::kF16, {2}, {std::ldexp(1.0, -12), std::ldexp(1.0, -9)})));
  EXPECT_EQ(out.dtype(), DType::kF16);
  EXPECT_EQ(out.get(0), 1.0);
  EXPECT_EQ(out.get(1), 1.0 + std::ldexp(1.0, -9));
  // bf16 keeps 7 fraction bits.
  out = runOp(OpKind::kAdd, tensors(tensor(DType::kBF16, {2}, {1, 1}),
                                    tensor(DType::kBF16, {2}, {std::ldexp(1.0, -9), std::ldexp(1.0, -7)})));
  EXPECT_EQ(out.get(0), 1.0);
  EXPECT_EQ(out.get(1), 1.0 + std::ldexp(1.0, -7));
  // f64 keeps what f32 loses.
  out = runOp(OpKind::kAdd, tensors(tensor(DType::kF64, {1}, {1}), tensor(DType::kF64, {1}, {std::ldexp(1.0, -30)})));
  EXPECT_EQ(out.get(0), 1.0 + std::ldexp(1.0, -30));
}

TEST(Elementwise, IntegerArithmetic) {
  Tensor out =
      runOp(OpKind::kDiv, tensors(tensor(DType::kI32, {4}, {7, -7, 6, 1}), tensor(DType::kI32, {4}, {2, 2, 3, 4})));
  EXPECT_EQ(out.dtype(), DType::kI32);
  expectTensor(out, {4}, {3, -3, 2, 0});  // truncation toward zero
  out = runOp(OpKind::kAdd, tensors(tensor(DType::kI32, {1}, {2147483647}), tensor(DType::kI32, {1}, {1})));
  EXPECT_EQ(out.get(0), -2147483648.0);  // wraps as the stored i32 would
}

TEST(Elementwise, IntegerDivisionByZeroIsAnError) {
  Graph g;
  Value* a = g.input("a", type(DType::kI32, {d(2)}));
  Value* b = g.input("b", type(DType::kI32, {d(2)}));
  Value* q = g.op(OpKind::kDiv, {a, b});
  auto r = g.run({q}, tensors(tensor(DType::kI32, {2}, {1, 2}), tensor(DType::kI32, {2}, {1, 0})));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "div: integer division by zero");
}

TEST(Elementwise, CastTruncatesToIntegersAndTestsForZeroToBool) {
  Tensor out =
      runOp(OpKind::kCast, tensors(f32({4}, {-1.7, 2.9, 0.5, NAN})), attrs({{"dtype", Attribute::dtype(DType::kI32)}}));
  EXPECT_EQ(out.dtype(), DType::kI32);
  expectTensor(out, {4}, {-1, 2, 0, 0});
  out = runOp(OpKind::kCast, tensors(f32({3}, {0, -0.5, 2})), attrs({{"dtype", Attribute::dtype(DType::kBool)}}));
  EXPECT_EQ(out.dtype(), DType::kBool);
  expectTensor(out, {3}, {0, 1, 1});
  out = runOp(OpKind::kCast, tensors(tensor(DType::kI64, {2}, {3, -4})),
              attrs({{"dtype", Attribute::dtype(DType::kF16)}}));
  EXPECT_EQ(out.dtype(), DType::kF16);
  expectTensor(out, {2}, {3, -4});
  // f32 -> f16 rounds: 1 + 2^-12 is not an f16.
  out = runOp(OpKind::kCast, tensors(f32({1}, {1 + std::ldexp(1.0, -12)})),
              attrs({{"dtype", Attribute::dtype(DType::kF16)}}));
  EXPECT_EQ(out.get(0), 1.0);
}

}  // namespace
}  // namespace dlc::reference::testing
