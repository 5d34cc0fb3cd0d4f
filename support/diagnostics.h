// Diagnostics: `FILE:LINE:COL: error: message`, the source line and a caret,
// with notes that point at related places. In verify mode (used by lit tests
// through --verify-diagnostics) diagnostics are matched against
// `expected-error @+N {{text}}` annotations in the sources instead of printed.
#ifndef DLC_SUPPORT_DIAGNOSTICS_H_
#define DLC_SUPPORT_DIAGNOSTICS_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "support/source_manager.h"

namespace dlc {

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity;
  Location location;
  std::string message;
};

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const SourceManager& sources) : sources_(sources) {}

  void error(Location loc, std::string message);
  void warning(Location loc, std::string message);
  // A note is attached to the diagnostic reported just before it.
  void note(Location loc, std::string message);

  bool hadError() const { return error_count_ > 0; }
  int errorCount() const { return error_count_; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

  // Writes every diagnostic, rendered, to `out`.
  void print(std::ostream& out) const;
  std::string render(const Diagnostic& d) const;

  // Matches the reported diagnostics against `expected-*` annotations in
  // every buffer; writes mismatches to `out` and returns true when all match.
  bool verify(std::ostream& out) const;

 private:
  void report(Severity severity, Location loc, std::string message);

  const SourceManager& sources_;
  std::vector<Diagnostic> diagnostics_;
  int error_count_ = 0;
};

}  // namespace dlc

#endif  // DLC_SUPPORT_DIAGNOSTICS_H_
