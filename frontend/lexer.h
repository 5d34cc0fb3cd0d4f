// Turns one source buffer into tokens, on demand. Lexical errors are handed
// to a callback (so that the parser can cap the error count) and come back as
// kError tokens; the lexer never stops early and runs in linear time.
#ifndef DLC_FRONTEND_LEXER_H_
#define DLC_FRONTEND_LEXER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "frontend/token.h"
#include "support/source_manager.h"

namespace dlc::frontend {

class Lexer {
 public:
  using ErrorHandler = std::function<void(Location, std::string)>;

  // `text` must outlive the lexer and its tokens; `buffer` is its id in the
  // SourceManager, used for token locations.
  Lexer(std::string_view text, int32_t buffer, ErrorHandler on_error);

  // The next token; kEof at the end, forever after.
  Token next();

 private:
  // Skips whitespace and comments; records whether a newline was crossed.
  void skipTrivia();
  Token lexNumber(size_t begin);
  Token lexString(size_t begin);
  Token lexBadCharacter(size_t begin);
  Token make(TokenKind kind, size_t begin);
  // Location of an offset on the current line (tokens never span lines).
  Location locAt(size_t offset) const;
  void error(size_t offset, std::string message);

  std::string_view text_;
  int32_t buffer_;
  ErrorHandler on_error_;
  size_t pos_ = 0;
  int32_t line_ = 1;
  size_t line_start_ = 0;
  bool newline_before_ = true;
};

}  // namespace dlc::frontend

#endif  // DLC_FRONTEND_LEXER_H_
