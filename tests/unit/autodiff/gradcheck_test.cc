// The gradient check: for every differentiable op of the table, small f64
// functions loss = reduce_sum(op(x...) * w) with a fixed random w, whose
// gradients from appendGradients (evaluated by the reference interpreter)
// must match central finite differences. An op without a rule, or a
// differentiable op without cases here, fails the test: a new op cannot be
// added without its gradient being checked.
#include <cmath>
#include <cstdint>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "ir/ir.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/autodiff.h"
#include "reference/interpreter.h"
#include "support/strings.h"
#include "tests/unit/common/ir_builders.h"

namespace dlc::passes {
namespace {

using namespace dlc::testing;  // NOLINT: the shared IR builders

// How an operand's values are drawn.
enum class Fill {
  kSigned,    // uniform in +-[0.1, 1]: away from the kinks at 0
  kPositive,  // uniform in [0.5, 2]: log, sqrt, divisors, variances
  kTies,      // from {-0.5, 0, 0.5}: maximum/minimum ties (split evenly)
  kGrid,      // k / 1024, |k| < 1000: exact in f32 and under +-2^-10 steps
  kIds,       // integers in [0, range)
};

struct Operand {
  TensorType type;
  Fill fill = Fill::kSigned;
  int64_t range = 0;  // for kIds
  bool check = true;  // compare this operand's gradient (float operands only)
};

struct Case {
  std::string name;
  std::vector<Operand> operands;
  Attrs attrs = {};
  std::map<std::string, int64_t> sizes = {};  // values of the symbolic dims
  double eps = 1e-6;                          // finite-difference step
};

// ---- Builders for the table.

Dim S(std::string name) { return Dim::symbolic(std::move(name)); }

TensorType f64(std::vector<Dim> dims) { return TensorType{DType::kF64, std::move(dims)}; }
TensorType f64(std::initializer_list<int64_t> shape) {
  TensorType t{DType::kF64, {}};
  for (int64_t s : shape) t.dims.push_back(Dim::fixed(s));
  return t;
}

Operand x(TensorType t) { return {std::move(t)}; }
Operand x(std::initializer_list<int64_t> shape) { return {f64(shape)}; }
Operand pos(TensorType t) { return {std::move(t), Fill::kPositive}; }
Operand ties(std::initializer_list<int64_t> shape) { return {f64(shape), Fill::kTies}; }
Operand grid(TensorType t) { return {std::move(t), Fill::kGrid}; }
Operand ids(TensorType t, int64_t range) { return {std::move(t), Fill::kIds, range, false}; }
// An operand whose gradient is not compared (the rule gives none by design).
Operand fixed(Operand o) {
  o.check = false;
  return o;
}

Attribute I(int64_t v) { return Attribute::integer(v); }
Attribute F(double v) { return Attribute::real(v); }
Attribute B(bool v) { return Attribute::boolean(v); }
Attribute L(std::vector<int64_t> v) { return Attribute::intList(std::move(v)); }
Attribute Str(std::string v) { return Attribute::string(std::move(v)); }

const std::map<std::string, int64_t> kBatch3 = {{"batch", 3}};

std::vector<Case> unaryCases(Fill fill, Attrs a = {}) {
  auto op = [&](TensorType t) { return Operand{std::move(t), fill}; };
  return {
      {"vector", {op(f64({5}))}, a},
      {"matrix", {op(f64({2, 3}))}, a},
      {"symbolic", {op(f64({S("batch"), Dim::fixed(2), Dim::fixed(2)}))}, a, kBatch3},
  };
}

std::vector<Case> binaryCases(Fill rhs_fill = Fill::kSigned) {
  auto rhs = [&](TensorType t) { return Operand{std::move(t), rhs_fill}; };
  return {
      {"same", {x({2, 3}), rhs(f64({2, 3}))}},
      {"broadcast_rhs", {x({2, 3}), rhs(f64({3}))}},
      {"broadcast_both", {x({2, 1, 3}), rhs(f64({4, 1}))}},
      {"scalar_lhs", {x({}), rhs(f64({2, 2}))}},
      {"symbolic", {x(f64({S("batch"), Dim::fixed(3)})), rhs(f64({1, 3}))}, {}, kBatch3},
  };
}

std::vector<Case> selectCases() {
  std::vector<Case> cases = binaryCases();
  cases.push_back({"ties", {ties({3, 4}), ties({3, 4})}});
  cases.push_back({"ties_broadcast", {ties({3, 4}), ties({4})}});
  return cases;
}

// select(cond, x, y): cond, drawn with zeros (kTies) or as bool or i32 ids,
// has no gradient by design.
std::vector<Case> condSelectCases() {
  TensorType bools{DType::kBool, {Dim::fixed(3), Dim::fixed(1)}};
  TensorType i32s{DType::kI32, {Dim::fixed(4)}};
  return {
      {"same", {fixed(ties({2, 3})), x({2, 3}), x({2, 3})}},
      {"broadcast_all", {fixed(ties({3, 1})), x({4}), x({2, 1, 1})}},
      {"bool_cond", {ids(bools, 2), x({3, 4}), x({3, 4})}},
      {"i32_cond_scalar_y", {ids(i32s, 2), x({3, 4}), x({})}},
      {"symbolic",
       {fixed(ties({1, 3})), x(f64({S("batch"), Dim::fixed(3)})), x(f64({S("batch"), Dim::fixed(1)}))},
       {},
       kBatch3},
  };
}

Attrs conv(std::vector<int64_t> strides, std::string padding, std::vector<int64_t> dilation, int64_t groups) {
  return attrs({{"strides", L(std::move(strides))},
                {"padding", Str(std::move(padding))},
                {"dilation", L(std::move(dilation))},
                {"groups", I(groups)}});
}

Attrs pool(std::vector<int64_t> window, std::vector<int64_t> strides, std::string padding) {
  return attrs(
      {{"pool", L(std::move(window))}, {"strides", L(std::move(strides))}, {"padding", Str(std::move(padding))}});
}

std::vector<Case> poolCases() {
  return {
      {"2x2_valid", {x({1, 4, 4, 2})}, pool({2, 2}, {2, 2}, "valid")},
      {"3x3_stride2_same", {x({2, 5, 5, 1})}, pool({3, 3}, {2, 2}, "same")},
      {"2x2_overlapping", {x({1, 3, 3, 1})}, pool({2, 2}, {1, 1}, "valid")},
      {"2x3_same_symbolic",
       {x(f64({S("batch"), Dim::fixed(4), Dim::fixed(5), Dim::fixed(1)}))},
       pool({2, 3}, {2, 2}, "same"),
       kBatch3},
  };
}

std::vector<Case> softmaxCases() {
  return {
      {"vector", {x({4})}, attrs({{"axis", I(-1)}})},
      {"axis0", {x({2, 3})}, attrs({{"axis", I(0)}})},
      {"rank3_axis1", {x({2, 3, 4})}, attrs({{"axis", I(1)}})},
      {"symbolic", {x(f64({S("batch"), Dim::fixed(3)}))}, attrs({{"axis", I(1)}}), kBatch3},
  };
}

std::vector<Case> reduceCases() {
  return {
      {"all", {x({2, 3})}, attrs({{"axes", L({})}})},
      {"axis1_keepdims", {x({2, 3})}, attrs({{"axes", L({1})}, {"keepdims", B(true)}})},
      {"axes_0_2", {x({2, 3, 2})}, attrs({{"axes", L({0, -1})}})},
      {"symbolic_axis", {x(f64({S("batch"), Dim::fixed(3)}))}, attrs({{"axes", L({0})}}), kBatch3},
  };
}

// One batchnorm case: x, gamma, beta, and the moving statistics, whose
// gradient is none by design (they are not trained).
Case batchnorm(std::string name, std::initializer_list<int64_t> shape, int64_t axis, bool training) {
  TensorType xt = f64(shape);
  int64_t a = axis < 0 ? axis + xt.rank() : axis;
  TensorType ct = f64({xt.dims[static_cast<size_t>(a)].size()});
  return {std::move(name),
          {x(xt), x(ct), x(ct), fixed(x(ct)), fixed(pos(ct))},
          attrs({{"axis", I(axis)}, {"training", B(training)}})};
}

std::map<OpKind, std::vector<Case>> buildTable() {
  std::map<OpKind, std::vector<Case>> t;
  t[OpKind::kRelu] = unaryCases(Fill::kSigned);
  t[OpKind::kSigmoid] = unaryCases(Fill::kSigned);
  t[OpKind::kTanh] = unaryCases(Fill::kSigned);
  t[OpKind::kGelu] = unaryCases(Fill::kSigned);
  t[OpKind::kSoftplus] = unaryCases(Fill::kSigned);
  t[OpKind::kExp] = unaryCases(Fill::kSigned);
  t[OpKind::kLog] = unaryCases(Fill::kPositive);
  t[OpKind::kSqrt] = unaryCases(Fill::kPositive);
  t[OpKind::kAbs] = unaryCases(Fill::kSigned);
  t[OpKind::kNeg] = unaryCases(Fill::kSigned);
  t[OpKind::kLeakyRelu] = unaryCases(Fill::kSigned);
  for (Case& c : unaryCases(Fill::kSigned, attrs({{"alpha", F(0.1)}}))) {
    c.name += "_alpha";
    t[OpKind::kLeakyRelu].push_back(std::move(c));
  }
  t[OpKind::kRescaling] = unaryCases(Fill::kSigned, attrs({{"scale", F(0.5)}, {"offset", F(1.0)}}));
  t[OpKind::kRescaling].push_back({"negative_scale", {x({3})}, attrs({{"scale", F(-2.0)}})});

  // Steps of 2^-10 on values k / 1024 are exact in f32, so the finite
  // differences through an f32 cast are exact too (cast is linear).
  TensorType f32_vec{DType::kF32, {Dim::fixed(4)}};
  t[OpKind::kCast] = {
      {"f64_to_f32", {grid(f64({2, 3}))}, attrs({{"dtype", Attribute::dtype(DType::kF32)}}), {}, 0x1p-10},
      {"f32_to_f64", {grid(f32_vec)}, attrs({{"dtype", Attribute::dtype(DType::kF64)}}), {}, 0x1p-10},
      {"f64_to_f64", {x({3})}, attrs({{"dtype", Attribute::dtype(DType::kF64)}})},
      // Truncation to an integer is piecewise constant: a zero gradient.
      {"f64_to_i32", {grid(f64({4}))}, attrs({{"dtype", Attribute::dtype(DType::kI32)}}), {}, 0x1p-10},
  };

  t[OpKind::kAdd] = binaryCases();
  t[OpKind::kSub] = binaryCases();
  t[OpKind::kMul] = binaryCases();
  t[OpKind::kDiv] = binaryCases(Fill::kPositive);
  t[OpKind::kMaximum] = selectCases();
  t[OpKind::kMinimum] = selectCases();
  t[OpKind::kSelect] = condSelectCases();

  t[OpKind::kMatmul] = {
      {"2d", {x({2, 3}), x({3, 4})}},
      {"batched_lhs", {x({2, 2, 3}), x({3, 4})}},
      {"broadcast_batch", {x({1, 2, 3}), x({2, 3, 2})}},
      {"symbolic_batch",
       {x(f64({S("batch"), Dim::fixed(2), Dim::fixed(3)})), x(f64({S("batch"), Dim::fixed(3), Dim::fixed(2)}))},
       {},
       kBatch3},
  };
  t[OpKind::kDense] = {
      {"2d_bias", {x({2, 3}), x({3, 4}), x({4})}},
      {"1d_bias", {x({3}), x({3, 2}), x({2})}},
      {"3d_static", {x({2, 2, 3}), x({3, 2})}},
      {"3d_symbolic_bias", {x(f64({S("batch"), Dim::fixed(2), Dim::fixed(3)})), x({3, 2}), x({2})}, {}, kBatch3},
  };

  t[OpKind::kConv2d] = {
      {"3x3_valid_bias", {x({1, 5, 5, 2}), x({3, 3, 2, 3}), x({3})}, conv({1, 1}, "valid", {1, 1}, 1)},
      {"stride2_same", {x({2, 5, 5, 2}), x({3, 3, 2, 2})}, conv({2, 2}, "same", {1, 1}, 1)},
      {"dilation2", {x({1, 6, 6, 1}), x({2, 2, 1, 2}), x({2})}, conv({1, 1}, "valid", {2, 2}, 1)},
      {"dilation2_same", {x({1, 5, 4, 1}), x({3, 2, 1, 1})}, conv({1, 1}, "same", {2, 2}, 1)},
      {"groups2", {x({1, 4, 4, 4}), x({3, 3, 2, 4}), x({4})}, conv({1, 1}, "same", {1, 1}, 2)},
      {"stride2_symbolic_batch",
       {x(f64({S("batch"), Dim::fixed(4), Dim::fixed(5), Dim::fixed(2)})), x({2, 3, 2, 2})},
       conv({2, 1}, "valid", {1, 1}, 1),
       {{"batch", 2}}},
  };
  t[OpKind::kMaxpool2d] = poolCases();
  t[OpKind::kAvgpool2d] = poolCases();
  t[OpKind::kGlobalAvgpool2d] = {
      {"small", {x({1, 2, 2, 3})}},
      {"batch2", {x({2, 3, 1, 2})}},
      {"symbolic_batch", {x(f64({S("batch"), Dim::fixed(2), Dim::fixed(3), Dim::fixed(2)}))}, {}, kBatch3},
      {"symbolic_image", {x(f64({Dim::fixed(1), S("h"), S("w"), Dim::fixed(2)}))}, {}, {{"h", 2}, {"w", 3}}},
  };

  t[OpKind::kSoftmax] = softmaxCases();
  t[OpKind::kLogSoftmax] = softmaxCases();
  t[OpKind::kBatchnorm] = {
      batchnorm("inference_last_axis", {4, 3}, -1, false),
      batchnorm("inference_axis1", {2, 3, 2}, 1, false),
      batchnorm("inference_1d", {3}, 0, false),
      batchnorm("training_last_axis", {4, 3}, -1, true),
      batchnorm("training_axis1", {2, 3, 2, 2}, 1, true),
  };
  t[OpKind::kLayernorm] = {
      {"last_axis", {x({2, 4}), x({4}), x({4})}},
      {"axis1", {x({2, 3, 2}), x({3}), x({3})}, attrs({{"axis", I(1)}})},
      {"symbolic_batch", {x(f64({S("batch"), Dim::fixed(3)})), x({3}), x({3})}, attrs({{"epsilon", F(0.01)}}), kBatch3},
  };

  t[OpKind::kEmbedding] = {
      {"i32_ids", {ids(TensorType{DType::kI32, {Dim::fixed(3)}}, 5), x({5, 2})}},
      {"i64_repeated_ids", {ids(TensorType{DType::kI64, {Dim::fixed(2), Dim::fixed(4)}}, 3), x({3, 3})}},
      {"symbolic_batch", {ids(TensorType{DType::kI32, {S("batch"), Dim::fixed(2)}}, 4), x({4, 2})}, {}, kBatch3},
  };
  t[OpKind::kLstm] = {
      {"last", {x({2, 3, 2}), x({2, 8}), x({2, 8}), x({8})}, attrs({{"units", I(2)}})},
      {"sequences",
       {x({2, 3, 2}), x({2, 8}), x({2, 8}), x({8})},
       attrs({{"units", I(2)}, {"return_sequences", B(true)}})},
      {"three_units", {x({1, 4, 3}), x({3, 12}), x({3, 12}), x({12})}, attrs({{"units", I(3)}})},
      {"symbolic_batch",
       {x(f64({S("batch"), Dim::fixed(2), Dim::fixed(2)})), x({2, 4}), x({1, 4}), x({4})},
       attrs({{"units", I(1)}, {"return_sequences", B(true)}}),
       {{"batch", 2}}},
  };

  t[OpKind::kFlatten] = {
      {"rank3", {x({2, 3, 2})}},
      {"rank4", {x({2, 2, 1, 2})}},
      {"symbolic", {x(f64({S("batch"), Dim::fixed(3), Dim::fixed(2)}))}, {}, kBatch3},
  };
  t[OpKind::kReshape] = {
      {"2d", {x({2, 6})}, attrs({{"shape", Attribute::shape({Dim::fixed(3), Dim::fixed(4)})}})},
      {"infer", {x({2, 3, 2})}, attrs({{"shape", Attribute::shape({Dim::fixed(-1), Dim::fixed(2)})}})},
      {"symbolic",
       {x(f64({S("batch"), Dim::fixed(4)}))},
       attrs({{"shape", Attribute::shape({S("batch"), Dim::fixed(2), Dim::fixed(2)})}}),
       kBatch3},
  };
  t[OpKind::kTranspose] = {
      {"2d", {x({2, 3})}, attrs({{"perm", L({1, 0})}})},
      {"rank3", {x({2, 3, 4})}, attrs({{"perm", L({2, 0, 1})}})},
      {"symbolic", {x(f64({S("batch"), Dim::fixed(2), Dim::fixed(3)}))}, attrs({{"perm", L({1, 2, 0})}}), kBatch3},
  };
  t[OpKind::kConcat] = {
      {"last_axis", {x({2, 2}), x({2, 3})}},
      {"three_axis0", {x({1, 3}), x({2, 3}), x({1, 3})}, attrs({{"axis", I(0)}})},
      {"single", {x({2, 2})}},
      {"symbolic",
       {x(f64({S("batch"), Dim::fixed(2)})), x(f64({S("batch"), Dim::fixed(1)}))},
       attrs({{"axis", I(1)}}),
       kBatch3},
  };
  t[OpKind::kReduceSum] = reduceCases();
  t[OpKind::kReduceMean] = reduceCases();
  t[OpKind::kReduceMax] = reduceCases();

  t[OpKind::kDropout] = {
      {"training", {x({4, 5})}, attrs({{"rate", F(0.5)}, {"training", B(true)}})},
      {"training_key", {x({2, 3, 4})}, attrs({{"rate", F(0.2)}, {"training", B(true)}, {"key", I(7)}})},
      {"inference", {x({3, 3})}, attrs({{"rate", F(0.5)}})},
  };
  t[OpKind::kRandomFlip] = {
      {"horizontal", {x({4, 3, 3, 2})}, attrs({{"training", B(true)}})},
      {"vertical", {x({4, 3, 2, 1})}, attrs({{"mode", Str("vertical")}, {"training", B(true)}, {"key", I(3)}})},
      {"both",
       {x({4, 2, 3, 1})},
       attrs({{"mode", Str("horizontal_and_vertical")}, {"training", B(true)}, {"key", I(5)}})},
      {"inference", {x({1, 2, 2, 1})}},
  };
  t[OpKind::kRandomCrop] = {
      {"training", {x({2, 4, 5, 1})}, attrs({{"height", I(2)}, {"width", I(3)}, {"training", B(true)}})},
      {"training_key",
       {x({3, 3, 3, 1})},
       attrs({{"height", I(3)}, {"width", I(1)}, {"training", B(true)}, {"key", I(9)}})},
      {"inference_centre", {x({1, 4, 4, 2})}, attrs({{"height", I(2)}, {"width", I(2)}})},
  };

  t[OpKind::kSumTo] = {
      {"rank_drop", {x({2, 3}), x({3})}},
      {"inner_ones", {x({2, 3, 4}), x({3, 1})}},
      {"symbolic", {x(f64({S("batch"), Dim::fixed(3)})), x({1, 3})}, {}, kBatch3},
  };
  t[OpKind::kBroadcastTo] = {
      {"rank_grow", {x({3}), x({2, 3})}},
      {"inner_ones", {x({3, 1}), x({2, 3, 4})}},
      {"scalar", {x({}), x({2, 2})}},
      {"symbolic", {x({1, 3}), x(f64({S("batch"), Dim::fixed(3)}))}, {}, kBatch3},
  };
  t[OpKind::kSlice] = {
      {"middle", {x({5})}, attrs({{"axis", I(0)}, {"start", I(1)}, {"size", I(3)}})},
      {"front_axis1", {x({2, 4})}, attrs({{"axis", I(1)}, {"start", I(0)}, {"size", I(2)}})},
      {"back", {x({3, 2})}, attrs({{"axis", I(0)}, {"start", I(2)}, {"size", I(1)}})},
      {"symbolic",
       {x(f64({S("batch"), Dim::fixed(4)}))},
       attrs({{"axis", I(-1)}, {"start", I(1)}, {"size", I(2)}}),
       kBatch3},
  };
  t[OpKind::kPad] = {
      {"both_sides", {x({3})}, attrs({{"axis", I(0)}, {"before", I(1)}, {"after", I(2)}})},
      {"after_axis0", {x({2, 2})}, attrs({{"axis", I(0)}, {"before", I(0)}, {"after", I(1)}})},
      {"symbolic",
       {x(f64({S("batch"), Dim::fixed(2)}))},
       attrs({{"axis", I(1)}, {"before", I(2)}, {"after", I(0)}}),
       kBatch3},
      {"nothing_symbolic_axis",
       {x(f64({S("batch"), Dim::fixed(2)}))},
       attrs({{"axis", I(0)}, {"before", I(0)}, {"after", I(0)}}),
       kBatch3},
  };
  return t;
}

const std::map<OpKind, std::vector<Case>>& table() {
  static const auto* t = new std::map<OpKind, std::vector<Case>>(buildTable());
  return *t;
}

// ---- Running a case.

std::vector<int64_t> concrete(const TensorType& t, const std::map<std::string, int64_t>& sizes) {
  std::vector<int64_t> shape;
  for (const Dim& d : t.dims) {
    if (d.isStatic()) {
      shape.push_back(d.size());
      continue;
    }
    auto it = sizes.find(d.symbol());
    EXPECT_NE(it, sizes.end()) << "no size for symbol " << d.symbol();
    shape.push_back(it == sizes.end() ? 1 : it->second);
  }
  return shape;
}

Tensor draw(const TensorType& t, const std::map<std::string, int64_t>& sizes, Fill fill, int64_t range,
            std::mt19937_64& rng) {
  Tensor out = *Tensor::zeros(t.dtype, concrete(t, sizes));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int64_t i = 0; i < out.numElements(); ++i) {
    double v = 0;
    switch (fill) {
      case Fill::kSigned: v = (0.1 + 0.9 * unit(rng)) * (unit(rng) < 0.5 ? -1 : 1); break;
      case Fill::kPositive: v = 0.5 + 1.5 * unit(rng); break;
      case Fill::kTies: v = 0.5 * static_cast<double>(static_cast<int>(unit(rng) * 3) - 1); break;
      case Fill::kGrid: v = static_cast<double>(static_cast<int>(unit(rng) * 1999) - 999) / 1024; break;
      case Fill::kIds: v = static_cast<double>(static_cast<int64_t>(unit(rng) * static_cast<double>(range))); break;
    }
    out.set(i, v);
  }
  return out;
}

struct CaseId {
  OpKind kind;
  size_t index;
};

void PrintTo(const CaseId& id, std::ostream* os) {
  *os << ir::opDef(id.kind).name << " case " << table().at(id.kind)[id.index].name;
}

std::string caseName(const ::testing::TestParamInfo<CaseId>& info) {
  const Case& c = table().at(info.param.kind)[info.param.index];
  return std::string(ir::opDef(info.param.kind).name) + "_" + c.name;
}

std::vector<CaseId> allCases() {
  std::vector<CaseId> out;
  for (const auto& [kind, cases] : table())
    for (size_t i = 0; i < cases.size(); ++i) out.push_back({kind, i});
  return out;
}

class GradCheck : public ::testing::TestWithParam<CaseId> {};

TEST_P(GradCheck, MatchesFiniteDifferences) {
  const OpKind kind = GetParam().kind;
  const Case& c = table().at(kind)[GetParam().index];
  ir::Module module;
  ir::Function& f = *module.addFunction("f");
  std::vector<Value*> args;
  for (size_t i = 0; i < c.operands.size(); ++i) args.push_back(f.addArgument(c.operands[i].type, strCat("x", i)));
  absl::StatusOr<ir::Operation*> op = f.append(kind, args, c.attrs);
  ASSERT_TRUE(op.ok()) << op.status();
  Value* y = (*op)->result();
  if (y->type().dtype != DType::kF64) {
    absl::StatusOr<ir::Operation*> cast =
        f.append(OpKind::kCast, {y}, attrs({{"dtype", Attribute::dtype(DType::kF64)}}));
    ASSERT_TRUE(cast.ok()) << cast.status();
    y = (*cast)->result();
  }
  Value* w = f.addArgument(y->type(), "w");
  absl::StatusOr<ir::Operation*> product = f.append(OpKind::kMul, {y, w}, {});
  ASSERT_TRUE(product.ok()) << product.status();
  absl::StatusOr<ir::Operation*> sum = f.append(OpKind::kReduceSum, {(*product)->result()}, attrs({{"axes", L({})}}));
  ASSERT_TRUE(sum.ok()) << sum.status();
  Value* loss = (*sum)->result();

  std::vector<size_t> checked;
  std::vector<Value*> wrt;
  for (size_t i = 0; i < c.operands.size(); ++i)
    if (c.operands[i].check && ir::isFloat(c.operands[i].type.dtype)) {
      checked.push_back(i);
      wrt.push_back(args[i]);
    }
  ASSERT_FALSE(wrt.empty());
  absl::StatusOr<std::vector<Value*>> grads = appendGradients(f, loss, wrt);
  ASSERT_TRUE(grads.ok()) << grads.status();
  std::vector<Value*> outputs = {loss};
  outputs.insert(outputs.end(), grads->begin(), grads->end());
  f.setOutputs(outputs);
  ASSERT_TRUE(ir::verifyModule(module).ok()) << ir::verifyModule(module) << "\n" << ir::printModule(module);

  std::string name = std::string(ir::opDef(kind).name) + "_" + c.name;
  std::mt19937_64 rng(std::hash<std::string>()(name) ^ 0x5eedu);
  std::vector<Tensor> inputs;
  for (const Operand& o : c.operands) inputs.push_back(draw(o.type, c.sizes, o.fill, o.range, rng));
  inputs.push_back(draw(w->type(), c.sizes, Fill::kSigned, 0, rng));
  reference::InterpretOptions options;
  options.seed = 1234;
  options.step = 3;
  auto run = [&]() { return reference::interpret(module, f, inputs, {}, options); };
  absl::StatusOr<std::vector<Tensor>> base = run();
  ASSERT_TRUE(base.ok()) << base.status() << "\n" << ir::printModule(module);

  for (size_t k = 0; k < checked.size(); ++k) {
    Tensor& input = inputs[checked[k]];
    const Tensor& analytic = (*base)[k + 1];
    ASSERT_EQ(analytic.shape(), input.shape());
    for (int64_t i = 0; i < input.numElements(); ++i) {
      double original = input.get(i);
      input.set(i, original + c.eps);
      absl::StatusOr<std::vector<Tensor>> plus = run();
      input.set(i, original - c.eps);
      absl::StatusOr<std::vector<Tensor>> minus = run();
      input.set(i, original);
      ASSERT_TRUE(plus.ok() && minus.ok());
      double numeric = ((*plus)[0].get(0) - (*minus)[0].get(0)) / (2 * c.eps);
      double got = analytic.get(i);
      double tolerance = 1e-7 + 1e-5 * std::max(std::fabs(numeric), std::fabs(got));
      EXPECT_NEAR(got, numeric, tolerance) << "d loss / d operand " << checked[k] << " element " << i << "\n"
                                           << ir::printModule(module);
      if (std::fabs(got - numeric) > tolerance) return;  // one report per case
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, GradCheck, ::testing::ValuesIn(allCases()), caseName);

// Every op either has a gradient rule or says that it has none.
TEST(GradCheckCoverage, EveryOpHasARuleOrIsNotDifferentiable) {
  for (const ir::OpDef& def : ir::allOps()) {
    if (def.has(ir::kNotDifferentiable))
      EXPECT_EQ(def.grad, nullptr) << def.name << " is kNotDifferentiable but has a gradient rule";
    else
      EXPECT_NE(def.grad, nullptr) << def.name << " has no gradient rule and is not kNotDifferentiable";
  }
}

// Every differentiable op is checked here, with at least three cases.
TEST(GradCheckCoverage, EveryDifferentiableOpHasCases) {
  for (const ir::OpDef& def : ir::allOps()) {
    auto it = table().find(def.kind);
    if (def.has(ir::kNotDifferentiable)) {
      EXPECT_EQ(it, table().end()) << def.name << " is not differentiable but has gradcheck cases";
      continue;
    }
    ASSERT_NE(it, table().end()) << def.name << " has no gradcheck cases: add them to buildTable()";
    EXPECT_GE(it->second.size(), 3u) << def.name << " needs at least three gradcheck cases";
  }
}

}  // namespace
}  // namespace dlc::passes
