// A stand-in for dlc::Model in the trainer's tests: softmax regression
// (y = softmax(x W + b)) trained by SGD with momentum, in plain C++ and
// deterministic. Its "model file" is a small text of `key = value` lines:
//
//   inputs = 4          features per sample (the input is f32[batch, inputs])
//   classes = 3
//   loss = sparse_categorical_crossentropy   (or categorical_crossentropy)
//   metrics = accuracy  (comma-separated; "" for loss only)
//   batch_size = 8
//   epochs = 3
//   learning_rate = 0.1
//   momentum = 0.9
//   nan_at_step = 0     a step (from 1) whose loss is NaN
//   signal_at_step = 0  a step (from 1) that raises SIGTERM
//   sleep_ms = 0        a pause per step, for tests that kill the process
#ifndef DLC_TESTS_UNIT_TRAIN_FAKE_MODEL_H_
#define DLC_TESTS_UNIT_TRAIN_FAKE_MODEL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/dlc/trainer.h"

namespace dlc::tool::testing {

struct FakeConfig {
  int64_t inputs = 4;
  int64_t classes = 3;
  std::string loss = "sparse_categorical_crossentropy";
  std::vector<std::string> metrics = {"accuracy"};
  int64_t batch_size = 8;
  int64_t epochs = 3;
  float learning_rate = 0.1f;
  float momentum = 0.9f;
  int64_t nan_at_step = 0;
  int64_t signal_at_step = 0;
  int64_t sleep_ms = 0;
};

absl::StatusOr<FakeConfig> readFakeConfig(const std::string& path);
std::unique_ptr<TrainableModel> makeFakeModel(const FakeConfig& config);
// A ModelLoader: reads flags.input as a FakeConfig.
absl::StatusOr<std::unique_ptr<TrainableModel>> loadFakeModel(const TrainFlags& flags);

}  // namespace dlc::tool::testing

#endif  // DLC_TESTS_UNIT_TRAIN_FAKE_MODEL_H_
