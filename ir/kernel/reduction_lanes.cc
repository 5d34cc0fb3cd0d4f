#include "ir/kernel/reduction_lanes.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "ir/kernel/analysis.h"
#include "support/strings.h"

namespace dlc::kir {
namespace {

// A `let` of the loop body whose reduction moves out of the rows: the
// reductions nested in it with the same combiner, and the innermost body.
struct Moved {
  LetStmt* let = nullptr;
  std::vector<const ReduceExpr*> nest;
  ExprRef body;
};

// The reduction of `let` when it can become a loop nest around a vector loop
// over the rows: its body reads contiguously along `row` and depends on no
// var of the loop body but `row` (`body_vars`).
std::optional<Moved> movable(LetStmt& let, int row, const absl::flat_hash_set<int>& body_vars) {
  const auto* r = let.value->as<ReduceExpr>();
  if (!r) return std::nullopt;
  Moved m{&let, {r}, nullptr};
  while (const auto* inner = m.nest.back()->body->as<ReduceExpr>()) {
    if (inner->op != r->op || !isReduceIdentity(inner->init, r->op)) break;
    m.nest.push_back(inner);
  }
  m.body = m.nest.back()->body;
  std::set<int> free = freeVars(m.body);
  for (const ReduceExpr* n : m.nest) free.erase(n->var.id);
  for (int id : freeVars(r->init)) free.insert(id);
  if (std::any_of(free.begin(), free.end(), [&](int id) { return id != row && body_vars.contains(id); }))
    return std::nullopt;
  if (!loadsContiguousIn(m.body, row, /*require_contiguous=*/true)) return std::nullopt;
  return m;
}

ExprRef replaceVar(const ExprRef& e, int id, const ExprRef& by) {
  return rewrite(e, [&](const ExprRef& node) -> ExprRef {
    const auto* v = node->as<VarExpr>();
    return v && v->var.id == id ? by : nullptr;
  });
}

class LaneRewrite {
 public:
  LaneRewrite(Kernel& kernel, ForStmt& loop, int64_t lanes) : kernel_(kernel), loop_(loop), lanes_(lanes) {}

  Stmt run(std::vector<Moved>& moved) {
    Var block = kernel_.newVar(ScalarType::kI64, strCat(loop_.var.name, ".lanes"));
    block_ = var(block);
    // The rows themselves run in the last vector loop, one per lane, with
    // the loop var a `let` and the moved reductions read from their lanes.
    Var lane = kernel_.newVar(ScalarType::kI64, "l");
    StmtList body;
    for (Moved& m : moved) accumulate(m, lane, body);
    StmtList rows;
    rows.push_back(Stmt{LetStmt{loop_.var, row(lane)}});
    for (Stmt& s : loop_.body) rows.push_back(std::move(s));
    body.push_back(Stmt{ForStmt{lane, 0, lanes_, LoopKind::kVector, std::move(rows)}});
    return Stmt{ForStmt{block, 0, (loop_.hi - loop_.lo) / lanes_, LoopKind::kParallel, std::move(body)}};
  }

 private:
  // The row of lane `lane`: lo + block * lanes + lane.
  ExprRef row(const Var& lane) {
    ExprRef first = binary(BinaryOp::kMul, block_, index(lanes_));
    if (loop_.lo != 0) first = binary(BinaryOp::kAdd, first, index(loop_.lo));
    return binary(BinaryOp::kAdd, first, var(lane));
  }

  // acc = init; for nest { acc = combine(acc, body) }; and the let reads
  // acc at `lane`.
  void accumulate(Moved& m, const Var& lane, StmtList& out) {
    const ReduceExpr& r = *m.nest.front();
    ScalarType type = m.let->var.type;
    BufferId acc = kernel_.addBuffer(Buffer{strCat("acc", kernel_.buffers.size()), type, lanes_, BufferRole::kLocal});
    Var init_lane = kernel_.newVar(ScalarType::kI64, "l");
    StmtList init;
    init.push_back(Stmt{StoreStmt{acc, var(init_lane), replaceVar(r.init, loop_.var.id, row(init_lane)), false}});
    out.push_back(Stmt{ForStmt{init_lane, 0, lanes_, LoopKind::kVector, std::move(init)}});
    Var update_lane = kernel_.newVar(ScalarType::kI64, "l");
    ExprRef at = var(update_lane);
    StmtList update_body;
    update_body.push_back(Stmt{StoreStmt{
        acc, at, binary(reduceCombiner(r.op), load(acc, type, at), replaceVar(m.body, loop_.var.id, row(update_lane))),
        false}});
    Stmt update{ForStmt{update_lane, 0, lanes_, LoopKind::kVector, std::move(update_body)}};
    for (size_t n = m.nest.size(); n-- > 0;) {
      StmtList wrapped;
      wrapped.push_back(std::move(update));
      update = Stmt{ForStmt{m.nest[n]->var, m.nest[n]->lo, m.nest[n]->hi, LoopKind::kSerial, std::move(wrapped)}};
    }
    out.push_back(std::move(update));
    m.let->value = load(acc, type, var(lane));
  }

  Kernel& kernel_;
  ForStmt& loop_;
  int64_t lanes_;
  ExprRef block_;
};

}  // namespace

int reductionsToLanes(Kernel& kernel, int vector_bytes) {
  int rewritten = 0;
  for (Stmt& s : kernel.body) {
    auto* loop = s.as<ForStmt>();
    if (!loop || loop->kind != LoopKind::kParallel) continue;
    bool rows_only = std::all_of(loop->body.begin(), loop->body.end(),
                                 [](const Stmt& b) { return b.as<LetStmt>() || b.as<StoreStmt>(); });
    if (!rows_only) continue;
    absl::flat_hash_set<int> body_vars = {loop->var.id};
    std::vector<Moved> moved;
    int64_t widest = 1;
    for (Stmt& b : loop->body) {
      auto* let = b.as<LetStmt>();
      if (!let) continue;
      if (std::optional<Moved> m = movable(*let, loop->var.id, body_vars)) {
        moved.push_back(*m);
        widest = std::max(widest, ir::dtypeSize(let->var.type));
      }
      body_vars.insert(let->var.id);
    }
    if (moved.empty()) continue;
    int64_t lanes = std::max<int64_t>(1, vector_bytes / widest);
    int64_t extent = loop->hi - loop->lo;
    if (extent > lanes && extent % lanes != 0) continue;
    lanes = std::min(lanes, extent);
    if (lanes < 2) continue;
    s = LaneRewrite(kernel, *loop, lanes).run(moved);
    ++rewritten;
  }
  return rewritten;
}

}  // namespace dlc::kir
