// Per-row reductions as vector lanes (ir/kernel/reduction_lanes.h) on
// hand-written kernel IR: the structure, the same results as the rows
// (test evaluator and JIT), and the loops it must leave alone.
#include "ir/kernel/reduction_lanes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ir/kernel/printer.h"
#include "ir/kernel/walk.h"
#include "tests/unit/codegen_llvm/test_util.h"
#include "tests/unit/register_tiling/test_util.h"

namespace dlc::codegen::testing {
namespace {

using kir::ForStmt;
using kir::Kernel;

// A bias gradient with a momentum update: per channel %i, the sum over
// batch and pixels of g[n, s, i], read with a stride of 32 per row.
constexpr const char* kColumnSums = R"(
kernel @bias_grad {
  in %g: f32[1536]
  in %m: f32[32]
  out %sum: f32[32]
  out %m_next: f32[32]
  parallel for %i = 0 to 32 {
    let %r: f32 = reduce add %n in 0 to 4 init 0.0:f32 (reduce add %s in 0 to 12 init 0.0:f32 (%g[add(mul(add(mul(%n, 12), %s), 32), %i)]))
    let %t: f32 = add(mul(%m[%i], 0.9:f32), mul(%r, 0.1:f32))
    store %sum[%i] = %r
    store %m_next[%i] = %t
  }
}
)";

// Ten columns: fewer than a register's lanes, one iteration of ten.
constexpr const char* kTenColumns = R"(
kernel @ten {
  in %g: f32[640]
  out %y: f32[10]
  parallel for %i = 0 to 10 {
    let %r: f32 = reduce max %n in 0 to 64 init -inf:f32 (%g[add(mul(%n, 10), %i)])
    store %y[%i] = %r
  }
}
)";

// Row sums: each row reads its own contiguous row, nothing along %i.
constexpr const char* kRowSums = R"(
kernel @row_sums {
  in %x: f32[640]
  out %y: f32[64]
  parallel for %i = 0 to 64 {
    let %r: f32 = reduce add %k in 0 to 10 init 0.0:f32 (%x[add(mul(%i, 10), %k)])
    store %y[%i] = %r
  }
}
)";

// 40 columns: more than 16 lanes and not a multiple of them.
constexpr const char* kFortyColumns = R"(
kernel @forty {
  in %g: f32[2560]
  out %y: f32[40]
  parallel for %i = 0 to 40 {
    let %r: f32 = reduce add %n in 0 to 64 init 0.0:f32 (%g[add(mul(%n, 40), %i)])
    store %y[%i] = %r
  }
}
)";

// The reduction reads a `let` of the row.
constexpr const char* kReadsARowLet = R"(
kernel @row_let {
  in %g: f32[2048]
  out %y: f32[32]
  parallel for %i = 0 to 32 {
    let %c: i64 = rem(%i, 32)
    let %r: f32 = reduce add %n in 0 to 64 init 0.0:f32 (%g[add(mul(%n, 32), %c)])
    store %y[%i] = %r
  }
}
)";

Kernel rewrittenAndChecked(const Kernel& k) {
  Kernel lanes = k;
  EXPECT_EQ(kir::reductionsToLanes(lanes, 64), 1);
  expectVerifiesAndPrintsBack(lanes);
  // A nest of reductions becomes one running sum: the same values up to
  // rounding.
  std::vector<std::vector<double>> want = evaluate(k), got = evaluate(lanes);
  EXPECT_EQ(got.size(), want.size());
  for (size_t b = 0; b < want.size() && b < got.size(); ++b)
    for (size_t i = 0; i < want[b].size(); ++i) EXPECT_NEAR(got[b][i], want[b][i], 1e-5) << b << "," << i;
  return lanes;
}

TEST(ReductionLanes, ColumnsBecomeLanesOfOneAccumulator) {
  Kernel lanes = rewrittenAndChecked(parseKernel(kColumnSums));
  std::string text = kir::printKernel(lanes);
  // Two iterations of 16 lanes; the nest reads 16 consecutive floats.
  EXPECT_NE(text.find("local %acc4: f32[16]"), std::string::npos) << text;
  EXPECT_NE(text.find("parallel for %i.lanes = 0 to 2 {"), std::string::npos) << text;
  EXPECT_NE(text.find("    for %n = 0 to 4 {\n"
                      "      for %s = 0 to 12 {\n"
                      "        vector for %l = 0 to 16 {\n"
                      "          store %acc4[%l] = add(%acc4[%l], %g[add(mul(add(mul(%n, 12), %s), 32), "
                      "add(mul(%i.lanes, 16), %l))])\n"),
            std::string::npos)
      << text;
  // The rest of the row runs per lane, reading the accumulator.
  EXPECT_NE(text.find("let %i: i64 = add(mul(%i.lanes, 16), %l)\n      let %r: f32 = %acc4[%l]"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("reduce"), std::string::npos) << text;
}

TEST(ReductionLanes, FewerRowsThanLanesMakeOneIteration) {
  Kernel lanes = rewrittenAndChecked(parseKernel(kTenColumns));
  const ForStmt& loop = *lanes.body.at(0).as<ForStmt>();
  EXPECT_EQ(loop.hi - loop.lo, 1);
  EXPECT_EQ(lanes.buffers.back().size, 10);
}

TEST(ReductionLanes, LeavesLoopsItDoesNotApplyTo) {
  for (const char* text : {kRowSums, kFortyColumns, kReadsARowLet}) {
    Kernel k = parseKernel(text);
    std::string before = kir::printKernel(k);
    EXPECT_EQ(kir::reductionsToLanes(k, 64), 0) << before;
    EXPECT_EQ(kir::printKernel(k), before);
  }
}

TEST(ReductionLanes, CompiledLanesMatchTheRows) {
  Kernel k = parseKernel(kColumnSums);
  Kernel lanes = k;
  lanes.name = "bias_grad_lanes";
  ASSERT_EQ(kir::reductionsToLanes(lanes, 64), 1);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::vector<float> g(1536), m(32), sum(32), m_next(32), sum_lanes(32), m_next_lanes(32);
  for (float& f : g) f = uniform(rng);
  for (float& f : m) f = uniform(rng);
  compile(k)({g.data(), m.data(), sum.data(), m_next.data()});
  compile(lanes)({g.data(), m.data(), sum_lanes.data(), m_next_lanes.data()});
  for (size_t i = 0; i < 32; ++i) {
    EXPECT_NEAR(sum_lanes[i], sum[i], 1e-5F) << i;
    EXPECT_NEAR(m_next_lanes[i], m_next[i], 1e-5F) << i;
  }
}

}  // namespace
}  // namespace dlc::codegen::testing
