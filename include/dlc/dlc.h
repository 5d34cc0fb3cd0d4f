// dlc's public C++ API: load a model from a .dl file or string, choose the
// target and precision, bind or initialise its weights, run it on host
// tensors and read the outputs. Every call returns a status; nothing throws.
//
//   auto model = dlc::Model::fromFile("mnist_cnn.dl");
//   if (!model.ok()) { std::cerr << model.status().message(); return 1; }
//   RETURN_IF_ERROR(model->loadWeights("weights.safetensors"));
//   auto out = model->run({{"x", image}});
//
// Training follows the model's `train` block (../shared/spec/dsl.md §5):
//
//   auto step = model->trainStep({{"x", images}}, labels);  // updates the weights
//   auto grads = model->gradients({{"x", images}}, labels); // loss, then d loss/d p
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
#include "runtime/tensor_file.h"

namespace dlc {

using runtime::Tensor;
using ir::DType;
using runtime::NamedTensors;  // std::vector<std::pair<std::string, Tensor>>

struct ModelOptions {
  std::string model;           // which model of the file; "" = the file's last model
  std::string target = "auto";  // cpu | reference | cuda | cuda:sm_XX | auto
  std::string precision = "fp32";  // fp32 | bf16 | fp16
  uint64_t seed = 0;  // randomness of training (dropout masks, augmentation)
};

// A model input or output: name, dtype and shape, where symbolic dims
// (`batch`) are -1 and named in `symbols`.
struct TensorSpec {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<std::string> symbols;  // per dim: the symbol, or "" when static
};

// The model's `train` block, every default filled in.
struct TrainConfig {
  std::string loss;       // categorical_crossentropy | sparse_categorical_crossentropy | binary_crossentropy | mse
  std::string optimizer;  // sgd | adam | adamw | rmsprop
  // The optimizer's settings in its order (learning_rate first).
  std::vector<std::pair<std::string, double>> hyperparameters;
  std::vector<std::string> metrics;  // "loss", "accuracy"
  int64_t batch_size = 32;
  int64_t epochs = 1;

  double hyperparameter(const std::string& name) const;  // NaN when absent
  bool hasMetric(const std::string& name) const;
};

// One batch's loss and accuracy. The accuracy is always computed (as Keras
// picks it for the loss: binary, sparse or categorical); show it when
// trainConfig().hasMetric("accuracy").
struct StepMetrics {
  double loss = 0;
  double accuracy = 0;
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
  // biases, ...), deterministically from `seed`. Initialising or loading
  // weights also starts the optimizer afresh (see restoreState).
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

  // ---- Training (api/training.cc). The first of these calls lowers the
  // model a second time in training mode and builds its training functions.
  //
  // Labels: for sparse_categorical_crossentropy, integer class ids (i32 or
  // i64; a trailing dim of 1 is dropped) of the output's shape without its
  // class axis; an id outside [0, classes) is an InvalidArgument error
  // ("label 12 at index [3] is outside [0, 10)"). For the other losses, the
  // output's shape (one-hot rows for categorical_crossentropy), converted to
  // the output's dtype. A model without a train block is an InvalidArgument
  // error ("model 'x' has no train block").
  absl::StatusOr<TrainConfig> trainConfig() const;
  // The loss on one batch in training mode and its gradient with respect to
  // every trainable parameter: {"loss", f32[]} first, then each trainable
  // parameter by name, in declaration order. Nothing is updated.
  absl::StatusOr<NamedTensors> gradients(const std::vector<std::pair<std::string, Tensor>>& inputs,
                                         const Tensor& labels);
  // One optimizer step on one batch: updates the weights, the optimizer's
  // state and batchnorm moving statistics. A NaN or infinite loss is
  // returned, not an error (the update is applied, as Keras does; keep a
  // state() to go back to).
  absl::StatusOr<StepMetrics> trainStep(const std::vector<std::pair<std::string, Tensor>>& inputs,
                                        const Tensor& labels);
  // The loss and accuracy in inference mode (moving statistics, no dropout);
  // nothing is updated.
  absl::StatusOr<StepMetrics> evaluate(const std::vector<std::pair<std::string, Tensor>>& inputs,
                                       const Tensor& labels);
  // Every weight and, for a model with a train block, every optimizer-state
  // tensor (`optimizer.iterations`, `optimizer.learning_rate`,
  // `optimizer.m.conv2d.kernel`, ...) by name: what a checkpoint saves.
  absl::StatusOr<NamedTensors> state();
  // Restores what state() gave. Every weight must be present; the optimizer's
  // state all or not at all (then the optimizer starts afresh). Unknown
  // names and wrong shapes or dtypes are errors; nothing changes on error.
  absl::Status restoreState(const NamedTensors& state);
  // Sets the optimizer's learning rate (kept as optimizer state).
  absl::Status setLearningRate(double learning_rate);

  // Opaque to hosts; the API's sources share it (api/model_impl.h).
  struct Impl;

 private:
  friend class ModelFactory;  // api/model.cc: builds the Impl
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlc

#endif  // DLC_DLC_H_
