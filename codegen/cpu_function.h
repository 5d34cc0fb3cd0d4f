// A function compiled for the CPU for one set of input shapes: the lowered
// kernels, their native code (LLVM ORC JIT) and the executor that runs the
// plan. What `--target cpu` runs for `dlc run`, `grad` and `train`.
#ifndef DLC_CODEGEN_CPU_FUNCTION_H_
#define DLC_CODEGEN_CPU_FUNCTION_H_

#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "codegen/lower/plan.h"
#include "runtime/cpu/executor.h"

namespace dlc::codegen {

class JitModule;

struct CompileTimes {
  double lower_ms = 0;  // fusion, kernel IR, plan
  double jit_ms = 0;    // LLVM: emit, O3, machine code
};

class CpuFunction {
 public:
  static absl::StatusOr<std::unique_ptr<CpuFunction>> compile(const ir::Function& function,
                                                              std::span<const std::vector<int64_t>> input_shapes,
                                                              const LowerOptions& options = {});
  ~CpuFunction();

  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs,
                                                   const runtime::TensorMap& params,
                                                   const cpu::RunOptions& options,
                                                   runtime::TensorMap* assigned = nullptr);

  const LoweredFunction& lowered() const { return lowered_; }
  const CompileTimes& times() const { return times_; }

 private:
  CpuFunction() = default;
  LoweredFunction lowered_;
  std::unique_ptr<JitModule> jit_;
  std::unique_ptr<cpu::Executor> executor_;
  CompileTimes times_;
};

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_CPU_FUNCTION_H_
