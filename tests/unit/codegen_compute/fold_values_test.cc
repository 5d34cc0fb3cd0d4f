// The values of the derived folds (codegen/compute/fold.h) in double, before
// any rounding to a dtype: the cases the hand-written folds had.
#include <cmath>
#include <limits>
#include <vector>

#include "codegen/compute/fold.h"
#include "gtest/gtest.h"
#include "ir/op_table.h"
#include "tests/unit/common/ir_builders.h"

namespace dlc::codegen {
namespace {

using ir::Attribute;
using ir::Attrs;
using ir::DType;
using ir::opDef;
using ir::OpKind;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Attrs A(std::initializer_list<std::pair<std::string, Attribute>> entries) { return dlc::testing::attrs(entries); }

// kind(x...) on f64 scalars, through the op's compute.
double fold(OpKind kind, std::vector<double> x, Attrs attrs = {}) {
  ir::Module module;
  ir::Function* fn = module.addFunction("main");
  std::vector<ir::Value*> args;
  for (size_t i = 0; i < x.size(); ++i)
    args.push_back(fn->addArgument(ir::TensorType{DType::kF64, {ir::Dim::fixed(1)}}, "x"));
  absl::StatusOr<ir::Operation*> op = fn->append(kind, args, std::move(attrs));
  EXPECT_TRUE(op.ok()) << op.status();
  if (!op.ok()) return kNaN;
  std::optional<ScalarFold> f = ScalarFold::of(**op);
  EXPECT_TRUE(f) << opDef(kind).name;
  if (!f) return kNaN;
  std::optional<double> v = (*f)(x);
  EXPECT_TRUE(v) << opDef(kind).name;
  return v ? *v : kNaN;
}

TEST(DerivedFoldValues, Unary) {
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

TEST(DerivedFoldValues, NanPropagates) {
  double nan = kNaN;
  for (OpKind k : {OpKind::kRelu, OpKind::kSigmoid, OpKind::kTanh, OpKind::kGelu, OpKind::kExp, OpKind::kAbs,
                   OpKind::kNeg, OpKind::kLeakyRelu})
    EXPECT_TRUE(std::isnan(fold(k, {nan}))) << opDef(k).name;
  for (OpKind k : {OpKind::kAdd, OpKind::kMaximum, OpKind::kMinimum}) {
    EXPECT_TRUE(std::isnan(fold(k, {nan, 1.0}))) << opDef(k).name;
    EXPECT_TRUE(std::isnan(fold(k, {1.0, nan}))) << opDef(k).name;
  }
}

TEST(DerivedFoldValues, WithAttributes) {
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

TEST(DerivedFoldValues, Binary) {
  EXPECT_EQ(fold(OpKind::kAdd, {1.5, 2.0}), 3.5);
  EXPECT_EQ(fold(OpKind::kSub, {1.5, 2.0}), -0.5);
  EXPECT_EQ(fold(OpKind::kMul, {1.5, 2.0}), 3.0);
  EXPECT_EQ(fold(OpKind::kDiv, {1.5, 2.0}), 0.75);
  EXPECT_EQ(fold(OpKind::kDiv, {1.0, 0.0}), std::numeric_limits<double>::infinity());
  EXPECT_EQ(fold(OpKind::kMaximum, {1.5, 2.0}), 2.0);
  EXPECT_EQ(fold(OpKind::kMinimum, {1.5, 2.0}), 1.5);
}

TEST(DerivedFoldValues, Comparisons) {
  EXPECT_EQ(fold(OpKind::kStep, {2.5}), 1.0);
  EXPECT_EQ(fold(OpKind::kStep, {0.0}), 0.0);
  EXPECT_EQ(fold(OpKind::kStep, {-0.0}), 0.0);
  EXPECT_EQ(fold(OpKind::kStep, {-3.0}), 0.0);
  EXPECT_TRUE(std::isnan(fold(OpKind::kStep, {kNaN})));
  EXPECT_EQ(fold(OpKind::kSign, {2.5}), 1.0);
  EXPECT_EQ(fold(OpKind::kSign, {0.0}), 0.0);
  EXPECT_EQ(fold(OpKind::kSign, {-kInf}), -1.0);
  EXPECT_TRUE(std::isnan(fold(OpKind::kSign, {kNaN})));
  EXPECT_EQ(fold(OpKind::kEqual, {2.0, 2.0}), 1.0);
  EXPECT_EQ(fold(OpKind::kEqual, {2.0, 3.0}), 0.0);
  EXPECT_EQ(fold(OpKind::kEqual, {kNaN, kNaN}), 0.0);
  EXPECT_EQ(fold(OpKind::kGreater, {3.0, 2.0}), 1.0);
  EXPECT_EQ(fold(OpKind::kGreater, {2.0, 2.0}), 0.0);
  EXPECT_EQ(fold(OpKind::kGreater, {kNaN, 2.0}), 0.0);
}

// select(cond, x, y): any nonzero cond, NaN and -inf too, picks x; -0 is zero.
TEST(DerivedFoldValues, Select) {
  EXPECT_EQ(fold(OpKind::kSelect, {1.0, 2.0, 3.0}), 2.0);
  EXPECT_EQ(fold(OpKind::kSelect, {0.0, 2.0, 3.0}), 3.0);
  EXPECT_EQ(fold(OpKind::kSelect, {-0.0, 2.0, 3.0}), 3.0);
  EXPECT_EQ(fold(OpKind::kSelect, {-0.5, 2.0, 3.0}), 2.0);
  EXPECT_EQ(fold(OpKind::kSelect, {-kInf, 2.0, 3.0}), 2.0);
  EXPECT_EQ(fold(OpKind::kSelect, {kNaN, 2.0, 3.0}), 2.0);
  EXPECT_TRUE(std::isnan(fold(OpKind::kSelect, {1.0, kNaN, 3.0})));
  EXPECT_EQ(fold(OpKind::kSelect, {0.0, kNaN, 3.0}), 3.0);  // the branch not taken does not leak
}

TEST(DerivedFoldValues, ElementwiseGrads) {
  // gelu'(x) = Phi(x) + x phi(x): against a central difference of the fold.
  for (double x : {-3.0, -1.0, -0.25, 0.0, 0.5, 2.0}) {
    double h = 1e-5;
    double slope = (fold(OpKind::kGelu, {x + h}) - fold(OpKind::kGelu, {x - h})) / (2 * h);
    EXPECT_NEAR(fold(OpKind::kGeluGrad, {x, 1.0}), slope, 1e-8) << x;
    EXPECT_NEAR(fold(OpKind::kGeluGrad, {x, -2.0}), -2.0 * slope, 1e-8) << x;
  }
  EXPECT_EQ(fold(OpKind::kGeluGrad, {0.0, 3.0}), 1.5);
  EXPECT_EQ(fold(OpKind::kGeluGrad, {kInf, 3.0}), 3.0);
  EXPECT_EQ(fold(OpKind::kGeluGrad, {-kInf, 3.0}), 0.0);
  EXPECT_TRUE(std::isnan(fold(OpKind::kGeluGrad, {kNaN, 1.0})));

  EXPECT_EQ(fold(OpKind::kLeakyReluGrad, {2.0, 5.0}), 5.0);
  EXPECT_DOUBLE_EQ(fold(OpKind::kLeakyReluGrad, {-2.0, 5.0}), 1.5);  // alpha 0.3
  EXPECT_DOUBLE_EQ(fold(OpKind::kLeakyReluGrad, {0.0, 5.0}), 1.5);
  EXPECT_DOUBLE_EQ(fold(OpKind::kLeakyReluGrad, {-1.0, 5.0}, A({{"alpha", Attribute::real(0.1)}})), 0.5);
  EXPECT_TRUE(std::isnan(fold(OpKind::kLeakyReluGrad, {kNaN, 1.0})));
}

}  // namespace
}  // namespace dlc::codegen
