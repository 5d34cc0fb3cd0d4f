// Training through the public API: the model lowered a second time in
// training mode, with the functions of passes/training.h, run by the
// reference interpreter. Optimizer state lives with the weights in
// Impl::weights under its `optimizer.*` names.
#include "passes/training.h"

#include <cmath>
#include <limits>
#include <set>

#include "api/execute.h"
#include "api/model_impl.h"
#include "frontend/lower.h"
#include "ir/verifier.h"
#include "passes/pipeline.h"
#include "runtime/initializers.h"
#include "runtime/memory_budget.h"
#include "runtime/model/binding.h"
#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc {
namespace {

const ir::TrainSpec* trainSpec(const ir::Module& module, const std::string& model) {
  for (const ir::TrainSpec& t : module.trainSpecs())
    if (t.model == model) return &t;
  return nullptr;
}

absl::StatusOr<const ir::TrainSpec*> requireTrainSpec(const Model::Impl& impl) {
  const ir::TrainSpec* spec = trainSpec(*impl.module, impl.function->name());
  if (!spec) return absl::InvalidArgumentError(strCat("model '", impl.function->name(), "' has no train block"));
  return spec;
}

bool isOptimizerState(const ir::ParamDecl& p) {
  const ir::Attribute* role = p.attrs.find("role");
  return role && role->kind() == ir::AttrKind::kString && role->asString() == "optimizer";
}

// Gives every optimizer-state parameter that has no value its initial one.
absl::Status ensureOptimizerState(Model::Impl& impl, const TrainingState& t) {
  runtime::MemoryNeed need;
  need.add("optimizer state", parameterBytes(impl, *t.module, /*only_missing=*/true));
  RETURN_IF_ERROR(runtime::checkHostMemory(strCat("model '", impl.function->name(), "': the optimizer"), need));
  for (const ir::ParamDecl& p : t.module->params()) {
    if (!isOptimizerState(p) || impl.weights.contains(p.name)) continue;
    ASSIGN_OR_RETURN(Tensor value, runtime::initializeParameter(p.name, p.type.dtype, staticShape(p.type), p.attrs, 0));
    impl.weights.emplace(p.name, std::move(value));
  }
  return absl::OkStatus();
}

// The labels in the form the training functions take: see dlc.h.
absl::StatusOr<Tensor> prepareLabels(const Model::Impl& impl, const ir::TrainSpec& spec, const ir::Function& f,
                                     const Tensor& labels) {
  const ir::TensorType& want = f.arguments().back()->type();
  const ir::TensorType& output = impl.function->outputs()[0]->type();
  return runtime::prepareLabels(labels, spec.attrs.getString("loss") == "sparse_categorical_crossentropy", want.dtype,
                                want.rank(), output.dims.back().size());
}

// Runs `f` of the training module on the inputs and labels.
absl::StatusOr<std::vector<Tensor>> runTraining(Model::Impl& impl, const TrainingState& t, const ir::Function& f,
                                                const std::vector<std::pair<std::string, Tensor>>& inputs,
                                                const Tensor& labels, reference::ParamMap* assigned) {
  ASSIGN_OR_RETURN(const ir::TrainSpec* spec, requireTrainSpec(impl));
  ASSIGN_OR_RETURN(Tensor prepared, prepareLabels(impl, *spec, f, labels));
  ASSIGN_OR_RETURN(std::vector<Tensor> args, bindArguments(impl, f, inputs, &prepared));
  RETURN_IF_ERROR(requireWeights(impl, *t.module));
  RETURN_IF_ERROR(ensureOptimizerState(impl, t));
  reference::InterpretOptions options;
  options.seed = impl.options.seed;
  options.step = runtime::trainingStep(impl.weights);
  return execute(impl, *t.module, f, args, options, assigned);
}

// The parameters a state holds: the training module's (weights, then the
// optimizer's state) for a model with a train block, else the weights.
absl::StatusOr<const ir::Module*> stateModule(Model::Impl& impl) {
  if (!trainSpec(*impl.module, impl.function->name())) return impl.module.get();
  ASSIGN_OR_RETURN(TrainingState * t, ensureTraining(impl));
  return t->module.get();
}

}  // namespace

absl::StatusOr<TrainingState*> ensureTraining(Model::Impl& impl) {
  if (impl.training) return impl.training.get();
  ASSIGN_OR_RETURN(const ir::TrainSpec* inference_spec, requireTrainSpec(impl));
  DiagnosticEngine diags(impl.sources);
  frontend::LowerOptions options;
  options.model = impl.options.model;
  options.training = true;
  std::unique_ptr<ir::Module> module = frontend::lowerProgram(*impl.program, diags, options);
  if (!module || diags.hadError()) return diagnosticsError(diags);
  // The one graph pipeline, with the train block's functions (passes/pipeline.h).
  passes::PassManager pm(pipelineOptions(impl));
  RETURN_IF_ERROR(passes::buildGraphPipeline(pm, /*training=*/true));
  RETURN_IF_ERROR(pm.run(*module));
  if (absl::Status s = ir::verifyModule(*module); !s.ok())
    return absl::InternalError(strCat("the training functions are malformed: ", s.message()));
  const std::string& model = inference_spec->model;
  passes::TrainingFunctions functions{module->findFunction(passes::gradFunctionName(model)),
                                      module->findFunction(passes::trainStepFunctionName(model)),
                                      passes::trainableParams(*module)};
  if (!functions.grad || !functions.train_step)
    return absl::InternalError(strCat("the training pipeline built no training functions for '", model, "'"));
  auto state = std::make_unique<TrainingState>();
  state->grad = functions.grad;
  state->train_step = functions.train_step;
  state->trainable = std::move(functions.trainable);
  state->module = std::move(module);
  impl.training = std::move(state);
  return impl.training.get();
}

double TrainConfig::hyperparameter(const std::string& name) const {
  for (const auto& [key, value] : hyperparameters)
    if (key == name) return value;
  return std::numeric_limits<double>::quiet_NaN();
}

bool TrainConfig::hasMetric(const std::string& name) const {
  for (const std::string& m : metrics)
    if (m == name) return true;
  return false;
}

absl::StatusOr<TrainConfig> Model::trainConfig() const {
  ASSIGN_OR_RETURN(const ir::TrainSpec* spec, requireTrainSpec(*impl_));
  TrainConfig config;
  for (const auto& [key, value] : spec->attrs.entries()) {
    if (key == "loss")
      config.loss = value.asString();
    else if (key == "optimizer")
      config.optimizer = value.asString();
    else if (key.starts_with("optimizer.") && value.kind() == ir::AttrKind::kFloat)
      config.hyperparameters.emplace_back(key.substr(10), value.asFloat());
    else if (key.starts_with("optimizer.") && value.kind() == ir::AttrKind::kInt)
      config.hyperparameters.emplace_back(key.substr(10), static_cast<double>(value.asInt()));
    else if (key == "metrics")
      config.metrics = value.asStringList();
    else if (key == "batch_size")
      config.batch_size = value.asInt();
    else if (key == "epochs")
      config.epochs = value.asInt();
  }
  return config;
}

absl::StatusOr<NamedTensors> Model::gradients(const std::vector<std::pair<std::string, Tensor>>& inputs,
                                              const Tensor& labels) {
  ASSIGN_OR_RETURN(TrainingState * t, ensureTraining(*impl_));
  ASSIGN_OR_RETURN(std::vector<Tensor> outputs, runTraining(*impl_, *t, *t->grad, inputs, labels, nullptr));
  NamedTensors result;
  result.emplace_back("loss", std::move(outputs[0]));
  for (size_t i = 0; i < t->trainable.size(); ++i) result.emplace_back(t->trainable[i], std::move(outputs[i + 1]));
  return result;
}

absl::StatusOr<StepMetrics> Model::trainStep(const std::vector<std::pair<std::string, Tensor>>& inputs,
                                             const Tensor& labels) {
  ASSIGN_OR_RETURN(TrainingState * t, ensureTraining(*impl_));
  // Compiled CPU code writes the new weights and optimizer state into their
  // tensors in place (runtime/cpu/executor.h): no allocation per step.
  bool in_place = !isCudaTarget(impl_->target) && impl_->target != "reference";
  reference::ParamMap assigned;
  ASSIGN_OR_RETURN(std::vector<Tensor> outputs,
                   runTraining(*impl_, *t, *t->train_step, inputs, labels, in_place ? &impl_->weights : &assigned));
  for (auto& [name, value] : assigned) impl_->weights.insert_or_assign(name, std::move(value));
  return StepMetrics{outputs[0].get(0), outputs[1].get(0)};
}

absl::StatusOr<StepMetrics> Model::evaluate(const std::vector<std::pair<std::string, Tensor>>& inputs,
                                            const Tensor& labels) {
  ASSIGN_OR_RETURN(const ir::TrainSpec* spec, requireTrainSpec(*impl_));
  if (!impl_->evaluate) {
    ir::TrainSpec copy = *spec;
    ASSIGN_OR_RETURN(ir::Function * f, passes::buildEvaluateFunction(*impl_->module, copy));
    // The new function through the graph pipeline (it is idempotent on the rest).
    passes::PassManager pm(pipelineOptions(*impl_));
    RETURN_IF_ERROR(passes::buildGraphPipeline(pm));
    RETURN_IF_ERROR(pm.run(*impl_->module));
    impl_->evaluate = f;
  }
  const ir::Function& f = *impl_->evaluate;
  ASSIGN_OR_RETURN(Tensor prepared, prepareLabels(*impl_, *spec, f, labels));
  ASSIGN_OR_RETURN(std::vector<Tensor> args, bindArguments(*impl_, f, inputs, &prepared));
  RETURN_IF_ERROR(requireWeights(*impl_, *impl_->module));
  reference::InterpretOptions options;
  options.seed = impl_->options.seed;
  ASSIGN_OR_RETURN(std::vector<Tensor> outputs, execute(*impl_, *impl_->module, f, args, options));
  return StepMetrics{outputs[0].get(0), outputs[1].get(0)};
}

absl::StatusOr<NamedTensors> Model::state() {
  ASSIGN_OR_RETURN(const ir::Module* module, stateModule(*impl_));
  RETURN_IF_ERROR(requireWeights(*impl_, *module));
  if (impl_->training) RETURN_IF_ERROR(ensureOptimizerState(*impl_, *impl_->training));
  RETURN_IF_ERROR(syncWeights(*impl_));
  NamedTensors out;
  for (const ir::ParamDecl& p : module->params()) out.emplace_back(p.name, impl_->weights.at(p.name).clone());
  return out;
}

absl::Status Model::restoreState(const NamedTensors& state) {
  ASSIGN_OR_RETURN(const ir::Module* module, stateModule(*impl_));
  reference::ParamMap restored;
  for (const auto& [name, tensor] : state) {
    const ir::ParamDecl* p = module->findParam(name);
    if (!p)
      return absl::InvalidArgumentError(
          strCat("state tensor '", name, "' is neither a weight nor optimizer state of model '", this->name(), "'"));
    if (tensor.dtype() != p->type.dtype || tensor.shape() != staticShape(p->type))
      return absl::InvalidArgumentError(
          strCat("state tensor '", name, "' is ", tensor.typeString(), ", but the model declares ", p->type.str()));
    if (!restored.emplace(name, tensor.clone()).second)
      return absl::InvalidArgumentError(strCat("state tensor '", name, "' is given twice"));
  }
  const ir::ParamDecl* missing_state = nullptr;
  bool any_state = false;
  for (const ir::ParamDecl& p : module->params()) {
    bool given = restored.contains(p.name);
    if (!isOptimizerState(p) && !given)
      return absl::InvalidArgumentError(strCat("the state has no value for weight '", p.name, "'"));
    if (isOptimizerState(p)) {
      any_state |= given;
      if (!given && !missing_state) missing_state = &p;
    }
  }
  if (any_state && missing_state)
    return absl::InvalidArgumentError(
        strCat("the optimizer's state is incomplete: '", missing_state->name, "' is missing"));
  dropDeviceWeights(*impl_);
  impl_->weights = std::move(restored);
  return absl::OkStatus();
}

absl::Status Model::setLearningRate(double learning_rate) {
  if (!(learning_rate >= 0) || !std::isfinite(learning_rate))
    return absl::InvalidArgumentError(strCat("the learning rate must be finite and not negative, not ", learning_rate));
  ASSIGN_OR_RETURN(TrainingState * t, ensureTraining(*impl_));
  const ir::ParamDecl* p = t->module->findParam("optimizer.learning_rate");
  if (!p) return absl::InternalError("the optimizer keeps no learning rate");
  ASSIGN_OR_RETURN(Tensor value, Tensor::zeros(p->type.dtype, {}));
  value.set(0, learning_rate);
  RETURN_IF_ERROR(syncWeights(*impl_));
  dropDeviceWeights(*impl_);
  impl_->weights.insert_or_assign("optimizer.learning_rate", std::move(value));
  return absl::OkStatus();
}

}  // namespace dlc
