// A compiled function ready to run on the CPU: its plan (runtime::Executable),
// the native code of its kernels and the executor that runs one with the
// other. Built the same way from code compiled a moment ago
// (codegen/cpu_function.h) and from a `.dlx` artifact, so both run the same
// machine code through the same executor.
#ifndef DLC_RUNTIME_CPU_PROGRAM_H_
#define DLC_RUNTIME_CPU_PROGRAM_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/cpu/executor.h"
#include "runtime/cpu/native_module.h"
#include "runtime/executable.h"

namespace dlc::runtime::cpu {

class Program {
 public:
  // Loads the code (native_module.h's errors) and binds every kernel the
  // plan names; InvalidArgument when the code lacks one. `executable` must
  // outlive the program.
  static absl::StatusOr<std::unique_ptr<Program>> load(const runtime::Executable& executable, std::string_view triple,
                                                       const std::vector<std::string>& isa,
                                                       std::string_view shared_object);

  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs,
                                                   const runtime::TensorMap& params, const RunOptions& options,
                                                   runtime::TensorMap* assigned = nullptr) {
    return executor_->run(inputs, params, options, assigned);
  }

  const runtime::Executable& executable() const { return executor_->executable(); }

 private:
  Program() = default;
  std::unique_ptr<NativeModule> code_;
  std::unique_ptr<Executor> executor_;
};

}  // namespace dlc::runtime::cpu

#endif  // DLC_RUNTIME_CPU_PROGRAM_H_
