// Gradients of softmax, log_softmax, batchnorm and layernorm.
#include "ir/gradients/grad_util.h"

namespace dlc::ir {
namespace {

Attrs axisKeepdims(const GradContext& c) {
  return makeAttrs({{"axes", Attribute::intList({c.attrs().getInt("axis")})}, {"keepdims", Attribute::boolean(true)}});
}

// A per-channel vector v[C] of a normalization on `axis` of x, shaped to
// broadcast against x: [C] when axis is the last, [C, 1, ..., 1] otherwise.
Value* perChannel(GradBuilder& b, Value* v, int64_t axis, int64_t rank) {
  std::vector<Dim> dims = v->type().dims;
  for (int64_t i = axis + 1; i < rank; ++i) dims.push_back(Dim::fixed(1));
  return reshapeTo(b, v, std::move(dims));
}

// Every axis of a rank-`rank` tensor but `axis`.
std::vector<int64_t> otherAxes(int64_t axis, int64_t rank) {
  std::vector<int64_t> axes;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis) axes.push_back(i);
  return axes;
}

}  // namespace

// y (g - sum(g y)) over the axis.
GradResult gradSoftmax(GradContext& c) {
  Value* g = c.grad();
  Value* y = c.result();
  Value* dot = c.b.emit(OpKind::kReduceSum, {c.b.mul(g, y)}, axisKeepdims(c));
  return finish(c.b, {c.b.mul(y, c.b.sub(g, dot))});
}

// g - softmax(x) sum(g) over the axis, with softmax(x) = exp(y).
GradResult gradLogSoftmax(GradContext& c) {
  Value* g = c.grad();
  Value* total = c.b.emit(OpKind::kReduceSum, {g}, axisKeepdims(c));
  return finish(c.b, {c.b.sub(g, c.b.mul(c.b.emit(OpKind::kExp, {c.result()}), total))});
}

// Training: batch statistics, a backward op (dx, dgamma, dbeta). Inference:
// the moving statistics are constants, so y is affine in x per channel. The
// moving statistics get no gradient in either mode (they are not trained).
GradResult gradBatchnorm(GradContext& c) {
  Value* g = c.grad();
  Value* x = c.operand(0);
  Value* gamma = c.operand(1);
  if (c.attrs().getBool("training")) {
    std::vector<Value*> d =
        c.b.emitMulti(OpKind::kBatchnormGrad, {x, gamma, g}, attrsWithout(c.attrs(), {"momentum", "training"}));
    return finish(c.b, {d[0], d[1], d[2], nullptr, nullptr});
  }
  int64_t rank = x->type().rank();
  int64_t axis = normalizedAxis(c.attrs().getInt("axis"), rank);
  DType dtype = x->type().dtype;
  Value* variance = c.operand(4);
  Value* epsilon = c.b.scalar(c.attrs().getFloat("epsilon"), dtype);
  Value* std_dev = c.b.emit(OpKind::kSqrt, {c.b.add(variance, epsilon)});
  Value* inv_std = c.b.div(c.b.scalar(1.0, dtype), std_dev);
  Value* dx = c.b.mul(g, perChannel(c.b, c.b.mul(gamma, inv_std), axis, rank));
  Value* centered = c.b.sub(x, perChannel(c.b, c.operand(3), axis, rank));
  Value* xhat = c.b.mul(centered, perChannel(c.b, inv_std, axis, rank));
  std::vector<int64_t> others = otherAxes(axis, rank);
  Value* dgamma = sumOver(c.b, c.b.mul(g, xhat), others);
  Value* dbeta = sumOver(c.b, g, others);
  return finish(c.b, {dx, dgamma, dbeta, nullptr, nullptr});
}

GradResult gradLayernorm(GradContext& c) {
  std::vector<Value*> d = c.b.emitMulti(OpKind::kLayernormGrad, {c.operand(0), c.operand(1), c.grad()}, c.attrs());
  return finish(c.b, {d[0], d[1], d[2]});
}

}  // namespace dlc::ir
