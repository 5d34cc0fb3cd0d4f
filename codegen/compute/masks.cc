// Comparisons, masks and index ops, as in reference/masks.cc: comparisons
// give 1 or 0 in the operands' dtype (false with NaN); step and sign keep
// NaN.
#include <limits>

#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

ExprRef oneIf(ExprRef cond, const ExprRef& type_of) { return select(cond, like(type_of, 1), like(type_of, 0)); }
ExprRef keepNan(ExprRef x, ExprRef otherwise) {
  if (!ir::isFloat(x->type)) return otherwise;
  return select(isNan(x), x, otherwise);
}

ExprRef step(const ComputeContext&, ExprRef x) { return keepNan(x, oneIf(gt(x, like(x, 0)), x)); }
ExprRef sign(const ComputeContext&, ExprRef x) {
  ExprRef s = select(gt(x, like(x, 0)), like(x, 1), select(lt(x, like(x, 0)), like(x, -1), like(x, 0)));
  return keepNan(x, s);
}
ExprRef equal(const ComputeContext&, ExprRef a, ExprRef b) { return oneIf(eq(a, b), a); }
ExprRef greater(const ComputeContext&, ExprRef a, ExprRef b) { return oneIf(gt(a, b), a); }

// The first index of the maximum along `axis`, NaN counting as larger than
// any number (np.argmax): the first NaN if there is one, else the first index
// holding the NaN-free maximum.
absl::StatusOr<ExprRef> argmax(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  const std::vector<int64_t>& shape = operandShape(ctx, 0);
  int64_t axis = normalizeAxis(ctx.attrs().getInt("axis"), static_cast<int64_t>(shape.size()));
  int64_t len = shape[static_cast<size_t>(axis)];
  auto at = [&](ExprRef k) {
    Index i(index.begin(), index.end());
    i.insert(i.begin() + axis, k);
    return operand(ctx, 0, std::move(i));
  };
  std::vector<int64_t> extent = {len};
  ScalarType type = arithType(ctx.types.operand_dtypes[0]);
  ExprRef lowest = kir::reduceIdentity(ReduceOp::kMax, type);
  bool is_float = ir::isFloat(type);
  ExprRef best = reduceNest(ctx.kernel, ReduceOp::kMax, extent, lowest, [&](const Index& k) {
    ExprRef x = at(k[0]);
    return is_float ? select(isNan(x), lowest, x) : x;
  });
  ExprRef first = reduceNest(ctx.kernel, ReduceOp::kMin, extent, idx(len),
                             [&](const Index& k) { return select(eq(at(k[0]), best), k[0], idx(len)); });
  if (is_float) {
    ExprRef first_nan = reduceNest(ctx.kernel, ReduceOp::kMin, extent, idx(len),
                                   [&](const Index& k) { return select(isNan(at(k[0])), k[0], idx(len)); });
    first = select(lt(first_nan, idx(len)), first_nan, first);
  }
  return convert(first, ctx.types.result_dtypes[0]);
}

// out[..., k] = 1 where ids[...] == k; ids outside [0, depth) give zeros.
absl::StatusOr<ExprRef> oneHot(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  int64_t depth = ctx.attrs().getInt("depth");
  ExprRef id = kir::cast(ScalarType::kI64, operand(ctx, 0, Index(index.begin(), index.end() - 1)));
  ExprRef hit = both(inRange(id, depth), eq(id, index.back()));
  ir::DType dtype = ctx.types.result_dtypes[0];
  ExprRef one = kir::constant(arithType(dtype), 1), zero = kir::constant(arithType(dtype), 0);
  return convert(select(hit, one, zero), dtype);
}

}  // namespace

const OpLowering kLowerStep{.compute = mapUnary<step>};
const OpLowering kLowerSign{.compute = mapUnary<sign>};
const OpLowering kLowerEqual{.compute = mapBinary<equal>};
const OpLowering kLowerGreater{.compute = mapBinary<greater>};
const OpLowering kLowerArgmax{.compute = argmax};
const OpLowering kLowerOneHot{.compute = oneHot};

}  // namespace dlc::codegen
