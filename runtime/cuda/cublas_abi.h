// The few cuBLAS and cuBLASLt types and constants dlc uses, with the values
// of CUDA 13's headers (abi_test.cc checks them where the toolkit is
// installed), so that building needs no toolkit.
#ifndef DLC_RUNTIME_CUDA_CUBLAS_ABI_H_
#define DLC_RUNTIME_CUDA_CUBLAS_ABI_H_

#include <cstddef>
#include <cstdint>

#include "runtime/cuda/gemm_types.h"

namespace dlc::runtime::cuda::blas {

using Status = int;  // cublasStatus_t; 0 is CUBLAS_STATUS_SUCCESS
inline constexpr Status kSuccess = 0;

// cudaDataType_t
inline constexpr int kR32F = 0;
inline constexpr int kR16F = 2;
inline constexpr int kR16BF = 14;
// cublasComputeType_t
inline constexpr int kCompute32F = 68;
inline constexpr int kCompute32FFastTf32 = 77;
// cublasOperation_t, cublasMath_t, cublasGemmAlgo_t
inline constexpr int kOpN = 0;
inline constexpr int kDefaultMath = 0;
inline constexpr int kGemmDefault = -1;
// cublasLtMatmulDescAttributes_t, cublasLtMatmulPreferenceAttributes_t
inline constexpr int kDescEpilogue = 7;
inline constexpr int kDescBiasPointer = 8;
inline constexpr int kPrefMaxWorkspaceBytes = 1;
inline constexpr int kPrefMinAlignmentA = 5, kPrefMinAlignmentB = 6, kPrefMinAlignmentC = 7, kPrefMinAlignmentD = 8;
// cublasLtEpilogue_t
inline constexpr int kEpilogueDefault = 1;
inline constexpr int kEpilogueRelu = 2;
inline constexpr int kEpilogueBias = 4;
inline constexpr int kEpilogueReluBias = 6;
inline constexpr int kEpilogueGelu = 32;
inline constexpr int kEpilogueGeluBias = 36;

struct MatmulAlgo {  // cublasLtMatmulAlgo_t
  std::uint64_t data[8];
};
struct HeuristicResult {  // cublasLtMatmulHeuristicResult_t
  MatmulAlgo algo;
  std::size_t workspace_size;
  Status state;
  float waves_count;
  int reserved[4];
};

inline int dataType(GemmType t) {
  switch (t) {
    case GemmType::kF16: return kR16F;
    case GemmType::kBF16: return kR16BF;
    case GemmType::kF32:
    case GemmType::kF32Tf32: return kR32F;
  }
  return kR32F;
}
// f16 and bf16 sum in f32 on tensor cores (CUBLAS_COMPUTE_32F); f32 is exact
// FMA unless TF32 was asked for.
inline int computeType(GemmType t) { return t == GemmType::kF32Tf32 ? kCompute32FFastTf32 : kCompute32F; }

}  // namespace dlc::runtime::cuda::blas

#endif  // DLC_RUNTIME_CUDA_CUBLAS_ABI_H_
