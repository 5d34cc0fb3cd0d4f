// The default optimization pipeline, in one readable function.
#ifndef DLC_PASSES_PIPELINE_H_
#define DLC_PASSES_PIPELINE_H_

#include "passes/pass_manager.h"

namespace dlc::passes {

// The passes `dlc compile --emit opt-ir` runs, in order.
absl::Status buildDefaultPipeline(PassManager& pm);

}  // namespace dlc::passes

#endif  // DLC_PASSES_PIPELINE_H_
