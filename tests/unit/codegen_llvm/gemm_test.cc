// The generated GEMM (codegen/gemm) against a plain triple loop in f64.
#include "bench/cpu/gemm/gemm.h"

#include <cmath>
#include <cstdint>
#include <regex>

#include "tests/unit/codegen_llvm/test_util.h"

namespace dlc::codegen::testing {
namespace {

struct Case {
  int64_t m, n, k;
  GemmOptions options;
};

void checkGemm(const Case& c) {
  const GemmOptions& o = c.options;
  SCOPED_TRACE(::testing::Message() << c.m << "x" << c.n << "x" << c.k << " ta=" << o.transpose_a
                                    << " tb=" << o.transpose_b << " bias=" << o.bias << " relu=" << o.relu
                                    << " acc=" << o.accumulate << " kc=" << o.kc << " nc=" << o.nc);
  kir::Kernel kernel = buildGemm("gemm", c.m, c.n, c.k, o);
  std::vector<int64_t> sizes;
  for (const kir::Buffer& b : kernel.buffers) sizes.push_back(b.size);
  std::vector<kir::BufferRole> roles;
  for (const kir::Buffer& b : kernel.buffers) roles.push_back(b.role);
  Compiled fn = compile(std::move(kernel));
  ASSERT_NE(fn.fn, nullptr);

  uint32_t state = static_cast<uint32_t>(c.m * 131 + c.n * 7 + c.k);
  auto next = [&] { return static_cast<float>((state = state * 1664525u + 1013904223u) >> 8) / 16777216.0F - 0.5F; };
  std::vector<float> a(c.m * c.k), b(c.k * c.n), bias(c.n), out(c.m * c.n);
  for (float& x : a) x = next();
  for (float& x : b) x = next();
  for (float& x : bias) x = next();
  for (float& x : out) x = next();  // the C read when accumulating
  std::vector<float> before = out;

  std::vector<std::vector<float>> storage;
  std::vector<void*> buffers = {a.data(), b.data()};
  if (o.bias) buffers.push_back(bias.data());
  buffers.push_back(out.data());
  for (size_t i = buffers.size(); i < sizes.size(); ++i) {
    storage.emplace_back(roles[i] == kir::BufferRole::kScratch ? sizes[i] : 0, NAN);
    buffers.push_back(storage.back().data());
  }
  fn(buffers);

  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < c.n; ++j) {
      double sum = o.accumulate ? before[i * c.n + j] : 0.0;
      for (int64_t p = 0; p < c.k; ++p) {
        double x = o.transpose_a ? a[p * c.m + i] : a[i * c.k + p];
        double y = o.transpose_b ? b[j * c.k + p] : b[p * c.n + j];
        sum += x * y;
      }
      if (o.bias) sum += bias[j];
      if (o.relu) sum = std::max(sum, 0.0);
      ASSERT_NEAR(out[i * c.n + j], sum, 1e-5 * std::sqrt(static_cast<double>(c.k)) + 1e-6) << i << "," << j;
    }
  }
}

GemmOptions small(int64_t kc, int64_t nc) {
  GemmOptions o;
  o.kc = kc;
  o.nc = nc;
  return o;
}

TEST(GemmTest, OneByOneByOne) { checkGemm({1, 1, 1, {}}); }

TEST(GemmTest, OddSizes) {
  checkGemm({17, 33, 65, {}});
  checkGemm({6, 64, 1, {}});    // exactly one tile
  checkGemm({7, 65, 3, {}});    // one past a tile each way
  checkGemm({5, 63, 513, {}});  // just under a tile; a partial KC block
  checkGemm({130, 200, 77, {}});
}

// Several NC and KC blocks, full and partial, with small blocking.
TEST(GemmTest, ManyBlocks) {
  checkGemm({23, 300, 50, small(16, 128)});  // 2 full + 1 partial NC, 3 full + 1 partial KC
  checkGemm({12, 256, 32, small(16, 128)});  // full blocks only
  checkGemm({13, 70, 40, small(40, 64)});    // one KC block; NC 64 + 6
}

TEST(GemmTest, Transposes) {
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      GemmOptions o = small(16, 128);
      o.transpose_a = ta;
      o.transpose_b = tb;
      checkGemm({19, 150, 37, o});
    }
  }
}

TEST(GemmTest, BiasReluAccumulate) {
  for (bool accumulate : {false, true}) {
    GemmOptions o = small(16, 64);
    o.bias = true;
    o.relu = true;
    o.accumulate = accumulate;
    checkGemm({11, 100, 45, o});  // several KC blocks: the epilogue only after the last
    checkGemm({11, 100, 10, o});  // a single KC block
    o = {};
    o.accumulate = accumulate;
    checkGemm({17, 33, 65, o});
  }
}

// The micro-kernel's accumulators live in zmm registers: the hot loop is
// FMAs with zmm operands (checked where the host has AVX-512).
TEST(GemmTest, MicroKernelUsesZmmFmas) {
  if (!__builtin_cpu_supports("avx512f")) GTEST_SKIP() << "no AVX-512 on this host";
  kir::KernelModule m;
  m.kernels.push_back(buildGemm("gemm", 64, 128, 64, {}));
  auto text = emitAssembly(m);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_TRUE(std::regex_search(*text, std::regex("vfmadd231ps\\s+.*zmm")));
}

}  // namespace
}  // namespace dlc::codegen::testing
