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
// matchInputs points into `inputs`; orderInputs copies them.
absl::StatusOr<std::vector<const Tensor*>> matchInputs(std::string_view model, std::span<const std::string> names,
                                                       const std::vector<std::pair<std::string, Tensor>>& inputs);
absl::StatusOr<std::vector<Tensor>> orderInputs(std::string_view model, std::span<const std::string> names,
                                                const std::vector<std::pair<std::string, Tensor>>& inputs);

// The tensors of a weights file (`path`, for messages) as the parameters:
// each present with the declared dtype and shape; names that are not
// parameters are an error unless `allow_unknown`.
absl::StatusOr<TensorMap> matchWeights(std::string_view path, std::string_view model,
                                       std::span<const ParameterSpec> parameters,
                                       std::vector<std::pair<std::string, Tensor>> file, bool allow_unknown);

// Labels in the form a training function takes (dlc.h's Model::trainStep
// says what callers give): with `sparse` (sparse_categorical_crossentropy)
// integer class ids of rank `rank` (a trailing dim of 1 dropped), each in
// [0, classes), as i32; otherwise the labels converted to `dtype`.
absl::StatusOr<Tensor> prepareLabels(const Tensor& labels, bool sparse, ir::DType dtype, int64_t rank, int64_t classes);

// The training step so far: the value of `optimizer.iterations` (0 when
// absent), which seeds the random draws of a step.
uint64_t trainingStep(const TensorMap& weights);

// `f32[1, 28, 28, 1]`
std::string shapeString(ir::DType dtype, std::span<const int64_t> shape);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_MODEL_BINDING_H_
