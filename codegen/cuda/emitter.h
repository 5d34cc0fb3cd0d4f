// Kernel IR -> CUDA C++ for NVRTC: one source string for a whole module and,
// per kernel, the launches that compute it.
//
// How loops map (the kernel IR says what is independent, not how to run it).
// The plan cuts a kernel's top-level statements into phases:
//  - a top-level nest of parallel/vector loops is flattened into one index
//    walked with a grid-stride loop; its body runs per thread;
//  - when that nest's body computes reductions in `let`s (softmax, layernorm:
//    a nest over rows, reductions, then inner loops), each row goes to one
//    block (grid-stride over rows): the block's threads split each reduction
//    (warp shuffles, then shared memory) and the inner parallel loops;
//  - top-level statements that are not parallel loops run on one block when
//    they hold reductions or parallel loops (a whole-tensor sum), else on one
//    thread;
//  - anything else keeps its shape: serial loops stay loops, a ReduceExpr not
//    split by a block is a sequential loop in its thread, `if` is `if`.
// Before those plain mappings, each phase is offered to the ones made for
// memory bandwidth, and the first that takes it writes it:
//  - split_phase.h: few outputs, long reductions (bias gradients, batchnorm
//    statistics, whole-tensor sums) split across blocks in two stages;
//  - vector_phase.h: straight-line elementwise bodies with 16-byte loads and
//    stores, four items a thread;
//  - row_phase.h: row reductions in one pass over memory, a block or a few
//    lanes of a warp per row, the row kept in registers.
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
