// embedding and lstm.
#include "ir/semantics/rules.h"
#include "ir/semantics/shape_util.h"
#include "support/status_macros.h"

namespace dlc::ir {

// ids[...] (i32 or i64) and embeddings[V, D] (float) -> ids dims + [D].
ShapeResult inferEmbedding(const ShapeContext& c) {
  std::string_view op = opName(c, "embedding");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& ids = c.operands[0];
  const TensorType& table = c.operands[1];
  if (!isInteger(ids.dtype)) return shapeError(op, "ids must be i32 or i64, but is ", ids.str());
  RETURN_IF_ERROR(requireRank(op, "embeddings", table, 2, "[input_dim, output_dim]"));
  RETURN_IF_ERROR(requireFloat(op, "embeddings", table));
  std::vector<Dim> dims = ids.dims;
  dims.push_back(table.dims[1]);
  return makeResult(op, table.dtype, std::move(dims));
}

// x[N, T, F], kernel[F, 4u], recurrent_kernel[u, 4u], bias[4u] -> [N, u], or
// [N, T, u] with return_sequences.
ShapeResult inferLstm(const ShapeContext& c) {
  std::string_view op = opName(c, "lstm");
  RETURN_IF_ERROR(checkOperands(op, c));
  const TensorType& x = c.operands[0];
  RETURN_IF_ERROR(requireFloat(op, "x", x));
  RETURN_IF_ERROR(requireRank(op, "x", x, 3, "[N, T, F]"));
  int64_t units = c.attrs.getInt("units");
  if (units < 1 || units > kMaxDimSize / 4)
    return shapeError(op, "units must be in [1, ", kMaxDimSize / 4, "], not ", units);
  Dim u = Dim::fixed(units), gates = Dim::fixed(4 * units);
  std::string why = strCat("for x ", x.str(), " and ", units, " units");
  RETURN_IF_ERROR(requireType(op, "kernel", c.operands[1], TensorType{x.dtype, {x.dims[2], gates}}, why));
  RETURN_IF_ERROR(requireType(op, "recurrent_kernel", c.operands[2], TensorType{x.dtype, {u, gates}}, why));
  RETURN_IF_ERROR(requireType(op, "bias", c.operands[3], TensorType{x.dtype, {gates}}, why));
  if (c.attrs.getBool("return_sequences")) return makeResult(op, x.dtype, {x.dims[0], x.dims[1], u});
  return makeResult(op, x.dtype, {x.dims[0], u});
}

}  // namespace dlc::ir
