// In-place updates: a kernel that writes a value element by element from an
// operand that dies with it can write into that operand's memory.
//
// The planner (plan.h) asks for each output of a kernel whether an input
// buffer whose value is read by no later step may be overwritten: legal when
// the output is stored exactly once per element, by a plain store at index
// E, and every read of the input is at that same index E, textually before
// that store — each element is then read in the iteration that writes it,
// before the write, and no iteration reads another's element.
#ifndef DLC_CODEGEN_LOWER_IN_PLACE_H_
#define DLC_CODEGEN_LOWER_IN_PLACE_H_

#include "ir/kernel/kernel_ir.h"

namespace dlc::codegen {

bool canUpdateInPlace(const kir::Kernel& kernel, kir::BufferId in, kir::BufferId out);

// Loads of `in` read `out` instead, and `out` becomes `inout`; `in` is left
// unused (the planner binds it to the same memory).
void updateInPlace(kir::Kernel& kernel, kir::BufferId in, kir::BufferId out);

}  // namespace dlc::codegen

#endif  // DLC_CODEGEN_LOWER_IN_PLACE_H_
