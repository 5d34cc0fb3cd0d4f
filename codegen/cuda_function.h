// A function compiled for a CUDA device for one set of input shapes: the
// lowered kernels, their CUDA C++ (codegen/cuda/emitter.h), the cubin NVRTC
// made of it (through the disk kernel cache), the loaded module and the
// executor that runs the plan (runtime/cuda/executor.h). What `--target cuda`
// runs for `dlc run`, `grad` and `train`; the CUDA twin of cpu_function.h.
#ifndef DLC_CODEGEN_CUDA_FUNCTION_H_
#define DLC_CODEGEN_CUDA_FUNCTION_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "codegen/cuda/emitter.h"
#include "codegen/lower/plan.h"
#include "runtime/cuda/device.h"
#include "runtime/cuda/executor.h"
#include "runtime/cuda/program.h"

namespace dlc::codegen {

struct CudaCompileOptions {
  LowerOptions lower;  // schedule.cpu is always turned off; library is `libraries`
  // Ops handed to cuBLASLt and cuDNN (DLC_CUDA_LIBRARIES). CudaFunction
  // turns off a library that cannot be loaded on this machine.
  LibraryOptions libraries = LibraryOptions::forCudaFromEnvironment();
  // "sm_90" (or "compute_90" for PTX): what NVRTC compiles for. Empty: the
  // device's own arch. An sm_XX other than the device's is compiled as
  // compute_XX PTX for the driver to finish (older arches run on newer GPUs
  // that way; a newer one than the device is an error).
  std::string arch;
  // Passed to NVRTC after dlc's own options; part of the cache key.
  std::vector<std::string> nvrtc_options;
  // The kernel cache: off, or in `cache_dir` (default
  // codegen::KernelCache::defaultDirectory()).
  bool use_cache = true;
  std::optional<std::filesystem::path> cache_dir;
  runtime::cuda::ExecutorOptions executor = runtime::cuda::ExecutorOptions::fromEnvironment();
};

struct CudaCompileTimes {
  double lower_ms = 0;     // fusion, kernel IR, plan
  double emit_ms = 0;      // kernel IR -> CUDA C++
  double nvrtc_ms = 0;     // NVRTC, or reading the cache entry on a hit
  double load_ms = 0;      // cuModuleLoadData, kernel lookup
  double executor_ms = 0;  // device memory, and the cuBLASLt and cuDNN handles and plans
  bool cache_hit = false;
};

// A function compiled to a cubin or PTX, not loaded: what compile() does
// before it needs a device.
struct CudaCompiled {
  LoweredFunction lowered;
  cuda::CudaModule module;  // the source and each kernel's launches
  std::string arch;         // what `image` was compiled for
  std::string image;        // cubin (sm_XX) or PTX (compute_XX)
  CudaCompileTimes times;   // load_ms is 0
  int launches = 0;         // __global__ functions in the source
};

// Lowers, emits and compiles with NVRTC for `arch` ("sm_80", "compute_90"),
// without a device. `driver_version` goes into the cache key ("" without a
// device). Errors: the lowering's and emitter's; NVRTC's log as InvalidArgument; FailedPrecondition without libnvrtc.
absl::StatusOr<CudaCompiled> compileCudaModuleOnly(const ir::Function& function,
                                                   std::span<const std::vector<int64_t>> input_shapes,
                                                   std::string_view arch, const CudaCompileOptions& options = {},
                                                   std::string_view driver_version = "");

class CudaFunction {
 public:
  // Opens the default device (Unavailable without a driver or GPU), then
  // compileCudaModuleOnly for the device's arch, loads the module, resolves
  // every launch and creates the executor (device memory is allocated here;
  // cuBLASLt and cuDNN plan their calls). Should a library fail to plan a
  // call, compiles again without library calls and says so on stderr.
  static absl::StatusOr<std::unique_ptr<CudaFunction>> compile(const ir::Function& function,
                                                               std::span<const std::vector<int64_t>> input_shapes,
                                                               const CudaCompileOptions& options = {});
  ~CudaFunction();

  // Not thread-safe: one call at a time.
  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs,
                                                   const runtime::TensorMap& params,
                                                   const runtime::cuda::RunOptions& options,
                                                   runtime::TensorMap* assigned = nullptr);

  // Parameters the device holds newer than the caller (RunOptions::
  // keep_writes_on_device; runtime/cuda/executor.h).
  bool hasResidentParams() const { return program_->executor().hasResident(); }
  absl::StatusOr<runtime::TensorMap> downloadResidentParams() { return program_->executor().downloadResident(); }
  void dropResidentParams() { program_->executor().dropResident(); }

  const LoweredFunction& lowered() const { return compiled_.lowered; }
  const cuda::CudaModule& cudaModule() const { return compiled_.module; }
  const std::string& arch() const { return compiled_.arch; }
  const CudaCompileTimes& times() const { return compiled_.times; }
  const runtime::cuda::Executor& executor() const { return program_->executor(); }

 private:
  CudaFunction() = default;
  // compile() on a device for `arch`, with exactly `options`' libraries.
  static absl::StatusOr<std::unique_ptr<CudaFunction>> build(runtime::cuda::CudaDevice& device,
                                                             const ir::Function& function,
                                                             std::span<const std::vector<int64_t>> input_shapes,
                                                             const std::string& arch,
                                                             const CudaCompileOptions& options);
  CudaCompiled compiled_;
  std::unique_ptr<runtime::cuda::Program> program_;
};

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_CUDA_FUNCTION_H_
