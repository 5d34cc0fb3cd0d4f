// Tokens of the .dl language. Newlines are not tokens: each token records
// whether a line break precedes it, which is what statement separation needs.
#ifndef DLC_FRONTEND_TOKEN_H_
#define DLC_FRONTEND_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "support/source_manager.h"

namespace dlc::frontend {

enum class TokenKind : uint8_t {
  kEof,
  kError,  // the lexer has already reported it; the parser stays quiet
  kIdentifier,
  kInteger,
  kFloat,
  kString,
  // Keywords.
  kImport,
  kModel,
  kTrain,
  kReturn,
  kTrue,
  kFalse,
  // Punctuation.
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kComma,
  kColon,
  kSemicolon,
  kEqual,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kAt,
};

// For messages: "'('", "identifier", "end of file", ...
const char* tokenKindName(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string_view text;  // spelling, a view into the source buffer
  Location loc;
  bool newline_before = false;  // a line break (or the start of the file) precedes it
  int64_t int_value = 0;        // kInteger
  double float_value = 0;       // kInteger and kFloat
  std::string string_value;     // kString, with escapes decoded
};

// A short description of the token for "expected X, found Y" messages;
// long spellings are cut so that messages stay readable.
std::string describeToken(const Token& token);

// A name or string from the source as messages show it: in single quotes,
// with bytes that are not printable ASCII written as \xNN and anything past
// `max_shown` characters cut to "...", so that a 200,000-character name or a
// string holding a newline cannot flood or break a diagnostic.
std::string quote(std::string_view name, size_t max_shown = 48);

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_TOKEN_H_
