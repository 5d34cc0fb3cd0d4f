// Fusion: which graph ops are computed together in one kernel.
//
// Every op with a compute (codegen/compute/compute.h) starts as the root of
// its own group; walking the function backwards, an op joins the group of its
// consumers when
//   - all its users are in that one group, and
//   - it is cheap to recompute (elementwise, casts, broadcasts, shape ops),
//     or each of its elements is still computed once per kernel element:
//     its users read it elementwise at its own shape and are themselves
//     computed once (matmul or convolution with a bias, activation or
//     residual epilogue; a reduction with its epilogue). A convolution under
//     a relu read by a 3x3 max-pool, or under a flatten read by a dense
//     layer, stays apart: fused, it would be recomputed per read.
// An op whose other users are only `assign`s or the function's outputs may
// still join as an extra output of a group of its own shape (the optimizer's
// moment updates beside the weight update). Reductions pull their elementwise
// prologue in by the first rule (reduce_sum(exp(x - max))).
//
// An activation that would join its consumer at other indices, although its
// own producer is a matmul or convolution used only by it, becomes that
// producer's epilogue instead.
//
// Ops with a kernel builder (scatters, recurrences, multi-result backward
// ops) are groups of their own. An op that runs as a library call
// (FusionOptions::is_library) takes no producer in: it reads its operands
// from memory. `param`, `constant` and `assign` belong to
// no group: the planner binds them to buffers.
#ifndef DLC_CODEGEN_LOWER_FUSION_H_
#define DLC_CODEGEN_LOWER_FUSION_H_

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ir/ir.h"

namespace dlc::codegen {

// How a group's kernel reads a value from outside the group when it reads
// a converted copy (codegen/lower/layouts.h): dim d of the copy is dim
// dims[d] of the value, with before[d] and after[d] zeros around it.
struct OperandLayout {
  std::string role;  // what the value is to the op that reads it ("filter", "g"), for dumps and kernel origins
  std::vector<int> dims;
  std::vector<int64_t> before, after;  // empty: no padding

  bool padded() const { return !before.empty(); }
  // The copy's shape for a value of `shape` (layouts.cc).
  std::vector<int64_t> shapeOf(const std::vector<int64_t>& shape) const;
};

struct FusionGroup {
  int id = 0;
  // Program order; the root (the op at whose position the group runs) is last.
  std::vector<const ir::Operation*> ops;
  // Values the group stores: the root's results first, then extra outputs.
  std::vector<const ir::Value*> outputs;
  bool built = false;  // a single op lowered by its kernel builder
  // The op that runs as a library call before the group's kernel (at most
  // one per group; codegen/lower/library.h), or null.
  const ir::Operation* library = nullptr;
  // Values from outside the group that its kernel reads from a converted
  // copy (codegen/lower/layouts.h), made by the planner before the kernel.
  absl::flat_hash_map<const ir::Value*, OperandLayout> input_layouts;
  // A convolution (or its input or kernel gradient) of the group computed
  // by Winograd's F(m x m, 3 x 3) in kernels before the group's
  // (codegen/lower/winograd.h), or null.
  const ir::Operation* winograd = nullptr;

  const ir::Operation* root() const { return ops.back(); }
  // Whether `v` is computed inside the group (not read from memory).
  bool computes(const ir::Value* v) const { return std::find(ops.begin(), ops.end(), v->producer()) != ops.end(); }
};

struct FusionPlan {
  std::vector<FusionGroup> groups;  // in execution order
  absl::flat_hash_map<const ir::Operation*, int> group_of;
  // Why neighbouring ops were not fused ("'matmul' at m.dl:4 stays apart
  // from 'add': it has 2 users"), collected when asked for.
  std::vector<std::string> remarks;

  const FusionGroup* groupOf(const ir::Operation* op) const;
};

struct FusionOptions {
  bool enabled = true;  // false: every op is its own group (for testing)
  bool remarks = false;
  // Ops that run as library calls: nothing fuses into them (their operands
  // are read from memory), at most one per group, and they may still have
  // an epilogue. Null: none.
  std::function<bool(const ir::Operation&)> is_library;
};

FusionPlan fuse(const ir::Function& function, const FusionOptions& options = {});

// The function's IR with each group of several ops wrapped in
// `fused @gN { ... }`, for `dlc compile --emit fusion`.
std::string printFusion(const ir::Function& function, const FusionPlan& plan);
// A Graphviz graph of the function, one colour per fusion group.
std::string fusionDot(const ir::Function& function, const FusionPlan& plan);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_FUSION_H_
