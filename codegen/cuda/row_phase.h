// Row reductions (softmax, log-softmax, layernorm, cross-entropy, argmax) in
// one pass over memory.
//
// The group's shape (gpu(row_groups): G threads a row, V columns a thread
// at a time; ir/kernel/gpu_rows.h) is the mark's. Since every pass over the
// row gives a column to the same thread, a load that several passes make
// stays in that thread's registers from the first pass on (the row cache):
// softmax reads x once, not three times. So does a costly value (exp, log,
// tanh, erf, pow) that a reduction computes and a later pass needs again:
// softmax exponentiates once. Reductions combine with warp shuffles (and
// shared memory across warps for a block). Rows beyond the last are clamped
// to it so that every lane of a warp takes part in the shuffles; only stores
// check that the row is real.
#ifndef DLC_CODEGEN_CUDA_ROW_PHASE_H_
#define DLC_CODEGEN_CUDA_ROW_PHASE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "codegen/cuda/phase.h"

namespace dlc::codegen::cuda {

// InternalError when the phase is not a row phase (the stage would not have
// marked it).
absl::StatusOr<PhaseText> emitRowPhase(const kir::Kernel& kernel, const Phase& phase, const std::string& name);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_ROW_PHASE_H_
