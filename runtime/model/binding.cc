#include "runtime/model/binding.h"

#include <algorithm>

#include "support/status_macros.h"
#include "support/strings.h"

namespace dlc::runtime {

absl::StatusOr<std::vector<const Tensor*>> matchInputs(std::string_view model, std::span<const std::string> names,
                                                       const std::vector<std::pair<std::string, Tensor>>& inputs) {
  size_t n = names.size();
  std::vector<const Tensor*> matched(n, nullptr);
  for (const auto& [name, tensor] : inputs) {
    size_t index = n;
    if (name.empty() && n == 1) index = 0;
    for (size_t i = 0; i < n && index == n; ++i)
      if (names[i] == name) index = i;
    if (index == n) return absl::InvalidArgumentError(strCat("model '", model, "' has no input '", name, "'"));
    if (matched[index]) return absl::InvalidArgumentError(strCat("input '", names[index], "' is given twice"));
    matched[index] = &tensor;
  }
  for (size_t i = 0; i < n; ++i)
    if (!matched[i]) return absl::InvalidArgumentError(strCat("input '", names[i], "' is missing"));
  return matched;
}

absl::StatusOr<std::vector<Tensor>> orderInputs(std::string_view model, std::span<const std::string> names,
                                                const std::vector<std::pair<std::string, Tensor>>& inputs) {
  ASSIGN_OR_RETURN(std::vector<const Tensor*> matched, matchInputs(model, names, inputs));
  std::vector<Tensor> ordered;
  for (const Tensor* t : matched) ordered.push_back(t->clone());
  return ordered;
}

namespace {

// "[3, 1]": the index of element `flat` in a row-major `shape`.
std::string indexOf(int64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] > 0 ? flat % shape[d] : 0;
    flat = shape[d] > 0 ? flat / shape[d] : 0;
  }
  return strCat("[", strJoin(index, ", "), "]");
}

}  // namespace

absl::StatusOr<Tensor> prepareLabels(const Tensor& labels, bool sparse, ir::DType dtype, int64_t rank,
                                     int64_t classes) {
  if (!sparse) {
    if (labels.dtype() == dtype) return labels.clone();
    absl::StatusOr<Tensor> out = Tensor::zeros(dtype, labels.shape());
    if (!out.ok()) return out.status();
    for (int64_t i = 0; i < labels.numElements(); ++i) out->set(i, labels.get(i));
    return out;
  }
  if (!ir::isInteger(labels.dtype()))
    return absl::InvalidArgumentError(
        strCat("labels for sparse_categorical_crossentropy are integer class ids "
               "(i32 or i64), not ",
               labels.typeString()));
  std::vector<int64_t> shape = labels.shape();
  if (static_cast<int64_t>(shape.size()) == rank + 1 && !shape.empty() && shape.back() == 1) shape.pop_back();
  absl::StatusOr<Tensor> out = Tensor::zeros(ir::DType::kI32, shape);
  if (!out.ok()) return out.status();
  for (int64_t i = 0; i < labels.numElements(); ++i) {
    double id = labels.get(i);
    if (!(id >= 0 && id < static_cast<double>(classes)))
      return absl::InvalidArgumentError(strCat("label ", static_cast<int64_t>(id), " at index ", indexOf(i, shape),
                                               " is outside [0, ", classes, ")"));
    out->set(i, id);
  }
  return out;
}

uint64_t trainingStep(const TensorMap& weights) {
  auto it = weights.find("optimizer.iterations");
  return it == weights.end() || it->second.numElements() != 1 ? 0 : static_cast<uint64_t>(it->second.get(0));
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
