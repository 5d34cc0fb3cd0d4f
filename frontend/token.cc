#include "frontend/token.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dlc::frontend {

const char* tokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEof: return "end of file";
    case TokenKind::kError: return "invalid token";
    case TokenKind::kIdentifier: return "identifier";
    case TokenKind::kInteger: return "integer";
    case TokenKind::kFloat: return "number";
    case TokenKind::kString: return "string";
    case TokenKind::kImport: return "'import'";
    case TokenKind::kModel: return "'model'";
    case TokenKind::kTrain: return "'train'";
    case TokenKind::kReturn: return "'return'";
    case TokenKind::kTrue: return "'true'";
    case TokenKind::kFalse: return "'false'";
    case TokenKind::kLParen: return "'('";
    case TokenKind::kRParen: return "')'";
    case TokenKind::kLBracket: return "'['";
    case TokenKind::kRBracket: return "']'";
    case TokenKind::kLBrace: return "'{'";
    case TokenKind::kRBrace: return "'}'";
    case TokenKind::kComma: return "','";
    case TokenKind::kColon: return "':'";
    case TokenKind::kSemicolon: return "';'";
    case TokenKind::kEqual: return "'='";
    case TokenKind::kPlus: return "'+'";
    case TokenKind::kMinus: return "'-'";
    case TokenKind::kStar: return "'*'";
    case TokenKind::kSlash: return "'/'";
    case TokenKind::kAt: return "'@'";
  }
  return "token";
}

std::string describeToken(const Token& token) {
  constexpr size_t kMaxShown = 32;
  switch (token.kind) {
    case TokenKind::kIdentifier:
    case TokenKind::kInteger:
    case TokenKind::kFloat: {
      std::string shown(token.text.substr(0, kMaxShown));
      return absl::StrCat(tokenKindName(token.kind), " '", shown, token.text.size() > kMaxShown ? "...'" : "'");
    }
    default: return std::string(tokenKindName(token.kind));
  }
}

std::string quote(std::string_view name, size_t max_shown) {
  std::string out = "'";
  for (size_t i = 0; i < name.size() && i < max_shown; ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7f)
      out.push_back(name[i]);
    else
      out += absl::StrFormat("\\x%02x", c);
  }
  if (name.size() > max_shown) out += "...";
  out += "'";
  return out;
}

}  // namespace dlc::frontend
