// A phase: the part of a kernel's top-level statements that one mapping
// runs (as the kernel's GPU marks cut it), and what every mapping shares when
// it writes one: launch limits, the __global__ head, loop indices from flat
// counters.
#ifndef DLC_CODEGEN_CUDA_PHASE_H_
#define DLC_CODEGEN_CUDA_PHASE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "codegen/cuda/body_writer.h"
#include "codegen/cuda/emitter.h"
#include "ir/kernel/gpu_mapping.h"
#include "ir/kernel/index_analysis.h"
#include "ir/kernel/kernel_ir.h"
#include "ir/kernel/load_sites.h"

namespace dlc::codegen::cuda {

// The kernel-IR analyses the mappings share with the gpu-mapping stage.
using kir::Bindings;
using kir::bindLets;
using kir::collectLoads;
using kir::digitOf;
using kir::holdsReduce;
using kir::indexRange;
using kir::isAlignedRun;
using kir::isStraightLine;
using kir::LaneStep;
using kir::laneStep;
using kir::loadedBuffers;
using kir::LoadSite;
using kir::Range;
using kir::readsMemory;
using kir::simplifyIndex;
using kir::storedBuffers;
using kir::tripCount;

constexpr int kReduceSharedBytes = 32 * 8;  // dlc_block_reduce: one slot per warp, 8-byte values
constexpr int64_t kMaxSharedBytes = 48 * 1024 - kReduceSharedBytes;

struct Phase {
  enum class Kind {
    kGridStride,  // a flattened nest of parallel loops, one item per thread: gpu(grid_stride)
    kVector,      // the same, `width` items per thread in packs: gpu(vector)
    kRows,        // a flattened nest of parallel loops, one row per block: gpu(block_per_row)
    kRowGroups,   // the same, a group of threads per row: gpu(row_groups)
    kSplit,       // the outputs of a nest, or a one-block kernel, split across blocks: gpu(split)
    kBlock,       // statements run once by one block: the kernel's gpu(one_block)
    kThread,      // statements run once by one thread: the kernel's gpu(one_thread)
  };
  Kind kind;
  std::vector<const kir::ForStmt*> nest;  // all but kBlock, kThread (and kSplit of a kernel)
  std::span<const kir::Stmt> stmts;       // kBlock, kThread; else the nest's body
  std::vector<const kir::Stmt*> prefix;   // top-level lets before the phase
  kir::GpuMark mark;                      // the loop's mark, or the kernel's
};
// The type of a counter up to `total`: 32-bit when it cannot overflow.
std::string_view counterType(int64_t total);
// `const long long i = lo + flat / stride % extent;` for each loop of the nest
// (`flat` a name or a parenthesized expression). `maybe_unused`: the body
// may not read every index (its loads were packed), which NVRTC would warn of.
void bindNest(BodyWriter& w, const std::vector<const kir::ForStmt*>& nest, std::string_view flat, int indent,
              bool maybe_unused = false);

// Writes `extern "C" __global__ void __launch_bounds__(...) NAME(buffers) {`,
// the local arrays (in shared memory when `shared_locals`: one block works on
// them together) and the phase's prefix lets.
absl::Status openKernel(BodyWriter& w, const kir::Kernel& kernel, const Phase& phase, const CudaLaunch& launch,
                        bool shared_locals);

// The emitted text of a phase: its launches, in order, with their source and
// the module-scope declarations they need (`__device__` arrays).
struct PhaseText {
  std::string globals;
  std::string text;
  std::vector<CudaLaunch> launches;
};

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_PHASE_H_
