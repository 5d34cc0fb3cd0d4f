#include "ir/kernel/load_sites.h"

#include <algorithm>
#include <functional>

#include "ir/kernel/analysis.h"
#include "ir/kernel/walk.h"
#include "support/strings.h"

namespace dlc::kir {
namespace {

void visitLoads(const ExprRef& e, bool unconditional, const Bindings& bindings, std::vector<LoadSite>& out) {
  if (const auto* l = e->as<LoadExpr>()) {
    ExprRef index = simplifyIndex(l->index, bindings);
    std::string key = readsMemory(index) ? "" : strCat(l->buffer, "|", structuralKey(index));
    out.push_back(LoadSite{e.get(), l->buffer, index, std::move(key), unconditional});
    visitLoads(l->index, unconditional, bindings, out);
  } else if (const auto* u = e->as<UnaryExpr>()) {
    visitLoads(u->x, unconditional, bindings, out);
  } else if (const auto* b = e->as<BinaryExpr>()) {
    visitLoads(b->lhs, unconditional, bindings, out);
    visitLoads(b->rhs, unconditional, bindings, out);
  } else if (const auto* s = e->as<SelectExpr>()) {
    visitLoads(s->cond, unconditional, bindings, out);
    visitLoads(s->if_true, false, bindings, out);
    visitLoads(s->if_false, false, bindings, out);
  } else if (const auto* c = e->as<CastExpr>()) {
    visitLoads(c->x, unconditional, bindings, out);
  } else if (const auto* r = e->as<ReduceExpr>()) {
    visitLoads(r->init, unconditional, bindings, out);
  }
}

void visitStmts(std::span<const Stmt> stmts, bool unconditional, const Bindings& bindings, std::vector<LoadSite>& out) {
  for (const Stmt& s : stmts) {
    if (const auto* f = s.as<ForStmt>()) {
      visitStmts(f->body, false, bindings, out);
    } else if (const auto* i = s.as<IfStmt>()) {
      visitLoads(i->cond, unconditional, bindings, out);
      visitStmts(i->then_body, false, bindings, out);
    } else {
      forEachExpr(s, [&](const ExprRef& e) { visitLoads(e, unconditional, bindings, out); });
    }
  }
}

// `fn` on every statement of `stmts` and of the bodies nested in them.
void forEachNested(std::span<const Stmt> stmts, const std::function<void(const Stmt&)>& fn) {
  for (const Stmt& s : stmts) {
    fn(s);
    if (const auto* f = s.as<ForStmt>()) forEachNested(f->body, fn);
    if (const auto* i = s.as<IfStmt>()) forEachNested(i->then_body, fn);
  }
}

bool anyNode(const ExprRef& e, bool (*pred)(const Expr&)) {
  bool found = false;
  rewrite(e, [&](const ExprRef& node) -> ExprRef {
    found = found || pred(*node);
    return nullptr;
  });
  return found;
}

}  // namespace

void collectLoads(std::span<const Stmt> stmts, const Bindings& bindings, std::vector<LoadSite>& out) {
  visitStmts(stmts, true, bindings, out);
}

void collectLoads(const ExprRef& expr, bool unconditional, const Bindings& bindings, std::vector<LoadSite>& out) {
  visitLoads(expr, unconditional, bindings, out);
}

void bindLets(std::span<const Stmt> stmts, Bindings& bindings) {
  for (const Stmt& s : stmts) {
    if (const auto* l = s.as<LetStmt>()) bindings[l->var.id] = l->value;
    if (const auto* i = s.as<IfStmt>()) bindLets(i->then_body, bindings);
    if (const auto* f = s.as<ForStmt>()) bindLets(f->body, bindings);
  }
}

std::set<BufferId> storedBuffers(std::span<const Stmt> stmts) {
  std::set<BufferId> out;
  forEachNested(stmts, [&](const Stmt& inner) {
    if (const auto* st = inner.as<StoreStmt>()) out.insert(st->buffer);
  });
  return out;
}

std::set<BufferId> loadedBuffers(std::span<const Stmt> stmts) {
  std::set<BufferId> out;
  forEachNested(stmts, [&](const Stmt& inner) {
    forEachExpr(inner, [&](const ExprRef& e) {
      rewrite(e, [&](const ExprRef& node) -> ExprRef {
        if (const auto* l = node->as<LoadExpr>()) out.insert(l->buffer);
        return nullptr;
      });
    });
  });
  return out;
}

bool holdsReduce(const ExprRef& expr) {
  return anyNode(expr, [](const Expr& e) { return e.as<ReduceExpr>() != nullptr; });
}

bool isStraightLine(std::span<const Stmt> stmts) {
  return std::all_of(stmts.begin(), stmts.end(), [](const Stmt& s) {
    if (const auto* l = s.as<LetStmt>()) return !holdsReduce(l->value);
    if (const auto* st = s.as<StoreStmt>()) return !holdsReduce(st->index) && !holdsReduce(st->value);
    if (const auto* i = s.as<IfStmt>()) return !holdsReduce(i->cond) && isStraightLine(i->then_body);
    return false;
  });
}

}  // namespace dlc::kir
