#include "ir/kernel/copy.h"

#include "ir/kernel/analysis.h"
#include "support/strings.h"

namespace dlc::kir {

Var Copier::fresh(const Var& v) {
  Var copy = kernel_.newVar(v.type, strCat(v.name, ".", suffix_));
  vars_[v.id] = copy;
  return copy;
}

Stmt Copier::copy(const Stmt& s) {
  if (const auto* let = s.as<LetStmt>()) {
    ExprRef value = copy(let->value);
    return Stmt{LetStmt{fresh(let->var), value}};
  }
  if (const auto* store = s.as<StoreStmt>())
    return Stmt{StoreStmt{moved(store->buffer), shifted(store->buffer, copy(store->index)), copy(store->value),
                          store->accumulate}};
  if (const auto* branch = s.as<IfStmt>()) return Stmt{IfStmt{copy(branch->cond), copy(branch->then_body)}};
  if (const auto* f = s.as<ForStmt>()) {
    Var v = fresh(f->var);
    return Stmt{ForStmt{v, f->lo, f->hi, f->kind, copy(f->body)}};
  }
  return s;  // a call names whole buffers
}

StmtList Copier::copy(const StmtList& body) {
  StmtList out;
  for (const Stmt& s : body) out.push_back(copy(s));
  return out;
}

ExprRef Copier::shifted(BufferId buffer, const ExprRef& index) const {
  auto it = shifts_.find(buffer);
  if (it == shifts_.end() || it->second == 0) return index;
  return binary(BinaryOp::kAdd, index, kir::index(it->second));
}

BufferId Copier::moved(BufferId buffer) const {
  auto it = moves_.find(buffer);
  return it == moves_.end() ? buffer : it->second;
}

ExprRef Copier::copy(const ExprRef& e) {
  if (auto it = copies_.find(e.get()); it != copies_.end()) return it->second;
  ExprRef out;
  if (const auto* v = e->as<VarExpr>()) {
    auto it = vars_.find(v->var.id);
    out = it == vars_.end() ? e : var(it->second);
  } else if (const auto* load = e->as<LoadExpr>()) {
    ExprRef index = shifted(load->buffer, copy(load->index));
    BufferId buffer = moved(load->buffer);
    out = index == load->index && buffer == load->buffer ? e : kir::load(buffer, e->type, index);
  } else if (const auto* r = e->as<ReduceExpr>()) {
    out = copyReduce(e, *r);
  } else {
    out = rewrite(e, [&](const ExprRef& node) -> ExprRef { return node == e ? nullptr : copy(node); });
  }
  copies_[e.get()] = out;
  return out;
}

// A reduction that reads a replaced var or a shifted buffer gets a var of
// its own (two reductions may not bind one id).
ExprRef Copier::copyReduce(const ExprRef& e, const ReduceExpr& r) {
  bool touched = false;
  for (int id : freeVars(e)) touched = touched || vars_.contains(id);
  rewrite(e, [&](const ExprRef& node) -> ExprRef {
    if (const auto* load = node->as<LoadExpr>())
      touched = touched || shifts_.contains(load->buffer) || moves_.contains(load->buffer);
    return nullptr;
  });
  if (!touched) return e;
  Var v = fresh(r.var);
  return reduce(r.op, v, r.lo, r.hi, copy(r.init), copy(r.body));
}

}  // namespace dlc::kir
