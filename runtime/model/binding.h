// Matching what a caller hands a model to what the model declares, shared by
// the JIT API (api/) and the runtime API (runtime/model/): inputs by name,
// weights files by parameter name, shape and dtype.
#ifndef DLC_RUNTIME_MODEL_BINDING_H_
#define DLC_RUNTIME_MODEL_BINDING_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dlc/signature.h"
#include "dlc/tensor.h"
#include "runtime/executable.h"

namespace dlc::runtime {

// The inputs in the order of `names` (a single input may be unnamed). Every
// input must be given once; an unknown or repeated name is InvalidArgument.
absl::StatusOr<std::vector<Tensor>> orderInputs(std::string_view model, std::span<const std::string> names,
                                                const std::vector<std::pair<std::string, Tensor>>& inputs);

// The tensors of a weights file (`path`, for messages) as the parameters:
// each present with the declared dtype and shape; names that are not
// parameters are an error unless `allow_unknown`.
absl::StatusOr<TensorMap> matchWeights(std::string_view path, std::string_view model,
                                       std::span<const ParameterSpec> parameters,
                                       std::vector<std::pair<std::string, Tensor>> file, bool allow_unknown);

// `f32[1, 28, 28, 1]`
std::string shapeString(ir::DType dtype, std::span<const int64_t> shape);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_MODEL_BINDING_H_
