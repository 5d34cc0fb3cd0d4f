#include "codegen/cuda/emitter.h"

#include <algorithm>
#include <span>

#include "codegen/cuda/body_writer.h"
#include "codegen/cuda/phase.h"
#include "codegen/cuda/prelude.h"
#include "codegen/cuda/row_phase.h"
#include "codegen/cuda/split_phase.h"
#include "codegen/cuda/syntax.h"
#include "codegen/cuda/vector_phase.h"
#include "ir/kernel/analysis.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::ForStmt;
using kir::Stmt;

// Reductions shorter than this stay sequential in a thread: a block per row
// would leave most of its threads idle.
constexpr int64_t kMinBlockReduce = 32;

// The nest of parallel/vector loops that each enclose exactly the next.
std::vector<const ForStmt*> parallelNest(const ForStmt& outer) {
  std::vector<const ForStmt*> nest = {&outer};
  while (nest.back()->body.size() == 1) {
    const ForStmt* inner = nest.back()->body[0].as<ForStmt>();
    if (!inner || (inner->kind != kir::LoopKind::kParallel && inner->kind != kir::LoopKind::kVector)) break;
    nest.push_back(inner);
  }
  return nest;
}

// Whether the threads of a block splitting `r` (its innermost nested
// reduction) read memory contiguously.
bool reductionReadsContiguously(const kir::Expr& value) {
  const auto* r = value.as<kir::ReduceExpr>();
  if (!r) return true;
  while (const auto* inner = r->body->as<kir::ReduceExpr>()) r = inner;
  return kir::loadsContiguousIn(r->body, r->var.id, /*require_contiguous=*/true);
}

// A row body is worth a block when a `let` at row level reduces enough,
// unless there are rows enough to give each its own thread and the block's
// threads would read strided memory (a convolution's kernel gradient: there
// neighbouring rows, not reduction steps, are contiguous).
bool worthBlockPerRow(std::span<const Stmt> body, int64_t rows) {
  for (const Stmt& stmt : body) {
    auto* l = stmt.as<kir::LetStmt>();
    if (!l || !hasReduce(*l->value) || blockWorkExtent(std::span(&stmt, 1)) < kMinBlockReduce) continue;
    if (rows >= kRowsForThreadPerRow && !reductionReadsContiguously(*l->value)) continue;
    return true;
  }
  return false;
}

bool isParallelFor(const Stmt& stmt) {
  auto* f = stmt.as<ForStmt>();
  return f && (f->kind == kir::LoopKind::kParallel || f->kind == kir::LoopKind::kVector);
}

std::vector<Phase> plan(const kir::Kernel& kernel) {
  std::span<const Stmt> body = kernel.body;
  std::vector<Phase> phases;
  std::vector<const Stmt*> lets;
  bool lets_load = false, serial_block_work = false;
  for (size_t i = 0; i < body.size();) {
    const Stmt& stmt = body[i];
    if (isParallelFor(stmt)) {
      Phase phase{Phase::Kind::kGridStride, parallelNest(*stmt.as<ForStmt>()), {}, lets};
      phase.stmts = phase.nest.back()->body;
      if (worthBlockPerRow(phase.stmts, tripCount(phase.nest))) phase.kind = Phase::Kind::kRows;
      phases.push_back(std::move(phase));
      ++i;
      continue;
    }
    // A run of other statements (lets among them, in order) is one phase.
    size_t end = i;
    for (; end < body.size() && !isParallelFor(body[end]); ++end) {
      serial_block_work = serial_block_work || hasBlockWork(body[end]);
      if (auto* l = body[end].as<kir::LetStmt>()) lets_load = lets_load || hasLoad(*l->value);
    }
    bool only_lets = std::all_of(body.begin() + i, body.begin() + end,
                                 [](const Stmt& s) { return s.as<kir::LetStmt>() != nullptr; });
    if (!only_lets) phases.push_back(Phase{Phase::Kind::kThread, {}, body.subspan(i, end - i), lets});
    for (size_t j = i; j < end; ++j)
      if (body[j].as<kir::LetStmt>()) lets.push_back(&body[j]);
    i = end;
  }
  // One block runs everything when serial statements need a block (a
  // whole-tensor reduction) or when replaying top-level lets in later
  // launches could read what earlier ones wrote.
  if (serial_block_work || (lets_load && phases.size() > 1))
    return {Phase{Phase::Kind::kBlock, {}, body, {}}};
  return phases;
}

// The mappings the emitter started with, for every phase: a grid-stride loop
// of one item per thread, one block per row, one block, one thread.
absl::StatusOr<PhaseText> emitPlainPhase(const kir::Kernel& kernel, const Phase& phase, std::string name) {
  PhaseText out;
  CudaLaunch launch;
  launch.name = name;
  BodyWriter w(kernel, &out.text);
  int64_t total = tripCount(phase.nest);
  bool blockwide = phase.kind == Phase::Kind::kRows || phase.kind == Phase::Kind::kBlock;
  switch (phase.kind) {
    case Phase::Kind::kGridStride:
      launch.block_x = threadsFor(total);
      launch.grid_x = std::clamp<int64_t>((total + launch.block_x - 1) / launch.block_x, 1, kMaxBlocks);
      break;
    case Phase::Kind::kRows:
      launch.block_x = threadsFor(blockWorkExtent(phase.stmts));
      launch.grid_x = std::clamp<int64_t>(total, 1, kMaxBlocks);
      launch.shared_bytes = kReduceSharedBytes;
      break;
    case Phase::Kind::kBlock:
      launch.block_x = threadsFor(blockWorkExtent(phase.stmts));
      launch.shared_bytes = kReduceSharedBytes;
      break;
    case Phase::Kind::kThread:
      break;
  }
  // Locals are per thread, or shared by the block that works on one row.
  RETURN_IF_ERROR(openKernel(w, kernel, phase, launch, blockwide));
  std::string_view counter = counterType(total);
  switch (phase.kind) {
    case Phase::Kind::kGridStride:
      w.line(1, strCat("for (", counter, " flat = blockIdx.x * (", counter, ")blockDim.x + threadIdx.x; flat < ",
                       total, "; flat += gridDim.x * (", counter, ")blockDim.x) {"));
      bindNest(w, phase.nest, "flat", 2);
      RETURN_IF_ERROR(w.thread(phase.stmts, 2, true));
      w.line(1, "}");
      break;
    case Phase::Kind::kRows:
      w.line(1, strCat("for (", counter, " row = blockIdx.x; row < ", total, "; row += gridDim.x) {"));
      bindNest(w, phase.nest, "row", 2);
      RETURN_IF_ERROR(w.block(phase.stmts, 2, true));
      w.line(1, "}");
      break;
    case Phase::Kind::kBlock:
      RETURN_IF_ERROR(w.block(phase.stmts, 1, false));
      break;
    case Phase::Kind::kThread:
      RETURN_IF_ERROR(w.thread(phase.stmts, 1, false));
      break;
  }
  w.line(0, "}");
  out.launches.push_back(launch);
  return out;
}

// The first mapping that takes the phase; the plain one takes any.
absl::StatusOr<PhaseText> emitPhase(const kir::Kernel& kernel, const Phase& phase, const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<PhaseText> split, emitSplitPhase(kernel, phase, name));
  if (split) return *std::move(split);
  ASSIGN_OR_RETURN(std::optional<PhaseText> vector, emitVectorPhase(kernel, phase, name));
  if (vector) return *std::move(vector);
  ASSIGN_OR_RETURN(std::optional<PhaseText> rows, emitRowPhase(kernel, phase, name));
  if (rows) return *std::move(rows);
  return emitPlainPhase(kernel, phase, name);
}

template <typename Fn>
void forEachExpr(const kir::StmtList& stmts, const Fn& fn) {
  for (const Stmt& s : stmts) {
    if (auto* f = s.as<ForStmt>()) forEachExpr(f->body, fn);
    if (auto* l = s.as<kir::LetStmt>()) fn(*l->value);
    if (auto* st = s.as<kir::StoreStmt>()) fn(*st->index), fn(*st->value);
    if (auto* i = s.as<kir::IfStmt>()) fn(*i->cond), forEachExpr(i->then_body, fn);
  }
}

bool exprUsesType(const kir::Expr& e, kir::ScalarType type) {
  if (e.type == type) return true;
  bool found = false;
  auto visit = [&](const kir::ExprRef& x) { found = found || exprUsesType(*x, type); };
  if (auto* l = e.as<kir::LoadExpr>()) visit(l->index);
  if (auto* u = e.as<kir::UnaryExpr>()) visit(u->x);
  if (auto* b = e.as<kir::BinaryExpr>()) visit(b->lhs), visit(b->rhs);
  if (auto* s = e.as<kir::SelectExpr>()) visit(s->cond), visit(s->if_true), visit(s->if_false);
  if (auto* c = e.as<kir::CastExpr>()) visit(c->x);
  if (auto* r = e.as<kir::ReduceExpr>()) visit(r->init), visit(r->body);
  return found;
}

// Whether any buffer or value of the kernel has `type`.
bool usesType(const kir::Kernel& kernel, kir::ScalarType type) {
  bool found = std::any_of(kernel.buffers.begin(), kernel.buffers.end(),
                           [&](const kir::Buffer& b) { return b.dtype == type; });
  forEachExpr(kernel.body, [&](const kir::Expr& e) { found = found || exprUsesType(e, type); });
  return found;
}

}  // namespace

absl::StatusOr<CudaModule> emitCuda(const kir::KernelModule& module) {
  CudaModule result;
  std::string kernels_text;
  bool f16 = false, bf16 = false;
  for (const kir::Kernel& kernel : module.kernels) {
    CudaKernelPlan plan_out{kernel.name, {}};
    auto context = [&](const absl::Status& s) {
      return absl::Status(s.code(), strCat(s.message(), " in kernel '", kernel.name, "' (", kernel.origin, ")"));
    };
    f16 = f16 || usesType(kernel, kir::ScalarType::kF16);
    bf16 = bf16 || usesType(kernel, kir::ScalarType::kBF16);
    std::vector<Phase> phases = plan(kernel);
    phases.erase(std::remove_if(phases.begin(), phases.end(),
                                [](const Phase& p) { return !p.nest.empty() && tripCount(p.nest) == 0; }),
                 phases.end());
    std::string base = identifier(kernel.name);
    for (size_t p = 0; p < phases.size(); ++p) {
      std::string name = phases.size() == 1 ? base : strCat(base, "_", p);
      absl::StatusOr<PhaseText> text = emitPhase(kernel, phases[p], name);
      if (!text.ok()) return context(text.status());
      std::string origin = kernel.origin;
      std::replace(origin.begin(), origin.end(), '\n', ' ');
      // Module-scope arrays (a split reduction's partials) come before the launches.
      if (!text->globals.empty()) strAppend(&kernels_text, "\n", text->globals);
      strAppend(&kernels_text, "\n// origin: ", origin, "\n", text->text);
      for (const CudaLaunch& l : text->launches) plan_out.launches.push_back(l);
    }
    result.kernels.push_back(std::move(plan_out));
  }
  result.source = prelude(f16, bf16) + kernels_text;
  return result;
}

}  // namespace dlc::codegen::cuda
