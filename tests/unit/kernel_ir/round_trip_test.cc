// Printing built kernels, and parsing the text back to kernels that print
// identically, with constants bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "ir/kernel/parser.h"
#include "ir/kernel/printer.h"
#include "ir/kernel/verifier.h"
#include "tests/unit/kernel_ir/test_kernels.h"

namespace dlc::kir {
namespace {

using namespace kir_test;

// Prints `k`, parses the text, prints again; returns the parsed kernel.
Kernel roundTrip(const Kernel& k) {
  EXPECT_TRUE(verifyKernel(k).ok()) << verifyKernel(k).message();
  std::string text = printKernel(k);
  absl::StatusOr<KernelModule> parsed = parseKernelModuleText(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << text;
  if (!parsed.ok() || parsed->kernels.size() != 1) return Kernel{};
  EXPECT_EQ(printKernel(parsed->kernels[0]), text);
  return std::move(parsed->kernels[0]);
}

uint64_t bitsOf(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

// The value of `let`'s expression, a ConstExpr.
const ConstExpr& letConst(const Stmt& s) { return *s.as<LetStmt>()->value->as<ConstExpr>(); }

TEST(KernelPrinter, PrintsTheHeaderExample) {
  EXPECT_EQ(printKernel(addRelu()),
            "kernel @fused_add_relu origin \"add, relu at mnist_cnn.dl:7\" {\n"
            "  in %x: f32[640]\n"
            "  in %b: f32[10]\n"
            "  out %y: f32[640]\n"
            "  parallel for %i = 0 to 64 {\n"
            "    vector for %j = 0 to 10 {\n"
            "      let %t: f32 = add(%x[add(mul(%i, 10), %j)], %b[%j])\n"
            "      store %y[add(mul(%i, 10), %j)] = max(%t, 0.0:f32)\n"
            "    }\n"
            "  }\n"
            "}\n");
  Kernel parsed = roundTrip(addRelu());
  EXPECT_EQ(parsed.next_var_id, 3);
}

TEST(KernelPrinter, ReductionsLocalsScratchIfAccumulate) {
  Kernel k;
  k.name = "dense";
  BufferId x = k.addBuffer({"x", kF32, 784, BufferRole::kIn});
  BufferId w = k.addBuffer({"w", kF32, 7840, BufferRole::kIn});
  BufferId y = k.addBuffer({"y", kF32, 10, BufferRole::kInOut});
  BufferId acc = k.addBuffer({"acc", kF32, 4, BufferRole::kLocal});
  k.addBuffer({"pack", kF32, 1024, BufferRole::kScratch});  // printed, unused
  Var n = k.newVar(kI64, "n");
  Var kk = k.newVar(kI64, "k");
  Var u = k.newVar(kI64, "u");
  ExprRef dot =
      reduce(ReduceOp::kAdd, kk, 0, 784, constant(kF32, 0.0),
             binary(BinaryOp::kMul, load(x, kF32, var(kk)),
                    load(w, kF32, binary(BinaryOp::kAdd, binary(BinaryOp::kMul, var(kk), index(10)), var(n)))));
  StmtList body = {
      forStmt(u, 0, 4, LoopKind::kUnroll, {store(acc, var(u), constant(kF32, 0.0))}),
      store(y, var(n), dot, /*accumulate=*/true),
      Stmt{IfStmt{binary(BinaryOp::kGt, load(y, kF32, var(n)), constant(kF32, 6.0)),
                  {store(y, var(n), constant(kF32, 6.0))}}},
  };
  k.body.push_back(forStmt(n, 0, 10, LoopKind::kParallel, std::move(body)));
  Var m = k.newVar(kI64, "m");
  Var r = k.newVar(kI64, "r");
  k.body.push_back(let(m, reduce(ReduceOp::kMax, r, -3, 3, reduceIdentity(ReduceOp::kMax, kI64), var(r))));
  std::string text = printKernel(k);
  EXPECT_NE(text.find("  local %acc: f32[4]\n  scratch %pack: f32[1024]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("unroll for %u = 0 to 4 {"), std::string::npos) << text;
  EXPECT_NE(text.find("store %y[%n] += reduce add %k in 0 to 784 init 0.0:f32 (mul(%x[%k], "
                      "%w[add(mul(%k, 10), %n)]))"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    if gt(%y[%n], 6.0:f32) {\n      store %y[%n] = 6.0:f32\n    }\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("reduce max %r in -3 to 3 init -9223372036854775808 (%r)"), std::string::npos) << text;
  roundTrip(k);
}

TEST(KernelPrinter, ScalarTypes) {
  Kernel k;
  k.name = "types";
  BufferId h = k.addBuffer({"h", ScalarType::kF16, 8, BufferRole::kOut});
  BufferId b = k.addBuffer({"b", ScalarType::kBF16, 8, BufferRole::kOut});
  BufferId m = k.addBuffer({"m", ScalarType::kBool, 8, BufferRole::kOut});
  BufferId n = k.addBuffer({"n", ScalarType::kI32, 8, BufferRole::kOut});
  Var i = k.newVar(kI64, "i");
  ExprRef cond = binary(BinaryOp::kLt, var(i), index(4));
  StmtList body = {
      store(h, var(i), cast(ScalarType::kF16, constant(kF32, 0.5))),
      store(b, var(i), constant(ScalarType::kBF16, -2.25)),
      store(m, var(i), binary(BinaryOp::kAnd, cond, constant(ScalarType::kBool, 1))),
      store(n, var(i),
            select(unary(UnaryOp::kNot, cond), constant(ScalarType::kI32, -2147483648.0),
                   binary(BinaryOp::kShl, cast(ScalarType::kI32, var(i)), constant(ScalarType::kI32, 3)))),
      store(m, var(i), constant(ScalarType::kBool, 0)),
  };
  k.body.push_back(forStmt(i, 0, 8, LoopKind::kSerial, std::move(body)));
  std::string text = printKernel(k);
  EXPECT_NE(text.find("  for %i = 0 to 8 {"), std::string::npos) << text;
  EXPECT_NE(text.find("store %h[%i] = cast<f16>(0.5:f32)"), std::string::npos) << text;
  EXPECT_NE(text.find("store %b[%i] = -2.25:bf16"), std::string::npos) << text;
  EXPECT_NE(text.find("store %m[%i] = and(lt(%i, 4), true)"), std::string::npos) << text;
  EXPECT_NE(text.find("select(not(lt(%i, 4)), -2147483648:i32, shl(cast<i32>(%i), 3:i32))"), std::string::npos) << text;
  EXPECT_NE(text.find("store %m[%i] = false"), std::string::npos) << text;
  roundTrip(k);
}

TEST(KernelPrinter, ConstantsAreBitExact) {
  const double kDoubles[] = {0.1,
                             -0.0,
                             1.0,
                             1e300,
                             5e-324,  // the smallest subnormal
                             std::numeric_limits<float>::max(),
                             std::numeric_limits<float>::denorm_min(),
                             1.0 / 3.0,
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity()};
  const int64_t kInts[] = {0, -3, static_cast<int64_t>(0x9e3779b97f4a7c15ULL), std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max()};
  Kernel k;
  k.name = "constants";
  for (double d : kDoubles) k.body.push_back(let(k.newVar(ScalarType::kF64, "d"), constant(ScalarType::kF64, d)));
  for (int64_t n : kInts) k.body.push_back(let(k.newVar(kI64, "n"), index(n)));
  k.body.push_back(let(k.newVar(kF32, "q"), constant(kF32, std::numeric_limits<double>::quiet_NaN())));
  std::string text = printKernel(k);
  EXPECT_NE(text.find("= -0.0:f64"), std::string::npos) << text;
  EXPECT_NE(text.find("= inf:f64"), std::string::npos) << text;
  EXPECT_NE(text.find("= -inf:f64"), std::string::npos) << text;
  EXPECT_NE(text.find("= nan:f32"), std::string::npos) << text;
  EXPECT_NE(text.find("= -7046029254386353131\n"), std::string::npos) << text;
  Kernel parsed = roundTrip(k);
  ASSERT_EQ(parsed.body.size(), k.body.size());
  size_t s = 0;
  for (double d : kDoubles) EXPECT_EQ(bitsOf(letConst(parsed.body[s++]).value), bitsOf(d)) << d;
  for (int64_t n : kInts) EXPECT_EQ(letConst(parsed.body[s++]).bits, n);
  EXPECT_TRUE(std::isnan(letConst(parsed.body[s]).value));
}

TEST(KernelPrinter, RenamesVarsThatWouldShadow) {
  Kernel k;
  k.name = "names";
  BufferId y = k.addBuffer({"y", kF32, 4, BufferRole::kOut});
  k.addBuffer({"y", kF32, 4, BufferRole::kIn});  // a second buffer called y
  Var outer = k.newVar(kI64, "i");
  Var inner = k.newVar(kI64, "i");
  Var named_y = k.newVar(kI64, "y");
  Var unnamed = k.newVar(kF32, "");
  Var odd = k.newVar(kF32, "a b");
  StmtList inner_body = {
      let(named_y, binary(BinaryOp::kAdd, var(outer), var(inner))),
      let(unnamed, constant(kF32, 1.0)),
      let(odd, var(unnamed)),
      store(y, var(named_y), var(odd)),
  };
  k.body.push_back(
      forStmt(outer, 0, 2, LoopKind::kSerial, {forStmt(inner, 0, 2, LoopKind::kSerial, std::move(inner_body))}));
  // A second loop reuses the name i: disjoint scopes need no renaming.
  k.body.push_back(forStmt(k.newVar(kI64, "i"), 0, 2, LoopKind::kSerial, {}));
  std::string text = printKernel(k);
  EXPECT_NE(text.find("  in %y_1: f32[4]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    for %i_1 = 0 to 2 {\n"), std::string::npos) << text;
  EXPECT_NE(text.find("let %y_2: i64 = add(%i, %i_1)"), std::string::npos) << text;
  EXPECT_NE(text.find("let %v: f32 = 1.0:f32"), std::string::npos) << text;
  EXPECT_NE(text.find("let %a_b: f32 = %v"), std::string::npos) << text;
  EXPECT_NE(text.find("  for %i = 0 to 2 {\n  }\n"), std::string::npos) << text;
  roundTrip(k);
}

TEST(KernelPrinter, ModulesAndQuotedNames) {
  KernelModule module;
  module.kernels.push_back(addRelu());
  Kernel odd;
  odd.name = "odd name";
  odd.origin = "a \"quoted\"\nline\\";
  odd.body.push_back(Stmt{IfStmt{constant(ScalarType::kBool, 1.0), {}}});
  module.kernels.push_back(odd);
  std::string text = printKernelModule(module);
  EXPECT_NE(text.find("}\n\nkernel @\"odd name\" origin \"a \\\"quoted\\\"\\nline\\\\\" {\n"
                      "  if true {\n  }\n}\n"),
            std::string::npos)
      << text;
  absl::StatusOr<KernelModule> parsed = parseKernelModuleText(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_EQ(parsed->kernels.size(), 2u);
  EXPECT_EQ(parsed->kernels[1].name, "odd name");
  EXPECT_EQ(parsed->kernels[1].origin, odd.origin);
  EXPECT_EQ(printKernelModule(*parsed), text);
  EXPECT_NE(parsed->find("odd name"), nullptr);
}

TEST(KernelParser, AcceptsHandWrittenText) {
  absl::StatusOr<KernelModule> parsed = parseKernelModuleText(R"(
    // comments and free layout
    kernel @k {
      in %x: f32[4]   out %y: f32[4]
      for %i = 0 to 4 { store %y[%i] = mul(%x[%i], 2:f32) }
      let %n: i64 = 3:i64
      let %e: f32 = 1e-3:f32
    })");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(printKernelModule(*parsed),
            "kernel @k {\n"
            "  in %x: f32[4]\n"
            "  out %y: f32[4]\n"
            "  for %i = 0 to 4 {\n"
            "    store %y[%i] = mul(%x[%i], 2.0:f32)\n"
            "  }\n"
            "  let %n: i64 = 3\n"
            "  let %e: f32 = 0.001:f32\n"
            "}\n");
  absl::StatusOr<KernelModule> empty = parseKernelModuleText("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->kernels.empty());
}

}  // namespace
}  // namespace dlc::kir
