// Reductions with few outputs and long reduced extents (a bias gradient's sum
// over batch * height * width, batchnorm's statistics, a whole-tensor mean),
// split across blocks in two stages: gpu(split), which the gpu-mapping stage
// chooses and codegen/cuda/split_phase.h writes.
//
// A stage launch gives each block a tile of outputs and a chunk of the
// reduced extent; each thread accumulates its share, the block combines, and
// one partial per (output, chunk) goes to a `__device__` array of the module.
// A combine launch (a warp per output) then combines the chunks' partials and
// evaluates the row's lets and stores. When the outputs are the fastest-moving
// index of the reads (an NHWC channel sum), a warp spans neighbouring outputs
// (the tile) so that its reads are contiguous; otherwise it spans the reduced
// extent. Reductions that read other reductions' results (a variance after
// its mean) come in later stages (levels).
//
// It applies to a phase over a nest of parallel loops (the outputs) or a
// one-block kernel, made only of lets and stores at row level, whose
// reductions (nests of one combiner flatten into one) all cover extents of
// the same size, long enough to split, with few outputs.
#ifndef DLC_IR_KERNEL_GPU_SPLIT_H_
#define DLC_IR_KERNEL_GPU_SPLIT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// A row-level reduction; a nest of reductions of one combiner whose inner
// ones start from the identity is one reduction over their product.
struct SplitReduction {
  const Expr* node;
  const ReduceExpr* outer;
  ScalarType type;
  std::vector<const ReduceExpr*> nest;  // outermost first
  int level = 0;                        // the stage that computes its partials
  ExprRef summand;                      // the innermost body, in the split counter
};

struct SplitReductions {
  std::vector<SplitReduction> reductions;
  std::map<const Expr*, size_t> reduction_of;
  std::map<int, int> let_level;  // of each row-level let, by var id
  int stages = 0;
  int64_t rows = 1, extent = 0;
  bool outputs_fastest = false;  // neighbouring outputs, not steps, read neighbouring elements
};

// The reductions of a phase over `nest` (empty for a one-block kernel)
// running `stmts`, with `u` the split counter and `o` the flat output index
// (vars the kernel does not use); nullopt when the phase does not have the
// form above (whatever its sizes).
std::optional<SplitReductions> findSplitReductions(const Kernel& kernel, const std::vector<const ForStmt*>& nest,
                                                   std::span<const Stmt> stmts, const Var& u, const Var& o);

struct SplitShape {
  int tile = 1;        // outputs a stage block, neighbouring threads
  int threads = 256;   // of a stage block: tile x lanes along the extent
  int64_t chunk = 0;   // steps of the extent a stage block takes
  int64_t chunks = 1;  // blocks along the extent
  int64_t blocks = 1;  // blocks along the outputs
};

// The split's shape; nullopt when splitting does not pay (a short extent,
// many outputs).
std::optional<SplitShape> chooseSplitShape(const SplitReductions& split);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_GPU_SPLIT_H_
