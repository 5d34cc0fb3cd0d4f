// Elementwise ops: unary activations and maths, cast, and the binary ops and
// select with NumPy broadcasting. (Their constant folds evaluate their
// computes: codegen/compute/fold.h.)
#include <cmath>

#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"

namespace dlc::ir {
namespace {

// The unary ops that take attributes can be named from them.
std::string_view unaryFallbackName(const Attrs& attrs) {
  if (attrs.find("rate")) return "dropout";
  if (attrs.find("mode")) return "random_flip";
  if (attrs.find("alpha")) return "leaky_relu";
  if (attrs.find("scale")) return "rescaling";
  return "unary op";
}

}  // namespace

// x -> x, for float x. Attributes, where the op has them, are checked here:
// dropout's rate, leaky_relu's alpha, rescaling's scale and offset, and
// random_flip's NHWC operand.
ShapeResult inferUnary(const ShapeContext& c) {
  std::string_view op = opName(c, unaryFallbackName(c.attrs));
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  if (const Attribute* rate = c.attrs.find("rate")) {
    double r = rate->asFloat();
    if (!(r >= 0.0 && r < 1.0)) return shapeError(op, "rate ", rate->str(), " is outside [0, 1)");
  }
  for (const char* name : {"alpha", "scale", "offset"})
    if (const Attribute* v = c.attrs.find(name); v && !std::isfinite(v->asFloat()))
      return shapeError(op, name, " must be finite, not ", v->str());
  if (c.attrs.find("mode")) RETURN_IF_ERROR(requireRank(op, "x", x, 4, "[N, H, W, C]"));
  return std::vector<TensorType>{x};
}

// Any dtype to the `dtype` attribute; the dims stay.
ShapeResult inferCast(const ShapeContext& c) {
  RETURN_IF_ERROR(checkOperands(opName(c, "cast"), c));
  const Attribute* dtype = c.attrs.find("dtype");
  return std::vector<TensorType>{TensorType{dtype->asDType(), c.operands[0].dims}};
}

namespace {

// The dims of two operands of one numeric dtype broadcast together, or the
// error naming them.
absl::StatusOr<std::vector<Dim>> broadcastSameType(std::string_view op, std::string_view a_name, const TensorType& a,
                                                   std::string_view b_name, const TensorType& b) {
  RETURN_IF_ERROR(requireSameDType(op, a_name, a, b_name, b));
  RETURN_IF_ERROR(requireNumeric(op, a_name, a));
  std::optional<std::vector<Dim>> dims = broadcastDims(a.dims, b.dims);
  if (!dims) return shapeError(op, "cannot broadcast ", a_name, " ", a.str(), " with ", b_name, " ", b.str());
  return *std::move(dims);
}

}  // namespace

// Equal numeric dtypes; dims broadcast as in NumPy (see broadcastDim).
ShapeResult inferBroadcast(const ShapeContext& c) {
  std::string_view op = opName(c, "binary op");
  RETURN_IF_ERROR(checkOperands(op, c));
  ASSIGN_OR_RETURN(std::vector<Dim> dims, broadcastSameType(op, "lhs", c.operands[0], "rhs", c.operands[1]));
  return makeResult(op, c.operands[0].dtype, std::move(dims));
}

// x and y: equal numeric dtypes, the result's. cond may be any dtype (a
// comparison gives 1/0 in its operands' dtype), nonzero meaning true. The
// three shapes broadcast together; x with y first, so that a mismatch names
// the pair that disagrees.
ShapeResult inferSelect(const ShapeContext& c) {
  std::string_view op = opName(c, "select");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& cond = c.operands[0];
  const TensorType& x = c.operands[1];
  const TensorType& y = c.operands[2];
  ASSIGN_OR_RETURN(std::vector<Dim> values, broadcastSameType(op, "x", x, "y", y));
  std::optional<std::vector<Dim>> dims = broadcastDims(cond.dims, values);
  if (!dims) return shapeError(op, "cannot broadcast cond ", cond.str(), " with x ", x.str(), " and y ", y.str());
  return makeResult(op, x.dtype, std::move(*dims));
}

}  // namespace dlc::ir
