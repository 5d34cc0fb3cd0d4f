#include "codegen/lower/in_place.h"

#include <optional>
#include <string>

#include "ir/kernel/analysis.h"
#include "ir/kernel/walk.h"

namespace dlc::codegen {
namespace {

// Calls `fn` on every load in `e`.
template <typename F>
void forEachLoad(const kir::ExprRef& e, F fn) {
  kir::rewrite(e, [&](const kir::ExprRef& node) -> kir::ExprRef {
    if (const auto* load = node->as<kir::LoadExpr>()) fn(*load);
    return nullptr;
  });
}

// Rewrites every expression of `body` with `fn`, in place.
template <typename F>
void rewriteBody(kir::StmtList& body, F fn) {
  for (kir::Stmt& stmt : body) {
    if (auto* let = stmt.as<kir::LetStmt>()) let->value = fn(let->value);
    if (auto* store = stmt.as<kir::StoreStmt>()) {
      store->index = fn(store->index);
      store->value = fn(store->value);
    }
    if (auto* branch = stmt.as<kir::IfStmt>()) {
      branch->cond = fn(branch->cond);
      rewriteBody(branch->then_body, fn);
    }
    if (auto* loop = stmt.as<kir::ForStmt>()) rewriteBody(loop->body, fn);
  }
}

}  // namespace

bool canUpdateInPlace(const kir::Kernel& kernel, kir::BufferId in, kir::BufferId out) {
  bool ok = true;
  int stores = 0;
  std::optional<std::string> at;  // the store's index
  std::vector<std::string> loads_before;
  bool stored = false;
  kir::forEachStmt(kernel.body, [&](const kir::Stmt& stmt) {
    std::vector<std::string> loads;
    kir::forEachExpr(stmt, [&](const kir::ExprRef& e) {
      forEachLoad(e, [&](const kir::LoadExpr& load) {
        if (load.buffer == in) loads.push_back(kir::structuralKey(load.index));
        if (load.buffer == out) ok = false;  // the kernel reads its own output
      });
    });
    if (stored && !loads.empty()) ok = false;  // a read after the write
    loads_before.insert(loads_before.end(), loads.begin(), loads.end());
    if (const auto* store = stmt.as<kir::StoreStmt>(); store && store->buffer == out) {
      ++stores;
      stored = true;
      ok = ok && !store->accumulate;
      at = kir::structuralKey(store->index);
    }
  });
  if (!ok || stores != 1 || loads_before.empty()) return false;
  for (const std::string& index : loads_before)
    if (index != *at) return false;
  return true;
}

void updateInPlace(kir::Kernel& kernel, kir::BufferId in, kir::BufferId out) {
  rewriteBody(kernel.body, [&](const kir::ExprRef& e) {
    return kir::rewrite(e, [&](const kir::ExprRef& node) -> kir::ExprRef {
      const auto* load = node->as<kir::LoadExpr>();
      if (!load || load->buffer != in) return nullptr;
      return kir::load(out, node->type, load->index);
    });
  });
  kernel.buffers[static_cast<size_t>(out)].role = kir::BufferRole::kInOut;
}

}  // namespace dlc::codegen
