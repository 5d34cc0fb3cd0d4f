// Shorthands the lowerings share: arithmetic on kernel-IR expressions,
// index arithmetic (broadcasting, row-major (de)linearisation, clamping),
// nested reductions, and the op-independent pieces of maths (sigmoid, the
// keyed random stream of reference/random.cc).
//
// NaN: the kernel IR leaves min/max (binary ops and reduction combiners) on
// NaN operands unspecified, so no lowering feeds them a NaN where the
// reference gives an answer; NaN rules are written with comparisons and
// selects instead.
#ifndef DLC_CODEGEN_COMPUTE_EXPR_H_
#define DLC_CODEGEN_COMPUTE_EXPR_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "codegen/compute/compute.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen::cx {

using kir::BinaryOp;
using kir::ExprRef;
using kir::ReduceOp;
using kir::ScalarType;
using kir::UnaryOp;
using Index = std::vector<ExprRef>;
using kir::select;  // found by ADL anyway: ExprRef points into dlc::kir

inline ExprRef add(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kAdd, a, b); }
inline ExprRef sub(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kSub, a, b); }
inline ExprRef mul(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kMul, a, b); }
inline ExprRef div(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kDiv, a, b); }
inline ExprRef rem(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kRem, a, b); }
inline ExprRef min(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kMin, a, b); }
inline ExprRef max(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kMax, a, b); }
inline ExprRef lt(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kLt, a, b); }
inline ExprRef le(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kLe, a, b); }
inline ExprRef gt(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kGt, a, b); }
inline ExprRef ge(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kGe, a, b); }
inline ExprRef eq(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kEq, a, b); }
inline ExprRef ne(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kNe, a, b); }
inline ExprRef both(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kAnd, a, b); }
inline ExprRef either(ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kOr, a, b); }
inline ExprRef neg(ExprRef x) { return kir::unary(UnaryOp::kNeg, x); }
inline ExprRef exp(ExprRef x) { return kir::unary(UnaryOp::kExp, x); }
inline ExprRef log(ExprRef x) { return kir::unary(UnaryOp::kLog, x); }
inline ExprRef sqrt(ExprRef x) { return kir::unary(UnaryOp::kSqrt, x); }
inline ExprRef tanh(ExprRef x) { return kir::unary(UnaryOp::kTanh, x); }
inline ExprRef idx(int64_t v) { return kir::index(v); }
// A literal of x's type.
inline ExprRef like(const ExprRef& x, double v) { return kir::constant(x->type, v); }
inline ExprRef isNan(ExprRef x) { return ne(x, x); }

// The type arithmetic runs in for a dtype: f16 and bf16 compute in f32.
ScalarType arithType(ir::DType dtype);
// `v` (in any arithmetic type) as a value of dtype `to`: bool is v != 0, and
// f16/bf16 go through f32 as the reference's rounding does.
ExprRef convert(ExprRef v, ir::DType to);

// Index arithmetic: clamp into [0, size), the test 0 <= i < size, and
// row-major offsets.
ExprRef clampIndex(ExprRef i, int64_t size);
ExprRef inRange(ExprRef i, int64_t size);
ExprRef linearize(std::span<const ExprRef> index, std::span<const int64_t> shape);
Index delinearize(ExprRef flat, std::span<const int64_t> shape);
// The index of an operand of shape `in` broadcast (NumPy rules) to the
// result indexed by `out`: size-1 dims read 0, missing leading dims drop.
Index broadcastIndex(std::span<const ExprRef> out, std::span<const int64_t> in);
int64_t product(std::span<const int64_t> shape);
// An attribute axis in [-rank, rank) as an index in [0, rank).
inline int64_t normalizeAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// combine(init, body(v...)) over every v in [0, extents) in row-major order,
// as nested reductions (the first extent outermost); body gets one i64 var
// per extent. With no extents it is combine(init, body()).
ExprRef reduceNest(kir::Kernel& kernel, ReduceOp op, std::span<const int64_t> extents, ExprRef init,
                   const std::function<ExprRef(const Index&)>& body);

// The maximum of body over `extents`, NaN when any value is NaN (for
// floats): the NaN-free maximum and a NaN flag, two reductions.
ExprRef maxWithNan(kir::Kernel& kernel, ScalarType type, std::span<const int64_t> extents,
                   const std::function<ExprRef(const Index&)>& body);

// 1 / (1 + exp(-x)) without overflow, as reference::sigmoid.
ExprRef sigmoid(ExprRef x);

// Operand `i` of a compute at `index`, converted to its arithmetic type.
ExprRef operand(const ComputeContext& ctx, size_t i, Index index);
// Operand `i` at `index` where `inside`, else 0, as if the operand were
// zero-padded: a load from a padded copy where the kernel has one (no test
// in the loop), else select(inside, operand at `clamped`, 0).
ExprRef operandOrZero(const ComputeContext& ctx, size_t i, Index index, Index clamped, ExprRef inside);
const std::vector<int64_t>& operandShape(const ComputeContext& ctx, size_t i);
// Buffer `buffer` (of dtype `dtype`) at `index` in `shape`, in arithmetic type.
ExprRef loadAt(kir::BufferId buffer, ir::DType dtype, std::span<const int64_t> shape, std::span<const ExprRef> index);

// uniform(k) of reference/random.cc's stream for the op's `key` and the run
// state's [seed, step]: (splitmix64(stream ^ k) >> 11) * 2^-53, an f64 in
// [0, 1). `k` is i64.
absl::StatusOr<ExprRef> uniform(const ComputeContext& ctx, ExprRef k);

// ---- Elementwise computes: f(ctx, x) or f(ctx, lhs, rhs) on operands in
// their arithmetic type (binary operands broadcast), converted to the result
// dtype.
using UnaryFn = ExprRef (*)(const ComputeContext&, ExprRef);
using BinaryFn = ExprRef (*)(const ComputeContext&, ExprRef, ExprRef);

template <UnaryFn f>
absl::StatusOr<ExprRef> mapUnary(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  ExprRef x = operand(ctx, 0, Index(index.begin(), index.end()));
  return convert(f(ctx, x), ctx.types.result_dtypes[0]);
}

template <BinaryFn f>
absl::StatusOr<ExprRef> mapBinary(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  ExprRef lhs = operand(ctx, 0, broadcastIndex(index, operandShape(ctx, 0)));
  ExprRef rhs = operand(ctx, 1, broadcastIndex(index, operandShape(ctx, 1)));
  return convert(f(ctx, lhs, rhs), ctx.types.result_dtypes[0]);
}

}  // namespace dlc::codegen::cx

#endif  // DLC_CODEGEN_COMPUTE_EXPR_H_
