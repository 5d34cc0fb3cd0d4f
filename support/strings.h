// String concatenation that accepts std::string_view. Debian's Abseil is built
// with its own absl::string_view, so absl::StrCat does not take std types;
// these helpers take std and absl strings, numbers and chars alike.
#ifndef DLC_SUPPORT_STRINGS_H_
#define DLC_SUPPORT_STRINGS_H_

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace dlc {
namespace strings_internal {

inline void appendPiece(std::string& out, std::string_view s) { out.append(s); }
inline void appendPiece(std::string& out, const std::string& s) { out.append(s); }
inline void appendPiece(std::string& out, const char* s) { out.append(s); }
inline void appendPiece(std::string& out, char c) { out.push_back(c); }
inline void appendPiece(std::string& out, absl::string_view s) { out.append(s.data(), s.size()); }
template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>)
void appendPiece(std::string& out, T v) {
  out += std::to_string(v);
}
// Shortest form that reads back as the same double (like %g, but exact).
void appendPiece(std::string& out, double v);

}  // namespace strings_internal

template <typename... Args>
std::string strCat(const Args&... args) {
  std::string out;
  (strings_internal::appendPiece(out, args), ...);
  return out;
}

template <typename... Args>
void strAppend(std::string* out, const Args&... args) {
  (strings_internal::appendPiece(*out, args), ...);
}

template <typename Range>
std::string strJoin(const Range& range, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& item : range) {
    if (!first) out.append(separator);
    first = false;
    strings_internal::appendPiece(out, item);
  }
  return out;
}

// `format(std::string* out, const Item&)` appends one item.
template <typename Range, typename Format>
std::string strJoin(const Range& range, std::string_view separator, Format format) {
  std::string out;
  bool first = true;
  for (const auto& item : range) {
    if (!first) out.append(separator);
    first = false;
    format(&out, item);
  }
  return out;
}

// Splits at `separator`, trims ASCII whitespace, drops empty pieces.
std::vector<std::string_view> splitTrimmed(std::string_view text, char separator);

// The length of the one UTF-8 sequence `s` starts with (1 for ASCII), or 0
// when it starts with no valid one (a stray or truncated byte, an overlong
// form, a surrogate, a code point past U+10FFFF) or is empty.
size_t utf8SequenceLength(std::string_view s);
bool isValidUtf8(std::string_view s);

// Decimal digits (nothing else) as an int64 with the given sign; nullopt when
// malformed or out of range (INT64_MIN is reachable with `negative`).
std::optional<int64_t> digitsToInt64(std::string_view digits, bool negative);

}  // namespace dlc

#endif  // DLC_SUPPORT_STRINGS_H_
