#include "codegen/compute/fold.h"

#include "codegen/compute/compute.h"

namespace dlc::codegen {
namespace {

std::optional<std::vector<int64_t>> staticShape(const ir::TensorType& type) {
  if (!type.isStatic()) return std::nullopt;
  std::vector<int64_t> shape;
  for (const ir::Dim& d : type.dims) shape.push_back(d.size());
  return shape;
}

}  // namespace

std::optional<ScalarFold> ScalarFold::of(const ir::Operation& op) {
  const OpLowering& lowering = opLowering(op.kind());
  if (!op.def().has(ir::kElementwise) || !lowering.compute || op.numResults() != 1) return std::nullopt;
  OpTypes types;
  for (const ir::Value* v : op.operands()) {
    std::optional<std::vector<int64_t>> shape = staticShape(v->type());
    if (!shape) return std::nullopt;
    types.operand_dtypes.push_back(v->type().dtype);
    types.operand_shapes.push_back(std::move(*shape));
  }
  std::optional<std::vector<int64_t>> shape = staticShape(op.result(0)->type());
  if (!shape) return std::nullopt;
  types.result_dtypes.push_back(op.result(0)->type().dtype);
  types.result_shapes.push_back(std::move(*shape));

  // Each operand's element is one variable: an elementwise op reads every
  // operand at (the broadcast of) the result's index, so which index does
  // not matter here.
  kir::Kernel scratch;
  std::vector<kir::Var> operands;
  for (ir::DType dtype : types.operand_dtypes) operands.push_back(scratch.newVar(dtype, "x"));
  ComputeContext ctx{op, types, scratch, RunState{},
                     [&](size_t i, std::vector<kir::ExprRef>) { return kir::var(operands[i]); }};
  std::vector<kir::ExprRef> index(types.result_shapes[0].size(), kir::index(0));
  absl::StatusOr<kir::ExprRef> expr = lowering.compute(ctx, 0, index);
  if (!expr.ok()) return std::nullopt;
  return ScalarFold(*std::move(expr), std::move(operands));
}

std::optional<double> ScalarFold::operator()(std::span<const double> args) {
  if (args.size() != operands_.size()) return std::nullopt;
  for (size_t i = 0; i < args.size(); ++i) evaluator_.bind(operands_[i], args[i]);
  absl::StatusOr<double> v = evaluator_.evaluate(expr_);
  if (!v.ok()) return std::nullopt;
  return *v;
}

}  // namespace dlc::codegen
