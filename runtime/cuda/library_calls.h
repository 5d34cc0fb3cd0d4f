// An Executable's library calls (runtime/library_call.h) bound to cuBLASLt
// and cuDNN on one device: the handles, each call's prepared plan, and one
// workspace for the convolutions, all made before the first step runs so
// that enqueueing allocates nothing (the executor captures the steps in a
// CUDA graph).
#ifndef DLC_RUNTIME_CUDA_LIBRARY_CALLS_H_
#define DLC_RUNTIME_CUDA_LIBRARY_CALLS_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/cuda/cublaslt.h"
#include "runtime/cuda/cudnn.h"
#include "runtime/cuda/device.h"
#include "runtime/executable.h"

namespace dlc::runtime::cuda {

// Starts creating this process's cuBLASLt and cuDNN handles on another
// thread (opening cuDNN's libraries takes ~0.1 s), so that a model loaded
// for a CUDA target has them by the time its first function is compiled.
// Every LibraryCalls of the process shares these handles (and cuBLASLt's
// workspace: executors of one process run one at a time); nothing waits.
void prewarmLibraries(const CudaDevice& device);

class LibraryCalls {
 public:
  // Gets the process's library handles (Unavailable naming the library when
  // one cannot be loaded; waiting for prewarmLibraries if it runs) and
  // prepares every call.
  static absl::StatusOr<std::unique_ptr<LibraryCalls>> create(const CudaDevice& device,
                                                              const runtime::Executable& executable);

  // Enqueues call `index` with the addresses of its step's slots.
  absl::Status enqueue(Stream& stream, int index, std::span<const CuDevicePtr> operands);

  std::size_t workspaceBytes() const { return workspace_.size(); }
  // The call and how its library runs it (cuDNN's algorithm).
  std::string describe(int index) const;

 private:
  LibraryCalls() = default;
  std::vector<runtime::LibraryCall> calls_;
  std::vector<int> conv_plan_;    // per call: the cuDNN plan (-1 for GEMMs)
  CublasLt* cublaslt_ = nullptr;  // the process's, never destroyed
  Cudnn* cudnn_ = nullptr;
  DeviceBuffer workspace_;
};

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_LIBRARY_CALLS_H_
