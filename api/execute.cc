#include "api/execute.h"

#include "codegen/cpu_function.h"
#include "codegen/cuda_function.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc {

absl::StatusOr<std::vector<Tensor>> execute(Model::Impl& impl, const ir::Module& module,
                                            const ir::Function& function, const std::vector<Tensor>& args,
                                            const reference::InterpretOptions& options,
                                            reference::ParamMap* assigned) {
  if (impl.target == "reference")
    return reference::interpret(module, function, args, impl.weights, options, assigned);
  for (size_t i = 0; i < args.size() && i < function.arguments().size(); ++i) {
    const ir::TensorType& expected = function.argument(i)->type();
    if (args[i].dtype() != expected.dtype)
      return absl::InvalidArgumentError(strCat("input '", function.argument(i)->nameHint(), "' has dtype ",
                                               ir::dtypeName(args[i].dtype()), " (", args[i].typeString(),
                                               "), but the model expects ", expected.str()));
  }
  std::vector<std::vector<int64_t>> shapes;
  std::string key = strCat(reinterpret_cast<uintptr_t>(&function));
  for (const Tensor& t : args) {
    shapes.push_back(t.shape());
    strAppend(&key, "/", strJoin(t.shape(), "x"));
  }
  if (impl.target == "cuda" || impl.target.starts_with("cuda:")) {
    auto it = impl.compiled_cuda.find(key);
    if (it == impl.compiled_cuda.end()) {
      codegen::CudaCompileOptions cuda_options;
      if (impl.target != "cuda") cuda_options.arch = impl.target.substr(5);  // "cuda:sm_80" -> "sm_80"
      ASSIGN_OR_RETURN(std::unique_ptr<codegen::CudaFunction> compiled,
                       codegen::CudaFunction::compile(function, shapes, cuda_options));
      it = impl.compiled_cuda.emplace(key, std::move(compiled)).first;
    }
    return it->second->run(args, impl.weights, runtime::cuda::RunOptions{options.seed, options.step}, assigned);
  }
  auto it = impl.compiled.find(key);
  if (it == impl.compiled.end()) {
    ASSIGN_OR_RETURN(std::unique_ptr<codegen::CpuFunction> compiled, codegen::CpuFunction::compile(function, shapes));
    it = impl.compiled.emplace(key, std::move(compiled)).first;
  }
  return it->second->run(args, impl.weights, cpu::RunOptions{options.seed, options.step}, assigned);
}

}  // namespace dlc
