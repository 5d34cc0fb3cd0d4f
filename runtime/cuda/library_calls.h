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

class LibraryCalls {
 public:
  // Opens the libraries the calls need (Unavailable naming the library when
  // one cannot be loaded) and prepares every call.
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
  std::vector<int> conv_plan_;  // per call: the cuDNN plan (-1 for GEMMs)
  std::unique_ptr<CublasLt> cublaslt_;
  std::unique_ptr<Cudnn> cudnn_;
  DeviceBuffer workspace_;
};

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_LIBRARY_CALLS_H_
