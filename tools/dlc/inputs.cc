#include "tools/dlc/inputs.h"

#include <iostream>

#include "runtime/tensor_file.h"
#include "tools/dlc/exit_codes.h"
#include "tools/dlc/status_exit.h"

namespace dlc::tool {

std::pair<std::string, std::string> splitBinding(const std::string& s) {
  size_t eq = s.find('=');
  if (eq == std::string::npos) return {"", s};
  return {s.substr(0, eq), s.substr(eq + 1)};
}

int prepareWeights(Model& model, const std::string& weights_path, uint64_t seed, bool allow_unknown) {
  absl::Status s = weights_path.empty() ? model.initializeWeights(seed)
                                        : model.loadWeights(weights_path, allow_unknown);
  return s.ok() ? kSuccess : reportStatus(s);
}

int readInputs(const Model& model, const std::vector<std::string>& bindings, std::string_view command,
               NamedInputs& inputs) {
  for (const std::string& binding : bindings) {
    auto [name, path] = splitBinding(binding);
    if (name.empty() && model.inputs().size() != 1) {
      std::cerr << command << ": --input " << binding << ": name the input (NAME=FILE); the model has "
                << model.inputs().size() << " inputs\n";
      return kUsageError;
    }
    auto tensor = runtime::readNpy(path);
    if (!tensor.ok()) return reportStatus(tensor.status());
    inputs.emplace_back(name, std::move(*tensor));
  }
  return kSuccess;
}

}  // namespace dlc::tool
