// Comparisons, masks and index ops: step, sign, equal, greater, argmax and
// one_hot. Comparisons give 1 or 0 in the operands' dtype (so that a mask
// multiplies directly); argmax gives i64 indices.
#include <cmath>

#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"

namespace dlc::ir {

// x[d0, ..., dk] -> i64 with dim `axis` removed. Over an empty axis there is
// no maximum, so a static 0 there is an error.
ShapeResult inferArgmax(const ShapeContext& c) {
  std::string_view op = opName(c, "argmax");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireNumeric(op, "x", x));
  ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(op, "axis", c.attrs.getInt("axis"), "x", x));
  const Dim& along = x.dims[static_cast<size_t>(axis)];
  if (along.isStatic() && along.size() == 0)
    return shapeError(op, "axis ", c.attrs.getInt("axis"), " of x ", x.str(), " is empty and has no maximum");
  std::vector<Dim> dims = x.dims;
  dims.erase(dims.begin() + axis);
  return makeResult(op, DType::kI64, std::move(dims));
}

// ids[...] (i32 or i64) -> ids dims + [depth], of the `dtype` attribute.
ShapeResult inferOneHot(const ShapeContext& c) {
  std::string_view op = opName(c, "one_hot");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& ids = c.operands[0];
  if (!isInteger(ids.dtype)) return shapeError(op, "ids must be i32 or i64, but is ", ids.str());
  int64_t depth = c.attrs.getInt("depth");
  if (depth < 1 || depth > kMaxDimSize) return shapeError(op, "depth must be in [1, ", kMaxDimSize, "], not ", depth);
  std::vector<Dim> dims = ids.dims;
  dims.push_back(Dim::fixed(depth));
  return makeResult(op, c.attrs.find("dtype")->asDType(), std::move(dims));
}

}  // namespace dlc::ir
