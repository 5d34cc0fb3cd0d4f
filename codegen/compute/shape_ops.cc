// flatten, reshape, transpose, concat and the reductions, as in
// reference/shape_ops.cc.
#include <limits>

#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

// Row-major data is unchanged: linearise the result index, de-linearise it
// into the operand's dims.
absl::StatusOr<ExprRef> relabel(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  ExprRef flat = linearize(index, ctx.types.result_shapes[0]);
  return convert(operand(ctx, 0, delinearize(flat, operandShape(ctx, 0))), ctx.types.result_dtypes[0]);
}

// out[i0, ..., ik] = x[j] with j[perm[a]] = i_a.
absl::StatusOr<ExprRef> transpose(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  const std::vector<int64_t>& perm = ctx.attrs().getIntList("perm");
  Index j(index.size());
  for (size_t a = 0; a < perm.size(); ++a) j[static_cast<size_t>(perm[a])] = index[a];
  return convert(operand(ctx, 0, std::move(j)), ctx.types.result_dtypes[0]);
}

// The inputs side by side on `axis`: a chain of selects on the position
// along the axis, each input read at a clamped (so in-range) position.
absl::StatusOr<ExprRef> concat(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  size_t axis = static_cast<size_t>(normalizeAxis(ctx.attrs().getInt("axis"), static_cast<int64_t>(index.size())));
  ExprRef at = index[axis];
  ExprRef result;
  int64_t end = ctx.types.result_shapes[0][axis];
  // From the last input back, so that the first input's test is the outermost.
  for (size_t p = ctx.op.numOperands(); p-- > 0;) {
    int64_t len = operandShape(ctx, p)[axis];
    int64_t start = end - len;
    end = start;
    if (len == 0) continue;
    Index i(index.begin(), index.end());
    i[axis] = clampIndex(start == 0 ? at : sub(at, idx(start)), len);
    ExprRef piece = operand(ctx, p, std::move(i));
    result = result ? select(lt(at, idx(start + len)), piece, result) : piece;
  }
  ir::DType dtype = ctx.types.result_dtypes[0];
  if (!result) return kir::constant(dtype, 0);  // an empty axis: no elements to compute
  return convert(result, dtype);
}

enum class Reduction { kSum, kMean, kMax };

// x reduced over `axes` (every axis when empty), keepdims or not.
absl::StatusOr<ExprRef> reduce(const ComputeContext& ctx, std::span<const ExprRef> index, Reduction kind) {
  const std::vector<int64_t>& shape = operandShape(ctx, 0);
  int64_t rank = static_cast<int64_t>(shape.size());
  const std::vector<int64_t>& axes = ctx.attrs().getIntList("axes");
  std::vector<bool> reduced(shape.size(), axes.empty());
  for (int64_t a : axes) reduced[static_cast<size_t>(normalizeAxis(a, rank))] = true;
  bool keepdims = ctx.attrs().getBool("keepdims");
  std::vector<int64_t> extents;
  for (size_t d = 0; d < shape.size(); ++d)
    if (reduced[d]) extents.push_back(shape[d]);
  auto at = [&](const Index& v) {
    Index i;
    for (size_t d = 0, r = 0, k = 0; d < shape.size(); ++d) {
      if (reduced[d]) {
        i.push_back(v[k++]);
        if (keepdims) ++r;
      } else {
        i.push_back(index[r++]);
      }
    }
    return operand(ctx, 0, std::move(i));
  };
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  ir::DType dtype = ctx.types.result_dtypes[0];
  switch (kind) {
    case Reduction::kMax: return convert(maxWithNan(ctx.kernel, type, extents, at), dtype);
    case Reduction::kSum:
      return convert(reduceNest(ctx.kernel, ReduceOp::kAdd, extents, kir::constant(type, 0), at), dtype);
    case Reduction::kMean: {
      ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, extents, kir::constant(type, 0), at);
      int64_t count = product(extents);
      // No mean of nothing: NaN, as the reference (0 once rounded to an integer).
      double nothing = ir::isFloat(type) ? std::numeric_limits<double>::quiet_NaN() : 0.0;
      ExprRef mean =
          count == 0 ? kir::constant(type, nothing) : div(sum, kir::constant(type, static_cast<double>(count)));
      return convert(mean, dtype);
    }
  }
  return absl::InternalError("unknown reduction");
}

absl::StatusOr<ExprRef> reduceSum(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  return reduce(ctx, index, Reduction::kSum);
}
absl::StatusOr<ExprRef> reduceMean(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  return reduce(ctx, index, Reduction::kMean);
}
absl::StatusOr<ExprRef> reduceMax(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  return reduce(ctx, index, Reduction::kMax);
}

}  // namespace

const OpLowering kLowerFlatten{.compute = relabel};
const OpLowering kLowerReshape{.compute = relabel};
const OpLowering kLowerTranspose{.compute = transpose};
const OpLowering kLowerConcat{.compute = concat};
const OpLowering kLowerReduceSum{.compute = reduceSum};
const OpLowering kLowerReduceMean{.compute = reduceMean};
const OpLowering kLowerReduceMax{.compute = reduceMax};

}  // namespace dlc::codegen
