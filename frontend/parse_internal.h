// Pieces shared by the single-file parser (parser.cc) and the import loader
// (program.cc). Not part of the frontend's public API.
#ifndef DLC_FRONTEND_PARSE_INTERNAL_H_
#define DLC_FRONTEND_PARSE_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "frontend/ast.h"
#include "frontend/parser.h"
#include "support/diagnostics.h"

namespace dlc::frontend {

// Caps the errors of one parse (all files together): the error after the
// last allowed one becomes "too many errors, stopping", and from then on
// nothing is reported and the parser runs to the end of its input.
class ErrorBudget {
 public:
  ErrorBudget(DiagnosticEngine& diags, int max_errors)
      : diags_(diags), base_(diags.errorCount()), max_errors_(max_errors) {}

  // Returns whether the error was reported, so that notes follow only then.
  bool error(Location loc, std::string message) {
    if (stopped_) return false;
    if (diags_.errorCount() - base_ >= max_errors_) {
      diags_.error(loc, "too many errors, stopping");
      stopped_ = true;
      return false;
    }
    diags_.error(loc, std::move(message));
    return true;
  }
  void note(Location loc, std::string message) { diags_.note(loc, std::move(message)); }
  bool stopped() const { return stopped_; }

 private:
  DiagnosticEngine& diags_;
  int base_;
  int max_errors_;
  bool stopped_ = false;
};

// Parses one buffer; imports are left unresolved.
std::unique_ptr<ast::Program> parseBuffer(const SourceManager& sources, int32_t buffer, ErrorBudget& budget,
                                          const ParseOptions& options);

// Reports every model whose name an earlier model already has.
void checkDuplicateModels(const ast::Program& program, ErrorBudget& budget);

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_PARSE_INTERNAL_H_
