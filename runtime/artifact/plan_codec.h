// runtime::Executable <-> JSON, for the artifact's `meta` section. The plan's
// constants go to a binary section of their own, as safetensors whose tensors
// are named by their index ("0", "1", ...). Decoding checks types and
// ranges of single values only; plan_check.h checks what they refer to.
#ifndef DLC_RUNTIME_ARTIFACT_PLAN_CODEC_H_
#define DLC_RUNTIME_ARTIFACT_PLAN_CODEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/artifact/json_reader.h"
#include "runtime/executable.h"

namespace dlc::runtime::artifact {

// Everything but the constants' bytes.
Json encodePlan(const runtime::Executable& executable);
absl::StatusOr<runtime::Executable> decodePlan(const Json& plan, const std::string& path);

// The constants section's payload.
absl::StatusOr<std::string> encodeConstants(const std::vector<runtime::Tensor>& constants);
// `name` starts messages ("model.dlx: section 'constants.0'").
absl::StatusOr<std::vector<runtime::Tensor>> decodeConstants(std::string_view bytes, std::string_view name);

}  // namespace dlc::runtime::artifact

#endif  // DLC_RUNTIME_ARTIFACT_PLAN_CODEC_H_
