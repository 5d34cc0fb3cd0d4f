// Unit tests of canonicalize, cse and dce on functions built with the IR API.
#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ir/ir.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/pass.h"
#include "tests/unit/common/ir_builders.h"

namespace dlc::passes {
namespace {

using ir::Function;
using namespace dlc::testing;  // NOLINT: the shared IR builders

// Builds one function, `f(x: f32[batch, 8])`, and runs passes on its module.
class PassTest : public ::testing::Test {
 protected:
  PassTest() {
    f_ = module_.addFunction("f");
    x_ = f_->addArgument(f32({Dim::symbolic("batch"), n(8)}), "x");
  }

  Value* op(OpKind kind, std::vector<Value*> operands, Attrs a = {}) {
    absl::StatusOr<ir::Operation*> made = f_->append(kind, std::move(operands), std::move(a));
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? (*made)->result(0) : nullptr;
  }

  Value* constant(TensorType type, std::vector<double> values) {
    absl::StatusOr<ir::Operation*> made =
        f_->append(OpKind::kConstant, {}, attrs({{"value", Attribute::floatList(values)}}), {}, {std::move(type)});
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? (*made)->result(0) : nullptr;
  }

  void run(std::unique_ptr<Pass> pass) {
    ASSERT_TRUE(ir::verifyModule(module_).ok()) << ir::printModule(module_);
    ASSERT_TRUE(pass->run(module_).ok());
    ASSERT_TRUE(ir::verifyModule(module_).ok()) << ir::printModule(module_);
  }

  std::vector<OpKind> kinds() const {
    std::vector<OpKind> out;
    for (const auto& op : f_->ops()) out.push_back(op->kind());
    return out;
  }

  // The values of the constant op producing `v`.
  static std::vector<double> valuesOf(const Value* v) {
    EXPECT_TRUE(v->producer() && v->producer()->kind() == OpKind::kConstant);
    if (!v->producer() || v->producer()->kind() != OpKind::kConstant) return {};
    return v->producer()->attrs().find("value")->asFloatList();
  }

  ir::Module module_;
  Function* f_;
  Value* x_;
};

// ---------------------------------------------------------------- dce

TEST_F(PassTest, DceRemovesAnUnusedChainInOneRun) {
  Value* a = op(OpKind::kRelu, {x_});
  Value* b = op(OpKind::kExp, {a});
  op(OpKind::kTanh, {b});  // unused, and so are a and b after it goes
  Value* kept = op(OpKind::kSigmoid, {x_});
  f_->setOutputs({kept});
  run(createDcePass());
  EXPECT_EQ(kinds(), std::vector<OpKind>{OpKind::kSigmoid});
  EXPECT_EQ(f_->outputs()[0], kept);
  EXPECT_EQ(x_->users().size(), 1u);
}

TEST_F(PassTest, DceKeepsOutputsAndTheirOperands) {
  Value* a = op(OpKind::kRelu, {x_});
  Value* b = op(OpKind::kExp, {a});
  f_->setOutputs({a, b});
  run(createDcePass());
  EXPECT_EQ(kinds(), (std::vector<OpKind>{OpKind::kRelu, OpKind::kExp}));
}

TEST_F(PassTest, DceKeepsRandomOps) {
  op(OpKind::kDropout, {x_}, attrs({{"rate", Attribute::real(0.5)}, {"training", Attribute::boolean(true)}}));
  Value* r = op(OpKind::kRelu, {x_});
  f_->setOutputs({r});
  run(createDcePass());
  EXPECT_EQ(kinds(), (std::vector<OpKind>{OpKind::kDropout, OpKind::kRelu}));
}

TEST_F(PassTest, DceWorksOnEveryFunction) {
  f_->setOutputs({op(OpKind::kRelu, {x_})});
  Function* g = module_.addFunction("g");
  Value* y = g->addArgument(f32({n(4)}), "y");
  ASSERT_TRUE(g->append(OpKind::kExp, {y}, {}).ok());
  Value* out = (*g->append(OpKind::kTanh, {y}, {}))->result(0);
  g->setOutputs({out});
  run(createDcePass());
  ASSERT_EQ(g->ops().size(), 1u);
  EXPECT_EQ(g->ops()[0]->kind(), OpKind::kTanh);
}

// ---------------------------------------------------------------- cse

TEST_F(PassTest, CseMergesIdenticalOpsAndTheirUsers) {
  Value* a = op(OpKind::kRelu, {x_});
  Value* b = op(OpKind::kRelu, {x_});
  Value* ea = op(OpKind::kExp, {a});
  Value* eb = op(OpKind::kExp, {b});
  Value* sum = op(OpKind::kAdd, {ea, eb});
  f_->setOutputs({sum, eb});
  run(createCsePass());
  EXPECT_EQ(kinds(), (std::vector<OpKind>{OpKind::kRelu, OpKind::kExp, OpKind::kAdd}));
  const ir::Operation* add = sum->producer();
  EXPECT_EQ(add->operand(0), ea);
  EXPECT_EQ(add->operand(1), ea);
  EXPECT_EQ(f_->outputs()[1], ea);  // outputs follow the merge
}

TEST_F(PassTest, CseMergesSwappedOperandsOfCommutativeOpsOnly) {
  Value* y = op(OpKind::kRelu, {x_});
  Value* add1 = op(OpKind::kAdd, {x_, y});
  Value* add2 = op(OpKind::kAdd, {y, x_});
  Value* sub1 = op(OpKind::kSub, {x_, y});
  Value* sub2 = op(OpKind::kSub, {y, x_});
  f_->setOutputs({add1, add2, sub1, sub2});
  run(createCsePass());
  EXPECT_EQ(kinds(), (std::vector<OpKind>{OpKind::kRelu, OpKind::kAdd, OpKind::kSub, OpKind::kSub}));
  EXPECT_EQ(f_->outputs()[0], f_->outputs()[1]);
  EXPECT_NE(f_->outputs()[2], f_->outputs()[3]);
}

TEST_F(PassTest, CseKeepsOpsWithDifferentAttributesOrRandomness) {
  Value* l1 = op(OpKind::kLeakyRelu, {x_}, attrs({{"alpha", Attribute::real(0.1)}}));
  Value* l2 = op(OpKind::kLeakyRelu, {x_}, attrs({{"alpha", Attribute::real(0.2)}}));
  Attrs drop = attrs({{"rate", Attribute::real(0.5)}, {"training", Attribute::boolean(true)}});
  Value* d1 = op(OpKind::kDropout, {x_}, drop);
  Value* d2 = op(OpKind::kDropout, {x_}, drop);
  f_->setOutputs({l1, l2, d1, d2});
  run(createCsePass());
  EXPECT_EQ(f_->ops().size(), 4u);
}

TEST_F(PassTest, CseMergesEqualConstantsButNotDifferentTypes) {
  Value* c1 = constant(f32({n(8)}), {2.0});
  Value* c2 = constant(f32({n(8)}), {2.0});
  Value* c3 = constant(f32({n(4)}), {2.0});
  Value* c4 = constant(f32({n(8)}), {3.0});
  f_->setOutputs({c1, c2, c3, c4});
  run(createCsePass());
  EXPECT_EQ(f_->ops().size(), 3u);
  EXPECT_EQ(f_->outputs()[1], c1);
}

// ---------------------------------------------------------------- canonicalize

TEST_F(PassTest, FoldsSplatConstants) {
  Value* a = constant(f32({n(2), n(3)}), {1.5});
  Value* b = constant(f32({n(2), n(3)}), {2.0});
  Value* sum = op(OpKind::kAdd, {a, b});
  Value* neg = op(OpKind::kNeg, {sum});
  f_->setOutputs({neg});
  run(createCanonicalizePass());
  ASSERT_EQ(f_->ops().size(), 1u);  // the operands died with the folded ops
  EXPECT_EQ(valuesOf(f_->outputs()[0]), std::vector<double>{-3.5});
  EXPECT_EQ(f_->outputs()[0]->type(), f32({n(2), n(3)}));
}

TEST_F(PassTest, FoldsWithBroadcasting) {
  Value* a = constant(f32({n(2), n(1)}), {10, 20});
  Value* b = constant(f32({n(3)}), {1, 2, 3});
  Value* sum = op(OpKind::kAdd, {a, b});
  f_->setOutputs({sum});
  run(createCanonicalizePass());
  EXPECT_EQ(valuesOf(f_->outputs()[0]), (std::vector<double>{11, 12, 13, 21, 22, 23}));
  EXPECT_EQ(f_->outputs()[0]->type(), f32({n(2), n(3)}));
}

TEST_F(PassTest, FoldsCastsByTruncatingTowardZero) {
  Value* a = constant(f32({n(4)}), {-1.75, 2.5, 0.0, 3.0});
  Value* i = op(OpKind::kCast, {a}, attrs({{"dtype", Attribute::dtype(DType::kI32)}}));
  Value* b = op(OpKind::kCast, {a}, attrs({{"dtype", Attribute::dtype(DType::kBool)}}));
  f_->setOutputs({i, b});
  run(createCanonicalizePass());
  EXPECT_EQ(valuesOf(f_->outputs()[0]), (std::vector<double>{-1, 2, 0, 3}));
  EXPECT_EQ(valuesOf(f_->outputs()[1]), (std::vector<double>{1, 1, 0, 1}));
}

TEST_F(PassTest, DoesNotFoldNonConstantsOrSymbolicShapes) {
  Value* c = constant(f32({n(8)}), {2.0});
  Value* sum = op(OpKind::kAdd, {x_, c});
  f_->setOutputs({sum});
  run(createCanonicalizePass());
  EXPECT_EQ(kinds(), (std::vector<OpKind>{OpKind::kConstant, OpKind::kAdd}));
}

TEST_F(PassTest, DoesNotFoldResultsOverAMillionElements) {
  std::vector<double> a_values(1024), b_values(1025);
  for (size_t i = 0; i < a_values.size(); ++i) a_values[i] = static_cast<double>(i);
  for (size_t i = 0; i < b_values.size(); ++i) b_values[i] = static_cast<double>(i);
  Value* a = constant(f32({n(1024), n(1)}), a_values);
  Value* b = constant(f32({n(1025)}), b_values);
  Value* sum = op(OpKind::kAdd, {a, b});  // 1024 * 1025 elements
  Value* small = op(OpKind::kAdd, {a, a});
  f_->setOutputs({sum, small});
  run(createCanonicalizePass());
  EXPECT_EQ(f_->outputs()[0], sum);
  EXPECT_EQ(valuesOf(f_->outputs()[1]).size(), 1024u);
  EXPECT_EQ(valuesOf(f_->outputs()[1])[1023], 2046.0);
}

TEST_F(PassTest, DoesNotFoldNanToAnInteger) {
  Value* a = constant(f32({}), {std::nan("")});
  Value* i = op(OpKind::kCast, {a}, attrs({{"dtype", Attribute::dtype(DType::kI32)}}));
  f_->setOutputs({i});
  // Not through run(): the verifier compares attributes with ==, and NaN != NaN.
  ASSERT_TRUE(createCanonicalizePass()->run(module_).ok());
  EXPECT_EQ(f_->outputs()[0], i);
}

TEST_F(PassTest, FoldedConstantsKeepTheLocationAndName) {
  Value* a = constant(f32({}), {2.0});
  absl::StatusOr<ir::Operation*> sq = f_->append(OpKind::kMul, {a, a}, {}, Location{0, 7, 3});
  ASSERT_TRUE(sq.ok());
  (*sq)->result(0)->setNameHint("square");
  f_->setOutputs({(*sq)->result(0)});
  run(createCanonicalizePass());
  const Value* out = f_->outputs()[0];
  EXPECT_EQ(valuesOf(out), std::vector<double>{4.0});
  EXPECT_EQ(out->nameHint(), "square");
  EXPECT_EQ(out->producer()->location(), (Location{0, 7, 3}));
}

TEST_F(PassTest, RemovesMultiplicationByOne) {
  Value* one = constant(f32({n(8)}), {1.0});
  Value* zero = constant(f32({}), {0.0});
  Value* m = op(OpKind::kMul, {one, x_});
  Value* a = op(OpKind::kAdd, {m, zero});
  Value* r = op(OpKind::kRelu, {a});
  f_->setOutputs({r});
  run(createCanonicalizePass());
  EXPECT_EQ(kinds(), std::vector<OpKind>{OpKind::kRelu});
  EXPECT_EQ(r->producer()->operand(0), x_);
}

TEST_F(PassTest, KeepsMultiplicationByOneThatBroadcasts) {
  Value* y = f_->addArgument(f32({n(8)}), "y");
  Value* ones = constant(f32({n(4), n(8)}), {1.0});
  Value* m = op(OpKind::kMul, {y, ones});  // f32[4, 8], not y's f32[8]
  Value* d = op(OpKind::kDiv, {x_, constant(f32({n(8)}), {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0})});
  f_->setOutputs({m, d});
  run(createCanonicalizePass());
  EXPECT_EQ(f_->outputs()[0], m);
  EXPECT_EQ(f_->outputs()[1], d);
}

TEST_F(PassTest, ReplacesAnOutputByTheSimplifiedValue) {
  Value* n1 = op(OpKind::kNeg, {x_});
  Value* n2 = op(OpKind::kNeg, {n1});
  f_->setOutputs({n2});
  run(createCanonicalizePass());
  EXPECT_EQ(f_->outputs()[0], x_);
  EXPECT_TRUE(f_->ops().empty());
}

TEST_F(PassTest, ComposesTransposes) {
  Value* y = f_->addArgument(f32({n(2), n(3), n(4)}), "y");
  Value* t1 = op(OpKind::kTranspose, {y}, attrs({{"perm", Attribute::intList({1, 2, 0})}}));
  Value* t2 = op(OpKind::kTranspose, {t1}, attrs({{"perm", Attribute::intList({0, 2, 1})}}));
  Value* back = op(OpKind::kTranspose, {t1}, attrs({{"perm", Attribute::intList({2, 0, 1})}}));
  f_->setOutputs({t2, back});
  run(createCanonicalizePass());
  const ir::Operation* composed = f_->outputs()[0]->producer();
  ASSERT_NE(composed, nullptr);
  EXPECT_EQ(composed->operand(0), y);
  EXPECT_EQ(composed->attrs().getIntList("perm"), (std::vector<int64_t>{1, 0, 2}));
  EXPECT_EQ(f_->outputs()[0]->type(), f32({n(3), n(2), n(4)}));
  EXPECT_EQ(f_->outputs()[1], y);
  EXPECT_EQ(f_->ops().size(), 1u);
}

TEST_F(PassTest, RemovesRandomOpsInInference) {
  Value* d = op(OpKind::kDropout, {x_}, attrs({{"rate", Attribute::real(0.5)}}));
  Value* t = op(OpKind::kDropout, {d}, attrs({{"rate", Attribute::real(0.5)}, {"training", Attribute::boolean(true)}}));
  f_->setOutputs({t});
  run(createCanonicalizePass());
  ASSERT_EQ(f_->ops().size(), 1u);
  EXPECT_EQ(f_->ops()[0]->operand(0), x_);
  EXPECT_TRUE(f_->ops()[0]->attrs().getBool("training"));
}

TEST_F(PassTest, CanonicalizeLeavesDeadOpsItDidNotMakeToDce) {
  op(OpKind::kRelu, {x_});
  Value* n1 = op(OpKind::kNeg, {x_});
  Value* n2 = op(OpKind::kNeg, {n1});
  Value* e = op(OpKind::kExp, {n2});
  f_->setOutputs({e});
  run(createCanonicalizePass());
  EXPECT_EQ(kinds(), (std::vector<OpKind>{OpKind::kRelu, OpKind::kExp}));
}

}  // namespace
}  // namespace dlc::passes
