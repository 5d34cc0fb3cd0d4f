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

}  // namespace dlc::kir
