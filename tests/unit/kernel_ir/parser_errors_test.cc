// Bad kernel IR text: each gets one located message, never a crash.
#include <gtest/gtest.h>

#include <string>

#include "ir/kernel/parser.h"

namespace dlc::kir {
namespace {

// The first rendered diagnostic line of parsing `text`, without the
// buffer name: "LINE:COL: error: message".
std::string firstError(const std::string& text) {
  absl::StatusOr<KernelModule> parsed = parseKernelModuleText(text, "t.kir");
  if (parsed.ok()) return "ok";
  std::string message(parsed.status().message());
  message = message.substr(0, message.find('\n'));
  return message.rfind("t.kir:", 0) == 0 ? message.substr(6) : message;
}

// `body` as the statements of a kernel with buffers %x (in) and %y (out) of
// 8 f32 each; errors on the body are on line 2.
std::string bodyError(const std::string& body) {
  return firstError("kernel @k { in %x: f32[8] out %y: f32[8]\n" + body + "\n}");
}

TEST(KernelParserErrors, Names) {
  EXPECT_EQ(bodyError("store %y[0] = %z"), "2:15: error: use of undefined var %z");
  EXPECT_EQ(bodyError("store %w[0] = 1.0:f32"), "2:7: error: use of undefined buffer %w");
  EXPECT_EQ(bodyError("store %y[0] = %x"), "2:15: error: buffer %x is used without an index");
  EXPECT_EQ(bodyError("for %i = 0 to 2 { store %i[0] = 1.0:f32 }"), "2:25: error: %i is a var, not a buffer");
  EXPECT_EQ(bodyError("for %i = 0 to 2 { for %i = 0 to 2 {} }"), "2:23: error: redefinition of %i");
  EXPECT_EQ(bodyError("let %x: f32 = 1.0:f32"), "2:5: error: %x is already the name of a buffer");
  EXPECT_EQ(bodyError("for %i = 0 to 2 {}\nstore %y[%i] = 1.0:f32"), "3:10: error: use of undefined var %i");
  EXPECT_EQ(bodyError("store %y[0] = reduce add %k in 0 to 8 init %x[%k] (%x[%k])"),
            "2:47: error: use of undefined var %k");
  EXPECT_EQ(firstError("kernel @k { in %x: f32[1] out %x: f32[1] }"),
            "1:31: error: buffer %x is declared more than once");
  EXPECT_EQ(firstError("kernel @k {}\nkernel @k {}"), "2:8: error: kernel @k is defined more than once");
}

TEST(KernelParserErrors, Types) {
  EXPECT_EQ(bodyError("store %y[0] = add(%x[0], 1)"),
            "2:15: error: operands of 'add' have different types (f32 and i64)");
  EXPECT_EQ(bodyError("store %y[0] = exp(1)"), "2:15: error: 'exp' takes float operands, not i64");
  EXPECT_EQ(bodyError("store %y[0] = shl(1.0:f32, 2.0:f32)"), "2:15: error: 'shl' takes integer operands, not f32");
  EXPECT_EQ(bodyError("store %y[0] = select(1, 1.0:f32, 2.0:f32)"),
            "2:15: error: the condition of 'select' is i64, not bool");
  EXPECT_EQ(bodyError("store %y[0] = reduce add %k in 0 to 8 init 0 (%x[%k])"),
            "2:15: error: the init of 'reduce add' is i64 but its body is f32");
  EXPECT_EQ(bodyError("store %y[1.0:f32] = 1.0:f32"), "2:10: error: an index must be i64, not f32");
  EXPECT_EQ(bodyError("store %y[0] = 1"), "2:15: error: stored value is i64 but %y holds f32");
  EXPECT_EQ(bodyError("let %t: f32 = 1"), "2:15: error: %t is declared f32 but its value is i64");
  EXPECT_EQ(bodyError("if 1 {}"), "2:4: error: the condition is i64, not bool");
  EXPECT_EQ(bodyError("let %t: f8 = 1"), "2:9: error: unknown type 'f8'");
}

TEST(KernelParserErrors, Literals) {
  EXPECT_EQ(bodyError("let %t: f32 = 1.5"), "2:15: error: a float literal needs a type, as in 1.5:f32");
  EXPECT_EQ(bodyError("let %t: i32 = 1.5:i32"), "2:15: error: '1.5' is not a valid i32 literal");
  EXPECT_EQ(bodyError("let %t: i32 = 2147483648:i32"), "2:15: error: '2147483648' is not a valid i32 literal");
  EXPECT_EQ(bodyError("let %t: i32 = -2147483648:i32"), "ok");
  EXPECT_EQ(bodyError("let %t: i64 = 9223372036854775808"),
            "2:15: error: '9223372036854775808' is not a valid i64 literal");
  EXPECT_EQ(bodyError("let %t: i64 = -9223372036854775808"), "ok");
  EXPECT_EQ(bodyError("let %t: f32 = 1e999:f32"), "2:15: error: '1e999' is out of range (write inf:f32)");
  EXPECT_EQ(bodyError("let %t: bool = 1:bool"), "2:16: error: bool literals are written 'true' and 'false'");
  EXPECT_EQ(bodyError("let %t: f32 = -nan:f32"), "2:16: error: expected a number");
  EXPECT_EQ(bodyError("let %t: f32 = 12abc"), "2:17: error: invalid suffix 'abc' on number");
  EXPECT_EQ(bodyError("for %i = 0 to 99999999999999999999 {}"),
            "2:15: error: integer 99999999999999999999 is out of range for i64");
}

TEST(KernelParserErrors, Syntax) {
  EXPECT_EQ(firstError("func @f"), "1:1: error: expected 'kernel'");
  EXPECT_EQ(firstError("kernel k {}"), "1:8: error: expected a kernel name starting with '@'");
  EXPECT_EQ(firstError("kernel @k { in %x: f32[1]"), "1:26: error: expected '}'");
  EXPECT_EQ(firstError("kernel @k { in %x: f32[1] %x"), "1:27: error: expected a statement");
  EXPECT_EQ(bodyError("for %i = 0 to 2 {"), "3:2: error: expected '}'");
  EXPECT_EQ(bodyError("store %y[0] = frob(1)"), "2:15: error: unknown operation 'frob'");
  EXPECT_EQ(bodyError("loop"), "2:1: error: expected a statement, not 'loop'");
  EXPECT_EQ(bodyError("store %y[0] = 1.0:f32\nin %z: f32[1]"),
            "3:1: error: buffers are declared before the statements");
  EXPECT_EQ(bodyError("call @f(%x, 1)"),
            "2:1: error: 'call' is not a kernel statement: library calls are steps of the plan, between kernels");
  EXPECT_EQ(bodyError("store %y[0] = cast(1)"), "2:19: error: expected '<'");
  EXPECT_EQ(bodyError("store %y[0] = 1.0:f32 $"), "2:23: error: unexpected character '$'");
  EXPECT_EQ(firstError("kernel @k origin {}"), "1:18: error: expected a string after 'origin'");
  EXPECT_EQ(firstError("kernel @k origin \"open"), "1:18: error: unterminated string");
}

TEST(KernelParserErrors, VerifierProblemsAreLocated) {
  EXPECT_EQ(bodyError("for %i = 0 to 8 {\n  store %x[%i] = 1.0:f32\n}"), "3:3: error: stores to input buffer %x");
  EXPECT_EQ(bodyError("vector for %i = 0 to 8 {\n  for %j = 0 to 2 {}\n}"),
            "3:3: error: a vector loop contains a nested loop");
  EXPECT_EQ(bodyError("for %i = 3 to 2 {}"), "2:1: error: loop bounds are reversed (3 > 2)");
  EXPECT_EQ(firstError("kernel @k { local %l: f32[5000] }"),
            "1:19: error: local buffer %l has 5000 elements (the limit is 4096)");
}

TEST(KernelParserErrors, DeepNestingIsAnErrorNotACrash) {
  std::string deep_expr = "let %t: f32 = ";
  for (int i = 0; i < 100000; ++i) deep_expr += "neg(";
  EXPECT_EQ(bodyError(deep_expr), "2:811: error: nesting is deeper than 200 levels");
  std::string deep_ifs;
  for (int i = 0; i < 100000; ++i) deep_ifs += "if true {";
  EXPECT_EQ(bodyError(deep_ifs), "2:1795: error: nesting is deeper than 200 levels");
  std::string nested_ok = "let %t: f32 = ";
  for (int i = 0; i < 150; ++i) nested_ok += "neg(";
  nested_ok += "1.0:f32" + std::string(150, ')');
  EXPECT_EQ(bodyError(nested_ok), "ok");
}

}  // namespace
}  // namespace dlc::kir
