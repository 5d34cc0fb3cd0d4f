// The artifact's `meta` section: the signature and the compiled functions as
// JSON, naming the binary sections that hold code, constants and weights.
//
//   {"source_hash": "...", "signature": {...}, "weights": "weights",
//    "functions": [{"name": ..., "role": "inference", "target": "cpu",
//                   "input_shapes": [[32, 28, 28, 1]], "plan": {...},
//                   "constants": "constants.0",
//                   "cpu": {"triple": ..., "cpu": ..., "features": [...], "shared_object": "cpu.0"}},
//                  {..., "target": "cuda", ...,
//                   "cuda": {"kernels": [{"kernel": ..., "launches": [{"name": ..., "grid_x": ...}]}],
//                            "cubins": {"sm_90": "cuda.1.sm_90"}, "ptx_arch": "compute_90", "ptx": "ptx.1"}}]}
//
// Decoding checks the JSON's shape and types; validate.h checks the meaning.
#ifndef DLC_RUNTIME_ARTIFACT_META_CODEC_H_
#define DLC_RUNTIME_ARTIFACT_META_CODEC_H_

#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/artifact/artifact.h"
#include "runtime/artifact/container.h"
#include "runtime/artifact/json_reader.h"

namespace dlc::runtime::artifact {

// The writer's side: the meta JSON and the binary sections it names, in file
// order (the meta section itself is not among them).
struct EncodedArtifact {
  Json meta;
  std::deque<std::string> storage;  // payloads made here (constants, weights)
  std::vector<Section> sections;
};
// Expects an artifact that validates (validate.h).
absl::StatusOr<EncodedArtifact> encodeArtifact(const Artifact& artifact);

// The reader's side: the container's sections by name; each must be used.
class SectionTable {
 public:
  explicit SectionTable(const Container& container);
  // The payload of section `name`, which must be of `kind`; `path` is the JSON value naming it.
  absl::StatusOr<std::string_view> take(std::string_view name, SectionKind kind, std::string_view path);
  // Fails on a section the meta does not name.
  absl::Status checkAllUsed() const;

 private:
  struct Entry {
    SectionKind kind;
    std::string_view payload;
    bool used = false;
  };
  std::map<std::string, Entry, std::less<>> sections_;
};

// Fills the artifact's source hash, signature, functions and weights.
// Messages do not name the file.
absl::Status decodeArtifact(const Json& meta, SectionTable& sections, Artifact& artifact);

}  // namespace dlc::runtime::artifact

#endif  // DLC_RUNTIME_ARTIFACT_META_CODEC_H_
