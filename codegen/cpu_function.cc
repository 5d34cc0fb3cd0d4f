#include "codegen/cpu_function.h"

#include <chrono>

#include "codegen/llvm/jit.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::codegen {
namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

CpuFunction::~CpuFunction() = default;

absl::StatusOr<std::unique_ptr<CpuFunction>> CpuFunction::compile(const ir::Function& function,
                                                                  std::span<const std::vector<int64_t>> input_shapes,
                                                                  const LowerOptions& options) {
  std::unique_ptr<CpuFunction> f(new CpuFunction());
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(f->lowered_, lowerFunction(function, input_shapes, options));
  f->times_.lower_ms = millisecondsSince(start);
  start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(f->jit_, JitModule::compile(f->lowered_.kernels));
  f->times_.jit_ms = millisecondsSince(start);
  std::vector<cpu::KernelFn> kernels;
  for (const std::string& name : f->lowered_.executable.kernels) {
    JitModule::KernelFn fn = f->jit_->find(name);
    if (!fn) return absl::InternalError(strCat("kernel '", name, "' was not compiled"));
    kernels.push_back(fn);
  }
  f->executor_ = std::make_unique<cpu::Executor>(f->lowered_.executable, std::move(kernels));
  return f;
}

absl::StatusOr<std::vector<runtime::Tensor>> CpuFunction::run(std::span<const runtime::Tensor> inputs,
                                                              const runtime::TensorMap& params,
                                                              const cpu::RunOptions& options,
                                                              runtime::TensorMap* assigned) {
  return executor_->run(inputs, params, options, assigned);
}

}  // namespace dlc::codegen
