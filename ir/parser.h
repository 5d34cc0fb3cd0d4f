// Reads the graph IR's text form (as written by ir/printer.h). Errors are
// reported as FILE:LINE:COL diagnostics; the result is verified.
#ifndef DLC_IR_PARSER_H_
#define DLC_IR_PARSER_H_

#include <memory>

#include "ir/ir.h"
#include "support/diagnostics.h"

namespace dlc::ir {

// Parses buffer `buffer` of `sources`. Returns null after reporting errors to
// `diags`; a returned module has passed the verifier.
std::unique_ptr<Module> parseModule(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags);

}  // namespace dlc::ir

#endif  // DLC_IR_PARSER_H_
