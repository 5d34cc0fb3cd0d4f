// dlc's public C++ API: load a model from a .dl file or string, choose the
// target and precision, bind or initialise its weights, run it on host
// tensors and read the outputs. Every call returns a status; nothing throws.
// Tensors are move-only, so inputs are built with emplace_back.
//
// Each block from `// Example:` to the next empty comment line is the body
// of a function returning absl::Status; tests/package compiles every one
// (and runs it in examples/).
//
// Example:
//   absl::StatusOr<dlc::Model> model = dlc::Model::fromFile("mnist_cnn.dl");
//   if (!model.ok()) return model.status();
//   // Or model->loadWeights("weights.safetensors").
//   if (absl::Status s = model->initializeWeights(/*seed=*/42); !s.ok()) return s;
//   absl::StatusOr<dlc::Tensor> image = dlc::Tensor::zeros(dlc::DType::kF32, {1, 28, 28, 1});
//   if (!image.ok()) return image.status();
//   std::vector<std::pair<std::string, dlc::Tensor>> inputs;
//   inputs.emplace_back("x", *std::move(image));
//   absl::StatusOr<std::vector<dlc::Tensor>> out = model->run(inputs);
//   if (!out.ok()) return out.status();
//   double p0 = (*out)[0].get(0);  // f32[1, 10]: the probability of class 0
//   if (!(p0 >= 0 && p0 <= 1)) return absl::InternalError("not a probability");
//
// Training follows the model's `train` block (../shared/spec/dsl.md §5):
//
// Example:
//   absl::StatusOr<dlc::Model> model = dlc::Model::fromFile("mnist_cnn.dl");
//   if (!model.ok()) return model.status();
//   if (absl::Status s = model->initializeWeights(); !s.ok()) return s;
//   absl::StatusOr<dlc::Tensor> images = dlc::Tensor::zeros(dlc::DType::kF32, {8, 28, 28, 1});
//   absl::StatusOr<dlc::Tensor> labels = dlc::Tensor::zeros(dlc::DType::kF32, {8, 10});  // one-hot
//   if (!images.ok() || !labels.ok()) return absl::ResourceExhaustedError("no memory");
//   for (int64_t i = 0; i < 8; ++i) labels->set(i * 10 + i % 10, 1.0);
//   dlc::NamedTensors inputs;
//   inputs.emplace_back("x", *std::move(images));
//   absl::StatusOr<dlc::StepMetrics> step = model->trainStep(inputs, *labels);  // updates the weights
//   if (!step.ok()) return step.status();
//   absl::StatusOr<dlc::NamedTensors> grads = model->gradients(inputs, *labels);  // loss, then d loss/d p
//   if (!grads.ok()) return grads.status();
//
#ifndef DLC_DLC_H_
#define DLC_DLC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dlc/dtype.h"
#include "dlc/signature.h"
#include "dlc/tensor.h"
#include "dlc/tensor_file.h"

namespace dlc {

using ir::DType;
using runtime::NamedTensors;  // std::vector<std::pair<std::string, Tensor>>
using runtime::Tensor;

struct ModelOptions {
  std::string model;            // which model of the file; "" = the file's last model
  std::string target = "auto";  // cpu | cpu:NAME | reference | cuda | cuda:sm_XX | auto
  // fp32 | tf32 | bf16 | fp16; "" = the train block's `precision`, else fp32.
  // bf16 and fp16 are mixed precision (f32 master weights, low-precision
  // GEMMs and convolutions, f32 accumulation, softmax, norms and the
  // optimizer; fp16 training adds dynamic loss scaling); tf32 lets a GPU's
  // libraries round GEMM operands to TF32 and is refused on the CPU.
  std::string precision;
  uint64_t seed = 0;  // randomness of training (dropout masks, augmentation)
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

// What Model::compileArtifact puts in a `.dlx` file.
struct ArtifactOptions {
  // cpu (this machine), cpu:NAME (x86-64-v3, x86-64-v4, aarch64, an LLVM CPU
  // name), cuda (sm_80 and sm_90) or cuda:sm_XX[,sm_YY...]: a cubin per
  // architecture and PTX of the newest, which later GPUs compile at load.
  std::string target = "cpu";
  // One compiled function per batch size (symbolic dims bound to it).
  std::vector<int64_t> batch_sizes = {1};
  bool train = false;          // also the training step (and its optimizer state)
  bool embed_weights = false;  // the model's current weights go into the file
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
  // The precision it runs in after the train block's default was applied:
  // fp32, tf32, bf16 or fp16.
  std::string precision() const;

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
  // Every parameter has a value (loaded, initialised or set).
  bool hasAllWeights() const;

  // Runs the model. Inputs are matched by name (a single input may be
  // unnamed); outputs come in the order of the model's `return`.
  absl::StatusOr<std::vector<Tensor>> run(const std::vector<std::pair<std::string, Tensor>>& inputs);

  // Whether run() on inputs of these shapes fits in memory: the parameters
  // that have no value yet, the compiled code's workspace and the outputs (or
  // the reference interpreter's arrays), against what this process may still
  // use (the memory cgroup's limit, available memory, `ulimit -v`, or
  // DLC_MEMORY_LIMIT). ResourceExhausted naming the need and the limit when
  // it does not. Compiles the model for these shapes. run() and
  // initializeWeights() check as they allocate; calling this first refuses
  // a model that cannot run before its weights are made.
  absl::Status checkMemory(const std::vector<std::pair<std::string, Tensor>>& inputs);

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
  absl::StatusOr<StepMetrics> evaluate(const std::vector<std::pair<std::string, Tensor>>& inputs, const Tensor& labels);
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

  // ---- Deployment (api/artifact.cc): the model compiled ahead of time as a
  // `.dlx` artifact that dlc::CompiledModel (dlc/runtime.h) runs without the
  // compiler. Errors: InvalidArgument for a bad target or batch size,
  // FailedPrecondition for embed_weights without weights.
  absl::StatusOr<std::string> compileArtifact(const ArtifactOptions& options = {});
  absl::Status saveArtifact(const std::string& path, const ArtifactOptions& options = {});

  // Opaque to hosts; the API's sources share it (api/model_impl.h).
  struct Impl;

 private:
  friend class ModelFactory;  // api/model.cc: builds the Impl
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlc

#endif  // DLC_DLC_H_
