// Unit tests of the graph IR's data structures: types, attributes, the op
// table, use lists, rewriting helpers, the printer and the verifier.
#include "ir/ir.h"

#include <set>

#include "gtest/gtest.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace dlc::ir {
namespace {

TensorType f32(std::vector<Dim> dims) { return TensorType{DType::kF32, std::move(dims)}; }

TEST(Type, PrintsAndCountsElements) {
  TensorType t = f32({Dim::symbolic("batch"), Dim::fixed(28), Dim::fixed(28), Dim::fixed(1)});
  EXPECT_EQ(t.str(), "f32[batch, 28, 28, 1]");
  EXPECT_FALSE(t.isStatic());
  EXPECT_EQ(t.numElements(), std::nullopt);
  EXPECT_EQ(f32({Dim::fixed(3), Dim::fixed(4)}).numElements(), 12);
  EXPECT_EQ(f32({}).str(), "f32[]");
  EXPECT_EQ(f32({}).numElements(), 1);
  // 2^40 * 2^40 overflows the element limit instead of wrapping around.
  EXPECT_EQ(f32({Dim::fixed(kMaxDimSize), Dim::fixed(kMaxDimSize)}).numElements(), std::nullopt);
}

TEST(DType, RoundTripsNames) {
  for (DType d : {DType::kF32, DType::kF16, DType::kBF16, DType::kF64, DType::kI32, DType::kI64, DType::kBool})
    EXPECT_EQ(parseDType(dtypeName(d)), d);
  EXPECT_EQ(parseDType("f8"), std::nullopt);
}

TEST(Attribute, PrintsEveryKind) {
  EXPECT_EQ(Attribute::boolean(true).str(), "true");
  EXPECT_EQ(Attribute::integer(-3).str(), "-3");
  EXPECT_EQ(Attribute::real(1.0).str(), "1.0");
  EXPECT_EQ(Attribute::real(0.001).str(), "0.001");
  EXPECT_EQ(Attribute::real(1e-7).str(), "1e-07");
  EXPECT_EQ(Attribute::real(0.1).str(), "0.1");
  EXPECT_EQ(Attribute::string("a\"b\n").str(), "\"a\\\"b\\n\"");
  EXPECT_EQ(Attribute::dtype(DType::kBF16).str(), "bf16");
  EXPECT_EQ(Attribute::intList({1, 2}).str(), "[1, 2]");
  EXPECT_EQ(Attribute::floatList({0.5, 2.0}).str(), "[0.5, 2.0]");
  EXPECT_EQ(Attribute::stringList({"accuracy"}).str(), "[\"accuracy\"]");
  EXPECT_EQ(Attribute::shape({Dim::symbolic("batch"), Dim::fixed(-1)}).str(), "[batch, -1]");
}

TEST(Attribute, ConvertsCompatibleKinds) {
  Attribute a = Attribute::integer(2);
  EXPECT_TRUE(a.convertTo(AttrKind::kFloat));
  EXPECT_EQ(a.asFloat(), 2.0);
  Attribute list = Attribute::intList({});
  EXPECT_TRUE(list.convertTo(AttrKind::kStringList));
  Attribute s = Attribute::string("x");
  EXPECT_FALSE(s.convertTo(AttrKind::kInt));
}

TEST(OpTable, EveryOpHasAUniqueNameAndARule) {
  std::set<std::string_view> names;
  for (const OpDef& def : allOps()) {
    EXPECT_TRUE(names.insert(def.name).second) << def.name;
    EXPECT_NE(def.infer, nullptr) << def.name;
    EXPECT_EQ(lookupOp(def.name), def.kind);
    EXPECT_EQ(&opDef(def.kind), &def);
  }
  EXPECT_EQ(lookupOp("dense2"), std::nullopt);
}

// ELEMENTWISE_WITH_DERIVATIVE rows: the forward op and `<name>_grad(x, g)`,
// elementwise, not differentiable, with the forward op's attributes.
TEST(OpTable, DerivativeRowsComeFromTheForwardRow) {
  int count = 0;
  for (const OpDef& def : allOps()) {
    if (!def.derivative) continue;
    ++count;
    const OpDef& grad = opDef(*def.derivative);
    EXPECT_EQ(grad.name, std::string(def.name) + "_grad");
    EXPECT_EQ(grad.operand_names, (std::vector<std::string>{"x", "g"}));
    EXPECT_TRUE(def.has(kElementwise) && grad.has(kElementwise)) << def.name;
    EXPECT_TRUE(grad.has(kNotDifferentiable)) << grad.name;
    EXPECT_EQ(grad.grad, nullptr) << grad.name;
    ASSERT_EQ(grad.attrs.size(), def.attrs.size()) << grad.name;
    for (size_t i = 0; i < def.attrs.size(); ++i) EXPECT_EQ(grad.attrs[i].name, def.attrs[i].name);
  }
  EXPECT_GE(count, 2);
  EXPECT_EQ(opDef(OpKind::kGelu).derivative, OpKind::kGeluGrad);
  EXPECT_EQ(opDef(OpKind::kLeakyRelu).derivative, OpKind::kLeakyReluGrad);
  EXPECT_EQ(opDef(OpKind::kRelu).derivative, std::nullopt);
}

// Facts other stages read from the table instead of listing op kinds.
TEST(OpTable, FlagsCarryTheFactsOfOtherStages) {
  EXPECT_TRUE(opDef(OpKind::kReshape).has(kCheapToRecompute));
  EXPECT_TRUE(opDef(OpKind::kEmbedding).has(kCheapToRecompute));
  EXPECT_FALSE(opDef(OpKind::kSoftmax).has(kCheapToRecompute));
  EXPECT_TRUE(opDef(OpKind::kDense).has(kLibraryGemm));
  EXPECT_TRUE(opDef(OpKind::kConv2dGradKernel).has(kLibraryConvolution));
  EXPECT_FALSE(opDef(OpKind::kMaxpool2d).has(kLibraryConvolution));
  for (OpKind k : {OpKind::kRelu, OpKind::kSigmoid, OpKind::kTanh, OpKind::kGelu, OpKind::kSoftmax})
    EXPECT_TRUE(opDef(k).has(kActivation)) << opDef(k).name;
  EXPECT_FALSE(opDef(OpKind::kExp).has(kActivation));
}

TEST(OpTable, CoversEveryOpOfTheLanguage) {
  for (const char* name :
       {"dense",   "conv2d",     "batchnorm", "layernorm",   "embedding",  "lstm",        "relu",
        "sigmoid", "tanh",       "gelu",      "exp",         "log",        "sqrt",        "abs",
        "neg",     "leaky_relu", "softmax",   "log_softmax", "add",        "sub",         "mul",
        "div",     "maximum",    "minimum",   "matmul",      "maxpool2d",  "avgpool2d",   "global_avgpool2d",
        "flatten", "reshape",    "transpose", "concat",      "reduce_sum", "reduce_mean", "reduce_max",
        "cast",    "dropout",    "rescaling", "random_flip", "random_crop"})
    EXPECT_TRUE(lookupOp(name).has_value()) << name;
}

TEST(OpTable, NormalizeFillsDefaultsInTableOrder) {
  Attrs attrs;
  attrs.set("groups", Attribute::integer(1));
  attrs.set("padding", Attribute::string("same"));
  ASSERT_TRUE(normalizeAttrs(opDef(OpKind::kConv2d), attrs).ok());
  EXPECT_EQ(attrs.str(), "{strides = [1, 1], padding = \"same\", dilation = [1, 1], groups = 1}");

  Attrs bad;
  bad.set("padding", Attribute::string("full"));
  absl::Status s = normalizeAttrs(opDef(OpKind::kConv2d), bad);
  EXPECT_EQ(s.message(), "attribute 'padding' of 'conv2d' must be one of valid, same, not 'full'");

  Attrs unknown;
  unknown.set("stride", Attribute::integer(1));
  EXPECT_EQ(normalizeAttrs(opDef(OpKind::kConv2d), unknown).message(), "'conv2d' has no attribute 'stride'");

  Attrs missing;
  EXPECT_EQ(normalizeAttrs(opDef(OpKind::kTranspose), missing).message(), "'transpose' needs attribute 'perm'");
}

class FunctionTest : public ::testing::Test {
 protected:
  Module module;
  Function* f = module.addFunction("f");
  Value* x = f->addArgument(f32({Dim::symbolic("batch"), Dim::fixed(8)}), "x");
};

TEST_F(FunctionTest, AppendInfersTypesAndTracksUses) {
  Operation* relu = *f->append(OpKind::kRelu, {x}, {});
  Operation* add = *f->append(OpKind::kAdd, {relu->result(), relu->result()}, {});
  f->setOutputs({add->result()});
  EXPECT_EQ(add->result()->type().str(), "f32[batch, 8]");
  EXPECT_EQ(relu->result()->users().size(), 2u);
  EXPECT_EQ(x->users().size(), 1u);
  EXPECT_TRUE(verifyModule(module).ok());
}

TEST_F(FunctionTest, AppendRejectsWrongOperandCountAndBadAttrs) {
  auto r = f->append(OpKind::kAdd, {x}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "'add' takes 2 operands, not 1");
  Attrs attrs;
  attrs.set("axis", Attribute::string("last"));
  auto s = f->append(OpKind::kSoftmax, {x}, attrs);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "attribute 'axis' of 'softmax' must be an integer, not a string");
}

TEST_F(FunctionTest, ReplaceAllUsesUpdatesOpsAndOutputs) {
  Operation* a = *f->append(OpKind::kRelu, {x}, {});
  Operation* b = *f->append(OpKind::kRelu, {x}, {});
  Operation* use = *f->append(OpKind::kAdd, {a->result(), b->result()}, {});
  f->setOutputs({use->result(), b->result()});
  f->replaceAllUses(b->result(), a->result());
  EXPECT_EQ(use->operand(1), a->result());
  EXPECT_EQ(f->outputs()[1], a->result());
  EXPECT_FALSE(b->result()->hasUsers());
  f->eraseOpsIf([&](const Operation& op) { return &op == b; });
  EXPECT_EQ(f->ops().size(), 2u);
  EXPECT_EQ(x->users().size(), 1u);
  EXPECT_TRUE(verifyModule(module).ok());
}

TEST_F(FunctionTest, ValuesKnowWhetherTheyAreOutputs) {
  Operation* a = *f->append(OpKind::kRelu, {x}, {});
  Operation* b = *f->append(OpKind::kRelu, {x}, {});
  f->setOutputs({a->result(), a->result(), x});
  EXPECT_TRUE(a->result()->isOutput());
  EXPECT_TRUE(x->isOutput());
  EXPECT_FALSE(b->result()->isOutput());
  f->setOutput(0, b->result());  // a is still the second output
  EXPECT_TRUE(a->result()->isOutput());
  EXPECT_TRUE(b->result()->isOutput());
  f->replaceAllUses(a->result(), b->result());
  EXPECT_FALSE(a->result()->isOutput());
  f->setOutputs({b->result()});
  EXPECT_FALSE(x->isOutput());
  EXPECT_TRUE(b->result()->isOutput());
}

TEST_F(FunctionTest, EraseKeepsTheOtherUsesInOrder) {
  Operation* r1 = *f->append(OpKind::kRelu, {x}, {});
  Operation* twice = *f->append(OpKind::kAdd, {x, x}, {});
  Operation* r2 = *f->append(OpKind::kRelu, {x}, {});
  Operation* r3 = *f->append(OpKind::kAdd, {x, r1->result()}, {});
  f->setOutputs({r2->result(), r3->result()});
  ASSERT_EQ(x->users().size(), 5u);
  f->eraseOpsIf([&](const Operation& op) { return &op == twice; });
  EXPECT_EQ(x->users(), (std::vector<Operation*>{r1, r2, r3}));
  EXPECT_EQ(r1->result()->users(), (std::vector<Operation*>{r3}));
  EXPECT_TRUE(verifyModule(module).ok());
}

TEST_F(FunctionTest, PrinterUsesHintsAndNumbers) {
  Attrs pname;
  pname.set("name", Attribute::string("d.kernel"));
  module.params().push_back({"d.kernel", f32({Dim::fixed(8), Dim::fixed(4)}), {}, {}});
  Operation* k = *f->append(OpKind::kParam, {}, pname, {}, {f32({Dim::fixed(8), Dim::fixed(4)})});
  Operation* d = *f->append(OpKind::kDense, {x, k->result()}, {});
  d->result()->setNameHint("d");
  Operation* r = *f->append(OpKind::kRelu, {d->result()}, {});
  f->setOutputs({r->result()});
  EXPECT_EQ(printModule(module),
            "param @d.kernel : f32[8, 4]\n"
            "\n"
            "func @f(%x: f32[batch, 8]) -> (f32[batch, 4]) {\n"
            "  %0 = param() {name = \"d.kernel\"} : f32[8, 4]\n"
            "  %d = dense(%x, %0) : f32[batch, 4]\n"
            "  %1 = relu(%d) : f32[batch, 4]\n"
            "  return %1\n"
            "}\n");
}

TEST_F(FunctionTest, PrinterMakesRepeatedHintsUnique) {
  // Many values of one hint (the gradients of a deep stack) and a value
  // whose hint is another's suffixed name.
  Value* v = x;
  for (int i = 0; i < 4; ++i) {
    v = (*f->append(OpKind::kRelu, {v}, {}))->result();
    v->setNameHint(i == 2 ? "g_1" : "g");
  }
  f->setOutputs({v});
  std::string text = printModule(module);
  EXPECT_NE(text.find("%g = relu(%x)"), std::string::npos) << text;
  EXPECT_NE(text.find("%g_1 = relu(%g)"), std::string::npos) << text;
  EXPECT_NE(text.find("%g_1_1 = relu(%g_1)"), std::string::npos) << text;
  EXPECT_NE(text.find("%g_2 = relu(%g_1_1)"), std::string::npos) << text;
}

TEST_F(FunctionTest, VerifierReportsTypeMismatchAndUndeclaredParam) {
  Attrs pname;
  pname.set("name", Attribute::string("missing"));
  f->appendUnchecked(OpKind::kParam, {}, pname, {f32({Dim::fixed(2)})}, {});
  Operation* bad = f->appendUnchecked(OpKind::kRelu, {x}, {}, {f32({Dim::fixed(3)})}, {});
  f->setOutputs({bad->result()});
  SourceManager sm;
  DiagnosticEngine diags(sm);
  EXPECT_FALSE(verifyModule(module, diags));
  ASSERT_EQ(diags.diagnostics().size(), 2u);
  EXPECT_EQ(diags.diagnostics()[0].message, "'param' reads undeclared param @missing");
  EXPECT_EQ(diags.diagnostics()[1].message, "'relu' result 0 has type f32[3], but its operands give f32[batch, 8]");
}

TEST_F(FunctionTest, VerifierReportsUseBeforeDefinition) {
  Function* g = module.addFunction("g");
  Value* y = g->addArgument(f32({Dim::fixed(2)}), "y");
  // An op of f used in g is not defined in g.
  Operation* other = f->appendUnchecked(OpKind::kRelu, {x}, {}, {x->type()}, {});
  f->setOutputs({other->result()});
  Operation* use = g->appendUnchecked(OpKind::kRelu, {other->result()}, {}, {x->type()}, {});
  g->setOutputs({use->result()});
  (void)y;
  absl::Status s = verifyModule(module);
  EXPECT_EQ(s.message(), "invalid IR: operand 0 of 'relu' is used before it is defined");
}

}  // namespace
}  // namespace dlc::ir
