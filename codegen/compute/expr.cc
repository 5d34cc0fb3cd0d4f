#include "codegen/compute/expr.h"

#include <limits>

#include "absl/status/status.h"
#include "ir/precision.h"
#include "support/strings.h"

namespace dlc::codegen::cx {

ScalarType arithType(ir::DType dtype) {
  if (ir::isHalfFloat(dtype)) return ScalarType::kF32;
  return dtype;
}

ExprRef convert(ExprRef v, ir::DType to) {
  if (v->type == to) return v;
  if (to == ir::DType::kBool) return ne(v, like(v, 0.0));
  if (ir::isHalfFloat(to) && v->type != ScalarType::kF32)
    v = kir::cast(ScalarType::kF32, v);  // the reference rounds to float first
  return kir::cast(to, v);
}

ExprRef clampIndex(ExprRef i, int64_t size) {
  if (size <= 1) return idx(0);
  return max(min(i, idx(size - 1)), idx(0));
}

ExprRef inRange(ExprRef i, int64_t size) { return both(ge(i, idx(0)), lt(i, idx(size))); }

ExprRef linearize(std::span<const ExprRef> index, std::span<const int64_t> shape) {
  if (index.empty()) return idx(0);
  ExprRef flat = index[0];
  for (size_t d = 1; d < index.size(); ++d) {
    if (shape[d] == 1) continue;  // its index is 0: flat * 1 + 0
    flat = add(mul(flat, idx(shape[d])), index[d]);
  }
  return flat;
}

Index delinearize(ExprRef flat, std::span<const int64_t> shape) {
  Index index(shape.size());
  int64_t stride = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] <= 1) {  // 0: no element, so never evaluated
      index[d] = idx(0);
      continue;
    }
    ExprRef q = stride == 1 ? flat : div(flat, idx(stride));
    // The first dim needs no wrap: flat is within the shape.
    index[d] = d == 0 ? q : rem(q, idx(shape[d]));
    stride *= shape[d];
  }
  return index;
}

Index broadcastIndex(std::span<const ExprRef> out, std::span<const int64_t> in) {
  Index index;
  size_t lead = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d) index.push_back(in[d] == 1 ? idx(0) : out[lead + d]);
  return index;
}

int64_t product(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

namespace {

ExprRef combine(ReduceOp op, ExprRef a, ExprRef b) {
  switch (op) {
    case ReduceOp::kAdd: return add(a, b);
    case ReduceOp::kMul: return mul(a, b);
    case ReduceOp::kMin: return min(a, b);
    case ReduceOp::kMax: return max(a, b);
  }
  return a;
}

}  // namespace

ExprRef reduceNest(kir::Kernel& kernel, ReduceOp op, std::span<const int64_t> extents, ExprRef init,
                   const std::function<ExprRef(const Index&)>& body) {
  if (extents.empty()) return combine(op, init, body({}));
  std::vector<kir::Var> vars;
  Index index;
  for (size_t d = 0; d < extents.size(); ++d) {
    vars.push_back(kernel.newVar(ScalarType::kI64, strCat("r", d)));
    index.push_back(kir::var(vars.back()));
  }
  ExprRef e = body(index);
  // Inner reductions start from the identity; only the outermost has init.
  for (size_t d = extents.size(); d-- > 0;) {
    ExprRef start = d == 0 ? init : kir::reduceIdentity(op, e->type);
    e = kir::reduce(op, vars[d], 0, extents[d], start, e);
  }
  return e;
}

ExprRef maxWithNan(kir::Kernel& kernel, ScalarType type, std::span<const int64_t> extents,
                   const std::function<ExprRef(const Index&)>& body) {
  ExprRef lowest = kir::reduceIdentity(ReduceOp::kMax, type);
  if (!ir::isFloat(type)) return reduceNest(kernel, ReduceOp::kMax, extents, lowest, body);
  ExprRef m = reduceNest(kernel, ReduceOp::kMax, extents, lowest, [&](const Index& i) {
    ExprRef x = body(i);
    return select(isNan(x), lowest, x);
  });
  ExprRef any_nan = reduceNest(kernel, ReduceOp::kMax, extents, idx(0),
                               [&](const Index& i) { return select(isNan(body(i)), idx(1), idx(0)); });
  return select(gt(any_nan, idx(0)), kir::constant(type, std::numeric_limits<double>::quiet_NaN()), m);
}

ExprRef sigmoid(ExprRef x) {
  // e = exp(-|x|) <= 1: 1 / (1 + e) for x >= 0, e / (1 + e) below.
  ExprRef e = exp(neg(kir::unary(UnaryOp::kAbs, x)));
  ExprRef s = div(like(x, 1.0), add(like(x, 1.0), e));
  return select(ge(x, like(x, 0.0)), s, mul(e, s));
}

const std::vector<int64_t>& operandShape(const ComputeContext& ctx, size_t i) { return ctx.types.operand_shapes[i]; }

ExprRef operand(const ComputeContext& ctx, size_t i, Index index) {
  ExprRef v = ctx.operand(i, std::move(index));
  return kir::cast(arithType(ctx.types.operand_dtypes[i]), v);
}

ExprRef operandOrZero(const ComputeContext& ctx, size_t i, Index index, Index clamped, ExprRef inside) {
  ir::DType dtype = ctx.types.operand_dtypes[i];
  if (ctx.padded)
    if (ExprRef v = ctx.padded(i, index)) return kir::cast(arithType(dtype), v);
  return select(std::move(inside), operand(ctx, i, std::move(clamped)), kir::constant(arithType(dtype), 0));
}

ExprRef loadAt(kir::BufferId buffer, ir::DType dtype, std::span<const int64_t> shape, std::span<const ExprRef> index) {
  return kir::cast(arithType(dtype), kir::load(buffer, dtype, linearize(index, shape)));
}

namespace {

ExprRef bits(uint64_t v) { return idx(static_cast<int64_t>(v)); }
ExprRef xorOf(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kXor, a, b); }
ExprRef shr(ExprRef a, int64_t n) { return kir::binary(BinaryOp::kShr, a, idx(n)); }

// reference/random.cc's splitmix64 in wrapping i64 arithmetic.
ExprRef splitmix64(ExprRef x) {
  x = add(x, bits(0x9e3779b97f4a7c15ull));
  x = mul(xorOf(x, shr(x, 30)), bits(0xbf58476d1ce4e5b9ull));
  x = mul(xorOf(x, shr(x, 27)), bits(0x94d049bb133111ebull));
  return xorOf(x, shr(x, 31));
}

}  // namespace

absl::StatusOr<ExprRef> uniform(const ComputeContext& ctx, ExprRef k) {
  if (ctx.run_state.buffer < 0)
    return absl::FailedPreconditionError(
        strCat(ctx.op.name(), " in training mode needs the run state buffer [seed, step]"));
  ExprRef seed = kir::load(ctx.run_state.buffer, ScalarType::kI64, idx(0));
  ExprRef step = kir::load(ctx.run_state.buffer, ScalarType::kI64, idx(1));
  ExprRef key = idx(ctx.attrs().getInt("key"));
  ExprRef stream = splitmix64(xorOf(splitmix64(xorOf(splitmix64(seed), key)), step));
  ExprRef draw = shr(splitmix64(xorOf(stream, k)), 11);
  return mul(kir::cast(ScalarType::kF64, draw), kir::constant(ScalarType::kF64, 0x1p-53));
}

}  // namespace dlc::codegen::cx
