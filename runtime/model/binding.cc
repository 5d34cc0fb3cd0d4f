#include "runtime/model/binding.h"

#include <algorithm>

#include "support/strings.h"

namespace dlc::runtime {

absl::StatusOr<std::vector<Tensor>> orderInputs(std::string_view model, std::span<const std::string> names,
                                                const std::vector<std::pair<std::string, Tensor>>& inputs) {
  size_t n = names.size();
  std::vector<Tensor> ordered(n);
  std::vector<bool> given(n);
  for (const auto& [name, tensor] : inputs) {
    size_t index = n;
    if (name.empty() && n == 1) index = 0;
    for (size_t i = 0; i < n && index == n; ++i)
      if (names[i] == name) index = i;
    if (index == n) return absl::InvalidArgumentError(strCat("model '", model, "' has no input '", name, "'"));
    if (given[index]) return absl::InvalidArgumentError(strCat("input '", names[index], "' is given twice"));
    given[index] = true;
    ordered[index] = tensor.clone();
  }
  for (size_t i = 0; i < n; ++i)
    if (!given[i]) return absl::InvalidArgumentError(strCat("input '", names[i], "' is missing"));
  return ordered;
}

std::string shapeString(ir::DType dtype, std::span<const int64_t> shape) {
  return strCat(ir::dtypeName(dtype), "[", strJoin(shape, ", "), "]");
}

absl::StatusOr<TensorMap> matchWeights(std::string_view path, std::string_view model,
                                       std::span<const ParameterSpec> parameters,
                                       std::vector<std::pair<std::string, Tensor>> file, bool allow_unknown) {
  TensorMap weights;
  for (auto& [name, tensor] : file) {
    auto p = std::find_if(parameters.begin(), parameters.end(), [&](const ParameterSpec& s) { return s.name == name; });
    if (p == parameters.end()) {
      if (allow_unknown) continue;
      return absl::InvalidArgumentError(strCat(path, ": tensor '", name, "' is not a parameter of model '", model,
                                               "' (allow unknown names to ignore it)"));
    }
    if (tensor.dtype() != p->dtype || tensor.shape() != p->shape)
      return absl::InvalidArgumentError(strCat(path, ": parameter '", name, "' is ", tensor.typeString(),
                                               ", but the model declares ", shapeString(p->dtype, p->shape)));
    weights.insert_or_assign(name, std::move(tensor));
  }
  for (const ParameterSpec& p : parameters)
    if (!weights.contains(p.name))
      return absl::InvalidArgumentError(
          strCat(path, ": parameter '", p.name, "' (", shapeString(p.dtype, p.shape), ") is missing"));
  return weights;
}

}  // namespace dlc::runtime
