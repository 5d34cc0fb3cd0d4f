#include "passes/pipeline.h"

#include "support/status_macros.h"

namespace dlc::passes {

absl::Status buildDefaultPipeline(PassManager& pm) {
  // Simplify first so that CSE sees canonical forms, then drop what died.
  RETURN_IF_ERROR(pm.add("canonicalize"));
  RETURN_IF_ERROR(pm.add("cse"));
  RETURN_IF_ERROR(pm.add("canonicalize"));
  RETURN_IF_ERROR(pm.add("dce"));
  return absl::OkStatus();
}

}  // namespace dlc::passes
