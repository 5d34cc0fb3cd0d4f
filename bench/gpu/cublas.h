// Plain cuBLAS GEMMs (libcublas.so.13, opened with dlopen), row-major like
// runtime/cuda/cublaslt.h: the benchmark's yardstick for the cuBLASLt path
// (cublasSgemm for f32, cublasGemmEx for TF32, f16 and bf16). No epilogues.
// Bench-only: dlc itself calls cuBLASLt.
#ifndef DLC_BENCH_GPU_CUBLAS_H_
#define DLC_BENCH_GPU_CUBLAS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "runtime/cuda/device.h"
#include "runtime/cuda/gemm_types.h"

namespace dlc::bench {

using runtime::cuda::CudaDevice;
using runtime::cuda::CuDevicePtr;
using runtime::cuda::GemmShape;
using runtime::cuda::GemmType;
using runtime::cuda::Stream;

struct CublasApi;

class Cublas {
 public:
  // Unavailable when libcublas.so.13 cannot be loaded.
  static absl::StatusOr<std::unique_ptr<Cublas>> create(const CudaDevice& device);
  ~Cublas();

  // D[m, n] = A[m, k]·B[k, n], row-major, on `stream`.
  absl::Status gemm(Stream& stream, const GemmShape& shape, GemmType type, CuDevicePtr a, CuDevicePtr b, CuDevicePtr d);

 private:
  Cublas() = default;
  const CublasApi* api_ = nullptr;
  void* handle_ = nullptr;
};

}  // namespace dlc::bench

#endif  // DLC_BENCH_GPU_CUBLAS_H_
