// Gradients of the training-time random ops. The backward op has the forward
// op's key, so it draws the same mask, flips or crop offsets (the draws depend
// on the run seed, the key, the step and the element or image only).
#include "ir/gradients/grad_util.h"

namespace dlc::ir {

// Training: the same mask and 1 / (1 - rate) scale; inference: the identity.
GradResult gradDropout(GradContext& c) {
  if (!c.attrs().getBool("training")) return std::vector<Value*>{c.grad()};
  return finish(c.b, {c.b.emit(OpKind::kDropout, {c.grad()}, c.attrs())});
}

// A flip is its own inverse.
GradResult gradRandomFlip(GradContext& c) {
  if (!c.attrs().getBool("training")) return std::vector<Value*>{c.grad()};
  return finish(c.b, {c.b.emit(OpKind::kRandomFlip, {c.grad()}, c.attrs())});
}

// g placed back at the crop's offset (the centre at inference), zeros around.
GradResult gradRandomCrop(GradContext& c) {
  return finish(c.b, {c.b.emit(OpKind::kRandomCropGrad, {c.grad(), c.operand(0)}, c.attrs())});
}

}  // namespace dlc::ir
