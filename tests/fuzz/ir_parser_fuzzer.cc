// libFuzzer target for the graph IR's text form: bytes -> ir::parseModule.
// Parsing must never crash or hang; a module it accepts has passed the
// verifier and must print to text that parses back to the same text.
//
// Build and run: scripts/fuzz.sh SECONDS (the `asan` preset).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "ir/parser.h"
#include "ir/printer.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace {

// Parses `text` as buffer NAME; null (with diagnostics rendered) on errors.
std::unique_ptr<dlc::ir::Module> parse(const std::string& name, std::string text, std::ostream& diagnostics) {
  dlc::SourceManager sources;
  dlc::DiagnosticEngine diags(sources);
  int32_t id = sources.addBuffer(name, std::move(text));
  std::unique_ptr<dlc::ir::Module> module = dlc::ir::parseModule(sources, id, diags);
  diags.print(diagnostics);
  diags.verify(diagnostics);
  return module;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::ostringstream sink;
  std::unique_ptr<dlc::ir::Module> module =
      parse("fuzz.dlir", std::string(reinterpret_cast<const char*>(data), size), sink);
  if (!module) return 0;
  std::string printed = dlc::ir::printModule(*module);
  std::ostringstream errors;
  std::unique_ptr<dlc::ir::Module> reparsed = parse("printed.dlir", printed, errors);
  if (!reparsed) {
    std::cerr << "printed IR does not parse back:\n" << printed << "\n" << errors.str();
    std::abort();
  }
  std::string again = dlc::ir::printModule(*reparsed);
  if (again != printed) {
    std::cerr << "printed IR changes on a round trip:\n" << printed << "\n---- became ----\n" << again << "\n";
    std::abort();
  }
  return 0;
}
