// GEMMs through cuBLASLt (libcublasLt.so.13, opened with dlopen): row-major
// D = A·B with the bias and activation fused as a cuBLASLt epilogue.
//
// cuBLASLt is column-major. A row-major X[r, c] is the column-major X^T, so
// D = A·B is computed as D^T = B^T·A^T: cuBLASLt's "A" is our B, its "B" our
// A, its m our n. The bias (one value per column of row-major D) is then one
// value per row of cuBLASLt's D, which is what its bias epilogues add.
#ifndef DLC_RUNTIME_CUDA_CUBLASLT_H_
#define DLC_RUNTIME_CUDA_CUBLASLT_H_

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "absl/status/statusor.h"
#include "runtime/cuda/device.h"
#include "runtime/cuda/gemm_types.h"

namespace dlc::runtime::cuda {

struct CublasLtApi;

class CublasLt {
 public:
  // Opens libcublasLt.so.13 (Unavailable when it cannot be loaded), creates
  // a handle and allocates `workspace_bytes` of workspace.
  static absl::StatusOr<std::unique_ptr<CublasLt>> create(const CudaDevice& device,
                                                          std::size_t workspace_bytes = 32 << 20);
  // Whether libcublasLt.so.13 can be opened and has every function dlc calls.
  static bool available();
  ~CublasLt();

  // D = epilogue(A·B + bias) on `stream`, all row-major and dense: A is
  // [m, k], B [k, n], D [m, n], bias [n] (0 without a bias epilogue). The
  // algorithm is cuBLASLt's first heuristic choice, cached per shape, type,
  // epilogue and the pointers' alignment (cuBLASLt's heuristics assume 256
  // bytes unless told; dlc's arena aligns to 64). f16 and bf16 sum in f32 on
  // tensor cores; f32 is exact unless `type` is kF32Tf32.
  absl::Status matmul(Stream& stream, const GemmShape& shape, GemmType type, Epilogue epilogue, CuDevicePtr a,
                      CuDevicePtr b, CuDevicePtr bias, CuDevicePtr d);

  // The cuBLASLt version, e.g. 130000 for 13.0.0.
  std::size_t version() const;

 private:
  struct Plan;
  using PlanKey = std::tuple<std::int64_t, std::int64_t, std::int64_t, GemmType, Epilogue, std::uint32_t>;
  CublasLt() = default;
  absl::StatusOr<Plan*> plan(const GemmShape& shape, GemmType type, Epilogue epilogue, std::uint32_t alignment);

  const CublasLtApi* api_ = nullptr;
  void* handle_ = nullptr;
  DeviceBuffer workspace_;
  std::map<PlanKey, std::unique_ptr<Plan>> plans_;
  std::mutex mutex_;  // one handle serves every executor of the process
};

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_CUBLASLT_H_
