// A compiled function ready to run on a CUDA device: its plan, the module
// loaded from a cubin or PTX, every launch bound to its function, and the
// executor. Built the same way from code NVRTC made a moment ago
// (codegen/cuda_function.h) and from a `.dlx` artifact.
#ifndef DLC_RUNTIME_CUDA_PROGRAM_H_
#define DLC_RUNTIME_CUDA_PROGRAM_H_

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "runtime/cuda/device.h"
#include "runtime/cuda/executor.h"
#include "runtime/cuda/launch_plan.h"
#include "runtime/executable.h"

namespace dlc::runtime::cuda {

class Program {
 public:
  // Loads `image` (a cubin or PTX), binds each kernel of `executable` to its
  // launches (matched by name) and creates the executor. `executable` must
  // outlive the program.
  static absl::StatusOr<std::unique_ptr<Program>> load(const CudaDevice& device, const runtime::Executable& executable,
                                                       std::span<const KernelLaunches> launches, std::string_view image,
                                                       ExecutorOptions options = ExecutorOptions::fromEnvironment());

  // Not thread-safe: one call at a time.
  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs,
                                                   const runtime::TensorMap& params, const RunOptions& options,
                                                   runtime::TensorMap* assigned = nullptr) {
    return executor_->run(inputs, params, options, assigned);
  }
  Executor& executor() { return *executor_; }
  const Executor& executor() const { return *executor_; }
  double loadMilliseconds() const { return load_ms_; }
  double executorMilliseconds() const { return executor_ms_; }

 private:
  Program() = default;
  std::unique_ptr<Module> module_;
  std::unique_ptr<Executor> executor_;
  double load_ms_ = 0, executor_ms_ = 0;
};

// Which code of an artifact a GPU of compute capability `major.minor` runs:
// the cubin of its architecture, else the newest cubin of the same major
// version and no newer minor (cubins are compatible that way), else the
// PTX when its architecture is not newer than the GPU's (the driver
// compiles it). Unavailable, naming what the artifact has and what the GPU
// is, when none fits. Returns the key: "sm_86" or the PTX's "compute_90".
absl::StatusOr<std::string> selectCudaImage(int major, int minor, std::string_view gpu_name,
                                            const std::map<std::string, std::string>& cubins,
                                            std::string_view ptx_arch);

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_PROGRAM_H_
