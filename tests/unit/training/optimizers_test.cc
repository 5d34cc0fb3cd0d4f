// Two steps of each optimizer on dense(1, use_bias=false) with mse, against
// values computed in float64 by optimizer_reference.py beside this file
// (Keras 3's update rules; Adam as Kingma & Ba's Algorithm 1), in short:
//
//   X = [[1, 2], [3, -1]]; Y = [1, 0]; w = [0.5, -0.25]
//   g(w) = 2/2 * X^T (X w - Y)                        # g at the start: [4.25, -3.75]
//   sgd:      w -= lr g
//   momentum: m = momentum m - lr g; w += m
//   adam:     m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2
//             w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
//   adamw:    the same, and w -= lr wd w (on w before the step)
//   rmsprop:  v = rho v + (1-rho) g^2; w -= lr g / sqrt(v + eps)
#include <cmath>
#include <map>
#include <ostream>

#include "training_test_util.h"

namespace dlc::testing {
namespace {

Model model(const std::string& optimizer) {
  Model m = load("model m(x: f32[batch, 2]) {\n  dense(1, use_bias=false)\n}\ntrain m {\n  loss = mse\n  optimizer = " +
                 optimizer + "\n}\n");
  EXPECT_TRUE(m.setWeight("dense.kernel", f32({2, 1}, {0.5, -0.25})).ok());
  return m;
}

// Runs two steps; returns the state afterwards.
NamedTensors twoSteps(Model& m) {
  Tensor labels = f32({2, 1}, {1, 0});
  auto first = m.trainStep(in(f32({2, 2}, {1, 2, 3, -1})), labels);
  EXPECT_TRUE(first.ok()) << first.status();
  if (first.ok()) {
    EXPECT_NEAR(first->loss, (1 + 1.75 * 1.75) / 2, 1e-6);
  }
  auto second = m.trainStep(in(f32({2, 2}, {1, 2, 3, -1})), labels);
  EXPECT_TRUE(second.ok()) << second.status();
  auto state = m.state();
  EXPECT_TRUE(state.ok()) << state.status();
  return state.ok() ? std::move(*state) : NamedTensors{};
}

struct Case {
  std::string optimizer;
  std::vector<double> kernel;
  std::map<std::string, std::vector<double>> slots;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.optimizer; }

class Optimizers : public ::testing::TestWithParam<Case> {};

TEST_P(Optimizers, TwoStepsMatchTheReference) {
  const Case& c = GetParam();
  Model m = model(c.optimizer);
  NamedTensors state = twoSteps(m);
  expectNear(values(find(state, "dense.kernel")), c.kernel);
  for (const auto& [slot, want] : c.slots) expectNear(values(find(state, slot)), want);
  EXPECT_EQ(find(state, "optimizer.iterations").dtype(), DType::kI64);
  EXPECT_EQ(find(state, "optimizer.iterations").get(0), 2);
  // The model's own weight accessor sees the update.
  auto w = m.weight("dense.kernel");
  ASSERT_TRUE(w.ok());
  expectNear(values(**w), c.kernel);
}

INSTANTIATE_TEST_SUITE_P(Training, Optimizers,
                         ::testing::Values(Case{"sgd(learning_rate=0.1)", {0.1125, 0.27}, {}},
                                           Case{"sgd(learning_rate=0.1, momentum=0.9)",
                                                {-0.27, 0.6075},
                                                {{"optimizer.momentum.dense.kernel", {-0.345, 0.4825}}}},
                                           Case{"adam(learning_rate=0.1)",
                                                {0.301853565, -0.0508276103},
                                                {{"optimizer.m.dense.kernel", {0.697500003, -0.652500002}},
                                                 {"optimizer.v.dense.kernel", {0.0279669377, 0.0239709376}},
                                                 {"optimizer.beta_1_power", {0.81}},
                                                 {"optimizer.beta_2_power", {0.998001}}}},
                                           Case{"adamw(learning_rate=0.1, weight_decay=0.1)",
                                                {0.293066033, -0.0468909874},
                                                {{"optimizer.m.dense.kernel", {0.692250003, -0.650750002}},
                                                 {"optimizer.v.dense.kernel", {0.0276389439, 0.0238609938}}}},
                                           Case{"rmsprop(learning_rate=0.1)",
                                                {0.12434108, 0.212287892},
                                                {{"optimizer.velocity.dense.kernel", {1.6851454, 1.60885008}}}}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.optimizer.substr(0, info.param.optimizer.find('('));
                           return name +
                                  (info.param.optimizer.find("momentum") != std::string::npos ? "_momentum" : "");
                         });

TEST(Optimizers, FrozenParametersAreNeitherDifferentiatedNorUpdated) {
  Model m = load(
      "model m(x: f32[batch, 2]) {\n  dense(2, trainable=false)\n  dense(1)\n}\n"
      "train m {\n  loss = mse\n  optimizer = sgd(learning_rate=0.1)\n}\n");
  Tensor before = (*m.weight("dense.kernel"))->clone();
  auto g = m.gradients(in(f32({1, 2}, {1, 2})), f32({1, 1}, {3}));
  ASSERT_TRUE(g.ok()) << g.status();
  std::vector<std::string> names;
  for (const auto& [name, t] : *g) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"loss", "dense_1.kernel", "dense_1.bias"}));
  ASSERT_TRUE(m.trainStep(in(f32({1, 2}, {1, 2})), f32({1, 1}, {3})).ok());
  EXPECT_EQ(values(**m.weight("dense.kernel")), values(before));
}

TEST(Optimizers, LearningRateIsStateAndCanBeSet) {
  Model m = model("sgd(learning_rate=0.1)");
  ASSERT_TRUE(m.setLearningRate(0.0).ok());
  ASSERT_TRUE(m.trainStep(in(f32({2, 2}, {1, 2, 3, -1})), f32({2, 1}, {1, 0})).ok());
  expectNear(values(**m.weight("dense.kernel")), {0.5, -0.25});
  ASSERT_TRUE(m.setLearningRate(0.1).ok());
  ASSERT_TRUE(m.trainStep(in(f32({2, 2}, {1, 2, 3, -1})), f32({2, 1}, {1, 0})).ok());
  expectNear(values(**m.weight("dense.kernel")), {0.5 - 0.425, -0.25 + 0.375});
  EXPECT_FALSE(m.setLearningRate(-1).ok());
}

}  // namespace
}  // namespace dlc::testing
