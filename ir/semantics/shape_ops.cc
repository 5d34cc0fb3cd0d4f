// Ops that only rearrange or reduce dims: flatten, reshape, transpose,
// concat, reduce_sum/mean/max.
#include <algorithm>

#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

std::string listString(const std::vector<int64_t>& v) { return strCat("[", strJoin(v, ", "), "]"); }

std::vector<std::string> sortedSymbols(const std::vector<Dim>& dims) {
  std::vector<std::string> out;
  for (const Dim& d : dims)
    if (!d.isStatic()) out.push_back(d.symbol());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// [N, d1, d2, ...] -> [N, d1 * d2 * ...]; the dims after N must be static.
ShapeResult inferFlatten(const ShapeContext& c) {
  std::string_view op = opName(c, "flatten");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  if (x.rank() < 1) return shapeError(op, "x must have rank >= 1, but is ", x.str());
  int64_t features = 1;
  for (size_t i = 1; i < x.dims.size(); ++i) {
    if (!x.dims[i].isStatic()) return shapeError(op, "x ", x.str(), " must be static after the first dim");
    std::optional<int64_t> next = checkedMul(features, x.dims[i].size());
    if (!next || *next > kMaxDimSize)
      return shapeError(op, "x ", x.str(), " has more than ", kMaxDimSize, " elements after the first dim");
    features = *next;
  }
  return makeResult(op, x.dtype, {x.dims[0], Dim::fixed(features)});
}

// The `shape` attribute gives the result dims: a static size, a symbolic dim
// of x (each symbol as often as in x), or at most one -1, inferred from the
// static element counts.
ShapeResult inferReshape(const ShapeContext& c) {
  std::string_view op = opName(c, "reshape");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  std::vector<Dim> dims = c.attrs.find("shape")->asShape();
  std::string target = dimsToString(dims);
  std::optional<size_t> infer;
  int64_t known = 1;  // product of the static target dims other than -1
  for (size_t i = 0; i < dims.size(); ++i) {
    if (!dims[i].isStatic()) continue;
    int64_t size = dims[i].size();
    if (size == -1) {
      if (infer) return shapeError(op, "shape ", target, " has more than one -1");
      infer = i;
      continue;
    }
    if (size < 0 || size > kMaxDimSize)
      return shapeError(op, "shape ", target, " has dimension ", size, " out of range [0, ", kMaxDimSize, "]");
    std::optional<int64_t> next = checkedMul(known, size);
    if (!next || *next > kMaxElements)
      return shapeError(op, "shape ", target, " has more than ", kMaxElements, " elements");
    known = *next;
  }
  if (sortedSymbols(x.dims) != sortedSymbols(dims))
    return shapeError(op, "cannot reshape x ", x.str(), " to ", target, ": the symbolic dims differ");
  std::optional<int64_t> have = staticProduct(x.dims);
  if (!have) return shapeError(op, "x ", x.str(), " has more than ", kMaxElements, " elements");
  if (infer) {
    if (known == 0) return shapeError(op, "cannot infer the -1 in shape ", target, " next to a zero-size dim");
    if (*have % known != 0)
      return shapeError(op, "cannot reshape x ", x.str(), " to ", target, ": ", *have,
                        " elements are not a multiple of ", known);
    dims[*infer] = Dim::fixed(*have / known);
  } else if (*have != known) {
    return shapeError(op, "cannot reshape x ", x.str(), " to ", target, ": ", *have, " vs ", known, " elements");
  }
  return makeResult(op, x.dtype, std::move(dims));
}

// result dim i = x dim perm[i]; perm is a permutation of [0, rank).
ShapeResult inferTranspose(const ShapeContext& c) {
  std::string_view op = opName(c, "transpose");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  const std::vector<int64_t>& perm = c.attrs.getIntList("perm");
  std::vector<bool> seen(x.dims.size(), false);
  bool ok = perm.size() == x.dims.size();
  for (size_t i = 0; ok && i < perm.size(); ++i) {
    ok = perm[i] >= 0 && perm[i] < x.rank() && !seen[static_cast<size_t>(perm[i])];
    if (ok) seen[static_cast<size_t>(perm[i])] = true;
  }
  if (!ok)
    return shapeError(op, "perm ", listString(perm), " is not a permutation of the ", x.rank(), " axes of x ", x.str());
  std::vector<Dim> dims;
  for (int64_t p : perm) dims.push_back(x.dims[static_cast<size_t>(p)]);
  return makeResult(op, x.dtype, std::move(dims));
}

// Inputs of one dtype and rank whose dims agree except on `axis`, where the
// (static) sizes add up.
ShapeResult inferConcat(const ShapeContext& c) {
  std::string_view op = opName(c, "concat");
  RETURN_IF_ERROR(checkOperands(op, c));
  if (c.operands.empty()) return shapeError(op, "needs at least one input");
  const TensorType& first = c.operands[0];
  if (first.rank() < 1) return shapeError(op, "xs[0] must have rank >= 1, but is ", first.str());
  ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(op, "axis", c.attrs.getInt("axis"), "xs[0]", first));
  if (c.operands.size() == 1) return std::vector<TensorType>{first};
  int64_t total = 0;
  for (size_t i = 0; i < c.operands.size(); ++i) {
    const TensorType& x = c.operands[i];
    std::string name = strCat("xs[", i, "]");
    RETURN_IF_ERROR(requireSameDType(op, "xs[0]", first, name, x));
    bool match = x.rank() == first.rank();
    for (int64_t d = 0; match && d < x.rank(); ++d)
      match = d == axis || x.dims[static_cast<size_t>(d)] == first.dims[static_cast<size_t>(d)];
    if (!match)
      return shapeError(op, name, " ", x.str(), " does not match xs[0] ", first.str(), " outside axis ", axis);
    const Dim& d = x.dims[static_cast<size_t>(axis)];
    if (!d.isStatic()) return shapeError(op, name, " ", x.str(), " has a symbolic size on axis ", axis);
    total += d.size();  // at most 2^40 per input: no overflow before the check
    if (total > kMaxDimSize) return shapeError(op, "the inputs add up to more than ", kMaxDimSize, " on axis ", axis);
  }
  std::vector<Dim> dims = first.dims;
  dims[static_cast<size_t>(axis)] = Dim::fixed(total);
  return makeResult(op, first.dtype, std::move(dims));
}

// reduce_sum/mean/max over `axes` (negative from the end, no repeats; empty
// means every axis); keepdims leaves 1s in their place.
ShapeResult inferReduce(const ShapeContext& c) {
  std::string_view op = opName(c, "reduce_sum/reduce_mean/reduce_max");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireNumeric(op, "x", x));
  const std::vector<int64_t>& axes = c.attrs.getIntList("axes");
  std::vector<bool> reduced(x.dims.size(), axes.empty());
  for (int64_t a : axes) {
    ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(op, "axis", a, "x", x));
    if (reduced[static_cast<size_t>(axis)])
      return shapeError(op, "axes ", listString(axes), " name axis ", axis, " twice");
    reduced[static_cast<size_t>(axis)] = true;
  }
  bool keepdims = c.attrs.getBool("keepdims");
  std::vector<Dim> dims;
  for (size_t i = 0; i < x.dims.size(); ++i) {
    if (!reduced[i])
      dims.push_back(x.dims[i]);
    else if (keepdims)
      dims.push_back(Dim::fixed(1));
  }
  return makeResult(op, x.dtype, std::move(dims));
}

}  // namespace dlc::ir
