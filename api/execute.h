// Runs a function of a model's module on the model's target: the reference
// interpreter for `reference`, or code compiled for the CPU, compiled once per
// function and input shapes and kept in the model (so a new batch size
// compiles once, and every later call with it reuses the code).
//
// On a CUDA target a call that writes parameters (a training step) leaves
// the large writes on the device: `assigned` receives only the small ones
// (step counters), and the executor keeps the rest for the next call, so a
// training loop moves its batch and metrics, not every weight, each step.
// impl.device_weights then names the function holding them; any other use
// of the weights syncs them back first. DLC_CUDA_KEEP_WEIGHTS=0 turns this
// off (every write comes back every call).
#ifndef DLC_API_EXECUTE_H_
#define DLC_API_EXECUTE_H_

#include <span>
#include <string>
#include <vector>

#include "api/model_impl.h"

namespace dlc {

bool isCudaTarget(const std::string& target);

absl::StatusOr<std::vector<Tensor>> execute(Model::Impl& impl, const ir::Module& module, const ir::Function& function,
                                            const std::vector<Tensor>& args, const reference::InterpretOptions& options,
                                            reference::ParamMap* assigned = nullptr);

// The code compiled for `function` and these argument shapes, compiled on
// first use and kept in impl.
absl::StatusOr<codegen::CpuFunction*> compiledCpu(Model::Impl& impl, const ir::Function& function,
                                                  std::span<const std::vector<int64_t>> shapes);
absl::StatusOr<codegen::CudaFunction*> compiledCuda(Model::Impl& impl, const ir::Function& function,
                                                    std::span<const std::vector<int64_t>> shapes);
std::vector<std::vector<int64_t>> shapesOf(const std::vector<Tensor>& args);

// Copies the weights a CUDA function holds newer than impl.weights back
// into impl.weights (nothing when none does).
absl::Status syncWeights(Model::Impl& impl);
// impl.weights were replaced: the device copies are stale, not newer.
void dropDeviceWeights(Model::Impl& impl);

}  // namespace dlc

#endif  // DLC_API_EXECUTE_H_
