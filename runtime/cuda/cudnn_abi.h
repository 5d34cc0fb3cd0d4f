// The few cuDNN 9 types and constants dlc uses, with the values of cuDNN 9's
// headers (abi_test.cc checks them where cuDNN is installed), so that
// building needs no cuDNN.
#ifndef DLC_RUNTIME_CUDA_CUDNN_ABI_H_
#define DLC_RUNTIME_CUDA_CUDNN_ABI_H_

#include <cstddef>

namespace dlc::runtime::cuda::dnn {

using Status = int;  // cudnnStatus_t
inline constexpr Status kSuccess = 0;

// cudnnDataType_t
inline constexpr int kFloat = 0;
inline constexpr int kHalf = 2;
inline constexpr int kBFloat16 = 9;
// cudnnTensorFormat_t
inline constexpr int kTensorNhwc = 1;
// cudnnConvolutionMode_t
inline constexpr int kCrossCorrelation = 1;
// cudnnMathType_t
inline constexpr int kDefaultMath = 0;  // on sm_80 and later: tensor cores, TF32 for f32
inline constexpr int kTensorOpMath = 1;
inline constexpr int kTensorOpMathAllowConversion = 2;  // may round f32 operands to f16
inline constexpr int kFmaMath = 3;

// cudnnConvolutionFwdAlgo_t, cudnnConvolutionBwdDataAlgo_t and
// cudnnConvolutionBwdFilterAlgo_t: the transform-based algorithms (FFT,
// Winograd), whose rounding errors are far above an f32 sum's.
inline constexpr int kFwdFft = 4, kFwdFftTiling = 5, kFwdWinograd = 6, kFwdWinogradNonfused = 7;
inline constexpr int kBwdDataFft = 2, kBwdDataFftTiling = 3, kBwdDataWinograd = 4, kBwdDataWinogradNonfused = 5;
inline constexpr int kBwdFilterFft = 2, kBwdFilterWinograd = 4, kBwdFilterWinogradNonfused = 5, kBwdFilterFftTiling = 6;

// cudnnConvolutionFwdAlgoPerf_t, ...BwdDataAlgoPerf_t and ...BwdFilterAlgoPerf_t
// share this layout (the algorithm is an enum in each).
struct AlgoPerf {
  int algo;
  Status status;
  float time;
  std::size_t memory;
  int determinism;
  int math_type;
  int reserved[3];
};

}  // namespace dlc::runtime::cuda::dnn

#endif  // DLC_RUNTIME_CUDA_CUDNN_ABI_H_
