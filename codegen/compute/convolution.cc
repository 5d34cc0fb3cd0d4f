// NHWC convolution and pooling, as in reference/convolution.cc: padded cells
// of a pool contribute nothing (a select on the in-range test, with the
// load's index clamped so that it stays in bounds), a convolution reads
// them as zeros (0 * w, the same but for an infinite or NaN w), and avgpool
// divides by the number of valid cells.
#include <limits>

#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"
#include "codegen/compute/windows.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

// y[n, y, z, f] = bias[f] + sum over (i, j, q) of
//   x[n, y*sh - top + i*dh, z*sw - left + j*dw, (f / fpg) * cpg + q] * kernel[i, j, q, f]
absl::StatusOr<ExprRef> conv2d(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  ConvGeometry k = convGeometry(ctx.attrs(), operandShape(ctx, 0), operandShape(ctx, 1), ctx.types.result_shapes[0]);
  ExprRef n = index[0], y = index[1], z = index[2], f = index[3];
  ExprRef first = k.groups == 1 ? idx(0) : mul(div(f, idx(k.filtersPerGroup())), idx(k.cpg));
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  ExprRef zero = kir::constant(type, 0);
  std::vector<int64_t> taps = {k.rows.window, k.cols.window, k.cpg};
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, taps, zero, [&](const Index& t) {
    ExprRef ih = k.rows.input(y, t[0]), iw = k.cols.input(z, t[1]);
    ExprRef c = k.groups == 1 ? t[2] : add(first, t[2]);
    if (k.rows.alwaysInside() && k.cols.alwaysInside())
      return mul(operand(ctx, 0, {n, ih, iw, c}), operand(ctx, 1, {t[0], t[1], t[2], f}));
    // x read as if zero-padded (a padded copy where the kernel has one:
    // codegen/lower/layouts.h). Operands in order: each registers a buffer.
    ExprRef x = operandOrZero(ctx, 0, {n, ih, iw, c}, {n, k.rows.clamp(ih), k.cols.clamp(iw), c},
                              both(k.rows.inside(ih), k.cols.inside(iw)));
    return mul(x, operand(ctx, 1, {t[0], t[1], t[2], f}));
  });
  if (ctx.op.numOperands() > 2) sum = add(sum, operand(ctx, 2, {f}));
  return convert(sum, ctx.types.result_dtypes[0]);
}

// The maximum over the window's valid cells, NaN if any is NaN; -inf for a
// window of padding only.
absl::StatusOr<ExprRef> maxpool2d(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  PoolGeometry p = poolGeometry(ctx.attrs(), operandShape(ctx, 0), ctx.types.result_shapes[0]);
  ExprRef n = index[0], y = index[1], z = index[2], c = index[3];
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  ExprRef lowest = kir::reduceIdentity(ReduceOp::kMax, type);
  std::vector<int64_t> window = {p.rows.window, p.cols.window};
  ExprRef m = maxWithNan(ctx.kernel, type, window, [&](const Index& t) {
    return insideOr(p.rows, p.cols, p.rows.input(y, t[0]), p.cols.input(z, t[1]), lowest,
                    [&](ExprRef h, ExprRef w) { return operand(ctx, 0, {n, h, w, c}); });
  });
  return convert(m, ctx.types.result_dtypes[0]);
}

// The mean over the window's valid cells (0 for a window of padding only).
absl::StatusOr<ExprRef> avgpool2d(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  PoolGeometry p = poolGeometry(ctx.attrs(), operandShape(ctx, 0), ctx.types.result_shapes[0]);
  ExprRef n = index[0], y = index[1], z = index[2], c = index[3];
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  ExprRef zero = kir::constant(type, 0);
  std::vector<int64_t> window = {p.rows.window, p.cols.window};
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, window, zero, [&](const Index& t) {
    return insideOr(p.rows, p.cols, p.rows.input(y, t[0]), p.cols.input(z, t[1]), zero,
                    [&](ExprRef h, ExprRef w) { return operand(ctx, 0, {n, h, w, c}); });
  });
  ExprRef count = validCells(p, y, z);
  ExprRef mean = div(sum, kir::cast(type, max(count, idx(1))));
  if (!p.rows.alwaysInside() || !p.cols.alwaysInside()) mean = select(eq(count, idx(0)), zero, mean);
  return convert(mean, ctx.types.result_dtypes[0]);
}

// [N, H, W, C] -> [N, C], the mean over H and W (NaN for an empty image).
absl::StatusOr<ExprRef> globalAvgpool2d(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  const std::vector<int64_t>& x = operandShape(ctx, 0);
  ScalarType type = arithType(ctx.types.result_dtypes[0]);
  int64_t cells = x[1] * x[2];
  if (cells == 0)
    return convert(kir::constant(type, std::numeric_limits<double>::quiet_NaN()), ctx.types.result_dtypes[0]);
  std::vector<int64_t> image = {x[1], x[2]};
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, image, kir::constant(type, 0),
                           [&](const Index& t) { return operand(ctx, 0, {index[0], t[0], t[1], index[1]}); });
  return convert(div(sum, kir::constant(type, static_cast<double>(cells))), ctx.types.result_dtypes[0]);
}

}  // namespace

const OpLowering kLowerConv2d{.compute = conv2d};
const OpLowering kLowerMaxpool2d{.compute = maxpool2d};
const OpLowering kLowerAvgpool2d{.compute = avgpool2d};
const OpLowering kLowerGlobalAvgpool2d{.compute = globalAvgpool2d};

}  // namespace dlc::codegen
