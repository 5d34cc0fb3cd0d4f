// step, sign, equal, greater, argmax and one_hot.
#include <limits>

#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(Masks, StepAndSign) {
  Tensor x = f32({5}, {-2, 0, 0.5, kNaN, 3});
  expectTensor(runOp(OpKind::kStep, tensors(x.clone())), {5}, {0, 0, 1, kNaN, 1});
  expectTensor(runOp(OpKind::kSign, tensors(x.clone())), {5}, {-1, 0, 1, kNaN, 1});
}

TEST(Masks, ComparisonsBroadcastAndGiveOneOrZero) {
  Tensor out = runOp(OpKind::kEqual, tensors(f32({2, 3}, {1, 2, 3, 3, 2, 1}), f32({3}, {1, 2, 1})));
  expectTensor(out, {2, 3}, {1, 1, 0, 0, 1, 1});
  out = runOp(OpKind::kGreater, tensors(f32({2, 3}, {1, 2, 3, 3, 2, 1}), f32({3}, {1, 2, 1})));
  expectTensor(out, {2, 3}, {0, 0, 1, 1, 0, 0});
  // NaN compares false.
  out = runOp(OpKind::kEqual, tensors(f32({2}, {kNaN, 1}), f32({2}, {kNaN, 1})));
  expectTensor(out, {2}, {0, 1});
  // Integers compare in their own dtype.
  out = runOp(OpKind::kGreater, tensors(tensor(DType::kI32, {3}, {1, 5, -2}), tensor(DType::kI32, {}, {1})));
  EXPECT_EQ(out.dtype(), DType::kI32);
  expectTensor(out, {3}, {0, 1, 0});
}

TEST(Masks, ArgmaxTakesTheFirstMaximum) {
  // [[1, 3, 3], [7, -1, 2]]
  Tensor x = f32({2, 3}, {1, 3, 3, 7, -1, 2});
  Tensor out = runOp(OpKind::kArgmax, tensors(x.clone()));
  EXPECT_EQ(out.dtype(), DType::kI64);
  expectTensor(out, {2}, {1, 0});
  out = runOp(OpKind::kArgmax, tensors(x.clone()), attrs({{"axis", Attribute::integer(0)}}));
  expectTensor(out, {3}, {1, 0, 0});
  // NaN wins, as in np.argmax.
  out = runOp(OpKind::kArgmax, tensors(f32({4}, {1, kNaN, 5, kNaN})));
  expectTensor(out, {}, {1});
  out = runOp(OpKind::kArgmax, tensors(f32({3}, {-INFINITY, -INFINITY, -INFINITY})));
  expectTensor(out, {}, {0});
}

TEST(Masks, OneHot) {
  Tensor out = runOp(OpKind::kOneHot, tensors(tensor(DType::kI32, {2, 2}, {0, 2, 1, 2})),
                     attrs({{"depth", Attribute::integer(3)}}));
  EXPECT_EQ(out.dtype(), DType::kF32);
  expectTensor(out, {2, 2, 3}, {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1});
  // An id outside [0, depth) gives a row of zeros (tf.one_hot).
  out = runOp(OpKind::kOneHot, tensors(tensor(DType::kI64, {3}, {-1, 3, 1})),
              attrs({{"depth", Attribute::integer(3)}, {"dtype", Attribute::dtype(DType::kF64)}}));
  EXPECT_EQ(out.dtype(), DType::kF64);
  expectTensor(out, {3, 3}, {0, 0, 0, 0, 0, 0, 0, 1, 0});
}

}  // namespace
}  // namespace dlc::reference::testing
