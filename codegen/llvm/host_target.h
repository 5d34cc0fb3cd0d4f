// The machine kernels are compiled for: the host CPU with all its features
// (AVX-512 where present), and the O3 pipeline run on emitted modules.
#ifndef DLC_CODEGEN_LLVM_HOST_TARGET_H_
#define DLC_CODEGEN_LLVM_HOST_TARGET_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "codegen/llvm/emitter.h"

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace dlc::codegen {

struct HostTarget {
  std::string triple;
  std::string cpu;       // sys::getHostCPUName
  std::string features;  // "+avx2,+avx512f,..." from sys::getHostCPUFeatures
};

// Initializes LLVM's native target once per process.
void initializeNativeTarget();
const HostTarget& hostTarget();
EmitOptions hostEmitOptions();
absl::StatusOr<std::unique_ptr<llvm::TargetMachine>> createHostTargetMachine();

// Sets the module's triple and data layout for `machine` and runs the
// default O3 pipeline tuned for it.
void optimizeModule(llvm::Module& module, llvm::TargetMachine& machine);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LLVM_HOST_TARGET_H_
