// The memory budget at the API (runtime/memory_budget.h): what initialising
// the weights and running the model will allocate, checked before anything
// large is touched. The targets check again as they allocate (the CPU
// executor, the CUDA executor against the GPU's memory, the interpreter).
#include "api/execute.h"
#include "api/model_impl.h"
#include "codegen/cpu_function.h"
#include "codegen/cuda_function.h"
#include "codegen/lower/shapes.h"
#include "reference/interpreter.h"
#include "runtime/memory_budget.h"
#include "runtime/model/binding.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc {

int64_t parameterBytes(const Model::Impl& impl, const ir::Module& module, bool only_missing) {
  int64_t bytes = 0;
  for (const ir::ParamDecl& p : module.params()) {
    if (only_missing && impl.weights.contains(p.name)) continue;
    int64_t elements = 1;
    for (const ir::Dim& d : p.type.dims) elements *= d.size();  // static, within ir::kMaxElements
    bytes += elements * ir::dtypeSize(p.type.dtype);
  }
  return bytes;
}

absl::Status Model::checkMemory(const std::vector<std::pair<std::string, Tensor>>& inputs) {
  const ir::Function& function = *impl_->function;
  std::vector<std::string> names;
  for (const auto& arg : function.arguments()) names.push_back(arg->nameHint());
  ASSIGN_OR_RETURN(std::vector<const Tensor*> matched, runtime::matchInputs(name(), names, inputs));
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor* t : matched) shapes.push_back(t->shape());

  runtime::MemoryNeed need;
  need.add("parameters", parameterBytes(*impl_, *impl_->module, /*only_missing=*/true));
  if (impl_->target == "reference") {
    ASSIGN_OR_RETURN(codegen::ConcreteTypes types, codegen::concreteTypes(function, shapes));
    need.add("the interpreter's arrays",
             reference::peakLiveBytes(function, [&](const ir::Value* v) { return types.at(v).numElements(); }));
    int64_t outputs = 0;
    for (const ir::Value* v : function.outputs()) outputs += types.at(v).numBytes();
    need.add("outputs", outputs);
  } else {
    // Compiling builds the plan; a CUDA executor checks the GPU's memory
    // when it is made.
    const runtime::Executable* executable = nullptr;
    if (isCudaTarget(impl_->target)) {
      ASSIGN_OR_RETURN(codegen::CudaFunction * f, compiledCuda(*impl_, function, shapes));
      executable = &f->executor().executable();
    } else {
      ASSIGN_OR_RETURN(codegen::CpuFunction * f, compiledCpu(*impl_, function, shapes));
      executable = &f->lowered().executable;
    }
    // Counted as if no earlier run held the workspace yet.
    need.add(runtime::hostCallNeed(*executable, isCudaTarget(impl_->target)));
  }
  return runtime::checkHostMemory(strCat("model '", name(), "'"), need);
}

}  // namespace dlc
