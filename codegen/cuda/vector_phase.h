// Elementwise phases with 16-byte accesses (float4 for f32): gpu(vector).
//
// A grid-stride loop over groups of `width` consecutive items: each thread
// loads the group's contiguous reads as one pack per buffer, runs the body
// for the group's items (an unrolled loop), and writes each contiguous store
// as one pack; a scalar loop then covers the items after the last whole
// group. Which accesses pack is ir/kernel/gpu_packs.h's, as for the
// gpu-mapping stage that chose the mapping.
#ifndef DLC_CODEGEN_CUDA_VECTOR_PHASE_H_
#define DLC_CODEGEN_CUDA_VECTOR_PHASE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "codegen/cuda/phase.h"

namespace dlc::codegen::cuda {

// InternalError when nothing packs (the stage would not have chosen it).
absl::StatusOr<PhaseText> emitVectorPhase(const kir::Kernel& kernel, const Phase& phase, const std::string& name);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_VECTOR_PHASE_H_
