// Training data for `dlc train`: a train split and an optional test split,
// loaded from a source string, shaped for one model and one loss, and cut into
// shuffled batches.
//
// Sources (../shared/spec/cli.md, `dlc train --data`):
//   fashion-mnist   the IDX files of the Debian package dataset-fashion-mnist
//                   (/usr/share/datasets/fashion-mnist), with a test split
//   idx:DIR         train-{images-idx3,labels-idx1}-ubyte[.gz] in DIR, and the
//                   test split from t10k-* when those files are there
//   npy:X.npy,Y.npy inputs and labels, no test split
//   text:FILE       next-token windows over the file's bytes, no test split
//
// Images (u8) become f32 scaled to [0, 1], reshaped to the model's input
// (28x28 -> [28, 28, 1]). Class labels are kept as ids and expanded per batch
// in the form the loss wants (LabelForm). Text is byte-level: token ids are the
// bytes 0..255 (a model whose vocabulary is smaller must see only bytes below
// it), x = ids[i, i+T) and y = ids[i+T] for every i, where T is the model's
// sequence length.
#ifndef DLC_RUNTIME_DATA_DATASET_H_
#define DLC_RUNTIME_DATA_DATASET_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/tensor.h"

namespace dlc::runtime {

// How a batch carries its labels.
enum class LabelForm {
  kOneHot,  // f32 [B, classes]: categorical_crossentropy
  kSparse,  // i32 [B]: sparse_categorical_crossentropy
  kDense,   // f32 [B, output...]: binary_crossentropy, mse (class ids become
            // one-hot when the output has more than one element per sample)
};

// The form `loss` (a train-block loss name) takes; an error for unknown ones.
absl::StatusOr<LabelForm> labelFormForLoss(std::string_view loss);

// What the data must look like for the model: one input, one output, shapes
// per sample (without the batch dimension).
struct DataSpec {
  DType input_dtype = DType::kF32;
  std::vector<int64_t> input_shape;
  std::vector<int64_t> output_shape;
  LabelForm labels = LabelForm::kSparse;
};

struct Split {
  Tensor x;  // [N, input_shape...] of the model's input dtype
  Tensor y;  // class ids: i32 [N]; otherwise f32 [N, output_shape...]
  bool class_ids = true;
  int64_t size() const { return x.shape().empty() ? 0 : x.shape()[0]; }
};

struct Dataset {
  Split train;
  std::optional<Split> test;
  std::string description;  // "fashion-mnist: 60000 train, 10000 test samples"
};

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Loads `source` for `spec`. Data errors (missing or malformed files, shapes
// that do not fit the model, labels outside the model's classes) are
// InvalidArgument/NotFound/DataLoss naming the file; an unknown source kind is
// InvalidArgument starting with "unknown data source".
absl::StatusOr<Dataset> loadDataset(std::string_view source, const DataSpec& spec);

// A split from tensors already in memory (as npy: reads them): checks shapes
// and labels against the model and converts dtypes. Messages about the
// inputs start with `x_name`, about the labels with `y_name`.
absl::StatusOr<Split> makeSplit(Tensor x, Tensor y, const DataSpec& spec, std::string_view x_name,
                                std::string_view y_name);

// The order of the samples in epoch `epoch` (0-based): a Fisher-Yates shuffle
// of 0..n-1 driven by splitmix64 seeded from (seed, epoch). A pure function,
// the same on every platform, so a resumed run sees the same batches.
std::vector<int64_t> epochOrder(int64_t n, uint64_t seed, int64_t epoch);

// Number of batches of `batch_size` in `n` samples; the last may be partial.
int64_t batchCount(int64_t n, int64_t batch_size);

struct Batch {
  Tensor x;
  Tensor y;
  int64_t size() const { return x.shape().empty() ? 0 : x.shape()[0]; }
};

// The samples `indices` of `split`, labels in `spec.labels`'s form.
absl::StatusOr<Batch> makeBatch(const Split& split, std::span<const int64_t> indices, const DataSpec& spec);

}  // namespace dlc::runtime

#endif  // DLC_RUNTIME_DATA_DATASET_H_
