// Gradients of conv2d and the pools: backward ops with the forward op's
// attributes, so that each backend implements them next to the forward op.
#include "ir/gradients/grad_util.h"

namespace dlc::ir {

GradResult gradConv2d(GradContext& c) {
  Value* g = c.grad();
  Value* x = c.operand(0);
  Value* kernel = c.operand(1);
  std::vector<Value*> grads = {
      c.b.emit(OpKind::kConv2dGradInput, {g, kernel, x}, c.attrs()),
      c.b.emit(OpKind::kConv2dGradKernel, {x, g, kernel}, c.attrs()),
  };
  if (c.op.numOperands() > 2)
    grads.push_back(c.b.emit(OpKind::kReduceSum, {g}, makeAttrs({{"axes", Attribute::intList({0, 1, 2})}})));
  return finish(c.b, std::move(grads));
}

GradResult gradMaxpool2d(GradContext& c) {
  return finish(c.b, {c.b.emit(OpKind::kMaxpool2dGrad, {c.operand(0), c.grad()}, c.attrs())});
}

GradResult gradAvgpool2d(GradContext& c) {
  return finish(c.b, {c.b.emit(OpKind::kAvgpool2dGrad, {c.operand(0), c.grad()}, c.attrs())});
}

// [N, H, W, C] -> [N, C] is reduce_mean over axes 1 and 2.
GradResult gradGlobalAvgpool2d(GradContext& c) {
  Value* x = c.operand(0);
  std::vector<int64_t> axes = {1, 2};
  Value* mean = divideByCount(c.b, keepdimsForm(c.b, c.grad(), x, axes, /*keepdims=*/false), x, axes);
  return finish(c.b, {broadcastLike(c.b, mean, x)});
}

}  // namespace dlc::ir
