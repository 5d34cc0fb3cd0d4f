// passes/training.h at the IR level: the functions it adds, their
// signatures, the optimizer state it declares, and its errors.
#include <memory>
#include <string>

#include "frontend/lower.h"
#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "ir/verifier.h"
#include "passes/training.h"
#include "support/diagnostics.h"

namespace dlc::passes {
namespace {

struct Lowered {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  std::unique_ptr<ir::Module> module;
};

std::unique_ptr<Lowered> lower(const std::string& text) {
  auto out = std::make_unique<Lowered>();
  int32_t id = out->sources.addBuffer("test.dl", text);
  auto program = frontend::parseFile(out->sources, out->diags, id);
  frontend::LowerOptions options;
  options.training = true;
  out->module = frontend::lowerProgram(*program, out->diags, options);
  EXPECT_TRUE(out->module) << "lowering failed";
  return out;
}

const char* kClassifier =
    "model m(x: f32[batch, 4]) {\n  dense(8, activation=relu)\n  batchnorm()\n  dense(3, activation=softmax)\n}\n"
    "train m {\n  loss = sparse_categorical_crossentropy\n  optimizer = adam\n}\n";

size_t count(const ir::Function& f, ir::OpKind kind) {
  size_t n = 0;
  for (const auto& op : f.ops()) n += op->kind() == kind;
  return n;
}

TEST(TrainingFunctions, SignaturesAndState) {
  auto l = lower(kClassifier);
  ir::Module& module = *l->module;
  auto built = buildTrainingFunctions(module, module.trainSpecs().front());
  ASSERT_TRUE(built.ok()) << built.status();
  ASSERT_TRUE(ir::verifyModule(module).ok()) << ir::verifyModule(module);
  EXPECT_EQ(built->grad->name(), "m.grad");
  EXPECT_EQ(built->train_step->name(), "m.train_step");
  EXPECT_EQ(built->trainable, (std::vector<std::string>{"dense.kernel", "dense.bias", "batchnorm.gamma",
                                                        "batchnorm.beta", "dense_1.kernel", "dense_1.bias"}));
  // (x, labels): sparse labels are i32[batch].
  const ir::Function& grad = *built->grad;
  ASSERT_EQ(grad.arguments().size(), 2u);
  EXPECT_EQ(grad.argument(1)->nameHint(), "labels");
  EXPECT_EQ(grad.argument(1)->type().str(), "i32[batch]");
  ASSERT_EQ(grad.outputs().size(), 7u);
  EXPECT_EQ(grad.outputs()[0]->type().str(), "f32[]");
  EXPECT_EQ(grad.outputs()[1]->type().str(), "f32[4, 8]");
  EXPECT_EQ(count(grad, ir::OpKind::kAssign), 0u);
  // The stable form: log_softmax of the logits.
  EXPECT_EQ(count(grad, ir::OpKind::kLogSoftmax), 1u);

  const ir::Function& step = *built->train_step;
  ASSERT_EQ(step.outputs().size(), 2u);
  // 6 params, 12 moments, 2 beta powers, iterations, 2 moving statistics.
  EXPECT_EQ(count(step, ir::OpKind::kAssign), 6u + 12u + 2u + 1u + 2u);

  const ir::ParamDecl* m = module.findParam("optimizer.m.dense.kernel");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->type.str(), "f32[4, 8]");
  EXPECT_EQ(m->attrs.str(), "{init = \"zeros\", trainable = false, role = \"optimizer\"}");
  EXPECT_NE(module.findParam("optimizer.iterations"), nullptr);
  EXPECT_EQ(module.findParam("optimizer.iterations")->type.str(), "i64[]");
  EXPECT_EQ(module.findParam("optimizer.learning_rate")->attrs.find("value")->asFloat(), 0.001);
  EXPECT_EQ(module.findParam("optimizer.m.batchnorm.moving_mean"), nullptr);

  // Building again is an error, not a second copy.
  EXPECT_FALSE(buildTrainingFunctions(module, module.trainSpecs().front()).ok());
}

TEST(TrainingFunctions, EvaluateHasNoWrites) {
  auto l = lower(kClassifier);
  auto f = buildEvaluateFunction(*l->module, l->module->trainSpecs().front());
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->name(), "m.evaluate");
  EXPECT_EQ((*f)->outputs().size(), 2u);
  EXPECT_EQ(count(**f, ir::OpKind::kAssign), 0u);
}

TEST(TrainingFunctions, LabelTypes) {
  auto l =
      lower("model m(x: f32[batch, 5, 4]) {\n  dense(7)\n}\ntrain m {\n  loss = sparse_categorical_crossentropy\n}\n");
  auto t = labelType(*l->module->findFunction("m"), l->module->trainSpecs().front());
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->str(), "i32[batch, 5]");
  auto c = lower("model m(x: f32[batch, 4]) {\n  dense(7)\n}\ntrain m {\n  loss = categorical_crossentropy\n}\n");
  EXPECT_EQ(labelType(*c->module->findFunction("m"), c->module->trainSpecs().front())->str(), "f32[batch, 7]");
}

TEST(TrainingFunctions, ModelsTheLossCannotApplyTo) {
  auto two = lower("model m(x: f32[batch, 4]) {\n  a = dense(x, 2)\n  return a, x\n}\ntrain m {\n  loss = mse\n}\n");
  auto s = buildTrainingFunctions(*two->module, two->module->trainSpecs().front());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "training needs a model with one output; 'm' has 2");
}

TEST(TrainingFunctions, SgdWithoutMomentumKeepsNoSlots) {
  auto l = lower("model m(x: f32[batch, 4]) {\n  dense(2)\n}\ntrain m {\n  loss = mse\n  optimizer = sgd\n}\n");
  ASSERT_TRUE(buildTrainingFunctions(*l->module, l->module->trainSpecs().front()).ok());
  std::vector<std::string> state;
  for (const ir::ParamDecl& p : l->module->params())
    if (p.name.starts_with("optimizer.")) state.push_back(p.name);
  EXPECT_EQ(state, (std::vector<std::string>{"optimizer.learning_rate", "optimizer.iterations"}));
}

}  // namespace
}  // namespace dlc::passes
