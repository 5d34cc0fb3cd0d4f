// Inputs meant to crash, hang or exhaust the stack: each must finish quickly
// with located errors or success.
#include <chrono>
#include <random>
#include <string>

#include "frontend_test_util.h"
#include "gtest/gtest.h"

namespace dlc::frontend {
namespace {

using testing::parse;

// Parses `text`, asserts it took under a second, and returns the result.
std::unique_ptr<testing::Parsed> parseTimed(std::string text) {
  auto start = std::chrono::steady_clock::now();
  auto parsed = parse(std::move(text));
  std::ostringstream rendered;
  parsed->diags.print(rendered);  // rendering must be quick too
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(std::chrono::duration<double>(elapsed).count(), 1.0);
  for (const Diagnostic& d : parsed->diags.diagnostics()) EXPECT_TRUE(d.location.valid()) << d.message;
  return parsed;
}

std::string inModel(const std::string& body) { return "model m(x: f32[1]) {\n" + body + "\n}\n"; }

TEST(Pathological, DeepParentheses) {
  auto p = parseTimed(inModel("y = " + std::string(20000, '(') + "x" + std::string(20000, ')')));
  ASSERT_EQ(p->diags.errorCount(), 1);
  EXPECT_EQ(p->diags.diagnostics()[0].message, "expression nested too deeply");
  EXPECT_EQ(p->diags.diagnostics()[0].location.line, 2);
}

TEST(Pathological, DeepUnclosedParentheses) {
  auto p = parseTimed(inModel("y = " + std::string(20000, '(')));
  EXPECT_GE(p->diags.errorCount(), 1);
  EXPECT_EQ(p->diags.diagnostics()[0].message, "expression nested too deeply");
}

TEST(Pathological, DeepListsCallsAndMinus) {
  std::string calls;
  for (int i = 0; i < 20000; ++i) calls += "f(";
  auto a = parseTimed(inModel(calls));
  EXPECT_EQ(a->diags.diagnostics()[0].message, "expression nested too deeply");
  auto b = parseTimed(inModel("y = " + std::string(20000, '[') + std::string(20000, ']')));
  EXPECT_EQ(b->diags.diagnostics()[0].message, "expression nested too deeply");
  auto c = parseTimed(inModel("y = " + std::string(20000, '-') + "x"));
  EXPECT_EQ(c->diags.errorCount(), 1);
  EXPECT_EQ(c->diags.diagnostics()[0].message, "expression nested too deeply");
}

TEST(Pathological, LongOperatorChain) {
  std::string chain = "y = x";
  for (int i = 0; i < 100000; ++i) chain += " + x";
  auto p = parseTimed(inModel(chain));
  ASSERT_EQ(p->diags.errorCount(), 1);
  EXPECT_EQ(p->diags.diagnostics()[0].message, "expression nested too deeply");
  // Within the limit it is fine.
  std::string short_chain = "y = x";
  for (int i = 0; i < 200; ++i) short_chain += " * x";
  EXPECT_FALSE(parseTimed(inModel(short_chain))->diags.hadError());
}

TEST(Pathological, NestingJustUnderTheLimitParses) {
  auto p = parseTimed(inModel("y = " + std::string(200, '(') + "x" + std::string(200, ')')));
  EXPECT_FALSE(p->diags.hadError());
  EXPECT_FALSE(p->ast().empty());  // the printer recurses over it
}

TEST(Pathological, HugeIdentifier) {
  std::string name(200000, 'a');
  auto p = parseTimed(inModel("y = " + name + "(" + name + ")\n" + name));
  EXPECT_FALSE(p->diags.hadError());
  auto q = parseTimed(inModel(name + " " + name));
  ASSERT_EQ(q->diags.errorCount(), 1);
  EXPECT_LT(q->diags.diagnostics()[0].message.size(), 200u);  // the name is cut short
  EXPECT_LT(q->diags.render(q->diags.diagnostics()[0]).size(), 600u);
}

TEST(Pathological, HugeNumbers) {
  auto p = parseTimed(inModel("dense(" + std::string(200000, '9') + ")\ndense(1." + std::string(200000, '5') + ")"));
  ASSERT_EQ(p->diags.errorCount(), 1);
  EXPECT_EQ(p->diags.diagnostics()[0].message, "integer literal is too large for a 64-bit integer");
}

TEST(Pathological, ManyStatements) {
  std::string body;
  for (int i = 0; i < 20000; ++i) body += "dense(64, activation=relu)\n";
  auto p = parseTimed(inModel(body));
  EXPECT_FALSE(p->diags.hadError());
  EXPECT_EQ(p->program->items[0]->as<ast::Model>()->body.size(), 20000u);
}

TEST(Pathological, ManyBadStatementsStopAtTheCap) {
  std::string body;
  for (int i = 0; i < 20000; ++i) body += "dense(64,, )\n";
  auto p = parseTimed(inModel(body));
  EXPECT_EQ(p->diags.errorCount(), 51);
  EXPECT_EQ(p->diags.diagnostics().back().message, "too many errors, stopping");
}

TEST(Pathological, BinaryGarbage) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::string text(100000, '\0');
    for (char& c : text) c = static_cast<char>(rng());
    auto p = parseTimed(text);
    EXPECT_TRUE(p->diags.hadError());
    EXPECT_LE(p->diags.errorCount(), 51);
  }
}

TEST(Pathological, TokenSoup) {
  // Random valid tokens in random order: exercises every recovery path.
  const char* pieces[] = {"model", "train", "import", "return", "(", ")",   "[",     "]",    "{",
                          "}",     ",",     ":",      ";",      "=", "+",   "-",     "*",    "/",
                          "@",     "\n",    "x",      "f32",    "1", "2.5", "\"s\"", "true", "dense"};
  std::mt19937 rng(11);
  for (int round = 0; round < 200; ++round) {
    std::string text;
    for (int i = 0; i < 2000; ++i) {
      text += pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
      text += ' ';
    }
    parseTimed(text);
  }
}

TEST(Pathological, EmptyAndWhitespaceFiles) {
  EXPECT_FALSE(parseTimed("")->diags.hadError());
  EXPECT_FALSE(parseTimed(std::string(100000, '\n'))->diags.hadError());
  EXPECT_FALSE(parseTimed(std::string(100000, '#'))->diags.hadError());
  EXPECT_FALSE(parseTimed(std::string(100000, ';'))->diags.hadError());
}

TEST(Pathological, UnterminatedEverything) {
  for (const char* text : {"model",
                           "model m",
                           "model m(",
                           "model m(x",
                           "model m(x:",
                           "model m(x: f32",
                           "model m(x: f32[",
                           "model m(x: f32[1",
                           "model m(x: f32[1]",
                           "model m(x: f32[1])",
                           "model m(x: f32[1]) {",
                           "model m(x: f32[1]) { y =",
                           "model m(x: f32[1]) { f(",
                           "train",
                           "train m",
                           "train m {",
                           "train m { loss",
                           "train m { loss =",
                           "import",
                           "\"",
                           "model m(x: f32[1]) { return"}) {
    // The missing piece, and at most the missing '}' after it.
    auto p = parseTimed(text);
    EXPECT_GE(p->diags.errorCount(), 1) << text;
    EXPECT_LE(p->diags.errorCount(), 2) << text;
  }
}

}  // namespace
}  // namespace dlc::frontend
