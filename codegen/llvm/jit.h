// Compiling kernel modules to native code in-process (ORC LLJIT, O3, for the
// host CPU), and the text forms behind `dlc compile --emit llvm|asm`.
#ifndef DLC_CODEGEN_LLVM_JIT_H_
#define DLC_CODEGEN_LLVM_JIT_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ir/kernel/kernel_ir.h"

namespace llvm::orc {
class LLJIT;
}  // namespace llvm::orc

namespace dlc::codegen {

// The compiled kernels of one module; owns the JIT (and so the code).
class JitModule {
 public:
  // `buffers` holds one pointer per kernel buffer, in kernel buffer order.
  using KernelFn = void (*)(void** buffers);

  static absl::StatusOr<std::unique_ptr<JitModule>> compile(const kir::KernelModule& kernels);
  ~JitModule();

  // nullptr when the module has no kernel of that name.
  KernelFn find(std::string_view name) const;

 private:
  JitModule() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  absl::flat_hash_map<std::string, KernelFn> kernels_;
};

// The module's LLVM IR, as emitted or after the O3 pipeline for the host.
absl::StatusOr<std::string> emitLlvmIr(const kir::KernelModule& kernels, bool optimized);
// Host assembly (AT&T syntax) of the optimized module.
absl::StatusOr<std::string> emitAssembly(const kir::KernelModule& kernels);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LLVM_JIT_H_
