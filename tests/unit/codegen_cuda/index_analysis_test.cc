// How the CUDA backend sees an index move across the four lanes of a pack.
#include "ir/kernel/index_analysis.h"

#include <gtest/gtest.h>

#include "ir/kernel/analysis.h"
#include "tests/unit/codegen_cuda/test_kernels.h"

namespace dlc::kir {
namespace {

namespace tk = dlc::testing_kernels;
using kir::BinaryOp;
using kir::ExprRef;
using Kind = LaneStep::Kind;

kir::Var flat{0, kir::ScalarType::kI64, "flat"};
kir::Var other{1, kir::ScalarType::kI64, "n"};

ExprRef rem(ExprRef a, int64_t b) { return tk::op(BinaryOp::kRem, std::move(a), kir::index(b)); }
ExprRef quot(ExprRef a, int64_t b) { return tk::op(BinaryOp::kDiv, std::move(a), kir::index(b)); }
ExprRef times(ExprRef a, int64_t b) { return tk::mul(std::move(a), kir::index(b)); }

TEST(IndexAnalysis, AFlattenedIndexLinearizedAgainIsTheFlatCounter) {
  // i = p / 210, j = p / 7 % 30, k = p % 7; index i * 210 + j * 7 + k.
  ExprRef p = kir::var(flat);
  ExprRef index = tk::add(times(quot(p, 210), 210), tk::add(times(rem(quot(p, 7), 30), 7), rem(p, 7)));
  EXPECT_EQ(kir::structuralKey(simplifyIndex(index, {})), kir::structuralKey(p));
  // Through bindings, and with rows of 4095 (no lane-wise shortcut).
  kir::Var i{5, kir::ScalarType::kI64, "i"}, j{6, kir::ScalarType::kI64, "j"};
  ExprRef rows = tk::add(times(kir::var(i), 4095), kir::var(j));
  ExprRef folded = simplifyIndex(rows, {{i.id, quot(p, 4095)}, {j.id, rem(p, 4095)}});
  EXPECT_EQ(kir::structuralKey(folded), kir::structuralKey(p));
}

TEST(IndexAnalysis, DigitsThatDoNotLineUpStay) {
  ExprRef p = kir::var(flat);
  ExprRef index = tk::add(times(quot(p, 8), 10), rem(p, 8));  // a padded row
  EXPECT_NE(kir::structuralKey(simplifyIndex(index, {})), kir::structuralKey(p));
}

TEST(IndexAnalysis, LanesOfAFlatCounterReadOneAlignedRun) {
  ExprRef p = kir::var(flat);
  EXPECT_TRUE(isAlignedRun(laneStep(p, flat.id, 4), 4));
  // A row base that is a multiple of four keeps the run aligned.
  EXPECT_TRUE(isAlignedRun(laneStep(tk::add(times(kir::var(other), 1000), p), flat.id, 4), 4));
  // Shifted by one: contiguous, not aligned.
  LaneStep shifted = laneStep(tk::add(p, kir::index(1)), flat.id, 4);
  EXPECT_EQ(shifted.kind, Kind::kAffine);
  EXPECT_EQ(shifted.stride, 1);
  EXPECT_FALSE(isAlignedRun(shifted, 4));
  // Rows of 10: the base is only a multiple of two.
  EXPECT_FALSE(isAlignedRun(laneStep(tk::add(times(kir::var(other), 10), p), flat.id, 4), 4));
  // Strided by two.
  EXPECT_FALSE(isAlignedRun(laneStep(times(p, 2), flat.id, 4), 4));
}

TEST(IndexAnalysis, ABroadcastAlongRowsOfAMultipleOfFourIsARunToo) {
  ExprRef p = kir::var(flat);
  EXPECT_TRUE(isAlignedRun(laneStep(rem(p, 12), flat.id, 4), 4));       // b[j], rows of 12
  EXPECT_EQ(laneStep(quot(p, 12), flat.id, 4).kind, Kind::kInvariant);  // the row itself
  EXPECT_EQ(laneStep(rem(p, 7), flat.id, 4).kind, Kind::kUnknown);      // rows of 7 break groups
  EXPECT_EQ(laneStep(quot(p, 7), flat.id, 4).kind, Kind::kUnknown);
  EXPECT_EQ(laneStep(kir::var(other), flat.id, 4).kind, Kind::kInvariant);
}

TEST(IndexAnalysis, RangesBoundGuardedReads) {
  ExprRef p = kir::var(flat);
  std::map<int, Range> vars = {{flat.id, Range{0, 1023}}};
  EXPECT_EQ(indexRange(p, vars), (Range{0, 1023}));
  EXPECT_EQ(indexRange(tk::sub(p, kir::index(5)), vars), (Range{-5, 1018}));
  EXPECT_EQ(indexRange(rem(p, 7), vars), (Range{0, 6}));
  EXPECT_EQ(indexRange(quot(p, 10), vars), (Range{0, 102}));
  EXPECT_FALSE(indexRange(tk::add(p, kir::var(other)), vars).has_value());
}

}  // namespace
}  // namespace dlc::kir
