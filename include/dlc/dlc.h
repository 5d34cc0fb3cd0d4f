// dlc's public C++ API: load a model from a .dl file or string, choose the
// target and precision, bind or initialise its weights, run it on host
// tensors and read the outputs. Every call returns a status; nothing throws.
//
//   auto model = dlc::Model::fromFile("mnist_cnn.dl");
//   if (!model.ok()) { std::cerr << model.status().message(); return 1; }
//   RETURN_IF_ERROR(model->loadWeights("weights.safetensors"));
//   auto out = model->run({{"x", image}});
#ifndef DLC_DLC_H_
#define DLC_DLC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/tensor.h"

namespace dlc {

using runtime::Tensor;
using ir::DType;

struct ModelOptions {
  std::string model;           // which model of the file; "" = the file's last model
  std::string target = "auto";  // cpu | reference | cuda | cuda:sm_XX | auto
  std::string precision = "fp32";  // fp32 | bf16 | fp16
};

// A model input or output: name, dtype and shape, where symbolic dims
// (`batch`) are -1 and named in `symbols`.
struct TensorSpec {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<std::string> symbols;  // per dim: the symbol, or "" when static
};

struct ParameterSpec {
  std::string name;  // LAYER.PARAM
  DType dtype;
  std::vector<int64_t> shape;
  bool trainable;
};

class Model {
 public:
  // Errors in the model are InvalidArgument with the rendered diagnostics
  // (FILE:LINE:COL: error: ..., the source line and a caret) as the message.
  static absl::StatusOr<Model> fromFile(const std::string& path, const ModelOptions& options = {});
  static absl::StatusOr<Model> fromString(const std::string& source, const std::string& name,
                                          const ModelOptions& options = {});

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  const std::string& name() const;
  const std::vector<TensorSpec>& inputs() const;
  const std::vector<TensorSpec>& outputs() const;
  const std::vector<ParameterSpec>& parameters() const;
  // The target that runs the model after `auto` was resolved.
  const std::string& target() const;

  // Initialises every parameter as Keras does (glorot_uniform kernels, zero
  // biases, ...), deterministically from `seed`.
  absl::Status initializeWeights(uint64_t seed = 0);
  // Reads a safetensors file. Missing parameters and wrong shapes or dtypes
  // are errors naming the parameter; so are names the model does not know,
  // unless `allow_unknown`.
  absl::Status loadWeights(const std::string& path, bool allow_unknown = false);
  absl::Status setWeight(const std::string& name, Tensor value);
  absl::StatusOr<const Tensor*> weight(const std::string& name) const;

  // Runs the model. Inputs are matched by name (a single input may be
  // unnamed); outputs come in the order of the model's `return`.
  absl::StatusOr<std::vector<Tensor>> run(const std::vector<std::pair<std::string, Tensor>>& inputs);

 private:
  friend class ModelFactory;  // api/model.cc: builds the Impl
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlc

#endif  // DLC_DLC_H_
