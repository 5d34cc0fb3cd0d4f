#include "support/env.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string_view>

namespace dlc {

std::optional<std::string> envString(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

bool envFlag(const char* name, bool fallback) {
  std::optional<std::string> v = envString(name);
  if (!v) return fallback;
  std::string lower;
  for (char c : *v) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return !(lower == "0" || lower == "false" || lower == "off" || lower == "no");
}

std::optional<int64_t> envInteger(const char* name, int64_t min, int64_t max) {
  std::optional<std::string> v = envString(name);
  if (!v) return std::nullopt;
  int64_t n = 0;
  auto [end, error] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (error != std::errc() || end != v->data() + v->size() || n < min || n > max) return std::nullopt;
  return n;
}

}  // namespace dlc
