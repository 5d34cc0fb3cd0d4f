// The graph-level pipeline, in one readable function: what every path (the
// API, `dlc compile`, `dlc run|grad|train`, the benches) runs between the
// front end and the kernel stages (codegen/lower/pipeline.h).
#ifndef DLC_PASSES_PIPELINE_H_
#define DLC_PASSES_PIPELINE_H_

#include "passes/pass_manager.h"

namespace dlc::passes {

// simplify: canonicalize, cse, canonicalize, dce. With `training` (a module
// lowered in training mode with a train block), then `training` (the train
// block's NAME.grad and NAME.train_step, built from the simplified model) and
// simplify again.
absl::Status buildGraphPipeline(PassManager& pm, bool training = false);

}  // namespace dlc::passes

#endif  // DLC_PASSES_PIPELINE_H_
