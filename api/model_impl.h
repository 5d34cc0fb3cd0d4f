// What a Model holds, shared by api/model.cc (loading, weights, run) and
// api/training.cc (gradients, training steps, state). Not a public header.
#ifndef DLC_API_MODEL_IMPL_H_
#define DLC_API_MODEL_IMPL_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dlc/dlc.h"
#include "frontend/ast.h"
#include "ir/ir.h"
#include "ir/precision.h"
#include "passes/pass.h"
#include "reference/interpreter.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace dlc {

namespace codegen {
class CpuFunction;
class CudaFunction;
}  // namespace codegen

// The training form of the model, built on first use (api/training.cc).
struct TrainingState {
  std::unique_ptr<ir::Module> module;  // lowered with training = true, plus the training functions
  const ir::Function* grad = nullptr;
  const ir::Function* train_step = nullptr;
  std::vector<std::string> trainable;  // grad's outputs after the loss
};

struct Model::Impl {
  SourceManager sources;
  std::unique_ptr<ast::Program> program;  // kept to lower the model again for training
  ModelOptions options;
  std::unique_ptr<ir::Module> module;  // inference form
  const ir::Function* function = nullptr;
  std::string target;
  ir::Precision precision = ir::Precision::kFp32;  // options', else the train block's
  std::vector<TensorSpec> inputs, outputs;
  std::vector<ParameterSpec> parameters;
  // Parameter values and, once training has run, the optimizer's state.
  reference::ParamMap weights;
  std::unique_ptr<TrainingState> training;
  const ir::Function* evaluate = nullptr;  // in `module`, built on first use
  // Compiled code per function and input shapes (api/execute.h).
  std::map<std::string, std::unique_ptr<codegen::CpuFunction>> compiled;
  // The same for `cuda` and `cuda:sm_XX` targets.
  std::map<std::string, std::unique_ptr<codegen::CudaFunction>> compiled_cuda;
  // The CUDA function whose device copies of some weights are newer than
  // `weights` (training steps leave their parameter updates on the device;
  // api/execute.h), or null. Whatever reads `weights` calls syncWeights()
  // first; whatever replaces them calls dropDeviceWeights().
  codegen::CudaFunction* device_weights = nullptr;

  Impl();
  ~Impl();
};

// InvalidArgument for tf32 on a target without TF32 arithmetic (anything but
// CUDA): dlc never runs another precision than the one asked for.
absl::Status requireTf32Target(ir::Precision precision, std::string_view target);

// The graph pipeline's options for this model (its precision).
passes::PassOptions pipelineOptions(const Model::Impl& impl);

// The static dims of a parameter's type.
std::vector<int64_t> staticShape(const ir::TensorType& type);
// InvalidArgument with the rendered diagnostics as its message.
absl::Status diagnosticsError(const DiagnosticEngine& diags);

// The arguments of `function` in order: the model's inputs matched by name
// (a single input may be unnamed) and, when `labels` is given, the labels as
// the last argument. Every input must be given once.
absl::StatusOr<std::vector<Tensor>> bindArguments(const Model::Impl& impl, const ir::Function& function,
                                                  const std::vector<std::pair<std::string, Tensor>>& inputs,
                                                  const Tensor* labels = nullptr);

// The training form of the model: lowered a second time in training mode,
// with the train block's functions (passes/training.h); built on first use.
absl::StatusOr<TrainingState*> ensureTraining(Model::Impl& impl);

// The bytes of `module`'s parameters (only those without a value in
// impl.weights when `only_missing`).
int64_t parameterBytes(const Model::Impl& impl, const ir::Module& module, bool only_missing);

// FailedPrecondition naming the first parameter of `module` (optimizer state
// aside) that has no value in `impl.weights`.
absl::Status requireWeights(const Model::Impl& impl, const ir::Module& module);

}  // namespace dlc

#endif  // DLC_API_MODEL_IMPL_H_
