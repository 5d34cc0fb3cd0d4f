// Kernel IR to native code for one CPU target, ahead of time: the module is
// emitted (emit_*.cc), optimized at O3 for the target, compiled to an ELF
// object and linked by LLD (in process) into a shared object. That object is
// what every CPU path runs — `dlc run MODEL.dl` loads it at once, the disk
// cache keeps it, a `.dlx` artifact carries it — so the JIT path and an
// artifact run the same machine code.
//
// The shared object exports each kernel (`void NAME(void** buffers)`),
// defines `dlc_cpu_parallel_for_ptr` (the loader points it at the thread
// pool, runtime/cpu/thread_pool.h) and imports only libc/libm routines.
#ifndef DLC_CODEGEN_LLVM_NATIVE_CODE_H_
#define DLC_CODEGEN_LLVM_NATIVE_CODE_H_

#include <string>

#include "absl/status/statusor.h"
#include "codegen/llvm/cpu_target.h"
#include "ir/kernel/kernel_ir.h"
#include "runtime/cpu/native_module.h"

namespace dlc::codegen {

struct NativeCode {
  std::string triple;
  std::string cpu;
  std::vector<std::string> isa;  // CpuTarget::isa: what a loader must find on the machine
  std::string shared_object;     // ELF bytes
};

// Each kernel is a module of its own, compiled on one of up to
// DLC_NUM_THREADS threads (every core by default); the objects are linked
// in kernel order, so the result does not depend on the thread count.
struct NativeCompileTimes {
  double optimize_ms = 0;   // emit + O3, summed over the threads
  double codegen_ms = 0;    // machine code, summed over the threads
  double llvm_wall_ms = 0;  // both, as the clock saw them
  double link_ms = 0;       // LLD
  int threads = 1;
};

absl::StatusOr<NativeCode> compileNativeCode(const kir::KernelModule& kernels, const CpuTarget& target,
                                             NativeCompileTimes* times = nullptr);

// Compiles for `target` (this machine by default) and loads the code (tests
// and benches of single kernels); loading checks that this CPU can run it.
absl::StatusOr<std::unique_ptr<runtime::cpu::NativeModule>> compileAndLoad(const kir::KernelModule& kernels,
                                                                           const CpuTarget& target = hostCpuTarget());

// The text forms behind `dlc compile --emit llvm|asm`: the module's LLVM IR
// as emitted or after O3, and the target's assembly (AT&T syntax on x86).
absl::StatusOr<std::string> emitLlvmIr(const kir::KernelModule& kernels, bool optimized,
                                       const CpuTarget& target = hostCpuTarget());
absl::StatusOr<std::string> emitAssembly(const kir::KernelModule& kernels, const CpuTarget& target = hostCpuTarget());

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LLVM_NATIVE_CODE_H_
