// The stages of `dlc compile --emit` after the graph IR: fusion groups,
// Graphviz, kernel IR, LLVM IR, assembly, CUDA C++, PTX and the execution
// plan, for one function compiled with every symbolic dim bound to --batch.
#ifndef DLC_TOOLS_DLC_EMIT_KERNELS_H_
#define DLC_TOOLS_DLC_EMIT_KERNELS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "codegen/lower/plan.h"
#include "ir/ir.h"

namespace dlc::tool {

struct KernelEmitOptions {
  std::string stage;  // fusion | dot | kernel-ir | llvm | asm | cuda | ptx | plan
  int64_t batch = 1;
  bool remarks = false;        // fusion remarks to stderr
  std::string arch = "sm_90";  // for ptx
  // Lower for a GPU (--target cuda...): the GPU schedule and the library
  // calls CudaFunction plans (DLC_CUDA_LIBRARIES). The cuda and ptx stages
  // always are.
  bool gpu = false;
  // The CPU the CPU stages are for (codegen/llvm/cpu_target.h): "" is this machine.
  std::string cpu_target;
  // --disable-pass and --print-ir-after for the kernel stages.
  codegen::KernelStageOptions stages;
  // --precision tf32: GPU library calls on f32 may use TF32 tensor cores.
  bool allow_tf32 = false;
};

bool isKernelStage(const std::string& stage);

absl::StatusOr<std::string> emitKernelStage(const ir::Function& function, const KernelEmitOptions& options);

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_EMIT_KERNELS_H_
