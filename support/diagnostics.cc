#include "support/diagnostics.h"

#include <algorithm>
#include <ostream>
#include <sstream>

#include "support/strings.h"

namespace dlc {
namespace {

const char* severityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

// Long lines are cut around the caret so that a 200,000-character line does
// not flood the terminal.
constexpr size_t kMaxShownLine = 160;

struct Expectation {
  Severity severity;
  int32_t buffer;
  int32_t line;
  std::string text;
  int32_t annotation_line;
  bool matched = false;
};

// Parses `expected-<kind> [@+N|@-N|@N] {{text}}` annotations from a buffer.
void collectExpectations(const SourceBuffer& buffer, int32_t id, std::vector<Expectation>& out,
                         std::vector<std::string>& problems) {
  for (int32_t line = 1; line <= buffer.lineCount(); ++line) {
    std::string_view text = buffer.lineText(line);
    size_t pos = 0;
    while ((pos = text.find("expected-", pos)) != std::string_view::npos) {
      pos += 9;
      Severity severity;
      if (text.substr(pos, 5) == "error") {
        severity = Severity::kError;
        pos += 5;
      } else if (text.substr(pos, 7) == "warning") {
        severity = Severity::kWarning;
        pos += 7;
      } else if (text.substr(pos, 4) == "note") {
        severity = Severity::kNote;
        pos += 4;
      } else {
        continue;
      }
      while (pos < text.size() && text[pos] == ' ') ++pos;
      int32_t target = line;
      if (pos < text.size() && text[pos] == '@') {
        ++pos;
        int sign = 0;
        if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) sign = text[pos++] == '+' ? 1 : -1;
        int32_t n = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && n < 1000000)
          n = n * 10 + (text[pos++] - '0');
        target = sign == 0 ? n : line + sign * n;
        while (pos < text.size() && text[pos] == ' ') ++pos;
      }
      size_t open = text.find("{{", pos);
      size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
      if (open != pos || close == std::string_view::npos) {
        problems.push_back(strCat(buffer.name(), ":", line, ": malformed expected-* annotation"));
        break;
      }
      out.push_back({severity, id, target, std::string(text.substr(open + 2, close - open - 2)), line});
      pos = close + 2;
    }
  }
}

}  // namespace

void DiagnosticEngine::report(Severity severity, Location loc, std::string message) {
  if (severity == Severity::kError) ++error_count_;
  diagnostics_.push_back({severity, loc, std::move(message)});
}

void DiagnosticEngine::error(Location loc, std::string message) { report(Severity::kError, loc, std::move(message)); }
void DiagnosticEngine::warning(Location loc, std::string message) {
  report(Severity::kWarning, loc, std::move(message));
}
void DiagnosticEngine::note(Location loc, std::string message) { report(Severity::kNote, loc, std::move(message)); }

std::string DiagnosticEngine::render(const Diagnostic& d) const {
  std::ostringstream out;
  if (d.location.valid() && d.location.buffer < sources_.bufferCount()) {
    const SourceBuffer& buffer = sources_.buffer(d.location.buffer);
    out << buffer.name() << ":" << d.location.line << ":" << d.location.column << ": " << severityName(d.severity)
        << ": " << d.message << "\n";
    std::string_view line = buffer.lineText(d.location.line);
    size_t caret = static_cast<size_t>(std::max(d.location.column - 1, 0));
    size_t begin = 0;
    if (line.size() > kMaxShownLine && caret > kMaxShownLine / 2)
      begin = std::min(caret - kMaxShownLine / 2, line.size() - std::min(line.size(), kMaxShownLine));
    std::string shown(line.substr(begin, kMaxShownLine));
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = ' ';
    out << shown << "\n";
    out << std::string(std::min(caret - begin, shown.size()), ' ') << "^\n";
  } else {
    out << "dlc: " << severityName(d.severity) << ": " << d.message << "\n";
  }
  return out.str();
}

void DiagnosticEngine::print(std::ostream& out) const {
  for (const Diagnostic& d : diagnostics_) out << render(d);
}

bool DiagnosticEngine::verify(std::ostream& out) const {
  std::vector<Expectation> expected;
  std::vector<std::string> problems;
  for (int32_t id = 0; id < sources_.bufferCount(); ++id)
    collectExpectations(sources_.buffer(id), id, expected, problems);
  for (const Diagnostic& d : diagnostics_) {
    auto match = std::find_if(expected.begin(), expected.end(), [&](const Expectation& e) {
      return !e.matched && e.severity == d.severity && e.buffer == d.location.buffer && e.line == d.location.line &&
             d.message.find(e.text) != std::string::npos;
    });
    if (match != expected.end()) {
      match->matched = true;
    } else {
      problems.push_back("unexpected " + render(d));
    }
  }
  for (const Expectation& e : expected)
    if (!e.matched)
      problems.push_back(strCat(sources_.buffer(e.buffer).name(), ":", e.annotation_line, ": expected ",
                                severityName(e.severity), " on line ", e.line, " was not produced: ", e.text));
  for (const std::string& p : problems) out << p << (p.ends_with('\n') ? "" : "\n");
  return problems.empty();
}

}  // namespace dlc
