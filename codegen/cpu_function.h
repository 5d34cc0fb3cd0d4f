// A function compiled for a CPU target for one set of input shapes: the
// lowered kernels and plan, their native code (codegen/llvm/native_code.h,
// kept in the disk cache) and the runtime program that runs them. What
// `--target cpu` runs for `dlc run`, `grad` and `train`, and what a `.dlx`
// artifact's CPU functions hold.
#ifndef DLC_CODEGEN_CPU_FUNCTION_H_
#define DLC_CODEGEN_CPU_FUNCTION_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "codegen/llvm/cpu_target.h"
#include "codegen/llvm/native_code.h"
#include "codegen/lower/plan.h"
#include "runtime/cpu/program.h"

namespace dlc::codegen {

struct CompileTimes {
  double lower_ms = 0;      // fusion, kernel IR, plan
  double optimize_ms = 0;   // LLVM: emit and O3, summed over threads
  double codegen_ms = 0;    // LLVM: machine code, summed over threads
  double llvm_wall_ms = 0;  // both, on `llvm_threads` threads
  int llvm_threads = 0;
  double link_ms = 0;      // LLD
  double load_ms = 0;      // dlopen and binding the kernels
  bool cache_hit = false;  // the native code came from the disk cache
};

struct CpuCompileOptions {
  CpuTarget target = hostCpuTarget();
  // Where compiled code is cached; nullopt: KernelCache::defaultDirectory().
  std::optional<std::filesystem::path> cache_dir;
  bool use_cache = true;
  // Library calls planned with host implementations (tests of the planning).
  LibraryOptions library;
};

// A function lowered and compiled to native code, not loaded: what an
// artifact stores, and what CpuFunction::compile loads.
struct CpuCompiled {
  LoweredFunction lowered;
  NativeCode code;
  CompileTimes times;  // load_ms is 0
};

absl::StatusOr<CpuCompiled> compileCpuFunction(const ir::Function& function,
                                               std::span<const std::vector<int64_t>> input_shapes,
                                               const CpuCompileOptions& options = {});

class CpuFunction {
 public:
  static absl::StatusOr<std::unique_ptr<CpuFunction>> compile(const ir::Function& function,
                                                              std::span<const std::vector<int64_t>> input_shapes,
                                                              const CpuCompileOptions& options = {});
  ~CpuFunction();

  absl::StatusOr<std::vector<runtime::Tensor>> run(std::span<const runtime::Tensor> inputs,
                                                   const runtime::TensorMap& params,
                                                   const runtime::cpu::RunOptions& options,
                                                   runtime::TensorMap* assigned = nullptr);

  const LoweredFunction& lowered() const { return compiled_.lowered; }
  const NativeCode& code() const { return compiled_.code; }
  const CompileTimes& times() const { return compiled_.times; }

 private:
  CpuFunction() = default;
  CpuCompiled compiled_;
  std::unique_ptr<runtime::cpu::Program> program_;
};

// The lowering options of a CPU target (its register budget).
LowerOptions cpuLowerOptions(const CpuTarget& target);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_CPU_FUNCTION_H_
