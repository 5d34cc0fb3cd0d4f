// constant, param and assign have neither a compute nor a builder: the
// planner binds constants and parameters to buffers, and an assign's value
// is written into its parameter's buffer.
#include "codegen/compute/lowerings.h"

namespace dlc::codegen {

const OpLowering kLowerConstant{};
const OpLowering kLowerParam{};
const OpLowering kLowerAssign{};

}  // namespace dlc::codegen
