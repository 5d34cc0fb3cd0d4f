#include "ir/kernel/lane_blocking.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/kernel/analysis.h"
#include "ir/kernel/walk.h"

namespace dlc::kir {
namespace {

bool isLaneVar(const ExprRef& e, int lane) {
  const auto* v = e->as<VarExpr>();
  return v && v->var.id == lane;
}

// Walks a parallel loop's body and checks independentLaneExtent's rules.
class LaneCheck {
 public:
  explicit LaneCheck(const Kernel& kernel) : kernel_(kernel) {}

  std::optional<int64_t> extent(const StmtList& body) {
    walk(body, /*lane=*/-1);
    if (!ok_ || extent_ <= 0) return std::nullopt;
    for (const auto& [buffer, keys] : global_loads_)
      if (auto stored = global_stores_.find(buffer); stored != global_stores_.end())
        for (const std::string& key : keys)
          if (!stored->second.contains(key)) return std::nullopt;
    return extent_;
  }

 private:
  bool isLocal(BufferId b) const { return kernel_.buffers[b].role == BufferRole::kLocal; }

  void walk(const StmtList& body, int lane) {
    for (const Stmt& s : body) {
      if (!ok_) return;
      forEachExpr(s, [&](const ExprRef& root) { loads(root, lane); });
      if (const auto* f = s.as<ForStmt>()) {
        ok_ = ok_ && lane < 0;  // a vector loop's body is straight-line code
        if (f->kind == LoopKind::kVector) {
          ok_ = ok_ && f->lo == 0 && (extent_ < 0 || extent_ == f->hi);
          extent_ = f->hi;
          walk(f->body, f->var.id);
        } else {
          ok_ = ok_ && f->kind != LoopKind::kParallel;
          walk(f->body, lane);
        }
      } else if (const auto* store = s.as<StoreStmt>()) {
        ok_ = ok_ && lane >= 0 && !store->accumulate;
        if (isLocal(store->buffer))
          ok_ = ok_ && isLaneVar(store->index, lane);
        else
          global_stores_[store->buffer].insert(structuralKey(store->index));
      } else if (const auto* cond = s.as<IfStmt>()) {
        walk(cond->then_body, lane);
      }
    }
  }

  void loads(const ExprRef& root, int lane) {
    rewrite(root, [&](const ExprRef& node) -> ExprRef {
      if (const auto* load = node->as<LoadExpr>()) {
        if (isLocal(load->buffer))
          ok_ = ok_ && lane >= 0 && isLaneVar(load->index, lane);
        else
          global_loads_[load->buffer].insert(structuralKey(load->index));
      }
      return nullptr;
    });
  }

  const Kernel& kernel_;
  bool ok_ = true;
  int64_t extent_ = -1;
  std::map<BufferId, std::set<std::string>> global_stores_, global_loads_;
};

// Local accesses at `from` read and write `to` instead.
ExprRef localsAt(const Kernel& kernel, const ExprRef& e, const Var& from, const Var& to) {
  return rewrite(e, [&](const ExprRef& node) -> ExprRef {
    const auto* load = node->as<LoadExpr>();
    if (!load || kernel.buffers[load->buffer].role != BufferRole::kLocal || !isLaneVar(load->index, from.id))
      return nullptr;
    return kir::load(load->buffer, node->type, var(to));
  });
}

void blockVectorLoops(Kernel& kernel, StmtList& body, const Var& block, int64_t lanes) {
  for (Stmt& s : body) {
    if (auto* cond = s.as<IfStmt>()) blockVectorLoops(kernel, cond->then_body, block, lanes);
    auto* f = s.as<ForStmt>();
    if (!f) continue;
    if (f->kind != LoopKind::kVector) {
      blockVectorLoops(kernel, f->body, block, lanes);
      continue;
    }
    Var lane = f->var, in_block = kernel.newVar(ScalarType::kI64, lane.name + ".b");
    StmtList inner;
    inner.push_back(
        Stmt{LetStmt{lane, binary(BinaryOp::kAdd, binary(BinaryOp::kMul, var(block), index(lanes)), var(in_block))}});
    auto rewriteLocals = [&](auto& self, StmtList& stmts) -> void {
      for (Stmt& t : stmts) {
        if (auto* let = t.as<LetStmt>()) let->value = localsAt(kernel, let->value, lane, in_block);
        if (auto* store = t.as<StoreStmt>()) {
          store->value = localsAt(kernel, store->value, lane, in_block);
          if (kernel.buffers[store->buffer].role == BufferRole::kLocal) store->index = var(in_block);
        }
        if (auto* cond = t.as<IfStmt>()) {
          cond->cond = localsAt(kernel, cond->cond, lane, in_block);
          self(self, cond->then_body);
        }
      }
    };
    rewriteLocals(rewriteLocals, f->body);
    for (Stmt& t : f->body) inner.push_back(std::move(t));
    f->body = std::move(inner);
    f->var = in_block;
    f->hi = lanes;
  }
}

}  // namespace

std::optional<int64_t> independentLaneExtent(const Kernel& kernel, const ForStmt& loop) {
  return LaneCheck(kernel).extent(loop.body);
}

void blockLanes(Kernel& kernel, ForStmt& loop, int64_t lanes) {
  int64_t extent = *independentLaneExtent(kernel, loop);
  Var block = kernel.newVar(ScalarType::kI64, "lb");
  blockVectorLoops(kernel, loop.body, block, lanes);
  StmtList wrapped;
  wrapped.push_back(Stmt{ForStmt{block, 0, extent / lanes, LoopKind::kSerial, std::move(loop.body)}});
  loop.body = std::move(wrapped);
}

}  // namespace dlc::kir
