#include "bench/gpu/cublas.h"

#include <array>

#include "runtime/cuda/cublas_abi.h"
#include "runtime/cuda/dynamic_library.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::bench {

namespace blas = runtime::cuda::blas;
using blas::Status;
using runtime::cuda::CuStream;
using runtime::cuda::DynamicLibrary;
using runtime::cuda::openForProcess;
using runtime::cuda::SymbolBinder;

struct CublasApi {
  Status (*create)(void** handle);
  Status (*destroy)(void* handle);
  Status (*setStream)(void* handle, CuStream stream);
  Status (*setMathMode)(void* handle, int mode);
  const char* (*statusName)(Status status);
  const char* (*statusString)(Status status);
  Status (*sgemm)(void* handle, int transa, int transb, int m, int n, int k, const float* alpha, const float* a,
                  int lda, const float* b, int ldb, const float* beta, float* c, int ldc);
  Status (*gemmEx)(void* handle, int transa, int transb, int m, int n, int k, const void* alpha, const void* a,
                   int a_type, int lda, const void* b, int b_type, int ldb, const void* beta, void* c, int c_type,
                   int ldc, int compute_type, int algo);

  absl::Status check(Status status, std::string_view call) const {
    if (status == blas::kSuccess) return absl::OkStatus();
    return absl::InternalError(strCat(call, ": ", statusName(status), " (", statusString(status), ")"));
  }
};

namespace {

absl::StatusOr<const CublasApi*> loadCublas() {
  static const absl::StatusOr<const CublasApi*> api = []() -> absl::StatusOr<const CublasApi*> {
    static constexpr std::array<std::string_view, 2> kNames = {"libcublas.so.13", "libcublas.so"};
    ASSIGN_OR_RETURN(const DynamicLibrary* lib, openForProcess("cuBLAS", kNames));
    auto* api = new CublasApi{};
    SymbolBinder bind(*lib);
    bind(api->create, {"cublasCreate_v2"});
    bind(api->destroy, {"cublasDestroy_v2"});
    bind(api->setStream, {"cublasSetStream_v2"});
    bind(api->setMathMode, {"cublasSetMathMode"});
    bind(api->statusName, {"cublasGetStatusName"});
    bind(api->statusString, {"cublasGetStatusString"});
    bind(api->sgemm, {"cublasSgemm_v2"});
    bind(api->gemmEx, {"cublasGemmEx"});
    RETURN_IF_ERROR(bind.check("cuBLAS"));
    return api;
  }();
  return api;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Cublas>> Cublas::create(const CudaDevice& device) {
  std::unique_ptr<Cublas> blas(new Cublas());
  ASSIGN_OR_RETURN(blas->api_, loadCublas());
  RETURN_IF_ERROR(blas->api_->check(blas->api_->create(&blas->handle_), "cublasCreate"));
  // Default math: cublasSgemm stays exact f32; TF32 is asked for per call.
  RETURN_IF_ERROR(blas->api_->check(blas->api_->setMathMode(blas->handle_, blas::kDefaultMath), "cublasSetMathMode"));
  return blas;
}

Cublas::~Cublas() {
  if (handle_ != nullptr) api_->destroy(handle_);
}

absl::Status Cublas::gemm(Stream& stream, const GemmShape& s, GemmType type, CuDevicePtr a, CuDevicePtr b,
                          CuDevicePtr d) {
  RETURN_IF_ERROR(api_->check(api_->setStream(handle_, stream.handle()), "cublasSetStream"));
  const float alpha = 1.0f, beta = 0.0f;
  const int m = static_cast<int>(s.m), n = static_cast<int>(s.n), k = static_cast<int>(s.k);
  // Row-major D = A·B is column-major D^T = B^T·A^T (see cublaslt.h).
  if (type == GemmType::kF32) {
    return api_->check(api_->sgemm(handle_, blas::kOpN, blas::kOpN, n, m, k, &alpha, reinterpret_cast<const float*>(b),
                                   n, reinterpret_cast<const float*>(a), k, &beta, reinterpret_cast<float*>(d), n),
                       "cublasSgemm");
  }
  const int dt = blas::dataType(type);
  return api_->check(api_->gemmEx(handle_, blas::kOpN, blas::kOpN, n, m, k, &alpha, reinterpret_cast<const void*>(b),
                                  dt, n, reinterpret_cast<const void*>(a), dt, k, &beta, reinterpret_cast<void*>(d), dt,
                                  n, blas::computeType(type), blas::kGemmDefault),
                     "cublasGemmEx");
}

}  // namespace dlc::bench
