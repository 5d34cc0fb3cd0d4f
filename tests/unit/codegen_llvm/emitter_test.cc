// Kernels built with the kir builders, compiled, and compared with plain C++.
#include <cmath>
#include <cstdint>
#include <numeric>
#include <regex>

#include "tests/unit/codegen_llvm/test_util.h"

namespace dlc::codegen::testing {
namespace {

using kir::load;
using kir::var;

// y[i, j] = max(x[i, j] + b[j], 0): parallel rows, vector columns, a let.
TEST(EmitterTest, BroadcastAddRelu) {
  constexpr int64_t kRows = 64, kCols = 10;
  kir::Kernel k{.name = "add_relu"};
  auto x = k.addBuffer({"x", ScalarType::kF32, kRows * kCols, BufferRole::kIn});
  auto b = k.addBuffer({"b", ScalarType::kF32, kCols, BufferRole::kIn});
  auto y = k.addBuffer({"y", ScalarType::kF32, kRows * kCols, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i"), j = k.newVar(ScalarType::kI64, "j");
  kir::Var t = k.newVar(ScalarType::kF32, "t");
  ExprRef at = add(mul(var(i), kir::index(kCols)), var(j));
  k.body.push_back(forLoop(i, 0, kRows, LoopKind::kParallel,
                           {forLoop(j, 0, kCols, LoopKind::kVector,
                                    {
                                        let(t, add(load(x, ScalarType::kF32, at), load(b, ScalarType::kF32, var(j)))),
                                        store(y, at, kir::binary(BinaryOp::kMax, var(t), f32(0))),
                                    })}));
  Compiled fn = compile(std::move(k));
  std::vector<float> xs(kRows * kCols), bs(kCols), ys(kRows * kCols, -1);
  for (size_t n = 0; n < xs.size(); ++n) xs[n] = std::sin(static_cast<float>(n));
  for (size_t n = 0; n < bs.size(); ++n) bs[n] = 0.1F * static_cast<float>(n) - 0.5F;
  fn({xs.data(), bs.data(), ys.data()});
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t c = 0; c < kCols; ++c)
      ASSERT_EQ(ys[r * kCols + c], std::max(xs[r * kCols + c] + bs[c], 0.0F)) << r << "," << c;
}

// out[i] = sum_k x[i, k]: a reduction per row, in a parallel loop.
TEST(EmitterTest, RowSum) {
  constexpr int64_t kRows = 37, kCols = 784;
  kir::Kernel k{.name = "row_sum"};
  auto x = k.addBuffer({"x", ScalarType::kF32, kRows * kCols, BufferRole::kIn});
  auto out = k.addBuffer({"out", ScalarType::kF32, kRows, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i"), kk = k.newVar(ScalarType::kI64, "k");
  ExprRef body = load(x, ScalarType::kF32, add(mul(var(i), kir::index(kCols)), var(kk)));
  k.body.push_back(forLoop(i, 0, kRows, LoopKind::kParallel,
                           {store(out, var(i), kir::reduce(kir::ReduceOp::kAdd, kk, 0, kCols, f32(0), body))}));
  Compiled fn = compile(std::move(k));
  std::vector<float> xs(kRows * kCols), outs(kRows);
  for (size_t n = 0; n < xs.size(); ++n) xs[n] = std::cos(0.01F * static_cast<float>(n));
  fn({xs.data(), outs.data()});
  for (int64_t r = 0; r < kRows; ++r) {
    double sum = 0;
    for (int64_t c = 0; c < kCols; ++c) sum += xs[r * kCols + c];
    EXPECT_NEAR(outs[r], sum, 1e-4 * kCols) << r;
  }
}

// Float sums carry `reassoc`, so a reduction loop vectorizes.
TEST(EmitterTest, ReductionVectorizes) {
  kir::Kernel k{.name = "sum"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 4096, BufferRole::kIn});
  auto out = k.addBuffer({"out", ScalarType::kF32, 1, BufferRole::kOut});
  kir::Var kk = k.newVar(ScalarType::kI64, "k");
  k.body.push_back(store(out, kir::index(0),
                         kir::reduce(kir::ReduceOp::kAdd, kk, 0, 4096, f32(0), load(x, ScalarType::kF32, var(kk)))));
  kir::KernelModule m;
  m.kernels.push_back(std::move(k));
  auto ir = emitLlvmIr(m, /*optimized=*/true);
  ASSERT_TRUE(ir.ok()) << ir.status();
  EXPECT_TRUE(std::regex_search(*ir, std::regex("fadd reassoc [a-z ]*<(8|16) x float>"))) << *ir;
}

// Max and min reductions, and an empty reduction (its init).
TEST(EmitterTest, MinMaxAndEmptyReductions) {
  kir::Kernel k{.name = "minmax"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 100, BufferRole::kIn});
  auto out = k.addBuffer({"out", ScalarType::kF32, 3, BufferRole::kOut});
  kir::Var a = k.newVar(ScalarType::kI64, "a"), c = k.newVar(ScalarType::kI64, "c"),
           e = k.newVar(ScalarType::kI64, "e");
  auto mx = kir::reduce(kir::ReduceOp::kMax, a, 0, 100, kir::reduceIdentity(kir::ReduceOp::kMax, ScalarType::kF32),
                        load(x, ScalarType::kF32, var(a)));
  auto mn = kir::reduce(kir::ReduceOp::kMin, c, 0, 100, kir::reduceIdentity(kir::ReduceOp::kMin, ScalarType::kF32),
                        load(x, ScalarType::kF32, var(c)));
  auto empty = kir::reduce(kir::ReduceOp::kAdd, e, 5, 5, f32(42), load(x, ScalarType::kF32, var(e)));
  k.body.push_back(store(out, kir::index(0), mx));
  k.body.push_back(store(out, kir::index(1), mn));
  k.body.push_back(store(out, kir::index(2), empty));
  Compiled fn = compile(std::move(k));
  std::vector<float> xs(100), outs(3);
  for (int n = 0; n < 100; ++n) xs[n] = static_cast<float>((n * 37) % 101) - 50;
  fn({xs.data(), outs.data()});
  EXPECT_EQ(outs[0], *std::max_element(xs.begin(), xs.end()));
  EXPECT_EQ(outs[1], *std::min_element(xs.begin(), xs.end()));
  EXPECT_EQ(outs[2], 42.0F);
}

// A local array filled and read in unrolled loops, then an unrolled store.
TEST(EmitterTest, UnrollAndLocal) {
  kir::Kernel k{.name = "unroll_local"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 32, BufferRole::kIn});
  auto tmp = k.addBuffer({"tmp", ScalarType::kF32, 4, BufferRole::kLocal});
  auto y = k.addBuffer({"y", ScalarType::kF32, 32, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i"), u = k.newVar(ScalarType::kI64, "u"),
           w = k.newVar(ScalarType::kI64, "w");
  ExprRef at = add(mul(var(i), kir::index(4)), var(u));
  ExprRef at_w = add(mul(var(i), kir::index(4)), var(w));
  k.body.push_back(forLoop(
      i, 0, 8, LoopKind::kParallel,
      {
          forLoop(u, 0, 4, LoopKind::kUnroll, {store(tmp, var(u), mul(load(x, ScalarType::kF32, at), f32(2)))}),
          forLoop(
              w, 0, 4, LoopKind::kUnroll,
              {store(y, at_w, add(load(tmp, ScalarType::kF32, var(w)), load(tmp, ScalarType::kF32, kir::index(0))))}),
      }));
  Compiled fn = compile(std::move(k));
  std::vector<float> xs(32), ys(32);
  std::iota(xs.begin(), xs.end(), 1.0F);
  fn({xs.data(), nullptr, ys.data()});
  for (int n = 0; n < 32; ++n) EXPECT_EQ(ys[n], 2 * xs[n] + 2 * xs[n / 4 * 4]) << n;
}

// if (x[i] > 0) y[i] = x[i]; elements not taken keep their value.
TEST(EmitterTest, If) {
  kir::Kernel k{.name = "if_positive"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 50, BufferRole::kIn});
  auto y = k.addBuffer({"y", ScalarType::kF32, 50, BufferRole::kInOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  ExprRef xi = load(x, ScalarType::kF32, var(i));
  k.body.push_back(forLoop(i, 0, 50, LoopKind::kVector,
                           {kir::Stmt{kir::IfStmt{kir::binary(BinaryOp::kGt, xi, f32(0)), {store(y, var(i), xi)}}}}));
  Compiled fn = compile(std::move(k));
  std::vector<float> xs(50), ys(50, 7);
  for (int n = 0; n < 50; ++n) xs[n] = static_cast<float>(n % 3) - 1;
  fn({xs.data(), ys.data()});
  for (int n = 0; n < 50; ++n) EXPECT_EQ(ys[n], xs[n] > 0 ? xs[n] : 7) << n;
}

// Parallel iterations adding to shared elements: the adds are atomic.
TEST(EmitterTest, AccumulateInParallelLoop) {
  constexpr int64_t kN = 100000;
  kir::Kernel k{.name = "histogram"};
  auto hist = k.addBuffer({"hist", ScalarType::kF32, 7, BufferRole::kInOut});
  auto counts = k.addBuffer({"counts", ScalarType::kI64, 3, BufferRole::kInOut});
  auto halves = k.addBuffer({"halves", ScalarType::kF16, 2, BufferRole::kInOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  k.body.push_back(forLoop(
      i, 0, kN, LoopKind::kParallel,
      {
          store(hist, kir::binary(BinaryOp::kRem, var(i), kir::index(7)), f32(1), true),
          store(counts, kir::binary(BinaryOp::kRem, var(i), kir::index(3)), var(i), true),
          store(halves, kir::binary(BinaryOp::kRem, var(i), kir::index(2)), kir::constant(ScalarType::kF16, 1.0), true),
      }));
  Compiled fn = compile(std::move(k));
  std::vector<float> h(7, 0);
  std::vector<int64_t> c(3, 0);
  std::vector<uint16_t> halves_bits(2, 0);
  fn({h.data(), c.data(), halves_bits.data()});
  std::vector<int64_t> expect(3, 0);
  for (int64_t n = 0; n < kN; ++n) expect[n % 3] += n;
  for (int b = 0; b < 7; ++b) EXPECT_EQ(h[b], static_cast<float>(kN / 7 + (b < kN % 7 ? 1 : 0))) << b;
  EXPECT_EQ(c, expect);
  // 2048 is where f16 stops counting by one: 2048 + 1 rounds to 2048.
  EXPECT_EQ(halves_bits[0], 0x6800);  // 2048
  EXPECT_EQ(halves_bits[1], 0x6800);
}

// Serial accumulation (not atomic) and f16 <-> f32, bf16 rounding.
TEST(EmitterTest, HalfCasts) {
  kir::Kernel k{.name = "casts"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 6, BufferRole::kIn});
  auto h = k.addBuffer({"h", ScalarType::kF16, 6, BufferRole::kOut});
  auto bf = k.addBuffer({"bf", ScalarType::kBF16, 6, BufferRole::kOut});
  auto back = k.addBuffer({"back", ScalarType::kF32, 6, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  ExprRef xi = load(x, ScalarType::kF32, var(i));
  ExprRef hi = load(h, ScalarType::kF16, var(i));
  k.body.push_back(forLoop(i, 0, 6, LoopKind::kVector,
                           {
                               store(h, var(i), kir::cast(ScalarType::kF16, xi)),
                               store(bf, var(i), kir::cast(ScalarType::kBF16, xi)),
                               // f16 arithmetic rounds: h + h in f16, then to f32.
                               store(back, var(i), kir::cast(ScalarType::kF32, add(hi, hi))),
                           }));
  Compiled fn = compile(std::move(k));
  std::vector<float> xs = {1.0F, 1.0009765625F + 1e-4F, -65504.0F, 1e-8F, 3.140625F, 1.00390625F};
  std::vector<uint16_t> hs(6), bfs(6);
  std::vector<float> backs(6);
  fn({xs.data(), hs.data(), bfs.data(), backs.data()});
  EXPECT_EQ(hs[0], 0x3c00);
  EXPECT_EQ(hs[1], 0x3c01);  // rounds to nearest
  EXPECT_EQ(hs[2], 0xfbff);
  EXPECT_EQ(hs[3], 0x0000);  // below the smallest denormal/2
  EXPECT_EQ(bfs[0], 0x3f80);
  EXPECT_EQ(bfs[4], 0x4049);  // 3.140625 = 0x40490000
  EXPECT_EQ(bfs[5], 0x3f80);  // 1 + 2^-8 is a tie: rounds to even
  EXPECT_EQ(backs[0], 2.0F);
  EXPECT_EQ(backs[2], -INFINITY);  // -65504 * 2 overflows f16
}

uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Wrapping multiply, xor and logical shifts on i64, with constants above 2^53.
TEST(EmitterTest, SplitMix64) {
  kir::Kernel k{.name = "splitmix"};
  auto seed = k.addBuffer({"seed", ScalarType::kI64, 1, BufferRole::kIn});
  auto out = k.addBuffer({"out", ScalarType::kI64, 1000, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  kir::Var z1 = k.newVar(ScalarType::kI64, "z1"), z2 = k.newVar(ScalarType::kI64, "z2"),
           z3 = k.newVar(ScalarType::kI64, "z3");
  auto shr = [](ExprRef a, int64_t s) { return kir::binary(BinaryOp::kShr, a, kir::index(s)); };
  auto xr = [](ExprRef a, ExprRef b) { return kir::binary(BinaryOp::kXor, a, b); };
  k.body.push_back(
      forLoop(i, 0, 1000, LoopKind::kVector,
              {
                  let(z1, add(add(load(seed, ScalarType::kI64, kir::index(0)), var(i)),
                              i64(static_cast<int64_t>(0x9E3779B97F4A7C15ULL)))),
                  let(z2, mul(xr(var(z1), shr(var(z1), 30)), i64(static_cast<int64_t>(0xBF58476D1CE4E5B9ULL)))),
                  let(z3, mul(xr(var(z2), shr(var(z2), 27)), i64(static_cast<int64_t>(0x94D049BB133111EBULL)))),
                  store(out, var(i), xr(var(z3), shr(var(z3), 31))),
              }));
  Compiled fn = compile(std::move(k));
  int64_t s = -5;
  std::vector<uint64_t> outs(1000);
  fn({&s, outs.data()});
  for (int n = 0; n < 1000; ++n) ASSERT_EQ(outs[n], splitmix64(static_cast<uint64_t>(s + n))) << n;
}

// Comparisons give bool (stored as bytes); select; i32 ops and casts.
TEST(EmitterTest, SelectComparisonsAndIntegers) {
  kir::Kernel k{.name = "select_cmp"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 64, BufferRole::kIn});
  auto mask = k.addBuffer({"mask", ScalarType::kBool, 64, BufferRole::kOut});
  auto y = k.addBuffer({"y", ScalarType::kF32, 64, BufferRole::kOut});
  auto q = k.addBuffer({"q", ScalarType::kI32, 64, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  ExprRef xi = load(x, ScalarType::kF32, var(i));
  ExprRef pos = kir::binary(BinaryOp::kGe, xi, f32(0));
  ExprRef xi32 = kir::cast(ScalarType::kI32, xi);  // truncates toward zero, saturates
  ExprRef i32 = kir::cast(ScalarType::kI32, var(i));
  k.body.push_back(forLoop(
      i, 0, 64, LoopKind::kVector,
      {
          store(mask, var(i), kir::binary(BinaryOp::kAnd, pos, kir::binary(BinaryOp::kNe, var(i), kir::index(3)))),
          store(y, var(i), kir::select(pos, kir::unary(kir::UnaryOp::kSqrt, xi), kir::unary(kir::UnaryOp::kNeg, xi))),
          store(q, var(i),
                add(kir::binary(BinaryOp::kDiv, xi32, kir::constant(ScalarType::kI32, 3)),
                    kir::binary(BinaryOp::kShl, i32, kir::constant(ScalarType::kI32, 33)))),
      }));
  Compiled fn = compile(std::move(k));
  std::vector<float> xs(64);
  for (int n = 0; n < 64; ++n) xs[n] = (n % 2 ? -1.0F : 1.0F) * static_cast<float>(n) * 1.5F;
  xs[5] = 1e20F;
  std::vector<uint8_t> masks(64, 9);
  std::vector<float> ys(64);
  std::vector<int32_t> qs(64);
  fn({xs.data(), masks.data(), ys.data(), qs.data()});
  for (int n = 0; n < 64; ++n) {
    EXPECT_EQ(masks[n], (xs[n] >= 0 && n != 3) ? 1 : 0) << n;
    EXPECT_EQ(ys[n], xs[n] >= 0 ? std::sqrt(xs[n]) : -xs[n]) << n;
    int32_t xi_n = n == 5 ? INT32_MAX : static_cast<int32_t>(xs[n]);
    EXPECT_EQ(qs[n], xi_n / 3 + (n << 1)) << n;  // shift by 33 wraps to 1
  }
}

// A select whose untaken arm would load out of bounds (padding).
TEST(EmitterTest, GuardedLoadInSelect) {
  kir::Kernel k{.name = "pad"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 10, BufferRole::kIn});
  auto y = k.addBuffer({"y", ScalarType::kF32, 14, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  ExprRef src = kir::binary(BinaryOp::kSub, var(i), kir::index(2));
  ExprRef inside = kir::binary(BinaryOp::kAnd, kir::binary(BinaryOp::kGe, src, kir::index(0)),
                               kir::binary(BinaryOp::kLt, src, kir::index(10)));
  k.body.push_back(forLoop(i, 0, 14, LoopKind::kVector,
                           {store(y, var(i), kir::select(inside, load(x, ScalarType::kF32, src), f32(0)))}));
  Compiled fn = compile(std::move(k));
  std::vector<float> xs(10), ys(14);
  std::iota(xs.begin(), xs.end(), 1.0F);
  fn({xs.data(), ys.data()});
  for (int n = 0; n < 14; ++n) EXPECT_EQ(ys[n], n >= 2 && n < 12 ? xs[n - 2] : 0.0F) << n;
}

// A parallel loop inside a serial loop captures the outer index and a let.
TEST(EmitterTest, ParallelCapturesOuterValues) {
  kir::Kernel k{.name = "capture"};
  auto y = k.addBuffer({"y", ScalarType::kI64, 3 * 500, BufferRole::kOut});
  kir::Var o = k.newVar(ScalarType::kI64, "o"), s = k.newVar(ScalarType::kI64, "s"),
           i = k.newVar(ScalarType::kI64, "i");
  k.body.push_back(forLoop(o, 0, 3, LoopKind::kSerial,
                           {
                               let(s, mul(var(o), kir::index(1000))),
                               forLoop(i, 0, 500, LoopKind::kParallel,
                                       {store(y, add(mul(var(o), kir::index(500)), var(i)), add(var(s), var(i)))}),
                           }));
  Compiled fn = compile(std::move(k));
  std::vector<int64_t> ys(1500, -1);
  fn({ys.data()});
  for (int n = 0; n < 1500; ++n) ASSERT_EQ(ys[n], n / 500 * 1000 + n % 500) << n;
}

// Malformed kernels are reported as statuses, not crashes.
TEST(EmitterTest, ErrorsAreStatuses) {
  kir::Kernel k{.name = "bad"};
  auto x = k.addBuffer({"x", ScalarType::kF32, 4, BufferRole::kIn});
  kir::Var i = k.newVar(ScalarType::kI64, "i"), unbound = k.newVar(ScalarType::kI64, "nope");
  k.body.push_back(forLoop(i, 0, 4, LoopKind::kSerial, {store(x, var(unbound), f32(1))}));
  kir::KernelModule m;
  m.kernels.push_back(std::move(k));
  auto jit = compileAndLoad(m);
  ASSERT_FALSE(jit.ok());
  EXPECT_NE(jit.status().message().find("not in scope"), std::string::npos) << jit.status();
}

// A vector loop of f32 adds becomes SIMD code (zmm or ymm wide).
TEST(EmitterTest, VectorLoopVectorizes) {
  kir::Kernel k{.name = "vadd"};
  auto a = k.addBuffer({"a", ScalarType::kF32, 4096, BufferRole::kIn});
  auto b = k.addBuffer({"b", ScalarType::kF32, 4096, BufferRole::kIn});
  auto c = k.addBuffer({"c", ScalarType::kF32, 4096, BufferRole::kOut});
  kir::Var i = k.newVar(ScalarType::kI64, "i");
  k.body.push_back(
      forLoop(i, 0, 4096, LoopKind::kVector,
              {store(c, var(i), add(load(a, ScalarType::kF32, var(i)), load(b, ScalarType::kF32, var(i))))}));
  kir::KernelModule m;
  m.kernels.push_back(std::move(k));
  auto ir = emitLlvmIr(m, /*optimized=*/true);
  ASSERT_TRUE(ir.ok()) << ir.status();
  EXPECT_TRUE(std::regex_search(*ir, std::regex("fadd [a-z ]*<(8|16) x float>"))) << *ir;
  auto plain = emitLlvmIr(m, /*optimized=*/false);
  ASSERT_TRUE(plain.ok());
  EXPECT_NE(plain->find("llvm.loop.vectorize.enable"), std::string::npos);
  auto asm_text = emitAssembly(m);
  ASSERT_TRUE(asm_text.ok()) << asm_text.status();
  EXPECT_NE(asm_text->find("vaddps"), std::string::npos);
}

}  // namespace
}  // namespace dlc::codegen::testing
