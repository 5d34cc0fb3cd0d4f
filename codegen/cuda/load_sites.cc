#include "codegen/cuda/load_sites.h"

#include <algorithm>
#include <functional>

#include "ir/kernel/analysis.h"
#include "ir/kernel/walk.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::ExprRef;
using kir::Stmt;

void visitLoads(const ExprRef& e, bool unconditional, const Bindings& bindings, std::vector<LoadSite>& out) {
  if (const auto* l = e->as<kir::LoadExpr>()) {
    ExprRef index = simplifyIndex(l->index, bindings);
    std::string key = readsMemory(index) ? "" : strCat(l->buffer, "|", kir::structuralKey(index));
    out.push_back(LoadSite{e.get(), l->buffer, index, std::move(key), unconditional});
    visitLoads(l->index, unconditional, bindings, out);
  } else if (const auto* u = e->as<kir::UnaryExpr>()) {
    visitLoads(u->x, unconditional, bindings, out);
  } else if (const auto* b = e->as<kir::BinaryExpr>()) {
    visitLoads(b->lhs, unconditional, bindings, out);
    visitLoads(b->rhs, unconditional, bindings, out);
  } else if (const auto* s = e->as<kir::SelectExpr>()) {
    visitLoads(s->cond, unconditional, bindings, out);
    visitLoads(s->if_true, false, bindings, out);
    visitLoads(s->if_false, false, bindings, out);
  } else if (const auto* c = e->as<kir::CastExpr>()) {
    visitLoads(c->x, unconditional, bindings, out);
  } else if (const auto* r = e->as<kir::ReduceExpr>()) {
    visitLoads(r->init, unconditional, bindings, out);
  }
}

void visitStmts(std::span<const Stmt> stmts, bool unconditional, const Bindings& bindings,
                std::vector<LoadSite>& out) {
  for (const Stmt& s : stmts) {
    if (const auto* f = s.as<kir::ForStmt>()) {
      visitStmts(f->body, false, bindings, out);
    } else if (const auto* i = s.as<kir::IfStmt>()) {
      visitLoads(i->cond, unconditional, bindings, out);
      visitStmts(i->then_body, false, bindings, out);
    } else {
      kir::forEachExpr(s, [&](const ExprRef& e) { visitLoads(e, unconditional, bindings, out); });
    }
  }
}

// `fn` on every statement of `stmts` and of the bodies nested in them.
void forEachNested(std::span<const Stmt> stmts, const std::function<void(const Stmt&)>& fn) {
  for (const Stmt& s : stmts) {
    fn(s);
    if (const auto* f = s.as<kir::ForStmt>()) forEachNested(f->body, fn);
    if (const auto* i = s.as<kir::IfStmt>()) forEachNested(i->then_body, fn);
  }
}

bool anyNode(const ExprRef& e, bool (*pred)(const kir::Expr&)) {
  bool found = false;
  kir::rewrite(e, [&](const ExprRef& node) -> ExprRef {
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
    if (const auto* l = s.as<kir::LetStmt>()) bindings[l->var.id] = l->value;
    if (const auto* i = s.as<kir::IfStmt>()) bindLets(i->then_body, bindings);
    if (const auto* f = s.as<kir::ForStmt>()) bindLets(f->body, bindings);
  }
}

std::set<kir::BufferId> storedBuffers(std::span<const Stmt> stmts) {
  std::set<kir::BufferId> out;
  forEachNested(stmts, [&](const Stmt& inner) {
    if (const auto* st = inner.as<kir::StoreStmt>()) out.insert(st->buffer);
  });
  return out;
}

std::set<kir::BufferId> loadedBuffers(std::span<const Stmt> stmts) {
  std::set<kir::BufferId> out;
  forEachNested(stmts, [&](const Stmt& inner) {
    kir::forEachExpr(inner, [&](const ExprRef& e) {
      kir::rewrite(e, [&](const ExprRef& node) -> ExprRef {
        if (const auto* l = node->as<kir::LoadExpr>()) out.insert(l->buffer);
        return nullptr;
      });
    });
  });
  return out;
}

bool holdsReduce(const ExprRef& expr) {
  return anyNode(expr, [](const kir::Expr& e) { return e.as<kir::ReduceExpr>() != nullptr; });
}

bool isStraightLine(std::span<const Stmt> stmts) {
  return std::all_of(stmts.begin(), stmts.end(), [](const Stmt& s) {
    if (const auto* l = s.as<kir::LetStmt>()) return !holdsReduce(l->value);
    if (const auto* st = s.as<kir::StoreStmt>()) return !holdsReduce(st->index) && !holdsReduce(st->value);
    if (const auto* i = s.as<kir::IfStmt>()) return !holdsReduce(i->cond) && isStraightLine(i->then_body);
    return false;
  });
}

}  // namespace dlc::codegen::cuda
