// Gradients of the elementwise ops: activations, arithmetic and select with
// NumPy broadcasting (each operand's gradient summed back to its shape), cast.
#include "ir/gradients/grad_util.h"

namespace dlc::ir {
namespace {

DType dtypeOf(const GradContext& c) { return c.result()->type().dtype; }

// 1 - v, in v's dtype.
Value* oneMinus(GradContext& c, Value* v) { return c.b.sub(c.b.scalar(1.0, dtypeOf(c)), v); }

}  // namespace

GradResult gradRelu(GradContext& c) {
  // step(relu(x)) = step(x), and reading the result rather than x leaves x
  // used by the relu alone, so a conv or dense under the relu fuses with it.
  Value* mask = c.b.emit(OpKind::kStep, {c.result()});
  return finish(c.b, {c.b.mul(c.grad(), mask)});
}

// sigmoid' = y (1 - y)
GradResult gradSigmoid(GradContext& c) {
  Value* y = c.result();
  return finish(c.b, {c.b.mul(c.grad(), c.b.mul(y, oneMinus(c, y)))});
}

// tanh' = 1 - y^2
GradResult gradTanh(GradContext& c) {
  Value* y = c.result();
  return finish(c.b, {c.b.mul(c.grad(), oneMinus(c, c.b.mul(y, y)))});
}

// gelu, leaky_relu, ...: g * f'(x) is the op's own backward op.
GradResult gradByDerivative(GradContext& c) {
  return finish(c.b, {c.b.emit(*c.op.def().derivative, {c.operand(0), c.grad()}, c.attrs())});
}

GradResult gradExp(GradContext& c) { return finish(c.b, {c.b.mul(c.grad(), c.result())}); }

GradResult gradLog(GradContext& c) { return finish(c.b, {c.b.div(c.grad(), c.operand(0))}); }

// sqrt' = 1 / (2 y)
GradResult gradSqrt(GradContext& c) {
  Value* half = c.b.mul(c.grad(), c.b.scalar(0.5, dtypeOf(c)));
  return finish(c.b, {c.b.div(half, c.result())});
}

// abs' = sign(x), 0 at 0 (the subgradient PyTorch and TensorFlow use).
GradResult gradAbs(GradContext& c) {
  Value* sign = c.b.emit(OpKind::kSign, {c.operand(0)});
  return finish(c.b, {c.b.mul(c.grad(), sign)});
}

GradResult gradNeg(GradContext& c) { return finish(c.b, {c.b.neg(c.grad())}); }

// x * scale + offset
GradResult gradRescaling(GradContext& c) {
  Value* scale = c.b.scalar(c.attrs().getFloat("scale"), dtypeOf(c));
  return finish(c.b, {c.b.mul(c.grad(), scale)});
}

// The gradient goes back to x's dtype; an integer x (or an integer result,
// piecewise constant) has none.
GradResult gradCast(GradContext& c) {
  Value* x = c.operand(0);
  Value* g = c.grad();
  if (!isFloat(x->type().dtype) || !isFloat(g->type().dtype)) return std::vector<Value*>{nullptr};
  if (g->type().dtype == x->type().dtype) return std::vector<Value*>{g};
  return finish(c.b, {c.b.emit(OpKind::kCast, {g}, makeAttrs({{"dtype", Attribute::dtype(x->type().dtype)}}))});
}

GradResult gradAdd(GradContext& c) {
  Value* g = c.grad();
  return finish(c.b, {c.b.sumTo(g, c.operand(0)), c.b.sumTo(g, c.operand(1))});
}

GradResult gradSub(GradContext& c) {
  Value* g = c.grad();
  return finish(c.b, {c.b.sumTo(g, c.operand(0)), c.b.sumTo(c.b.neg(g), c.operand(1))});
}

GradResult gradMul(GradContext& c) {
  Value* g = c.grad();
  Value* lhs = c.operand(0);
  Value* rhs = c.operand(1);
  return finish(c.b, {c.b.sumTo(c.b.mul(g, rhs), lhs), c.b.sumTo(c.b.mul(g, lhs), rhs)});
}

// d(l / r) = g / r for l and -g * y / r for r (y = l / r), which needs no r^2.
GradResult gradDiv(GradContext& c) {
  Value* g = c.grad();
  Value* lhs = c.operand(0);
  Value* rhs = c.operand(1);
  Value* dl = c.b.div(g, rhs);
  Value* dr = c.b.neg(c.b.div(c.b.mul(g, c.result()), rhs));
  return finish(c.b, {c.b.sumTo(dl, lhs), c.b.sumTo(dr, rhs)});
}

namespace {

// Where `first` wins: greater(first, second) + 0.5 * equal(first, second);
// ties split the gradient evenly, as PyTorch does.
Value* winnerMask(GradContext& c, Value* first, Value* second) {
  Value* wins = c.b.emit(OpKind::kGreater, {first, second});
  Value* ties = c.b.emit(OpKind::kEqual, {first, second});
  return c.b.add(wins, c.b.mul(ties, c.b.scalar(0.5, dtypeOf(c))));
}

GradResult gradMaximumOrMinimum(GradContext& c, bool maximum) {
  Value* g = c.grad();
  Value* lhs = c.operand(0);
  Value* rhs = c.operand(1);
  Value* lhs_mask = maximum ? winnerMask(c, lhs, rhs) : winnerMask(c, rhs, lhs);
  Value* rhs_mask = oneMinus(c, lhs_mask);  // where rhs wins, plus half of the ties
  return finish(c.b, {c.b.sumTo(c.b.mul(g, lhs_mask), lhs), c.b.sumTo(c.b.mul(g, rhs_mask), rhs)});
}

}  // namespace

GradResult gradMaximum(GradContext& c) { return gradMaximumOrMinimum(c, true); }
GradResult gradMinimum(GradContext& c) { return gradMaximumOrMinimum(c, false); }

// g goes to x where cond holds and to y elsewhere; cond is piecewise
// constant, so it has no gradient.
GradResult gradSelect(GradContext& c) {
  Value* cond = c.operand(0);
  Value* g = c.grad();
  Value* zero = c.b.scalar(0.0, g->type().dtype);
  Value* dx = c.b.emit(OpKind::kSelect, {cond, g, zero});
  Value* dy = c.b.emit(OpKind::kSelect, {cond, zero, g});
  return finish(c.b, {nullptr, c.b.sumTo(dx, c.operand(1)), c.b.sumTo(dy, c.operand(2))});
}

}  // namespace dlc::ir
