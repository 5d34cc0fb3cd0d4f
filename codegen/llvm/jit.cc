#include "codegen/llvm/jit.h"

#include <cmath>
#include <cstring>

#include "codegen/llvm/emitter.h"
#include "codegen/llvm/host_target.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "runtime/cpu/thread_pool.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

absl::Status toStatus(llvm::Error error) {
  if (!error) return absl::OkStatus();
  return absl::InternalError(strCat("LLVM: ", llvm::toString(std::move(error))));
}

// What generated code may call, bound by address: the executable need not
// export these, and libm's may not be dlsym-visible in a static binary.
std::vector<std::pair<const char*, void*>> runtimeSymbols() {
  return {
      {"dlc_cpu_parallel_for", reinterpret_cast<void*>(&dlc_cpu_parallel_for)},
      {"expf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::expf))},
      {"logf", reinterpret_cast<void*>(static_cast<float (*)(float)>(&::logf))},
      {"powf", reinterpret_cast<void*>(static_cast<float (*)(float, float)>(&::powf))},
      {"fmodf", reinterpret_cast<void*>(static_cast<float (*)(float, float)>(&::fmodf))},
      {"exp", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::exp))},
      {"log", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::log))},
      {"pow", reinterpret_cast<void*>(static_cast<double (*)(double, double)>(&::pow))},
      {"fmod", reinterpret_cast<void*>(static_cast<double (*)(double, double)>(&::fmod))},
      {"tanh", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::tanh))},
      {"erf", reinterpret_cast<void*>(static_cast<double (*)(double)>(&::erf))},
      {"memset", reinterpret_cast<void*>(&::memset)},
      {"memcpy", reinterpret_cast<void*>(&::memcpy)},
      {"memmove", reinterpret_cast<void*>(&::memmove)},
  };
}

// A context that keeps LLVM's optimization remarks and warnings ("loop not
// vectorized" where a vector loop calls libm) off stderr: a vector loop is a
// request, not a promise. Errors still reach the caller as statuses.
std::unique_ptr<llvm::LLVMContext> newContext() {
  auto context = std::make_unique<llvm::LLVMContext>();
  context->setDiagnosticHandlerCallBack([](const llvm::DiagnosticInfo*, void*) {});
  return context;
}

absl::StatusOr<std::unique_ptr<llvm::Module>> emitOptimized(const kir::KernelModule& kernels,
                                                            llvm::LLVMContext& context,
                                                            llvm::TargetMachine& machine) {
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module, emitModule(kernels, hostEmitOptions(), context));
  optimizeModule(*module, machine);
  return module;
}

}  // namespace

JitModule::~JitModule() = default;

absl::StatusOr<std::unique_ptr<JitModule>> JitModule::compile(const kir::KernelModule& kernels) {
  initializeNativeTarget();
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine, createHostTargetMachine());
  std::unique_ptr<llvm::LLVMContext> context = newContext();
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module, emitOptimized(kernels, *context, *machine));

  const HostTarget& host = hostTarget();
  llvm::orc::JITTargetMachineBuilder jtmb{llvm::Triple(host.triple)};
  jtmb.setCPU(host.cpu);
  jtmb.addFeatures(std::vector<std::string>{host.features});
  jtmb.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(jtmb)).create();
  if (!jit) return toStatus(jit.takeError());

  std::unique_ptr<JitModule> result(new JitModule());
  result->jit_ = std::move(*jit);
  llvm::orc::LLJIT& lljit = *result->jit_;
  llvm::orc::SymbolMap symbols;
  for (const auto& [name, address] : runtimeSymbols())
    symbols[lljit.mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                             llvm::JITSymbolFlags::Exported};
  RETURN_IF_ERROR(toStatus(lljit.getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(symbols)))));
  // Anything else (library routines of CallStmt, compiler-rt helpers) from
  // the process.
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      lljit.getDataLayout().getGlobalPrefix());
  if (!process) return toStatus(process.takeError());
  lljit.getMainJITDylib().addGenerator(std::move(*process));

  RETURN_IF_ERROR(toStatus(
      lljit.addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))));
  for (const kir::Kernel& kernel : kernels.kernels) {
    auto address = lljit.lookup(kernel.name);
    if (!address) return toStatus(address.takeError());
    result->kernels_[kernel.name] = address->toPtr<KernelFn>();
  }
  return result;
}

JitModule::KernelFn JitModule::find(std::string_view name) const {
  auto it = kernels_.find(std::string(name));
  return it == kernels_.end() ? nullptr : it->second;
}

absl::StatusOr<std::string> emitLlvmIr(const kir::KernelModule& kernels, bool optimized) {
  std::unique_ptr<llvm::LLVMContext> context = newContext();
  std::unique_ptr<llvm::Module> module;
  if (optimized) {
    ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine, createHostTargetMachine());
    ASSIGN_OR_RETURN(module, emitOptimized(kernels, *context, *machine));
  } else {
    ASSIGN_OR_RETURN(module, emitModule(kernels, hostEmitOptions(), *context));
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, nullptr);
  return text;
}

absl::StatusOr<std::string> emitAssembly(const kir::KernelModule& kernels) {
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine, createHostTargetMachine());
  std::unique_ptr<llvm::LLVMContext> context = newContext();
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module, emitOptimized(kernels, *context, *machine));
  llvm::SmallString<0> text;
  llvm::raw_svector_ostream os(text);
  llvm::legacy::PassManager pm;
  if (machine->addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::AssemblyFile))
    return absl::InternalError("the host target cannot emit assembly");
  pm.run(*module);
  return std::string(text.str());
}

}  // namespace dlc::codegen
