// Elementwise ops: unary maths (with the derivatives of gelu and leaky_relu,
// `<op>_grad(x, g)`), cast, and the binary ops and select with NumPy
// broadcasting, as in reference/elementwise.cc. These computes are also the
// ops' constant folds (fold.h).
#include <cmath>

#include "codegen/compute/expr.h"
#include "codegen/compute/lowerings.h"

namespace dlc::codegen {
namespace {

using namespace cx;  // NOLINT: the expression shorthands

double attr(const ComputeContext& ctx, const char* name) { return ctx.attrs().getFloat(name); }

// x < 0 ? 0 : x keeps NaN, as the reference does.
ExprRef relu(const ComputeContext&, ExprRef x) { return select(lt(x, like(x, 0)), like(x, 0), x); }
ExprRef sigmoidOf(const ComputeContext&, ExprRef x) { return sigmoid(x); }
ExprRef tanhOf(const ComputeContext&, ExprRef x) { return tanh(x); }
// The exact form: 0.5 * x * (1 + erf(x / sqrt(2))).
ExprRef gelu(const ComputeContext&, ExprRef x) {
  ExprRef erf = kir::unary(UnaryOp::kErf, mul(x, like(x, M_SQRT1_2)));
  return mul(mul(like(x, 0.5), x), add(like(x, 1.0), erf));
}
// g * gelu'(x) = g * (Phi(x) + x * phi(x)), x * phi(x) taken as 0 where
// phi(x) underflows (x = +-inf).
ExprRef geluGrad(const ComputeContext&, ExprRef x, ExprRef g) {
  ExprRef cdf = mul(like(x, 0.5), add(like(x, 1), kir::unary(UnaryOp::kErf, mul(x, like(x, M_SQRT1_2)))));
  ExprRef density = mul(exp(mul(mul(like(x, -0.5), x), x)), like(x, 0.5 * M_2_SQRTPI * M_SQRT1_2));
  ExprRef tail = select(eq(density, like(x, 0)), like(x, 0), mul(x, density));
  return mul(g, add(cdf, tail));
}
// log(1 + exp(x)) as max(x, 0) + log1p(exp(-|x|)), which never overflows;
// log1p(e) is log(u) * e / (u - 1) with u = 1 + e (Goldberg), or e where u
// rounds to 1. NaN stays NaN.
ExprRef softplus(const ComputeContext&, ExprRef x) {
  ExprRef positive = select(gt(x, like(x, 0)), x, like(x, 0));
  ExprRef e = exp(neg(kir::unary(UnaryOp::kAbs, x)));
  ExprRef u = add(like(x, 1), e);
  ExprRef log1p = select(eq(u, like(x, 1)), e, div(mul(log(u), e), sub(u, like(x, 1))));
  return add(positive, log1p);
}
// g * softplus'(x) = g * sigmoid(x).
ExprRef softplusGrad(const ComputeContext&, ExprRef x, ExprRef g) { return mul(g, sigmoid(x)); }
ExprRef expOf(const ComputeContext&, ExprRef x) { return exp(x); }
ExprRef logOf(const ComputeContext&, ExprRef x) { return log(x); }
ExprRef sqrtOf(const ComputeContext&, ExprRef x) { return sqrt(x); }
ExprRef absOf(const ComputeContext&, ExprRef x) { return kir::unary(UnaryOp::kAbs, x); }
ExprRef negOf(const ComputeContext&, ExprRef x) { return neg(x); }
ExprRef leakyRelu(const ComputeContext& ctx, ExprRef x) {
  return select(lt(x, like(x, 0)), mul(like(x, attr(ctx, "alpha")), x), x);
}
// g where x > 0, alpha * g elsewhere; NaN where x is NaN.
ExprRef leakyReluGrad(const ComputeContext& ctx, ExprRef x, ExprRef g) {
  ExprRef slope = select(gt(x, like(x, 0)), g, mul(like(g, attr(ctx, "alpha")), g));
  return select(isNan(x), x, slope);
}
ExprRef rescaling(const ComputeContext& ctx, ExprRef x) {
  return add(mul(x, like(x, attr(ctx, "scale"))), like(x, attr(ctx, "offset")));
}
// The conversion is mapUnary's convert to the result dtype.
ExprRef identity(const ComputeContext&, ExprRef x) { return x; }

ExprRef addOf(const ComputeContext&, ExprRef a, ExprRef b) { return add(a, b); }
ExprRef subOf(const ComputeContext&, ExprRef a, ExprRef b) { return sub(a, b); }
ExprRef mulOf(const ComputeContext&, ExprRef a, ExprRef b) { return mul(a, b); }
// Integer division truncates in the kernel IR as in the reference (which
// reports a zero divisor; here it is the backend's).
ExprRef divOf(const ComputeContext&, ExprRef a, ExprRef b) { return div(a, b); }
// NaN from either side wins (np.maximum); otherwise a > b ? a : b exactly as
// the reference picks between equal values.
ExprRef maximum(const ComputeContext&, ExprRef a, ExprRef b) {
  ExprRef pick_a = gt(a, b);
  if (ir::isFloat(a->type)) pick_a = either(isNan(a), pick_a);
  return select(pick_a, a, b);
}
ExprRef minimum(const ComputeContext&, ExprRef a, ExprRef b) {
  ExprRef pick_a = lt(a, b);
  if (ir::isFloat(a->type)) pick_a = either(isNan(a), pick_a);
  return select(pick_a, a, b);
}

// cond ? x : y on the three operands broadcast to the result's index. cond
// keeps its own dtype; its truth is convert's bool (v != 0, so NaN is true).
absl::StatusOr<ExprRef> selectOf(const ComputeContext& ctx, size_t, std::span<const ExprRef> index) {
  auto at = [&](size_t i) { return operand(ctx, i, broadcastIndex(index, operandShape(ctx, i))); };
  return convert(select(convert(at(0), ir::DType::kBool), at(1), at(2)), ctx.types.result_dtypes[0]);
}

}  // namespace

const OpLowering kLowerRelu{.compute = mapUnary<relu>};
const OpLowering kLowerSigmoid{.compute = mapUnary<sigmoidOf>};
const OpLowering kLowerTanh{.compute = mapUnary<tanhOf>};
const OpLowering kLowerGelu{.compute = mapUnary<gelu>};
const OpLowering kLowerGeluGrad{.compute = mapBinary<geluGrad>};
const OpLowering kLowerSoftplus{.compute = mapUnary<softplus>};
const OpLowering kLowerSoftplusGrad{.compute = mapBinary<softplusGrad>};
const OpLowering kLowerExp{.compute = mapUnary<expOf>};
const OpLowering kLowerLog{.compute = mapUnary<logOf>};
const OpLowering kLowerSqrt{.compute = mapUnary<sqrtOf>};
const OpLowering kLowerAbs{.compute = mapUnary<absOf>};
const OpLowering kLowerNeg{.compute = mapUnary<negOf>};
const OpLowering kLowerLeakyRelu{.compute = mapUnary<leakyRelu>};
const OpLowering kLowerLeakyReluGrad{.compute = mapBinary<leakyReluGrad>};
const OpLowering kLowerRescaling{.compute = mapUnary<rescaling>};
const OpLowering kLowerCast{.compute = mapUnary<identity>};

const OpLowering kLowerAdd{.compute = mapBinary<addOf>};
const OpLowering kLowerSub{.compute = mapBinary<subOf>};
const OpLowering kLowerMul{.compute = mapBinary<mulOf>};
const OpLowering kLowerDiv{.compute = mapBinary<divOf>};
const OpLowering kLowerMaximum{.compute = mapBinary<maximum>};
const OpLowering kLowerMinimum{.compute = mapBinary<minimum>};
const OpLowering kLowerSelect{.compute = selectOf};

}  // namespace dlc::codegen
