#include "tools/dlc/emit_kernels.h"

#include <iostream>

#include "codegen/cpu_function.h"
#include "codegen/cuda/emitter.h"
#include "codegen/cuda/nvrtc.h"
#include "codegen/llvm/native_code.h"
#include "codegen/lower/plan.h"
#include "ir/kernel/printer.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::tool {

bool isKernelStage(const std::string& stage) {
  return stage == "fusion" || stage == "dot" || stage == "kernel-ir" || stage == "llvm" || stage == "asm" ||
         stage == "cuda" || stage == "ptx" || stage == "plan";
}

absl::StatusOr<std::string> emitKernelStage(const ir::Function& function, const KernelEmitOptions& options) {
  std::vector<std::vector<int64_t>> shapes = codegen::argumentShapes(function, options.batch);
  const std::string& stage = options.stage;
  // GPU stages are lowered as CudaFunction lowers them, CPU stages for the CPU target.
  bool gpu = options.gpu || stage == "cuda" || stage == "ptx";
  ASSIGN_OR_RETURN(codegen::CpuTarget cpu, codegen::resolveCpuTarget(options.cpu_target));
  codegen::LowerOptions lower = codegen::cpuLowerOptions(cpu);
  lower.fusion.remarks = options.remarks;
  lower.schedule.cpu = !gpu;
  lower.stages = options.stages;
  if (gpu) lower.library = codegen::LibraryOptions::forCudaFromEnvironment();
  lower.library.allow_tf32 = gpu && options.allow_tf32;
  if ((stage == "fusion" || stage == "dot") && !lower.library.any() && lower.stages.disabled.empty()) {
    codegen::FusionPlan plan = codegen::fuse(function, lower.fusion);
    for (const std::string& remark : plan.remarks) std::cerr << "remark: " << remark << "\n";
    return stage == "dot" ? codegen::fusionDot(function, plan) : codegen::printFusion(function, plan);
  }
  ASSIGN_OR_RETURN(codegen::LoweredFunction lowered, codegen::lowerFunction(function, shapes, lower));
  for (const std::string& remark : lowered.fusion.remarks) std::cerr << "remark: " << remark << "\n";
  if (stage == "fusion") return codegen::printFusion(function, lowered.fusion);
  if (stage == "dot") return codegen::fusionDot(function, lowered.fusion);
  if (stage == "kernel-ir") return kir::printKernelModule(lowered.kernels);
  if (stage == "plan") return runtime::describeExecutable(lowered.executable);
  if (stage == "llvm") return codegen::emitLlvmIr(lowered.kernels, /*optimized=*/true, cpu);
  if (stage == "asm") return codegen::emitAssembly(lowered.kernels, cpu);
  ASSIGN_OR_RETURN(codegen::cuda::CudaModule cuda, codegen::cuda::emitCuda(lowered.kernels));
  if (stage == "cuda") return cuda.source;
  std::string compute_arch = options.arch;
  if (compute_arch.starts_with("sm_")) compute_arch = strCat("compute_", compute_arch.substr(3));
  ASSIGN_OR_RETURN(codegen::cuda::CompiledCuda compiled, codegen::cuda::compileCuda(cuda.source, compute_arch));
  return compiled.ptx;
}

}  // namespace dlc::tool
