// Backward ops that are gathers, other than the window ones
// (backward_windows.cc): the shape plumbing of gradients (sum_to,
// broadcast_to, slice, pad) and reduce_max_grad, as in reference/backward.cc.
#include <cmath>

#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

ir::DType resultDType(const ComputeContext& ctx) { return ctx.types.result_dtypes[0]; }

// x summed down to like's shape: a reduction over x's leading dims and over
// the dims where the result has size 1 and x does not.
absl::StatusOr<ExprRef> sumTo(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  const std::vector<int64_t>& x = operandShape(ctx, 0);
  const std::vector<int64_t>& out = ctx.types.result_shapes[0];
  size_t lead = x.size() - out.size();
  std::vector<bool> reduced(x.size());
  std::vector<int64_t> extents;
  for (size_t d = 0; d < x.size(); ++d) {
    reduced[d] = d < lead || (out[d - lead] == 1 && x[d] != 1);
    if (reduced[d]) extents.push_back(x[d]);
  }
  ScalarType type = arithType(resultDType(ctx));
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, extents, kir::constant(type, 0), [&](const Index& v) {
    Index i;
    for (size_t d = 0, k = 0; d < x.size(); ++d) i.push_back(reduced[d] ? v[k++] : index[d - lead]);
    return operand(ctx, 0, std::move(i));
  });
  return convert(sum, resultDType(ctx));
}

absl::StatusOr<ExprRef> broadcastTo(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  return convert(operand(ctx, 0, broadcastIndex(index, operandShape(ctx, 0))), resultDType(ctx));
}

size_t axisOf(const ComputeContext& ctx) {
  return static_cast<size_t>(
      normalizeAxis(ctx.attrs().getInt("axis"), static_cast<int64_t>(operandShape(ctx, 0).size())));
}

// The elements [start, start + size) of x on `axis`.
absl::StatusOr<ExprRef> slice(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  size_t axis = axisOf(ctx);
  int64_t start = ctx.attrs().getInt("start");
  Index i(index.begin(), index.end());
  if (start != 0) i[axis] = add(i[axis], idx(start));
  return convert(operand(ctx, 0, std::move(i)), resultDType(ctx));
}

// x with `before` zeros ahead and zeros behind on `axis`: a select, with
// the load's position clamped into x.
absl::StatusOr<ExprRef> pad(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  size_t axis = axisOf(ctx);
  int64_t before = ctx.attrs().getInt("before"), len = operandShape(ctx, 0)[axis];
  ScalarType type = arithType(resultDType(ctx));
  if (len == 0) return convert(kir::constant(type, 0), resultDType(ctx));
  ExprRef at = before == 0 ? index[axis] : sub(index[axis], idx(before));
  Index i(index.begin(), index.end());
  i[axis] = clampIndex(at, len);
  ExprRef x = operand(ctx, 0, std::move(i));
  return convert(select(inRange(at, len), x, kir::constant(type, 0)), resultDType(ctx));
}

// (x, g) -> dx: each group's gradient split equally among the cells equal to
// its maximum (its NaN cells when the maximum is NaN), 0 elsewhere.
absl::StatusOr<ExprRef> reduceMaxGrad(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  const std::vector<int64_t>& shape = operandShape(ctx, 0);
  int64_t rank = static_cast<int64_t>(shape.size());
  const std::vector<int64_t>& axes = ctx.attrs().getIntList("axes");
  std::vector<bool> reduced(shape.size(), axes.empty());
  for (int64_t a : axes) reduced[static_cast<size_t>(normalizeAxis(a, rank))] = true;
  bool keepdims = ctx.attrs().getBool("keepdims");
  std::vector<int64_t> extents;
  Index g_index;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (reduced[d]) extents.push_back(shape[d]);
    if (!reduced[d])
      g_index.push_back(index[d]);
    else if (keepdims)
      g_index.push_back(idx(0));
  }
  auto at = [&](const Index& v) {
    Index i(index.begin(), index.end());
    for (size_t d = 0, k = 0; d < shape.size(); ++d)
      if (reduced[d]) i[d] = v[k++];
    return operand(ctx, 0, std::move(i));
  };
  ScalarType type = arithType(resultDType(ctx));
  ExprRef best = maxWithNan(ctx.kernel, type, extents, at);
  auto isMax = [&](ExprRef v) { return either(both(isNan(best), isNan(v)), eq(v, best)); };
  ExprRef one = kir::constant(type, 1), zero = kir::constant(type, 0);
  ExprRef ties = reduceNest(ctx.kernel, ReduceOp::kAdd, extents, zero,
                            [&](const Index& v) { return select(isMax(at(v)), one, zero); });
  ExprRef x = operand(ctx, 0, Index(index.begin(), index.end()));
  ExprRef share = div(operand(ctx, 1, std::move(g_index)), ties);
  return convert(select(isMax(x), share, zero), resultDType(ctx));
}

}  // namespace

const OpLowering kLowerSumTo{.compute = sumTo};
const OpLowering kLowerBroadcastTo{.compute = broadcastTo};
const OpLowering kLowerSlice{.compute = slice};
const OpLowering kLowerPad{.compute = pad};
const OpLowering kLowerReduceMaxGrad{.compute = reduceMaxGrad};

}  // namespace dlc::codegen
