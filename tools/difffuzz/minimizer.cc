#include "tools/difffuzz/minimizer.h"

#include <cctype>
#include <vector>

namespace dlc::difffuzz {
namespace {

std::vector<std::string> splitLines(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    lines.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

class Shrinker {
 public:
  Shrinker(std::string source, const std::function<bool(const std::string&)>& reproduces, int budget)
      : best_(std::move(source)), reproduces_(reproduces), budget_(budget) {}

  const std::string& best() const { return best_; }
  bool exhausted() const { return budget_ <= 0; }

  // Adopts the candidate when it still reproduces.
  bool attempt(const std::string& candidate) {
    if (budget_ <= 0 || candidate == best_) return false;
    --budget_;
    if (!reproduces_(candidate)) return false;
    best_ = candidate;
    return true;
  }

  // `train NAME { ... }` and `model NAME(...) { ... }` blocks other than the last model.
  bool dropBlocks() {
    bool progress = false;
    std::vector<std::string> lines = splitLines(best_);
    for (size_t i = 0; i < lines.size() && !exhausted(); ++i) {
      bool block = lines[i].starts_with("train ") || lines[i].starts_with("model ");
      if (!block) continue;
      size_t end = i;
      while (end < lines.size() && lines[end] != "}") ++end;
      if (end == lines.size()) continue;
      std::vector<std::string> shorter(lines.begin(), lines.begin() + i);
      shorter.insert(shorter.end(), lines.begin() + end + 1, lines.end());
      if (attempt(joinLines(shorter))) {
        lines = shorter;
        progress = true;
        --i;
      }
    }
    return progress;
  }

  // Single statements (indented lines), last first: later ones read earlier ones.
  bool dropStatements() {
    bool progress = false;
    std::vector<std::string> lines = splitLines(best_);
    for (size_t i = lines.size(); i-- > 0 && !exhausted();) {
      if (!lines[i].starts_with("  ")) continue;
      std::vector<std::string> shorter = lines;
      shorter.erase(shorter.begin() + i);
      if (attempt(joinLines(shorter))) {
        lines = shorter;
        progress = true;
      }
    }
    return progress;
  }

  // `, key=value` arguments, so that defaults apply.
  bool dropArguments() {
    bool progress = false;
    for (size_t pos = 0; !exhausted();) {
      pos = best_.find(", ", pos);
      if (pos == std::string::npos) break;
      size_t eq = pos + 2;
      while (eq < best_.size() && (std::isalnum(static_cast<unsigned char>(best_[eq])) || best_[eq] == '_')) ++eq;
      if (eq >= best_.size() || best_[eq] != '=' || eq == pos + 2) {
        pos += 2;
        continue;
      }
      size_t end = eq + 1;
      int depth = 0;
      while (end < best_.size() && !(depth == 0 && (best_[end] == ',' || best_[end] == ')')) && best_[end] != '\n') {
        depth += best_[end] == '[' ? 1 : best_[end] == ']' ? -1 : 0;
        ++end;
      }
      std::string candidate = best_.substr(0, pos) + best_.substr(end);
      if (attempt(candidate))
        progress = true;
      else
        pos += 2;
    }
    return progress;
  }

  // Integer literals >= 2 outside comments and names: 1, then half.
  bool shrinkIntegers() {
    bool progress = false;
    for (size_t pos = 0; pos < best_.size() && !exhausted(); ++pos) {
      if (!std::isdigit(static_cast<unsigned char>(best_[pos]))) continue;
      size_t line_start = best_.rfind('\n', pos);
      line_start = line_start == std::string::npos ? 0 : line_start + 1;
      if (best_.find('#', line_start) < pos) {
        pos = best_.find('\n', pos);
        if (pos == std::string::npos) break;
        continue;
      }
      char before = pos ? best_[pos - 1] : ' ';
      size_t end = pos;
      while (end < best_.size() && std::isdigit(static_cast<unsigned char>(best_[end]))) ++end;
      bool in_name = std::isalnum(static_cast<unsigned char>(before)) || before == '_' || before == '.';
      bool is_real = end < best_.size() && (best_[end] == '.' || best_[end] == 'e');
      if (in_name || is_real || end - pos > 6) {
        pos = end;
        continue;
      }
      long value = std::stol(best_.substr(pos, end - pos));
      for (long smaller : {1L, value / 2}) {
        if (smaller < 1 || smaller >= value) continue;
        std::string candidate = best_.substr(0, pos) + std::to_string(smaller) + best_.substr(end);
        if (attempt(candidate)) {
          progress = true;
          break;
        }
      }
      pos = std::min(pos + 1, best_.size());
      while (pos < best_.size() && std::isdigit(static_cast<unsigned char>(best_[pos]))) ++pos;
    }
    return progress;
  }

 private:
  std::string best_;
  const std::function<bool(const std::string&)>& reproduces_;
  int budget_;
};

}  // namespace

std::string minimizeSource(const std::string& source, const std::function<bool(const std::string&)>& reproduces,
                           int budget) {
  Shrinker s(source, reproduces, budget);
  for (int round = 0; round < 4 && !s.exhausted(); ++round) {
    bool progress = s.dropBlocks();
    progress |= s.dropStatements();
    progress |= s.dropArguments();
    progress |= s.shrinkIntegers();
    if (!progress) break;
  }
  return s.best();
}

}  // namespace dlc::difffuzz
