// Compiles CUDA C++ with NVRTC for the test's device and loads the module.
#ifndef DLC_TESTS_UNIT_RUNTIME_CUDA_NVRTC_HELPER_H_
#define DLC_TESTS_UNIT_RUNTIME_CUDA_NVRTC_HELPER_H_

#include <string>
#include <string_view>
#include <vector>

#include "codegen/cuda/nvrtc.h"
#include "runtime/cuda/device.h"
#include "support/status_macros.h"

namespace dlc::runtime::cuda::testing {

inline absl::StatusOr<Module> compileAndLoad(const CudaDevice& device, std::string_view source) {
  const std::vector<std::string> options;  // compileCuda adds -std and -arch
  ASSIGN_OR_RETURN(codegen::cuda::CompiledCuda compiled, codegen::cuda::compileCuda(source, device.arch(), options));
  return Module::load(device, compiled.cubin.empty() ? compiled.ptx : compiled.cubin);
}

}  // namespace dlc::runtime::cuda::testing

#endif  // DLC_TESTS_UNIT_RUNTIME_CUDA_NVRTC_HELPER_H_
