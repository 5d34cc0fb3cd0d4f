#include "api/execute.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string_view>

#include "codegen/cpu_function.h"
#include "codegen/cuda_function.h"
#include "support/clock.h"
#include "support/env.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc {
namespace {

// DLC_COMPILE_TIMES=1: one line on stderr per compiled function.
bool compileTimesWanted() { return envFlag("DLC_COMPILE_TIMES"); }

bool keepWeightsOnDevice() { return envFlag("DLC_CUDA_KEEP_WEIGHTS", true); }

// A fresh compile of `function` for the model's CUDA target, its stage
// times on stderr with DLC_COMPILE_TIMES.
absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> compileCuda(const Model::Impl& impl,
                                                                   const ir::Function& function,
                                                                   std::span<const std::vector<int64_t>> shapes) {
  codegen::CudaCompileOptions cuda_options;
  if (impl.target != "cuda") cuda_options.arch = impl.target.substr(5);  // "cuda:sm_80" -> "sm_80"
  cuda_options.libraries.allow_tf32 = impl.precision == ir::Precision::kTf32;
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<codegen::CudaFunction> compiled,
                   codegen::CudaFunction::compile(function, shapes, cuda_options));
  if (compileTimesWanted()) {
    const codegen::CudaCompileTimes& t = compiled->times();
    std::fprintf(stderr,
                 "dlc compile-times: %s target=cuda lower=%.1f (bind-shapes=%.1f fusion=%.1f plan=%.1f) "
                 "emit=%.1f nvrtc=%.1f load=%.1f executor=%.1f cache_hit=%d total=%.1f\n",
                 function.name().c_str(), t.lower_ms, compiled->lowered().times.bind_shapes_ms,
                 compiled->lowered().times.fusion_ms, compiled->lowered().times.plan_ms, t.emit_ms, t.nvrtc_ms,
                 t.load_ms, t.executor_ms, t.cache_hit ? 1 : 0, millisecondsSince(start));
  }
  return compiled;
}

// The same for a CPU target (`cpu`: this machine; `cpu:NAME`: that CPU).
absl::StatusOr<std::unique_ptr<codegen::CpuFunction>> compileCpu(const Model::Impl& impl, const ir::Function& function,
                                                                 std::span<const std::vector<int64_t>> shapes) {
  auto start = std::chrono::steady_clock::now();
  codegen::CpuCompileOptions options;
  if (impl.target.starts_with("cpu:")) {
    ASSIGN_OR_RETURN(options.target, codegen::resolveCpuTarget(std::string_view(impl.target).substr(4)));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<codegen::CpuFunction> compiled,
                   codegen::CpuFunction::compile(function, shapes, options));
  if (compileTimesWanted()) {
    const codegen::CompileTimes& t = compiled->times();
    std::fprintf(stderr,
                 "dlc compile-times: %s target=cpu lower=%.1f (bind-shapes=%.1f fusion=%.1f plan=%.1f) "
                 "optimize=%.1f codegen=%.1f (wall %.1f on %d threads) link=%.1f load=%.1f cache_hit=%d "
                 "total=%.1f\n",
                 function.name().c_str(), t.lower_ms, compiled->lowered().times.bind_shapes_ms,
                 compiled->lowered().times.fusion_ms, compiled->lowered().times.plan_ms, t.optimize_ms, t.codegen_ms,
                 t.llvm_wall_ms, t.llvm_threads, t.link_ms, t.load_ms, t.cache_hit ? 1 : 0, millisecondsSince(start));
  }
  return compiled;
}

std::string compiledKey(const ir::Function& function, std::span<const std::vector<int64_t>> shapes) {
  std::string key = strCat(reinterpret_cast<uintptr_t>(&function));
  for (const std::vector<int64_t>& shape : shapes) strAppend(&key, "/", strJoin(shape, "x"));
  return key;
}

// The function kept in `cache` under `key`, or the one `compile` makes,
// kept there from now on.
template <typename F>
absl::StatusOr<F*> compiledOnce(std::map<std::string, std::unique_ptr<F>>& cache, std::string key,
                                const std::function<absl::StatusOr<std::unique_ptr<F>>()>& compile) {
  auto it = cache.find(key);
  if (it != cache.end()) return it->second.get();
  ASSIGN_OR_RETURN(std::unique_ptr<F> compiled, compile());
  return cache.emplace(std::move(key), std::move(compiled)).first->second.get();
}

}  // namespace

bool isCudaTarget(const std::string& target) { return target == "cuda" || target.starts_with("cuda:"); }

absl::Status syncWeights(Model::Impl& impl) {
  if (!impl.device_weights) return absl::OkStatus();
  ASSIGN_OR_RETURN(runtime::TensorMap fresh, impl.device_weights->downloadResidentParams());
  for (auto& [name, value] : fresh) impl.weights.insert_or_assign(name, std::move(value));
  impl.device_weights = nullptr;
  return absl::OkStatus();
}

void dropDeviceWeights(Model::Impl& impl) {
  if (impl.device_weights) impl.device_weights->dropResidentParams();
  impl.device_weights = nullptr;
}

absl::StatusOr<codegen::CudaFunction*> compiledCuda(Model::Impl& impl, const ir::Function& function,
                                                    std::span<const std::vector<int64_t>> shapes) {
  return compiledOnce<codegen::CudaFunction>(impl.compiled_cuda, compiledKey(function, shapes),
                                             [&] { return compileCuda(impl, function, shapes); });
}

absl::StatusOr<codegen::CpuFunction*> compiledCpu(Model::Impl& impl, const ir::Function& function,
                                                  std::span<const std::vector<int64_t>> shapes) {
  return compiledOnce<codegen::CpuFunction>(impl.compiled, compiledKey(function, shapes),
                                            [&] { return compileCpu(impl, function, shapes); });
}

std::vector<std::vector<int64_t>> shapesOf(const std::vector<Tensor>& args) {
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor& t : args) shapes.push_back(t.shape());
  return shapes;
}

absl::StatusOr<std::vector<Tensor>> execute(Model::Impl& impl, const ir::Module& module, const ir::Function& function,
                                            const std::vector<Tensor>& args, const reference::InterpretOptions& options,
                                            reference::ParamMap* assigned) {
  bool cuda = isCudaTarget(impl.target);
  RETURN_IF_ERROR(requireTf32Target(impl.precision, impl.target));
  if (!cuda) RETURN_IF_ERROR(syncWeights(impl));
  if (impl.target == "reference") return reference::interpret(module, function, args, impl.weights, options, assigned);
  for (size_t i = 0; i < args.size() && i < function.arguments().size(); ++i) {
    const ir::TensorType& expected = function.argument(i)->type();
    if (args[i].dtype() != expected.dtype)
      return absl::InvalidArgumentError(strCat("input '", function.argument(i)->nameHint(), "' has dtype ",
                                               ir::dtypeName(args[i].dtype()), " (", args[i].typeString(),
                                               "), but the model expects ", expected.str()));
  }
  std::vector<std::vector<int64_t>> shapes = shapesOf(args);
  if (cuda) {
    ASSIGN_OR_RETURN(codegen::CudaFunction * f, compiledCuda(impl, function, shapes));
    if (impl.device_weights != f) RETURN_IF_ERROR(syncWeights(impl));
    runtime::cuda::RunOptions run{options.seed, options.step, assigned != nullptr && keepWeightsOnDevice()};
    absl::StatusOr<std::vector<Tensor>> outputs = f->run(args, impl.weights, run, assigned);
    if (f->hasResidentParams()) impl.device_weights = f;
    return outputs;
  }
  ASSIGN_OR_RETURN(codegen::CpuFunction * f, compiledCpu(impl, function, shapes));
  return f->run(args, impl.weights, runtime::cpu::RunOptions{options.seed, options.step}, assigned);
}

}  // namespace dlc
