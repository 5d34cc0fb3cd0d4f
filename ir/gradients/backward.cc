// Gradients of the shape-plumbing ops that gradients introduce: sum_to and
// broadcast_to are each other's adjoints, and so are slice and pad.
#include "absl/status/status.h"
#include "ir/gradients/grad_util.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

// The static size of `axis` of v, or an error naming the op.
absl::StatusOr<int64_t> staticSize(const GradContext& c, Value* v, int64_t axis) {
  const Dim& d = v->type().dims[static_cast<size_t>(axis)];
  if (!d.isStatic())
    return absl::InvalidArgumentError(
        strCat("the gradient of '", c.op.name(), "' needs a static size on axis ", axis, ", not ", d.str()));
  return d.size();
}

}  // namespace

GradResult gradSumTo(GradContext& c) {
  // `like` only supplies the shape.
  return finish(c.b, {broadcastLike(c.b, c.grad(), c.operand(0)), nullptr});
}

GradResult gradBroadcastTo(GradContext& c) {
  // `like` only supplies the shape.
  return finish(c.b, {c.b.sumTo(c.grad(), c.operand(0)), nullptr});
}

// slice(x){axis, start, size}: g padded back to x's size on the axis.
GradResult gradSlice(GradContext& c) {
  Value* x = c.operand(0);
  int64_t axis = normalizedAxis(c.attrs().getInt("axis"), x->type().rank());
  absl::StatusOr<int64_t> dim = staticSize(c, x, axis);
  if (!dim.ok()) return dim.status();
  int64_t start = c.attrs().getInt("start"), size = c.attrs().getInt("size");
  return finish(c.b, {c.b.emit(OpKind::kPad, {c.grad()},
                               makeAttrs({{"axis", Attribute::integer(axis)},
                                          {"before", Attribute::integer(start)},
                                          {"after", Attribute::integer(*dim - start - size)}}))});
}

// pad(x){axis, before, after}: the middle of g.
GradResult gradPad(GradContext& c) {
  Value* x = c.operand(0);
  if (c.attrs().getInt("before") == 0 && c.attrs().getInt("after") == 0) return std::vector<Value*>{c.grad()};
  int64_t axis = normalizedAxis(c.attrs().getInt("axis"), x->type().rank());
  absl::StatusOr<int64_t> dim = staticSize(c, x, axis);
  if (!dim.ok()) return dim.status();
  return finish(c.b, {c.b.emit(OpKind::kSlice, {c.grad()},
                               makeAttrs({{"axis", Attribute::integer(axis)},
                                          {"start", Attribute::integer(c.attrs().getInt("before"))},
                                          {"size", Attribute::integer(*dim)}}))});
}

}  // namespace dlc::ir
