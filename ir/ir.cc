#include "ir/ir.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::ir {

Operation::Operation(OpKind kind, std::vector<Value*> operands, Attrs attrs, std::vector<TensorType> result_types,
                     Location loc)
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

Function::~Function() {
  // Every value goes with the function: forgetting the use lists at once
  // keeps this linear where removing each use from its list would not be
  // (a value with many users).
  for (auto& arg : args_) arg->users_.clear();
  for (auto& op : ops_) {
    op->operands_.clear();
    for (auto& result : op->results_) result->users_.clear();
  }
}

void Function::detachOps(const std::vector<Operation*>& ops) {
  if (ops.empty()) return;
  absl::flat_hash_set<const Operation*> gone(ops.begin(), ops.end());
  absl::flat_hash_set<Value*> touched;
  for (Operation* op : ops) touched.insert(op->operands_.begin(), op->operands_.end());
  // Removing every use by an erased op keeps the other uses in order, as
  // dropping the ops' operands one at a time would.
  for (Value* v : touched) std::erase_if(v->users_, [&](const Operation* user) { return gone.contains(user); });
  for (Operation* op : ops) op->operands_.clear();
}

void Function::setOutputs(std::vector<Value*> outputs) {
  for (Value* v : outputs_)
    if (v) --v->output_count_;
  outputs_ = std::move(outputs);
  for (Value* v : outputs_)
    if (v) ++v->output_count_;
}

void Function::setOutput(size_t i, Value* v) {
  if (outputs_[i]) --outputs_[i]->output_count_;
  outputs_[i] = v;
  if (v) ++v->output_count_;
}

Value* Function::addArgument(TensorType type, std::string name) {
  args_.push_back(std::make_unique<Value>(std::move(type), nullptr, static_cast<int>(args_.size())));
  args_.back()->setNameHint(std::move(name));
  return args_.back().get();
}

absl::StatusOr<Operation*> Function::append(OpKind kind, std::vector<Value*> operands, Attrs attrs, Location loc,
                                            std::vector<TensorType> given) {
  return insert(ops_.size(), kind, std::move(operands), std::move(attrs), loc, std::move(given));
}

absl::StatusOr<Operation*> Function::insert(size_t before, OpKind kind, std::vector<Value*> operands, Attrs attrs,
                                            Location loc, std::vector<TensorType> given) {
  const OpDef& def = opDef(kind);
  int n = static_cast<int>(operands.size());
  if (n < def.min_operands || (def.max_operands >= 0 && n > def.max_operands))
    return absl::InvalidArgumentError(strCat("'", def.name, "' takes ",
                                             def.max_operands < 0 ? strCat("at least ", def.min_operands)
                                             : def.min_operands == def.max_operands
                                                 ? strCat(def.min_operands)
                                                 : strCat(def.min_operands, " to ", def.max_operands),
                                             " operands, not ", n));
  RETURN_IF_ERROR(normalizeAttrs(def, attrs));
  std::vector<TensorType> operand_types;
  for (Value* v : operands) operand_types.push_back(v->type());
  ASSIGN_OR_RETURN(std::vector<TensorType> types, def.infer(ShapeContext{operand_types, attrs, given, def.name}));
  auto op = std::make_unique<Operation>(kind, std::move(operands), std::move(attrs), std::move(types), loc);
  Operation* raw = op.get();
  ops_.insert(ops_.begin() + static_cast<ptrdiff_t>(std::min(before, ops_.size())), std::move(op));
  return raw;
}

Operation* Function::appendUnchecked(OpKind kind, std::vector<Value*> operands, Attrs attrs,
                                     std::vector<TensorType> result_types, Location loc) {
  ops_.push_back(
      std::make_unique<Operation>(kind, std::move(operands), std::move(attrs), std::move(result_types), loc));
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
    if (out == from) {
      out = to;
      --from->output_count_;
      if (to) ++to->output_count_;
    }
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
