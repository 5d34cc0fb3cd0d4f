// Tokens of the graph IR's text form (ir/parser.cc) and, with
// IrSyntax::kKernel, of the kernel IR's (ir/kernel/parser.cc), which adds
// `<`, `>` and `+=`. Kept in a header (everything inline).
// Lexical errors are reported to the DiagnosticEngine and come back as kError
// tokens; the lexer runs in linear time and never reads past the buffer.
#ifndef DLC_IR_IR_LEXER_H_
#define DLC_IR_IR_LEXER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "support/diagnostics.h"
#include "support/source_manager.h"
#include "support/strings.h"

namespace dlc::ir {

enum class IrTokenKind : uint8_t {
  kEof,
  kError,       // already reported by the lexer; the parser stays quiet
  kIdentifier,  // dotted: conv2d.kernel, f32, batch, true
  kInteger,     // digits only; the sign is a separate kMinus
  kFloat,       // 0.5, 1e-07, 2.0E+3
  kString,      // value: the contents with escapes decoded
  kValueName,   // %x, %0; value: the name without '%'
  kSymbol,      // @name, @"any name"; value: the name without '@' or quotes
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kComma,
  kColon,
  kEqual,
  kArrow,  // ->
  kMinus,
  kPlusEqual,  // += (kernel IR)
  kLess,       // <  (kernel IR)
  kGreater,    // >  (kernel IR)
};

// Which text form: the graph IR's, or the kernel IR's (its `%` names are
// buffers and variables, not values, and it has `<`, `>` and `+=`).
enum class IrSyntax : uint8_t { kGraph, kKernel };

struct IrToken {
  IrTokenKind kind = IrTokenKind::kEof;
  size_t offset = 0;
  std::string_view text;  // spelling, a view into the buffer
  std::string value;      // kString, kValueName, kSymbol
};

namespace ir_lexer_detail {

inline bool isDigit(char c) { return c >= '0' && c <= '9'; }
inline bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c) || c == '.'; }
inline int hexValue(char c) {
  if (isDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace ir_lexer_detail

// A byte as it can appear in a message: itself, or \xNN.
inline std::string printableByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", u);
  return buf;
}

// At most `limit` bytes of `text` for a message, with "..." when cut.
inline std::string shortened(std::string_view text, size_t limit = 32) {
  if (text.size() <= limit) return std::string(text);
  return strCat(text.substr(0, limit), "...");
}

class IrLexer {
 public:
  IrLexer(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags, IrSyntax syntax = IrSyntax::kGraph)
      : sources_(sources), buffer_(buffer), text_(sources.buffer(buffer).text()), diags_(diags), syntax_(syntax) {}

  Location location(size_t offset) const { return sources_.location(buffer_, offset); }

  // The next token; kEof at the end, forever after.
  IrToken next() {
    using namespace ir_lexer_detail;
    skipTrivia();
    size_t begin = pos_;
    if (pos_ >= text_.size()) return make(IrTokenKind::kEof, begin);
    char c = text_[pos_];
    if (isIdentStart(c)) {
      while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
      return make(IrTokenKind::kIdentifier, begin);
    }
    if (isDigit(c)) return lexNumber(begin);
    if (c == '"') {
      std::string value;
      if (!lexString(value)) return make(IrTokenKind::kError, begin);
      IrToken token = make(IrTokenKind::kString, begin);
      token.value = std::move(value);
      return token;
    }
    if (c == '%') return lexValueName(begin);
    if (c == '@') return lexSymbol(begin);
    if (c == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '>') {
      pos_ += 2;
      return make(IrTokenKind::kArrow, begin);
    }
    bool kernel = syntax_ == IrSyntax::kKernel;
    if (kernel && c == '+' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '=') {
      pos_ += 2;
      return make(IrTokenKind::kPlusEqual, begin);
    }
    IrTokenKind kind = punctuation(c);
    if (kernel && c == '<') kind = IrTokenKind::kLess;
    if (kernel && c == '>') kind = IrTokenKind::kGreater;
    if (kind == IrTokenKind::kError) {
      error(begin, strCat("unexpected character '", printableByte(c), "'"));
      ++pos_;
      return make(IrTokenKind::kError, begin);
    }
    ++pos_;
    return make(kind, begin);
  }

 private:
  static IrTokenKind punctuation(char c) {
    switch (c) {
      case '(': return IrTokenKind::kLParen;
      case ')': return IrTokenKind::kRParen;
      case '[': return IrTokenKind::kLBracket;
      case ']': return IrTokenKind::kRBracket;
      case '{': return IrTokenKind::kLBrace;
      case '}': return IrTokenKind::kRBrace;
      case ',': return IrTokenKind::kComma;
      case ':': return IrTokenKind::kColon;
      case '=': return IrTokenKind::kEqual;
      case '-': return IrTokenKind::kMinus;
      default: return IrTokenKind::kError;
    }
  }

  IrToken make(IrTokenKind kind, size_t begin) {
    IrToken token;
    token.kind = kind;
    token.offset = begin;
    token.text = text_.substr(begin, pos_ - begin);
    return token;
  }

  void error(size_t offset, std::string message) { diags_.error(location(offset), std::move(message)); }

  // Whitespace and `//` comments.
  void skipTrivia() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        return;
      }
    }
  }

  // DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)?, not followed by a name
  // character. The value is converted by the parser, which knows whether it
  // is a dimension or an attribute and so which range applies.
  IrToken lexNumber(size_t begin) {
    using namespace ir_lexer_detail;
    auto digits = [&] {
      size_t start = pos_;
      while (pos_ < text_.size() && isDigit(text_[pos_])) ++pos_;
      return pos_ > start;
    };
    digits();
    bool is_float = false;
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && isDigit(text_[pos_ + 1])) {
      is_float = true;
      ++pos_;
      digits();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t at = pos_ + 1;
      if (at < text_.size() && (text_[at] == '+' || text_[at] == '-')) ++at;
      if (at < text_.size() && isDigit(text_[at])) {
        is_float = true;
        pos_ = at;
        digits();
      }
    }
    if (pos_ < text_.size() && isIdentChar(text_[pos_])) {
      size_t suffix = pos_;
      while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
      error(suffix, strCat("invalid suffix '", shortened(text_.substr(suffix, pos_ - suffix)), "' on number"));
      return make(IrTokenKind::kError, begin);
    }
    return make(is_float ? IrTokenKind::kFloat : IrTokenKind::kInteger, begin);
  }

  // '"' (CHAR | \" | \\ | \n | \t | \xHH)* '"' on one line; pos_ is at the
  // opening quote.
  bool lexString(std::string& value) {
    size_t begin = pos_++;
    while (true) {
      if (pos_ >= text_.size() || text_[pos_] == '\n') {
        error(begin, "unterminated string");
        return false;
      }
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c != '\\') {
        value.push_back(c);
        ++pos_;
        continue;
      }
      char escaped = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\n';
      switch (escaped) {
        case '"': value.push_back('"'); break;
        case '\\': value.push_back('\\'); break;
        case 'n': value.push_back('\n'); break;
        case 't': value.push_back('\t'); break;
        case 'x': {
          int hi = pos_ + 2 < text_.size() ? ir_lexer_detail::hexValue(text_[pos_ + 2]) : -1;
          int lo = pos_ + 3 < text_.size() ? ir_lexer_detail::hexValue(text_[pos_ + 3]) : -1;
          if (hi < 0 || lo < 0) {
            error(pos_, "expected two hex digits after '\\x'");
            return false;
          }
          value.push_back(static_cast<char>(hi * 16 + lo));
          pos_ += 4;
          continue;
        }
        case '\n': error(begin, "unterminated string"); return false;
        default: error(pos_, strCat("unknown escape sequence '\\", printableByte(escaped), "'")); return false;
      }
      pos_ += 2;
    }
  }

  // '%' followed by a dotted identifier or by digits.
  IrToken lexValueName(size_t begin) {
    using namespace ir_lexer_detail;
    ++pos_;
    size_t start = pos_;
    while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
    std::string_view name = text_.substr(start, pos_ - start);
    const char* what = syntax_ == IrSyntax::kKernel ? "name" : "value name";
    if (name.empty()) {
      error(begin, strCat("expected a ", what, " after '%'"));
      return make(IrTokenKind::kError, begin);
    }
    bool all_digits = true;
    for (char c : name) all_digits = all_digits && isDigit(c);
    if (!all_digits && !isIdentStart(name[0])) {
      error(begin, strCat("invalid ", what, " '%", shortened(name), "'"));
      return make(IrTokenKind::kError, begin);
    }
    IrToken token = make(IrTokenKind::kValueName, begin);
    token.value = std::string(name);
    return token;
  }

  // '@' followed by a dotted identifier or a string.
  IrToken lexSymbol(size_t begin) {
    using namespace ir_lexer_detail;
    ++pos_;
    std::string value;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      if (!lexString(value)) return make(IrTokenKind::kError, begin);
    } else if (pos_ < text_.size() && isIdentStart(text_[pos_])) {
      size_t start = pos_;
      while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
      value = std::string(text_.substr(start, pos_ - start));
    } else {
      error(begin, "expected a name or a string after '@'");
      return make(IrTokenKind::kError, begin);
    }
    IrToken token = make(IrTokenKind::kSymbol, begin);
    token.value = std::move(value);
    return token;
  }

  const SourceManager& sources_;
  int32_t buffer_;
  std::string_view text_;
  DiagnosticEngine& diags_;
  IrSyntax syntax_;
  size_t pos_ = 0;
};

}  // namespace dlc::ir

#endif  // DLC_IR_IR_LEXER_H_
