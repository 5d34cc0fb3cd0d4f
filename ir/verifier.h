// Checks that a module is well formed: operand counts, attributes and result
// types agree with the op table, values are defined before use, params and
// functions referenced exist. Errors carry the op's location.
#ifndef DLC_IR_VERIFIER_H_
#define DLC_IR_VERIFIER_H_

#include "absl/status/status.h"
#include "ir/ir.h"
#include "support/diagnostics.h"

namespace dlc::ir {

// Reports every problem to `diags`; returns true when there is none.
bool verifyModule(const Module& module, DiagnosticEngine& diags);

// For callers without sources (passes, tests): the first problem as a status.
absl::Status verifyModule(const Module& module);

}  // namespace dlc::ir

#endif  // DLC_IR_VERIFIER_H_
