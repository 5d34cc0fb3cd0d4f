// Kernel IR -> LLVM IR. Each kir::Kernel becomes an external function
//
//   void NAME(void** buffers)
//
// whose argument holds one pointer per kernel buffer, in kernel buffer order
// (`scratch` buffers included; the slot of a `local` buffer is ignored, as
// locals become allocas private to each thread). `parallel` loops are
// outlined into `void NAME.parallelK(void* ctx, i64 begin, i64 end)` and run
// through dlc_cpu_parallel_for (runtime/cpu/thread_pool.h); the values they
// capture (the buffers pointer, outer lets and loop indices) travel in a
// context struct. Decisions that affect numerics:
//
// - f16/bf16 values are stored as LLVM half/bfloat; every op computes in f32
//   and rounds its result (as the reference interpreter rounds each op), but
//   reductions over them accumulate in f32 and round once at the end.
// - Float add/mul reductions carry `reassoc` (the kernel IR leaves the order
//   of combination unspecified), so they vectorize.
// - exp, tanh and erf on f32 (and narrower) use polynomial approximations
//   emitted as IR (math_functions.h), so loops calling them vectorize; f64
//   uses libm.
// - Integer ops wrap; shift amounts are taken modulo the bit width; float to
//   integer casts saturate (NaN -> 0).
// - Distinct buffers of a kernel are assumed not to overlap (an in-place
//   update is one `inout` buffer), which lets LLVM reorder their accesses.
#ifndef DLC_CODEGEN_LLVM_EMITTER_H_
#define DLC_CODEGEN_LLVM_EMITTER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ir/kernel/kernel_ir.h"
#include "runtime/cpu/native_module.h"

namespace llvm {
class GlobalVariable;
class LLVMContext;
class Module;
}  // namespace llvm

namespace dlc::codegen {

struct EmitOptions {
  // Function attributes "target-cpu" / "target-features"; empty leaves them
  // unset (generic x86-64 when compiled).
  std::string cpu;
  std::string features;
  // Whether the module defines kParallelForPointer (exactly one module of a
  // shared object does) or only declares it.
  bool define_runtime_globals = true;
};

// The global through which parallel loops call the thread pool
// (runtime/cpu/native_module.h's kParallelForPointer, which the loader sets).
llvm::GlobalVariable* parallelForPointer(llvm::Module& module, bool define);

// Adds the function of `kernel` to `module`.
absl::Status emitKernel(const kir::Kernel& kernel, const EmitOptions& options, llvm::Module& module);

// A module holding every kernel of `kernels`.
absl::StatusOr<std::unique_ptr<llvm::Module>> emitModule(const kir::KernelModule& kernels, const EmitOptions& options,
                                                         llvm::LLVMContext& context);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LLVM_EMITTER_H_
