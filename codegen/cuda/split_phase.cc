#include "codegen/cuda/split_phase.h"

#include <algorithm>
#include <map>
#include <set>

#include "ir/kernel/load_sites.h"
#include "codegen/cuda/syntax.h"
#include "ir/kernel/analysis.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::ExprRef;
using kir::Stmt;

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
constexpr int kCombineWarps = kThreads / 32;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t pow2AtLeast(int64_t n) {
  int64_t p = 1;
  while (p < n) p *= 2;
  return p;
}

// A row-level reduction; a nest of reductions of one combiner whose inner
// ones start from the identity is one reduction over their product.
struct Reduction {
  const kir::Expr* node;
  const kir::ReduceExpr* outer;
  kir::ScalarType type;
  std::vector<const kir::ReduceExpr*> nest;  // outermost first
  int level = 0;                             // the stage that computes its partials
  std::string partials;                      // the module's array
  ExprRef summand;                           // the innermost body, in the split counter
};

bool isIdentity(const ExprRef& e, kir::ReduceOp op) {
  const auto* c = e->as<kir::ConstExpr>();
  if (!c) return false;
  const auto* id = kir::reduceIdentity(op, e->type)->as<kir::ConstExpr>();
  return c->value == id->value && c->bits == id->bits;
}

// Var ids an expression reads.
std::set<int> varsOf(const ExprRef& e) { return kir::freeVars(e); }

class SplitPhase {
 public:
  SplitPhase(const kir::Kernel& kernel, const Phase& phase)
      : kernel_(kernel),
        phase_(phase),
        u_{unusedVarId(kernel, 3), kir::ScalarType::kI64, "u"},
        o_{unusedVarId(kernel, 4), kir::ScalarType::kI64, "o"} {}

  bool plan();
  absl::StatusOr<PhaseText> emit(const std::string& name);

 private:
  bool addReductions(const ExprRef& e);
  bool assignLevels();
  bool outputsFastest();
  int levelOf(const ExprRef& e) const;
  absl::Status stage(int level, const std::string& name, PhaseText& out);
  absl::Status combine(int level, const std::string& name, PhaseText& out);
  // `const long long row = ...` for a thread's output, clamped to the last.
  void bindRow(BodyWriter& w, const std::string& mine);

  const kir::Kernel& kernel_;
  const Phase& phase_;
  kir::Var u_;  // the split counter over the reduced extent
  kir::Var o_;  // the flat output index, for the analysis
  std::vector<Reduction> reductions_;
  std::map<const kir::Expr*, size_t> reduction_of_;
  std::map<int, int> let_level_;
  std::map<int, std::string> values_;  // lets that later launches read, by var id
  int stages_ = 0;
  int64_t rows_ = 1, extent_ = 0;
  int64_t tile_ = 1, lanes_ = kThreads;  // threads along the outputs and along the extent
  int64_t chunk_ = 0, chunks_ = 1;
  std::string prefix_;  // of the module arrays
};

bool SplitPhase::addReductions(const ExprRef& e) {
  if (const auto* r = e->as<kir::ReduceExpr>()) {
    if (reduction_of_.contains(e.get())) return true;
    Reduction red{e.get(), r, e->type, {r}};
    ExprRef body = r->body;
    while (const auto* inner = body->as<kir::ReduceExpr>()) {
      if (inner->op != r->op || body->type != e->type || !isIdentity(inner->init, r->op)) return false;
      red.nest.push_back(inner);
      body = inner->body;
    }
    if (holdsReduce(r->init) || holdsReduce(body)) return false;
    int64_t extent = 1;
    for (const kir::ReduceExpr* n : red.nest)
      if (n->hi <= n->lo || __builtin_mul_overflow(extent, n->hi - n->lo, &extent)) return false;
    if (extent_ != 0 && extent != extent_) return false;
    extent_ = extent;
    // The nest's indices as digits of the split counter; loads' indices folded.
    Bindings digits;
    int64_t stride = 1;
    for (size_t k = red.nest.size(); k-- > 0;) {
      const kir::ReduceExpr* n = red.nest[k];
      digits[n->var.id] = digitOf(u_, n->lo, stride, n->hi - n->lo, k == 0);
      stride *= n->hi - n->lo;
    }
    red.summand = kir::rewrite(body, [&](const ExprRef& node) -> ExprRef {
      if (const auto* l = node->as<kir::LoadExpr>())
        return kir::load(l->buffer, node->type, simplifyIndex(l->index, digits));
      if (const auto* v = node->as<kir::VarExpr>(); v && digits.contains(v->var.id)) return digits.at(v->var.id);
      return nullptr;
    });
    reduction_of_[e.get()] = reductions_.size();
    reductions_.push_back(std::move(red));
    return true;
  }
  bool ok = true;
  auto visit = [&](const ExprRef& x) { ok = ok && addReductions(x); };
  if (const auto* l = e->as<kir::LoadExpr>()) visit(l->index);
  if (const auto* u = e->as<kir::UnaryExpr>()) visit(u->x);
  if (const auto* b = e->as<kir::BinaryExpr>()) visit(b->lhs), visit(b->rhs);
  if (const auto* s = e->as<kir::SelectExpr>()) visit(s->cond), visit(s->if_true), visit(s->if_false);
  if (const auto* c = e->as<kir::CastExpr>()) visit(c->x);
  return ok;
}

// The highest level among the row lets `e` reads and the reductions in it.
int SplitPhase::levelOf(const ExprRef& e) const {
  int level = 0;
  for (int id : varsOf(e))
    if (auto it = let_level_.find(id); it != let_level_.end()) level = std::max(level, it->second);
  kir::rewrite(e, [&](const ExprRef& node) -> ExprRef {
    if (auto it = reduction_of_.find(node.get()); it != reduction_of_.end())
      level = std::max(level, reductions_[it->second].level);
    return nullptr;
  });
  return level;
}

// A reduction runs in the stage after the lets its summand reads.
bool SplitPhase::assignLevels() {
  for (const Stmt& s : phase_.stmts) {
    ExprRef value = s.as<kir::LetStmt>() ? s.as<kir::LetStmt>()->value : s.as<kir::StoreStmt>()->value;
    kir::rewrite(value, [&](const ExprRef& node) -> ExprRef {
      if (auto it = reduction_of_.find(node.get()); it != reduction_of_.end()) {
        Reduction& r = reductions_[it->second];
        if (r.level == 0) r.level = 1 + levelOf(r.outer->body);
        stages_ = std::max(stages_, r.level);
        return node;  // no reductions inside
      }
      return nullptr;
    });
    if (const auto* l = s.as<kir::LetStmt>()) let_level_[l->var.id] = levelOf(l->value);
  }
  return stages_ >= 1 && stages_ <= kMaxStages;
}

// Whether neighbouring outputs, not neighbouring steps, read neighbouring
// elements (an NHWC channel sum).
bool SplitPhase::outputsFastest() {
  Bindings bindings;
  int64_t stride = 1;
  for (size_t k = phase_.nest.size(); k-- > 0;) {
    const kir::ForStmt* f = phase_.nest[k];
    bindings[f->var.id] = digitOf(o_, f->lo, stride, f->hi - f->lo, k == 0);
    stride *= f->hi - f->lo;
  }
  for (const Stmt& s : phase_.stmts)
    if (const auto* l = s.as<kir::LetStmt>(); l && let_level_[l->var.id] == 0 && !readsMemory(l->value))
      bindings[l->var.id] = l->value;
  bool along_outputs = false, along_steps = false;
  for (const Reduction& r : reductions_) {
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

bool SplitPhase::plan() {
  bool rows = (phase_.kind == Phase::Kind::kRows || phase_.kind == Phase::Kind::kGridStride) && !phase_.nest.empty();
  bool block = phase_.kind == Phase::Kind::kBlock && phase_.nest.empty() && phase_.prefix.empty();
  if (!rows && !block) return false;
  if (std::any_of(kernel_.buffers.begin(), kernel_.buffers.end(),
                  [](const kir::Buffer& b) { return b.role == kir::BufferRole::kLocal; }))
    return false;
  for (const Stmt& s : phase_.stmts) {
    if (const auto* l = s.as<kir::LetStmt>()) {
      if (!addReductions(l->value)) return false;
    } else if (const auto* st = s.as<kir::StoreStmt>()) {
      if (holdsReduce(st->index) || !addReductions(st->value)) return false;
    } else {
      return false;
    }
  }
  if (reductions_.empty() || extent_ < kMinExtent) return false;
  // Launches run in order: what one stores, a later one must not read.
  std::set<kir::BufferId> stored = storedBuffers(phase_.stmts), loaded = loadedBuffers(phase_.stmts);
  if (std::any_of(stored.begin(), stored.end(), [&](kir::BufferId b) { return loaded.contains(b); })) return false;
  if (!assignLevels()) return false;
  rows_ = tripCount(phase_.nest);
  bool fastest = outputsFastest();
  if (rows_ > kFewRows && !(fastest && rows_ < kir::kRowsForThreadPerRow)) return false;
  tile_ = fastest ? std::min<int64_t>(kThreads, pow2AtLeast(rows_)) : 1;
  lanes_ = kThreads / tile_;
  int64_t tiles = ceilDiv(rows_, tile_);
  chunks_ = std::clamp<int64_t>(ceilDiv(kTargetBlocks, tiles), 1, std::max<int64_t>(1, extent_ / (lanes_ * kMinSteps)));
  chunks_ = std::min<int64_t>(chunks_, 65535);
  chunk_ = ceilDiv(ceilDiv(extent_, chunks_), lanes_) * lanes_;
  chunks_ = ceilDiv(extent_, chunk_);
  for (const Stmt& s : phase_.stmts)
    if (const auto* l = s.as<kir::LetStmt>(); l && let_level_[l->var.id] >= 1 && let_level_[l->var.id] < stages_)
      values_[l->var.id] = "";
  return true;
}

void SplitPhase::bindRow(BodyWriter& w, const std::string& mine) {
  std::string_view counter = counterType(rows_ + kThreads);
  w.line(1, strCat("const ", counter, " mine = ", mine, ";"));
  w.line(1, strCat("[[maybe_unused]] const bool active = mine < ", rows_, ";"));
  w.line(1, strCat("const ", counter, " row = active ? mine : ", rows_ - 1, ";"));
  bindNest(w, phase_.nest, "row", 1, /*maybe_unused=*/true);
}

absl::Status SplitPhase::stage(int level, const std::string& name, PhaseText& out) {
  CudaLaunch launch;
  launch.name = strCat(name, "_part", level);
  launch.block_x = kThreads;
  launch.grid_x = ceilDiv(rows_, tile_);
  launch.grid_y = chunks_;
  launch.shared_bytes = tile_ == 1 ? kReduceSharedBytes : (lanes_ > 1 ? kThreads * 8 : 0);
  BodyWriter w(kernel_, &out.text);
  if (!out.text.empty()) w.line(0, "");
  w.setOverrides(BodyWriter::Overrides{.lets_maybe_unused = true});
  RETURN_IF_ERROR(openKernel(w, kernel_, phase_, launch, false));
  w.line(1, strCat("const unsigned tile_lane = threadIdx.x % ", tile_, "u, step_lane = threadIdx.x / ", tile_, "u;"));
  bindRow(w, strCat("blockIdx.x * ", tile_, "u + tile_lane"));
  // The lets the summands read: recomputed, or written by an earlier launch.
  for (const Stmt& s : phase_.stmts) {
    const auto* l = s.as<kir::LetStmt>();
    if (!l || let_level_[l->var.id] >= level) continue;
    if (let_level_[l->var.id] == 0) {
      RETURN_IF_ERROR(w.thread(std::span(&s, 1), 1, false));
    } else {
      w.line(1, strCat("[[maybe_unused]] const ", cudaType(l->var.type), " ", w.varName(l->var), " = ",
                       values_.at(l->var.id), "[row];"));
    }
  }
  std::vector<const Reduction*> mine;
  for (const Reduction& r : reductions_)
    if (r.level == level) mine.push_back(&r);
  std::vector<std::string> accs;
  for (const Reduction* r : mine) {
    accs.push_back(w.temp("acc"));
    w.line(1, strCat(cudaType(accumulatorType(r->type)), " ", accs.back(), " = ",
                     identityText(r->outer->op, r->type), ";"));
  }
  std::string_view counter = counterType(extent_ + chunk_);
  w.line(1, strCat("const ", counter, " begin = (", counter, ")blockIdx.y * ", chunk_, ";"));
  w.line(1, strCat("const ", counter, " end = begin + ", chunk_, " < ", extent_, " ? begin + ", chunk_, " : ",
                   extent_, ";"));
  w.line(1, "#pragma unroll 4");
  w.line(1, strCat("for (", counter, " step = begin + step_lane; step < end; step += ", lanes_, ") {"));
  w.line(2, strCat("[[maybe_unused]] const long long ", w.varName(u_), " = (long long)step;"));
  for (size_t j = 0; j < mine.size(); ++j) {
    ASSIGN_OR_RETURN(std::string body, w.expr(*mine[j]->summand, 2, false));
    w.line(2, strCat(accs[j], " = ", combiner(mine[j]->outer->op), "(", accs[j], ", ", toWider(mine[j]->type, body),
                     ");"));
  }
  w.line(1, "}");
  // The block's partial per output: over the whole block, or its step lanes.
  for (size_t j = 0; j < mine.size(); ++j) {
    const Reduction& r = *mine[j];
    std::string acc_type(cudaType(accumulatorType(r.type)));
    if (tile_ == 1) {
      w.line(1, strCat(accs[j], " = dlc_block_reduce<", static_cast<int>(r.outer->op), ">(", accs[j], ", (", acc_type,
                       ")", identityText(r.outer->op, r.type), ");"));
    } else if (lanes_ > 1) {
      w.line(1, "{");
      w.line(2, strCat(acc_type, "* lanes = reinterpret_cast<", acc_type, "*>(dlc_smem);"));
      w.line(2, "__syncthreads();  // the previous partial's reads are done");
      w.line(2, strCat("lanes[threadIdx.x] = ", accs[j], ";"));
      w.line(2, "__syncthreads();");
      w.line(2, strCat("if (step_lane == 0)"));
      w.line(3, strCat("for (int t = 1; t < ", lanes_, "; ++t) ", accs[j], " = ", combiner(r.outer->op), "(", accs[j],
                       ", lanes[t * ", tile_, " + tile_lane]);"));
      w.line(1, "}");
    }
    w.line(1, strCat("if (step_lane == 0 && active) ", r.partials, "[(long long)row * ", chunks_, " + blockIdx.y] = ",
                     accs[j], ";"));
  }
  w.line(0, "}");
  out.launches.push_back(launch);
  return absl::OkStatus();
}

absl::Status SplitPhase::combine(int level, const std::string& name, PhaseText& out) {
  CudaLaunch launch;
  launch.name = strCat(name, "_comb", level);
  launch.block_x = kThreads;
  launch.grid_x = ceilDiv(rows_, kCombineWarps);
  BodyWriter w(kernel_, &out.text);
  w.line(0, "");
  w.setOverrides(BodyWriter::Overrides{
      .value = nullptr,
      .reduce = [&](const kir::Expr& e, const kir::ReduceExpr& r,
                    int indent) -> absl::StatusOr<std::optional<std::string>> {
        auto it = reduction_of_.find(&e);
        if (it == reduction_of_.end()) return std::nullopt;
        const Reduction& red = reductions_[it->second];
        std::string acc = w.temp("acc");
        std::string combine(combiner(r.op));
        w.line(indent, strCat(cudaType(accumulatorType(e.type)), " ", acc, " = ", identityText(r.op, e.type), ";"));
        w.line(indent, strCat("for (int q = lane; q < ", chunks_, "; q += 32) ", acc, " = ", combine, "(", acc, ", ",
                              red.partials, "[(long long)row * ", chunks_, " + q]);"));
        w.line(indent, strCat(acc, " = dlc_warp_reduce<", static_cast<int>(r.op), ">(", acc, ");"));
        ASSIGN_OR_RETURN(std::string init, w.expr(*r.init, indent, false));
        w.line(indent, strCat(acc, " = ", combine, "(", toWider(e.type, init), ", ", acc, ");"));
        return fromWider(e.type, acc);
      },
      .store_target = nullptr,
      .lets_maybe_unused = true});
  RETURN_IF_ERROR(openKernel(w, kernel_, phase_, launch, false));
  w.line(1, "const unsigned lane = threadIdx.x & 31u;");
  bindRow(w, strCat("blockIdx.x * ", kCombineWarps, "u + threadIdx.x / 32u"));
  for (const Stmt& s : phase_.stmts) {
    if (const auto* l = s.as<kir::LetStmt>()) {
      int let_level = let_level_[l->var.id];
      if (let_level > level) continue;
      std::string var = w.varName(l->var);
      if (let_level >= 1 && let_level < level) {
        w.line(1, strCat("[[maybe_unused]] const ", cudaType(l->var.type), " ", var, " = ", values_.at(l->var.id),
                         "[row];"));
        continue;
      }
      ASSIGN_OR_RETURN(std::string value, w.expr(*l->value, 1, true));
      w.line(1, strCat("[[maybe_unused]] const ", cudaType(l->var.type), " ", var, " = ", value, ";"));
      if (values_.contains(l->var.id) && let_level == level)
        w.line(1, strCat("if (lane == 0 && active) ", values_.at(l->var.id), "[row] = ", var, ";"));
    } else if (const auto* st = s.as<kir::StoreStmt>(); st && level == stages_) {
      ASSIGN_OR_RETURN(std::string index, w.expr(*st->index, 1, true));
      ASSIGN_OR_RETURN(std::string value, w.expr(*st->value, 1, true));
      w.line(1, "if (lane == 0 && active) {");
      RETURN_IF_ERROR(w.store(*st, index, value, 2, true));
      w.line(1, "}");
    }
  }
  w.setOverrides({});
  w.line(0, "}");
  out.launches.push_back(launch);
  return absl::OkStatus();
}

absl::StatusOr<PhaseText> SplitPhase::emit(const std::string& name) {
  PhaseText out;
  prefix_ = strCat("dlc_", name);
  for (size_t j = 0; j < reductions_.size(); ++j) {
    Reduction& r = reductions_[j];
    r.partials = strCat(prefix_, "_part", j);
    strAppend(&out.globals, "__device__ ", cudaType(accumulatorType(r.type)), " ", r.partials, "[", rows_ * chunks_,
              "];\n");
  }
  for (const Stmt& s : phase_.stmts)
    if (const auto* l = s.as<kir::LetStmt>(); l && values_.contains(l->var.id)) {
      values_[l->var.id] = strCat(prefix_, "_value", l->var.id);
      strAppend(&out.globals, "__device__ ", cudaType(l->var.type), " ", values_[l->var.id], "[", rows_, "];\n");
    }
  for (int level = 1; level <= stages_; ++level) {
    RETURN_IF_ERROR(stage(level, name, out));
    RETURN_IF_ERROR(combine(level, name, out));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<PhaseText>> emitSplitPhase(const kir::Kernel& kernel, const Phase& phase,
                                                        const std::string& name) {
  SplitPhase split(kernel, phase);
  if (!split.plan()) return std::nullopt;
  return split.emit(name);
}

}  // namespace dlc::codegen::cuda
