#include "ir/gradients/grad_util.h"

#include <algorithm>

namespace dlc::ir {

Attrs makeAttrs(std::initializer_list<std::pair<std::string, Attribute>> entries) {
  Attrs attrs;
  for (const auto& [name, value] : entries) attrs.set(name, value);
  return attrs;
}

Attrs attrsWithout(const Attrs& attrs, std::initializer_list<std::string_view> drop) {
  Attrs out;
  for (const auto& [name, value] : attrs.entries())
    if (std::find(drop.begin(), drop.end(), name) == drop.end()) out.set(name, value);
  return out;
}

int64_t normalizedAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

std::vector<int64_t> normalizedAxes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  if (axes.empty()) {
    for (int64_t i = 0; i < rank; ++i) out.push_back(i);
    return out;
  }
  for (int64_t a : axes) out.push_back(normalizedAxis(a, rank));
  std::sort(out.begin(), out.end());
  return out;
}

Value* reshapeTo(GradBuilder& b, Value* v, std::vector<Dim> dims) {
  if (v == nullptr) return nullptr;
  if (v->type().dims == dims) return v;
  return b.emit(OpKind::kReshape, {v}, makeAttrs({{"shape", Attribute::shape(std::move(dims))}}));
}

Value* sumOver(GradBuilder& b, Value* v, const std::vector<int64_t>& axes) {
  if (v == nullptr || axes.empty()) return v;
  return b.emit(OpKind::kReduceSum, {v}, makeAttrs({{"axes", Attribute::intList(axes)}}));
}

Value* transposeLast2(GradBuilder& b, Value* v) {
  if (v == nullptr) return nullptr;
  std::vector<int64_t> perm;
  int64_t rank = v->type().rank();
  for (int64_t i = 0; i < rank; ++i) perm.push_back(i);
  std::swap(perm[static_cast<size_t>(rank - 1)], perm[static_cast<size_t>(rank - 2)]);
  return b.emit(OpKind::kTranspose, {v}, makeAttrs({{"perm", Attribute::intList(perm)}}));
}

Value* keepdimsForm(GradBuilder& b, Value* g, Value* x, const std::vector<int64_t>& axes, bool keepdims) {
  if (g == nullptr || keepdims) return g;
  std::vector<Dim> dims = x->type().dims;
  for (int64_t a : axes) dims[static_cast<size_t>(a)] = Dim::fixed(1);
  return reshapeTo(b, g, std::move(dims));
}

Value* broadcastLike(GradBuilder& b, Value* v, Value* x) {
  if (v == nullptr || v->type() == x->type()) return v;
  return b.emit(OpKind::kBroadcastTo, {v, x});
}

Value* unreduce(GradBuilder& b, Value* g, Value* x, const std::vector<int64_t>& axes, bool keepdims) {
  return broadcastLike(b, keepdimsForm(b, g, x, axes, keepdims), x);
}

Value* divideByCount(GradBuilder& b, Value* v, Value* x, const std::vector<int64_t>& axes) {
  if (v == nullptr) return nullptr;
  const TensorType& t = x->type();
  double count = 1;
  bool symbolic = false;
  for (int64_t a : axes) {
    const Dim& d = t.dims[static_cast<size_t>(a)];
    if (d.isStatic())
      count *= static_cast<double>(d.size());
    else
      symbolic = true;
  }
  if (!symbolic) return b.mul(v, b.scalar(1.0 / count, t.dtype));
  Value* ones = b.emit(OpKind::kBroadcastTo, {b.scalar(1.0, t.dtype), x});
  Value* counts = b.emit(OpKind::kReduceSum, {ones},
                         makeAttrs({{"axes", Attribute::intList(axes)}, {"keepdims", Attribute::boolean(true)}}));
  return b.div(v, counts);
}

GradResult finish(GradBuilder& b, std::vector<Value*> grads) {
  if (!b.status().ok()) return b.status();
  return grads;
}

}  // namespace dlc::ir
