// `dlc train MODEL.dl [--data SOURCE] ...`: the loop of trainer.h over the
// public API's dlc::Model.
#include <memory>

#include "dlc/dlc.h"
#include "passes/training.h"
#include "support/status_macros.h"
#include "support/strings.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/trainer.h"

namespace dlc::tool {
namespace {

// Shapes of a signature tensor without its leading batch dimension; every
// other dimension must be static.
absl::StatusOr<std::vector<int64_t>> sampleShape(const TensorSpec& spec, std::string_view what) {
  if (spec.shape.empty() || spec.shape[0] >= 0)
    return absl::InvalidArgumentError(
        strCat("the model's ", what, " '", spec.name, "' needs a leading batch dimension for training"));
  for (size_t d = 1; d < spec.shape.size(); ++d)
    if (spec.shape[d] < 0)
      return absl::InvalidArgumentError(strCat("the model's ", what, " '", spec.name, "' has symbolic dimension '",
                                               spec.symbols[d], "' besides the batch; training needs it static"));
  return std::vector<int64_t>(spec.shape.begin() + 1, spec.shape.end());
}

class ApiModel : public TrainableModel {
 public:
  explicit ApiModel(Model model) : model_(std::move(model)) {}

  absl::StatusOr<TrainSettings> settings() override {
    ASSIGN_OR_RETURN(TrainConfig config, model_.trainConfig());
    TrainSettings s;
    s.loss = config.loss;
    s.metrics = config.metrics;
    s.batch_size = config.batch_size;
    s.epochs = config.epochs;
    return s;
  }

  absl::StatusOr<runtime::DataSpec> dataSpec(runtime::LabelForm labels) override {
    if (model_.inputs().size() != 1 || model_.outputs().size() != 1)
      return absl::InvalidArgumentError(strCat("model '", model_.name(), "' has ", model_.inputs().size(),
                                               " inputs and ", model_.outputs().size(),
                                               " outputs; training takes one of each"));
    runtime::DataSpec spec;
    spec.labels = labels;
    spec.input_dtype = model_.inputs()[0].dtype;
    ASSIGN_OR_RETURN(spec.input_shape, sampleShape(model_.inputs()[0], "input"));
    ASSIGN_OR_RETURN(spec.output_shape, sampleShape(model_.outputs()[0], "output"));
    return spec;
  }

  absl::Status initialize(uint64_t seed) override { return model_.initializeWeights(seed); }
  absl::Status loadWeights(const std::string& path) override { return model_.loadWeights(path); }

  absl::StatusOr<BatchMetrics> trainStep(runtime::Batch batch) override {
    std::vector<std::pair<std::string, Tensor>> inputs;
    inputs.emplace_back(model_.inputs()[0].name, std::move(batch.x));
    ASSIGN_OR_RETURN(StepMetrics m, model_.trainStep(inputs, batch.y));
    return BatchMetrics{m.loss, m.accuracy};
  }

  absl::StatusOr<BatchMetrics> evaluate(runtime::Batch batch) override {
    std::vector<std::pair<std::string, Tensor>> inputs;
    inputs.emplace_back(model_.inputs()[0].name, std::move(batch.x));
    ASSIGN_OR_RETURN(StepMetrics m, model_.evaluate(inputs, batch.y));
    return BatchMetrics{m.loss, m.accuracy};
  }

  absl::StatusOr<runtime::NamedTensors> state() override { return model_.state(); }

  absl::Status restoreState(runtime::NamedTensors state) override { return model_.restoreState(state); }

  absl::StatusOr<runtime::NamedTensors> weights() override {
    runtime::NamedTensors out;
    for (const ParameterSpec& p : model_.parameters()) {
      ASSIGN_OR_RETURN(const Tensor* t, model_.weight(p.name));
      out.emplace_back(p.name, t->clone());
    }
    return out;
  }

  std::optional<LossScaleState> lossScale() override {
    absl::StatusOr<const Tensor*> scale = model_.weight(passes::kLossScaleName);
    absl::StatusOr<const Tensor*> skipped = model_.weight(passes::kSkippedStepsName);
    if (!scale.ok() || !skipped.ok()) return std::nullopt;
    return LossScaleState{(*scale)->get(0), static_cast<int64_t>((*skipped)->get(0))};
  }

 private:
  Model model_;
};

absl::StatusOr<std::unique_ptr<TrainableModel>> loadApiModel(const TrainFlags& flags) {
  ModelOptions options{flags.model, flags.target, flags.precision};
  options.seed = flags.seed.value_or(0);
  ASSIGN_OR_RETURN(Model model, Model::fromFile(flags.input, options));
  return std::make_unique<ApiModel>(std::move(model));
}

}  // namespace

CommandMain registerTrainCommand(CLI::App& app) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* cmd = app.add_subcommand("train", "train a model with its train block");
  addTrainFlags(*cmd, *flags);
  return [cmd, flags]() -> int { return cmd->parsed() ? runTrain(*flags, loadApiModel, std::cout) : -1; };
}

}  // namespace dlc::tool
