#include "ir/kernel/lexer.h"

#include <cstdio>

#include "support/strings.h"

namespace dlc::kir {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c) || c == '.'; }
int hexValue(char c) {
  if (isDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A byte as it can appear in a message: itself, or \xNN.
std::string printableByte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string(1, c);
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", u);
  return buf;
}

std::string shortened(std::string_view text) {
  constexpr size_t kLimit = 32;
  if (text.size() <= kLimit) return std::string(text);
  return strCat(text.substr(0, kLimit), "...");
}

}  // namespace

Token Lexer::next() {
  skipTrivia();
  size_t begin = pos_;
  if (pos_ >= text_.size()) return make(Tok::kEof, begin);
  char c = text_[pos_];
  if (isIdentStart(c)) {
    while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
    return make(Tok::kIdentifier, begin);
  }
  if (isDigit(c)) return lexNumber(begin);
  if (c == '"') {
    std::string value;
    if (!lexString(value)) return make(Tok::kError, begin);
    Token token = make(Tok::kString, begin);
    token.value = std::move(value);
    return token;
  }
  if (c == '%') return lexName(begin);
  if (c == '@') return lexSymbol(begin);
  if (c == '+' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '=') {
    pos_ += 2;
    return make(Tok::kPlusEqual, begin);
  }
  Tok kind = Tok::kError;
  switch (c) {
    case '(': kind = Tok::kLParen; break;
    case ')': kind = Tok::kRParen; break;
    case '[': kind = Tok::kLBracket; break;
    case ']': kind = Tok::kRBracket; break;
    case '{': kind = Tok::kLBrace; break;
    case '}': kind = Tok::kRBrace; break;
    case ',': kind = Tok::kComma; break;
    case ':': kind = Tok::kColon; break;
    case '=': kind = Tok::kEqual; break;
    case '<': kind = Tok::kLess; break;
    case '>': kind = Tok::kGreater; break;
    case '-': kind = Tok::kMinus; break;
    default: break;
  }
  ++pos_;
  if (kind == Tok::kError) return fail(begin, begin, strCat("unexpected character '", printableByte(c), "'"));
  return make(kind, begin);
}

Token Lexer::make(Tok kind, size_t begin) const {
  Token token;
  token.kind = kind;
  token.offset = begin;
  token.text = text_.substr(begin, pos_ - begin);
  return token;
}

Token Lexer::fail(size_t at, size_t begin, std::string message) {
  diags_.error(location(at), std::move(message));
  return make(Tok::kError, begin);
}

// Whitespace and `//` comments.
void Lexer::skipTrivia() {
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

// DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)?, not followed by a name character.
Token Lexer::lexNumber(size_t begin) {
  auto digits = [&] {
    while (pos_ < text_.size() && isDigit(text_[pos_])) ++pos_;
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
    return fail(suffix, begin,
                strCat("invalid suffix '", shortened(text_.substr(suffix, pos_ - suffix)), "' on number"));
  }
  return make(is_float ? Tok::kFloat : Tok::kInteger, begin);
}

// '"' (CHAR | \" | \\ | \n | \t | \xHH)* '"' on one line; pos_ is at the quote.
bool Lexer::lexString(std::string& value) {
  size_t begin = pos_++;
  while (true) {
    if (pos_ >= text_.size() || text_[pos_] == '\n') {
      fail(begin, begin, "unterminated string");
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
        int hi = pos_ + 2 < text_.size() ? hexValue(text_[pos_ + 2]) : -1;
        int lo = pos_ + 3 < text_.size() ? hexValue(text_[pos_ + 3]) : -1;
        if (hi < 0 || lo < 0) {
          fail(pos_, begin, "expected two hex digits after '\\x'");
          return false;
        }
        value.push_back(static_cast<char>(hi * 16 + lo));
        pos_ += 4;
        continue;
      }
      case '\n':
        fail(begin, begin, "unterminated string");
        return false;
      default:
        fail(pos_, begin, strCat("unknown escape sequence '\\", printableByte(escaped), "'"));
        return false;
    }
    pos_ += 2;
  }
}

// '%' followed by a dotted identifier or by digits.
Token Lexer::lexName(size_t begin) {
  ++pos_;
  size_t start = pos_;
  while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
  std::string_view name = text_.substr(start, pos_ - start);
  if (name.empty()) return fail(begin, begin, "expected a name after '%'");
  bool all_digits = true;
  for (char c : name) all_digits = all_digits && isDigit(c);
  if (!all_digits && !isIdentStart(name[0]))
    return fail(begin, begin, strCat("invalid name '%", shortened(name), "'"));
  Token token = make(Tok::kName, begin);
  token.value = std::string(name);
  return token;
}

// '@' followed by a dotted identifier or a string.
Token Lexer::lexSymbol(size_t begin) {
  ++pos_;
  std::string value;
  if (pos_ < text_.size() && text_[pos_] == '"') {
    if (!lexString(value)) return make(Tok::kError, begin);
  } else if (pos_ < text_.size() && isIdentStart(text_[pos_])) {
    size_t start = pos_;
    while (pos_ < text_.size() && isIdentChar(text_[pos_])) ++pos_;
    value = std::string(text_.substr(start, pos_ - start));
  } else {
    return fail(begin, begin, "expected a name or a string after '@'");
  }
  Token token = make(Tok::kSymbol, begin);
  token.value = std::move(value);
  return token;
}

}  // namespace dlc::kir
