// Training as a graph (../shared/spec/dsl.md §5): from a model function and
// its train block, the functions that compute the loss, its gradients and one
// optimizer step, all in the graph IR so that later passes treat them like
// any other function.
//
// For a model @NAME(%inputs...) -> (y):
//
//   @NAME.grad(%inputs..., %labels) -> (loss, d loss/d p for each trainable p)
//   @NAME.train_step(%inputs..., %labels) -> (loss, accuracy)
//       the same loss and gradients, then `assign` ops writing the updated
//       parameters, the optimizer's state and the batchnorm moving statistics
//   @NAME.evaluate(%inputs..., %labels) -> (loss, accuracy)   (no writes)
//
// Build grad and train_step on a module lowered with training = true (batch
// statistics, dropout) and evaluate on one lowered for inference.
//
// Losses, averaged over the batch and every further axis before the class
// (last) axis, as Keras's sum_over_batch_size:
//   categorical_crossentropy  labels one-hot, the output's type. When y is a
//       softmax over the last axis: -sum(labels * log_softmax(logits)) from
//       the softmax's operand (Keras's stable form); otherwise Keras's form on
//       probabilities: p = y / sum(y), clipped to [1e-7, 1 - 1e-7],
//       -sum(labels * log(p)).
//   sparse_categorical_crossentropy  labels i32 of y's dims without the class
//       axis ([batch], or [batch, T] for sequences); one_hot, then as above.
//   binary_crossentropy  labels the output's type. When y is a sigmoid: from
//       its logits x, max(x, 0) - x * labels + log(1 + exp(-|x|)); otherwise
//       clipped p: -(labels * log(p) + (1 - labels) * log(1 - p)).
//   mse  mean((y - labels)^2).
// Labels are the last argument, named `labels`.
//
// Accuracy (as Keras picks it for the loss): binary_crossentropy, or mse on
// an output whose last dim is 1: mean(equal(greater(y, 0.5), labels));
// sparse: mean(equal(argmax(y), labels)); otherwise
// mean(equal(argmax(y), argmax(labels))). When the train block's metrics do
// not ask for accuracy, the accuracy output is a NaN constant (the signature
// stays the same).
//
// Optimizer state is declared as module params with trainable = false and
// role = "optimizer", in the parameter's dtype and shape:
//   optimizer.learning_rate          f32[], init "constant" = the learning rate
//   optimizer.iterations             i64[], zeros; +1 per step
//   sgd (momentum > 0)  optimizer.momentum.<param>                 zeros
//   adam, adamw         optimizer.m.<param>, optimizer.v.<param>   zeros
//                       optimizer.beta_1_power, optimizer.beta_2_power  f64[], ones
//   rmsprop             optimizer.velocity.<param>                 zeros
// Updates (Keras 3's formulas; t = the step, counted from 1):
//   sgd       m = momentum * m - lr * g; p += m      (p -= lr * g without momentum)
//   adam      Kingma & Ba, Algorithm 1: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
//             p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)
//   adamw     adam, and p -= lr * weight_decay * p (decoupled, on the value
//             before the step, as Keras applies it before the Adam update)
//   rmsprop   v = rho v + (1-rho) g^2; p -= lr * g / sqrt(v + epsilon)
// Dynamic loss scaling (with TrainingOptions::loss_scaling; fp16 mixed
// precision turns it on), as PyTorch's GradScaler and Keras's
// LossScaleOptimizer do it, inside the step:
//   optimizer.loss_scale     f32[], init "constant" = 2^15
//   optimizer.good_steps     i64[], zeros: finite steps since the scale last changed
//   optimizer.skipped_steps  i64[], zeros: steps skipped so far
// grad and train_step differentiate loss * loss_scale and divide the
// gradients by loss_scale again. In train_step, when any gradient has an inf
// or NaN, every other state write (weights, the optimizer's state and step
// count, moving statistics) keeps its value (the step is skipped) and the
// scale halves (not below 1); after 2,000 finite steps in a row it doubles
// (not above 2^24).
// A batchnorm whose gamma is frozen (trainable = false, e.g. inside a model
// used with trainable=false) runs in inference mode in these functions, as a
// frozen Keras BatchNormalization layer does. The others, in training mode,
// also write their moving statistics:
//   moving = moving * momentum + batch * (1 - momentum), with the batch mean
//   and biased variance over every axis but `axis`.
#ifndef DLC_PASSES_TRAINING_H_
#define DLC_PASSES_TRAINING_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/ir.h"

namespace dlc::passes {

struct TrainingFunctions {
  ir::Function* grad = nullptr;
  ir::Function* train_step = nullptr;
  // The trainable parameters, in declaration order: grad's outputs 1, 2, ...
  std::vector<std::string> trainable;
};

struct TrainingOptions {
  bool loss_scaling = false;  // fp16's dynamic loss scale (above)
};

// The loss-scale state's names and settings.
inline constexpr char kLossScaleName[] = "optimizer.loss_scale";
inline constexpr char kGoodStepsName[] = "optimizer.good_steps";
inline constexpr char kSkippedStepsName[] = "optimizer.skipped_steps";
inline constexpr double kInitialLossScale = 32768;  // 2^15
inline constexpr int64_t kLossScaleGrowthSteps = 2000;
inline constexpr double kMaxLossScale = 16777216;  // 2^24

std::string gradFunctionName(std::string_view model);       // NAME.grad
std::string trainStepFunctionName(std::string_view model);  // NAME.train_step
std::string evaluateFunctionName(std::string_view model);   // NAME.evaluate

// The trainable parameters of `module` (trainable = true, or no trainable
// attribute), in declaration order.
std::vector<std::string> trainableParams(const ir::Module& module);

// The type of the labels argument for `spec`'s loss on `model`'s output.
absl::StatusOr<ir::TensorType> labelType(const ir::Function& model, const ir::TrainSpec& spec);

// Adds @NAME.grad and @NAME.train_step (and the optimizer state params) for
// the model function `spec.model`. Errors: InvalidArgument for a model the
// loss cannot apply to (several outputs, an output without a class axis,
// an integer output), or an op on the path to the loss without a gradient.
absl::StatusOr<TrainingFunctions> buildTrainingFunctions(ir::Module& module, const ir::TrainSpec& spec,
                                                         const TrainingOptions& options = {});

// Adds @NAME.evaluate: loss and accuracy without gradients or writes.
absl::StatusOr<ir::Function*> buildEvaluateFunction(ir::Module& module, const ir::TrainSpec& spec);

}  // namespace dlc::passes

#endif  // DLC_PASSES_TRAINING_H_
