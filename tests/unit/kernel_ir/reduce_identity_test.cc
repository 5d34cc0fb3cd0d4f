// reduceIdentity and isReduceIdentity for every reduction and type. The
// asan preset's regression test for isReduceIdentity reading its identity
// through a pointer into a destroyed temporary (a heap-use-after-free).
#include <limits>

#include "gtest/gtest.h"
#include "ir/kernel/kernel_ir.h"

namespace dlc::kir {
namespace {

using ir::DType;

TEST(ReduceIdentity, EachIdentityIsRecognisedAndNothingElse) {
  for (ReduceOp op : {ReduceOp::kAdd, ReduceOp::kMul, ReduceOp::kMin, ReduceOp::kMax}) {
    for (DType type : {DType::kF32, DType::kF64, DType::kI32, DType::kI64}) {
      SCOPED_TRACE(testing::Message() << "op " << static_cast<int>(op) << " type " << ir::dtypeName(type));
      EXPECT_TRUE(isReduceIdentity(reduceIdentity(op, type), op));
      EXPECT_FALSE(isReduceIdentity(constant(type, 7), op));
    }
  }
  EXPECT_TRUE(isReduceIdentity(constant(DType::kF32, -std::numeric_limits<double>::infinity()), ReduceOp::kMax));
  EXPECT_FALSE(isReduceIdentity(constant(DType::kF32, 0), ReduceOp::kMul));
  Var k{0, DType::kI64, "k"};
  EXPECT_FALSE(isReduceIdentity(var(k), ReduceOp::kAdd));
}

}  // namespace
}  // namespace dlc::kir
