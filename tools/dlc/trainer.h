// The training loop of `dlc train` (../shared/spec/cli.md): data from a
// source, shuffled per epoch from --seed, a step per batch, Keras-like
// progress, test metrics, --metrics-out, --save, checkpoints and --resume.
//
// The loop sees the model through TrainableModel, so it runs the same over
// dlc::Model (train_command.cc) and over the small fake of the tests.
//
// Determinism: the data order of epoch e is a pure function of (seed, e), and
// a checkpoint holds all model and optimizer state plus the position in the
// epoch, so a run resumed from any checkpoint takes the same steps on the
// same batches as one never stopped; with a deterministic model it ends with
// bit-identical weights.
//
// Stopping: SIGINT and SIGTERM set a flag that the loop reads after each step;
// it then writes a checkpoint (with --checkpoint) and exits with status 3
// (cli.md allows 0-3 and never a signal; an interrupted run is "any other
// failure", and says how to resume). A loss that is NaN or infinite stops
// training with status 1: "loss is nan at step 123 (epoch 2, batch 17)".
#ifndef DLC_TOOLS_DLC_TRAINER_H_
#define DLC_TOOLS_DLC_TRAINER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/data/dataset.h"
#include "runtime/tensor_file.h"

namespace dlc::tool {

// Loss and metrics of a batch, each averaged over it.
struct BatchMetrics {
  double loss = 0;
  double accuracy = 0;
};

// The train block, with the defaults of the language reference §5.
struct TrainSettings {
  std::string loss;
  std::vector<std::string> metrics = {"loss"};
  int64_t batch_size = 32;
  int64_t epochs = 1;
};

// fp16's dynamic loss scale (passes/training.h), for --metrics-out.
struct LossScaleState {
  double scale = 0;
  int64_t skipped_steps = 0;  // steps skipped for an inf or NaN gradient so far
};

// The model as the loop needs it: one input, one output.
class TrainableModel {
 public:
  virtual ~TrainableModel() = default;
  virtual absl::StatusOr<TrainSettings> settings() = 0;
  // The input's dtype and shapes without the batch dimension.
  virtual absl::StatusOr<runtime::DataSpec> dataSpec(runtime::LabelForm labels) = 0;
  virtual absl::Status initialize(uint64_t seed) = 0;
  virtual absl::Status loadWeights(const std::string& path) = 0;
  // One optimizer step on the batch; returns its metrics before the update.
  virtual absl::StatusOr<BatchMetrics> trainStep(runtime::Batch batch) = 0;
  virtual absl::StatusOr<BatchMetrics> evaluate(runtime::Batch batch) = 0;
  // Every weight and optimizer-state tensor by name (checkpoints).
  virtual absl::StatusOr<runtime::NamedTensors> state() = 0;
  virtual absl::Status restoreState(runtime::NamedTensors state) = 0;
  // The parameters only (--save).
  virtual absl::StatusOr<runtime::NamedTensors> weights() = 0;
  // The loss scale when the model trains with one (fp16), once it has taken
  // a step; nullopt otherwise.
  virtual std::optional<LossScaleState> lossScale() { return std::nullopt; }
};

struct TrainFlags {
  std::string input;
  std::string data = "fashion-mnist";
  int64_t epochs = 0;            // 0: the train block's
  int64_t steps = 0;             // 0: no limit
  int64_t batch_size = 0;        // 0: the train block's
  std::optional<uint64_t> seed;  // [0]
  std::string weights;
  std::string save;
  std::string checkpoint;
  bool resume = false;
  std::string metrics_out;
  int64_t checkpoint_every = 0;  // 0: at epoch ends only
  int64_t test_samples = -1;     // -1: the whole test split
  std::string model;
  std::string target = "auto";
  std::string precision;          // "": the train block's, else fp32
  std::string progress = "auto";  // auto | bar | lines
};

// Adds `dlc train`'s flags to `cmd`.
void addTrainFlags(CLI::App& cmd, TrainFlags& flags);

// Loads flags.input with flags.model/target/precision; flags.seed is set (on
// --resume, to the checkpoint's) for the model's own randomness (dropout).
using ModelLoader = std::function<absl::StatusOr<std::unique_ptr<TrainableModel>>(const TrainFlags&)>;

// Runs `dlc train` and returns its exit status. Progress goes to `out`,
// messages to stderr.
int runTrain(const TrainFlags& flags, const ModelLoader& load, std::ostream& out);

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_TRAINER_H_
