// Lowers one fusion group to a kernel-IR kernel.
//
// A computed group becomes one loop nest over its root's shape: each output
// element is the root's compute at that index, with the computes of the
// group's other ops substituted for their values (reads of values from
// outside the group are loads). Then the nest is scheduled:
//   - every reduction that does not depend on an inner loop, and every
//     subexpression used more than once, becomes a `let` placed at the
//     outermost loop where its indices are known (softmax's row max and sum
//     are computed once per row, not once per element);
//   - the outermost loop is `parallel`, the innermost `vector`; a long
//     one-dimensional domain is split so that it gets both.
// A group of a built op gets buffers for its operands and results and the
// builder's statements.
#ifndef DLC_CODEGEN_LOWER_SCHEDULE_H_
#define DLC_CODEGEN_LOWER_SCHEDULE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "codegen/compute/compute.h"
#include "codegen/lower/fusion.h"
#include "codegen/lower/shapes.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen {

// What each buffer of a lowered kernel is bound to.
struct BufferSource {
  // kLibraryResult: the result of the library call that runs before the
  // kernel (LibraryResult below). kSaved: a buffer shared with the paired
  // op's kernel (SavedActivations below), known by its name.
  enum class Kind { kValue, kRunState, kScratch, kLocal, kLibraryResult, kSaved };
  Kind kind = Kind::kValue;
  const ir::Value* value = nullptr;  // kValue: an input or output of the group
};

struct LoweredGroup {
  kir::Kernel kernel;
  std::vector<BufferSource> sources;         // one per kernel buffer
  const ir::Operation* saved_for = nullptr;  // with kSaved buffers: whose (SavedActivations::forward)
};

// For a built group whose op shares intermediates with another op's kernel
// (BuildContext::saved): its part, and the forward op the buffers belong to.
struct SavedActivations {
  BuildContext::Saved role = BuildContext::Saved::kNone;
  const ir::Operation* forward = nullptr;
};

struct ScheduleOptions {
  // CPU schedule: a reduction inside the innermost (vector) loop becomes a
  // loop nest around it that accumulates into a `local` array, so the
  // vector loop runs innermost and vectorizes (a matmul becomes
  // `for k { vector for j { acc[j] += a[i,k] * b[k,j] } }`); and the loops
  // outside the vector loop collapse into one parallel loop, so that a
  // 3x3 outer loop does not leave threads idle. GPU emitters map a
  // reduction per thread or per block instead, so they leave this off.
  bool cpu = true;
  // The CPU stages the plan runs on each scheduled kernel (plan.h):
  // register tiling, with the budget of the target's vector register file
  // (codegen/llvm/cpu_target.h derives it; AVX-512's here), and in-place
  // updates. Off with --disable-pass=register-tiling / in-place.
  int vector_registers = 32;
  int vector_bytes = 64;
  bool register_tiling = true;
  bool in_place = true;
  // The CPU's layout stage (layouts.h); off with --disable-pass=layout.
  bool layouts = true;
  // The CPU's Winograd convolutions (winograd.h); off with
  // --disable-pass=winograd.
  bool winograd = true;
};

struct WinogradShape;

// For a group whose library op ran as a call before the kernel, or whose
// conv2d ran as Winograd's transforms and products (winograd.h): the kernel
// reads that op's value from the result made before it instead of
// computing it.
struct LibraryResult {
  std::vector<int64_t> shape;  // the call's result, row-major
  std::vector<int> layout;     // dim d of it is dim layout[d] of the op's value; empty: the same
  bool bias_after = false;     // add the op's operand 2 (a bias on the last axis)
  // Set: the result is Winograd's M, and the value its output transform.
  const WinogradShape* winograd = nullptr;
};

absl::StatusOr<LoweredGroup> lowerGroup(const FusionGroup& group, const ConcreteTypes& types, std::string kernel_name,
                                        const ScheduleOptions& options = {}, const LibraryResult* library = nullptr,
                                        SavedActivations saved = {});

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_SCHEDULE_H_
