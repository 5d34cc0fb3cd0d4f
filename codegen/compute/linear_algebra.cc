// matmul and dense as reductions over the contracted axis, as in
// reference/linear_algebra.cc; backends may pattern-match them to GEMMs.
#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

// [..., m, k] @ [..., k, n] -> [..., m, n]; the leading (batch) dims of each
// operand broadcast to the result's.
absl::StatusOr<ExprRef> matmul(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  const std::vector<int64_t>& lhs = operandShape(ctx, 0);
  const std::vector<int64_t>& rhs = operandShape(ctx, 1);
  size_t rank = index.size();
  std::span<const ExprRef> batch = index.first(rank - 2);
  ExprRef i = index[rank - 2], j = index[rank - 1];
  auto batchOf = [&](const std::vector<int64_t>& shape) {
    return broadcastIndex(batch, std::span(shape).first(shape.size() - 2));
  };
  Index lhs_batch = batchOf(lhs), rhs_batch = batchOf(rhs);
  std::vector<int64_t> k = {lhs.back()};
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, k, kir::constant(type, 0), [&](const Index& p) {
    Index a = lhs_batch, b = rhs_batch;
    a.insert(a.end(), {i, p[0]});
    b.insert(b.end(), {p[0], j});
    ExprRef lhs_value = operand(ctx, 0, std::move(a));  // operands in order: each registers a kernel buffer
    return mul(lhs_value, operand(ctx, 1, std::move(b)));
  });
  return convert(sum, ctx.types.result_dtypes[0]);
}

// x[..., in] @ kernel[in, units] + bias[units] on the last axis; the sum
// starts from the bias as the reference's does.
absl::StatusOr<ExprRef> dense(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  const std::vector<int64_t>& kernel = operandShape(ctx, 1);
  ExprRef u = index.back();
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  ExprRef init = ctx.op.numOperands() > 2 ? operand(ctx, 2, {u}) : kir::constant(type, 0);
  std::vector<int64_t> in = {kernel[0]};
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, in, init, [&](const Index& p) {
    Index xi(index.begin(), index.end() - 1);
    xi.push_back(p[0]);
    ExprRef x = operand(ctx, 0, std::move(xi));  // operands in order: each registers a kernel buffer
    return mul(x, operand(ctx, 1, {p[0], u}));
  });
  return convert(sum, ctx.types.result_dtypes[0]);
}

}  // namespace

const OpLowering kLowerMatmul{.compute = matmul};
const OpLowering kLowerDense{.compute = dense};

}  // namespace dlc::codegen
