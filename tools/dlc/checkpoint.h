// `dlc train --checkpoint DIR`: DIR/checkpoint.safetensors holds every
// weight and optimizer-state tensor of the model (as Model::state() names
// them) and, in the safetensors `__metadata__`, where training stands: the
// epoch and the batches done in it, the global step, the seed and batch size
// that fix the data order, the data source, a hash of the model file, the
// running sums of the epoch in progress and the length of --metrics-out.
//
// Writing is atomic: a temporary file beside the checkpoint is written,
// fsynced and renamed over it, and the folder is fsynced, so a run killed at
// any moment leaves the previous checkpoint or the new one, never a mix.
#ifndef DLC_TOOLS_DLC_CHECKPOINT_H_
#define DLC_TOOLS_DLC_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/tensor_file.h"

namespace dlc::tool {

// Where a run stands; enough to continue it exactly.
struct TrainPosition {
  int64_t epoch = 0;  // the epoch in progress, from 0
  int64_t batch = 0;  // batches of that epoch already run
  int64_t step = 0;   // batches run in all epochs
  uint64_t seed = 0;  // weights' initialisation and the data order
  int64_t batch_size = 0;
  std::string data;        // the --data source
  std::string model_hash;  // modelFileHash() of the model file
  // The epoch in progress: sums over its batches of loss and accuracy times
  // the batch size, the samples seen and the seconds spent.
  double loss_sum = 0;
  double accuracy_sum = 0;
  int64_t samples = 0;
  double seconds = 0;
  int64_t metrics_bytes = 0;  // bytes of --metrics-out written so far

  bool operator==(const TrainPosition&) const = default;
};

struct Checkpoint {
  runtime::NamedTensors state;
  TrainPosition position;
};

std::string checkpointPath(const std::string& dir);

// Creates `dir` if needed and replaces its checkpoint atomically. Temporary
// files of earlier runs killed while writing are removed.
absl::Status writeCheckpoint(const std::string& dir, const runtime::NamedTensors& state, const TrainPosition& position);
// NotFound when `dir` holds no checkpoint; InvalidArgument/DataLoss naming
// the file when it is not one dlc wrote.
absl::StatusOr<Checkpoint> readCheckpoint(const std::string& dir);

// The metadata form of a position, and back (exact for every field).
runtime::TensorMetadata positionMetadata(const TrainPosition& position);
absl::StatusOr<TrainPosition> parsePositionMetadata(const runtime::TensorMetadata& metadata, std::string_view name);

// FNV-1a 64 of a file's bytes, as 16 hex digits ("" when unreadable).
std::string modelFileHash(const std::string& path);

// Checks that `saved` has exactly the tensors of `current` (names, dtypes,
// shapes); the error names the first difference.
absl::Status checkStateMatches(const runtime::NamedTensors& saved, const runtime::NamedTensors& current,
                               std::string_view name);

}  // namespace dlc::tool

#endif  // DLC_TOOLS_DLC_CHECKPOINT_H_
