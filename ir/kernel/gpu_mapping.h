// The gpu-mapping stage (CUDA targets): how each kernel runs on a GPU,
// decided on the kernel IR and written into it as marks (kernel_ir.h:
// GpuMark) that the CUDA emitter (codegen/cuda/emitter.h) follows.
//
// The stage cuts a kernel's top-level statements into phases, one launch
// each (two per level for a split), and gives each the first mapping that
// takes it:
//  - a top-level nest of parallel/vector loops is one phase over the nest's
//    items, flattened into one index:
//     - gpu(split): few outputs of long reductions (bias gradients, batchnorm
//       statistics), split across blocks (gpu_split.h);
//     - gpu(vector): a straight-line body with something to pack (a load or
//       store whose index moves by one element per item from a multiple of
//       the width; gpu_packs.h), `width` consecutive items a thread;
//     - gpu(row_groups): rows of reductions and parallel loops over the same
//       columns, read along the row (softmax, layernorm, cross-entropy): a
//       group of threads per row (gpu_rows.h);
//     - gpu(block_per_row): a body that computes a long enough reduction in
//       a `let`: one block per item (a row), unless there are rows enough for
//       a thread each and the block's threads would read strided memory (a
//       convolution's kernel gradient);
//     - gpu(grid_stride): anything else, one item a thread;
//  - the other top-level statements run on one thread (the kernel's
//    gpu(one_thread)), each run of them between loops a launch;
//  - unless those statements need a block (a whole-tensor reduction), or
//    replaying the top-level lets in every launch could read what an earlier
//    launch wrote: then the whole kernel is one phase, gpu(split) when it
//    takes it (a whole-tensor sum), else gpu(one_block).
// Threads and blocks of the plain mappings: a multiple of 32 threads up to
// 256 for the work of a block (its items, or the longest reduction or
// parallel loop it splits), and enough blocks for every item up to 65535
// (grid-stride loops do the rest). What stays with the CUDA emitter is how
// to write a mapping: which loads a row group keeps in registers, the names,
// the split's combine launches (a warp per output).
#ifndef DLC_IR_KERNEL_GPU_MAPPING_H_
#define DLC_IR_KERNEL_GPU_MAPPING_H_

#include <cstdint>
#include <span>
#include <vector>

#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// Threads a block of the plain mappings at most.
inline constexpr int kGpuBlockThreads = 256;
// Reductions shorter than this stay sequential in a thread: a block per row
// would leave most of its threads idle.
inline constexpr int64_t kMinBlockReduce = 32;
// With this many rows, one thread per row already fills the GPU.
inline constexpr int64_t kRowsForThreadPerRow = 8192;
// Items a thread of gpu(vector) takes: a 16-byte pack of f32, or of f16/bf16
// when the phase packs a 2-byte buffer (its f32 packs are then 32 bytes, two
// 16-byte accesses).
inline constexpr int kGpuVectorWidth = 4;
inline constexpr int kGpuHalfVectorWidth = 8;

// Marks `kernel`, replacing any marks it has; returns the number of marks.
int mapForGpu(Kernel& kernel);

// The counters a GPU mapping names beyond the kernel's own variables. The
// stage analyses a phase with them and the CUDA emitter writes them, so both
// take them from here.
enum class GpuCounter { kFlat, kColumn, kLaneColumn, kSplitStep, kSplitOutput };
Var gpuCounter(const Kernel& kernel, GpuCounter counter);
// Whether the kernel has been mapped (it has a kernel mark).
inline bool isGpuMapped(const Kernel& kernel) { return kernel.gpu.has_value(); }

// What the stage and the CUDA emitter share to cut a kernel the same way.
// Whether `stmt` is a parallel or vector loop.
bool isParallelFor(const Stmt& stmt);
// The nest of parallel/vector loops from `outer` that each enclose exactly the next.
std::vector<const ForStmt*> parallelNest(const ForStmt& outer);
// The product of the nest's trip counts.
int64_t tripCount(const std::vector<const ForStmt*>& nest);
// Threads of a block for `work` items: a multiple of 32, at most kGpuBlockThreads.
int gpuThreadsFor(int64_t work);
// Whether the statement needs a block's threads: it holds a reduction
// outside inner loops, or a parallel/vector loop (directly or in serial
// loops and ifs).
bool hasBlockWork(const Stmt& stmt);
// The largest trip count a block splits among the statements (0 if none).
int64_t blockWorkExtent(std::span<const Stmt> stmts);
// Whether the expression holds a ReduceExpr (a load, for hasLoad).
bool hasReduce(const Expr& expr);
bool hasLoad(const Expr& expr);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_GPU_MAPPING_H_
