// Reverse-mode autodiff: the ops on a path from `wrt` to the loss, walked
// backwards, each op's gradient rule looked up in the op table.
#include "passes/autodiff.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ir/gradient.h"
#include "support/strings.h"

namespace dlc::passes {
namespace {

using ir::Operation;
using ir::Value;

// "'conv2d' at line 7" (the line where known).
std::string describe(const Operation& op) {
  std::string out = strCat("'", op.name(), "'");
  if (op.location().valid()) out += strCat(" at line ", op.location().line);
  return out;
}

// The ops that use a value reachable from `wrt` and have a result the loss
// depends on, in program order. Reachability runs through float values only:
// an integer value (cast(x, i32), ids) carries no gradient, so what is
// computed from it is a constant as far as the gradient goes.
std::vector<Operation*> opsOnPath(const ir::Function& function, Value* loss, std::span<Value* const> wrt) {
  absl::flat_hash_set<const Value*> from(wrt.begin(), wrt.end());
  std::vector<bool> forward(function.ops().size(), false);
  for (size_t i = 0; i < function.ops().size(); ++i) {
    const Operation& op = *function.ops()[i];
    for (Value* v : op.operands())
      if (from.contains(v)) forward[i] = true;
    if (forward[i])
      for (size_t r = 0; r < op.numResults(); ++r)
        if (ir::isFloat(op.result(r)->type().dtype)) from.insert(op.result(r));
  }
  absl::flat_hash_set<const Value*> to = {loss};
  std::vector<Operation*> path;
  for (size_t i = function.ops().size(); i-- > 0;) {
    Operation* op = function.ops()[i].get();
    bool needed = false;
    for (size_t r = 0; r < op->numResults(); ++r) needed |= to.contains(op->result(r));
    if (!needed) continue;
    for (Value* v : op->operands()) to.insert(v);
    if (forward[i]) path.push_back(op);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

// A zero tensor of v's type: a splat constant when the shape is static, a
// broadcast scalar when it has symbolic dims.
absl::StatusOr<Value*> zerosLike(ir::Function& function, Value* v) {
  ir::GradBuilder b(function, function.location());
  if (v->type().isStatic()) {
    ir::Attrs attrs;
    attrs.set("value", ir::Attribute::floatList({0.0}));
    absl::StatusOr<Operation*> op = function.append(ir::OpKind::kConstant, {}, std::move(attrs), {}, {v->type()});
    if (!op.ok()) return op.status();
    return (*op)->result();
  }
  Value* zeros = b.emit(ir::OpKind::kBroadcastTo, {b.scalar(0.0, v->type().dtype), v});
  if (!b.status().ok()) return b.status();
  return zeros;
}

}  // namespace

absl::StatusOr<std::vector<Value*>> appendGradients(ir::Function& function, Value* loss, std::span<Value* const> wrt) {
  if (loss == nullptr) return absl::InvalidArgumentError("no loss to differentiate");
  if (loss->type().rank() != 0 || !ir::isFloat(loss->type().dtype))
    return absl::InvalidArgumentError(strCat("the loss must be a float scalar, but is ", loss->type().str()));
  for (Value* v : wrt)
    if (v == nullptr || !ir::isFloat(v->type().dtype))
      return absl::InvalidArgumentError(strCat("cannot differentiate with respect to a value of type ",
                                               v ? v->type().str() : std::string("(none)"),
                                               ": it must be a float tensor"));

  std::vector<Operation*> path = opsOnPath(function, loss, wrt);
  // Check every rule first, so that a failure leaves the function unchanged.
  for (Operation* op : path)
    if (op->def().grad == nullptr)
      return absl::InvalidArgumentError(strCat("cannot differentiate through ", describe(*op)));

  absl::flat_hash_map<const Value*, Value*> grads;
  auto accumulate = [&](ir::GradBuilder& b, Value* v, Value* g) {
    auto [it, inserted] = grads.try_emplace(v, g);
    if (!inserted) it->second = b.add(it->second, g);
  };
  {
    ir::GradBuilder b(function, loss->producer() ? loss->producer()->location() : function.location());
    grads[loss] = b.scalar(1.0, loss->type().dtype);
    if (!b.status().ok()) return b.status();
  }
  absl::flat_hash_set<const Value*> reached(wrt.begin(), wrt.end());
  for (Operation* op : path)
    for (size_t r = 0; r < op->numResults(); ++r)
      if (ir::isFloat(op->result(r)->type().dtype)) reached.insert(op->result(r));

  for (size_t k = path.size(); k-- > 0;) {
    Operation* op = path[k];
    std::vector<Value*> result_grads;
    bool any = false;
    for (size_t r = 0; r < op->numResults(); ++r) {
      auto it = grads.find(op->result(r));
      result_grads.push_back(it == grads.end() ? nullptr : it->second);
      any |= result_grads.back() != nullptr;
    }
    if (!any) continue;
    ir::GradBuilder b(function, op->location());
    ir::GradContext context{*op, result_grads, b};
    absl::StatusOr<std::vector<Value*>> operand_grads = op->def().grad(context);
    if (!operand_grads.ok())
      return absl::Status(operand_grads.status().code(),
                          strCat("gradient of ", describe(*op), ": ", operand_grads.status().message()));
    if (!b.status().ok())
      return absl::Status(b.status().code(), strCat("gradient of ", describe(*op), ": ", b.status().message()));
    if (operand_grads->size() != op->numOperands())
      return absl::InternalError(strCat("the gradient rule of ", describe(*op), " returned ", operand_grads->size(),
                                        " gradients for ", op->numOperands(), " operands"));
    for (size_t i = 0; i < op->numOperands(); ++i) {
      Value* g = (*operand_grads)[i];
      Value* x = op->operand(i);
      if (g == nullptr || !reached.contains(x)) continue;
      if (g->type() != x->type())
        return absl::InternalError(strCat("the gradient rule of ", describe(*op), " returned ", g->type().str(),
                                          " for operand ", i, " of type ", x->type().str()));
      accumulate(b, x, g);
    }
    if (!b.status().ok())
      return absl::Status(b.status().code(), strCat("gradient of ", describe(*op), ": ", b.status().message()));
  }

  std::vector<Value*> out;
  for (Value* v : wrt) {
    auto it = grads.find(v);
    if (it != grads.end()) {
      out.push_back(it->second);
      continue;
    }
    absl::StatusOr<Value*> zeros = zerosLike(function, v);
    if (!zeros.ok()) return zeros.status();
    grads[v] = *zeros;  // one zero tensor per value, even if listed twice
    out.push_back(*zeros);
  }
  return out;
}

}  // namespace dlc::passes
