// The graph-level pipeline, in one readable function: what every path (the
// API, `dlc compile`, `dlc run|grad|train`, the benches) runs between the
// front end and the kernel stages (codegen/lower/pipeline.h).
#ifndef DLC_PASSES_PIPELINE_H_
#define DLC_PASSES_PIPELINE_H_

#include "passes/pass_manager.h"

namespace dlc::passes {

// simplify: canonicalize, cse, canonicalize, dce; then mixed-precision (which
// does nothing unless the manager's options ask for bf16 or fp16). With
// `training` (a module lowered in training mode with a train block), then
// `training` (the train block's NAME.grad and NAME.train_step, built from the
// simplified model) and simplify again, which cancels cast pairs.
absl::Status buildGraphPipeline(PassManager& pm, bool training = false);

// The precision the model function `model` of `module` compiles in:
// `requested` when it is not empty, else the `precision` of its train block,
// else fp32. InvalidArgument for a name that is not a precision.
absl::StatusOr<ir::Precision> modelPrecision(const ir::Module& module, std::string_view model,
                                             std::string_view requested);

}  // namespace dlc::passes

#endif  // DLC_PASSES_PIPELINE_H_
