// The device helpers every emitted module starts with.
#ifndef DLC_CODEGEN_CUDA_PRELUDE_H_
#define DLC_CODEGEN_CUDA_PRELUDE_H_

#include <string>

namespace dlc::codegen::cuda {

// Includes cuda_fp16.h / cuda_bf16.h only when the module uses those types
// (they are large, and NVRTC then needs the toolkit's include folder).
std::string prelude(bool uses_f16, bool uses_bf16);

}  // namespace dlc::codegen::cuda

#endif  // DLC_CODEGEN_CUDA_PRELUDE_H_
