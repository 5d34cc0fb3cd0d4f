// `dlc run MODEL.dl|ART.dlx [--weights W] [--input NAME=X.npy]... [--output N=Y.npy]...`:
// a thin client of the public APIs: dlc/dlc.h compiles a .dl file, and
// dlc/runtime.h runs a compiled artifact.
#include <fstream>
#include <iostream>
#include <memory>

#include "dlc/dlc.h"
#include "dlc/runtime.h"
#include "runtime/artifact/container.h"
#include "runtime/atomic_file.h"
#include "runtime/tensor_file.h"
#include "support/strings.h"
#include "tools/dlc/commands.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/inputs.h"
#include "tools/dlc/status_exit.h"
#include "tools/dlc/validators.h"

namespace dlc::tool {
namespace {

struct RunFlags {
  std::string input;
  std::string weights;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  uint64_t seed = 0;
  int64_t batch = 0;
  std::string model;
  std::string target = "auto";
  std::string precision;  // "": the train block's, else fp32
  bool allow_unknown = false;
};

// Every dim named `batch` in the signature must equal --batch.
absl::Status checkBatch(const std::vector<TensorSpec>& specs, const std::vector<std::pair<std::string, Tensor>>& inputs,
                        int64_t batch) {
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorSpec& spec = specs[i];
    for (const auto& [name, tensor] : inputs) {
      if (!(name == spec.name || (name.empty() && specs.size() == 1))) continue;
      for (size_t d = 0; d < spec.symbols.size() && d < tensor.shape().size(); ++d)
        if (spec.symbols[d] == "batch" && tensor.shape()[d] != batch)
          return absl::InvalidArgumentError(
              strCat("input '", spec.name, "' has batch size ", tensor.shape()[d], ", but --batch is ", batch));
    }
  }
  return absl::OkStatus();
}

void printSummary(size_t index, const Tensor& t) {
  std::cout << "output " << index << ": " << t.typeString() << "\n ";
  int64_t shown = std::min<int64_t>(t.numElements(), 16);
  for (int64_t i = 0; i < shown; ++i) std::cout << " " << t.get(i);
  std::cout << (shown < t.numElements() ? " ...\n" : "\n");
}

// A compiled artifact (by its contents' magic, whatever the file is called).
bool isArtifact(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string magic(runtime::artifact::kMagic.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  return in.gcount() == static_cast<std::streamsize>(magic.size()) && magic == runtime::artifact::kMagic;
}

template <typename M>
int runModel(M& model, const RunFlags& flags) {
  for (const std::string& binding : flags.outputs)
    if (absl::Status w = runtime::checkWritable(splitBinding(binding).second); !w.ok()) return reportStatus(w);
  NamedInputs inputs;
  if (int status = readInputs(model.inputs(), flags.inputs, "dlc run", inputs); status != kSuccess) return status;
  if (flags.batch > 0)
    if (absl::Status b = checkBatch(model.inputs(), inputs, flags.batch); !b.ok()) return reportStatus(b);
  // A model too large for this machine is refused before its weights are made.
  if constexpr (requires { model.checkMemory(inputs); })
    if (absl::Status m = model.checkMemory(inputs); !m.ok()) return reportStatus(m);
  if (!(flags.weights.empty() && model.hasAllWeights()))
    if (int status = prepareWeights(model, flags.weights, flags.seed, flags.allow_unknown); status != kSuccess)
      return status;
  auto outputs = model.run(inputs);
  if (!outputs.ok()) return reportStatus(outputs.status());
  if (flags.outputs.empty())
    for (size_t i = 0; i < outputs->size(); ++i) printSummary(i, (*outputs)[i]);
  for (const std::string& binding : flags.outputs) {
    auto [name, path] = splitBinding(binding);
    size_t index = 0;
    if (name.empty()) {
      if (outputs->size() != 1) {
        std::cerr << "dlc run: --output " << binding << ": the model has " << outputs->size()
                  << " outputs; name them by position (0=FILE)\n";
        return kUsageError;
      }
    } else {
      char* end = nullptr;
      unsigned long long v = std::strtoull(name.c_str(), &end, 10);
      if (*end != '\0' || name.empty() || v >= outputs->size()) {
        std::cerr << "dlc run: --output " << binding << ": outputs are numbered 0 to " << outputs->size() - 1 << "\n";
        return kUsageError;
      }
      index = static_cast<size_t>(v);
    }
    if (absl::Status w = runtime::writeNpy(path, (*outputs)[index]); !w.ok()) return reportStatus(w);
  }
  return kSuccess;
}

int runRun(const RunFlags& flags) {
  if (isArtifact(flags.input)) {
    if (flags.target == "reference")
      return reportStatus(
          absl::InvalidArgumentError("a compiled artifact runs its own code; --target reference "
                                     "needs the model's source (.dl)"));
    std::string target = flags.target.starts_with("cuda") ? "cuda" : flags.target;
    auto model = CompiledModel::load(flags.input, {target});
    if (!model.ok()) return reportStatus(model.status());
    return runModel(*model, flags);
  }
  auto model = Model::fromFile(flags.input, {flags.model, flags.target, flags.precision});
  if (!model.ok()) return reportStatus(model.status());
  return runModel(*model, flags);
}

}  // namespace

CommandMain registerRunCommand(CLI::App& app) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "run a model on .npy inputs");
  cmd->add_option("file", flags->input, "the model (.dl) or a compiled artifact (.dlx)")->required();
  cmd->add_option("--weights", flags->weights, "parameters from a safetensors file [initialised from --seed]")
      ->type_name("W.safetensors");
  cmd->add_option("--input", flags->inputs, "an input by name: NAME=FILE.npy (NAME may be left out for one input)")
      ->type_name("NAME=FILE");
  cmd->add_option("--output", flags->outputs, "write output N (by position in return) to FILE.npy")
      ->type_name("N=FILE");
  cmd->add_option("--seed", flags->seed, "seed for initialising weights [0]")->check(kSeed);
  cmd->add_option("--batch", flags->batch, "the batch size the inputs must have")->check(kAtLeastOne);
  cmd->add_option("--model", flags->model, "the model to run [the file's last model]");
  cmd->add_option("--target", flags->target,
                  "cpu | cpu:NAME (x86-64-v3, znver3, ...: code for that CPU, if this one runs it) | cuda | cuda:sm_XX "
                  "| reference | auto [auto]")
      ->check(kRunTarget);
  addPrecisionOption(*cmd, flags->precision);
  cmd->add_flag("--allow-unknown-weights", flags->allow_unknown,
                "ignore tensors in --weights that are not parameters of the model");
  return [cmd, flags]() -> int { return cmd->parsed() ? runRun(*flags) : -1; };
}

}  // namespace dlc::tool
