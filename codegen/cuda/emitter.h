// Kernel IR -> CUDA C++ for NVRTC: one source string for a whole module and,
// per kernel, the launches that compute it.
//
// How loops map is decided before: the gpu-mapping stage
// (ir/kernel/gpu_mapping.h) marks each kernel and its top-level parallel
// loops (kernel_ir.h: GpuMark), and the emitter cuts the kernel into phases
// as the marks say and writes each as marked, with the mark's threads and
// blocks (a kernel that arrives unmapped, a test's, is mapped here first):
//  - gpu(grid_stride): the nest flattened into one index walked with a
//    grid-stride loop; its body runs per thread;
//  - gpu(block_per_row): each row to one block (grid-stride over rows): the
//    block's threads split each reduction (warp shuffles, then shared memory)
//    and the inner parallel loops;
//  - gpu(one_block) / gpu(one_thread): the kernel's statements outside marked
//    loops on one block, or each run of them on one thread;
//  - gpu(split): split_phase.h, gpu(vector): vector_phase.h,
//    gpu(row_groups): row_phase.h;
//  - anything else keeps its shape: serial loops stay loops, a ReduceExpr not
//    split by a block is a sequential loop in its thread, `if` is `if`.
// A kernel whose top-level statements need different mappings becomes
// several launches, run in order. Accumulating stores that other threads may
// also hit become atomicAdd. Integer arithmetic wraps (done in unsigned).
#ifndef DLC_CODEGEN_CUDA_EMITTER_H_
#define DLC_CODEGEN_CUDA_EMITTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/kernel/kernel_ir.h"
#include "runtime/cuda/launch_plan.h"

namespace dlc::codegen::cuda {

// One launch of an extern "C" __global__ function of the source
// (runtime/cuda/launch_plan.h).
using CudaLaunch = runtime::cuda::LaunchPlan;

// What the runtime does for one kir::Kernel, in module order.
struct CudaKernelPlan {
  std::string kernel;                // kir::Kernel::name
  std::vector<CudaLaunch> launches;  // in order
};

struct CudaModule {
  std::string source;
  std::vector<CudaKernelPlan> kernels;
};

// Errors: InvalidArgument for IR the CUDA backend cannot express (an op on a
// type it is not defined for, local arrays beyond shared memory).
absl::StatusOr<CudaModule> emitCuda(const kir::KernelModule& module);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_EMITTER_H_
