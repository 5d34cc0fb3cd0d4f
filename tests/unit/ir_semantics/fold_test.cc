// Scalar folds of the elementwise ops, through the op table.
#include <cmath>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "ir/op_table.h"

namespace dlc::ir {
namespace {

double fold(OpKind kind, std::vector<double> x, Attrs attrs = {}) {
  const OpDef& def = opDef(kind);
  EXPECT_TRUE(normalizeAttrs(def, attrs).ok());
  return def.fold(x, attrs);
}

TEST(Fold, EveryElementwiseOpHasOne) {
  for (const OpDef& def : allOps())
    EXPECT_EQ(def.has(kElementwise), def.fold != nullptr) << def.name;
}

TEST(Fold, Unary) {
  EXPECT_EQ(fold(OpKind::kRelu, {-2.0}), 0.0);
  EXPECT_EQ(fold(OpKind::kRelu, {3.5}), 3.5);
  EXPECT_EQ(fold(OpKind::kSigmoid, {0.0}), 0.5);
  EXPECT_DOUBLE_EQ(fold(OpKind::kSigmoid, {2.0}), 1.0 / (1.0 + std::exp(-2.0)));
  EXPECT_DOUBLE_EQ(fold(OpKind::kSigmoid, {-2.0}), 1.0 / (1.0 + std::exp(2.0)));
  EXPECT_EQ(fold(OpKind::kSigmoid, {-1000.0}), 0.0);
  EXPECT_EQ(fold(OpKind::kSigmoid, {1000.0}), 1.0);
  EXPECT_DOUBLE_EQ(fold(OpKind::kTanh, {0.5}), std::tanh(0.5));
  // gelu is the exact erf form, not the tanh approximation.
  EXPECT_DOUBLE_EQ(fold(OpKind::kGelu, {1.0}), 0.8413447460685429);
  EXPECT_DOUBLE_EQ(fold(OpKind::kGelu, {-1.0}), -0.15865525393145707);
  EXPECT_EQ(fold(OpKind::kGelu, {0.0}), 0.0);
  EXPECT_DOUBLE_EQ(fold(OpKind::kExp, {1.0}), std::exp(1.0));
  EXPECT_DOUBLE_EQ(fold(OpKind::kLog, {std::exp(2.0)}), 2.0);
  EXPECT_TRUE(std::isnan(fold(OpKind::kLog, {-1.0})));
  EXPECT_EQ(fold(OpKind::kSqrt, {9.0}), 3.0);
  EXPECT_EQ(fold(OpKind::kAbs, {-4.0}), 4.0);
  EXPECT_EQ(fold(OpKind::kNeg, {4.0}), -4.0);
}

TEST(Fold, NanPropagates) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  for (OpKind k : {OpKind::kRelu, OpKind::kSigmoid, OpKind::kTanh, OpKind::kGelu, OpKind::kExp,
                   OpKind::kAbs, OpKind::kNeg, OpKind::kLeakyRelu})
    EXPECT_TRUE(std::isnan(fold(k, {nan}))) << opDef(k).name;
  for (OpKind k : {OpKind::kAdd, OpKind::kMaximum, OpKind::kMinimum}) {
    EXPECT_TRUE(std::isnan(fold(k, {nan, 1.0}))) << opDef(k).name;
    EXPECT_TRUE(std::isnan(fold(k, {1.0, nan}))) << opDef(k).name;
  }
}

TEST(Fold, WithAttributes) {
  EXPECT_DOUBLE_EQ(fold(OpKind::kLeakyRelu, {-2.0}), -0.6);  // default alpha 0.3
  EXPECT_EQ(fold(OpKind::kLeakyRelu, {2.0}), 2.0);
  Attrs alpha;
  alpha.set("alpha", Attribute::real(0.1));
  EXPECT_DOUBLE_EQ(fold(OpKind::kLeakyRelu, {-2.0}, alpha), -0.2);
  Attrs rescale;
  rescale.set("scale", Attribute::real(0.5));
  rescale.set("offset", Attribute::real(-1.0));
  EXPECT_EQ(fold(OpKind::kRescaling, {4.0}, rescale), 1.0);
  Attrs scale_only;
  scale_only.set("scale", Attribute::integer(2));  // an int converts to a float
  EXPECT_EQ(fold(OpKind::kRescaling, {4.0}, scale_only), 8.0);
  Attrs cast;
  cast.set("dtype", Attribute::dtype(DType::kF64));
  EXPECT_EQ(fold(OpKind::kCast, {1.25}, cast), 1.25);
}

TEST(Fold, Binary) {
  EXPECT_EQ(fold(OpKind::kAdd, {1.5, 2.0}), 3.5);
  EXPECT_EQ(fold(OpKind::kSub, {1.5, 2.0}), -0.5);
  EXPECT_EQ(fold(OpKind::kMul, {1.5, 2.0}), 3.0);
  EXPECT_EQ(fold(OpKind::kDiv, {1.5, 2.0}), 0.75);
  EXPECT_EQ(fold(OpKind::kDiv, {1.0, 0.0}), std::numeric_limits<double>::infinity());
  EXPECT_EQ(fold(OpKind::kMaximum, {1.5, 2.0}), 2.0);
  EXPECT_EQ(fold(OpKind::kMinimum, {1.5, 2.0}), 1.5);
}

}  // namespace
}  // namespace dlc::ir
