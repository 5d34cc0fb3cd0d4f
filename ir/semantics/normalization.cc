// softmax, log_softmax, batchnorm and layernorm: the result has x's type.
#include <cmath>

#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"

namespace dlc::ir {

// softmax, log_softmax: float x, `axis` in range.
ShapeResult inferAxisPreserving(const ShapeContext& c) {
  std::string_view op = opName(c, "softmax/log_softmax");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  RETURN_IF_ERROR(normalizeAxis(op, "axis", c.attrs.getInt("axis"), "x", x).status());
  return std::vector<TensorType>{x};
}

// batchnorm(x, gamma, beta, moving_mean, moving_variance), layernorm(x, gamma,
// beta): every parameter is [C] with x's dtype, C being x's dim at `axis`.
ShapeResult inferNormalization(const ShapeContext& c) {
  static constexpr std::string_view kNames[] = {"x", "gamma", "beta", "moving_mean", "moving_variance"};
  std::string_view op = opName(c, c.operands.size() == 5 ? "batchnorm" : "layernorm");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  int64_t axis_attr = c.attrs.getInt("axis");
  ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(op, "axis", axis_attr, "x", x));
  TensorType param{x.dtype, {x.dims[static_cast<size_t>(axis)]}};
  std::string why = strCat("for x ", x.str(), " on axis ", axis_attr);
  for (size_t i = 1; i < c.operands.size() && i < std::size(kNames); ++i)
    RETURN_IF_ERROR(requireType(op, kNames[i], c.operands[i], param, why));
  const Attribute* epsilon = c.attrs.find("epsilon");
  if (!(epsilon->asFloat() > 0.0 && std::isfinite(epsilon->asFloat())))
    return shapeError(op, "epsilon must be a finite number > 0, not ", epsilon->str());
  if (const Attribute* momentum = c.attrs.find("momentum");
      momentum && !(momentum->asFloat() >= 0.0 && momentum->asFloat() <= 1.0))
    return shapeError(op, "momentum ", momentum->str(), " is outside [0, 1]");
  return std::vector<TensorType>{x};
}

}  // namespace dlc::ir
