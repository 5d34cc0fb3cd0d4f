#include "codegen/cpu_function.h"

#include <chrono>

#include "codegen/cache/kernel_cache.h"
#include "ir/kernel/printer.h"
#include "llvm/Config/llvm-config.h"
#include "support/clock.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

// Everything that decides the shared object: the kernels, the target, LLVM.
CacheKey nativeCacheKey(const kir::KernelModule& kernels, const CpuTarget& target) {
  CacheKey key;
  key.source = kir::printKernelModule(kernels);
  key.compiler_version = strCat("LLVM ", LLVM_VERSION_STRING, " native-code 1");
  key.arch = strCat(target.triple, " ", target.cpu);
  key.options = {target.features, strJoin(target.isa, ",")};
  return key;
}

}  // namespace

LowerOptions cpuLowerOptions(const CpuTarget& target) {
  LowerOptions options;
  options.schedule.cpu = true;
  options.schedule.vector_registers = target.vector_registers;
  options.schedule.vector_bytes = target.vector_bytes;
  return options;
}

CpuFunction::~CpuFunction() = default;

absl::StatusOr<CpuCompiled> compileCpuFunction(const ir::Function& function,
                                               std::span<const std::vector<int64_t>> input_shapes,
                                               const CpuCompileOptions& options) {
  CpuCompiled out;
  const CpuTarget& target = options.target;
  auto start = std::chrono::steady_clock::now();
  LowerOptions lower = cpuLowerOptions(target);
  lower.library = options.library;
  ASSIGN_OR_RETURN(out.lowered, lowerFunction(function, input_shapes, lower));
  out.times.lower_ms = millisecondsSince(start);

  auto compile = [&]() -> absl::StatusOr<std::string> {
    NativeCompileTimes t;
    ASSIGN_OR_RETURN(NativeCode code, compileNativeCode(out.lowered.kernels, target, &t));
    out.times.optimize_ms = t.optimize_ms;
    out.times.codegen_ms = t.codegen_ms;
    out.times.llvm_wall_ms = t.llvm_wall_ms;
    out.times.llvm_threads = t.threads;
    out.times.link_ms = t.link_ms;
    return std::move(code.shared_object);
  };
  out.code = NativeCode{target.triple, target.cpu, target.isa, {}};
  ASSIGN_OR_RETURN(CachedCompile cached, compileCached(options.use_cache, options.cache_dir,
                                                       nativeCacheKey(out.lowered.kernels, target), compile));
  out.code.shared_object = std::move(cached.payload);
  out.times.cache_hit = cached.cache_hit;
  return out;
}

absl::StatusOr<std::unique_ptr<CpuFunction>> CpuFunction::compile(const ir::Function& function,
                                                                  std::span<const std::vector<int64_t>> input_shapes,
                                                                  const CpuCompileOptions& options) {
  std::unique_ptr<CpuFunction> f(new CpuFunction());
  ASSIGN_OR_RETURN(f->compiled_, compileCpuFunction(function, input_shapes, options));
  auto start = std::chrono::steady_clock::now();
  const NativeCode& code = f->compiled_.code;
  ASSIGN_OR_RETURN(f->program_, runtime::cpu::Program::load(f->compiled_.lowered.executable, code.triple, code.isa,
                                                            code.shared_object));
  f->compiled_.times.load_ms = millisecondsSince(start);
  return f;
}

absl::StatusOr<std::vector<runtime::Tensor>> CpuFunction::run(std::span<const runtime::Tensor> inputs,
                                                              const runtime::TensorMap& params,
                                                              const runtime::cpu::RunOptions& options,
                                                              runtime::TensorMap* assigned) {
  return program_->run(inputs, params, options, assigned);
}

}  // namespace dlc::codegen
