// The library calls of an Executable (runtime/library_call.h) on the host:
// plain loops; f16/bf16 operands are widened to f32 and the result rounded
// once, as the GPU libraries' f32 accumulation does. A CPU plan never contains them unless asked
// (LowerOptions::library); they let the planning of GPU library calls —
// layout kernels, epilogue kernels, slots and lifetimes — run and be checked
// (sums in double, rounded once: also the reference for the GPU libraries)
// against the reference interpreter on a machine without a GPU.
#ifndef DLC_RUNTIME_CPU_LIBRARY_CALLS_H_
#define DLC_RUNTIME_CPU_LIBRARY_CALLS_H_

#include <span>

#include "absl/status/status.h"
#include "runtime/library_call.h"

namespace dlc::runtime::cpu {

// `operands` are the step's slot addresses, in the call's slot order.
absl::Status runLibraryCallOnHost(const runtime::LibraryCall& call, std::span<void* const> operands);

}  // namespace dlc::runtime::cpu

#endif  // DLC_RUNTIME_CPU_LIBRARY_CALLS_H_
