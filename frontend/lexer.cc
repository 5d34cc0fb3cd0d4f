#include "frontend/lexer.h"

#include <charconv>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "support/strings.h"

namespace dlc::frontend {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

// A byte as it can appear in a message: itself, or \xNN.
std::string printable(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  return absl::StrFormat("\\x%02x", u);
}

TokenKind keywordOrIdentifier(std::string_view text) {
  if (text == "import") return TokenKind::kImport;
  if (text == "model") return TokenKind::kModel;
  if (text == "train") return TokenKind::kTrain;
  if (text == "return") return TokenKind::kReturn;
  if (text == "true") return TokenKind::kTrue;
  if (text == "false") return TokenKind::kFalse;
  return TokenKind::kIdentifier;
}

// Single-character punctuation; kError when `c` is not punctuation.
TokenKind punctuation(char c) {
  switch (c) {
    case '(': return TokenKind::kLParen;
    case ')': return TokenKind::kRParen;
    case '[': return TokenKind::kLBracket;
    case ']': return TokenKind::kRBracket;
    case '{': return TokenKind::kLBrace;
    case '}': return TokenKind::kRBrace;
    case ',': return TokenKind::kComma;
    case ':': return TokenKind::kColon;
    case ';': return TokenKind::kSemicolon;
    case '=': return TokenKind::kEqual;
    case '+': return TokenKind::kPlus;
    case '-': return TokenKind::kMinus;
    case '*': return TokenKind::kStar;
    case '/': return TokenKind::kSlash;
    case '@': return TokenKind::kAt;
    default: return TokenKind::kError;
  }
}

}  // namespace

Lexer::Lexer(std::string_view text, int32_t buffer, ErrorHandler on_error)
    : text_(text), buffer_(buffer), on_error_(std::move(on_error)) {
  // A UTF-8 byte order mark is an editor artefact, not content.
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

Location Lexer::locAt(size_t offset) const {
  return Location{buffer_, line_, static_cast<int32_t>(offset - line_start_) + 1};
}

void Lexer::error(size_t offset, std::string message) {
  if (on_error_) on_error_(locAt(offset), std::move(message));
}

Token Lexer::make(TokenKind kind, size_t begin) {
  Token token;
  token.kind = kind;
  token.text = text_.substr(begin, pos_ - begin);
  token.loc = locAt(begin);
  token.newline_before = newline_before_;
  newline_before_ = false;
  return token;
}

void Lexer::skipTrivia() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++pos_;
    } else if (c == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
      newline_before_ = true;
    } else if (c == '#') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skipTrivia();
  size_t begin = pos_;
  if (pos_ >= text_.size()) return make(TokenKind::kEof, begin);
  char c = text_[pos_];
  if (isIdentStart(c)) {
    while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
    return make(keywordOrIdentifier(text_.substr(begin, pos_ - begin)), begin);
  }
  if (isDigit(c)) return lexNumber(begin);
  if (c == '"') return lexString(begin);
  TokenKind kind = punctuation(c);
  if (kind == TokenKind::kError) return lexBadCharacter(begin);
  ++pos_;
  return make(kind, begin);
}

// DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)?
Token Lexer::lexNumber(size_t begin) {
  auto digits = [&] {
    size_t start = pos_;
    while (pos_ < text_.size() && isDigit(text_[pos_])) ++pos_;
    return pos_ > start;
  };
  auto peekIs = [&](size_t at, auto pred) { return at < text_.size() && pred(text_[at]); };
  digits();
  bool is_float = false;
  bool negative_exponent = false;
  bool malformed = false;
  if (pos_ < text_.size() && text_[pos_] == '.') {
    is_float = true;
    ++pos_;
    if (!digits()) {
      error(pos_, "expected digits after '.' in number");
      malformed = true;
    }
  }
  if (!malformed && pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    size_t sign = pos_ + 1;
    bool has_sign = peekIs(sign, [](char s) { return s == '+' || s == '-'; });
    if (peekIs(has_sign ? sign + 1 : sign, isDigit)) {
      is_float = true;
      negative_exponent = has_sign && text_[sign] == '-';
      pos_ = has_sign ? sign + 1 : sign;
      digits();
    }
    // Otherwise the 'e' is an identifier character, caught as a suffix below.
  }
  if (!malformed && pos_ < text_.size() && isIdentChar(text_[pos_])) {
    size_t suffix = pos_;
    while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
    std::string shown(text_.substr(suffix, std::min<size_t>(pos_ - suffix, 32)));
    error(suffix, absl::StrCat("invalid suffix '", shown, "' on number"));
    malformed = true;
  }
  if (malformed) return make(TokenKind::kError, begin);

  const char* first = text_.data() + begin;
  const char* last = text_.data() + pos_;
  Token token = make(is_float ? TokenKind::kFloat : TokenKind::kInteger, begin);
  if (!is_float) {
    auto [ptr, ec] = std::from_chars(first, last, token.int_value);
    if (ec != std::errc() || ptr != last) {
      error(begin, "integer literal is too large for a 64-bit integer");
      token.kind = TokenKind::kError;
      return token;
    }
    token.float_value = static_cast<double>(token.int_value);
    return token;
  }
  auto [ptr, ec] = std::from_chars(first, last, token.float_value);
  if (ec == std::errc::result_out_of_range && negative_exponent) {
    token.float_value = 0.0;  // underflow: as close to zero as a double gets
  } else if (ec != std::errc() || ptr != last) {
    error(begin, "floating-point literal is out of range");
    token.kind = TokenKind::kError;
  }
  return token;
}

// '"' (CHAR | '\"' | '\\' | '\n' | '\t')* '"', on one line.
Token Lexer::lexString(size_t begin) {
  ++pos_;
  std::string value;
  while (true) {
    if (pos_ >= text_.size() || text_[pos_] == '\n') {
      error(begin, "unterminated string");
      return make(TokenKind::kError, begin);
    }
    char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      break;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Names become parameter names, which safetensors and JSON hold as
      // UTF-8: a stray byte is an error here, not after a training run.
      size_t n = utf8SequenceLength(text_.substr(pos_));
      if (n == 0) {
        error(pos_, absl::StrFormat("a string must be UTF-8, and byte 0x%02X does not start a UTF-8 character here",
                                    static_cast<unsigned char>(c)));
        n = 1;
      }
      value.append(text_.substr(pos_, n));
      pos_ += n;
      continue;
    }
    if (c != '\\') {
      value.push_back(c);
      ++pos_;
      continue;
    }
    char escaped = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\n';
    if (escaped == '\n') {
      ++pos_;  // the backslash; the newline ends the string above
      continue;
    }
    switch (escaped) {
      case '"': value.push_back('"'); break;
      case '\\': value.push_back('\\'); break;
      case 'n': value.push_back('\n'); break;
      case 't': value.push_back('\t'); break;
      default:
        error(pos_, absl::StrCat("unknown escape sequence '\\", printable(escaped), "'"));
        value.push_back(escaped);
    }
    pos_ += 2;
  }
  Token token = make(TokenKind::kString, begin);
  token.string_value = std::move(value);
  return token;
}

Token Lexer::lexBadCharacter(size_t begin) {
  unsigned char c = static_cast<unsigned char>(text_[pos_]);
  if (c >= 0x80) {
    // One report for a whole run of non-ASCII bytes (a UTF-8 character or
    // binary data), not one per byte.
    while (pos_ < text_.size() && static_cast<unsigned char>(text_[pos_]) >= 0x80) ++pos_;
    error(begin, "unexpected non-ASCII character");
  } else {
    ++pos_;
    error(begin, absl::StrCat("unexpected character '", printable(text_[begin]), "'"));
  }
  return make(TokenKind::kError, begin);
}

}  // namespace dlc::frontend
