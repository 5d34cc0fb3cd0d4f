// Lowering: from the syntax tree of a program to the graph IR of one model.
// Names are bound, configuration is checked, layers get their parameters,
// models used as layers are inlined, and every shape is inferred.
#ifndef DLC_FRONTEND_LOWER_H_
#define DLC_FRONTEND_LOWER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "frontend/ast.h"
#include "ir/ir.h"
#include "support/diagnostics.h"

namespace dlc::frontend {

struct LowerOptions {
  std::string model;      // which model becomes the function; "" = the last one
  bool training = false;  // dropout, batchnorm and random augmentation in training mode
  // Bounds that keep any input finite: models used as layers nest at most
  // this deep, and inlining them makes at most this many ops (a model that
  // uses another twice, which uses another twice, ... doubles at each level).
  int max_model_depth = 64;
  int64_t max_ops = int64_t{1} << 18;
  int max_errors = 50;  // lowering stops after this many errors
};

// Returns null after reporting errors to `diags`. The module holds the
// model's params, one function named after the model, and the model's train
// block if the program has one; it passes the IR verifier.
std::unique_ptr<ir::Module> lowerProgram(const ast::Program& program, DiagnosticEngine& diags,
                                         const LowerOptions& options = {});

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_LOWER_H_
