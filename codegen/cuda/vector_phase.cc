#include "codegen/cuda/vector_phase.h"

#include "codegen/cuda/syntax.h"
#include "ir/kernel/gpu_packs.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen::cuda {

absl::StatusOr<PhaseText> emitVectorPhase(const kir::Kernel& kernel, const Phase& phase, const std::string& name) {
  const int width = phase.mark.width;
  int64_t total = tripCount(phase.nest);
  kir::Var flat = kir::gpuCounter(kernel, kir::GpuCounter::kFlat);
  kir::PhasePacks packs = kir::findPhasePacks(kernel, phase.nest, phase.stmts, flat, width);
  if (packs.empty()) return absl::InternalError(strCat("cuda: nothing of gpu(vector, width=", width, ") packs"));
  auto packType = [&](kir::BufferId b) {
    return strCat("dlc_pack<", cudaType(kernel.buffers[b].dtype), ", ", width, ">");
  };
  auto loadName = [](size_t i) { return strCat("pk", i); };
  auto storeName = [](size_t i) { return strCat("st", i); };

  PhaseText out;
  CudaLaunch launch;
  launch.name = name;
  int64_t groups = total / width;
  launch.block_x = phase.mark.threads;
  launch.grid_x = phase.mark.blocks;
  BodyWriter w(kernel, &out.text);
  w.setOverrides(BodyWriter::Overrides{.lets_maybe_unused = true});
  RETURN_IF_ERROR(openKernel(w, kernel, phase, launch, false));
  std::string_view counter = counterType(total);
  std::string first = w.varName(flat);
  w.line(1, strCat("for (", counter, " grp = blockIdx.x * (", counter, ")blockDim.x + threadIdx.x; grp < ", groups,
                   "; grp += gridDim.x * (", counter, ")blockDim.x) {"));
  // In the counter's type, so that index arithmetic stays 32-bit where it can.
  w.line(2, strCat("const ", counter, " item0 = grp * (", counter, ")", width, ";"));
  w.line(2, strCat("const long long ", first, " = (long long)item0;"));
  for (size_t i = 0; i < packs.loads.size(); ++i) {
    const kir::PackAccess& p = packs.loads[i];
    ASSIGN_OR_RETURN(std::string index, w.expr(*p.first_lane, 2, false));
    w.line(2, strCat("const ", packType(p.buffer), " ", loadName(i), " = dlc_load_pack<", width, ">(&",
                     w.bufferName(p.buffer), "[", index, "]);"));
  }
  for (size_t i = 0; i < packs.stores.size(); ++i)
    w.line(2, strCat(packType(packs.stores[i].buffer), " ", storeName(i), ";"));
  w.line(2, "#pragma unroll");
  w.line(2, strCat("for (int lane = 0; lane < ", width, "; ++lane) {"));
  bindNest(w, phase.nest, "(item0 + lane)", 3, /*maybe_unused=*/true);
  w.setOverrides(BodyWriter::Overrides{.value = [&](const kir::Expr& e) -> std::optional<std::string> {
                                         auto it = packs.load_of.find(&e);
                                         if (it == packs.load_of.end()) return std::nullopt;
                                         return strCat(loadName(it->second), ".v[lane]");
                                       },
                                       .reduce = nullptr,
                                       .store_target = [&](const kir::StoreStmt& s) -> std::optional<std::string> {
                                         auto it = packs.store_of.find(&s);
                                         if (it == packs.store_of.end()) return std::nullopt;
                                         return strCat(storeName(it->second), ".v[lane]");
                                       },
                                       .lets_maybe_unused = true});
  RETURN_IF_ERROR(w.thread(phase.stmts, 3, true));
  w.setOverrides({});
  w.line(2, "}");
  for (size_t i = 0; i < packs.stores.size(); ++i) {
    const kir::PackAccess& p = packs.stores[i];
    ASSIGN_OR_RETURN(std::string index, w.expr(*p.first_lane, 2, false));
    w.line(2, strCat("dlc_store_pack<", width, ">(&", w.bufferName(p.buffer), "[", index, "], ", storeName(i), ");"));
  }
  w.line(1, "}");
  if (total % width != 0) {
    // The items after the last whole group, one per thread.
    w.line(1,
           strCat("for (", counter, " flat = ", groups * width, " + blockIdx.x * (", counter,
                  ")blockDim.x + threadIdx.x; flat < ", total, "; flat += gridDim.x * (", counter, ")blockDim.x) {"));
    bindNest(w, phase.nest, "flat", 2);
    RETURN_IF_ERROR(w.thread(phase.stmts, 2, true));
    w.line(1, "}");
  }
  w.line(0, "}");
  out.launches.push_back(launch);
  return out;
}

}  // namespace dlc::codegen::cuda
