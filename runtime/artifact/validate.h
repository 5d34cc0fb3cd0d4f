// What an artifact must satisfy beyond its JSON's types, checked by the
// writer before it writes and by the reader after it decodes: the signature
// (known dtypes, sizes that do not overflow, unique names), each function
// (a known target with its code present, a plan that checks, see
// plan_check.h) and the embedded weights against the signature's parameters.
#ifndef DLC_RUNTIME_ARTIFACT_VALIDATE_H_
#define DLC_RUNTIME_ARTIFACT_VALIDATE_H_

#include "absl/status/status.h"
#include "runtime/artifact/artifact.h"

namespace dlc::runtime::artifact {

// InvalidArgument naming the first problem; messages do not name the file.
absl::Status checkArtifact(const Artifact& artifact);

}  // namespace dlc::runtime::artifact

#endif  // DLC_RUNTIME_ARTIFACT_VALIDATE_H_
