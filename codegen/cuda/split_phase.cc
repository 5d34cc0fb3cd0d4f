#include "codegen/cuda/split_phase.h"

#include <algorithm>
#include <map>
#include <set>

#include "codegen/cuda/syntax.h"
#include "ir/kernel/analysis.h"
#include "ir/kernel/gpu_split.h"
#include "ir/kernel/load_sites.h"
#include "support/int_math.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::ExprRef;
using kir::Stmt;

// The combine launches: a warp per output, eight a block.
constexpr int kThreads = 256;
constexpr int kCombineWarps = kThreads / 32;

// A reduction (ir/kernel/gpu_split.h) with the module array of its partials.
struct Reduction : kir::SplitReduction {
  std::string partials;
};

class SplitPhase {
 public:
  SplitPhase(const kir::Kernel& kernel, const Phase& phase)
      : kernel_(kernel),
        phase_(phase),
        u_{kir::gpuCounter(kernel, kir::GpuCounter::kSplitStep)},
        o_{kir::gpuCounter(kernel, kir::GpuCounter::kSplitOutput)} {}

  bool plan();
  absl::StatusOr<PhaseText> emit(const std::string& name);

 private:
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
  int64_t tile_ = 1, lanes_ = 1;  // threads along the outputs and along the extent
  int64_t chunk_ = 0, chunks_ = 1;
  std::string prefix_;  // of the module arrays
};

// The reductions as ir/kernel/gpu_split.h finds them; the shape from the mark.
bool SplitPhase::plan() {
  std::optional<kir::SplitReductions> found = kir::findSplitReductions(kernel_, phase_.nest, phase_.stmts, u_, o_);
  if (!found || (phase_.nest.empty() && !phase_.prefix.empty())) return false;
  for (kir::SplitReduction& r : found->reductions) reductions_.push_back(Reduction{std::move(r), ""});
  reduction_of_ = std::move(found->reduction_of);
  let_level_ = std::move(found->let_level);
  stages_ = found->stages;
  rows_ = found->rows;
  extent_ = found->extent;
  const kir::GpuMark& mark = phase_.mark;
  tile_ = mark.tile;
  lanes_ = mark.threads / mark.tile;
  chunk_ = mark.chunk;
  chunks_ = mark.chunks;
  for (const Stmt& s : phase_.stmts)
    if (const auto* l = s.as<kir::LetStmt>(); l && let_level_[l->var.id] >= 1 && let_level_[l->var.id] < stages_)
      values_[l->var.id] = "";
  return true;
}

void SplitPhase::bindRow(BodyWriter& w, const std::string& mine) {
  std::string_view counter = counterType(rows_ + std::max<int64_t>(kThreads, phase_.mark.threads));
  w.line(1, strCat("const ", counter, " mine = ", mine, ";"));
  w.line(1, strCat("[[maybe_unused]] const bool active = mine < ", rows_, ";"));
  w.line(1, strCat("const ", counter, " row = active ? mine : ", rows_ - 1, ";"));
  bindNest(w, phase_.nest, "row", 1, /*maybe_unused=*/true);
}

absl::Status SplitPhase::stage(int level, const std::string& name, PhaseText& out) {
  CudaLaunch launch;
  launch.name = strCat(name, "_part", level);
  launch.block_x = phase_.mark.threads;
  launch.grid_x = phase_.mark.blocks;
  launch.grid_y = chunks_;
  launch.shared_bytes = tile_ == 1 ? kReduceSharedBytes : (lanes_ > 1 ? phase_.mark.threads * 8 : 0);
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
    w.line(1, strCat(cudaType(accumulatorType(r->type)), " ", accs.back(), " = ", identityText(r->outer->op, r->type),
                     ";"));
  }
  std::string_view counter = counterType(extent_ + chunk_);
  w.line(1, strCat("const ", counter, " begin = (", counter, ")blockIdx.y * ", chunk_, ";"));
  w.line(1, strCat("const ", counter, " end = begin + ", chunk_, " < ", extent_, " ? begin + ", chunk_, " : ", extent_,
                   ";"));
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
    w.line(1, strCat("if (step_lane == 0 && active) ", r.partials, "[(long long)row * ", chunks_,
                     " + blockIdx.y] = ", accs[j], ";"));
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

absl::StatusOr<PhaseText> emitSplitPhase(const kir::Kernel& kernel, const Phase& phase, const std::string& name) {
  SplitPhase split(kernel, phase);
  if (!split.plan()) return absl::InternalError("cuda: a gpu(split) phase has no reductions to split");
  return split.emit(name);
}

}  // namespace dlc::codegen::cuda
