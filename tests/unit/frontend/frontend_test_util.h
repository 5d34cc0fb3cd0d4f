// Helpers shared by the frontend unit tests: parse a string, list the
// diagnostics compactly.
#ifndef DLC_TESTS_UNIT_FRONTEND_FRONTEND_TEST_UTIL_H_
#define DLC_TESTS_UNIT_FRONTEND_FRONTEND_TEST_UTIL_H_

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/ast_printer.h"
#include "frontend/parser.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace dlc::frontend::testing {

// Owns the sources and diagnostics of one parse.
struct Parsed {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  std::unique_ptr<ast::Program> program;

  // "LINE:COL: error: message" per diagnostic, notes included.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags.diagnostics()) {
      const char* kind = d.severity == Severity::kError ? "error" : d.severity == Severity::kNote ? "note" : "warning";
      out.push_back(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " + kind + ": " +
                    d.message);
    }
    return out;
  }
  std::string ast() const {
    std::ostringstream out;
    printAst(*program, out);
    return out.str();
  }
};

inline std::unique_ptr<Parsed> parse(std::string text, const ParseOptions& options = {}) {
  auto parsed = std::make_unique<Parsed>();
  int32_t id = parsed->sources.addBuffer("test.dl", std::move(text));
  parsed->program = parseFile(parsed->sources, parsed->diags, id, options);
  return parsed;
}

}  // namespace dlc::frontend::testing

#endif  // DLC_TESTS_UNIT_FRONTEND_FRONTEND_TEST_UTIL_H_
