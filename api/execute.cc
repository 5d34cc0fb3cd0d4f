#include "api/execute.h"

#include "codegen/cpu_function.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc {

absl::StatusOr<std::vector<Tensor>> execute(Model::Impl& impl, const ir::Module& module,
                                            const ir::Function& function, const std::vector<Tensor>& args,
                                            const reference::InterpretOptions& options,
                                            reference::ParamMap* assigned) {
  if (impl.target == "reference")
    return reference::interpret(module, function, args, impl.weights, options, assigned);
  std::vector<std::vector<int64_t>> shapes;
  std::string key = strCat(reinterpret_cast<uintptr_t>(&function));
  for (const Tensor& t : args) {
    shapes.push_back(t.shape());
    strAppend(&key, "/", strJoin(t.shape(), "x"));
  }
  auto it = impl.compiled.find(key);
  if (it == impl.compiled.end()) {
    ASSIGN_OR_RETURN(std::unique_ptr<codegen::CpuFunction> compiled, codegen::CpuFunction::compile(function, shapes));
    it = impl.compiled.emplace(key, std::move(compiled)).first;
  }
  return it->second->run(args, impl.weights, cpu::RunOptions{options.seed, options.step}, assigned);
}

}  // namespace dlc
