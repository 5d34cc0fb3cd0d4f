// The .dl parser: source text to ast::Program. Errors go to the
// DiagnosticEngine; the parser recovers at statement boundaries, so one run
// reports several errors, and stops after ParseOptions::max_errors.
// A Program is always returned (possibly partial); check diags.hadError().
#ifndef DLC_FRONTEND_PARSER_H_
#define DLC_FRONTEND_PARSER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "frontend/ast.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace dlc::frontend {

struct ParseOptions {
  int max_errors = 50;        // then "too many errors, stopping"
  int max_nesting = 256;      // depth of an expression tree
  int max_import_depth = 64;  // length of an import chain
};

// Parses one buffer already in `sources`. Imports are recorded, not followed.
std::unique_ptr<ast::Program> parseFile(const SourceManager& sources, DiagnosticEngine& diags, int32_t buffer_id,
                                        const ParseOptions& options = {});

// Loads `path` and, transitively, the files it imports (relative to the
// importing file; each file once), and returns the items of all of them,
// imported files first. Reports missing files and import cycles at the import,
// and duplicate model names across all files.
std::unique_ptr<ast::Program> parseProgram(SourceManager& sources, DiagnosticEngine& diags, const std::string& path,
                                           const ParseOptions& options = {});

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_PARSER_H_
