#include "passes/pipeline.h"

#include "support/status_macros.h"
#include "support/strings.h"

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
  // Before autodiff, so that the gradients follow the casts (as autocast's
  // do) and the loss, built on the model's f32 output, stays f32.
  RETURN_IF_ERROR(pm.add("mixed-precision"));
  if (!training) return absl::OkStatus();
  // Autodiff reads the simplified model; the gradients it adds are
  // simplified in turn.
  RETURN_IF_ERROR(pm.add("training"));
  return addSimplify(pm);
}

absl::StatusOr<ir::Precision> modelPrecision(const ir::Module& module, std::string_view model,
                                             std::string_view requested) {
  std::string name(requested);
  if (name.empty())
    for (const ir::TrainSpec& spec : module.trainSpecs())
      if (const ir::Attribute* p = spec.attrs.find("precision"); p && spec.model == model) name = p->asString();
  if (name.empty()) return ir::Precision::kFp32;
  std::optional<ir::Precision> precision = ir::parsePrecision(name);
  if (!precision)
    return absl::InvalidArgumentError(strCat("unknown precision '", name, "' (", ir::precisionChoices(), ")"));
  return *precision;
}

}  // namespace dlc::passes
