// Row reductions (softmax, log-softmax, layernorm, cross-entropy, argmax) in
// one pass over memory.
//
// Each row goes to a group of G threads: a whole block for long rows, G lanes
// of a warp for short ones (several rows per block). The group splits every
// reduction and every parallel loop of the row over its columns the same way:
// thread t takes columns lo + V * (t + G * s) + lane, for slots s < S and
// lanes < V (V = 4 when the row's accesses can be 16-byte packs, else 1).
// Since every pass over the row gives a column to the same thread, a load
// that several passes make stays in that thread's registers from the first
// pass on (the row cache): softmax reads x once, not three times. So does a
// costly value (exp, log, tanh, erf, pow) that a reduction computes and a
// later pass needs again: softmax exponentiates once. Reductions combine
// with warp shuffles (and shared memory across warps for a block).
//
// It applies to a row phase (a nest of parallel loops whose body is the row)
// whose row body is lets and stores at row level, with at least one reduction
// and none nested in another, and parallel loops with straight-line bodies;
// every reduction and loop spans the same columns; the kernel has no local
// arrays and the row stores to no buffer it loads from. Rows beyond the last
// are clamped to it so that every lane of a warp takes part in the shuffles;
// only stores check that the row is real.
#ifndef DLC_CODEGEN_CUDA_ROW_PHASE_H_
#define DLC_CODEGEN_CUDA_ROW_PHASE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "codegen/cuda/phase.h"

namespace dlc::codegen::cuda {

// nullopt when the phase does not qualify, or when its reductions do not
// read along the row (a matrix product: the plain mappings run it).
absl::StatusOr<std::optional<PhaseText>> emitRowPhase(const kir::Kernel& kernel, const Phase& phase,
                                                      const std::string& name);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_ROW_PHASE_H_
