// flatten, reshape, transpose, concat and the reductions.
#include <cmath>

#include "tests/unit/reference/test_graph.h"

namespace dlc::reference::testing {
namespace {

std::vector<double> iota(int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

TEST(ShapeOps, FlattenKeepsRowMajorOrder) {
  Tensor out = runOp(OpKind::kFlatten, tensors(f32({2, 2, 1, 2}, iota(8))));
  expectTensor(out, {2, 4}, iota(8));
}

TEST(ShapeOps, ReshapeWithASymbolicDimAndMinusOne) {
  Graph g;
  Value* x = g.input("x", type(DType::kF32, {sym("batch"), d(2), d(3)}));
  Value* y = g.op(OpKind::kReshape, {x}, attrs({{"shape", Attribute::shape({sym("batch"), d(-1)})}}));
  EXPECT_EQ(y->type().str(), "f32[batch, 6]");
  expectTensor(g.run1(y, tensors(f32({2, 2, 3}, iota(12)))), {2, 6}, iota(12));
  // The same graph with another batch size.
  expectTensor(g.run1(y, tensors(f32({1, 2, 3}, iota(6)))), {1, 6}, iota(6));
}

TEST(ShapeOps, Transpose) {
  // [[0, 1, 2], [3, 4, 5]]^T
  Tensor out = runOp(OpKind::kTranspose, tensors(f32({2, 3}, iota(6))), attrs({{"perm", Attribute::intList({1, 0})}}));
  expectTensor(out, {3, 2}, {0, 3, 1, 4, 2, 5});
  // [2, 1, 3] with perm [2, 0, 1] -> [3, 2, 1]: out[k, i, 0] = x[i, 0, k].
  out = runOp(OpKind::kTranspose, tensors(f32({2, 1, 3}, iota(6))), attrs({{"perm", Attribute::intList({2, 0, 1})}}));
  expectTensor(out, {3, 2, 1}, {0, 3, 1, 4, 2, 5});
}

TEST(ShapeOps, ConcatOnTheLastAndFirstAxes) {
  Tensor out = runOp(OpKind::kConcat, tensors(f32({2, 1}, {1, 2}), f32({2, 2}, {10, 11, 20, 21})));
  expectTensor(out, {2, 3}, {1, 10, 11, 2, 20, 21});
  out = runOp(OpKind::kConcat, tensors(f32({1, 2}, {1, 2}), f32({2, 2}, {3, 4, 5, 6}), f32({1, 2}, {7, 8})),
              attrs({{"axis", Attribute::integer(0)}}));
  expectTensor(out, {4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
}

Attrs reduceAttrs(std::vector<int64_t> axes, bool keepdims) {
  return attrs({{"axes", Attribute::intList(std::move(axes))}, {"keepdims", Attribute::boolean(keepdims)}});
}

TEST(Reduce, SumMeanMaxOverChosenAxes) {
  // [[0, 1, 2], [3, 4, 5]]
  expectTensor(runOp(OpKind::kReduceSum, tensors(f32({2, 3}, iota(6))), reduceAttrs({1}, false)), {2}, {3, 12});
  expectTensor(runOp(OpKind::kReduceSum, tensors(f32({2, 3}, iota(6))), reduceAttrs({0}, true)), {1, 3}, {3, 5, 7});
  expectTensor(runOp(OpKind::kReduceMean, tensors(f32({2, 3}, iota(6))), reduceAttrs({-1}, true)), {2, 1}, {1, 4});
  expectTensor(runOp(OpKind::kReduceMax, tensors(f32({2, 3}, {1, -5, 2, -3, -4, -1})), reduceAttrs({1}, false)), {2},
               {2, -1});
}

TEST(Reduce, EmptyAxesMeanEveryAxis) {
  expectTensor(runOp(OpKind::kReduceSum, tensors(f32({2, 3}, iota(6))), reduceAttrs({}, false)), {}, {15});
  expectTensor(runOp(OpKind::kReduceMean, tensors(f32({2, 3}, iota(6))), reduceAttrs({}, true)), {1, 1}, {2.5});
}

TEST(Reduce, MiddleAndOuterAxesOfRankThree) {
  // x[i, j, k] = 100 i + 10 j + k over [2, 2, 2]; sum over axes 0 and 2.
  Tensor x = f32({2, 2, 2}, {0, 1, 10, 11, 100, 101, 110, 111});
  expectTensor(runOp(OpKind::kReduceSum, tensors(std::move(x)), reduceAttrs({0, 2}, false)), {2},
               {0 + 1 + 100 + 101, 10 + 11 + 110 + 111});
}

TEST(Reduce, MaxPropagatesNaN) {
  Tensor out = runOp(OpKind::kReduceMax, tensors(f32({3}, {1, NAN, 2})), reduceAttrs({0}, false));
  EXPECT_TRUE(std::isnan(out.get(0)));
}

TEST(Reduce, IntegerMeanTruncates) {
  Tensor out = runOp(OpKind::kReduceMean, tensors(tensor(DType::kI32, {2}, {1, 2})), reduceAttrs({0}, false));
  EXPECT_EQ(out.dtype(), DType::kI32);
  EXPECT_EQ(out.get(0), 1);
}

}  // namespace
}  // namespace dlc::reference::testing
