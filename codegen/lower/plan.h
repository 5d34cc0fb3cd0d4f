// Lowers a whole function for one set of input shapes: fusion, one kernel
// per group, and the executable that calls them, with its memory plan.
//
// Memory plan: every intermediate value and workspace buffer lives from the
// step that writes it to the last step that reads it (to the end for
// function outputs and values written to parameters). Buffers are placed in
// one arena, largest first, each at the lowest 64-byte-aligned offset where
// it overlaps no placed buffer that is live at the same time (the greedy
// by-size strategy of TensorFlow Lite's arena planner).
//
// Kernels that differ only in their names, origins and buffer names (the
// layers of a stack of identical layers) are one kernel of the module, which
// several steps call with their own slots: code generation's work grows with
// the distinct kernels, not with the depth of the model.
//
// A group with a library op (codegen/lower/library.h) becomes up to three
// kinds of steps: layout kernels for operands the library wants in another
// layout, the library call, and the group's kernel reading the call's
// result. The call writes the group's output itself, with no kernel after
// it, when the group is the op alone in its own layout (or a GEMM under a
// relu, which cuBLASLt applies as an epilogue).
#ifndef DLC_CODEGEN_LOWER_PLAN_H_
#define DLC_CODEGEN_LOWER_PLAN_H_

#include <iosfwd>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "codegen/lower/fusion.h"
#include "codegen/lower/library.h"
#include "codegen/lower/schedule.h"
#include "codegen/lower/shapes.h"
#include "ir/ir.h"
#include "ir/kernel/kernel_ir.h"
#include "runtime/executable.h"

namespace dlc::codegen {

// What --disable-pass and --print-ir-* ask of the kernel stages, by the
// names of ir/kernel/passes.h, which run in that order: library-selection,
// fusion, then per group schedule, register-tiling (CPU), gpu-mapping (CUDA)
// and in-place (CPU), then memory-plan. A dump after schedule,
// register-tiling, gpu-mapping or in-place shows every group's kernel as that
// stage left it.
struct KernelStageOptions {
  std::set<std::string, std::less<>> disabled;
  std::set<std::string, std::less<>> print_after;
  bool print_after_all = false;
  std::ostream* dump = nullptr;  // stderr when null
  // The kernel IR verifier after each stage (--verify-each; always in debug builds).
#ifdef DLC_VERIFY_EACH_PASS
  bool verify_each = true;
#else
  bool verify_each = false;
#endif
};

struct LowerOptions {
  FusionOptions fusion;      // is_library is set from `library`
  ScheduleOptions schedule;  // cpu = false for GPU emitters
  LibraryOptions library;    // none by default (the CPU); a CUDA target's from its environment
  KernelStageOptions stages;
};

// Milliseconds per kernel stage of one lowering (DLC_COMPILE_TIMES).
struct LowerTimes {
  double bind_shapes_ms = 0;
  double fusion_ms = 0;  // with library selection
  double plan_ms = 0;    // schedule, register tiling, GPU mapping, in-place and the memory plan
};

struct LoweredFunction {
  LowerTimes times;
  // For --print-ir-after of the per-kernel stages: each group's kernel as
  // the stage left it, by stage name (only the stages asked for).
  std::map<std::string, kir::KernelModule, std::less<>> snapshots;
  kir::KernelModule kernels;
  runtime::Executable executable;
  FusionPlan fusion;
  ConcreteTypes types;
};

absl::StatusOr<LoweredFunction> lowerFunction(const ir::Function& function,
                                              std::span<const std::vector<int64_t>> input_shapes,
                                              const LowerOptions& options = {});

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_PLAN_H_
