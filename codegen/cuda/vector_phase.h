// Elementwise phases with 16-byte accesses (float4 for f32).
//
// A grid-stride loop over groups of four consecutive items: each thread loads
// the group's contiguous reads as one pack per buffer, runs the body for the
// four items (an unrolled loop), and writes each contiguous store as one
// pack; a scalar loop then covers the items after the last whole group.
//
// It applies to a grid-stride phase whose body is straight-line (lets,
// stores, ifs; no loops, reductions or local arrays) and that has something
// to pack:
//  - a load, when its index moves by one element per item from a multiple of
//    four (index_analysis.h), the phase stores nothing to its buffer, and
//    every item evaluates it or its index stays inside the buffer for every
//    group (a select's branch may guard a read that would not);
//  - a store, when it is unconditional, not accumulating, the only store to
//    its buffer, the phase reads nothing from that buffer, and its index
//    moves the same way.
// A contiguous load that cannot be packed (a shifted slice) keeps the phase
// on one item per thread, where neighbouring threads read it coalesced.
// Buffers start 64-byte aligned (the arena's offsets and cuMemAlloc), so an
// element index that is a multiple of four is a 16-byte (or, for 8-byte
// types, 32-byte) aligned address.
#ifndef DLC_CODEGEN_CUDA_VECTOR_PHASE_H_
#define DLC_CODEGEN_CUDA_VECTOR_PHASE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "codegen/cuda/phase.h"

namespace dlc::codegen::cuda {

// nullopt when the phase does not qualify.
absl::StatusOr<std::optional<PhaseText>> emitVectorPhase(const kir::Kernel& kernel, const Phase& phase,
                                                         const std::string& name);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_VECTOR_PHASE_H_
