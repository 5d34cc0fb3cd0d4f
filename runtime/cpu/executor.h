// Runs an Executable on the CPU: binds its slots to the caller's inputs and
// parameters and to one arena (kept between calls, so a training loop does
// not allocate per step), then calls the compiled kernels in order.
#ifndef DLC_RUNTIME_CPU_EXECUTOR_H_
#define DLC_RUNTIME_CPU_EXECUTOR_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/executable.h"

namespace dlc::runtime::cpu {

// A compiled kernel: its buffers' addresses in kernel order.
using KernelFn = void (*)(void** buffers);

struct RunOptions {
  uint64_t seed = 0;
  uint64_t step = 0;
};

class Executor {
 public:
  // `kernels[i]` is the code of executable.kernels[i]; `executable` must
  // outlive the executor.
  Executor(const runtime::Executable& executable, std::vector<KernelFn> kernels);
  ~Executor();

  // Outputs in order. When `assigned` is given it receives the parameter
  // writes: a write to a name `assigned` already holds with the same dtype
  // and shape is copied into that tensor (no allocation), so a caller that
  // passes its own parameters (`params` itself) has them updated in place
  // after the kernels ran; other writes are added. Errors: InvalidArgument for inputs or parameters of the wrong
  // type or size, FailedPrecondition for a missing parameter.
  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs,
                                                   const runtime::TensorMap& params, const RunOptions& options,
                                                   runtime::TensorMap* assigned = nullptr);

  const runtime::Executable& executable() const { return executable_; }

 private:
  const runtime::Executable& executable_;
  std::vector<KernelFn> kernels_;
  struct ArenaDeleter {
    void operator()(std::byte* p) const;
  };
  std::unique_ptr<std::byte, ArenaDeleter> arena_;
};

}  // namespace dlc::runtime::cpu

#endif  // DLC_RUNTIME_CPU_EXECUTOR_H_
