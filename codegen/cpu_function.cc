#include "codegen/cpu_function.h"

#include <chrono>

#include "codegen/cache/kernel_cache.h"
#include "ir/kernel/printer.h"
#include "llvm/Config/llvm-config.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

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

absl::StatusOr<std::unique_ptr<CpuFunction>> CpuFunction::compile(const ir::Function& function,
                                                                  std::span<const std::vector<int64_t>> input_shapes,
                                                                  const CpuCompileOptions& options) {
  std::unique_ptr<CpuFunction> f(new CpuFunction());
  const CpuTarget& target = options.target;
  auto start = std::chrono::steady_clock::now();
  LowerOptions lower = cpuLowerOptions(target);
  lower.library = options.library;
  ASSIGN_OR_RETURN(f->lowered_, lowerFunction(function, input_shapes, lower));
  f->times_.lower_ms = millisecondsSince(start);

  auto compile = [&]() -> absl::StatusOr<std::string> {
    NativeCompileTimes t;
    ASSIGN_OR_RETURN(NativeCode code, compileNativeCode(f->lowered_.kernels, target, &t));
    f->times_.optimize_ms = t.optimize_ms;
    f->times_.codegen_ms = t.codegen_ms;
    f->times_.link_ms = t.link_ms;
    return std::move(code.shared_object);
  };
  f->code_ = NativeCode{target.triple, target.cpu, target.isa, {}};
  if (options.use_cache) {
    KernelCache cache(options.cache_dir ? std::filesystem::path(*options.cache_dir) : KernelCache::defaultDirectory());
    CacheKey key = nativeCacheKey(f->lowered_.kernels, target);
    bool compiled = false;
    ASSIGN_OR_RETURN(f->code_.shared_object, cache.getOrCompile(key, [&]() {
      compiled = true;
      return compile();
    }));
    f->times_.cache_hit = !compiled;
  } else {
    ASSIGN_OR_RETURN(f->code_.shared_object, compile());
  }
  if (!options.load) return f;
  start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(f->program_, cpu::Program::load(f->lowered_.executable, f->code_.triple, f->code_.isa,
                                                   f->code_.shared_object));
  f->times_.load_ms = millisecondsSince(start);
  return f;
}

absl::StatusOr<std::vector<runtime::Tensor>> CpuFunction::run(std::span<const runtime::Tensor> inputs,
                                                              const runtime::TensorMap& params,
                                                              const cpu::RunOptions& options,
                                                              runtime::TensorMap* assigned) {
  if (!program_) return absl::FailedPreconditionError("this function was compiled for another machine");
  return program_->run(inputs, params, options, assigned);
}

}  // namespace dlc::codegen
