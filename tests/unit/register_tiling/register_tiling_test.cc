// Register tiling (ir/kernel/register_tiling.h) on hand-written kernel IR:
// the structure of the tiled loop, the same results as the untiled kernel
// (test evaluator and JIT), and the kernels it must leave alone.
#include "ir/kernel/register_tiling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "codegen/llvm/cpu_target.h"
#include "ir/kernel/analysis.h"
#include "ir/kernel/lane_blocking.h"
#include "ir/kernel/printer.h"
#include "ir/kernel/walk.h"
#include "tests/unit/codegen_llvm/test_util.h"
#include "tests/unit/register_tiling/test_util.h"

namespace dlc::codegen::testing {
namespace {

using kir::ForStmt;
using kir::Kernel;
using kir::RegisterTilingOptions;

// Ten rows (a parallel loop over %p with `let`s derived from it) of 64 lanes;
// each row accumulates x[r, p] * g[r, lane] over 32 values of r in two
// loops, the way the CPU schedule writes a convolution's kernel gradient.
constexpr const char* kRows = R"(
kernel @rows {
  in %x: f32[320]
  in %g: f32[2048]
  in %b: f32[64]
  out %y: f32[640]
  local %acc: f32[64]
  parallel for %p = 0 to 10 {
    let %h: i64 = div(%p, 5)
    let %k: i64 = rem(%p, 5)
    vector for %l = 0 to 64 {
      store %acc[%l] = %b[%l]
    }
    for %r0 = 0 to 8 {
      for %r1 = 0 to 4 {
        vector for %l = 0 to 64 {
          store %acc[%l] = add(%acc[%l], mul(%x[add(mul(add(mul(%r0, 4), %r1), 10), add(mul(%h, 5), %k))], %g[add(mul(add(mul(%r0, 4), %r1), 64), %l)]))
        }
      }
    }
    vector for %l = 0 to 64 {
      let %t: f32 = %acc[%l]
      store %y[add(mul(%p, 64), %l)] = max(%t, 0.0:f32)
    }
  }
}
)";

// The same with a reduction of the row's own values in the epilogue.
constexpr const char* kRowsWithReduction = R"(
kernel @rows_reduce {
  in %x: f32[320]
  in %g: f32[2048]
  out %y: f32[640]
  local %acc: f32[64]
  parallel for %p = 0 to 10 {
    vector for %l = 0 to 64 {
      store %acc[%l] = 0.0:f32
    }
    for %r = 0 to 32 {
      vector for %l = 0 to 64 {
        store %acc[%l] = add(%acc[%l], mul(%x[add(mul(%r, 10), %p)], %g[add(mul(%r, 64), %l)]))
      }
    }
    vector for %l = 0 to 64 {
      store %y[add(mul(%p, 64), %l)] = add(%acc[%l], reduce add %z in 0 to 8 init 0.0:f32 (%x[add(mul(%z, 10), %p)]))
    }
  }
}
)";

// Each row reads only its own values: nothing to share.
constexpr const char* kNothingShared = R"(
kernel @own_rows {
  in %x: f32[20480]
  out %y: f32[640]
  local %acc: f32[64]
  parallel for %p = 0 to 10 {
    vector for %l = 0 to 64 {
      store %acc[%l] = 0.0:f32
    }
    for %r = 0 to 32 {
      vector for %l = 0 to 64 {
        store %acc[%l] = add(%acc[%l], %x[add(mul(add(mul(%p, 32), %r), 64), %l)])
      }
    }
    vector for %l = 0 to 64 {
      store %y[add(mul(%p, 64), %l)] = %acc[%l]
    }
  }
}
)";

// 512 lanes: one row's accumulator alone takes all 32 registers (unblocked).
constexpr const char* kTooWide = R"(
kernel @wide_rows {
  in %x: f32[320]
  in %g: f32[16384]
  out %y: f32[5120]
  local %acc: f32[512]
  parallel for %p = 0 to 10 {
    vector for %l = 0 to 512 {
      store %acc[%l] = 0.0:f32
    }
    for %r = 0 to 32 {
      vector for %l = 0 to 512 {
        store %acc[%l] = add(%acc[%l], mul(%x[add(mul(%r, 10), %p)], %g[add(mul(%r, 512), %l)]))
      }
    }
    vector for %l = 0 to 512 {
      store %y[add(mul(%p, 512), %l)] = %acc[%l]
    }
  }
}
)";

// A bias add: the shared operand is read in no loop of its own.
constexpr const char* kElementwise = R"(
kernel @bias {
  in %x: f32[640]
  in %b: f32[64]
  out %y: f32[640]
  parallel for %p = 0 to 10 {
    vector for %l = 0 to 64 {
      store %y[add(mul(%p, 64), %l)] = add(%x[add(mul(%p, 64), %l)], %b[%l])
    }
  }
}
)";

// AVX2 (x86-64-v3): 16 registers of 8 floats.
constexpr kir::RegisterTilingOptions kAvx2 = {.vector_registers = 16, .vector_bytes = 32};

Kernel parse(const char* text) { return parseKernel(text); }

const ForStmt& topLoop(const Kernel& k) { return *k.body.at(0).as<ForStmt>(); }

// The vector loops nested in a serial loop (the reduction's innermost loops).
std::vector<const ForStmt*> reductionVectorLoops(const kir::StmtList& body) {
  std::vector<const ForStmt*> found;
  kir::forEachStmt(body, [&](const kir::Stmt& s) {
    const auto* f = s.as<ForStmt>();
    if (!f || f->kind != kir::LoopKind::kSerial) return;
    for (const kir::Stmt& inner : f->body)
      if (const auto* v = inner.as<ForStmt>(); v && v->kind == kir::LoopKind::kVector) found.push_back(v);
  });
  return found;
}

// Tiles a copy of `k`, checks that it verifies and prints back, and that it
// computes exactly what `k` computes (each row adds in the same order).
Kernel tiledAndChecked(const Kernel& k, const RegisterTilingOptions& options = {}) {
  Kernel tiled = k;
  EXPECT_EQ(kir::tileRegisters(tiled, options), 1);
  expectVerifiesAndPrintsBack(tiled);
  EXPECT_EQ(evaluate(tiled), evaluate(k));
  return tiled;
}

TEST(RegisterTiling, BudgetFollowsTheRegisterFile) {
  Kernel k = parse(kRows);
  // AVX-512: 4 registers per 64-lane row and one for its broadcast;
  // (32 - 4 for %g) / 5.
  EXPECT_EQ(kir::registerTileRows(k, topLoop(k)), 5);
  // AVX2's 16 ymm registers: 8 per row, no room for a second row.
  EXPECT_EQ(kir::registerTileRows(k, topLoop(k), {.vector_registers = 16, .vector_bytes = 32}), 0);
  // Twice as wide registers: (32 - 2) / 3 = 10 rows, capped at 8.
  EXPECT_EQ(kir::registerTileRows(k, topLoop(k), {.vector_bytes = 128}), 8);
}

TEST(RegisterTiling, JamsRowsAroundOneLoopNest) {
  Kernel tiled = tiledAndChecked(parse(kRows));
  // 10 rows, at most 6 per tile: two tiles of 5.
  const ForStmt& loop = topLoop(tiled);
  EXPECT_EQ(loop.kind, kir::LoopKind::kParallel);
  EXPECT_EQ(loop.hi - loop.lo, 2);
  EXPECT_EQ(tiled.buffers[4].size, 5 * 64);
  // One reduction nest whose vector loop updates the five rows from one
  // load of %g.
  std::vector<const ForStmt*> inner = reductionVectorLoops(loop.body);
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0]->body.size(), 5u);
  std::set<std::string> g_loads, acc_slices;
  for (const kir::Stmt& s : inner[0]->body) {
    const auto* store = s.as<kir::StoreStmt>();
    ASSERT_NE(store, nullptr);
    acc_slices.insert(kir::structuralKey(store->index));
    kir::rewrite(store->value, [&](const kir::ExprRef& e) -> kir::ExprRef {
      if (const auto* load = e->as<kir::LoadExpr>(); load && load->buffer == 1) g_loads.insert(kir::structuralKey(e));
      return nullptr;
    });
  }
  EXPECT_EQ(g_loads.size(), 1u);
  EXPECT_EQ(acc_slices.size(), 5u);
  EXPECT_NE(kir::printKernel(tiled).find("store %acc[add(%l, 256)] = add(%acc[add(%l, 256)], mul(%x["),
            std::string::npos)
      << kir::printKernel(tiled);
}

// kRowsWithReduction with an epilogue that reads another lane's accumulator
// (a reversal): the lanes are not independent, so they cannot be blocked.
Kernel crossLaneKernel() {
  std::string text = kRowsWithReduction;
  std::string epilogue = "add(%acc[%l], reduce add %z in 0 to 8 init 0.0:f32 (%x[add(mul(%z, 10), %p)]))";
  text.replace(text.find(epilogue), epilogue.size(), "%acc[sub(63, %l)]");
  return parseKernel(text.c_str());
}

TEST(RegisterTiling, SmallRegisterFilesBlockTheLanes) {
  Kernel k = parse(kRows);
  // AVX-512 keeps the 64 lanes: 5 rows of 4 registers and a broadcast.
  kir::RegisterTile avx512 = kir::planRegisterTile(k, topLoop(k));
  EXPECT_EQ(avx512.lanes, 0);
  EXPECT_EQ(avx512.rows, 5);
  // AVX2 blocks them by 16: 4 rows of 2 registers and a broadcast, and 2
  // for %g (16 of 32 lanes would fit only 2 rows).
  kir::RegisterTile avx2 = kir::planRegisterTile(k, topLoop(k), kAvx2);
  EXPECT_EQ(avx2.lanes, 16);
  EXPECT_EQ(avx2.rows, 4);
  // Neither where the lanes depend on each other.
  Kernel cross = crossLaneKernel();
  EXPECT_EQ(kir::independentLaneExtent(cross, topLoop(cross)), std::nullopt);
  EXPECT_EQ(kir::planRegisterTile(cross, topLoop(cross), kAvx2).lanes, 0);
  EXPECT_EQ(kir::independentLaneExtent(k, topLoop(k)), 64);
}

TEST(RegisterTiling, BlockedLanesJamRowsPerBlock) {
  Kernel tiled = tiledAndChecked(parse(kRows), kAvx2);
  // Tiles of 4, 4 and 2 rows; each runs 4 blocks of 16 lanes.
  const ForStmt& loop = topLoop(tiled);
  EXPECT_EQ(loop.hi - loop.lo, 3);
  ASSERT_EQ(loop.body.size(), 2u);
  const auto* full = loop.body[0].as<kir::IfStmt>();
  ASSERT_NE(full, nullptr);
  ASSERT_EQ(full->then_body.size(), 5u);  // four rows' %p, then the block loop
  const auto* blocks = full->then_body.back().as<ForStmt>();
  ASSERT_NE(blocks, nullptr);
  EXPECT_EQ(blocks->hi, 4);
  std::vector<const ForStmt*> inner = reductionVectorLoops(blocks->body);
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0]->hi, 16);
  std::string text = kir::printKernel(tiled);
  EXPECT_NE(text.find("let %l.3: i64 = add(mul(%lb, 16), %l.b)"), std::string::npos) << text;
  EXPECT_NE(text.find("store %acc[add(%l.b, 192)] = add(%acc[add(%l.b, 192)], mul(%x["), std::string::npos) << text;
  // The last tile's accumulators are a buffer of their own.
  EXPECT_NE(text.find("local %acc.last: f32[128]"), std::string::npos) << text;
  EXPECT_NE(text.find("store %acc.last[add(%l.b, 64)] = add(%acc.last[add(%l.b, 64)], mul(%x["), std::string::npos)
      << text;
}

// Tiles kRows (as edited) wrapped in a top-level loop of `outer` and
// checks that the loop stays as it was, `extent` iterations, around the
// tiled rows: 10 rows, two tiles of 5.
void expectRowsTiledInside(std::string text, const std::string& outer, kir::LoopKind kind, int64_t extent) {
  text.replace(text.find("  parallel for %p"), 0, "  " + outer + " {\n");
  text.replace(text.rfind("}"), 0, "}\n");
  Kernel k = parse(text.c_str());
  ASSERT_EQ(k.body.size(), 1u);
  Kernel tiled = tiledAndChecked(k);
  const auto* loop = tiled.body.at(0).as<ForStmt>();
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(loop->kind, kind);
  EXPECT_EQ(loop->hi, extent);
  const auto* rows = loop->body.at(0).as<ForStmt>();
  ASSERT_NE(rows, nullptr) << kir::printKernel(tiled);
  EXPECT_EQ(rows->kind, kir::LoopKind::kParallel);
  EXPECT_EQ(rows->hi, 2);
}

TEST(RegisterTiling, RowsOfEachStepOfATopLevelLoopAreTiled) {
  // A recurrence's steps (an LSTM's time loop): each step's parallel rows
  // are tiled as a top-level loop's are.
  expectRowsTiledInside(kRows, "for %step = 0 to 3", kir::LoopKind::kSerial, 3);
}

TEST(RegisterTiling, RowsOfEachProductOfATopLevelParallelLoopAreTiled) {
  // Independent products, one a thread (Winograd's planes): the inner
  // parallel loop runs serially, and its rows are tiled as a top-level
  // loop's are. Each plane has its own g and y, so the planes are not rows
  // of one product (the outer loop is not tiled).
  std::string text = kRows;
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("in %g: f32[2048]", "in %g: f32[6144]");
  replace("out %y: f32[640]", "out %y: f32[1920]");
  replace("%g[add(mul(add(mul(%r0, 4), %r1), 64), %l)]",
          "%g[add(mul(%plane, 2048), add(mul(add(mul(%r0, 4), %r1), 64), %l))]");
  replace("store %y[add(mul(%p, 64), %l)]", "store %y[add(mul(%plane, 640), add(mul(%p, 64), %l))]");
  expectRowsTiledInside(text, "parallel for %plane = 0 to 3", kir::LoopKind::kParallel, 3);
}

TEST(RegisterTiling, RowsTooWideForTheRegistersAreBlocked) {
  // 512 lanes take all 32 registers for one row; blocks of 64 fit 5 rows.
  Kernel k = parse(kTooWide);
  EXPECT_LT(kir::registerTileRows(k, topLoop(k)), 2);
  kir::RegisterTile plan = kir::planRegisterTile(k, topLoop(k));
  EXPECT_EQ(plan.lanes, 64);
  EXPECT_EQ(plan.rows, 5);
  tiledAndChecked(k);
}

TEST(RegisterTiling, LanesAreBlockedOnlyWhenIndependent) {
  // A reduction in the epilogue reads only globals: still independent.
  Kernel reduce = parse(kRowsWithReduction);
  EXPECT_EQ(kir::planRegisterTile(reduce, topLoop(reduce), kAvx2).lanes, 16);
  tiledAndChecked(reduce, kAvx2);
  // A buffer the body writes and reads at another index.
  Kernel feedback = parse(kRows);
  std::string text = kir::printKernel(feedback);
  text.replace(text.find("store %acc[%l] = %b[%l]"), 23, "store %acc[%l] = %y[%l]");
  text.replace(text.find("in %b: f32[64]"), 14, "");
  text.replace(text.find("out %y"), 6, "inout %y");
  Kernel k = parse(text.c_str());
  EXPECT_EQ(kir::independentLaneExtent(k, topLoop(k)), std::nullopt) << text;
}

TEST(RegisterTiling, RemainderRowsRunInALastIteration) {
  // 10 rows by 4: two full tiles, then one of 2 rows.
  Kernel tiled = tiledAndChecked(parse(kRows), {.force_rows = 4});
  const ForStmt& loop = topLoop(tiled);
  EXPECT_EQ(loop.hi - loop.lo, 3);
  ASSERT_EQ(loop.body.size(), 2u);
  const auto* full = loop.body[0].as<kir::IfStmt>();
  const auto* last = loop.body[1].as<kir::IfStmt>();
  ASSERT_TRUE(full && last);
  EXPECT_EQ(reductionVectorLoops(full->then_body).at(0)->body.size(), 4u);
  EXPECT_EQ(reductionVectorLoops(last->then_body).at(0)->body.size(), 2u);
}

TEST(RegisterTiling, UnevenSplitsKeepTwoIterations) {
  // 3 rows fit one tile, but two iterations keep both cores busy: 2 + 1.
  Kernel k = parse(kRows);
  k.body[0].as<ForStmt>()->hi = 3;
  Kernel tiled = tiledAndChecked(k);
  EXPECT_EQ(topLoop(tiled).hi, 2);
}

TEST(RegisterTiling, ReductionsOfARowGetTheirOwnVar) {
  Kernel tiled = tiledAndChecked(parse(kRowsWithReduction));
  std::string text = kir::printKernel(tiled);
  EXPECT_NE(text.find("reduce add %z.0 in 0 to 8"), std::string::npos) << text;
  EXPECT_NE(text.find("reduce add %z.4 in 0 to 8"), std::string::npos) << text;
}

TEST(RegisterTiling, ShortInnerLoopsMergeWithTheLoopAroundThem) {
  Kernel tiled = tiledAndChecked(parse(kRows));
  std::string text = kir::printKernel(tiled);
  EXPECT_NE(text.find("    for %r0r1 = 0 to 32 {\n"
                      "      let %r0: i64 = div(%r0r1, 4)\n"
                      "      let %r1: i64 = rem(%r0r1, 4)\n"
                      "      vector for %l = 0 to 64 {\n"),
            std::string::npos)
      << text;
}

TEST(RegisterTiling, LeavesKernelsItDoesNotPay) {
  // A reduction of 8 steps: too little to share.
  Kernel short_sum = parse(kRows);
  short_sum.body[0].as<ForStmt>()->body[3].as<ForStmt>()->hi = 2;
  for (Kernel k : {short_sum, parse(kNothingShared), parse(kElementwise)}) {
    std::string before = kir::printKernel(k);
    EXPECT_LT(kir::registerTileRows(k, topLoop(k)), 2) << before;
    EXPECT_EQ(kir::tileRegisters(k), 0) << before;
    EXPECT_EQ(kir::printKernel(k), before);
  }
}

// The JIT runs the tiled kernel to the untiled one's results, and the
// accumulators of the tile are promoted to registers (no stack array left).
TEST(RegisterTiling, CompiledTiledKernelMatchesAndKeepsAccumulatorsInRegisters) {
  Kernel k = parse(kRows);
  Kernel tiled = k;
  tiled.name = "rows_tiled";
  ASSERT_EQ(kir::tileRegisters(tiled), 1);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::vector<float> x(320), g(2048), b(64), y(640), y_tiled(640);
  for (std::vector<float>* v : {&x, &g, &b})
    for (float& f : *v) f = uniform(rng);
  compile(k)({x.data(), g.data(), b.data(), y.data()});
  compile(tiled)({x.data(), g.data(), b.data(), y_tiled.data()});
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y_tiled[i], y[i], 1e-5F) << i;

  if (hostCpuTarget().features.find("+avx512f") == std::string::npos)
    GTEST_SKIP() << "the register check assumes AVX-512's 16-lane registers";
  kir::KernelModule module;
  module.kernels.push_back(tiled);
  absl::StatusOr<std::string> ir = emitLlvmIr(module, /*optimized=*/true);
  ASSERT_TRUE(ir.ok()) << ir.status();
  EXPECT_EQ(ir->find("alloca ["), std::string::npos) << *ir;
  // Each step of the reduction: five rows times four 16-lane multiply-adds.
  size_t fmas = 0;
  for (size_t at = ir->find("fadd contract <16 x float>"); at != std::string::npos;
       at = ir->find("fadd contract <16 x float>", at + 1))
    ++fmas;
  EXPECT_GE(fmas, 20u) << *ir;
}

// The AVX2 tile: compiled for x86-64-v3, the blocked kernel computes the
// untiled one's results, its accumulators stay in registers, and a step of
// the reduction is four rows times two 8-lane multiply-adds (and two rows
// in the last tile).
TEST(RegisterTiling, Avx2TileKeepsAccumulatorsInRegisters) {
  absl::StatusOr<CpuTarget> v3 = resolveCpuTarget("x86-64-v3");
  ASSERT_TRUE(v3.ok()) << v3.status();
  Kernel tiled = parse(kRows);
  ASSERT_EQ(kir::tileRegisters(tiled, kAvx2), 1);
  kir::KernelModule module;
  module.kernels.push_back(tiled);
  absl::StatusOr<std::string> ir = emitLlvmIr(module, /*optimized=*/true, *v3);
  ASSERT_TRUE(ir.ok()) << ir.status();
  EXPECT_EQ(ir->find("alloca ["), std::string::npos) << *ir;
  size_t fmas = 0;
  for (size_t at = ir->find("fadd contract <8 x float>"); at != std::string::npos;
       at = ir->find("fadd contract <8 x float>", at + 1))
    ++fmas;
  EXPECT_GE(fmas, 12u) << *ir;
  if (hostCpuTarget().features.find("+avx2") == std::string::npos) GTEST_SKIP() << "this CPU cannot run AVX2 code";
  Kernel k = parse(kRows);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::vector<float> x(320), g(2048), b(64), y(640), y_tiled(640);
  for (std::vector<float>* v : {&x, &g, &b})
    for (float& f : *v) f = uniform(rng);
  tiled.name = "rows_avx2";
  compile(k)({x.data(), g.data(), b.data(), y.data()});
  compile(tiled)({x.data(), g.data(), b.data(), y_tiled.data()});
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y_tiled[i], y[i], 1e-5F) << i;
}

}  // namespace
}  // namespace dlc::codegen::testing
