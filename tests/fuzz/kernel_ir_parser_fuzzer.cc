// libFuzzer target for the kernel IR's text form: bytes -> kir::parseKernelModule.
// Parsing must never crash or hang; a module it accepts has passed the
// verifier and must print to text that parses back to the same text.
//
// Build and run: scripts/fuzz.sh SECONDS (the `asan` preset).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "ir/kernel/parser.h"
#include "ir/kernel/printer.h"
#include "ir/kernel/verifier.h"
#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace {

// Parses `text` as buffer NAME; nullopt (with diagnostics rendered) on errors.
std::optional<dlc::kir::KernelModule> parse(const std::string& name, std::string text, std::ostream& diagnostics) {
  dlc::SourceManager sources;
  dlc::DiagnosticEngine diags(sources);
  int32_t id = sources.addBuffer(name, std::move(text));
  std::optional<dlc::kir::KernelModule> module = dlc::kir::parseKernelModule(sources, id, diags);
  diags.print(diagnostics);
  return module;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::ostringstream sink;
  std::optional<dlc::kir::KernelModule> module =
      parse("fuzz.kir", std::string(reinterpret_cast<const char*>(data), size), sink);
  if (!module) return 0;
  if (absl::Status s = dlc::kir::verifyKernelModule(*module); !s.ok()) {
    std::cerr << "the parser accepted a module the verifier rejects: " << s.message() << "\n";
    std::abort();
  }
  std::string printed = dlc::kir::printKernelModule(*module);
  std::ostringstream errors;
  std::optional<dlc::kir::KernelModule> reparsed = parse("printed.kir", printed, errors);
  if (!reparsed) {
    std::cerr << "printed kernel IR does not parse back:\n" << printed << "\n" << errors.str();
    std::abort();
  }
  std::string again = dlc::kir::printKernelModule(*reparsed);
  if (again != printed) {
    std::cerr << "printed kernel IR changes on a round trip:\n" << printed << "\n---- became ----\n" << again << "\n";
    std::abort();
  }
  return 0;
}
