#include "ir/kernel/walk.h"

namespace dlc::kir {

void forEachStmt(const StmtList& body, const std::function<void(const Stmt&)>& fn) {
  for (const Stmt& stmt : body) {
    fn(stmt);
    if (const auto* loop = stmt.as<ForStmt>()) forEachStmt(loop->body, fn);
    if (const auto* branch = stmt.as<IfStmt>()) forEachStmt(branch->then_body, fn);
  }
}

void forEachExpr(const Stmt& stmt, const std::function<void(const ExprRef&)>& fn) {
  if (const auto* let = stmt.as<LetStmt>()) fn(let->value);
  if (const auto* store = stmt.as<StoreStmt>()) {
    fn(store->index);
    fn(store->value);
  }
  if (const auto* branch = stmt.as<IfStmt>()) fn(branch->cond);
}

void forEachChild(const Expr& e, const std::function<void(const ExprRef&)>& fn) {
  if (const auto* l = e.as<LoadExpr>()) fn(l->index);
  if (const auto* u = e.as<UnaryExpr>()) fn(u->x);
  if (const auto* b = e.as<BinaryExpr>()) fn(b->lhs), fn(b->rhs);
  if (const auto* s = e.as<SelectExpr>()) fn(s->cond), fn(s->if_true), fn(s->if_false);
  if (const auto* c = e.as<CastExpr>()) fn(c->x);
  if (const auto* r = e.as<ReduceExpr>()) fn(r->init), fn(r->body);
}

}  // namespace dlc::kir
