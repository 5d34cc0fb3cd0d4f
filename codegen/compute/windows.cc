#include "codegen/compute/windows.h"

#include <algorithm>

namespace dlc::codegen::cx {
namespace {

// TensorFlow's split for "same": the smaller half of the total padding
// before; none for "valid".
int64_t padBefore(const ir::Attrs& attrs, int64_t in, int64_t out, int64_t stride, int64_t window, int64_t dilation) {
  if (attrs.getString("padding") != "same") return 0;
  int64_t total = std::max<int64_t>((out - 1) * stride + (window - 1) * dilation + 1 - in, 0);
  return total / 2;
}

WindowAxis axis(const ir::Attrs& attrs, int64_t in, int64_t out, int64_t window, int64_t stride, int64_t dilation) {
  return WindowAxis{in, out, window, stride, dilation, padBefore(attrs, in, out, stride, window, dilation)};
}

}  // namespace

ExprRef WindowAxis::input(ExprRef at, ExprRef tap) const {
  ExprRef e = stride == 1 ? at : mul(at, idx(stride));
  if (before != 0) e = sub(e, idx(before));
  return add(e, dilation == 1 ? tap : mul(tap, idx(dilation)));
}

bool WindowAxis::alwaysInside() const { return before == 0 && (out - 1) * stride + (window - 1) * dilation < in; }

ExprRef WindowAxis::inside(const ExprRef& i) const { return inRange(i, in); }
ExprRef WindowAxis::clamp(const ExprRef& i) const { return clampIndex(i, in); }

Tap tapAt(const WindowAxis& rows, const WindowAxis& cols, ExprRef ih, ExprRef iw) {
  Tap tap{std::move(ih), std::move(iw), nullptr};
  if (!rows.alwaysInside()) {
    tap.inside = rows.inside(tap.h);
    tap.h = rows.clamp(tap.h);
  }
  if (!cols.alwaysInside()) {
    ExprRef c = cols.inside(tap.w);
    tap.inside = tap.inside ? both(tap.inside, c) : c;
    tap.w = cols.clamp(tap.w);
  }
  return tap;
}

WindowAxis::Output WindowAxis::outputOf(ExprRef input, ExprRef tap) const {
  // at * stride = input + before - tap * dilation
  ExprRef num = add(input, idx(before));
  num = sub(num, dilation == 1 ? tap : mul(tap, idx(dilation)));
  if (stride == 1) return {inRange(num, out), clampIndex(num, out), num};
  ExprRef at = div(num, idx(stride));
  ExprRef exact = both(ge(num, idx(0)), eq(rem(num, idx(stride)), idx(0)));
  return {both(exact, lt(at, idx(out))), clampIndex(at, out), nullptr};
}

ConvGeometry convGeometry(const ir::Attrs& attrs, const std::vector<int64_t>& x, const std::vector<int64_t>& kernel,
                          const std::vector<int64_t>& y) {
  const std::vector<int64_t>& strides = attrs.getIntList("strides");
  const std::vector<int64_t>& dilation = attrs.getIntList("dilation");
  return ConvGeometry{x[0],
                      x[3],
                      kernel[2],
                      kernel[3],
                      attrs.getInt("groups"),
                      axis(attrs, x[1], y[1], kernel[0], strides[0], dilation[0]),
                      axis(attrs, x[2], y[2], kernel[1], strides[1], dilation[1])};
}

PoolGeometry poolGeometry(const ir::Attrs& attrs, const std::vector<int64_t>& x, const std::vector<int64_t>& y) {
  const std::vector<int64_t>& pool = attrs.getIntList("pool");
  const std::vector<int64_t>& strides = attrs.getIntList("strides");
  return PoolGeometry{x[0], x[3], axis(attrs, x[1], y[1], pool[0], strides[0], 1),
                      axis(attrs, x[2], y[2], pool[1], strides[1], 1)};
}

namespace {

// Cells of [start, start + window) inside [0, size).
ExprRef validSpan(const WindowAxis& a, ExprRef at) {
  if (a.alwaysInside()) return idx(a.window);
  ExprRef start = a.input(at, idx(0));
  ExprRef span = sub(min(add(start, idx(a.window)), idx(a.in)), max(start, idx(0)));
  return max(span, idx(0));
}

}  // namespace

ExprRef validCells(const PoolGeometry& p, ExprRef y, ExprRef z) {
  return mul(validSpan(p.rows, y), validSpan(p.cols, z));
}

}  // namespace dlc::codegen::cx
