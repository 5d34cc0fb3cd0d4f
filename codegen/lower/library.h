// Which graph ops a GPU target hands to a vendor library, and how: matmul
// and dense become cuBLASLt GEMMs, conv2d and its two gradients cuDNN
// convolutions (runtime/library_call.h). Everything else, and every op a
// library cannot take as it stands (grouped or asymmetrically padded
// convolutions, batched right-hand sides, integer types), stays generated.
//
// A library op still sits in a fusion group: the planner runs the call
// first, then the group's kernel with the op's value read from the call's
// result (fusion never inlines anything *into* a library op: its operands
// are in memory). Layouts the library does not take are converted by small
// generated kernels around the call: dlc's HWIO conv kernels are transposed
// to cuDNN's KRSC before a forward or backward-data call, and a
// backward-filter result is read back from KRSC by the group's kernel.
#ifndef DLC_CODEGEN_LOWER_LIBRARY_H_
#define DLC_CODEGEN_LOWER_LIBRARY_H_

#include <optional>
#include <string>
#include <vector>

#include "codegen/lower/shapes.h"
#include "ir/ir.h"
#include "ir/kernel/kernel_ir.h"
#include "runtime/library_call.h"

namespace dlc::codegen {

struct LibraryOptions {
  bool gemm = false;         // matmul, dense -> cuBLASLt
  bool convolution = false;  // conv2d, conv2d_grad_input, conv2d_grad_kernel -> cuDNN
  // f32 calls may use TF32 tensor cores (cuBLASLt's CUBLAS_COMPUTE_32F_FAST_TF32,
  // cuDNN's default math): what `--precision tf32` asks for. Never on by
  // default: f32 results stay exact f32 sums unless the user asks. f16/bf16
  // calls use tensor cores with f32 accumulation regardless.
  bool allow_tf32 = false;

  bool any() const { return gemm || convolution; }
  // For a CUDA target: what DLC_CUDA_LIBRARIES says ("all", the default;
  // "none"; or a comma list of "cublaslt", "cudnn").
  static LibraryOptions forCudaFromEnvironment();
};

// How one op is called.
struct LibraryPlan {
  runtime::LibraryCall call;
  struct Operand {
    const ir::Value* value = nullptr;
    std::vector<int> layout;  // non-empty: pass transpose(value, layout) (dim d of it is dim layout[d])
    // > 0: the copy's last dim has this many elements, zeros after the
    // value's (a half-precision convolution's channels padded for tensor
    // cores); needs `layout`.
    int64_t padded_last = 0;
  };
  std::vector<Operand> operands;      // the call's inputs in slot order (the result comes last)
  std::vector<int64_t> result_shape;  // row-major shape of the call's result
  // Dim d of the call's result is dim result_layout[d] of the op's value;
  // empty when they are the same.
  std::vector<int> result_layout;
  bool bias_after = false;  // the op's operand 2 (a bias on the last axis) is added after the call
};

// The plan for `op`, or nullopt when it stays a generated kernel.
std::optional<LibraryPlan> planLibraryCall(const ir::Operation& op, const ConcreteTypes& types,
                                           const LibraryOptions& options);

// A generated kernel that writes `in` (`dtype`, row-major `in_shape`) with
// its dims permuted: dim d of the result is dim layout[d] of `in`. With
// `padded_last` > 0 the result's last dim has that many elements, zeros
// after the source's. Buffers: in, out. One parallel loop over the result.
kir::Kernel layoutKernel(std::string name, std::string origin, ir::DType dtype, const std::vector<int64_t>& in_shape,
                         const std::vector<int>& layout, int64_t padded_last = 0);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_LIBRARY_H_
