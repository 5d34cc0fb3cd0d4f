// The row-group mapping of a row phase (softmax, log-softmax, layernorm,
// cross-entropy, argmax): gpu(row_groups), which the gpu-mapping stage
// chooses and codegen/cuda/row_phase.h writes.
//
// Each row goes to a group of G threads: a whole block for long rows, G lanes
// of a warp for short ones (several rows per block). The group splits every
// reduction and every parallel loop of the row over its columns the same way:
// thread t takes columns lo + V * (t + G * s) + lane, for slots s < S and
// lanes < V (V = 4 when the row's accesses can be 16-byte packs, else 1).
//
// It applies to a phase over a nest of parallel loops (the rows) whose row
// body is lets and stores at row level, with at least one reduction and none
// nested in another, and parallel loops with straight-line bodies; every
// reduction and loop spans the same columns; the kernel has no local arrays
// and the row stores to no buffer it loads from; the reductions read along
// the row (neighbouring columns are neighbouring elements: not a matrix
// product's strided operand), and the row needs at most 16 slots.
#ifndef DLC_IR_KERNEL_GPU_ROWS_H_
#define DLC_IR_KERNEL_GPU_ROWS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "ir/kernel/index_analysis.h"
#include "ir/kernel/kernel_ir.h"
#include "ir/kernel/load_sites.h"

namespace dlc::kir {

// One pass of the group over the row's columns.
struct RowPass {
  const ReduceExpr* reduce = nullptr;  // a reduction at row level, or
  const ForStmt* loop = nullptr;       // a parallel loop over the columns
  Bindings bindings;                   // its variable as the canonical column, row-level index lets
  std::vector<LoadSite> loads;
  Var var() const { return reduce ? reduce->var : loop->var; }
};

struct RowPasses {
  std::vector<RowPass> passes;
  std::map<const Expr*, size_t> pass_of_reduce;
  std::map<const ForStmt*, size_t> pass_of_loop;
  int64_t lo = 0, hi = 0;  // the columns every pass spans
};

// The passes of a row body `stmts`, with `col` (a var the kernel does not
// use) as the canonical column; nullopt when the body does not have the
// form above.
std::optional<RowPasses> findRowPasses(const Kernel& kernel, std::span<const Stmt> stmts, const Var& col);

struct RowShape {
  int width = 1;      // V
  int group = 1;      // G
  int threads = 1;    // of a block: G, or 256 with several rows a block
  int64_t slots = 1;  // S
};

// The group's shape for the passes; nullopt when the reductions do not read
// along the row or the row needs too many slots.
std::optional<RowShape> chooseRowShape(const Kernel& kernel, const RowPasses& rows, const Var& col);

// The slots of a row of `columns` for a group of `group` threads taking `width` columns a slot.
inline int64_t rowSlots(int64_t columns, int width, int group) {
  int64_t units = columns / width;
  return (units + group - 1) / group;
}

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_GPU_ROWS_H_
