// opLowering, indexed by OpKind: one row per op of ir/ops.def, so an op
// without a kLower<Id> fails to link.

#include "codegen/compute/compute.h"
#include "codegen/compute/lowerings.h"

namespace dlc::codegen {
namespace {

constexpr const OpLowering* kTable[] = {
#define OP(Id, ...) &kLower##Id,
#include "ir/ops.def"
#undef OP
};

}  // namespace

const OpLowering& opLowering(ir::OpKind kind) { return *kTable[static_cast<size_t>(kind)]; }

}  // namespace dlc::codegen
