// The public API's Model: front end, pass pipeline and an execution target
// behind one object. Targets: `cpu` (LLVM), `cuda` and `cuda:sm_XX` (NVRTC),
// `reference` (the interpreter), and `auto` (cuda when a GPU opens).
#include <sstream>

#include "api/execute.h"
#include "api/model_impl.h"
#include "codegen/cpu_function.h"
#include "codegen/cuda_function.h"
#include "dlc/dlc.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "ir/printer.h"
#include "passes/pipeline.h"
#include "reference/interpreter.h"
#include "runtime/cpu/isa.h"
#include "runtime/cuda/library_calls.h"
#include "runtime/initializers.h"
#include "runtime/memory_budget.h"
#include "runtime/model/binding.h"
#include "runtime/tensor_file.h"
#include "support/diagnostics.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc {

namespace {

TensorSpec specOf(std::string name, const ir::TensorType& type) {
  TensorSpec spec{std::move(name), type.dtype, {}, {}};
  for (const ir::Dim& d : type.dims) {
    spec.shape.push_back(d.isStatic() ? d.size() : -1);
    spec.symbols.push_back(d.isStatic() ? "" : d.symbol());
  }
  return spec;
}

// A named CPU target runs here when this machine has its architecture and
// every extension its code may use (x86-64-v3 code on an AVX-512 machine,
// to test or measure the AVX2 schedule); otherwise Unavailable (exit 3).
absl::Status checkRunsHere(const codegen::CpuTarget& cpu, const std::string& target) {
  std::string_view arch = runtime::cpu::tripleArchitecture(cpu.triple);
  if (arch != runtime::cpu::machineArchitecture())
    return absl::UnavailableError(strCat("target ", target, " is ", arch, " code and this machine is ",
                                         runtime::cpu::machineArchitecture(), "; compile it with dlc compile --target ",
                                         target));
  std::vector<std::string> missing = runtime::cpu::missingExtensions(cpu.isa);
  if (!missing.empty())
    return absl::UnavailableError(
        strCat("target ", target, " needs ", strJoin(missing, ", "), ", which this CPU lacks"));
  return absl::OkStatus();
}

// Resolves `auto` and checks that the target can run here: `cuda` and
// `cuda:sm_XX` need a device that opens (checked once per process, by
// openDefaultDevice); `auto` is cuda when one does, else cpu.
absl::StatusOr<std::string> resolveTarget(const ModelOptions& options) {
  if (!options.precision.empty() && !ir::parsePrecision(options.precision))
    return absl::InvalidArgumentError(
        strCat("unknown precision '", options.precision, "' (", ir::precisionChoices(), ")"));
  const std::string& t = options.target;
  if (t == "cpu" || t == "reference") return t;
  if (t.starts_with("cpu:")) {
    ASSIGN_OR_RETURN(codegen::CpuTarget cpu, codegen::resolveCpuTarget(std::string_view(t).substr(4)));
    RETURN_IF_ERROR(checkRunsHere(cpu, t));
    return t;
  }
  if (t == "auto") return runtime::cuda::openDefaultDevice().ok() ? std::string("cuda") : std::string("cpu");
  if (t == "cuda" || t.starts_with("cuda:sm_")) {
    if (t != "cuda") {
      std::string_view digits = std::string_view(t).substr(8);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
        return absl::InvalidArgumentError(
            strCat("unknown target '", t, "' (cuda:sm_XX takes a number, e.g. cuda:sm_90)"));
    }
    absl::StatusOr<runtime::cuda::CudaDevice*> device = runtime::cuda::openDefaultDevice();
    if (!device.ok()) {
      // Unavailable (exit status 3 from dlc) whatever the driver said: the
      // model is fine, this machine cannot run it.
      return absl::UnavailableError(strCat("target ", t, ": ", device.status().message()));
    }
    // cuDNN takes ~0.1 s to open: open it while the model is prepared.
    runtime::cuda::prewarmLibraries(**device);
    return t;
  }
  return absl::InvalidArgumentError(
      strCat("unknown target '", t, "' (cpu, cpu:NAME, cuda, cuda:sm_XX, reference or auto)"));
}

}  // namespace

absl::Status requireTf32Target(ir::Precision precision, std::string_view target) {
  if (precision != ir::Precision::kTf32 || target.starts_with("cuda")) return absl::OkStatus();
  return absl::InvalidArgumentError(
      strCat("precision tf32 rounds the operands of GEMMs and convolutions to TF32 on NVIDIA tensor cores; target ",
             target, " has no TF32 arithmetic (use fp32, or bf16 for low-precision compute)"));
}

passes::PassOptions pipelineOptions(const Model::Impl& impl) {
  passes::PassOptions options;
  options.precision = impl.precision;
  return options;
}

std::vector<int64_t> staticShape(const ir::TensorType& type) {
  std::vector<int64_t> shape;
  for (const ir::Dim& d : type.dims) shape.push_back(d.size());
  return shape;
}

absl::Status diagnosticsError(const DiagnosticEngine& diags) {
  std::ostringstream text;
  diags.print(text);
  std::string message = text.str();
  if (!message.empty() && message.back() == '\n') message.pop_back();
  return absl::InvalidArgumentError(message);
}

class ModelFactory {
 public:
  static absl::StatusOr<Model> build(std::unique_ptr<Model::Impl> impl, std::unique_ptr<ast::Program> program,
                                     DiagnosticEngine& diags, const ModelOptions& options);
};

Model::Impl::Impl() = default;
Model::Impl::~Impl() = default;

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

absl::StatusOr<Model> Model::fromFile(const std::string& path, const ModelOptions& options) {
  auto impl = std::make_unique<Impl>();
  DiagnosticEngine diags(impl->sources);
  auto program = frontend::parseProgram(impl->sources, diags, path);
  return ModelFactory::build(std::move(impl), std::move(program), diags, options);
}

absl::StatusOr<Model> Model::fromString(const std::string& source, const std::string& name,
                                        const ModelOptions& options) {
  auto impl = std::make_unique<Impl>();
  DiagnosticEngine diags(impl->sources);
  int32_t buffer = impl->sources.addBuffer(name, source);
  auto program = frontend::parseFile(impl->sources, diags, buffer);
  if (program && !diags.hadError())
    for (const auto& item : program->items)
      if (const auto* import = item->as<ast::Import>())
        diags.error(import->loc, "a model given as a string cannot import files; load it with fromFile");
  return ModelFactory::build(std::move(impl), std::move(program), diags, options);
}

absl::StatusOr<Model> ModelFactory::build(std::unique_ptr<Model::Impl> impl, std::unique_ptr<ast::Program> program,
                                          DiagnosticEngine& diags, const ModelOptions& options) {
  ASSIGN_OR_RETURN(impl->target, resolveTarget(options));
  impl->options = options;
  if (program && !diags.hadError()) impl->module = frontend::lowerProgram(*program, diags, {options.model, false});
  if (!impl->module || diags.hadError()) return diagnosticsError(diags);
  impl->program = std::move(program);
  // The options' precision, else the train block's, else fp32.
  ASSIGN_OR_RETURN(impl->precision,
                   passes::modelPrecision(*impl->module, impl->module->functions().front()->name(), options.precision));
  passes::PassManager pm(pipelineOptions(*impl));
  RETURN_IF_ERROR(passes::buildGraphPipeline(pm));
  RETURN_IF_ERROR(pm.run(*impl->module));
  impl->function = impl->module->functions().front().get();
  for (const auto& arg : impl->function->arguments()) impl->inputs.push_back(specOf(arg->nameHint(), arg->type()));
  for (size_t i = 0; i < impl->function->outputs().size(); ++i)
    impl->outputs.push_back(specOf(strCat(i), impl->function->outputs()[i]->type()));
  for (const ir::ParamDecl& p : impl->module->params()) {
    const ir::Attribute* t = p.attrs.find("trainable");
    impl->parameters.push_back({p.name, p.type.dtype, staticShape(p.type), !t || t->asBool()});
  }
  return Model(std::move(impl));
}

const std::string& Model::name() const { return impl_->function->name(); }
const std::vector<TensorSpec>& Model::inputs() const { return impl_->inputs; }
const std::vector<TensorSpec>& Model::outputs() const { return impl_->outputs; }
const std::vector<ParameterSpec>& Model::parameters() const { return impl_->parameters; }
const std::string& Model::target() const { return impl_->target; }
std::string Model::precision() const { return std::string(ir::precisionName(impl_->precision)); }

absl::Status Model::initializeWeights(uint64_t seed) {
  runtime::MemoryNeed need;
  need.add("parameters", parameterBytes(*impl_, *impl_->module, /*only_missing=*/false));
  RETURN_IF_ERROR(runtime::checkHostMemory(strCat("model '", name(), "': initialising the weights"), need));
  reference::ParamMap weights;
  for (const ir::ParamDecl& p : impl_->module->params()) {
    ASSIGN_OR_RETURN(Tensor t, runtime::initializeParameter(p.name, p.type.dtype, staticShape(p.type), p.attrs, seed));
    weights.emplace(p.name, std::move(t));
  }
  dropDeviceWeights(*impl_);
  impl_->weights = std::move(weights);
  return absl::OkStatus();
}

absl::Status Model::setWeight(const std::string& name, Tensor value) {
  const ir::ParamDecl* p = impl_->module->findParam(name);
  if (!p) return absl::InvalidArgumentError(strCat("model '", this->name(), "' has no parameter '", name, "'"));
  if (value.dtype() != p->type.dtype || value.shape() != staticShape(p->type))
    return absl::InvalidArgumentError(
        strCat("parameter '", name, "' is ", p->type.str(), ", but the value given is ", value.typeString()));
  RETURN_IF_ERROR(syncWeights(*impl_));
  dropDeviceWeights(*impl_);
  impl_->weights.insert_or_assign(name, std::move(value));
  return absl::OkStatus();
}

absl::StatusOr<const Tensor*> Model::weight(const std::string& name) const {
  RETURN_IF_ERROR(syncWeights(*impl_));
  auto it = impl_->weights.find(name);
  if (it == impl_->weights.end()) return absl::NotFoundError(strCat("parameter '", name, "' has no value"));
  return &it->second;
}

bool Model::hasAllWeights() const { return requireWeights(*impl_, *impl_->module).ok(); }

absl::Status Model::loadWeights(const std::string& path, bool allow_unknown) {
  ASSIGN_OR_RETURN(runtime::NamedTensors file, runtime::readSafetensors(path));
  ASSIGN_OR_RETURN(runtime::TensorMap weights,
                   runtime::matchWeights(path, name(), impl_->parameters, std::move(file), allow_unknown));
  dropDeviceWeights(*impl_);
  impl_->weights = std::move(weights);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Tensor>> bindArguments(const Model::Impl& impl, const ir::Function& function,
                                                  const std::vector<std::pair<std::string, Tensor>>& inputs,
                                                  const Tensor* labels) {
  const auto& args = function.arguments();
  std::vector<std::string> names;
  for (size_t i = 0; i < args.size() - (labels ? 1 : 0); ++i) names.push_back(args[i]->nameHint());
  ASSIGN_OR_RETURN(std::vector<Tensor> ordered, runtime::orderInputs(impl.function->name(), names, inputs));
  if (labels) ordered.push_back(labels->clone());
  return ordered;
}

absl::Status requireWeights(const Model::Impl& impl, const ir::Module& module) {
  for (const ir::ParamDecl& p : module.params()) {
    const ir::Attribute* role = p.attrs.find("role");
    if (role && role->kind() == ir::AttrKind::kString && role->asString() == "optimizer") continue;
    if (!impl.weights.contains(p.name))
      return absl::FailedPreconditionError(
          strCat("parameter '", p.name, "' has no value: load or initialise the weights first"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Tensor>> Model::run(const std::vector<std::pair<std::string, Tensor>>& inputs) {
  ASSIGN_OR_RETURN(std::vector<Tensor> ordered, bindArguments(*impl_, *impl_->function, inputs));
  RETURN_IF_ERROR(requireWeights(*impl_, *impl_->module));
  return execute(*impl_, *impl_->module, *impl_->function, ordered, {});
}

}  // namespace dlc
