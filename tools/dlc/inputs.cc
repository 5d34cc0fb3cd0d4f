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

int reportError(const absl::Status& status) { return reportStatus(status); }

int readInputs(const std::vector<TensorSpec>& model_inputs, const std::vector<std::string>& bindings,
               std::string_view command, NamedInputs& inputs) {
  for (const std::string& binding : bindings) {
    auto [name, path] = splitBinding(binding);
    if (name.empty() && model_inputs.size() != 1) {
      std::cerr << command << ": --input " << binding << ": name the input (NAME=FILE); the model has "
                << model_inputs.size() << " inputs\n";
      return kUsageError;
    }
    auto tensor = runtime::readNpy(path);
    if (!tensor.ok()) return reportStatus(tensor.status());
    inputs.emplace_back(name, std::move(*tensor));
  }
  return kSuccess;
}

}  // namespace dlc::tool
