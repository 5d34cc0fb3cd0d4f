// What a GEMM on the GPU computes, shared by the cuBLASLt and cuBLAS paths:
// row-major D[m, n] = A[m, k] · B[k, n] (+ bias[n]), then an activation.
#ifndef DLC_RUNTIME_CUDA_GEMM_TYPES_H_
#define DLC_RUNTIME_CUDA_GEMM_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dlc::runtime::cuda {

// The element type of A, B, D and bias, and how the products are summed.
enum class GemmType {
  kF32,      // f32 everywhere, exact f32 products (SGEMM)
  kF32Tf32,  // f32 data, tensor cores round A and B to TF32
  kF16,      // f16 data, f32 accumulation
  kBF16,     // bf16 data, f32 accumulation
};

enum class Epilogue { kNone, kRelu, kGelu, kBias, kBiasRelu, kBiasGelu };

struct GemmShape {
  std::int64_t m = 0, n = 0, k = 0;
};

inline std::size_t gemmElementBytes(GemmType t) { return t == GemmType::kF16 || t == GemmType::kBF16 ? 2 : 4; }
inline bool epilogueHasBias(Epilogue e) {
  return e == Epilogue::kBias || e == Epilogue::kBiasRelu || e == Epilogue::kBiasGelu;
}
std::string_view gemmTypeName(GemmType t);
std::string_view epilogueName(Epilogue e);

}  // namespace dlc::runtime::cuda

#endif  // DLC_RUNTIME_CUDA_GEMM_TYPES_H_
