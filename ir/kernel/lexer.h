// Tokens of the kernel IR's text form, for ir/kernel/parser.cc. Like the
// graph IR's lexer (ir/ir_lexer.h) plus `<`, `>` and `+=`. Lexical errors are
// reported to the DiagnosticEngine and come back as kError tokens.
#ifndef DLC_IR_KERNEL_LEXER_H_
#define DLC_IR_KERNEL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "support/diagnostics.h"
#include "support/source_manager.h"

namespace dlc::kir {

enum class Tok : uint8_t {
  kEof,
  kError,       // already reported
  kIdentifier,  // dotted: for, f32, add, inf
  kInteger,     // digits only; a sign is a separate kMinus
  kFloat,       // 0.5, 1e-07, 2.0E+3
  kString,      // value: the contents with escapes decoded
  kName,        // %x, %0; value: the name without '%'
  kSymbol,      // @name, @"any name"; value: the name
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kComma,
  kColon,
  kEqual,
  kPlusEqual,
  kLess,
  kGreater,
  kMinus,
};

struct Token {
  Tok kind = Tok::kEof;
  size_t offset = 0;
  std::string_view text;  // spelling, a view into the buffer
  std::string value;      // kString, kName, kSymbol
};

class Lexer {
 public:
  Lexer(const SourceManager& sources, int32_t buffer, DiagnosticEngine& diags)
      : sources_(sources), buffer_(buffer), text_(sources.buffer(buffer).text()), diags_(diags) {}

  Location location(size_t offset) const { return sources_.location(buffer_, offset); }
  // The next token; kEof at the end, forever after.
  Token next();

 private:
  Token make(Tok kind, size_t begin) const;
  Token fail(size_t at, size_t begin, std::string message);
  void skipTrivia();
  Token lexNumber(size_t begin);
  bool lexString(std::string& value);
  Token lexName(size_t begin);
  Token lexSymbol(size_t begin);

  const SourceManager& sources_;
  int32_t buffer_;
  std::string_view text_;
  DiagnosticEngine& diags_;
  size_t pos_ = 0;
};

}  // namespace dlc::kir

#endif  // DLC_IR_KERNEL_LEXER_H_
