// The kernel stages of the pipeline by name (codegen/lower/plan.h runs them
// in this order), for --print-ir-after/--before, --disable-pass and
// `dlc opt FILE.kir -p NAME`. A stage that transforms kernel IR alone has a
// `run` and can be run from text; the others need the graph (fusion) or the
// plan (in-place, memory-plan) and run only inside the lowering.
#ifndef DLC_IR_KERNEL_PASSES_H_
#define DLC_IR_KERNEL_PASSES_H_

#include <functional>
#include <span>
#include <string_view>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// What a kernel transform may depend on: the target's vector registers.
struct KernelPassOptions {
  int vector_registers = 32;  // AVX-512's, the default of `dlc opt`
  int vector_bytes = 64;
};

struct KernelStageInfo {
  std::string_view name;
  std::string_view summary;
  // Rewrites one kernel; returns how many places changed. Null: the stage
  // is not a kernel-IR transform (see above).
  std::function<int(Kernel&, const KernelPassOptions&)> run;
};

std::span<const KernelStageInfo> kernelStages();
const KernelStageInfo* findKernelStage(std::string_view name);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_PASSES_H_
