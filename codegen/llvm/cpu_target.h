// The CPU that kernels are compiled for: this machine ("host", the default),
// a portable x86-64 level ("x86-64-v2", "x86-64-v3", "x86-64-v4"), "aarch64",
// or any CPU LLVM knows by name ("znver4", "neoverse-v1"). Every code
// generation choice that depends on the CPU (vector width, register budget of
// the register tiling, target attributes) is derived from this, never from the
// machine that happens to compile.
#ifndef DLC_CODEGEN_LLVM_CPU_TARGET_H_
#define DLC_CODEGEN_LLVM_CPU_TARGET_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "codegen/llvm/emitter.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace dlc::codegen {

struct CpuTarget {
  std::string name;      // as asked: "host", "x86-64-v3", ...
  std::string triple;    // "x86_64-unknown-linux-gnu"
  std::string cpu;       // LLVM's CPU name
  std::string features;  // LLVM's "+avx2,-avx512f,..." (empty: the CPU's own)
  // The instruction-set extensions the code may use that a loader checks
  // before running it ("avx2", "fma", "avx512f", "neon", ...), sorted.
  std::vector<std::string> isa;
  // The vector register file the schedule budgets for.
  int vector_registers = 16;
  int vector_bytes = 16;
};

// Registers LLVM's X86 and AArch64 targets once per process.
void initializeTargets();

// "", "host" or "native": this machine with every feature it has; otherwise
// a named CPU. InvalidArgument for a name LLVM does not know.
absl::StatusOr<CpuTarget> resolveCpuTarget(std::string_view name);
const CpuTarget& hostCpuTarget();

EmitOptions emitOptionsFor(const CpuTarget& target);
absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const CpuTarget& target);

// Sets the module's triple and data layout for `machine` and runs the
// default O3 pipeline tuned for it.
void optimizeModule(llvm::Module& module, llvm::TargetMachine& machine);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LLVM_CPU_TARGET_H_
