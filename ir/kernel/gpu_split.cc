#include "ir/kernel/gpu_split.h"

#include <algorithm>
#include <set>

#include "ir/kernel/analysis.h"
#include "ir/kernel/gpu_mapping.h"
#include "ir/kernel/index_analysis.h"
#include "ir/kernel/load_sites.h"
#include "ir/kernel/walk.h"
#include "support/int_math.h"

namespace dlc::kir {
namespace {

// Reduced extents from which splitting pays for a second launch.
constexpr int64_t kMinExtent = 4096;
// Rows (outputs) so few that a block per row leaves the GPU idle.
constexpr int64_t kFewRows = 256;
constexpr int kThreads = 256;
// Stage blocks to aim for: several waves on any GPU of today.
constexpr int64_t kTargetBlocks = 1024;
// Steps each thread takes at least in a chunk.
constexpr int64_t kMinSteps = 8;
constexpr int kMaxStages = 4;

class Finder {
 public:
  Finder(const std::vector<const ForStmt*>& nest, std::span<const Stmt> stmts, const Var& u, const Var& o)
      : nest_(nest), stmts_(stmts), u_(u), o_(o) {}

  bool addReductions(const ExprRef& e);
  bool assignLevels();
  bool outputsFastest();
  SplitReductions out;

 private:
  int levelOf(const ExprRef& e) const;

  const std::vector<const ForStmt*>& nest_;
  std::span<const Stmt> stmts_;
  Var u_, o_;
};

bool Finder::addReductions(const ExprRef& e) {
  if (const auto* r = e->as<ReduceExpr>()) {
    if (out.reduction_of.contains(e.get())) return true;
    SplitReduction red{e.get(), r, e->type, {r}};
    ExprRef body = r->body;
    while (const auto* inner = body->as<ReduceExpr>()) {
      if (inner->op != r->op || body->type != e->type || !isReduceIdentity(inner->init, r->op)) return false;
      red.nest.push_back(inner);
      body = inner->body;
    }
    if (holdsReduce(r->init) || holdsReduce(body)) return false;
    int64_t extent = 1;
    for (const ReduceExpr* n : red.nest)
      if (n->hi <= n->lo || __builtin_mul_overflow(extent, n->hi - n->lo, &extent)) return false;
    if (out.extent != 0 && extent != out.extent) return false;
    out.extent = extent;
    // The nest's indices as digits of the split counter; loads' indices folded.
    Bindings digits;
    int64_t stride = 1;
    for (size_t k = red.nest.size(); k-- > 0;) {
      const ReduceExpr* n = red.nest[k];
      digits[n->var.id] = digitOf(u_, n->lo, stride, n->hi - n->lo, k == 0);
      stride *= n->hi - n->lo;
    }
    red.summand = rewrite(body, [&](const ExprRef& node) -> ExprRef {
      if (const auto* l = node->as<LoadExpr>()) return load(l->buffer, node->type, simplifyIndex(l->index, digits));
      if (const auto* v = node->as<VarExpr>(); v && digits.contains(v->var.id)) return digits.at(v->var.id);
      return nullptr;
    });
    out.reduction_of[e.get()] = out.reductions.size();
    out.reductions.push_back(std::move(red));
    return true;
  }
  bool ok = true;
  forEachChild(*e, [&](const ExprRef& x) { ok = ok && addReductions(x); });
  return ok;
}

// The highest level among the row lets `e` reads and the reductions in it.
int Finder::levelOf(const ExprRef& e) const {
  int level = 0;
  for (int id : freeVars(e))
    if (auto it = out.let_level.find(id); it != out.let_level.end()) level = std::max(level, it->second);
  rewrite(e, [&](const ExprRef& node) -> ExprRef {
    if (auto it = out.reduction_of.find(node.get()); it != out.reduction_of.end())
      level = std::max(level, out.reductions[it->second].level);
    return nullptr;
  });
  return level;
}

// A reduction runs in the stage after the lets its summand reads.
bool Finder::assignLevels() {
  for (const Stmt& s : stmts_) {
    ExprRef value = s.as<LetStmt>() ? s.as<LetStmt>()->value : s.as<StoreStmt>()->value;
    rewrite(value, [&](const ExprRef& node) -> ExprRef {
      if (auto it = out.reduction_of.find(node.get()); it != out.reduction_of.end()) {
        SplitReduction& r = out.reductions[it->second];
        if (r.level == 0) r.level = 1 + levelOf(r.outer->body);
        out.stages = std::max(out.stages, r.level);
        return node;  // no reductions inside
      }
      return nullptr;
    });
    if (const auto* l = s.as<LetStmt>()) out.let_level[l->var.id] = levelOf(l->value);
  }
  return out.stages >= 1 && out.stages <= kMaxStages;
}

// Whether neighbouring outputs, not neighbouring steps, read neighbouring
// elements (an NHWC channel sum).
bool Finder::outputsFastest() {
  Bindings bindings;
  int64_t stride = 1;
  for (size_t k = nest_.size(); k-- > 0;) {
    const ForStmt* f = nest_[k];
    bindings[f->var.id] = digitOf(o_, f->lo, stride, f->hi - f->lo, k == 0);
    stride *= f->hi - f->lo;
  }
  for (const Stmt& s : stmts_)
    if (const auto* l = s.as<LetStmt>(); l && out.let_level[l->var.id] == 0 && !readsMemory(l->value))
      bindings[l->var.id] = l->value;
  bool along_outputs = false, along_steps = false;
  for (const SplitReduction& r : out.reductions) {
    std::vector<LoadSite> sites;
    collectLoads(r.summand, true, bindings, sites);
    for (const LoadSite& s : sites) {
      if (s.key.empty()) continue;
      LaneStep by_output = laneStep(s.index, o_.id, 1), by_step = laneStep(s.index, u_.id, 1);
      along_outputs = along_outputs || (by_output.kind == LaneStep::Kind::kAffine && by_output.stride == 1);
      along_steps = along_steps || (by_step.kind == LaneStep::Kind::kAffine && by_step.stride == 1);
    }
  }
  return along_outputs && !along_steps;
}

}  // namespace

std::optional<SplitReductions> findSplitReductions(const Kernel& kernel, const std::vector<const ForStmt*>& nest,
                                                   std::span<const Stmt> stmts, const Var& u, const Var& o) {
  if (std::any_of(kernel.buffers.begin(), kernel.buffers.end(),
                  [](const Buffer& b) { return b.role == BufferRole::kLocal; }))
    return std::nullopt;
  Finder f(nest, stmts, u, o);
  for (const Stmt& s : stmts) {
    if (const auto* l = s.as<LetStmt>()) {
      if (!f.addReductions(l->value)) return std::nullopt;
    } else if (const auto* st = s.as<StoreStmt>()) {
      if (holdsReduce(st->index) || !f.addReductions(st->value)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (f.out.reductions.empty()) return std::nullopt;
  // Launches run in order: what one stores, a later one must not read.
  std::set<BufferId> stored = storedBuffers(stmts), loaded = loadedBuffers(stmts);
  if (std::any_of(stored.begin(), stored.end(), [&](BufferId b) { return loaded.contains(b); })) return std::nullopt;
  if (!f.assignLevels()) return std::nullopt;
  f.out.rows = 1;
  for (const ForStmt* l : nest) f.out.rows *= std::max<int64_t>(l->hi - l->lo, 0);
  f.out.outputs_fastest = f.outputsFastest();
  return std::move(f.out);
}

std::optional<SplitShape> chooseSplitShape(const SplitReductions& split) {
  int64_t rows = split.rows, extent = split.extent;
  if (extent < kMinExtent) return std::nullopt;
  bool fastest = split.outputs_fastest;
  if (rows > kFewRows && !(fastest && rows < kRowsForThreadPerRow)) return std::nullopt;
  SplitShape shape;
  shape.threads = kThreads;
  shape.tile = static_cast<int>(fastest ? std::min<int64_t>(kThreads, pow2AtLeast(rows)) : 1);
  int64_t lanes = kThreads / shape.tile;
  shape.blocks = std::max<int64_t>(1, ceilDiv(rows, shape.tile));  // an empty nest launches nothing
  int64_t chunks =
      std::clamp<int64_t>(ceilDiv(kTargetBlocks, shape.blocks), 1, std::max<int64_t>(1, extent / (lanes * kMinSteps)));
  chunks = std::min<int64_t>(chunks, 65535);
  shape.chunk = ceilDiv(ceilDiv(extent, chunks), lanes) * lanes;
  shape.chunks = ceilDiv(extent, shape.chunk);
  return shape;
}

}  // namespace dlc::kir
