// Gradients of the ops that rearrange or reduce dims.
#include "absl/status/status.h"
#include "ir/gradients/grad_util.h"
#include "support/strings.h"

namespace dlc::ir {

// Back to x's dims (its symbolic dims by name, which reshape accepts since
// the result has the same symbols).
GradResult gradFlatten(GradContext& c) { return finish(c.b, {reshapeTo(c.b, c.grad(), c.operand(0)->type().dims)}); }

GradResult gradReshape(GradContext& c) { return finish(c.b, {reshapeTo(c.b, c.grad(), c.operand(0)->type().dims)}); }

GradResult gradTranspose(GradContext& c) {
  const std::vector<int64_t>& perm = c.attrs().getIntList("perm");
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return finish(c.b, {c.b.emit(OpKind::kTranspose, {c.grad()}, makeAttrs({{"perm", Attribute::intList(inverse)}}))});
}

// Each input gets its slice of g along the axis (the shape rule made the
// sizes on that axis static).
GradResult gradConcat(GradContext& c) {
  Value* g = c.grad();
  int64_t axis = normalizedAxis(c.attrs().getInt("axis"), g->type().rank());
  std::vector<Value*> grads;
  if (c.op.numOperands() == 1) return std::vector<Value*>{g};
  int64_t start = 0;
  for (Value* x : c.op.operands()) {
    int64_t size = x->type().dims[static_cast<size_t>(axis)].size();
    grads.push_back(c.b.emit(OpKind::kSlice, {g},
                             makeAttrs({{"axis", Attribute::integer(axis)},
                                        {"start", Attribute::integer(start)},
                                        {"size", Attribute::integer(size)}})));
    start += size;
  }
  return finish(c.b, std::move(grads));
}

GradResult gradReduceSum(GradContext& c) {
  Value* x = c.operand(0);
  std::vector<int64_t> axes = normalizedAxes(c.attrs().getIntList("axes"), x->type().rank());
  return finish(c.b, {unreduce(c.b, c.grad(), x, axes, c.attrs().getBool("keepdims"))});
}

// The sum's gradient divided by the count (before broadcasting, so the
// division runs on the small tensor).
GradResult gradReduceMean(GradContext& c) {
  Value* x = c.operand(0);
  std::vector<int64_t> axes = normalizedAxes(c.attrs().getIntList("axes"), x->type().rank());
  Value* g = keepdimsForm(c.b, c.grad(), x, axes, c.attrs().getBool("keepdims"));
  return finish(c.b, {broadcastLike(c.b, divideByCount(c.b, g, x, axes), x)});
}

GradResult gradReduceMax(GradContext& c) {
  return finish(c.b, {c.b.emit(OpKind::kReduceMaxGrad, {c.operand(0), c.grad()}, c.attrs())});
}

}  // namespace dlc::ir
