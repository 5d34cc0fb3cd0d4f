// Unit tests of the graph IR's text parser: printing, parsing and printing
// again gives the same text; every kind of error is reported at its line and
// column; no input, however broken, crashes or hangs the parser.
#include "ir/parser.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/printer.h"
#include "support/strings.h"

namespace dlc::ir {
namespace {

struct Parsed {
  std::unique_ptr<Module> module;
  std::vector<std::string> errors;  // "LINE:COL: message"
  std::vector<std::string> notes;
};

Parsed parse(const std::string& text) {
  SourceManager sources;
  int32_t buffer = sources.addBuffer("test.dlir", text);
  DiagnosticEngine diags(sources);
  Parsed result;
  result.module = parseModule(sources, buffer, diags);
  for (const Diagnostic& d : diags.diagnostics()) {
    std::string rendered = strCat(d.location.line, ":", d.location.column, ": ", d.message);
    (d.severity == Severity::kError ? result.errors : result.notes).push_back(rendered);
  }
  // A module comes back exactly when nothing went wrong.
  EXPECT_EQ(result.module == nullptr, !result.errors.empty()) << text;
  return result;
}

// The first error of a text that must not parse.
std::string firstError(const std::string& text) {
  Parsed p = parse(text);
  EXPECT_EQ(p.module, nullptr) << text;
  return p.errors.empty() ? "(no error)" : p.errors.front();
}

// A function around `body`, which starts on line 2.
std::string inFunction(const std::string& body) { return "func @f(%x: f32[2, 3]) -> (f32[2, 3]) {\n" + body + "}\n"; }

// Every attribute kind, several outputs, quoted symbols, scalars, symbolic
// dims, string escapes, comments are not kept: printed form.
constexpr const char* kCanonical =
    R"(param @conv2d.kernel : f32[3, 3, 1, 32] {init = "glorot_uniform", trainable = true}
param @"scale/1" : f32[] {init = "ones", trainable = false, note = "tab\there \"q\" \\ \x01 \n"}

func @mnist_cnn(%x: f32[batch, 28, 28, 1]) -> (f32[batch, 10], f32[batch, 26, 26, 32]) {
  %conv2d.kernel = param() {name = "conv2d.kernel"} : f32[3, 3, 1, 32]
  %0 = conv2d(%x, %conv2d.kernel) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : f32[batch, 26, 26, 32]
  %1 = leaky_relu(%0) {alpha = 0.2} : f32[batch, 26, 26, 32]
  %flat = reshape(%1) {shape = [batch, -1]} : f32[batch, 21632]
  %2 = constant() {value = [0.5]} : f32[21632, 10]
  %3 = matmul(%flat, %2) : f32[batch, 10]
  %scale = param() {name = "scale/1"} : f32[]
  %4 = mul(%3, %scale) : f32[batch, 10]
  %5 = reduce_sum(%4) {axes = [1], keepdims = true} : f32[batch, 1]
  %6 = sub(%4, %5) : f32[batch, 10]
  %7 = dropout(%6) {rate = 0.5, training = false, key = 0} : f32[batch, 10]
  return %7, %1
}

func @"helper fn"(%0: f32[], %v: f32[3]) -> (f16[3]) {
  %1 = constant() {value = [1.0, -2.5, 1e-07, nan]} : f32[4]
  %2 = constant() {value = [inf, -inf, -0.0]} : f32[3]
  %3 = add(%v, %0) : f32[3]
  %4 = maximum(%3, %2) : f32[3]
  %5 = cast(%4) {dtype = f16} : f16[3]
  return %5
}

train @mnist_cnn {loss = "categorical_crossentropy", learning_rate = 0.001, metrics = ["accuracy", "top_k"], epochs = 10, shuffle = true, dtype = bf16, input = [batch, 28, 28], empty = [], weights = [0.5, 2.0, 3e+20], low = -9223372036854775808, special = [nan, inf, -inf]}
)";

TEST(Parser, RoundTripsEveryConstruct) {
  Parsed p = parse(kCanonical);
  ASSERT_NE(p.module, nullptr) << (p.errors.empty() ? "" : p.errors[0]);
  std::string printed = printModule(*p.module);
  EXPECT_EQ(printed, kCanonical);
  Parsed again = parse(printed);
  ASSERT_NE(again.module, nullptr);
  EXPECT_EQ(printModule(*again.module), printed);
}

TEST(Parser, ReadsAttributeKindsAndNames) {
  Parsed p = parse(kCanonical);
  ASSERT_NE(p.module, nullptr);
  const Module& m = *p.module;
  ASSERT_EQ(m.params().size(), 2u);
  EXPECT_EQ(m.params()[1].name, "scale/1");
  EXPECT_EQ(m.params()[1].type.str(), "f32[]");
  EXPECT_EQ(m.params()[1].attrs.getString("note"), "tab\there \"q\" \\ \x01 \n");
  EXPECT_EQ(m.params()[1].loc.line, 2);
  EXPECT_EQ(m.params()[1].loc.column, 7);

  const Function* f = m.findFunction("mnist_cnn");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->location().line, 4);
  EXPECT_EQ(f->argument(0)->nameHint(), "x");
  EXPECT_EQ(f->outputs().size(), 2u);
  const Operation& conv = *f->ops()[1];
  EXPECT_EQ(conv.name(), "conv2d");
  EXPECT_EQ(conv.location().line, 6);
  EXPECT_EQ(conv.location().column, 8);
  EXPECT_EQ(conv.result()->nameHint(), "");  // %0 is numbered, not named
  EXPECT_EQ(f->ops()[0]->result()->nameHint(), "conv2d.kernel");
  const Attribute* shape = f->ops()[3]->attrs().find("shape");
  ASSERT_NE(shape, nullptr);
  ASSERT_EQ(shape->kind(), AttrKind::kShape);
  EXPECT_EQ(shape->asShape()[0], Dim::symbolic("batch"));
  EXPECT_EQ(shape->asShape()[1], Dim::fixed(-1));
  EXPECT_NE(m.findFunction("helper fn"), nullptr);

  ASSERT_EQ(m.trainSpecs().size(), 1u);
  const Attrs& t = m.trainSpecs()[0].attrs;
  EXPECT_EQ(t.find("learning_rate")->kind(), AttrKind::kFloat);
  EXPECT_EQ(t.find("metrics")->kind(), AttrKind::kStringList);
  EXPECT_EQ(t.find("epochs")->kind(), AttrKind::kInt);
  EXPECT_EQ(t.find("shuffle")->kind(), AttrKind::kBool);
  EXPECT_EQ(t.find("dtype")->asDType(), DType::kBF16);
  EXPECT_EQ(t.find("input")->kind(), AttrKind::kShape);
  EXPECT_EQ(t.find("empty")->kind(), AttrKind::kIntList);
  EXPECT_EQ(t.find("weights")->kind(), AttrKind::kFloatList);
  EXPECT_EQ(t.find("low")->asInt(), INT64_MIN);
}

TEST(Parser, NormalizesWhatThePrinterWouldNotWrite) {
  // Comments, attributes out of order and defaulted, an int for a float, a
  // mixed int/float list, a single output without parentheses, numbered
  // values out of sequence, a train block without attributes.
  Parsed p = parse(R"(// leading comment
func @f(%7: f32[2]) -> f32[2] {  // trailing comment
  %41 = leaky_relu(%7) {alpha = 1} : (f32[2])
  %c = constant() {value = [1, 2.5]} : f32[2]
  %s = softmax(%41) {} : f32[2]
  %r = add(%s, %c) : f32[2]
  return %r
}
train @f
)");
  ASSERT_NE(p.module, nullptr) << p.errors[0];
  EXPECT_EQ(printModule(*p.module), R"(func @f(%0: f32[2]) -> (f32[2]) {
  %1 = leaky_relu(%0) {alpha = 1.0} : f32[2]
  %c = constant() {value = [1.0, 2.5]} : f32[2]
  %s = softmax(%1) {axis = -1} : f32[2]
  %r = add(%s, %c) : f32[2]
  return %r
}

train @f {}
)");
}

TEST(Parser, ReadsAnEmptyModule) {
  Parsed p = parse("  // nothing here\n");
  ASSERT_NE(p.module, nullptr);
  EXPECT_EQ(printModule(*p.module), "");
}

// --- Errors, each with its line and column ----------------------------------

TEST(ParserErrors, UnknownOp) {
  EXPECT_EQ(firstError(inFunction("  %0 = frobnicate(%x) : f32[2, 3]\n  return %0\n")), "2:8: unknown op 'frobnicate'");
}

TEST(ParserErrors, WrongAttributeType) {
  EXPECT_EQ(firstError(inFunction("  %0 = softmax(%x) {axis = \"last\"} : f32[2, 3]\n  return %0\n")),
            "2:28: attribute 'axis' of 'softmax' must be an integer, not a string");
  EXPECT_EQ(firstError(inFunction("  %0 = maxpool2d(%x) {pool = [2], strides = [1], padding = \"full\"} : "
                                  "f32[2, 3]\n  return %0\n")),
            "2:60: attribute 'padding' of 'maxpool2d' must be one of valid, same, not 'full'");
}

TEST(ParserErrors, UnknownAttribute) {
  EXPECT_EQ(firstError(inFunction("  %0 = softmax(%x) {axis = 0, axes = 1} : f32[2, 3]\n  return %0\n")),
            "2:31: 'softmax' has no attribute 'axes'");
}

TEST(ParserErrors, MissingRequiredAttribute) {
  EXPECT_EQ(firstError(inFunction("  %0 = reshape(%x) : f32[6]\n  return %0\n")),
            "2:8: 'reshape' needs attribute 'shape'");
  EXPECT_EQ(firstError(inFunction("  %0 = reshape(%x) {} : f32[6]\n  return %0\n")),
            "2:20: 'reshape' needs attribute 'shape'");
}

TEST(ParserErrors, DuplicateAttributeKey) {
  Parsed p = parse(inFunction("  %0 = softmax(%x) {axis = 0, axis = 1} : f32[2, 3]\n  return %0\n"));
  ASSERT_FALSE(p.errors.empty());
  EXPECT_EQ(p.errors[0], "2:31: duplicate attribute 'axis'");
  ASSERT_FALSE(p.notes.empty());
  EXPECT_EQ(p.notes[0], "2:21: first given here");
  EXPECT_EQ(firstError("train @f {a = 1, b = 2, a = 3}\n"), "1:25: duplicate attribute 'a'");
}

TEST(ParserErrors, UseBeforeDefinition) {
  Parsed p = parse(inFunction("  %0 = relu(%1) : f32[2, 3]\n  %1 = relu(%x) : f32[2, 3]\n  return %0\n"));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0], "2:13: value %1 is used before it is defined");
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_EQ(p.notes[0], "3:3: defined here");
}

TEST(ParserErrors, UndefinedValue) {
  EXPECT_EQ(firstError(inFunction("  %0 = relu(%y) : f32[2, 3]\n  return %0\n")), "2:13: use of undefined value %y");
  EXPECT_EQ(firstError(inFunction("  return %nothing\n")), "2:10: use of undefined value %nothing");
}

TEST(ParserErrors, RedefinedValue) {
  Parsed p = parse(inFunction("  %0 = relu(%x) : f32[2, 3]\n  %0 = relu(%x) : f32[2, 3]\n  return %0\n"));
  ASSERT_FALSE(p.errors.empty());
  EXPECT_EQ(p.errors[0], "3:3: redefinition of value %0");
  EXPECT_EQ(p.notes[0], "2:3: previous definition is here");
  EXPECT_EQ(firstError("func @g(%a: f32[], %a: f32[]) -> (f32[]) {\n  return %a\n}\n"),
            "1:20: redefinition of value %a");
}

TEST(ParserErrors, DeclaredTypeDiffersFromInferred) {
  EXPECT_EQ(firstError(inFunction("  %0 = relu(%x) : f32[3, 3]\n  return %0\n")),
            "2:8: 'relu' result 0 has type f32[3, 3], but its operands give f32[2, 3]");
}

TEST(ParserErrors, WrongOperandCount) {
  EXPECT_EQ(firstError(inFunction("  %0 = relu(%x, %x) : f32[2, 3]\n  return %0\n")),
            "2:8: 'relu' has 2 operands; expected 1");
}

TEST(ParserErrors, WrongResultCount) {
  EXPECT_EQ(firstError(inFunction("  %0, %1 = relu(%x) : (f32[2, 3], f32[2, 3])\n  return %0\n")),
            "2:12: 'relu' has 1 result, not 2");
  EXPECT_EQ(firstError(inFunction("  %0, %1 = relu(%x) : f32[2, 3]\n  return %0\n")),
            "2:23: 2 results named but 1 type given");
}

TEST(ParserErrors, ReturnTypeMismatch) {
  EXPECT_EQ(firstError("func @f(%x: f32[2]) -> (f32[3]) {\n  return %x\n}\n"),
            "2:10: return value 0 has type f32[2], but @f is declared to return f32[3]");
  EXPECT_EQ(firstError("func @f(%x: f32[2]) -> (f32[2]) {\n  return %x, %x\n}\n"),
            "2:3: return has 2 values, but @f is declared to return 1");
}

TEST(ParserErrors, ParamReads) {
  EXPECT_EQ(firstError("param @w : f32[2]\nfunc @f() -> (f32[3]) {\n"
                       "  %w = param() {name = \"w\"} : f32[3]\n  return %w\n}\n"),
            "3:8: 'param' reads @w as f32[3], but it is declared f32[2]");
  EXPECT_EQ(firstError("func @f() -> (f32[3]) {\n  %w = param() {name = \"w\"} : f32[3]\n"
                       "  return %w\n}\n"),
            "2:8: 'param' reads undeclared param @w");
}

TEST(ParserErrors, TruncatedText) {
  EXPECT_EQ(firstError("func @f(%x: f32[2]) -> (f32[2]) {\n  %0 = relu(%x"), "2:15: expected ')'");
  EXPECT_EQ(firstError("func @f(%x: f32[2]) -> (f32[2]) {\n  %0 = relu(%x) : f32[2"), "2:24: expected ']'");
  EXPECT_EQ(firstError("func @f(%x: f32[2]) -> (f32[2]) {\n  return %x\n"), "3:1: expected '}'");
  EXPECT_EQ(firstError("func @f(%x: f32[2]) -> (f32[2]) {\n  %0 = relu(%x) : f32[2]\n"),
            "3:1: expected an op or 'return'");
  EXPECT_EQ(firstError("train @f {a = \"abc"), "1:15: unterminated string");
}

TEST(ParserErrors, BinaryGarbage) {
  EXPECT_EQ(firstError(std::string("\x00\xff\x13", 3)), "1:1: unexpected character '\\x00'");
  EXPECT_EQ(firstError("func @f(%x: f32[2]) -> (f32[2]) {\n  \xff\xfe"), "2:3: unexpected character '\\xff'");
  EXPECT_EQ(firstError("param @w : f32[2] \x01"), "1:19: unexpected character '\\x01'");
}

TEST(ParserErrors, HugeNumbers) {
  EXPECT_EQ(firstError("param @w : f32[2, 99999999999999]\n"),
            "1:19: dimension 99999999999999 is too large (the limit is 1099511627776)");
  EXPECT_EQ(firstError("param @w : f32[99999999999999999999999]\n"),
            "1:16: dimension 99999999999999999999999 is too large (the limit is 1099511627776)");
  EXPECT_EQ(firstError("train @f {a = 99999999999999999999999}\n"),
            "1:15: integer 99999999999999999999999 is out of range");
  EXPECT_EQ(firstError("train @f {a = -9223372036854775809}\n"), "1:16: integer -9223372036854775809 is out of range");
  EXPECT_EQ(firstError("train @f {a = 1e999}\n"), "1:15: float 1e999 is out of range");
  EXPECT_EQ(firstError("train @f {a = [1, 2, 99999999999999999999999]}\n"),
            "1:22: integer 99999999999999999999999 is out of range");
  // A long literal is cut in the message.
  std::string error = firstError("train @f {a = " + std::string(100000, '9') + "}\n");
  EXPECT_LT(error.size(), 100u);
  // Underflow reads as the nearest double.
  Parsed tiny = parse(
      "func @f() -> (f32[]) {\n  %0 = constant() {value = [0.0]} : f32[]\n"
      "  return %0\n}\ntrain @f {a = 1e-400, b = 4.9406564584124654e-324}\n");
  ASSERT_NE(tiny.module, nullptr);
  EXPECT_EQ(tiny.module->trainSpecs()[0].attrs.getFloat("a"), 0.0);
  EXPECT_GT(tiny.module->trainSpecs()[0].attrs.getFloat("b"), 0.0);
}

TEST(ParserErrors, Lexical) {
  EXPECT_EQ(firstError("train @f {a = \"x\\q\"}\n"), "1:17: unknown escape sequence '\\q'");
  EXPECT_EQ(firstError("train @f {a = \"x\\x4\"}\n"), "1:17: expected two hex digits after '\\x'");
  EXPECT_EQ(firstError("train @f {a = 12abc}\n"), "1:17: invalid suffix 'abc' on number");
  EXPECT_EQ(firstError("train @f {a = 1.}\n"), "1:16: invalid suffix '.' on number");
  EXPECT_EQ(firstError("func @f(%1x: f32[]) -> (f32[]) {\n"), "1:9: invalid value name '%1x'");
  EXPECT_EQ(firstError("func @f(% : f32[]) -> (f32[]) {\n"), "1:9: expected a value name after '%'");
  EXPECT_EQ(firstError("func @ (%x: f32[]) -> (f32[]) {\n"), "1:6: expected a name or a string after '@'");
  EXPECT_EQ(firstError("train @f {a = 1} / x\n"), "1:18: unexpected character '/'");
}

TEST(ParserErrors, Syntax) {
  EXPECT_EQ(firstError("model @f\n"), "1:1: expected 'param', 'func' or 'train'");
  EXPECT_EQ(firstError("param w : f32[2]\n"), "1:7: expected a name starting with '@'");
  EXPECT_EQ(firstError("param @w : f33[2]\n"), "1:12: unknown element type 'f33'");
  EXPECT_EQ(firstError("param @w : f32[-1]\n"), "1:16: expected a dimension (a size or a name)");
  EXPECT_EQ(firstError("func @f(%x: f32[2]) (f32[2]) {\n"), "1:21: expected '->'");
  EXPECT_EQ(firstError(inFunction("  %0 relu(%x) : f32[2, 3]\n")), "2:6: expected '='");
  EXPECT_EQ(firstError(inFunction("  %0 = relu(%x) f32[2, 3]\n")), "2:17: expected ':'");
  EXPECT_EQ(firstError(inFunction("  %0 = relu(%x) {a 1} : f32[2, 3]\n")), "2:20: expected '='");
  EXPECT_EQ(firstError(inFunction("  %0 = relu(%x) {a = } : f32[2, 3]\n")), "2:22: expected an attribute value");
  EXPECT_EQ(firstError("train @f {a = [[1]]}\n"), "1:16: nested lists are not supported");
  EXPECT_EQ(firstError("train @f {a = [1, \"x\"]}\n"),
            "1:19: a list's elements must be all strings, all numbers, or integers and "
            "dimension names");
  EXPECT_EQ(firstError("train @f {a = [batch, 0.5]}\n"),
            "1:23: a list's elements must be all strings, all numbers, or integers and "
            "dimension names");
  EXPECT_EQ(firstError("train @f {a = -x}\n"), "1:16: expected a number after '-'");
  EXPECT_EQ(firstError(inFunction("  return %x\n  %0 = relu(%x) : f32[2, 3]\n}\n")), "3:3: expected '}'");
}

TEST(ParserErrors, ReportsSeveralSemanticErrors) {
  Parsed p =
      parse(inFunction("  %0 = frob(%x) : f32[2, 3]\n  %1 = relu(%0) : f32[2, 3]\n  %2 = relu(%z) : f32[2, 3]\n"
                       "  %3 = softmax(%1) {bad = 1} : f32[2, 3]\n  return %3\n"));
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_EQ(p.errors[0], "2:8: unknown op 'frob'");
  EXPECT_EQ(p.errors[1], "5:21: 'softmax' has no attribute 'bad'");
  EXPECT_EQ(p.errors[2], "4:13: use of undefined value %z");
}

TEST(ParserErrors, StopsAfterManyErrors) {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += strCat("  %", i, " = frob(%x) : f32[2, 3]\n");
  Parsed p = parse(inFunction(body + "  return %x\n"));
  EXPECT_GE(p.errors.size(), 1u);
  EXPECT_LE(p.errors.size(), 25u);
}

// --- Robustness ---------------------------------------------------------------

TEST(ParserRobustness, EveryPrefixFailsCleanlyOrParses) {
  std::string text = kCanonical;
  for (size_t n = 0; n <= text.size(); ++n) parse(text.substr(0, n));  // checks inside parse()
}

TEST(ParserRobustness, CorruptedBytesNeverCrash) {
  std::string text = kCanonical;
  uint64_t state = 12345;
  auto random = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  for (int round = 0; round < 500; ++round) {
    std::string broken = text;
    for (int k = 0; k < 3; ++k) broken[random() % broken.size()] = static_cast<char>(random() & 0xff);
    parse(broken);
  }
}

TEST(ParserRobustness, DeepBracketsAndLongInputsAreLinear) {
  EXPECT_EQ(firstError("train @f {a = " + std::string(200000, '[')), "1:16: nested lists are not supported");
  EXPECT_EQ(firstError(std::string(200000, '(')), "1:1: expected 'param', 'func' or 'train'");
  std::string body = "  %0 = relu(%x) : f32[2, 3]\n";
  for (int i = 1; i < 20000; ++i) body += strCat("  %", i, " = relu(%", i - 1, ") : f32[2, 3]\n");
  Parsed p = parse(inFunction(body + "  return %19999\n"));
  ASSERT_NE(p.module, nullptr);
  EXPECT_EQ(p.module->functions()[0]->ops().size(), 20000u);
}

}  // namespace
}  // namespace dlc::ir
