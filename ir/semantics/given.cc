// constant and param: the result type is stated in the IR, not inferred.
#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"

namespace dlc::ir {

// The one stated type, checked like any result. A constant's `value` holds
// one value (splatted) or one per element of a static type.
ShapeResult inferGiven(const ShapeContext& c) {
  const Attribute* value = c.attrs.find("value");
  std::string_view op = opName(c, value ? "constant" : "param");
  if (c.given.size() != 1) return shapeError(op, "missing result type");
  const TensorType& t = c.given[0];
  ASSIGN_OR_RETURN(std::vector<TensorType> result, makeResult(op, t.dtype, t.dims));
  if (value) {
    size_t n = value->asFloatList().size();
    std::optional<int64_t> count = t.numElements();
    if (n != 1 && !count) return shapeError(op, n, " values need a static type, but the type is ", t.str());
    if (n != 1 && static_cast<int64_t>(n) != *count)
      return shapeError(op, n, " values do not fill ", t.str(), ": give 1 or ", *count);
  }
  return result;
}

}  // namespace dlc::ir
