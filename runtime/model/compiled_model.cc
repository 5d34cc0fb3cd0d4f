// The runtime API (include/dlc/runtime.h): an artifact's functions, loaded
// on first use, run with the caller's weights.
#include <map>

#include "dlc/runtime.h"
#include "ir/attribute.h"
#include "runtime/artifact/artifact.h"
#include "runtime/cpu/program.h"
#include "runtime/cuda/device.h"
#include "runtime/cuda/program.h"
#include "runtime/initializers.h"
#include "runtime/model/binding.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc {
namespace {

TensorSpec specOf(const runtime::artifact::TensorSignature& t) {
  return TensorSpec{t.name, t.dtype, t.shape, t.symbols};
}

std::string_view roleName(runtime::artifact::FunctionRole role) {
  switch (role) {
    case runtime::artifact::FunctionRole::kInference: return "inference";
    case runtime::artifact::FunctionRole::kGrad: return "grad";
    case runtime::artifact::FunctionRole::kTrainStep: return "train_step";
  }
  return "unknown";
}

ir::Attrs initAttrs(const runtime::artifact::TensorSignature& t) {
  ir::Attrs attrs;
  attrs.set("init", ir::Attribute::string(t.init));
  for (const auto& [key, value] : t.init_args) attrs.set(key, ir::Attribute::real(value));
  return attrs;
}

std::string shapesString(const std::vector<TensorSpec>& specs, const std::vector<std::vector<int64_t>>& shapes) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < shapes.size() && i < specs.size(); ++i)
    parts.push_back(strCat(specs[i].name, ": ", runtime::shapeString(specs[i].dtype, shapes[i])));
  return strJoin(parts, ", ");
}

}  // namespace

struct CompiledModel::Impl {
  runtime::artifact::Artifact artifact;
  RuntimeOptions options;
  std::string target;
  std::vector<TensorSpec> inputs, outputs;
  std::vector<ParameterSpec> parameters;
  std::vector<CompiledFunctionInfo> functions;
  runtime::TensorMap weights;
  // Loaded on first use, by index into artifact.functions.
  std::map<size_t, std::unique_ptr<runtime::cpu::Program>> cpu_programs;
  std::map<size_t, std::unique_ptr<runtime::cuda::Program>> cuda_programs;
  runtime::cuda::CudaDevice* device = nullptr;  // the cuda target's

  absl::StatusOr<runtime::cpu::Program*> cpuProgram(size_t index) {
    auto it = cpu_programs.find(index);
    if (it != cpu_programs.end()) return it->second.get();
    const runtime::artifact::CompiledFunction& f = artifact.functions[index];
    ASSIGN_OR_RETURN(std::unique_ptr<runtime::cpu::Program> program,
                     runtime::cpu::Program::load(f.executable, f.cpu.triple, f.cpu.features, f.cpu.shared_object));
    return cpu_programs.emplace(index, std::move(program)).first->second.get();
  }

  // The image of function `index` this GPU runs (runtime/cuda/program.h).
  absl::StatusOr<std::string_view> cudaImage(size_t index) const {
    const runtime::artifact::CompiledFunction& f = artifact.functions[index];
    ASSIGN_OR_RETURN(std::string key, runtime::cuda::selectCudaImage(device->computeMajor(), device->computeMinor(),
                                                                     device->name(), f.cuda.cubins, f.cuda.ptx_arch));
    if (key == f.cuda.ptx_arch) return std::string_view(f.cuda.ptx);
    return std::string_view(f.cuda.cubins.at(key));
  }

  // Runs function `index` of the artifact on this target.
  absl::StatusOr<std::vector<Tensor>> runFunction(size_t index, const std::vector<Tensor>& args, uint64_t step,
                                                  runtime::TensorMap* assigned) {
    if (artifact.functions[index].target == "cuda") {
      ASSIGN_OR_RETURN(runtime::cuda::Program * program, cudaProgram(index));
      return program->run(args, weights, runtime::cuda::RunOptions{options.seed, step}, assigned);
    }
    ASSIGN_OR_RETURN(runtime::cpu::Program * program, cpuProgram(index));
    return program->run(args, weights, runtime::cpu::RunOptions{options.seed, step}, assigned);
  }

  // The function of `role` compiled for these argument shapes; otherwise
  // InvalidArgument listing the compiled ones (the inputs' part of them).
  absl::StatusOr<size_t> findFunction(runtime::artifact::FunctionRole role, const std::vector<Tensor>& args) const {
    std::vector<std::vector<int64_t>> shapes;
    for (const Tensor& t : args) shapes.push_back(t.shape());
    std::vector<std::string> compiled;
    for (size_t i = 0; i < artifact.functions.size(); ++i) {
      const runtime::artifact::CompiledFunction& f = artifact.functions[i];
      if (f.role != role || f.target != target) continue;
      if (f.input_shapes == shapes) return i;
      compiled.push_back(strCat("(", shapesString(inputs, f.input_shapes), ")"));
    }
    if (compiled.empty() && role == runtime::artifact::FunctionRole::kTrainStep)
      return absl::FailedPreconditionError("the artifact has no training step: compile it with --train");
    return absl::InvalidArgumentError(
        strCat("the artifact has no code for inputs (", shapesString(inputs, shapes), "); it was compiled for ",
               compiled.empty() ? std::string("no inference function") : strJoin(compiled, " and "),
               ". Compile with --batch ", shapes.empty() || shapes[0].empty() ? 1 : shapes[0][0]));
  }

  absl::StatusOr<std::vector<Tensor>> orderedInputs(const std::string& model, const NamedTensors& given) const {
    std::vector<std::string> names;
    for (const TensorSpec& s : inputs) names.push_back(s.name);
    ASSIGN_OR_RETURN(std::vector<Tensor> ordered, runtime::orderInputs(model, names, given));
    for (size_t i = 0; i < ordered.size(); ++i)
      if (ordered[i].dtype() != inputs[i].dtype)
        return absl::InvalidArgumentError(strCat("input '", names[i], "' is ", ordered[i].typeString(),
                                                 ", but the model expects ", ir::dtypeName(inputs[i].dtype)));
    for (const ParameterSpec& p : parameters)
      if (!weights.contains(p.name))
        return absl::FailedPreconditionError(
            strCat("parameter '", p.name, "' has no value: load or initialise the weights first"));
    return ordered;
  }

  absl::StatusOr<runtime::cuda::Program*> cudaProgram(size_t index) {
    auto it = cuda_programs.find(index);
    if (it != cuda_programs.end()) return it->second.get();
    const runtime::artifact::CompiledFunction& f = artifact.functions[index];
    ASSIGN_OR_RETURN(std::string_view image, cudaImage(index));
    ASSIGN_OR_RETURN(std::unique_ptr<runtime::cuda::Program> program,
                     runtime::cuda::Program::load(*device, f.executable, f.cuda.kernels, image));
    return cuda_programs.emplace(index, std::move(program)).first->second.get();
  }
};

CompiledModel::CompiledModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledModel::CompiledModel(CompiledModel&&) noexcept = default;
CompiledModel& CompiledModel::operator=(CompiledModel&&) noexcept = default;
CompiledModel::~CompiledModel() = default;

absl::StatusOr<CompiledModel> CompiledModel::load(const std::string& path, const RuntimeOptions& options) {
  ASSIGN_OR_RETURN(runtime::artifact::Artifact a, runtime::artifact::readArtifactFile(path));
  auto impl = std::make_unique<Impl>();
  impl->artifact = std::move(a);
  impl->options = options;
  return fromArtifact(std::move(impl), options);
}

absl::StatusOr<CompiledModel> CompiledModel::fromBytes(std::string_view bytes, const std::string& name,
                                                       const RuntimeOptions& options) {
  ASSIGN_OR_RETURN(runtime::artifact::Artifact a, runtime::artifact::parseArtifact(bytes, name));
  auto impl = std::make_unique<Impl>();
  impl->artifact = std::move(a);
  impl->options = options;
  return fromArtifact(std::move(impl), options);
}

absl::StatusOr<CompiledModel> CompiledModel::fromArtifact(std::unique_ptr<Impl> impl, const RuntimeOptions& options) {
  const runtime::artifact::Artifact& a = impl->artifact;
  bool has_cpu = false, has_cuda = false;
  for (const runtime::artifact::CompiledFunction& f : a.functions) {
    has_cpu |= f.target == "cpu";
    has_cuda |= f.target == "cuda";
    impl->functions.push_back(CompiledFunctionInfo{f.name, std::string(roleName(f.role)), f.target, f.input_shapes});
  }
  const std::string& want = options.target;
  if (want != "auto" && want != "cpu" && want != "cuda")
    return absl::InvalidArgumentError(strCat("unknown target '", want, "' for a compiled model (cpu, cuda or auto)"));
  if (want == "cuda" && !has_cuda)
    return absl::UnavailableError(
        strCat("the artifact has no CUDA code (it was compiled for ", has_cpu ? "the CPU" : "nothing", ")"));
  if (want == "cpu" && !has_cpu)
    return absl::UnavailableError("the artifact has no CPU code (it was compiled for CUDA)");
  impl->target = "cpu";
  if (want == "cuda" || (want == "auto" && has_cuda)) {
    absl::StatusOr<runtime::cuda::CudaDevice*> device = runtime::cuda::openDefaultDevice();
    if (device.ok()) {
      impl->device = *device;
      impl->target = "cuda";
    } else if (want == "cuda" || !has_cpu) {
      return absl::UnavailableError(strCat("the artifact's CUDA code needs a GPU: ", device.status().message()));
    }
  }
  // Refuse code this machine cannot run now, not at the first call.
  for (size_t i = 0; i < a.functions.size(); ++i) {
    const runtime::artifact::CompiledFunction& f = a.functions[i];
    if (f.target != impl->target) continue;
    if (f.target == "cuda") {
      RETURN_IF_ERROR(impl->cudaImage(i).status());
    } else {
      RETURN_IF_ERROR(runtime::cpu::checkRunnable(f.cpu.triple, f.cpu.features));
    }
  }
  for (const auto& t : a.signature.inputs) impl->inputs.push_back(specOf(t));
  for (const auto& t : a.signature.outputs) impl->outputs.push_back(specOf(t));
  for (const auto& t : a.signature.parameters) impl->parameters.push_back({t.name, t.dtype, t.shape, t.trainable});
  for (const auto& [name, tensor] : a.weights) impl->weights.insert_or_assign(name, tensor.clone());
  return CompiledModel(std::move(impl));
}

const std::string& CompiledModel::name() const { return impl_->artifact.signature.model; }
const std::vector<TensorSpec>& CompiledModel::inputs() const { return impl_->inputs; }
const std::vector<TensorSpec>& CompiledModel::outputs() const { return impl_->outputs; }
const std::vector<ParameterSpec>& CompiledModel::parameters() const { return impl_->parameters; }
const std::string& CompiledModel::target() const { return impl_->target; }
const std::vector<CompiledFunctionInfo>& CompiledModel::functions() const { return impl_->functions; }

absl::Status CompiledModel::initializeWeights(uint64_t seed) {
  runtime::TensorMap weights;
  for (const runtime::artifact::TensorSignature& p : impl_->artifact.signature.parameters) {
    ASSIGN_OR_RETURN(Tensor value, runtime::initializeParameter(p.name, p.dtype, p.shape, initAttrs(p), seed));
    weights.emplace(p.name, std::move(value));
  }
  impl_->weights = std::move(weights);
  return absl::OkStatus();
}

absl::Status CompiledModel::loadWeights(const std::string& path, bool allow_unknown) {
  ASSIGN_OR_RETURN(runtime::NamedTensors file, runtime::readSafetensors(path));
  ASSIGN_OR_RETURN(impl_->weights,
                   runtime::matchWeights(path, name(), impl_->parameters, std::move(file), allow_unknown));
  return absl::OkStatus();
}

absl::Status CompiledModel::setWeight(const std::string& name, Tensor value) {
  for (const ParameterSpec& p : impl_->parameters) {
    if (p.name != name) continue;
    if (value.dtype() != p.dtype || value.shape() != p.shape)
      return absl::InvalidArgumentError(
          strCat("parameter '", name, "' is ", runtime::shapeString(p.dtype, p.shape), ", not ", value.typeString()));
    impl_->weights.insert_or_assign(name, std::move(value));
    return absl::OkStatus();
  }
  return absl::NotFoundError(strCat("model '", this->name(), "' has no parameter '", name, "'"));
}

absl::StatusOr<const Tensor*> CompiledModel::weight(const std::string& name) const {
  auto it = impl_->weights.find(name);
  if (it == impl_->weights.end()) return absl::NotFoundError(strCat("parameter '", name, "' has no value"));
  return &it->second;
}

bool CompiledModel::hasAllWeights() const {
  for (const ParameterSpec& p : impl_->parameters)
    if (!impl_->weights.contains(p.name)) return false;
  return true;
}

absl::StatusOr<std::vector<Tensor>> CompiledModel::run(const NamedTensors& inputs) {
  ASSIGN_OR_RETURN(std::vector<Tensor> ordered, impl_->orderedInputs(name(), inputs));
  ASSIGN_OR_RETURN(size_t index, impl_->findFunction(runtime::artifact::FunctionRole::kInference, ordered));
  return impl_->runFunction(index, ordered, 0, nullptr);
}

absl::StatusOr<StepMetrics> CompiledModel::trainStep(const NamedTensors& inputs, const Tensor& labels) {
  ASSIGN_OR_RETURN(std::vector<Tensor> args, impl_->orderedInputs(name(), inputs));
  // The labels' form comes from the compiled function: integer labels are
  // sparse class ids (runtime/model/binding.h).
  const runtime::artifact::CompiledFunction* step = nullptr;
  for (const runtime::artifact::CompiledFunction& f : impl_->artifact.functions)
    if (f.role == runtime::artifact::FunctionRole::kTrainStep && f.target == impl_->target) step = &f;
  if (step == nullptr)
    return absl::FailedPreconditionError("the artifact has no training step: compile it with --train");
  const runtime::Slot* want = nullptr;  // the labels' argument
  for (const runtime::Slot& slot : step->executable.slots)
    if (slot.kind == runtime::Slot::Kind::kInput && slot.index == static_cast<int>(args.size())) want = &slot;
  if (want == nullptr) return absl::InternalError("the training step takes no labels");
  const TensorSpec& output = impl_->outputs.at(0);
  ASSIGN_OR_RETURN(Tensor prepared,
                   runtime::prepareLabels(labels, ir::isInteger(want->dtype), want->dtype,
                                          static_cast<int64_t>(want->shape.size()), output.shape.back()));
  args.push_back(std::move(prepared));
  ASSIGN_OR_RETURN(size_t index, impl_->findFunction(runtime::artifact::FunctionRole::kTrainStep, args));
  for (const runtime::artifact::TensorSignature& p : impl_->artifact.signature.optimizer_state) {
    if (impl_->weights.contains(p.name)) continue;
    ASSIGN_OR_RETURN(Tensor value, runtime::initializeParameter(p.name, p.dtype, p.shape, initAttrs(p), 0));
    impl_->weights.emplace(p.name, std::move(value));
  }
  // CPU code writes the new weights and optimizer state into their tensors
  // in place (runtime/cpu/executor.h): no allocation per step.
  bool in_place = impl_->artifact.functions[index].target != "cuda";
  runtime::TensorMap assigned;
  ASSIGN_OR_RETURN(std::vector<Tensor> outputs, impl_->runFunction(index, args, runtime::trainingStep(impl_->weights),
                                                                   in_place ? &impl_->weights : &assigned));
  for (auto& [n, value] : assigned) impl_->weights.insert_or_assign(n, std::move(value));
  if (outputs.size() < 2) return absl::InternalError("the training step returned no loss and accuracy");
  return StepMetrics{outputs[0].get(0), outputs[1].get(0)};
}

NamedTensors CompiledModel::state() const {
  NamedTensors out;
  for (const auto& [n, value] : impl_->weights) out.emplace_back(n, value.clone());
  return out;
}

}  // namespace dlc
