// The writer's steps, shared by serializeArtifact, writeArtifactFile and
// describeArtifact: the sections of an artifact as they go into a file.
#ifndef DLC_RUNTIME_ARTIFACT_SERIALIZE_H_
#define DLC_RUNTIME_ARTIFACT_SERIALIZE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/artifact/artifact.h"
#include "runtime/artifact/container.h"
#include "runtime/artifact/meta_codec.h"

namespace dlc::runtime::artifact {

struct ArtifactSections {
  EncodedArtifact encoded;
  std::string meta;  // the meta section's text
  std::string dlc_version;

  // Meta first, then the encoded ones (pointing into this object).
  std::vector<Section> sections() const;
};

// Encodes without validating (checkArtifact does that).
absl::StatusOr<ArtifactSections> artifactSections(const Artifact& artifact, std::string_view dlc_version);

// Validates, then writes the container with this dlc's version.
absl::StatusOr<std::string> serialize(const Artifact& artifact);

}  // namespace dlc::runtime::artifact

#endif  // DLC_RUNTIME_ARTIFACT_SERIALIZE_H_
