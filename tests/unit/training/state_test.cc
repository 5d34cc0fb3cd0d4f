// Batchnorm moving statistics, a short training run, checkpoint state and the
// train block's configuration, through the public API.
#include <cmath>

#include "training_test_util.h"

namespace dlc::testing {
namespace {

TEST(BatchnormStatistics, TrainStepUpdatesMovingMeanAndVariance) {
  Model m = load(
      "model m(x: f32[batch, 2]) {\n  batchnorm(momentum=0.9)\n  dense(1)\n}\n"
      "train m {\n  loss = mse\n  optimizer = sgd(learning_rate=0.1)\n}\n");
  Tensor x = f32({3, 2}, {1, 2, 3, 6, 5, 10});
  Tensor labels = f32({3, 1}, {0, 1, 2});
  // Gradients reach gamma and beta, never the moving statistics.
  auto g = m.gradients(in(x.clone()), labels);
  ASSERT_TRUE(g.ok()) << g.status();
  std::vector<std::string> names;
  for (const auto& [name, t] : *g) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"loss", "batchnorm.gamma", "batchnorm.beta", "dense.kernel", "dense.bias"}));
  // gradients() writes nothing.
  expectNear(values(**m.weight("batchnorm.moving_mean")), {0, 0});

  ASSERT_TRUE(m.trainStep(in(x.clone()), labels).ok());
  // Batch mean [3, 6], biased variance [8/3, 32/3]; moving = moving * 0.9 + batch * 0.1.
  expectNear(values(**m.weight("batchnorm.moving_mean")), {0.3, 0.6});
  expectNear(values(**m.weight("batchnorm.moving_variance")), {0.9 + 8.0 / 30, 0.9 + 32.0 / 30});

  // evaluate() runs in inference mode and writes nothing.
  ASSERT_TRUE(m.evaluate(in(x.clone()), labels).ok());
  expectNear(values(**m.weight("batchnorm.moving_mean")), {0.3, 0.6});
}

TEST(BatchnormStatistics, ReduceOverEveryAxisButTheChannelAxis) {
  Model m = load(
      "model m(x: f32[batch, 2, 3]) {\n  batchnorm(axis=1, momentum=0.5)\n  flatten()\n  dense(1)\n}\n"
      "train m {\n  loss = mse\n}\n");
  std::vector<double> xs;
  for (int i = 0; i < 12; ++i) xs.push_back(i * i * 0.1);
  ASSERT_TRUE(m.trainStep(in(f32({2, 2, 3}, xs)), f32({2, 1}, {1, -1})).ok());
  std::vector<double> mean(2, 0.0), var(2, 0.0);
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 2; ++c)
      for (int k = 0; k < 3; ++k) mean[c] += xs[b * 6 + c * 3 + k] / 6;
  for (int b = 0; b < 2; ++b)
    for (int c = 0; c < 2; ++c)
      for (int k = 0; k < 3; ++k) var[c] += std::pow(xs[b * 6 + c * 3 + k] - mean[c], 2) / 6;
  expectNear(values(**m.weight("batchnorm.moving_mean")), {mean[0] * 0.5, mean[1] * 0.5});
  expectNear(values(**m.weight("batchnorm.moving_variance")), {0.5 + var[0] * 0.5, 0.5 + var[1] * 0.5});
}

TEST(BatchnormStatistics, AFrozenBatchnormRunsInInferenceMode) {
  Model m = load(
      "model m(x: f32[batch, 2]) {\n  dense(2)\n  batchnorm(trainable=false)\n  dense(1)\n}\n"
      "train m {\n  loss = mse\n  optimizer = sgd(learning_rate=0.1)\n}\n");
  Tensor x = f32({3, 2}, {1, 2, 3, 6, 5, 10});
  Tensor labels = f32({3, 1}, {0, 1, 2});
  auto g = m.gradients(in(x.clone()), labels);
  ASSERT_TRUE(g.ok()) << g.status();
  std::vector<std::string> names;
  for (const auto& [name, t] : *g) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"loss", "dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias"}));
  // The training loss is the inference loss: moving statistics, not the batch's.
  auto e = m.evaluate(in(x.clone()), labels);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_NEAR(find(*g, "loss").get(0), e->loss, 1e-6);
  ASSERT_TRUE(m.trainStep(in(x.clone()), labels).ok());
  expectNear(values(**m.weight("batchnorm.moving_mean")), {0, 0});
  expectNear(values(**m.weight("batchnorm.moving_variance")), {1, 1});
}

// Two classes split by x0 + x1 = 0.
class ShortRun : public ::testing::TestWithParam<std::string> {};

TEST_P(ShortRun, LossFallsOnASeparableProblem) {
  Model m = load(
      "model m(x: f32[batch, 2]) {\n  dense(2, activation=softmax)\n}\ntrain m {\n"
      "  loss = sparse_categorical_crossentropy\n  optimizer = " +
      GetParam() + "\n  metrics = [accuracy]\n}\n");
  std::vector<double> xs = {1, 1, 2, 0.5, 0.5, 2, 1.5, 1.5, -1, -1, -2, -0.5, -0.5, -2, -1.5, -1.2};
  Tensor labels = i32({8}, {1, 1, 1, 1, 0, 0, 0, 0});
  double first = 0, last = 0, accuracy = 0;
  for (int step = 0; step < 40; ++step) {
    auto s = m.trainStep(in(f32({8, 2}, xs)), labels);
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE(std::isfinite(s->loss));
    if (step == 0) first = s->loss;
    last = s->loss;
    accuracy = s->accuracy;
  }
  EXPECT_LT(last, first * 0.5) << "first " << first << ", last " << last;
  EXPECT_DOUBLE_EQ(accuracy, 1.0);
  auto e = m.evaluate(in(f32({8, 2}, xs)), labels);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_DOUBLE_EQ(e->accuracy, 1.0);
}

INSTANTIATE_TEST_SUITE_P(Training, ShortRun,
                         ::testing::Values("sgd(learning_rate=0.5)", "sgd(learning_rate=0.2, momentum=0.9)",
                                           "adam(learning_rate=0.05)", "adamw(learning_rate=0.05)",
                                           "rmsprop(learning_rate=0.01)"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return std::to_string(info.index) + "_" + info.param.substr(0, info.param.find('('));
                         });

const char* kAdam =
    "model m(x: f32[batch, 2]) {\n  dense(1)\n}\ntrain m {\n  loss = mse\n  optimizer = adam(learning_rate=0.1)\n}\n";

TEST(State, RestoringContinuesTrainingExactly) {
  Model a = load(kAdam);
  Tensor x = f32({2, 2}, {1, 2, 3, -1});
  Tensor y = f32({2, 1}, {1, 0});
  ASSERT_TRUE(a.trainStep(in(x.clone()), y).ok());
  auto saved = a.state();
  ASSERT_TRUE(saved.ok()) << saved.status();
  std::vector<std::string> names;
  for (const auto& [name, t] : *saved) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"dense.kernel", "dense.bias", "optimizer.learning_rate", "optimizer.iterations",
                                      "optimizer.beta_1_power", "optimizer.beta_2_power", "optimizer.m.dense.kernel",
                                      "optimizer.v.dense.kernel", "optimizer.m.dense.bias", "optimizer.v.dense.bias"}));
  ASSERT_TRUE(a.trainStep(in(x.clone()), y).ok());

  Model b = load(kAdam);
  ASSERT_TRUE(b.restoreState(*saved).ok());
  ASSERT_TRUE(b.trainStep(in(x.clone()), y).ok());
  EXPECT_EQ(values(**b.weight("dense.kernel")), values(**a.weight("dense.kernel")));
  EXPECT_EQ(values(**b.weight("dense.bias")), values(**a.weight("dense.bias")));
}

TEST(State, RestoreChecksNamesShapesAndCompleteness) {
  Model m = load(kAdam);
  NamedTensors full = *m.state();
  // Weights alone: the optimizer starts afresh.
  NamedTensors weights;
  weights.emplace_back("dense.kernel", find(full, "dense.kernel").clone());
  weights.emplace_back("dense.bias", find(full, "dense.bias").clone());
  EXPECT_TRUE(m.restoreState(weights).ok());
  // Part of the optimizer's state is an error.
  NamedTensors partial;
  for (const auto& [name, t] : weights) partial.emplace_back(name, t.clone());
  partial.emplace_back("optimizer.iterations", find(full, "optimizer.iterations").clone());
  auto s = m.restoreState(partial);
  EXPECT_NE(s.message().find("the optimizer's state is incomplete"), std::string::npos) << s;
  // A missing weight, an unknown name and a wrong shape are errors.
  NamedTensors missing;
  missing.emplace_back("dense.kernel", find(full, "dense.kernel").clone());
  EXPECT_NE(m.restoreState(missing).message().find("no value for weight 'dense.bias'"), std::string::npos);
  NamedTensors unknown;
  for (const auto& [name, t] : weights) unknown.emplace_back(name, t.clone());
  unknown.emplace_back("nope", f32({1}, {0}));
  EXPECT_NE(m.restoreState(unknown).message().find("'nope'"), std::string::npos);
  NamedTensors wrong;
  wrong.emplace_back("dense.kernel", f32({1, 2}, {0, 0}));
  wrong.emplace_back("dense.bias", find(full, "dense.bias").clone());
  EXPECT_NE(m.restoreState(wrong).message().find("f32[2, 1]"), std::string::npos);
}

TEST(TrainConfig, ComesFromTheTrainBlock) {
  Model m = load(
      "model m(x: f32[batch, 2]) {\n  dense(3, activation=softmax)\n}\ntrain m {\n"
      "  loss = categorical_crossentropy\n  optimizer = adamw(learning_rate=0.01)\n"
      "  metrics = [loss, accuracy]\n  batch_size = 16\n  epochs = 3\n}\n");
  auto c = m.trainConfig();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->loss, "categorical_crossentropy");
  EXPECT_EQ(c->optimizer, "adamw");
  std::vector<std::string> keys;
  for (const auto& [key, value] : c->hyperparameters) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"learning_rate", "beta_1", "beta_2", "epsilon", "weight_decay"}));
  EXPECT_DOUBLE_EQ(c->hyperparameter("learning_rate"), 0.01);
  EXPECT_DOUBLE_EQ(c->hyperparameter("weight_decay"), 0.004);
  EXPECT_TRUE(std::isnan(c->hyperparameter("rho")));
  EXPECT_TRUE(c->hasMetric("accuracy"));
  EXPECT_EQ(c->batch_size, 16);
  EXPECT_EQ(c->epochs, 3);
}

TEST(TrainConfig, Defaults) {
  Model m = load("model m(x: f32[batch, 2]) {\n  dense(1)\n}\ntrain m {\n  loss = mse\n}\n");
  auto c = m.trainConfig();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->optimizer, "adam");
  EXPECT_DOUBLE_EQ(c->hyperparameter("learning_rate"), 0.001);
  EXPECT_EQ(c->metrics, std::vector<std::string>{"loss"});
  EXPECT_FALSE(c->hasMetric("accuracy"));
  EXPECT_EQ(c->batch_size, 32);
  EXPECT_EQ(c->epochs, 1);
}

TEST(TrainStep, NonFiniteLossIsReportedNotAnError) {
  Model m = load("model m(x: f32[batch, 1]) {\n  dense(1)\n}\ntrain m {\n  loss = mse\n}\n");
  auto s = m.trainStep(in(f32({1, 1}, {INFINITY})), f32({1, 1}, {0}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(std::isfinite(s->loss));
}

TEST(TrainStep, DropoutIsTrainingModeAndRepeatable) {
  Model m = load(
      "model m(x: f32[batch, 8]) {\n  dense(16)\n  dropout(0.5)\n  dense(1)\n}\n"
      "train m {\n  loss = mse\n  optimizer = sgd\n}\n");
  std::vector<double> xs(32);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = std::sin(static_cast<double>(i));
  Tensor y = f32({4, 1}, {1, 0, -1, 0.5});
  auto a = m.gradients(in(f32({4, 8}, xs)), y);
  auto b = m.gradients(in(f32({4, 8}, xs)), y);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  EXPECT_EQ(values(find(*a, "dense.kernel")), values(find(*b, "dense.kernel")));
  // Half the units are dropped: about half the rows of dense_1's gradient are 0.
  int zeros = 0;
  for (double v : values(find(*a, "dense_1.kernel"))) zeros += v == 0.0;
  EXPECT_GT(zeros, 0);
  // Inference (evaluate) has no dropout: its loss is the run's.
  auto e = m.evaluate(in(f32({4, 8}, xs)), y);
  auto out = m.run(in(f32({4, 8}, xs)));
  ASSERT_TRUE(e.ok() && out.ok());
  double mse = 0;
  for (int i = 0; i < 4; ++i) mse += std::pow((*out)[0].get(i) - y.get(i), 2) / 4;
  EXPECT_NEAR(e->loss, mse, 1e-6);
}

TEST(TrainStep, WeightsMustBeSetFirst) {
  auto m = Model::fromString("model m(x: f32[batch, 1]) {\n  dense(1)\n}\ntrain m {\n  loss = mse\n}\n", "t.dl");
  ASSERT_TRUE(m.ok());
  auto s = m->trainStep(in(f32({1, 1}, {1})), f32({1, 1}, {0}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace dlc::testing
