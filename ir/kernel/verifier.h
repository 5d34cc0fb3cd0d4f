// Checks the invariants of the kernel IR that the builders cannot: scoping of
// vars, unique var ids, valid buffer ids, operand types, loop bounds, vector
// loops without nested loops, no stores to `in` buffers, small local buffers,
// unique kernel names, GPU marks where they may stand (kernel_ir.h), with the
// keys their kind takes and launch sizes a GPU accepts. Code generators may
// assume a verified kernel.
#ifndef DLC_IR_KERNEL_VERIFIER_H_
#define DLC_IR_KERNEL_VERIFIER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {

// Local buffers live in registers: at most this many elements each.
inline constexpr int64_t kMaxLocalElements = 4096;
// Launch sizes of GPU marks: CUDA's threads a block, and a grid's x extent
// that every architecture accepts (grid-stride loops cover the rest).
inline constexpr int kMaxGpuThreads = 1024;
inline constexpr int64_t kMaxGpuBlocks = 65535;

struct KernelProblem {
  const Stmt* stmt;      // where it is; null for a buffer declaration
  std::string message;   // lower case, naming neither the kernel nor the statement
  BufferId buffer = -1;  // the declaration, when stmt is null
};

// Every problem of `kernel` in text order (at most 20).
std::vector<KernelProblem> checkKernel(const Kernel& kernel);

// The first problem as "kernel @NAME: in `STATEMENT`: MESSAGE".
absl::Status verifyKernel(const Kernel& kernel);
// Every kernel, and that their names are unique.
absl::Status verifyKernelModule(const KernelModule& module);

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_VERIFIER_H_
