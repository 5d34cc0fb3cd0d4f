// softmax, log_softmax, batchnorm and layernorm, as in
// reference/normalization.cc. The statistics are reductions inside the
// element's expression; the scheduler hoists those that do not depend on the
// reduced position. Variances are biased and two-pass.
#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

int64_t axisOf(const ComputeContext& ctx) {
  return normalizeAxis(ctx.attrs().getInt("axis"), static_cast<int64_t>(operandShape(ctx, 0).size()));
}

// `index` with its entry at `axis` replaced by k.
Index along(std::span<const ExprRef> index, int64_t axis, ExprRef k) {
  Index i(index.begin(), index.end());
  i[static_cast<size_t>(axis)] = std::move(k);
  return i;
}

// The maximum is subtracted first so that exp never overflows.
absl::StatusOr<ExprRef> softmax(const ComputeContext& ctx, std::span<const ExprRef> index, bool log_form) {
  int64_t axis = axisOf(ctx);
  std::vector<int64_t> len = {operandShape(ctx, 0)[static_cast<size_t>(axis)]};
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  auto at = [&](ExprRef k) { return operand(ctx, 0, along(index, axis, std::move(k))); };
  ExprRef m = reduceNest(ctx.kernel, ReduceOp::kMax, len, kir::reduceIdentity(ReduceOp::kMax, type),
                         [&](const Index& k) { return at(k[0]); });
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, len, kir::constant(type, 0),
                           [&](const Index& k) { return exp(sub(at(k[0]), m)); });
  ExprRef shifted = sub(operand(ctx, 0, Index(index.begin(), index.end())), m);
  ExprRef y = log_form ? sub(shifted, log(sum)) : div(exp(shifted), sum);
  return convert(y, ctx.types.result_dtypes[0]);
}

absl::StatusOr<ExprRef> softmaxOf(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  return softmax(ctx, index, false);
}
absl::StatusOr<ExprRef> logSoftmax(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  return softmax(ctx, index, true);
}

// The mean and biased variance of at(v) over `extents`.
struct Moments {
  ExprRef mean, variance;
};
Moments moments(kir::Kernel& kernel, ScalarType type, std::span<const int64_t> extents,
                const std::function<ExprRef(const Index&)>& at) {
  ExprRef count = kir::constant(type, static_cast<double>(product(extents)));
  ExprRef zero = kir::constant(type, 0);
  ExprRef mean = div(reduceNest(kernel, ReduceOp::kAdd, extents, zero, at), count);
  ExprRef squares = reduceNest(kernel, ReduceOp::kAdd, extents, zero, [&](const Index& v) {
    ExprRef d = sub(at(v), mean);
    return mul(d, d);
  });
  return {mean, div(squares, count)};
}

// y = (x - mean) * gamma / sqrt(variance + epsilon) + beta per channel of
// `axis`: the moving statistics for inference, the batch statistics over
// every other axis in training.
absl::StatusOr<ExprRef> batchnorm(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  int64_t axis = axisOf(ctx);
  const std::vector<int64_t>& shape = operandShape(ctx, 0);
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  ExprRef a = index[static_cast<size_t>(axis)];
  ExprRef x = operand(ctx, 0, Index(index.begin(), index.end()));
  Moments m;
  if (ctx.attrs().getBool("training")) {
    std::vector<int64_t> others;
    for (size_t d = 0; d < shape.size(); ++d)
      if (static_cast<int64_t>(d) != axis) others.push_back(shape[d]);
    m = moments(ctx.kernel, type, others, [&](const Index& v) {
      Index i(v.begin(), v.end());
      i.insert(i.begin() + axis, a);
      return operand(ctx, 0, std::move(i));
    });
  } else {
    m = {operand(ctx, 3, {a}), operand(ctx, 4, {a})};
  }
  ExprRef epsilon = kir::constant(type, ctx.attrs().getFloat("epsilon"));
  ExprRef scale = div(operand(ctx, 1, {a}), sqrt(add(m.variance, epsilon)));
  ExprRef y = add(mul(sub(x, m.mean), scale), operand(ctx, 2, {a}));
  return convert(y, ctx.types.result_dtypes[0]);
}

// y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, the statistics
// along `axis` at the element's position on the other axes.
absl::StatusOr<ExprRef> layernorm(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  int64_t axis = axisOf(ctx);
  std::vector<int64_t> len = {operandShape(ctx, 0)[static_cast<size_t>(axis)]};
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  ExprRef a = index[static_cast<size_t>(axis)];
  Moments m = moments(ctx.kernel, type, len, [&](const Index& k) { return operand(ctx, 0, along(index, axis, k[0])); });
  ExprRef epsilon = kir::constant(type, ctx.attrs().getFloat("epsilon"));
  ExprRef inv = div(kir::constant(type, 1), sqrt(add(m.variance, epsilon)));
  ExprRef x = operand(ctx, 0, Index(index.begin(), index.end()));
  ExprRef gamma = operand(ctx, 1, {a});  // operands in order: each registers a kernel buffer
  ExprRef beta = operand(ctx, 2, {a});
  ExprRef y = add(mul(mul(sub(x, m.mean), inv), gamma), beta);
  return convert(y, ctx.types.result_dtypes[0]);
}

}  // namespace

const OpLowering kLowerSoftmax{.compute = softmaxOf};
const OpLowering kLowerLogSoftmax{.compute = logSoftmax};
const OpLowering kLowerBatchnorm{.compute = batchnorm};
const OpLowering kLowerLayernorm{.compute = layernorm};

}  // namespace dlc::codegen
