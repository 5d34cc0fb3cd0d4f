// How each graph op lowers to the kernel IR, looked up from ir/ops.def.
//
// Most ops have a *compute*: the scalar expression of one result element as a
// function of its multi-dimensional index, reading operands through
// ComputeContext::operand (which the fusion scheduler answers either with a
// buffer load or with the producer's own compute, inlined). Elementwise ops,
// broadcasts, shape ops, reductions, softmax, matmul and convolution (as
// reductions), pooling and the random ops are computes: this is the one place
// their arithmetic is written, for every backend.
//
// Ops whose results are not a gather over their operands (scatters such as
// embedding_grad, recurrences such as lstm, ops with several results computed
// together) have a *kernel builder* instead: it appends whole statements to
// a kernel that already has buffers for the op's operands and results.
//
// `param`, `constant` and `assign` have neither: the planner binds params
// and constants to buffers, and writes an assign's operand into its
// parameter's buffer.
//
// The lowerings live beside this header, one file per op family as in
// reference/ (lowerings.h declares them from ir/ops.def), with shared
// expression helpers in expr.h, window geometry in windows.h and statement
// helpers for the builders in stmt.h.
#ifndef DLC_CODEGEN_COMPUTE_COMPUTE_H_
#define DLC_CODEGEN_COMPUTE_COMPUTE_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/ir.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen {

// The concrete types of an op's operands and results (shapes are static at
// code generation).
struct OpTypes {
  std::vector<ir::DType> operand_dtypes;
  std::vector<std::vector<int64_t>> operand_shapes;
  std::vector<ir::DType> result_dtypes;
  std::vector<std::vector<int64_t>> result_shapes;
};

// Where a kernel finds the run's randomness: an i64 buffer holding
// [seed, step] (see reference/random.cc for how draws are derived).
struct RunState {
  kir::BufferId buffer = -1;
};

struct ComputeContext {
  const ir::Operation& op;
  const OpTypes& types;
  kir::Kernel& kernel;  // for new variables (reduction indices)
  RunState run_state;
  // The element of operand `i` at `index` (one i64 expression per dim of
  // that operand, each in range).
  std::function<kir::ExprRef(size_t operand, std::vector<kir::ExprRef> index)> operand;
  // The same at an index that may lie in a zero-padded margin around the
  // operand, when the kernel reads a padded copy of it (codegen/lower/
  // layouts.h); null, or returning null, where it does not.
  std::function<kir::ExprRef(size_t operand, const std::vector<kir::ExprRef>& index)> padded = nullptr;

  const ir::Attrs& attrs() const { return op.attrs(); }
};

// The expression of result `result` at `index` (one i64 expression per dim
// of that result). Errors are Unimplemented for cases a compute does not
// cover (the caller reports the op and its location).
using ComputeFn = absl::StatusOr<kir::ExprRef> (*)(const ComputeContext& ctx, size_t result,
                                                   std::span<const kir::ExprRef> index);

struct BuildContext {
  const ir::Operation& op;
  const OpTypes& types;
  kir::Kernel& kernel;
  RunState run_state;
  std::vector<kir::BufferId> operands;  // one buffer per operand, row-major
  std::vector<kir::BufferId> results;   // one buffer per result, row-major
  // Intermediates this op's kernel shares with another op's kernel of the
  // function (the planner pairs an lstm with the lstm_grad of the same
  // operands): kWrite, the forward keeps them; kRead, the gradient reads
  // them instead of running the forward again. Made by cx::saved (stmt.h),
  // which lists them in saved_buffers.
  enum class Saved { kNone, kWrite, kRead };
  Saved saved = Saved::kNone;
  std::vector<kir::BufferId> saved_buffers;
};

// Appends the statements computing every result of ctx.op to ctx.kernel.body.
using KernelBuilderFn = absl::Status (*)(BuildContext& ctx);

struct OpLowering {
  ComputeFn compute = nullptr;
  KernelBuilderFn build = nullptr;
};

// Every op of ir/ops.def has an entry `kLower<Id>` defined in one of the
// files beside this header; a missing one fails to link.
const OpLowering& opLowering(ir::OpKind kind);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_COMPUTE_COMPUTE_H_
