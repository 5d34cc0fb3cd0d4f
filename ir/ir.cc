#include "ir/ir.h"

#include <algorithm>

#include "support/strings.h"
#include "support/status_macros.h"

namespace dlc::ir {

Operation::Operation(OpKind kind, std::vector<Value*> operands, Attrs attrs,
                     std::vector<TensorType> result_types, Location loc)
    : kind_(kind), operands_(std::move(operands)), attrs_(std::move(attrs)), loc_(loc) {
  for (Value* v : operands_) v->users_.push_back(this);
  for (size_t i = 0; i < result_types.size(); ++i)
    results_.push_back(std::make_unique<Value>(std::move(result_types[i]), this, static_cast<int>(i)));
}

Operation::~Operation() { dropOperands(); }

static void removeOneUse(std::vector<Operation*>& users, Operation* op) {
  auto it = std::find(users.begin(), users.end(), op);
  if (it != users.end()) users.erase(it);
}

void Operation::setOperand(size_t i, Value* value) {
  if (operands_[i] == value) return;
  removeOneUse(operands_[i]->users_, this);
  operands_[i] = value;
  value->users_.push_back(this);
}

void Operation::dropOperands() {
  for (Value* v : operands_) removeOneUse(v->users_, this);
  operands_.clear();
}

Value* Function::addArgument(TensorType type, std::string name) {
  args_.push_back(std::make_unique<Value>(std::move(type), nullptr, static_cast<int>(args_.size())));
  args_.back()->setNameHint(std::move(name));
  return args_.back().get();
}

absl::StatusOr<Operation*> Function::append(OpKind kind, std::vector<Value*> operands,
                                            Attrs attrs, Location loc,
                                            std::vector<TensorType> given) {
  return insert(ops_.size(), kind, std::move(operands), std::move(attrs), loc, std::move(given));
}

absl::StatusOr<Operation*> Function::insert(size_t before, OpKind kind,
                                            std::vector<Value*> operands, Attrs attrs,
                                            Location loc, std::vector<TensorType> given) {
  const OpDef& def = opDef(kind);
  int n = static_cast<int>(operands.size());
  if (n < def.min_operands || (def.max_operands >= 0 && n > def.max_operands))
    return absl::InvalidArgumentError(
        strCat("'", def.name, "' takes ",
                     def.max_operands < 0 ? strCat("at least ", def.min_operands)
                     : def.min_operands == def.max_operands
                         ? strCat(def.min_operands)
                         : strCat(def.min_operands, " to ", def.max_operands),
                     " operands, not ", n));
  RETURN_IF_ERROR(normalizeAttrs(def, attrs));
  std::vector<TensorType> operand_types;
  for (Value* v : operands) operand_types.push_back(v->type());
  ASSIGN_OR_RETURN(std::vector<TensorType> types,
                   def.infer(ShapeContext{operand_types, attrs, given, def.name}));
  auto op = std::make_unique<Operation>(kind, std::move(operands), std::move(attrs),
                                        std::move(types), loc);
  Operation* raw = op.get();
  ops_.insert(ops_.begin() + static_cast<ptrdiff_t>(std::min(before, ops_.size())), std::move(op));
  return raw;
}

Operation* Function::appendUnchecked(OpKind kind, std::vector<Value*> operands, Attrs attrs,
                                     std::vector<TensorType> result_types, Location loc) {
  ops_.push_back(std::make_unique<Operation>(kind, std::move(operands), std::move(attrs),
                                             std::move(result_types), loc));
  return ops_.back().get();
}

void Function::replaceAllUses(Value* from, Value* to) {
  if (from == to) return;
  // Copy: setOperand edits from->users().
  std::vector<Operation*> users = from->users();
  for (Operation* user : users)
    for (size_t i = 0; i < user->numOperands(); ++i)
      if (user->operand(i) == from) user->setOperand(i, to);
  for (Value*& out : outputs_)
    if (out == from) out = to;
}

const ParamDecl* Module::findParam(std::string_view name) const {
  for (const ParamDecl& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

Function* Module::addFunction(std::string name) {
  functions_.push_back(std::make_unique<Function>(std::move(name)));
  return functions_.back().get();
}

Function* Module::findFunction(std::string_view name) const {
  for (const auto& f : functions_)
    if (f->name() == name) return f.get();
  return nullptr;
}

}  // namespace dlc::ir
