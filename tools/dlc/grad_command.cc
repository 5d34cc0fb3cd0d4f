// `dlc grad MODEL.dl --weights W --input NAME=X.npy --labels Y.npy -o G.safetensors`:
// the loss of the model's train block on one batch, in training mode, and its
// gradient with respect to every trainable parameter, written under the
// parameters' names with the scalar `loss`. A thin client of the public API.
#include <iostream>
#include <memory>

#include "dlc/dlc.h"
#include "runtime/atomic_file.h"
#include "runtime/tensor_file.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/inputs.h"
#include "tools/dlc/status_exit.h"
#include "tools/dlc/validators.h"

namespace dlc::tool {
namespace {

struct GradFlags {
  std::string input;
  std::string weights;
  std::vector<std::string> inputs;
  std::string labels;
  std::string output;
  uint64_t seed = 0;
  std::string model;
  std::string target = "auto";
  std::string precision;  // "": the train block's, else fp32
  bool allow_unknown = false;
};

int runGrad(const GradFlags& flags) {
  ModelOptions options{flags.model, flags.target, flags.precision};
  options.seed = flags.seed;
  auto model = Model::fromFile(flags.input, options);
  if (!model.ok()) return reportStatus(model.status());
  if (auto config = model->trainConfig(); !config.ok()) return reportStatus(config.status());
  if (absl::Status w = runtime::checkWritable(flags.output); !w.ok()) return reportStatus(w);
  if (int status = prepareWeights(*model, flags.weights, flags.seed, flags.allow_unknown); status != kSuccess)
    return status;
  NamedInputs inputs;
  if (int status = readInputs(model->inputs(), flags.inputs, "dlc grad", inputs); status != kSuccess) return status;
  auto labels = runtime::readNpy(flags.labels);
  if (!labels.ok()) return reportStatus(labels.status());
  auto grads = model->gradients(inputs, *labels);
  if (!grads.ok()) return reportStatus(grads.status());
  if (absl::Status w = runtime::writeSafetensors(flags.output, *grads); !w.ok()) return reportStatus(w);
  return kSuccess;
}

}  // namespace

CommandMain registerGradCommand(CLI::App& app) {
  auto flags = std::make_shared<GradFlags>();
  CLI::App* cmd = app.add_subcommand("grad", "write the gradients of the train block's loss on one batch");
  cmd->add_option("file", flags->input, "the model file (.dl)")->required();
  cmd->add_option("--weights", flags->weights, "parameters from a safetensors file [initialised from --seed]")
      ->type_name("W.safetensors");
  cmd->add_option("--input", flags->inputs, "an input by name: NAME=FILE.npy (NAME may be left out for one input)")
      ->type_name("NAME=FILE");
  cmd->add_option("--labels", flags->labels, "the batch's labels (.npy)")->type_name("Y.npy")->required();
  cmd->add_option("-o", flags->output, "where to write the loss and the gradients")
      ->type_name("GRADS.safetensors")
      ->required();
  cmd->add_option("--seed", flags->seed, "seed for initialising weights and for dropout [0]")->check(kSeed);
  cmd->add_option("--model", flags->model, "the model [the file's last model]");
  cmd->add_option("--target", flags->target,
                  "cpu | cpu:NAME (x86-64-v3, znver3, ...: code for that CPU, if this one runs it) | cuda | cuda:sm_XX "
                  "| reference | auto [auto]")
      ->check(kRunTarget);
  addPrecisionOption(*cmd, flags->precision);
  cmd->add_flag("--allow-unknown-weights", flags->allow_unknown,
                "ignore tensors in --weights that are not parameters of the model");
  return [cmd, flags]() -> int { return cmd->parsed() ? runGrad(*flags) : -1; };
}

}  // namespace dlc::tool
