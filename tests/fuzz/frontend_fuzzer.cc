// libFuzzer target for the .dl frontend: bytes -> parse -> lower -> print.
// The input is one file; its imports are recorded but never followed (no
// file system access). Every stage must finish without a crash, a sanitizer
// report or a hang, and whatever lowers must print IR that the IR parser
// reads back to the same text (the CLI contract's round trip).
//
// Build and run: scripts/fuzz.sh SECONDS (the `asan` preset).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "frontend/ast_printer.h"
#include "frontend/lower.h"
#include "frontend/parser.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace {

// Printed IR must parse back and print the same.
void checkRoundTrip(const std::string& text) {
  dlc::SourceManager sources;
  dlc::DiagnosticEngine diags(sources);
  int32_t id = sources.addBuffer("printed.dlir", text);
  std::unique_ptr<dlc::ir::Module> reparsed = dlc::ir::parseModule(sources, id, diags);
  if (!reparsed) {
    std::cerr << "printed IR does not parse back:\n" << text << "\n";
    diags.print(std::cerr);
    std::abort();
  }
  std::string again = dlc::ir::printModule(*reparsed);
  if (again != text) {
    std::cerr << "printed IR changes on a round trip:\n" << text << "\n---- became ----\n" << again << "\n";
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dlc::SourceManager sources;
  dlc::DiagnosticEngine diags(sources);
  int32_t id = sources.addBuffer("fuzz.dl", std::string(reinterpret_cast<const char*>(data), size));
  std::unique_ptr<dlc::ast::Program> program = dlc::frontend::parseFile(sources, diags, id);
  std::ostringstream sink;
  dlc::frontend::printAst(*program, sources, sink);
  if (!diags.hadError()) {
    dlc::frontend::LowerOptions options;
    options.training = size % 2 == 1;
    // Smaller than the default so that a model doubling at each level is cut
    // off well within libFuzzer's time limit under the sanitizers.
    options.max_ops = 20000;
    std::unique_ptr<dlc::ir::Module> module = dlc::frontend::lowerProgram(*program, diags, options);
    if (module) checkRoundTrip(dlc::ir::printModule(*module));
  }
  // Rendering and verify mode read every diagnostic's location.
  diags.print(sink);
  diags.verify(sink);
  return 0;
}
