// What the subcommands that run a model share: NAME=FILE bindings, weights
// from a file or the seed, and inputs read from .npy files.
#ifndef DLC_TOOLS_DLC_INPUTS_H_
#define DLC_TOOLS_DLC_INPUTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dlc/dlc.h"

namespace dlc::tool {

using NamedInputs = std::vector<std::pair<std::string, Tensor>>;

// "NAME=FILE" -> {NAME, FILE}; a bare "FILE" -> {"", FILE}.
std::pair<std::string, std::string> splitBinding(const std::string& s);

// Loads `weights_path`, or initialises the weights from `seed` when it is
// empty. Returns kSuccess, or the exit status after printing the error.
// Works for a dlc::Model and a dlc::CompiledModel alike.
template <typename M>
int prepareWeights(M& model, const std::string& weights_path, uint64_t seed, bool allow_unknown);

// Reads each --input binding (NAME=FILE.npy; NAME may be left out for a
// model with one input) into `inputs`. Returns kSuccess, or the exit status
// after printing the error (`command` starts usage messages: "dlc run").
int readInputs(const std::vector<TensorSpec>& model_inputs, const std::vector<std::string>& bindings,
               std::string_view command, NamedInputs& inputs);

// Reports the status like every subcommand (status_exit.h).
int reportError(const absl::Status& status);

template <typename M>
int prepareWeights(M& model, const std::string& weights_path, uint64_t seed, bool allow_unknown) {
  absl::Status s =
      weights_path.empty() ? model.initializeWeights(seed) : model.loadWeights(weights_path, allow_unknown);
  return s.ok() ? 0 : reportError(s);
}

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_INPUTS_H_
