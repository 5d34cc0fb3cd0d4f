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
#include "ir/kernel/walk.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {
namespace {

using kir::ForStmt;
using kir::Stmt;

Phase::Kind phaseKind(kir::GpuKind kind) {
  switch (kind) {
    case kir::GpuKind::kGridStride: return Phase::Kind::kGridStride;
    case kir::GpuKind::kVector: return Phase::Kind::kVector;
    case kir::GpuKind::kBlockPerRow: return Phase::Kind::kRows;
    case kir::GpuKind::kRowGroups: return Phase::Kind::kRowGroups;
    case kir::GpuKind::kSplit: return Phase::Kind::kSplit;
    case kir::GpuKind::kOneBlock: return Phase::Kind::kBlock;
    case kir::GpuKind::kOneThread: break;
  }
  return Phase::Kind::kThread;
}

bool isMarkedLoop(const Stmt& stmt) {
  auto* f = stmt.as<ForStmt>();
  return f && f->gpu;
}

// The phases of a mapped kernel, as its marks cut it: each marked loop
// nest, and each run of other statements (lets among them, in order)
// unless it is only lets, which the later phases replay.
std::vector<Phase> plan(const kir::Kernel& kernel) {
  std::span<const Stmt> body = kernel.body;
  if (kernel.gpu->kind != kir::GpuKind::kOneThread)
    return {Phase{phaseKind(kernel.gpu->kind), {}, body, {}, *kernel.gpu}};
  std::vector<Phase> phases;
  std::vector<const Stmt*> lets;
  for (size_t i = 0; i < body.size();) {
    if (isMarkedLoop(body[i])) {
      const ForStmt& loop = *body[i].as<ForStmt>();
      Phase phase{phaseKind(loop.gpu->kind), kir::parallelNest(loop), {}, lets, *loop.gpu};
      phase.stmts = phase.nest.back()->body;
      phases.push_back(std::move(phase));
      ++i;
      continue;
    }
    size_t end = i;
    while (end < body.size() && !isMarkedLoop(body[end])) ++end;
    bool only_lets = std::all_of(body.begin() + i, body.begin() + end,
                                 [](const Stmt& s) { return s.as<kir::LetStmt>() != nullptr; });
    if (!only_lets) phases.push_back(Phase{Phase::Kind::kThread, {}, body.subspan(i, end - i), lets, *kernel.gpu});
    for (size_t j = i; j < end; ++j)
      if (body[j].as<kir::LetStmt>()) lets.push_back(&body[j]);
    i = end;
  }
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
  launch.block_x = phase.mark.threads;
  launch.grid_x = phase.mark.blocks;
  if (blockwide) launch.shared_bytes = kReduceSharedBytes;
  // Locals are per thread, or shared by the block that works on one row.
  RETURN_IF_ERROR(openKernel(w, kernel, phase, launch, blockwide));
  std::string_view counter = counterType(total);
  switch (phase.kind) {
    case Phase::Kind::kGridStride:
      w.line(1, strCat("for (", counter, " flat = blockIdx.x * (", counter, ")blockDim.x + threadIdx.x; flat < ", total,
                       "; flat += gridDim.x * (", counter, ")blockDim.x) {"));
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
    case Phase::Kind::kBlock: RETURN_IF_ERROR(w.block(phase.stmts, 1, false)); break;
    case Phase::Kind::kThread: RETURN_IF_ERROR(w.thread(phase.stmts, 1, false)); break;
    case Phase::Kind::kVector:
    case Phase::Kind::kRowGroups:
    case Phase::Kind::kSplit:
      return absl::InternalError("cuda: a vector, row-group or split phase reached the plain mappings");
  }
  w.line(0, "}");
  out.launches.push_back(launch);
  return out;
}

// The phase as its mark says.
absl::StatusOr<PhaseText> emitPhase(const kir::Kernel& kernel, const Phase& phase, const std::string& name) {
  switch (phase.kind) {
    case Phase::Kind::kVector: return emitVectorPhase(kernel, phase, name);
    case Phase::Kind::kRowGroups: return emitRowPhase(kernel, phase, name);
    case Phase::Kind::kSplit: return emitSplitPhase(kernel, phase, name);
    case Phase::Kind::kGridStride:
    case Phase::Kind::kRows:
    case Phase::Kind::kBlock:
    case Phase::Kind::kThread: return emitPlainPhase(kernel, phase, name);
  }
  return absl::InternalError("cuda: a phase of no known kind");
}

bool exprUsesType(const kir::Expr& e, kir::ScalarType type) {
  if (e.type == type) return true;
  bool found = false;
  kir::forEachChild(e, [&](const kir::ExprRef& x) { found = found || exprUsesType(*x, type); });
  return found;
}

// Whether any buffer or value of the kernel has `type`.
bool usesType(const kir::Kernel& kernel, kir::ScalarType type) {
  bool found =
      std::any_of(kernel.buffers.begin(), kernel.buffers.end(), [&](const kir::Buffer& b) { return b.dtype == type; });
  kir::forEachStmt(kernel.body, [&](const Stmt& s) {
    kir::forEachExpr(s, [&](const kir::ExprRef& e) { found = found || exprUsesType(*e, type); });
  });
  return found;
}

}  // namespace

absl::StatusOr<CudaModule> emitCuda(const kir::KernelModule& module) {
  CudaModule result;
  std::string kernels_text;
  bool f16 = false, bf16 = false;
  for (const kir::Kernel& given : module.kernels) {
    // A kernel that did not go through gpu-mapping (a test's) is mapped here.
    kir::Kernel mapped;
    if (!given.gpu) kir::mapForGpu(mapped = given);
    const kir::Kernel& kernel = given.gpu ? given : mapped;
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
