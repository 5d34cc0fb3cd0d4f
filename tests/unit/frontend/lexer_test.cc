#include "frontend/lexer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace dlc::frontend {
namespace {

struct Lexed {
  std::vector<Token> tokens;        // up to and including kEof
  std::vector<std::string> errors;  // "LINE:COL: message"
};

Lexed lex(std::string_view text) {
  Lexed out;
  Lexer lexer(text, 0, [&](Location loc, std::string message) {
    out.errors.push_back(std::to_string(loc.line) + ":" + std::to_string(loc.column) + ": " + message);
  });
  do out.tokens.push_back(lexer.next());
  while (out.tokens.back().kind != TokenKind::kEof);
  return out;
}

std::vector<TokenKind> kinds(const Lexed& lexed) {
  std::vector<TokenKind> out;
  for (const Token& t : lexed.tokens) out.push_back(t.kind);
  return out;
}

using K = TokenKind;

TEST(Lexer, Punctuation) {
  Lexed l = lex("( ) [ ] { } , : ; = + - * / @");
  EXPECT_TRUE(l.errors.empty());
  EXPECT_EQ(kinds(l), (std::vector<K>{K::kLParen, K::kRParen, K::kLBracket, K::kRBracket, K::kLBrace, K::kRBrace,
                                      K::kComma, K::kColon, K::kSemicolon, K::kEqual, K::kPlus, K::kMinus, K::kStar,
                                      K::kSlash, K::kAt, K::kEof}));
}

TEST(Lexer, IdentifiersAndKeywords) {
  Lexed l = lex("import model train return true false _x9 Dense2 models");
  EXPECT_TRUE(l.errors.empty());
  EXPECT_EQ(kinds(l), (std::vector<K>{K::kImport, K::kModel, K::kTrain, K::kReturn, K::kTrue, K::kFalse, K::kIdentifier,
                                      K::kIdentifier, K::kIdentifier, K::kEof}));
  EXPECT_EQ(l.tokens[6].text, "_x9");
  EXPECT_EQ(l.tokens[8].text, "models");
}

TEST(Lexer, Numbers) {
  Lexed l = lex("1 0.5 1e-7 2.5E3 9223372036854775807 3e+2");
  ASSERT_TRUE(l.errors.empty());
  EXPECT_EQ(kinds(l), (std::vector<K>{K::kInteger, K::kFloat, K::kFloat, K::kFloat, K::kInteger, K::kFloat, K::kEof}));
  EXPECT_EQ(l.tokens[0].int_value, 1);
  EXPECT_DOUBLE_EQ(l.tokens[0].float_value, 1.0);
  EXPECT_DOUBLE_EQ(l.tokens[1].float_value, 0.5);
  EXPECT_DOUBLE_EQ(l.tokens[2].float_value, 1e-7);
  EXPECT_DOUBLE_EQ(l.tokens[3].float_value, 2500.0);
  EXPECT_EQ(l.tokens[4].int_value, INT64_MAX);
  EXPECT_DOUBLE_EQ(l.tokens[5].float_value, 300.0);
  EXPECT_EQ(l.tokens[2].text, "1e-7");
}

TEST(Lexer, NumberErrors) {
  Lexed l = lex("9223372036854775808\n1.\n3x\n1e999\n1e-999");
  EXPECT_EQ(l.errors,
            (std::vector<std::string>{"1:1: integer literal is too large for a 64-bit integer",
                                      "2:3: expected digits after '.' in number", "3:2: invalid suffix 'x' on number",
                                      "4:1: floating-point literal is out of range"}));
  EXPECT_EQ(l.tokens[0].kind, K::kError);
  EXPECT_EQ(l.tokens[4].kind, K::kFloat);  // underflow is zero, not an error
  EXPECT_EQ(l.tokens[4].float_value, 0.0);
}

TEST(Lexer, Strings) {
  Lexed l = lex(R"("vgg16.dl" "a\"b\\c\nd\te" "")");
  ASSERT_TRUE(l.errors.empty());
  EXPECT_EQ(l.tokens[0].kind, K::kString);
  EXPECT_EQ(l.tokens[0].string_value, "vgg16.dl");
  EXPECT_EQ(l.tokens[1].string_value, "a\"b\\c\nd\te");
  EXPECT_EQ(l.tokens[2].string_value, "");
  EXPECT_EQ(l.tokens[2].loc.column, 28);
}

TEST(Lexer, StringErrors) {
  Lexed l = lex("\"abc\nx \"a\\qb\" \"tail\\");
  EXPECT_EQ(l.errors, (std::vector<std::string>{"1:1: unterminated string", "2:5: unknown escape sequence '\\q'",
                                                "2:10: unterminated string"}));
  EXPECT_EQ(kinds(l), (std::vector<K>{K::kError, K::kIdentifier, K::kString, K::kError, K::kEof}));
}

TEST(Lexer, CommentsNewlinesAndLocations) {
  Lexed l = lex("a # comment ( \" \n  b;c\n\n# only a comment\n d");
  EXPECT_TRUE(l.errors.empty());
  ASSERT_EQ(kinds(l),
            (std::vector<K>{K::kIdentifier, K::kIdentifier, K::kSemicolon, K::kIdentifier, K::kIdentifier, K::kEof}));
  EXPECT_TRUE(l.tokens[0].newline_before);  // start of file
  EXPECT_TRUE(l.tokens[1].newline_before);
  EXPECT_FALSE(l.tokens[2].newline_before);
  EXPECT_FALSE(l.tokens[3].newline_before);
  EXPECT_TRUE(l.tokens[4].newline_before);
  EXPECT_EQ(l.tokens[1].loc, (Location{0, 2, 3}));
  EXPECT_EQ(l.tokens[3].loc, (Location{0, 2, 5}));
  EXPECT_EQ(l.tokens[4].loc, (Location{0, 5, 2}));
}

TEST(Lexer, BadCharacters) {
  Lexed l = lex("a $ b\x01 \xc3\xa9\xff c");
  EXPECT_EQ(l.errors, (std::vector<std::string>{"1:3: unexpected character '$'", "1:6: unexpected character '\\x01'",
                                                "1:8: unexpected non-ASCII character"}));
  EXPECT_EQ(kinds(l),
            (std::vector<K>{K::kIdentifier, K::kError, K::kIdentifier, K::kError, K::kError, K::kIdentifier, K::kEof}));
}

TEST(Lexer, CrLfAndByteOrderMark) {
  Lexed l = lex("\xEF\xBB\xBFmodel\r\nm");
  EXPECT_TRUE(l.errors.empty());
  ASSERT_EQ(kinds(l), (std::vector<K>{K::kModel, K::kIdentifier, K::kEof}));
  EXPECT_EQ(l.tokens[0].loc.column, 4);  // the mark counts as bytes of line 1
  EXPECT_TRUE(l.tokens[1].newline_before);
}

TEST(Lexer, EofRepeats) {
  Lexer lexer("x", 0, nullptr);
  EXPECT_EQ(lexer.next().kind, K::kIdentifier);
  EXPECT_EQ(lexer.next().kind, K::kEof);
  EXPECT_EQ(lexer.next().kind, K::kEof);
}

}  // namespace
}  // namespace dlc::frontend
