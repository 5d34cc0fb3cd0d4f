// `train` blocks: checked against ../shared/spec/dsl.md §5 and kept with the
// module as a TrainSpec with every default filled in.
#ifndef DLC_FRONTEND_LOWER_TRAIN_H_
#define DLC_FRONTEND_LOWER_TRAIN_H_

#include "frontend/ast.h"
#include "ir/ir.h"
#include "support/diagnostics.h"

namespace dlc::frontend {

// Checks every train block of the program; the one naming `model` (if any)
// is added to `module`.
void lowerTrainBlocks(const ast::Program& program, const ast::Model& model, ir::Module& module,
                      DiagnosticEngine& diags);

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_LOWER_TRAIN_H_
