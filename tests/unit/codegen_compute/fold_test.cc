// Constant folding derives each elementwise op's scalar function from its
// compute (codegen/compute/fold.h, evaluated by ir/kernel/evaluate.h): every
// elementwise op of ir/ops.def, folded by canonicalize over constants that
// include -0, infinities and NaN, gives the reference interpreter's values.
#include "codegen/compute/fold.h"

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/op_table.h"
#include "passes/pass.h"
#include "reference/interpreter.h"
#include "tests/unit/common/ir_builders.h"

namespace dlc::codegen {
namespace {

using dlc::testing::attrs;
using ir::Attribute;
using ir::DType;
using ir::OpKind;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

const std::vector<double> kSpecials = {-kInf, -30, -2.5, -1, -0.0, 0, 0.5, 1, 3, 30, kInf, kNan};

struct Operand {
  std::vector<int64_t> shape;
  std::vector<double> values;
};

// The attributes each op with required (or interesting) ones is folded with.
ir::Attrs attrsFor(std::string_view op) {
  static const std::map<std::string, ir::Attrs, std::less<>> kAttrs = {
      {"leaky_relu", attrs({{"alpha", Attribute::real(0.2)}})},
      {"leaky_relu_grad", attrs({{"alpha", Attribute::real(0.2)}})},
      {"rescaling", attrs({{"scale", Attribute::real(0.5)}, {"offset", Attribute::real(-1.0)}})},
      {"cast", attrs({{"dtype", Attribute::dtype(DType::kF16)}})},
  };
  auto it = kAttrs.find(op);
  return it == kAttrs.end() ? ir::Attrs{} : it->second;
}

class FoldFixture {
 public:
  // op(constants...) in a function of its own; returns false (with a gtest
  // failure) if the op does not build.
  bool build(OpKind kind, DType dtype, const std::vector<Operand>& operands, ir::Attrs op_attrs) {
    fn_ = module_.addFunction("main");
    std::vector<ir::Value*> values;
    for (const Operand& o : operands) {
      ir::TensorType type{dtype, {}};
      for (int64_t d : o.shape) type.dims.push_back(ir::Dim::fixed(d));
      absl::StatusOr<ir::Operation*> c =
          fn_->append(OpKind::kConstant, {}, attrs({{"value", Attribute::floatList(o.values)}}), {}, {type});
      EXPECT_TRUE(c.ok()) << c.status();
      if (!c.ok()) return false;
      values.push_back((*c)->result(0));
    }
    absl::StatusOr<ir::Operation*> op = fn_->append(kind, values, std::move(op_attrs));
    EXPECT_TRUE(op.ok()) << ir::opDef(kind).name << ": " << op.status();
    if (!op.ok()) return false;
    fn_->setOutputs({(*op)->result(0)});
    return true;
  }

  std::vector<double> reference() {
    absl::StatusOr<std::vector<runtime::Tensor>> out = reference::interpret(module_, *fn_, {}, {}, {});
    EXPECT_TRUE(out.ok()) << out.status();
    std::vector<double> values;
    if (!out.ok()) return values;
    for (int64_t i = 0; i < (*out)[0].numElements(); ++i) values.push_back((*out)[0].get(i));
    return values;
  }

  // The folded values, or nothing when canonicalize left the op.
  std::optional<std::vector<double>> fold() {
    absl::Status s = passes::findPass("canonicalize")->create({})->run(module_);
    EXPECT_TRUE(s.ok()) << s;
    const ir::Value* out = fn_->outputs()[0];
    const ir::Operation* producer = out->producer();
    if (!producer || producer->kind() != OpKind::kConstant) return std::nullopt;
    std::vector<double> values = producer->attrs().find("value")->asFloatList();
    int64_t n = *out->type().numElements();
    if (values.size() == 1) values.assign(static_cast<size_t>(n), values[0]);
    return values;
  }

 private:
  ir::Module module_;
  ir::Function* fn_ = nullptr;
};

// The same value up to the last bit of `dtype` (the compute and the
// reference may round an intermediate differently); NaN and infinities
// exactly.
void expectSame(const std::vector<double>& folded, const std::vector<double>& want, DType dtype,
                const std::string& what) {
  ASSERT_EQ(folded.size(), want.size()) << what;
  double ulp = dtype == DType::kF64 ? 0x1p-50 : 0x1p-22;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::isnan(want[i]) || std::isinf(want[i])) {
      EXPECT_TRUE(std::isnan(want[i]) ? std::isnan(folded[i]) : folded[i] == want[i])
          << what << " element " << i << ": folded " << folded[i] << ", reference " << want[i];
      continue;
    }
    EXPECT_LE(std::fabs(folded[i] - want[i]), ulp * std::fabs(want[i]) + 1e-300)
        << what << " element " << i << ": folded " << folded[i] << ", reference " << want[i];
  }
}

// Folds op over `operands` and compares with the reference.
void checkFold(OpKind kind, DType dtype, const std::vector<Operand>& operands, ir::Attrs op_attrs = {}) {
  std::string what = std::string(ir::opDef(kind).name) + " " + std::string(ir::dtypeName(dtype));
  FoldFixture f;
  if (!f.build(kind, dtype, operands, std::move(op_attrs))) return;
  std::vector<double> want = f.reference();
  std::optional<std::vector<double>> folded = f.fold();
  ASSERT_TRUE(folded) << what << " was not folded";
  expectSame(*folded, want, dtype, what);
}

TEST(DerivedFold, EveryElementwiseOpEqualsTheReference) {
  int ops = 0;
  for (const ir::OpDef& def : ir::allOps()) {
    if (!def.has(ir::kElementwise)) continue;
    ++ops;
    for (DType dtype : {DType::kF32, DType::kF64}) {
      ir::Attrs a = attrsFor(def.name);
      SCOPED_TRACE(std::string(def.name));
      int64_t n = static_cast<int64_t>(kSpecials.size());
      if (def.min_operands == 1) {
        checkFold(def.kind, dtype, {{{n}, kSpecials}}, a);
      } else if (def.min_operands == 2) {
        // Every pair: [n, 1] against [n].
        checkFold(def.kind, dtype, {{{n, 1}, kSpecials}, {{n}, kSpecials}}, a);
      } else {
        // Every triple (select): [n, 1, 1], [n, 1] and [n].
        checkFold(def.kind, dtype, {{{n, 1, 1}, kSpecials}, {{n, 1}, kSpecials}, {{n}, kSpecials}}, a);
      }
    }
  }
  EXPECT_GE(ops, 20);
}

TEST(DerivedFold, Casts) {
  std::vector<double> finite = {-2.75, -1, -0.5, 0, 0.25, 1, 2.5, 1000};
  int64_t n = static_cast<int64_t>(finite.size());
  for (DType to : {DType::kI32, DType::kI64, DType::kBool, DType::kF16, DType::kBF16, DType::kF64})
    checkFold(OpKind::kCast, DType::kF32, {{{n}, finite}}, attrs({{"dtype", Attribute::dtype(to)}}));
  checkFold(OpKind::kCast, DType::kF32, {{{12}, kSpecials}}, attrs({{"dtype", Attribute::dtype(DType::kBool)}}));
}

// Integers: division truncates, comparisons give 1 or 0 in the operands'
// dtype, and a value the dtype does not hold is not folded.
TEST(DerivedFold, Integers) {
  std::vector<double> lhs = {-7, -3, -1, 0, 1, 2, 5, 9};
  std::vector<double> rhs = {-4, -2, -1, 1, 2, 3};
  for (DType dtype : {DType::kI32, DType::kI64}) {
    for (OpKind k : {OpKind::kAdd, OpKind::kSub, OpKind::kMul, OpKind::kDiv, OpKind::kMaximum, OpKind::kMinimum,
                     OpKind::kEqual, OpKind::kGreater})
      checkFold(k, dtype, {{{8, 1}, lhs}, {{6}, rhs}});
    checkFold(OpKind::kSelect, dtype, {{{8, 1, 1}, lhs}, {{8, 1}, lhs}, {{6}, rhs}});
  }

  FoldFixture by_zero;
  ASSERT_TRUE(by_zero.build(OpKind::kDiv, DType::kI32, {{{2}, {1, 2}}, {{2}, {1, 0}}}, {}));
  EXPECT_FALSE(by_zero.fold()) << "an integer division by zero is left to run";
  FoldFixture overflow;
  ASSERT_TRUE(overflow.build(OpKind::kAdd, DType::kI32, {{{1}, {2147483647}}, {{1}, {1}}}, {}));
  EXPECT_FALSE(overflow.fold()) << "an i32 sum past 2^31 is not folded";
}

// The scalar function itself, without rounding to a dtype.
TEST(DerivedFold, ScalarFoldInDouble) {
  ir::Module module;
  ir::Function* fn = module.addFunction("main");
  ir::Value* x = fn->addArgument(ir::TensorType{DType::kF32, {ir::Dim::fixed(2)}}, "x");
  ir::Operation* gelu = *fn->append(OpKind::kGelu, {x}, {});
  std::optional<ScalarFold> f = ScalarFold::of(*gelu);
  ASSERT_TRUE(f);
  double one = 1.0;
  EXPECT_DOUBLE_EQ(*(*f)(std::span<const double>(&one, 1)), 0.8413447460685429);  // not f32-rounded
  ir::Value* y = fn->addArgument(ir::TensorType{DType::kF32, {ir::Dim::symbolic("batch")}}, "y");
  EXPECT_FALSE(ScalarFold::of(**fn->append(OpKind::kRelu, {y}, {}))) << "a symbolic shape";
  ir::Value* m = fn->addArgument(ir::TensorType{DType::kF32, {ir::Dim::fixed(2), ir::Dim::fixed(2)}}, "m");
  EXPECT_FALSE(ScalarFold::of(**fn->append(OpKind::kSoftmax, {m}, {}))) << "not elementwise";
}

}  // namespace
}  // namespace dlc::codegen
