// Reductions with few outputs and long reduced extents, split across blocks
// in two stages per level (gpu(split); which phases, and the tile, chunks
// and blocks, are ir/kernel/gpu_split.h's).
//
// A stage launch gives each block a tile of outputs and a chunk of the
// reduced extent; each thread accumulates its share, the block combines, and
// one partial per (output, chunk) goes to a `__device__` array of the module.
// A combine launch (a warp per output) then combines the chunks' partials and
// evaluates the row's lets and stores.
//
// Reductions that read other reductions' results (a variance after its mean)
// come in later stages: stage k computes the partials of the reductions whose
// operands need k - 1 earlier stages, after its combine launch has written the
// lets they read to `__device__` arrays. Partials are written in full by every
// run, so nothing needs zeroing and CUDA-graph replays see the same launches;
// the module's arrays assume one run at a time (as the executor's arena does).
#ifndef DLC_CODEGEN_CUDA_SPLIT_PHASE_H_
#define DLC_CODEGEN_CUDA_SPLIT_PHASE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "codegen/cuda/phase.h"

namespace dlc::codegen::cuda {

// InternalError when the phase has no reductions to split (the stage would
// not have marked it).
absl::StatusOr<PhaseText> emitSplitPhase(const kir::Kernel& kernel, const Phase& phase, const std::string& name);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_SPLIT_PHASE_H_
