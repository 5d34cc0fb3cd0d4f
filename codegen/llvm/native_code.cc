#include "codegen/llvm/native_code.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "codegen/llvm/emitter.h"
#include "lld/Common/Driver.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "runtime/cpu/thread_pool.h"
#include "support/clock.h"
#include "support/status_macros.h"
#include "support/strings.h"

LLD_HAS_DRIVER(elf)

namespace dlc::codegen {
namespace {

// A context that keeps LLVM's optimization remarks and warnings ("loop not
// vectorized" where a vector loop calls libm) off stderr: a vector loop is a
// request, not a promise. Errors still reach the caller as statuses.
std::unique_ptr<llvm::LLVMContext> newContext() {
  auto context = std::make_unique<llvm::LLVMContext>();
  context->setDiagnosticHandlerCallBack([](const llvm::DiagnosticInfo*, void*) {});
  return context;
}

absl::StatusOr<std::unique_ptr<llvm::Module>> emitOptimized(const kir::KernelModule& kernels, const CpuTarget& target,
                                                            llvm::LLVMContext& context, llvm::TargetMachine& machine) {
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module, emitModule(kernels, emitOptionsFor(target), context));
  optimizeModule(*module, machine);
  return module;
}

absl::StatusOr<std::string> emitFile(llvm::Module& module, llvm::TargetMachine& machine, llvm::CodeGenFileType type) {
  llvm::SmallString<0> bytes;
  llvm::raw_svector_ostream os(bytes);
  llvm::legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, os, nullptr, type))
    return absl::InternalError(strCat("LLVM cannot emit this file type for ", machine.getTargetTriple().str()));
  pm.run(module);
  return std::string(bytes.str());
}

// A private folder for LLD's input and output, removed on destruction.
class TempDir {
 public:
  static absl::StatusOr<TempDir> create() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "dlc-link-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      return absl::InternalError(strCat("cannot create a temporary folder in ", base.string()));
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

absl::Status writeFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.good()) return absl::InternalError(strCat("cannot write ", path.string()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InternalError(strCat("cannot read ", path.string()));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// LLD keeps global state: one link at a time, and none after a crash.
absl::StatusOr<std::string> linkSharedObject(const std::vector<std::string>& objects) {
  static std::mutex mutex;
  static bool usable = true;
  std::lock_guard<std::mutex> lock(mutex);
  if (!usable) return absl::InternalError("LLD failed earlier in this process and cannot run again");
  ASSIGN_OR_RETURN(TempDir dir, TempDir::create());
  std::string out = (dir.path() / "kernels.so").string();
  std::vector<std::string> inputs;
  for (size_t i = 0; i < objects.size(); ++i) {
    inputs.push_back((dir.path() / strCat("k", i, ".o")).string());
    RETURN_IF_ERROR(writeFile(inputs.back(), objects[i]));
  }
  // No soname: the loader must never take two modules for one library.
  std::vector<const char*> args = {
      "ld.lld", "-shared", "--hash-style=gnu", "--build-id=none", "-z", "noexecstack", "-z", "now", "-o", out.c_str()};
  for (const std::string& in : inputs) args.push_back(in.c_str());
  std::string messages;
  llvm::raw_string_ostream stdout_os(messages), stderr_os(messages);
  lld::Result result = lld::lldMain(args, stdout_os, stderr_os, {{lld::Gnu, &lld::elf::link}});
  usable = result.canRunAgain;
  if (result.retCode != 0) return absl::InternalError(strCat("LLD could not link the kernels: ", messages));
  return readFile(out);
}

// One module's object file: emit, O3 for the target, machine code. Adds its
// CPU milliseconds to `optimize_ms` and `codegen_ms`.
absl::StatusOr<std::string> compileObject(const kir::KernelModule& kernels, const CpuTarget& target,
                                          bool define_runtime_globals, double& optimize_ms, double& codegen_ms) {
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine, createTargetMachine(target));
  std::unique_ptr<llvm::LLVMContext> context = newContext();
  EmitOptions options = emitOptionsFor(target);
  options.define_runtime_globals = define_runtime_globals;
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module, emitModule(kernels, options, *context));
  optimizeModule(*module, *machine);
  optimize_ms += millisecondsSince(start);
  start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::string object, emitFile(*module, *machine, llvm::CodeGenFileType::ObjectFile));
  codegen_ms += millisecondsSince(start);
  return object;
}

}  // namespace

absl::StatusOr<NativeCode> compileNativeCode(const kir::KernelModule& kernels, const CpuTarget& target,
                                             NativeCompileTimes* times) {
  NativeCompileTimes local;
  NativeCompileTimes& t = times ? *times : local;
  t = NativeCompileTimes{};
  // Object i holds kernel i, and the last the runtime globals: the same
  // objects, in the same order, whatever the number of threads.
  size_t n = kernels.kernels.size();
  std::vector<std::string> objects(n + 1);
  std::vector<absl::Status> errors(n + 1);
  std::vector<double> optimize(n + 1, 0.0), codegen(n + 1, 0.0);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i <= n; i = next++) {
      kir::KernelModule one;
      if (i < n) one.kernels.push_back(kernels.kernels[i]);
      absl::StatusOr<std::string> object =
          compileObject(one, target, /*define_runtime_globals=*/i == n, optimize[i], codegen[i]);
      if (object.ok())
        objects[i] = std::move(*object);
      else
        errors[i] = object.status();
    }
  };
  auto start = std::chrono::steady_clock::now();
  t.threads =
      static_cast<int>(std::min<size_t>(n + 1, static_cast<size_t>(runtime::cpu::ThreadPool::defaultNumThreads())));
  std::vector<std::thread> workers;
  for (int w = 1; w < t.threads; ++w) workers.emplace_back(work);
  work();
  for (std::thread& w : workers) w.join();
  t.llvm_wall_ms = millisecondsSince(start);
  for (size_t i = 0; i <= n; ++i) {
    RETURN_IF_ERROR(errors[i]);
    t.optimize_ms += optimize[i];
    t.codegen_ms += codegen[i];
  }
  start = std::chrono::steady_clock::now();
  NativeCode code{target.triple, target.cpu, target.isa, {}};
  ASSIGN_OR_RETURN(code.shared_object, linkSharedObject(objects));
  t.link_ms = millisecondsSince(start);
  return code;
}

absl::StatusOr<std::unique_ptr<runtime::cpu::NativeModule>> compileAndLoad(const kir::KernelModule& kernels,
                                                                           const CpuTarget& target) {
  ASSIGN_OR_RETURN(NativeCode code, compileNativeCode(kernels, target));
  return runtime::cpu::NativeModule::load(code.triple, code.isa, code.shared_object);
}

absl::StatusOr<std::string> emitLlvmIr(const kir::KernelModule& kernels, bool optimized, const CpuTarget& target) {
  std::unique_ptr<llvm::LLVMContext> context = newContext();
  std::unique_ptr<llvm::Module> module;
  if (optimized) {
    ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine, createTargetMachine(target));
    ASSIGN_OR_RETURN(module, emitOptimized(kernels, target, *context, *machine));
  } else {
    ASSIGN_OR_RETURN(module, emitModule(kernels, emitOptionsFor(target), *context));
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, nullptr);
  return text;
}

absl::StatusOr<std::string> emitAssembly(const kir::KernelModule& kernels, const CpuTarget& target) {
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::TargetMachine> machine, createTargetMachine(target));
  std::unique_ptr<llvm::LLVMContext> context = newContext();
  ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module, emitOptimized(kernels, target, *context, *machine));
  return emitFile(*module, *machine, llvm::CodeGenFileType::AssemblyFile);
}

}  // namespace dlc::codegen

// The initialisers LLD asks for (lld_unused_targets.inc).
#include "codegen/llvm/lld_unused_targets.inc"
