// How the CUDA code of one plan kernel runs: its launches of __global__
// functions, in order. The emitter (codegen/cuda/emitter.h) makes them; the
// runtime binds them (program.h); an artifact stores them. Plain data.
#ifndef DLC_RUNTIME_CUDA_LAUNCH_PLAN_H_
#define DLC_RUNTIME_CUDA_LAUNCH_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::runtime::cuda {

// One launch of an extern "C" __global__ function. Its parameters are the
// kernel's buffers in kernel order, without `local` ones (scratch buffers
// are parameters: the runtime allocates them).
struct LaunchPlan {
  std::string name;
  int64_t grid_x = 1, grid_y = 1;
  int block_x = 1;
  int shared_bytes = 0;  // dynamic shared memory

  friend bool operator==(const LaunchPlan&, const LaunchPlan&) = default;
};

// The launches that compute Executable::kernels[i] (named `kernel`).
struct KernelLaunches {
  std::string kernel;
  std::vector<LaunchPlan> launches;

  friend bool operator==(const KernelLaunches&, const KernelLaunches&) = default;
};

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_LAUNCH_PLAN_H_
