// NVRTC, opened with dlopen on first use: dlc is one binary for machines with
// and without the CUDA toolkit, so nothing links libnvrtc.
#ifndef DLC_CODEGEN_CUDA_NVRTC_H_
#define DLC_CODEGEN_CUDA_NVRTC_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dlc::codegen::cuda {

struct CompiledCuda {
  std::string ptx;    // with a compute_XX arch
  std::string cubin;  // with an sm_XX arch
  std::string log;    // NVRTC's warnings, if any
};

// Compiles `source` for `arch`: "sm_90" gives a cubin, "compute_90" PTX.
// `options` are passed on after dlc's own (-std=c++17, the toolkit's include
// folder, -arch). A compile error is InvalidArgument quoting NVRTC's log,
// with each error line's kernel named (and its `// origin:` comment, as the
// CUDA emitter writes before each kernel). FailedPrecondition when libnvrtc
// cannot be found.
absl::StatusOr<CompiledCuda> compileCuda(std::string_view source, std::string_view arch,
                                         std::span<const std::string> options = {});

struct NvrtcVersion {
  int major = 0, minor = 0;
};
absl::StatusOr<NvrtcVersion> nvrtcVersion();

// The libraries tried, in order: $DLC_NVRTC_LIBRARY if set, libnvrtc.so.13,
// libnvrtc.so.12, libnvrtc.so on the loader's path, then the same under
// $CUDA_HOME/lib64 and /usr/local/cuda/lib64.
std::vector<std::string> nvrtcCandidates();
// Tries `candidates` afresh (without the process-wide cache): OK when one
// opens and has NVRTC's entry points. For tests and diagnostics.
absl::Status probeNvrtc(std::span<const std::string> candidates);

// The kernel around line `line` (1-based) of an emitted source: "kernel 'k'
// (origin: ...)", or "" before the first kernel.
std::string kernelAtLine(std::string_view source, int line);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_NVRTC_H_
