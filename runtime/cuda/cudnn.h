// 2-D convolutions through cuDNN 9 (libcudnn.so.9, opened with dlopen):
// forward, backward data and backward filter on NHWC activations and KRSC
// filters (runtime/library_call.h).
//
// prepare() makes the descriptors of one call and picks its algorithm (the
// first that cuDNN's heuristics rank, that fits the workspace limit and is
// not FFT or Winograd, whose rounding errors are far above an f32 sum's);
// run() enqueues it on a stream with a workspace the caller provides, so it
// can be captured in a CUDA graph. Thread-safe: one handle serves every
// executor of a process (runtime/cuda/library_calls.h).
//
// Precision: every convolution sums in f32 (the descriptor's compute type).
// f16/bf16 ones may use tensor cores (CUDNN_TENSOR_OP_MATH). f32 ones are
// restricted to FMA kernels, so that results match the reference
// interpreter's f32 sums, unless `allow_tf32` (--precision tf32) lets them
// use TF32 tensor cores; f32 operands are never converted to f16.
#ifndef DLC_RUNTIME_CUDA_CUDNN_H_
#define DLC_RUNTIME_CUDA_CUDNN_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/dtype.h"
#include "runtime/cuda/device.h"
#include "runtime/library_call.h"

namespace dlc::runtime::cuda {

struct CudnnApi;

class Cudnn {
 public:
  // Opens libcudnn.so.9 (Unavailable when it cannot be loaded) and creates a
  // handle on the current context.
  static absl::StatusOr<std::unique_ptr<Cudnn>> create(const CudaDevice& device);
  // Whether libcudnn.so.9 can be opened and has every function dlc calls.
  static bool available();
  ~Cudnn();

  // Descriptors and algorithm for `call`; returns a plan id for run().
  // InvalidArgument for shapes cuDNN cannot take (sizes beyond int).
  absl::StatusOr<int> prepare(const ConvCall& call, ir::DType dtype, bool allow_tf32 = false,
                              std::size_t max_workspace_bytes = 256 << 20);
  // The workspace plan `plan` needs.
  std::size_t workspaceBytes(int plan) const;
  // "algo 1 (math 3), workspace N bytes; candidates 1:0 0:0 6:0 ..."
  // (algorithm:math type, in the heuristics' order). DLC_CUDNN_VERBOSE=1
  // prints it for every plan prepare() makes.
  std::string describePlan(int plan) const;
  // Forward: in0 = x, in1 = w, out = y. Backward data: dy, w, dx. Backward
  // filter: x, dy, dw.
  absl::Status run(Stream& stream, int plan, CuDevicePtr in0, CuDevicePtr in1, CuDevicePtr out, CuDevicePtr workspace,
                   std::size_t workspace_bytes);

  // e.g. 91000 for 9.10.0.
  std::size_t version() const;

 private:
  struct Plan;
  Cudnn() = default;
  static std::string describe(const Plan& plan);
  const CudnnApi* api_ = nullptr;
  void* handle_ = nullptr;
  void* bound_stream_ = nullptr;
  std::vector<std::unique_ptr<Plan>> plans_;
  mutable std::mutex mutex_;  // one handle serves every executor of the process
};

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_CUDNN_H_
