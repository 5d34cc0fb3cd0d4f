#include "ir/kernel/passes.h"

#include "ir/kernel/gpu_mapping.h"
#include "ir/kernel/register_tiling.h"

namespace dlc::kir {

std::span<const KernelStageInfo> kernelStages() {
  static const KernelStageInfo kStages[] = {
      {"library-selection", "GPU targets: matmuls and convolutions handed to cuBLASLt and cuDNN", nullptr},
      {"fusion",
       "group producers into consumers: elementwise chains, reductions with prologue and epilogue, "
       "matmul/conv epilogues",
       nullptr},
      {"winograd",
       "CPU: 3x3 stride-1 convolutions, their input and kernel gradients, with many channels as Winograd's "
       "F(2x2 or 4x4, 3x3): input and filter (or g) transforms, 16 or 36 GEMMs, the output transform in the group's "
       "kernel",
       nullptr},
      {"layout",
       "CPU: operands a kernel would gather along its vector loop read from a copy in another layout (the filter of "
       "a convolution's input gradient as HWOI)",
       nullptr},
      {"schedule", "one loop nest of kernel IR per fusion group (CPU: vector inner loop, local accumulators)", nullptr},
      {"register-tiling",
       "CPU: per-row reductions as vector lanes, then unroll-and-jam of parallel rows around a shared "
       "reduction with the accumulators in vector registers",
       [](Kernel& k, const KernelPassOptions& o) {
         RegisterTilingOptions tiling;
         tiling.vector_registers = o.vector_registers;
         tiling.vector_bytes = o.vector_bytes;
         return tileRegisters(k, tiling);
       }},
      {"gpu-mapping",
       "CUDA: each kernel's launches as marks: split reductions, packed vectors, row groups, grid-stride items, a "
       "block per row, one block or one thread, with threads and blocks",
       [](Kernel& k, const KernelPassOptions&) { return mapForGpu(k); }},
      {"in-place", "CPU: an elementwise output takes the memory of an operand that dies in its kernel", nullptr},
      {"memory-plan", "intermediates placed in one arena, largest first, by liveness", nullptr},
  };
  return kStages;
}

const KernelStageInfo* findKernelStage(std::string_view name) {
  for (const KernelStageInfo& s : kernelStages())
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace dlc::kir
