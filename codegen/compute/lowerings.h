// The lowering of every op, declared from ir/ops.def: `kLower<Id>`, defined
// in the file of its op family beside this header (mirroring reference/).
#ifndef DLC_CODEGEN_COMPUTE_LOWERINGS_H_
#define DLC_CODEGEN_COMPUTE_LOWERINGS_H_

#include "codegen/compute/compute.h"

namespace dlc::codegen {

#define OP(Id, ...) extern const OpLowering kLower##Id;
#include "ir/ops.def"
#undef OP

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_COMPUTE_LOWERINGS_H_
