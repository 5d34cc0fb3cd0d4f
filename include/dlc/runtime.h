// dlc's runtime API: load a compiled model (`.dlx`, written by
// `dlc compile MODEL.dl` or Model::saveArtifact) and run it. This header and
// the `dlc::runtime` library need no compiler: no LLVM, no NVRTC, no front
// end. The artifact's machine code is checked against this machine before it
// runs (architecture, CPU extensions, GPU architecture); a mismatch is an
// Unavailable error that names what the artifact needs and what the
// machine has.
//
// Example:
//   absl::StatusOr<dlc::CompiledModel> model = dlc::CompiledModel::load("mnist_cnn.dlx");
//   if (!model.ok()) return model.status();
//   // Weights embedded with `dlc compile --weights` are already there.
//   if (absl::Status s = model->initializeWeights(/*seed=*/0); !s.ok()) return s;
//   absl::StatusOr<dlc::Tensor> image = dlc::Tensor::zeros(dlc::DType::kF32, {1, 28, 28, 1});
//   if (!image.ok()) return image.status();
//   dlc::NamedTensors inputs;
//   inputs.emplace_back("x", *std::move(image));
//   absl::StatusOr<std::vector<dlc::Tensor>> out = model->run(inputs);
//   if (!out.ok()) return out.status();
//
#ifndef DLC_RUNTIME_H_
#define DLC_RUNTIME_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dlc/signature.h"
#include "dlc/tensor.h"
#include "dlc/tensor_file.h"

namespace dlc {

using runtime::NamedTensors;
using runtime::Tensor;

struct RuntimeOptions {
  // Which of the artifact's code runs: cpu | cuda | auto (cuda when the
  // artifact has CUDA code and a GPU is usable, else cpu).
  std::string target = "auto";
  uint64_t seed = 0;  // randomness of training steps (dropout masks)
};

// One compiled function of an artifact, as `inspect` lists it.
struct CompiledFunctionInfo {
  std::string name;    // "mnist_cnn", "mnist_cnn.train_step"
  std::string role;    // inference | grad | train_step
  std::string target;  // cpu | cuda
  std::vector<std::vector<int64_t>> input_shapes;
};

class CompiledModel {
 public:
  // Reads and validates the file (format version, content hash, every
  // section and plan). Errors in the file are InvalidArgument naming it.
  static absl::StatusOr<CompiledModel> load(const std::string& path, const RuntimeOptions& options = {});
  static absl::StatusOr<CompiledModel> fromBytes(std::string_view bytes, const std::string& name,
                                                 const RuntimeOptions& options = {});

  CompiledModel(CompiledModel&&) noexcept;
  CompiledModel& operator=(CompiledModel&&) noexcept;
  ~CompiledModel();

  const std::string& name() const;
  const std::vector<TensorSpec>& inputs() const;
  const std::vector<TensorSpec>& outputs() const;
  const std::vector<ParameterSpec>& parameters() const;
  // The code that runs: "cpu" or "cuda".
  const std::string& target() const;
  const std::vector<CompiledFunctionInfo>& functions() const;

  // As dlc::Model's: Keras's initialisers from `seed`, a safetensors file, one tensor.
  absl::Status initializeWeights(uint64_t seed = 0);
  absl::Status loadWeights(const std::string& path, bool allow_unknown = false);
  absl::Status setWeight(const std::string& name, Tensor value);
  absl::StatusOr<const Tensor*> weight(const std::string& name) const;
  // Every parameter has a value (embedded in the artifact, loaded, initialised or set).
  bool hasAllWeights() const;

  // Runs the inference function compiled for these input shapes (the
  // artifact holds one per `--batch`); other shapes are an InvalidArgument
  // error listing the compiled ones. Inputs are matched by name (a single
  // input may be unnamed); outputs come in the order of the model's `return`.
  absl::StatusOr<std::vector<Tensor>> run(const NamedTensors& inputs);

  // ---- Training, for an artifact compiled with `--train`: one optimizer
  // step on one batch of a compiled batch size, as dlc::Model::trainStep
  // (labels in the same forms; the weights, the optimizer's state and its
  // step counter are updated). FailedPrecondition for an artifact without
  // a training step.
  absl::StatusOr<StepMetrics> trainStep(const NamedTensors& inputs, const Tensor& labels);
  // Every weight and optimizer-state tensor by name (what a checkpoint saves).
  NamedTensors state() const;

  struct Impl;

 private:
  explicit CompiledModel(std::unique_ptr<Impl> impl);
  static absl::StatusOr<CompiledModel> fromArtifact(std::unique_ptr<Impl> impl, const RuntimeOptions& options);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dlc

#endif  // DLC_RUNTIME_H_
