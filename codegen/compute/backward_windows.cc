// The backward ops of conv2d and the 2-D pools as gathers: each input (or
// kernel) element sums the taps or windows that touch it, found through the
// adjoint of the forward geometry (windows.h), each with its in-range test.
// They are the adjoints of the forward computes exactly as reference/
// backward.cc's are of reference/convolution.cc.
#include <functional>

#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"
#include "codegen/compute/windows.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

ir::DType resultDType(const ComputeContext& ctx) { return ctx.types.result_dtypes[0]; }

// The sum over a pool's window taps of `body(tap)`. When windows do not
// overlap (stride = window), an input cell lies in at most one window, at
// tap (input + before) mod stride: the sum is that one term.
ExprRef sumOverWindows(const ComputeContext& ctx, const PoolGeometry& p, ExprRef h, ExprRef w, ExprRef zero,
                       const std::function<ExprRef(const Index&)>& body) {
  if (p.rows.stride == p.rows.window && p.cols.stride == p.cols.window)
    return body(
        {rem(add(h, idx(p.rows.before)), idx(p.rows.stride)), rem(add(w, idx(p.cols.before)), idx(p.cols.stride))});
  std::vector<int64_t> window = {p.rows.window, p.cols.window};
  return reduceNest(ctx.kernel, ReduceOp::kAdd, window, zero, body);
}

// (g, kernel, like) -> dx[n, h, w, c]: the sum over the taps (i, j) and the
// filters f of c's group of g[n, y, z, f] * kernel[i, j, q, f], for the
// output (y, z) whose tap (i, j) reads (h, w).
absl::StatusOr<ExprRef> conv2dGradInput(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  ConvGeometry k = convGeometry(ctx.attrs(), ctx.types.result_shapes[0], operandShape(ctx, 1), operandShape(ctx, 0));
  ExprRef n = index[0], h = index[1], w = index[2], c = index[3];
  int64_t fpg = k.filtersPerGroup();
  ExprRef q = k.groups == 1 ? c : rem(c, idx(k.cpg));
  ExprRef first_filter = k.groups == 1 ? idx(0) : mul(div(c, idx(k.cpg)), idx(fpg));
  ScalarType type = arithType(resultDType(ctx));
  ExprRef zero = kir::constant(type, 0);
  std::vector<int64_t> taps = {k.rows.window, k.cols.window, fpg};
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, taps, zero, [&](const Index& t) {
    WindowAxis::Output y = k.rows.outputOf(h, t[0]), z = k.cols.outputOf(w, t[1]);
    ExprRef f = k.groups == 1 ? t[2] : add(first_filter, t[2]);
    ExprRef inside = both(y.valid, z.valid);
    if (y.raw && z.raw) {
      // Stride 1: g read as if zero-padded (a tap outside it adds 0 * w), from
      // a padded copy where the kernel has one (layouts.h).
      // Operands in order: each registers a kernel buffer.
      ExprRef x = operandOrZero(ctx, 0, {n, y.raw, z.raw, f}, {n, y.at, z.at, f}, inside);
      return mul(x, operand(ctx, 1, {t[0], t[1], q, f}));
    }
    ExprRef x = operand(ctx, 0, {n, y.at, z.at, f});
    ExprRef v = mul(x, operand(ctx, 1, {t[0], t[1], q, f}));
    return select(inside, v, zero);
  });
  return convert(sum, resultDType(ctx));
}

// (x, g, like) -> dkernel[i, j, q, f]: the sum over n and the outputs (y, z)
// of x[n, ih, iw, group(f) * cpg + q] * g[n, y, z, f] for the taps inside x.
absl::StatusOr<ExprRef> conv2dGradKernel(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  ConvGeometry k = convGeometry(ctx.attrs(), operandShape(ctx, 0), ctx.types.result_shapes[0], operandShape(ctx, 1));
  ExprRef i = index[0], j = index[1], q = index[2], f = index[3];
  ExprRef c = k.groups == 1 ? q : add(mul(div(f, idx(k.filtersPerGroup())), idx(k.cpg)), q);
  ScalarType type = arithType(resultDType(ctx));
  ExprRef zero = kir::constant(type, 0);
  std::vector<int64_t> outputs = {k.batch, k.rows.out, k.cols.out};
  ExprRef sum = reduceNest(ctx.kernel, ReduceOp::kAdd, outputs, zero, [&](const Index& o) {
    ExprRef ih = k.rows.input(o[1], i), iw = k.cols.input(o[2], j);
    return insideOr(k.rows, k.cols, ih, iw, zero, [&](ExprRef h, ExprRef w) {
      ExprRef x = operand(ctx, 0, {o[0], h, w, c});  // operands in order: each registers a kernel buffer
      return mul(x, operand(ctx, 1, {o[0], o[1], o[2], f}));
    });
  });
  return convert(sum, resultDType(ctx));
}

// A cell of a pool window, or the first maximum of a run of its cells:
// the value, its row-major position in the window (f32: the data's lane
// width) and whether it lies inside x (null: always).
struct PoolCandidate {
  ExprRef value, position, inside;
};

// The first maximum of window (y, z)'s cells [first, last) in row-major
// order, NaN counting as larger than any number (the reference's rule): a
// tournament of halves, the later half winning only when its maximum is
// larger (or the first NaN), so ties go to the earlier cell. A tournament
// rather than a chain: each step reads its operands' values three times,
// so a chain's expression would grow as 3^cells, a tournament's as
// cells^2.6.
PoolCandidate firstMaximum(const ComputeContext& ctx, const PoolGeometry& p, ExprRef n, ExprRef y, ExprRef z, ExprRef c,
                           int64_t first, int64_t last) {
  if (last - first == 1) {
    int64_t i = first / p.cols.window, j = first % p.cols.window;
    Tap tap = tapAt(p.rows, p.cols, p.rows.input(y, idx(i)), p.cols.input(z, idx(j)));
    return {operand(ctx, 0, {n, tap.h, tap.w, c}), kir::constant(ScalarType::kF32, static_cast<double>(first)),
            tap.inside};
  }
  int64_t middle = first + (last - first) / 2;
  PoolCandidate a = firstMaximum(ctx, p, n, y, z, c, first, middle);
  PoolCandidate b = firstMaximum(ctx, p, n, y, z, c, middle, last);
  ExprRef later = gt(b.value, a.value);
  if (ir::isFloat(a.value->type))
    later = both(kir::unary(kir::UnaryOp::kNot, isNan(a.value)), either(isNan(b.value), later));
  if (a.inside) later = either(kir::unary(kir::UnaryOp::kNot, a.inside), later);
  if (b.inside) later = both(b.inside, later);
  ExprRef inside = a.inside && b.inside ? either(a.inside, b.inside) : nullptr;
  return {select(later, b.value, a.value), select(later, b.position, a.position), inside};
}

// Windows of more cells than this test each cell against the others (a
// reduction per cell) instead of firstMaximum's tournament, whose code grows
// with the window.
constexpr int64_t kMaxTournamentWindow = 16;

// (x, g) -> dx[n, h, w, c]: the sum of g over the windows that contain
// (h, w) and pick it as their first maximum in row-major order, NaN counting
// as larger than any number (the reference's rule). Small windows find the
// position of that maximum (firstMaximum) and compare it with (h, w)'s.
// Large ones test (h, w), at offset (i, j) of window (y, z), against each
// valid cell: it is picked when none breaks it: for a NaN at (h, w), a NaN
// before it; otherwise any NaN, a cell before it >= x[h, w] or a cell after
// it > x[h, w].
absl::StatusOr<ExprRef> maxpool2dGrad(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  PoolGeometry p = poolGeometry(ctx.attrs(), operandShape(ctx, 0), operandShape(ctx, 1));
  ExprRef n = index[0], h = index[1], w = index[2], c = index[3];
  ScalarType type = arithType(resultDType(ctx));
  ExprRef zero = kir::constant(type, 0);
  ExprRef v = operand(ctx, 0, {n, h, w, c});
  bool is_float = ir::isFloat(type);
  std::vector<int64_t> window = {p.rows.window, p.cols.window};
  bool tournament = p.rows.window * p.cols.window <= kMaxTournamentWindow;
  ExprRef sum = sumOverWindows(ctx, p, h, w, zero, [&](const Index& t) {
    WindowAxis::Output y = p.rows.outputOf(h, t[0]), z = p.cols.outputOf(w, t[1]);
    ExprRef self = add(mul(t[0], idx(p.cols.window)), t[1]);
    ExprRef picked;
    if (tournament) {
      PoolCandidate best = firstMaximum(ctx, p, n, y.at, z.at, c, 0, p.rows.window * p.cols.window);
      picked = eq(best.position, kir::cast(ScalarType::kF32, self));
    } else {
      // Whether any cell breaks it, as a max of 0.0 and 1.0: f32 lanes, as
      // wide as the data's (i64 flags would halve the vector).
      ExprRef breaks =
          reduceNest(ctx.kernel, ReduceOp::kMax, window, kir::constant(ScalarType::kF32, 0), [&](const Index& s) {
            ExprRef before = lt(add(mul(s[0], idx(p.cols.window)), s[1]), self);
            ExprRef ih = p.rows.input(y.at, s[0]), iw = p.cols.input(z.at, s[1]);
            ExprRef cell_breaks =
                insideOr(p.rows, p.cols, ih, iw, kir::constant(ScalarType::kBool, 0), [&](ExprRef ch, ExprRef cw) {
                  ExprRef xq = operand(ctx, 0, {n, ch, cw, c});
                  ExprRef larger = either(both(before, ge(xq, v)), gt(xq, v));
                  if (!is_float) return larger;
                  return select(isNan(v), both(before, isNan(xq)), either(isNan(xq), larger));
                });
            return select(cell_breaks, kir::constant(ScalarType::kF32, 1), kir::constant(ScalarType::kF32, 0));
          });
      picked = eq(breaks, kir::constant(ScalarType::kF32, 0));
    }
    picked = both(both(y.valid, z.valid), picked);
    return select(picked, operand(ctx, 1, {n, y.at, z.at, c}), zero);
  });
  return convert(sum, resultDType(ctx));
}

// (x, g) -> dx[n, h, w, c]: the sum over the windows containing (h, w) of
// g / (the window's number of valid cells).
absl::StatusOr<ExprRef> avgpool2dGrad(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  PoolGeometry p = poolGeometry(ctx.attrs(), operandShape(ctx, 0), operandShape(ctx, 1));
  ExprRef n = index[0], h = index[1], w = index[2], c = index[3];
  ScalarType type = arithType(resultDType(ctx));
  ExprRef zero = kir::constant(type, 0);
  ExprRef sum = sumOverWindows(ctx, p, h, w, zero, [&](const Index& t) {
    WindowAxis::Output y = p.rows.outputOf(h, t[0]), z = p.cols.outputOf(w, t[1]);
    // A window holding (h, w) has at least one valid cell.
    ExprRef count = kir::cast(type, max(validCells(p, y.at, z.at), idx(1)));
    return select(both(y.valid, z.valid), div(operand(ctx, 1, {n, y.at, z.at, c}), count), zero);
  });
  return convert(sum, resultDType(ctx));
}

}  // namespace

const OpLowering kLowerConv2dGradInput{.compute = conv2dGradInput};
const OpLowering kLowerConv2dGradKernel{.compute = conv2dGradKernel};
const OpLowering kLowerMaxpool2dGrad{.compute = maxpool2dGrad};
const OpLowering kLowerAvgpool2dGrad{.compute = avgpool2dGrad};

}  // namespace dlc::codegen
