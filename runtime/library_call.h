// Steps an Executable hands to a vendor library instead of a generated
// kernel: GEMMs (cuBLASLt) and 2-D convolutions (cuDNN). The compiler decides
// which ops become calls (codegen/lower/library.h); a device binds each call
// to its library (runtime/cuda/library_calls.h). Plain data, no CUDA types.
//
// A library step's slots, in order:
//   GEMM:                     A, B, [bias,] D    (row-major, D[m, n] = A[m, k] B[k, n] (+ bias[n]))
//   convolution forward:      x, w, y
//   convolution backward data:    dy, w, dx
//   convolution backward filter:  x, dy, dw
// where activations are NHWC and filters KRSC ([out channels, kh, kw, in
// channels], cuDNN's NHWC filter layout).
#ifndef DLC_RUNTIME_LIBRARY_CALL_H_
#define DLC_RUNTIME_LIBRARY_CALL_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace dlc::runtime {

struct GemmCall {
  enum class Activation : uint8_t { kNone, kRelu };
  int64_t m = 0, n = 0, k = 0;
  bool bias = false;
  Activation activation = Activation::kNone;
};

struct ConvCall {
  enum class Direction : uint8_t { kForward, kBackwardData, kBackwardFilter };
  Direction direction = Direction::kForward;
  int64_t batch = 0;
  int64_t in_h = 0, in_w = 0, in_c = 0;     // x (or dx)
  int64_t out_h = 0, out_w = 0, out_c = 0;  // y (or dy)
  int64_t kernel_h = 0, kernel_w = 0;
  std::array<int64_t, 2> stride{1, 1};
  std::array<int64_t, 2> pad{0, 0};  // the same before and after
  std::array<int64_t, 2> dilation{1, 1};
};

struct LibraryCall {
  enum class Kind : uint8_t { kGemm, kConv2d };
  Kind kind = Kind::kGemm;
  ir::DType dtype = ir::DType::kF32;
  GemmCall gemm;  // kGemm
  ConvCall conv;  // kConv2d
  // f32 calls only: the library may round the operands to TF32 on tensor
  // cores (--precision tf32; codegen::LibraryOptions::allow_tf32). Off, f32
  // products are exact, as the reference computes them. f16/bf16 calls use
  // tensor cores and sum in f32 either way.
  bool allow_tf32 = false;

  // The number of slots the call's step binds.
  int slotCount() const;
};

// "gemm f32 [64x576]x[576x64] +bias relu", "conv2d_backward_filter f32 ...".
std::string describeLibraryCall(const LibraryCall& call);

// The element counts of the call's slots, in the order above (the result last).
std::vector<int64_t> slotElements(const LibraryCall& call);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_LIBRARY_CALL_H_
