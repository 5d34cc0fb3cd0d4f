// dlc declares the CUDA types and constants it uses instead of including the
// toolkit's headers (so it builds without a toolkit); where the toolkit is
// installed, this checks each one against the real header.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda.h>
#if __has_include(<cudnn.h>)
#include <cudnn.h>
#define DLC_HAVE_CUDNN_HEADERS 1
#endif
#include <gtest/gtest.h>

#include "runtime/cuda/cublas_abi.h"
#include "runtime/cuda/cudnn_abi.h"
#include "runtime/cuda/driver.h"

namespace dlc::runtime::cuda {
namespace {

static_assert(CUDA_SUCCESS == kCudaSuccess);
static_assert(CUDA_ERROR_NO_DEVICE == kCudaErrorNoDevice);
static_assert(CUDA_ERROR_NOT_FOUND == kCudaErrorNotFound);
static_assert(CUDA_ERROR_OUT_OF_MEMORY == kCudaErrorOutOfMemory);
static_assert(CUDA_ERROR_INVALID_IMAGE == kCudaErrorInvalidImage);
static_assert(sizeof(CUdeviceptr) == sizeof(CuDevicePtr));
static_assert(sizeof(CUdevice) == sizeof(CuDevice));
static_assert(sizeof(CUresult) == sizeof(CuResult));
static_assert(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK == int(DeviceAttribute::kMaxThreadsPerBlock));
static_assert(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK == int(DeviceAttribute::kMaxSharedMemoryPerBlock));
static_assert(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT == int(DeviceAttribute::kMultiprocessorCount));
static_assert(CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE == int(DeviceAttribute::kMemoryClockRateKHz));
static_assert(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH == int(DeviceAttribute::kGlobalMemoryBusWidth));
static_assert(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE == int(DeviceAttribute::kL2CacheSize));
static_assert(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR == int(DeviceAttribute::kComputeCapabilityMajor));
static_assert(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR == int(DeviceAttribute::kComputeCapabilityMinor));
static_assert(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN ==
              int(DeviceAttribute::kMaxSharedMemoryPerBlockOptin));
static_assert(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES == kFuncAttributeMaxDynamicSharedSizeBytes);
static_assert(CU_STREAM_NON_BLOCKING == kStreamNonBlocking);
static_assert(CU_STREAM_CAPTURE_MODE_THREAD_LOCAL == kStreamCaptureModeThreadLocal);
static_assert(CU_EVENT_DEFAULT == kEventDefault);

static_assert(CUBLAS_STATUS_SUCCESS == blas::kSuccess);
static_assert(CUDA_R_32F == blas::kR32F && CUDA_R_16F == blas::kR16F && CUDA_R_16BF == blas::kR16BF);
static_assert(CUBLAS_COMPUTE_32F == blas::kCompute32F);
static_assert(CUBLAS_COMPUTE_32F_FAST_TF32 == blas::kCompute32FFastTf32);
static_assert(CUBLAS_OP_N == blas::kOpN && CUBLAS_DEFAULT_MATH == blas::kDefaultMath);
static_assert(CUBLAS_GEMM_DEFAULT == blas::kGemmDefault);
static_assert(CUBLASLT_MATMUL_DESC_EPILOGUE == blas::kDescEpilogue);
static_assert(CUBLASLT_MATMUL_DESC_BIAS_POINTER == blas::kDescBiasPointer);
static_assert(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES == blas::kPrefMaxWorkspaceBytes);
static_assert(CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES == blas::kPrefMinAlignmentA &&
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES == blas::kPrefMinAlignmentB &&
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES == blas::kPrefMinAlignmentC &&
              CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES == blas::kPrefMinAlignmentD);
static_assert(CUBLASLT_EPILOGUE_DEFAULT == blas::kEpilogueDefault);
static_assert(CUBLASLT_EPILOGUE_RELU == blas::kEpilogueRelu);
static_assert(CUBLASLT_EPILOGUE_BIAS == blas::kEpilogueBias);
static_assert(CUBLASLT_EPILOGUE_RELU_BIAS == blas::kEpilogueReluBias);
static_assert(CUBLASLT_EPILOGUE_GELU == blas::kEpilogueGelu);
static_assert(CUBLASLT_EPILOGUE_GELU_BIAS == blas::kEpilogueGeluBias);
static_assert(sizeof(cublasLtMatmulAlgo_t) == sizeof(blas::MatmulAlgo));
static_assert(sizeof(cublasLtMatmulHeuristicResult_t) == sizeof(blas::HeuristicResult));
static_assert(offsetof(cublasLtMatmulHeuristicResult_t, workspaceSize) ==
              offsetof(blas::HeuristicResult, workspace_size));
static_assert(offsetof(cublasLtMatmulHeuristicResult_t, state) == offsetof(blas::HeuristicResult, state));

#ifdef DLC_HAVE_CUDNN_HEADERS
static_assert(CUDNN_STATUS_SUCCESS == dnn::kSuccess);
static_assert(CUDNN_DATA_FLOAT == dnn::kFloat && CUDNN_DATA_HALF == dnn::kHalf &&
              CUDNN_DATA_BFLOAT16 == dnn::kBFloat16);
static_assert(CUDNN_TENSOR_NHWC == dnn::kTensorNhwc);
static_assert(CUDNN_CROSS_CORRELATION == dnn::kCrossCorrelation);
static_assert(CUDNN_DEFAULT_MATH == dnn::kDefaultMath && CUDNN_FMA_MATH == dnn::kFmaMath);
static_assert(CUDNN_TENSOR_OP_MATH == dnn::kTensorOpMath &&
              CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION == dnn::kTensorOpMathAllowConversion);
static_assert(CUDNN_CONVOLUTION_FWD_ALGO_FFT == dnn::kFwdFft &&
              CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING == dnn::kFwdFftTiling &&
              CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD == dnn::kFwdWinograd &&
              CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED == dnn::kFwdWinogradNonfused);
static_assert(CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT == dnn::kBwdDataFft &&
              CUDNN_CONVOLUTION_BWD_DATA_ALGO_FFT_TILING == dnn::kBwdDataFftTiling &&
              CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD == dnn::kBwdDataWinograd &&
              CUDNN_CONVOLUTION_BWD_DATA_ALGO_WINOGRAD_NONFUSED == dnn::kBwdDataWinogradNonfused);
static_assert(CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT == dnn::kBwdFilterFft &&
              CUDNN_CONVOLUTION_BWD_FILTER_ALGO_FFT_TILING == dnn::kBwdFilterFftTiling &&
              CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD == dnn::kBwdFilterWinograd &&
              CUDNN_CONVOLUTION_BWD_FILTER_ALGO_WINOGRAD_NONFUSED == dnn::kBwdFilterWinogradNonfused);
static_assert(sizeof(cudnnConvolutionFwdAlgoPerf_t) == sizeof(dnn::AlgoPerf));
static_assert(sizeof(cudnnConvolutionBwdDataAlgoPerf_t) == sizeof(dnn::AlgoPerf));
static_assert(sizeof(cudnnConvolutionBwdFilterAlgoPerf_t) == sizeof(dnn::AlgoPerf));
static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, memory) == offsetof(dnn::AlgoPerf, memory));
static_assert(offsetof(cudnnConvolutionFwdAlgoPerf_t, mathType) == offsetof(dnn::AlgoPerf, math_type));
#endif

TEST(CudaAbi, MatchesTheToolkitHeaders) { SUCCEED() << "checked at compile time, CUDA " << CUDA_VERSION; }

}  // namespace
}  // namespace dlc::runtime::cuda
