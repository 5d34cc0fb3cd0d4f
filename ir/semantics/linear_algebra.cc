// matmul and dense.
#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"

namespace dlc::ir {

// [..., m, k] @ [..., k, n] -> [..., m, n]; the leading (batch) dims
// broadcast. Both operands need rank >= 2: NumPy's promotion of rank-1
// operands is not supported (reshape them first).
ShapeResult inferMatmul(const ShapeContext& c) {
  std::string_view op = opName(c, "matmul");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& lhs = c.operands[0];
  const TensorType& rhs = c.operands[1];
  if (lhs.rank() < 2 || rhs.rank() < 2)
    return shapeError(op, "operands must have rank >= 2, but lhs is ", lhs.str(), " and rhs is ", rhs.str());
  RETURN_IF_ERROR(requireFloat(op, "lhs", lhs));
  RETURN_IF_ERROR(requireSameDType(op, "lhs", lhs, "rhs", rhs));
  size_t lr = lhs.dims.size(), rr = rhs.dims.size();
  const Dim& k_lhs = lhs.dims[lr - 1];
  const Dim& k_rhs = rhs.dims[rr - 2];
  if (k_lhs != k_rhs)
    return shapeError(op, "lhs ", lhs.str(), " has ", k_lhs.str(), " columns, but rhs ", rhs.str(), " has ",
                      k_rhs.str(), " rows");
  std::vector<Dim> lhs_batch(lhs.dims.begin(), lhs.dims.end() - 2);
  std::vector<Dim> rhs_batch(rhs.dims.begin(), rhs.dims.end() - 2);
  std::optional<std::vector<Dim>> dims = broadcastDims(lhs_batch, rhs_batch);
  if (!dims) return shapeError(op, "batch dims of lhs ", lhs.str(), " and rhs ", rhs.str(), " do not broadcast");
  dims->push_back(lhs.dims[lr - 2]);
  dims->push_back(rhs.dims[rr - 1]);
  return makeResult(op, lhs.dtype, std::move(*dims));
}

// x[..., in] @ kernel[in, units] (+ bias[units]) -> [..., units].
ShapeResult inferDense(const ShapeContext& c) {
  std::string_view op = opName(c, "dense");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  const TensorType& kernel = c.operands[1];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  if (x.rank() < 1) return shapeError(op, "x must have rank >= 1, but is ", x.str());
  RETURN_IF_ERROR(requireRank(op, "kernel", kernel, 2, "[in, units]"));
  RETURN_IF_ERROR(requireSameDType(op, "x", x, "kernel", kernel));
  const Dim& in = kernel.dims[0];
  if (x.dims.back() != in)
    return shapeError(op, "kernel ", kernel.str(), " expects ", in.str(), " input features, but x is ", x.str());
  const Dim& units = kernel.dims[1];
  if (c.operands.size() > 2)
    RETURN_IF_ERROR(
        requireType(op, "bias", c.operands[2], TensorType{x.dtype, {units}}, strCat("for kernel ", kernel.str())));
  std::vector<Dim> dims = x.dims;
  dims.back() = units;
  return makeResult(op, x.dtype, std::move(dims));
}

}  // namespace dlc::ir
