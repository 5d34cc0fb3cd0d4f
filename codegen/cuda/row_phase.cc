#include "codegen/cuda/row_phase.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "codegen/cuda/syntax.h"
#include "ir/kernel/analysis.h"
#include "ir/kernel/gpu_rows.h"
#include "ir/kernel/load_sites.h"
#include "ir/kernel/walk.h"
#include "support/int_math.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::ExprRef;
using kir::Stmt;

// 4-byte registers a thread may spend on the row cache, and per thread of a
// block the share of the register file left for it (a block of 1024 threads
// has 64 registers a thread in all); loads beyond are read again each pass.
constexpr int64_t kCacheRegisters = 64;
constexpr int64_t kCacheRegisterFile = 32768;

// A subexpression worth keeping for a later pass, keyed like loads.
struct ValueSite {
  const kir::Expr* node;
  std::string key;
  bool unconditional;
};

// Whether `e` costs enough that a later pass should not compute it again
// (softmax's exp(x - max), summed, then divided for the output).
bool costly(const ExprRef& e) {
  bool found = false;
  kir::rewrite(e, [&](const ExprRef& n) -> ExprRef {
    if (const auto* u = n->as<kir::UnaryExpr>())
      found = found || u->op == kir::UnaryOp::kExp || u->op == kir::UnaryOp::kLog || u->op == kir::UnaryOp::kTanh ||
              u->op == kir::UnaryOp::kErf;
    if (const auto* b = n->as<kir::BinaryExpr>()) found = found || b->op == kir::BinaryOp::kPow;
    return nullptr;
  });
  return found;
}

// The costly subexpressions of `e`, innermost first (a value's fill may read
// the caches of the values inside it).
void collectValues(const ExprRef& e, bool unconditional, const Bindings& bindings, std::vector<ValueSite>& out) {
  if (e->as<kir::ReduceExpr>()) return;
  auto visit = [&](const ExprRef& x, bool u) { collectValues(x, u, bindings, out); };
  if (const auto* l = e->as<kir::LoadExpr>()) visit(l->index, unconditional);
  if (const auto* u = e->as<kir::UnaryExpr>()) visit(u->x, unconditional);
  if (const auto* b = e->as<kir::BinaryExpr>()) visit(b->lhs, unconditional), visit(b->rhs, unconditional);
  if (const auto* s = e->as<kir::SelectExpr>())
    visit(s->cond, unconditional), visit(s->if_true, false), visit(s->if_false, false);
  if (const auto* c = e->as<kir::CastExpr>()) visit(c->x, unconditional);
  if (!e->as<kir::LoadExpr>() && costly(e) && !holdsReduce(e))
    out.push_back(ValueSite{e.get(), strCat("v|", kir::structuralKey(simplifyIndex(e, bindings))), unconditional});
}

// One pass of the group over the row's columns, with the costly values it computes.
struct Pass : kir::RowPass {
  std::vector<ValueSite> values;
};

// A value kept in registers across passes, `name[slot].v[lane]`: a load, or
// a costly value a reduction pass computes (filled from `node`).
struct Cache {
  kir::BufferId buffer;   // loads
  ExprRef index;          // loads: in the canonical column
  const kir::Expr* node;  // values
  kir::ScalarType type;
  size_t fill_pass;
  bool pack;
  std::string name;
};

// A pack loaded (or stored) for one slot of one pass.
struct Pack {
  kir::BufferId buffer;
  ExprRef index;  // in the canonical column, at the slot's first lane
  std::string name;
};

class RowPhase {
 public:
  RowPhase(const kir::Kernel& kernel, const Phase& phase)
      : kernel_(kernel),
        phase_(phase),
        col_{kir::gpuCounter(kernel, kir::GpuCounter::kColumn)},
        lane_col_{kir::gpuCounter(kernel, kir::GpuCounter::kLaneColumn)} {}

  bool plan();
  absl::StatusOr<PhaseText> emit(const std::string& name);

 private:
  void planLoads();
  bool packable(kir::BufferId buffer, const ExprRef& index) const {
    return width_ > 1 && !readsMemory(index) && isAlignedRun(laneStep(index, col_.id, width_), width_);
  }

  std::optional<std::string> heldValue(const kir::Expr& e) const;
  absl::StatusOr<std::string> reductionPass(const kir::Expr& e, const kir::ReduceExpr& r, int indent);
  absl::Status loopPass(const kir::ForStmt& loop, int indent);
  // Opens the slot loop of pass `p` (`for s { col0; if (guard) {`), with the
  // packs loaded for the slot; returns the indent inside.
  absl::StatusOr<int> openSlots(size_t p, int indent);
  absl::Status fillLanes(size_t p, int indent);
  void closeSlots(int indent);
  absl::Status rowStatements(int indent);
  std::string packType(kir::BufferId b) const { return packOf(kernel_.buffers[b].dtype); }
  std::string packOf(kir::ScalarType type) const { return strCat("dlc_pack<", cudaType(type), ", ", width_, ">"); }

  const kir::Kernel& kernel_;
  const Phase& phase_;
  kir::Var col_;       // the canonical column, bound to a slot's first lane
  kir::Var lane_col_;  // the same, bound to each lane
  std::vector<Pass> passes_;
  std::map<const kir::Expr*, size_t> pass_of_reduce_;
  std::map<const kir::ForStmt*, size_t> pass_of_loop_;
  int64_t lo_ = 0, hi_ = 0, rows_ = 0;
  int64_t width_ = 1, group_ = 1, slots_ = 1, block_ = 1;
  std::vector<Cache> caches_;
  std::map<std::string, size_t> cache_of_;
  std::vector<std::map<std::string, Pack>> local_packs_;  // per pass, by load key
  std::map<const kir::StoreStmt*, Pack> store_packs_;
  std::map<const kir::Expr*, std::string> key_of_;  // every load site of every pass

  // While writing.
  BodyWriter* w_ = nullptr;
  int current_pass_ = -1;               // -1 at row level
  const kir::Expr* filling_ = nullptr;  // the value being computed into its cache
  bool clamped_ = false;                // several rows a block: `active` says whether the row is real
};

void RowPhase::planLoads() {
  std::set<kir::BufferId> loaded = loadedBuffers(phase_.stmts);
  // Caches: loads that a later pass makes again.
  int64_t registers = 0;
  std::map<std::string, size_t> fill_pass;
  std::map<std::string, const LoadSite*> first_site;
  for (size_t p = 0; p < passes_.size(); ++p)
    for (const LoadSite& s : passes_[p].loads) {
      if (s.key.empty()) continue;
      key_of_[s.node] = s.key;
      if (s.unconditional && !fill_pass.contains(s.key)) fill_pass[s.key] = p, first_site[s.key] = &s;
    }
  for (const auto& [key, p] : fill_pass) {
    bool reused = false;
    for (size_t q = p + 1; q < passes_.size() && !reused; ++q)
      reused = std::any_of(passes_[q].loads.begin(), passes_[q].loads.end(),
                           [&](const LoadSite& s) { return s.key == key; });
    const LoadSite& s = *first_site[key];
    int64_t cost = slots_ * width_ * ceilDiv(ir::dtypeSize(kernel_.buffers[s.buffer].dtype), 4);
    if (!reused || registers + cost > std::min(kCacheRegisters, kCacheRegisterFile / block_)) continue;
    registers += cost;
    cache_of_[key] = caches_.size();
    caches_.push_back(Cache{s.buffer, s.index, nullptr, kernel_.buffers[s.buffer].dtype, p, packable(s.buffer, s.index),
                            strCat("rc", caches_.size())});
  }
  // Values a reduction pass computes for every column and a later pass again.
  for (size_t p = 0; p < passes_.size(); ++p)
    for (const ValueSite& v : passes_[p].values) {
      key_of_[v.node] = v.key;
      if (!passes_[p].reduce || !v.unconditional || cache_of_.contains(v.key)) continue;
      bool reused = false;
      for (size_t q = p + 1; q < passes_.size() && !reused; ++q)
        reused = std::any_of(passes_[q].values.begin(), passes_[q].values.end(),
                             [&](const ValueSite& w) { return w.key == v.key; });
      int64_t cost = slots_ * width_ * ceilDiv(ir::dtypeSize(v.node->type), 4);
      if (!reused || registers + cost > std::min(kCacheRegisters, kCacheRegisterFile / block_)) continue;
      registers += cost;
      cache_of_[v.key] = caches_.size();
      caches_.push_back(Cache{-1, nullptr, v.node, v.node->type, p, false, strCat("rc", caches_.size())});
    }
  // Packs loaded for one pass.
  local_packs_.resize(passes_.size());
  for (size_t p = 0; p < passes_.size(); ++p)
    for (const LoadSite& s : passes_[p].loads) {
      if (!s.unconditional || s.key.empty() || cache_of_.contains(s.key) || local_packs_[p].contains(s.key)) continue;
      if (!packable(s.buffer, s.index)) continue;
      local_packs_[p][s.key] = Pack{s.buffer, s.index, strCat("rp", p, "_", local_packs_[p].size())};
    }
  // Packs stored by a loop: the only store to a buffer the row does not read.
  std::map<kir::BufferId, int> stores_to;
  for (const Stmt& s : phase_.stmts) {
    if (const auto* st = s.as<kir::StoreStmt>()) ++stores_to[st->buffer];
    if (const auto* f = s.as<kir::ForStmt>())
      for (kir::BufferId b : storedBuffers(f->body)) stores_to[b] += 2;  // any store in a loop runs per column
  }
  for (const Pass& p : passes_) {
    if (!p.loop) continue;
    std::map<kir::BufferId, int> in_loop;
    std::function<void(std::span<const Stmt>)> count = [&](std::span<const Stmt> stmts) {
      for (const Stmt& s : stmts) {
        if (const auto* st = s.as<kir::StoreStmt>()) ++in_loop[st->buffer];
        if (const auto* i = s.as<kir::IfStmt>()) count(i->then_body);
      }
    };
    count(p.loop->body);
    for (const Stmt& s : p.loop->body) {
      const auto* st = s.as<kir::StoreStmt>();
      if (!st || st->accumulate || loaded.contains(st->buffer)) continue;
      if (stores_to[st->buffer] != 2 || in_loop[st->buffer] != 1) continue;
      ExprRef index = simplifyIndex(st->index, p.bindings);
      if (packable(st->buffer, index)) store_packs_[st] = Pack{st->buffer, index, strCat("rs", store_packs_.size())};
    }
  }
}

// The passes as ir/kernel/gpu_rows.h finds them; the group's shape from the mark.
bool RowPhase::plan() {
  std::optional<kir::RowPasses> rows = kir::findRowPasses(kernel_, phase_.stmts, col_);
  if (phase_.nest.empty() || !rows) return false;
  for (kir::RowPass& p : rows->passes) passes_.push_back(Pass{std::move(p), {}});
  pass_of_reduce_ = std::move(rows->pass_of_reduce);
  pass_of_loop_ = std::move(rows->pass_of_loop);
  lo_ = rows->lo, hi_ = rows->hi;
  rows_ = tripCount(phase_.nest);
  for (Pass& p : passes_) {
    if (p.reduce) {
      collectValues(p.reduce->body, true, p.bindings, p.values);
    } else {
      std::function<void(std::span<const Stmt>, bool)> values = [&](std::span<const Stmt> stmts, bool always) {
        for (const Stmt& st : stmts) {
          kir::forEachExpr(st, [&](const ExprRef& e) { collectValues(e, always, p.bindings, p.values); });
          if (const auto* i = st.as<kir::IfStmt>()) values(i->then_body, false);
        }
      };
      values(p.loop->body, true);
    }
  }
  width_ = phase_.mark.width;
  group_ = phase_.mark.group;
  block_ = phase_.mark.threads;
  slots_ = kir::rowSlots(hi_ - lo_, phase_.mark.width, phase_.mark.group);
  clamped_ = group_ < block_;
  planLoads();
  return true;
}

std::optional<std::string> RowPhase::heldValue(const kir::Expr& e) const {
  if (current_pass_ < 0 || &e == filling_) return std::nullopt;
  auto key = key_of_.find(&e);
  if (key == key_of_.end()) return std::nullopt;
  if (auto c = cache_of_.find(key->second);
      c != cache_of_.end() && caches_[c->second].fill_pass <= static_cast<size_t>(current_pass_))
    return strCat(caches_[c->second].name, "[s].v[lane]");
  const auto& local = local_packs_[current_pass_];
  if (auto it = local.find(key->second); it != local.end()) return strCat(it->second.name, ".v[lane]");
  return std::nullopt;
}

absl::StatusOr<int> RowPhase::openSlots(size_t p, int indent) {
  BodyWriter& w = *w_;
  w.line(indent, "#pragma unroll");
  w.line(indent, strCat("for (int s = 0; s < ", slots_, "; ++s) {"));
  w.line(indent + 1,
         strCat("const long long col0 = ", lo_, "LL + ", width_, "LL * ((long long)glane + ", group_, "LL * s);"));
  w.line(indent + 1, strCat("if (col0 < ", hi_, "LL) {"));
  int in = indent + 2;
  bool packs = !local_packs_[p].empty() ||
               std::any_of(caches_.begin(), caches_.end(), [&](const Cache& c) { return c.fill_pass == p && c.pack; });
  if (const kir::ForStmt* loop = passes_[p].loop)
    for (const Stmt& s : loop->body) packs = packs || store_packs_.contains(s.as<kir::StoreStmt>());
  if (packs) w.line(in, strCat("const long long ", w.varName(col_), " = col0;"));
  for (const Cache& c : caches_) {
    if (c.fill_pass != p || !c.pack) continue;
    ASSIGN_OR_RETURN(std::string index, w.expr(*c.index, in, false));
    w.line(in, strCat(c.name, "[s] = dlc_load_pack<", width_, ">(&", w.bufferName(c.buffer), "[", index, "]);"));
  }
  for (const auto& [key, pack] : local_packs_[p]) {
    ASSIGN_OR_RETURN(std::string index, w.expr(*pack.index, in, false));
    w.line(in, strCat("const ", packType(pack.buffer), " ", pack.name, " = dlc_load_pack<", width_, ">(&",
                      w.bufferName(pack.buffer), "[", index, "]);"));
  }
  return in;
}

// Caches this pass fills lane by lane: loads that are not one pack (from
// their indices in the canonical column: the pass's lets are not written
// yet), then values, innermost first.
absl::Status RowPhase::fillLanes(size_t p, int indent) {
  BodyWriter& w = *w_;
  bool bound = false;
  for (const Cache& c : caches_) {
    if (c.fill_pass != p || c.pack || c.node) continue;
    if (!bound) w.line(indent, strCat("const long long ", w.varName(lane_col_), " = col0 + lane;"));
    bound = true;
    ExprRef index = kir::rewrite(c.index, [&](const ExprRef& node) -> ExprRef {
      const auto* v = node->as<kir::VarExpr>();
      return v && v->var.id == col_.id ? kir::var(lane_col_) : nullptr;
    });
    ASSIGN_OR_RETURN(std::string text, w.expr(*index, indent, false));
    w.line(indent, strCat(c.name, "[s].v[lane] = ", w.bufferName(c.buffer), "[", text, "];"));
  }
  for (const Cache& c : caches_) {
    if (c.fill_pass != p || !c.node) continue;
    filling_ = c.node;
    absl::StatusOr<std::string> value = w.expr(*c.node, indent, false);
    filling_ = nullptr;
    if (!value.ok()) return value.status();
    w.line(indent, strCat(c.name, "[s].v[lane] = ", *value, ";"));
  }
  return absl::OkStatus();
}

void RowPhase::closeSlots(int indent) {
  w_->line(indent + 1, "}");
  w_->line(indent, "}");
}

absl::StatusOr<std::string> RowPhase::reductionPass(const kir::Expr& e, const kir::ReduceExpr& r, int indent) {
  BodyWriter& w = *w_;
  size_t p = pass_of_reduce_.at(&e);
  ScalarType acc_type = accumulatorType(e.type);
  std::string identity = identityText(r.op, e.type);
  std::string acc = w.temp("acc");
  std::string combine(combiner(r.op));
  w.line(indent, strCat(cudaType(acc_type), " ", acc, " = ", identity, ";"));
  current_pass_ = static_cast<int>(p);
  // Every thread accumulates, real row or not: the shuffles need them all.
  ASSIGN_OR_RETURN(int in, openSlots(p, indent));
  w.line(in, "#pragma unroll");
  w.line(in, strCat("for (int lane = 0; lane < ", width_, "; ++lane) {"));
  w.line(in + 1, strCat("[[maybe_unused]] const long long ", w.varName(r.var), " = col0 + lane;"));
  RETURN_IF_ERROR(fillLanes(p, in + 1));
  ASSIGN_OR_RETURN(std::string body, w.expr(*r.body, in + 1, false));
  w.line(in + 1, strCat(acc, " = ", combine, "(", acc, ", ", toWider(e.type, body), ");"));
  w.line(in, "}");
  closeSlots(indent);
  current_pass_ = -1;
  if (!clamped_)
    w.line(indent, strCat(acc, " = dlc_block_reduce<", static_cast<int>(r.op), ">(", acc, ", (", cudaType(acc_type),
                          ")", identity, ");"));
  else if (group_ > 1)
    w.line(indent, strCat(acc, " = dlc_group_reduce<", static_cast<int>(r.op), ", ", group_, ">(", acc, ");"));
  ASSIGN_OR_RETURN(std::string init, w.expr(*r.init, indent, false));
  w.line(indent, strCat(acc, " = ", combine, "(", toWider(e.type, init), ", ", acc, ");"));
  return fromWider(e.type, acc);
}

absl::Status RowPhase::loopPass(const kir::ForStmt& loop, int indent) {
  BodyWriter& w = *w_;
  size_t p = pass_of_loop_.at(&loop);
  current_pass_ = static_cast<int>(p);
  // Stores only for real rows; fills for every row, as a later reduction
  // pass reads them.
  ASSIGN_OR_RETURN(int in, openSlots(p, indent));
  std::vector<const Pack*> stores;
  for (const Stmt& s : loop.body)
    if (auto it = store_packs_.find(s.as<kir::StoreStmt>()); s.as<kir::StoreStmt>() && it != store_packs_.end())
      stores.push_back(&it->second);
  for (const Pack* s : stores) w.line(in, strCat(packType(s->buffer), " ", s->name, ";"));
  w.line(in, "#pragma unroll");
  w.line(in, strCat("for (int lane = 0; lane < ", width_, "; ++lane) {"));
  w.line(in + 1, strCat("[[maybe_unused]] const long long ", w.varName(loop.var), " = col0 + lane;"));
  RETURN_IF_ERROR(fillLanes(p, in + 1));
  int body_indent = in + 1;
  if (clamped_) w.line(in + 1, "if (active) {"), ++body_indent;
  RETURN_IF_ERROR(w.thread(loop.body, body_indent, true));
  if (clamped_) w.line(in + 1, "}");
  w.line(in, "}");
  for (const Pack* s : stores) {
    ASSIGN_OR_RETURN(std::string index, w.expr(*s->index, in, false));
    w.line(in, strCat(clamped_ ? "if (active) " : "", "dlc_store_pack<", width_, ">(&", w.bufferName(s->buffer), "[",
                      index, "], ", s->name, ");"));
  }
  closeSlots(indent);
  current_pass_ = -1;
  return absl::OkStatus();
}

absl::Status RowPhase::rowStatements(int indent) {
  BodyWriter& w = *w_;
  for (const Cache& c : caches_) w.line(indent, strCat(packOf(c.type), " ", c.name, "[", slots_, "];"));
  for (const Stmt& s : phase_.stmts) {
    if (const auto* l = s.as<kir::LetStmt>()) {
      ASSIGN_OR_RETURN(std::string value, w.expr(*l->value, indent, true));
      w.line(indent,
             strCat("[[maybe_unused]] const ", cudaType(l->var.type), " ", w.varName(l->var), " = ", value, ";"));
    } else if (const auto* st = s.as<kir::StoreStmt>()) {
      ASSIGN_OR_RETURN(std::string index, w.expr(*st->index, indent, true));
      ASSIGN_OR_RETURN(std::string value, w.expr(*st->value, indent, true));
      w.line(indent, strCat("if (", clamped_ ? "active && " : "", "glane == 0) {"));
      RETURN_IF_ERROR(w.store(*st, index, value, indent + 1, true));
      w.line(indent, "}");
    } else if (const auto* f = s.as<kir::ForStmt>()) {
      RETURN_IF_ERROR(loopPass(*f, indent));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PhaseText> RowPhase::emit(const std::string& name) {
  PhaseText out;
  CudaLaunch launch;
  launch.name = name;
  launch.block_x = static_cast<int>(block_);
  int64_t rows_per_block = block_ / group_;
  launch.grid_x = phase_.mark.blocks;
  launch.shared_bytes = group_ == block_ ? kReduceSharedBytes : 0;
  BodyWriter w(kernel_, &out.text);
  w_ = &w;
  w.setOverrides(BodyWriter::Overrides{.value = [&](const kir::Expr& e) { return heldValue(e); },
                                       .reduce = [&](const kir::Expr& e, const kir::ReduceExpr& r,
                                                     int indent) -> absl::StatusOr<std::optional<std::string>> {
                                         if (!pass_of_reduce_.contains(&e)) return std::nullopt;
                                         return reductionPass(e, r, indent);
                                       },
                                       .store_target = [&](const kir::StoreStmt& s) -> std::optional<std::string> {
                                         if (current_pass_ < 0 || !store_packs_.contains(&s)) return std::nullopt;
                                         return strCat(store_packs_.at(&s).name, ".v[lane]");
                                       },
                                       .lets_maybe_unused = true});
  RETURN_IF_ERROR(openKernel(w, kernel_, phase_, launch, false));
  std::string_view counter = counterType(rows_ + rows_per_block);
  if (!clamped_) {
    w.line(1, "const unsigned glane = threadIdx.x;");
    w.line(1, strCat("for (", counter, " row = blockIdx.x; row < ", rows_, "; row += gridDim.x) {"));
  } else {
    w.line(1, strCat("const unsigned glane = threadIdx.x % ", group_, "u;"));
    w.line(1, strCat("for (", counter, " first = blockIdx.x * (", counter, ")", rows_per_block, "; first < ", rows_,
                     "; first += gridDim.x * (", counter, ")", rows_per_block, ") {"));
    w.line(2, strCat("const ", counter, " mine = first + threadIdx.x / ", group_, "u;"));
    w.line(2, strCat("[[maybe_unused]] const bool active = mine < ", rows_, ";"));
    w.line(2, strCat("const ", counter, " row = active ? mine : ", rows_ - 1, ";"));
  }
  bindNest(w, phase_.nest, "row", 2, /*maybe_unused=*/true);
  RETURN_IF_ERROR(rowStatements(2));
  w.line(1, "}");
  w.line(0, "}");
  w.setOverrides({});
  out.launches.push_back(launch);
  return out;
}

}  // namespace

absl::StatusOr<PhaseText> emitRowPhase(const kir::Kernel& kernel, const Phase& phase, const std::string& name) {
  RowPhase row(kernel, phase);
  if (!row.plan()) return absl::InternalError("cuda: a gpu(row_groups) phase is not a row phase");
  return row.emit(name);
}

}  // namespace dlc::codegen::cuda
