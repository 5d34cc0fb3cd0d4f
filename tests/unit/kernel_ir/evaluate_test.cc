// The double-precision scalar evaluator of ir/kernel/evaluate.h: what the
// constant folds rely on (no rounding to narrow floats, integer division and
// casts that leave unrepresentable values for the caller to refuse) and the
// rest of the expression language.
#include "ir/kernel/evaluate.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace dlc::kir {
namespace {

using ir::DType;

constexpr double kInf = std::numeric_limits<double>::infinity();

double eval(const ExprRef& e) {
  ScalarEvaluator ev;
  absl::StatusOr<double> v = ev.evaluate(e);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : std::nan("");
}

ExprRef f32(double v) { return constant(DType::kF32, v); }
ExprRef i32(double v) { return constant(DType::kI32, v); }

TEST(ScalarEvaluator, FloatsStayDouble) {
  // 0.1 + 0.2 in f32 would round; here it is the double sum.
  EXPECT_EQ(eval(binary(BinaryOp::kAdd, f32(0.1), f32(0.2))), 0.1 + 0.2);
  EXPECT_EQ(eval(cast(DType::kF16, f32(1.0 / 3))), 1.0 / 3);
  EXPECT_EQ(eval(unary(UnaryOp::kErf, f32(1))), std::erf(1.0));
  EXPECT_EQ(eval(binary(BinaryOp::kDiv, f32(1), f32(0))), kInf);
}

TEST(ScalarEvaluator, IntegersTruncateAndLeaveWhatNoIntegerHolds) {
  EXPECT_EQ(eval(binary(BinaryOp::kDiv, i32(-7), i32(2))), -3);
  EXPECT_EQ(eval(binary(BinaryOp::kRem, i32(-7), i32(2))), -1);
  EXPECT_TRUE(std::isinf(eval(binary(BinaryOp::kDiv, i32(1), i32(0)))));
  EXPECT_FALSE(std::isfinite(eval(binary(BinaryOp::kRem, i32(1), i32(0)))));
  EXPECT_EQ(eval(binary(BinaryOp::kAdd, i32(2147483647), i32(1))), 2147483648.0);  // no wrap
  EXPECT_EQ(eval(cast(DType::kI32, f32(-2.75))), -2);
  EXPECT_TRUE(std::isnan(eval(cast(DType::kI64, f32(std::nan(""))))));
  EXPECT_EQ(eval(cast(DType::kI64, f32(kInf))), kInf);
  EXPECT_EQ(eval(cast(DType::kBool, f32(std::nan("")))), 1);
  EXPECT_EQ(eval(cast(DType::kBool, f32(0))), 0);
}

TEST(ScalarEvaluator, ComparisonsSelectsAndBits) {
  EXPECT_EQ(eval(binary(BinaryOp::kLt, f32(1), f32(2))), 1);
  EXPECT_EQ(eval(binary(BinaryOp::kEq, f32(std::nan("")), f32(std::nan("")))), 0);
  EXPECT_EQ(eval(select(binary(BinaryOp::kGt, f32(1), f32(2)), f32(5), f32(6))), 6);
  EXPECT_EQ(eval(binary(BinaryOp::kXor, index(6), index(3))), 5);
  EXPECT_EQ(eval(binary(BinaryOp::kShl, i32(1), i32(31))), -2147483648.0);  // i32 wraps
  EXPECT_EQ(eval(binary(BinaryOp::kShr, i32(-1), i32(28))), 15);            // logical
  EXPECT_EQ(eval(unary(UnaryOp::kNot, constant(DType::kBool, 1))), 0);
  EXPECT_EQ(eval(binary(BinaryOp::kMax, f32(std::nan("")), f32(2))), 2);  // maxnum
}

TEST(ScalarEvaluator, VariablesReductionsAndLoads) {
  Var x{0, DType::kF64, "x"}, k{1, DType::kI64, "k"};
  ScalarEvaluator ev([](BufferId b, int64_t i) { return 10.0 * b + static_cast<double>(i); });
  ev.bind(x, 1.5);
  ExprRef sum = reduce(ReduceOp::kAdd, k, 0, 4, constant(DType::kF64, 0),
                       binary(BinaryOp::kMul, var(x), cast(DType::kF64, var(k))));
  EXPECT_EQ(*ev.evaluate(sum), 1.5 * 6);
  EXPECT_EQ(*ev.evaluate(load(2, DType::kF64, index(3))), 23);
  ev.bind(x, -1);
  EXPECT_EQ(*ev.evaluate(var(x)), -1);

  ScalarEvaluator bare;
  EXPECT_FALSE(bare.evaluate(var(x)).ok()) << "unbound";
  EXPECT_FALSE(bare.evaluate(load(0, DType::kF64, index(0))).ok()) << "no buffers";
  EXPECT_FALSE(bare.evaluate(binary(BinaryOp::kShl, index(1), index(64))).ok());
}

}  // namespace
}  // namespace dlc::kir
