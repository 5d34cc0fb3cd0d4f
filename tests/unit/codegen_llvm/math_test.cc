// Accuracy of the emitted f32 exp/tanh/erf (math_functions.h) against libm in
// f64, in units in the last place, and that loops using them vectorize.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <regex>

#include "tests/unit/codegen_llvm/test_util.h"

namespace dlc::codegen::testing {
namespace {

kir::Kernel unaryKernel(kir::UnaryOp op, ScalarType type, int64_t n) {
  kir::Kernel k{.name = "unary"};
  auto x = k.addBuffer({"x", type, n, BufferRole::kIn});
  auto y = k.addBuffer({"y", type, n, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  k.body.push_back(
      forLoop(i, 0, n, LoopKind::kVector, {store(y, kir::var(i), kir::unary(op, kir::load(x, type, kir::var(i))))}));
  return k;
}

// |got - want| in units of the f32 spacing at want (denormal spacing below).
double ulpError(float got, double want) {
  if (std::isnan(want)) return std::isnan(got) ? 0 : INFINITY;
  // Overflow: right when the exact value rounds to infinity in f32.
  if (std::isinf(got)) return got == static_cast<float>(want) ? 0 : INFINITY;
  if (std::isinf(want)) return INFINITY;
  int e = 0;
  std::frexp(std::max(std::fabs(want), 1.17549435e-38), &e);
  double ulp = std::ldexp(1.0, e - 24);
  return std::fabs(static_cast<double>(got) - want) / ulp;
}

struct Sweep {
  double max_ulp = 0;
  float worst = 0;
};

Sweep sweep(kir::UnaryOp op, double (*ref)(double), float lo, float hi, int n) {
  Compiled fn = compile(unaryKernel(op, ScalarType::kF32, n + 4));
  std::vector<float> xs(n + 4), ys(n + 4);
  for (int i = 0; i < n; ++i) xs[i] = lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(n - 1);
  xs[n] = NAN, xs[n + 1] = INFINITY, xs[n + 2] = -INFINITY, xs[n + 3] = -0.0F;
  fn({xs.data(), ys.data()});
  Sweep s;
  for (int i = 0; i < n + 4; ++i) {
    double e = ulpError(ys[i], ref(xs[i]));
    if (e > s.max_ulp) s.max_ulp = e, s.worst = xs[i];
  }
  EXPECT_EQ(std::signbit(ys[n + 3]), std::signbit(ref(-0.0))) << "-0";
  std::printf("%s on [%g, %g]: max %.2f ulp at %.9g\n", std::string(kir::unaryOpName(op)).c_str(), lo, hi, s.max_ulp,
              s.worst);
  return s;
}

TEST(MathTest, Exp) {
  for (auto [lo, hi] : {std::pair{-104.0F, 89.0F}, std::pair{-1.0F, 1.0F}, std::pair{-88.0F, -85.0F}}) {
    Sweep s = sweep(kir::UnaryOp::kExp, [](double x) { return std::exp(x); }, lo, hi, 200003);
    EXPECT_LE(s.max_ulp, 2.0) << "worst at " << s.worst;
  }
}

TEST(MathTest, Tanh) {
  for (auto [lo, hi] : {std::pair{-12.0F, 12.0F}, std::pair{-1.0F, 1.0F}, std::pair{-1e-3F, 1e-3F}}) {
    Sweep s = sweep(kir::UnaryOp::kTanh, [](double x) { return std::tanh(x); }, lo, hi, 200003);
    EXPECT_LE(s.max_ulp, 3.0) << "worst at " << s.worst;
  }
}

TEST(MathTest, Erf) {
  for (auto [lo, hi] : {std::pair{-6.0F, 6.0F}, std::pair{-1.5F, 1.5F}, std::pair{-1e-3F, 1e-3F}}) {
    Sweep s = sweep(kir::UnaryOp::kErf, [](double x) { return std::erf(x); }, lo, hi, 200003);
    EXPECT_LE(s.max_ulp, 3.0) << "worst at " << s.worst;
  }
}

// f64 goes to libm (or intrinsics): exact to the last bit of libm.
TEST(MathTest, F64UsesLibm) {
  for (auto [op, ref] : {std::pair{kir::UnaryOp::kTanh, +[](double x) { return std::tanh(x); }},
                         std::pair{kir::UnaryOp::kErf, +[](double x) { return std::erf(x); }},
                         std::pair{kir::UnaryOp::kExp, +[](double x) { return std::exp(x); }},
                         std::pair{kir::UnaryOp::kLog, +[](double x) { return std::log(x); }}}) {
    Compiled fn = compile(unaryKernel(op, ScalarType::kF64, 100));
    std::vector<double> xs(100), ys(100);
    for (int i = 0; i < 100; ++i) xs[i] = 0.07 * (i + 1);
    fn({xs.data(), ys.data()});
    for (int i = 0; i < 100; ++i) EXPECT_EQ(ys[i], ref(xs[i])) << kir::unaryOpName(op) << " " << xs[i];
  }
}

// Each f16 op computes in f32 and rounds once.
TEST(MathTest, HalfTanh) {
  Compiled fn = compile(unaryKernel(kir::UnaryOp::kTanh, ScalarType::kF16, 3));
  // 0.5, 1.0, -2.0 as f16
  std::vector<uint16_t> xs = {0x3800, 0x3c00, 0xc000}, ys(3);
  fn({xs.data(), ys.data()});
  EXPECT_EQ(ys[0], 0x3765);  // tanh(0.5) = 0.462117 -> 0.462158
  EXPECT_EQ(ys[1], 0x3a18);  // tanh(1) = 0.76159 -> 0.76172
  EXPECT_EQ(ys[2], 0xbbb6);  // tanh(-2) = -0.964028 -> -0.963867
}

TEST(MathTest, TranscendentalsVectorize) {
  for (kir::UnaryOp op : {kir::UnaryOp::kExp, kir::UnaryOp::kTanh, kir::UnaryOp::kErf}) {
    kir::KernelModule m;
    m.kernels.push_back(unaryKernel(op, ScalarType::kF32, 1024));
    auto ir = emitLlvmIr(m, /*optimized=*/true);
    ASSERT_TRUE(ir.ok()) << ir.status();
    EXPECT_TRUE(std::regex_search(*ir, std::regex("<(8|16) x float>"))) << kir::unaryOpName(op);
    EXPECT_EQ(ir->find("call float"), std::string::npos) << *ir;
  }
}

}  // namespace
}  // namespace dlc::codegen::testing
