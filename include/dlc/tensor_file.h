// Tensor files: safetensors (weights, gradients) and .npy (inputs, outputs).
//
// Readers validate the whole file before allocating anything whose size the
// file declares: header bounds, dtypes, shapes (with overflow checks), byte
// counts, and for safetensors that the tensors tile the data area exactly.
// Every error message starts with the path (or the name given to the parse
// functions): "w.safetensors: tensor 'fc.w': unsupported dtype 'U8' ...".
//
// Writers produce what numpy and the safetensors library produce (npy 1.0
// with a 64-byte-aligned header; safetensors with a compact JSON header
// padded with spaces to a multiple of 8) and replace the target atomically:
// they write a temporary file in the same folder and rename it into place.
//
// Example:
//   absl::StatusOr<dlc::runtime::Tensor> w = dlc::runtime::Tensor::zeros(dlc::ir::DType::kF32, {2, 3});
//   if (!w.ok()) return w.status();
//   w->values<float>()[5] = 1.5f;
//   dlc::runtime::NamedTensors tensors;
//   tensors.emplace_back("fc.kernel", *std::move(w));
//   if (absl::Status s = dlc::runtime::writeSafetensors("fc.safetensors", tensors); !s.ok()) return s;
//   dlc::runtime::TensorMetadata metadata;
//   absl::StatusOr<dlc::runtime::NamedTensors> read = dlc::runtime::readSafetensors("fc.safetensors", &metadata);
//   if (!read.ok()) return read.status();
//   if ((*read)[0].second.get(5) != 1.5) return absl::InternalError("round trip");
//
#ifndef DLC_TENSOR_FILE_H_
#define DLC_TENSOR_FILE_H_

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dlc/tensor.h"

namespace dlc::runtime {

// Named tensors in order. Reading returns them in the order of their data in
// the file; writing lays them out in the order given.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
// The safetensors `__metadata__` object (string to string).
using TensorMetadata = std::map<std::string, std::string>;

// Largest safetensors JSON header accepted (as in the safetensors library).
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

absl::StatusOr<NamedTensors> readSafetensors(const std::string& path, TensorMetadata* metadata = nullptr);
absl::Status writeSafetensors(const std::string& path, const NamedTensors& tensors,
                              const TensorMetadata& metadata = {});

absl::StatusOr<Tensor> readNpy(const std::string& path);
// Fails for bf16, which has no .npy dtype.
absl::Status writeNpy(const std::string& path, const Tensor& tensor);

// In-memory forms (for tests and fuzzers); `name` starts error messages.
absl::StatusOr<NamedTensors> parseSafetensors(std::span<const std::byte> bytes, std::string_view name,
                                              TensorMetadata* metadata = nullptr);
absl::StatusOr<std::string> serializeSafetensors(const NamedTensors& tensors, const TensorMetadata& metadata = {});
absl::StatusOr<Tensor> parseNpy(std::span<const std::byte> bytes, std::string_view name);
absl::StatusOr<std::string> serializeNpy(const Tensor& tensor);

}  // namespace dlc::runtime

#endif  // DLC_TENSOR_FILE_H_
