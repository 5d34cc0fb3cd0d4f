#include "ir/semantics/shape_util.h"

namespace dlc::ir {

std::optional<int64_t> checkedMul(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::optional<int64_t> checkedAdd(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::optional<int64_t> staticProduct(const std::vector<Dim>& dims) {
  int64_t n = 1;
  for (const Dim& d : dims) {
    if (!d.isStatic()) continue;
    std::optional<int64_t> next = checkedMul(n, d.size());
    if (!next || *next > kMaxElements) return std::nullopt;
    n = *next;
  }
  return n;
}

std::string windowString(int64_t h, int64_t w) { return strCat(h, "x", w); }

absl::Status checkOperands(std::string_view op, const ShapeContext& c) {
  for (size_t i = 0; i < c.operands.size(); ++i)
    for (const Dim& d : c.operands[i].dims)
      if (d.isStatic() && (d.size() < 0 || d.size() > kMaxDimSize))
        return shapeError(op, "operand ", i, " ", c.operands[i].str(), " has dimension ", d.size(),
                          " out of range [0, ", kMaxDimSize, "]");
  return absl::OkStatus();
}

absl::Status requireFloat(std::string_view op, std::string_view operand, const TensorType& t) {
  if (isFloat(t.dtype)) return absl::OkStatus();
  return shapeError(op, "expects a float tensor, but ", operand, " is ", t.str());
}

absl::Status requireNumeric(std::string_view op, std::string_view operand, const TensorType& t) {
  if (isFloat(t.dtype) || isInteger(t.dtype)) return absl::OkStatus();
  return shapeError(op, "expects a numeric tensor, but ", operand, " is ", t.str());
}

absl::Status requireRank(std::string_view op, std::string_view operand, const TensorType& t, int64_t rank,
                         std::string_view layout) {
  if (t.rank() == rank) return absl::OkStatus();
  return shapeError(op, operand, " must have rank ", rank, " ", layout, ", but is ", t.str());
}

absl::Status requireSameDType(std::string_view op, std::string_view a_name, const TensorType& a,
                              std::string_view b_name, const TensorType& b) {
  if (a.dtype == b.dtype) return absl::OkStatus();
  return shapeError(op, a_name, " ", a.str(), " and ", b_name, " ", b.str(), " have different dtypes");
}

absl::Status requireType(std::string_view op, std::string_view operand, const TensorType& t, const TensorType& expected,
                         std::string_view why) {
  if (t == expected) return absl::OkStatus();
  return shapeError(op, operand, " must be ", expected.str(), " ", why, ", but is ", t.str());
}

absl::StatusOr<int64_t> requireStaticDim(std::string_view op, std::string_view operand, const TensorType& t,
                                         int64_t axis, std::string_view what) {
  const Dim& d = t.dims[static_cast<size_t>(axis)];
  if (d.isStatic()) return d.size();
  return shapeError(op, operand, " ", t.str(), " must have a static ", what);
}

absl::StatusOr<int64_t> normalizeAxis(std::string_view op, std::string_view attr, int64_t axis,
                                      std::string_view operand, const TensorType& t) {
  int64_t rank = t.rank();
  if (axis < -rank || axis >= rank)
    return shapeError(op, attr, " ", axis, " is out of range for ", operand, " ", t.str());
  return axis < 0 ? axis + rank : axis;
}

absl::StatusOr<std::array<int64_t, 2>> positivePair(std::string_view op, const Attrs& attrs, std::string_view attr) {
  const std::vector<int64_t>& v = attrs.getIntList(attr);
  if (v.size() != 2 || v[0] < 1 || v[1] < 1)
    return shapeError(op, attr, " must be two integers >= 1, not [", strJoin(v, ", "), "]");
  return std::array<int64_t, 2>{v[0], v[1]};
}

std::optional<Dim> broadcastDim(const Dim& a, const Dim& b) {
  if (a == b) return a;
  if (a.isStatic() && a.size() == 1) return b;
  if (b.isStatic() && b.size() == 1) return a;
  return std::nullopt;
}

std::optional<std::vector<Dim>> broadcastDims(const std::vector<Dim>& a, const std::vector<Dim>& b) {
  const std::vector<Dim>& longer = a.size() >= b.size() ? a : b;
  const std::vector<Dim>& shorter = a.size() >= b.size() ? b : a;
  size_t offset = longer.size() - shorter.size();
  std::vector<Dim> out(longer.begin(), longer.begin() + static_cast<ptrdiff_t>(offset));
  for (size_t i = 0; i < shorter.size(); ++i) {
    std::optional<Dim> d = broadcastDim(longer[offset + i], shorter[i]);
    if (!d) return std::nullopt;
    out.push_back(std::move(*d));
  }
  return out;
}

ShapeResult makeResult(std::string_view op, DType dtype, std::vector<Dim> dims) {
  TensorType t{dtype, std::move(dims)};
  for (const Dim& d : t.dims)
    if (d.isStatic() && (d.size() < 0 || d.size() > kMaxDimSize))
      return shapeError(op, "result ", t.str(), " has a dimension outside [0, ", kMaxDimSize, "]");
  if (!staticProduct(t.dims)) return shapeError(op, "result ", t.str(), " has more than ", kMaxElements, " elements");
  return std::vector<TensorType>{std::move(t)};
}

}  // namespace dlc::ir
