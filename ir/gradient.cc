#include "ir/gradient.h"

#include "support/strings.h"

namespace dlc::ir {

std::vector<Value*> GradBuilder::emitMulti(OpKind kind, std::vector<Value*> operands, Attrs attrs) {
  size_t results = static_cast<size_t>(opDef(kind).num_results);
  if (!status_.ok()) return std::vector<Value*>(results, nullptr);
  for (Value* v : operands)
    if (v == nullptr) {
      status_ = absl::InternalError(strCat("'", opDef(kind).name, "' in a gradient rule got a missing operand"));
      return std::vector<Value*>(results, nullptr);
    }
  absl::StatusOr<Operation*> op = function_.append(kind, std::move(operands), std::move(attrs), loc_);
  if (!op.ok()) {
    status_ = op.status();
    return std::vector<Value*>(results, nullptr);
  }
  std::vector<Value*> out;
  for (size_t i = 0; i < (*op)->numResults(); ++i) out.push_back((*op)->result(i));
  return out;
}

Value* GradBuilder::emit(OpKind kind, std::vector<Value*> operands, Attrs attrs) {
  std::vector<Value*> results = emitMulti(kind, std::move(operands), std::move(attrs));
  return results.empty() ? nullptr : results[0];
}

Value* GradBuilder::scalar(double value, DType dtype) {
  if (!status_.ok()) return nullptr;
  Attrs attrs;
  attrs.set("value", Attribute::floatList({value}));
  absl::StatusOr<Operation*> op =
      function_.append(OpKind::kConstant, {}, std::move(attrs), loc_, {TensorType{dtype, {}}});
  if (!op.ok()) {
    status_ = op.status();
    return nullptr;
  }
  return (*op)->result();
}

Value* GradBuilder::sumTo(Value* g, Value* like) {
  if (!status_.ok() || g == nullptr || like == nullptr) return nullptr;
  if (g->type() == like->type()) return g;
  return emit(OpKind::kSumTo, {g, like});
}

}  // namespace dlc::ir
