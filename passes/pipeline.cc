#include "passes/pipeline.h"

#include "support/status_macros.h"

namespace dlc::passes {
namespace {

absl::Status addSimplify(PassManager& pm) {
  // Simplify first so that CSE sees canonical forms, then drop what died.
  RETURN_IF_ERROR(pm.add("canonicalize"));
  RETURN_IF_ERROR(pm.add("cse"));
  RETURN_IF_ERROR(pm.add("canonicalize"));
  return pm.add("dce");
}

}  // namespace

absl::Status buildGraphPipeline(PassManager& pm, bool training) {
  RETURN_IF_ERROR(addSimplify(pm));
  if (!training) return absl::OkStatus();
  // Autodiff reads the simplified model; the gradients it adds are
  // simplified in turn.
  RETURN_IF_ERROR(pm.add("training"));
  return addSimplify(pm);
}

}  // namespace dlc::passes
