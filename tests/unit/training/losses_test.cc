// Each loss of ../shared/spec/dsl.md §5 against values computed by hand from
// its formula, through Model::gradients and Model::evaluate. The models are
// one dense layer with an identity kernel, so the output is the input (or its
// softmax or sigmoid).
#include <cmath>

#include "training_test_util.h"

namespace dlc::testing {
namespace {

std::string model(const std::string& input, const std::string& layer, const std::string& loss) {
  return "model m(x: f32[" + input + "]) {\n  " + layer + "\n}\ntrain m {\n  loss = " + loss +
         "\n  metrics = [accuracy]\n}\n";
}

void setIdentity(Model& m, int64_t n) {
  std::vector<double> eye(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i) eye[static_cast<size_t>(i * n + i)] = 1;
  ASSERT_TRUE(m.setWeight("dense.kernel", f32({n, n}, eye)).ok());
}

double logSoftmax(const std::vector<double>& row, size_t k) {
  double mx = row[0], sum = 0;
  for (double v : row) mx = std::max(mx, v);
  for (double v : row) sum += std::exp(v - mx);
  return row[k] - mx - std::log(sum);
}

double loss(Model& m, Tensor x, const Tensor& labels) {
  auto g = m.gradients(in(std::move(x)), labels);
  EXPECT_TRUE(g.ok()) << g.status();
  if (!g.ok()) return NAN;
  EXPECT_EQ(g->front().first, "loss");
  EXPECT_EQ(g->front().second.rank(), 0);
  return g->front().second.get(0);
}

const std::vector<std::vector<double>> kLogits = {{1, 2, 3}, {0.5, -1, 2}};
const std::vector<double> kLogitsFlat = {1, 2, 3, 0.5, -1, 2};

TEST(Losses, CategoricalCrossentropyFromSoftmaxLogits) {
  Model m = load(model("batch, 3", "dense(3, use_bias=false, activation=softmax)", "categorical_crossentropy"));
  setIdentity(m, 3);
  Tensor labels = f32({2, 3}, {0, 0, 1, 1, 0, 0});
  double want = -(logSoftmax(kLogits[0], 2) + logSoftmax(kLogits[1], 0)) / 2;
  auto g = m.gradients(in(f32({2, 3}, kLogitsFlat)), labels);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->size(), 2u);
  EXPECT_NEAR(find(*g, "loss").get(0), want, 1e-6);
  // d loss/d W = x^T (softmax(x) - labels) / batch.
  std::vector<double> dw(9, 0.0);
  const std::vector<std::vector<double>> onehot = {{0, 0, 1}, {1, 0, 0}};
  for (size_t b = 0; b < 2; ++b)
    for (size_t i = 0; i < 3; ++i)
      for (size_t j = 0; j < 3; ++j)
        dw[i * 3 + j] += kLogits[b][i] * (std::exp(logSoftmax(kLogits[b], j)) - onehot[b][j]) / 2;
  expectNear(values(find(*g, "dense.kernel")), dw);

  auto e = m.evaluate(in(f32({2, 3}, kLogitsFlat)), labels);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_NEAR(e->loss, want, 1e-6);
  EXPECT_DOUBLE_EQ(e->accuracy, 0.5);  // argmax 2 = 2, argmax 2 != 0
}

TEST(Losses, CategoricalCrossentropyOnProbabilitiesClipsAndNormalizes) {
  Model m = load(model("batch, 3", "dense(3, use_bias=false)", "categorical_crossentropy"));
  setIdentity(m, 3);
  // Row 1 gives its true class probability 0: clipped to 1e-7.
  double clipped = -std::log(static_cast<double>(1e-7f));
  EXPECT_NEAR(loss(m, f32({2, 3}, {0.2, 0.3, 0.5, 0.0, 0.6, 0.4}), f32({2, 3}, {0, 0, 1, 1, 0, 0})),
              (-std::log(0.5) + clipped) / 2, 1e-5);
  // Probabilities are normalized to sum to 1 first (as Keras does).
  EXPECT_NEAR(loss(m, f32({1, 3}, {0.4, 0.6, 1.0}), f32({1, 3}, {0, 0, 1})), -std::log(0.5), 1e-6);
}

TEST(Losses, SparseCategoricalCrossentropy) {
  Model m = load(model("batch, 3", "dense(3, use_bias=false, activation=softmax)", "sparse_categorical_crossentropy"));
  setIdentity(m, 3);
  double want = -(logSoftmax(kLogits[0], 2) + logSoftmax(kLogits[1], 0)) / 2;
  EXPECT_NEAR(loss(m, f32({2, 3}, kLogitsFlat), i32({2}, {2, 0})), want, 1e-6);
  // i64 ids, and a trailing dim of 1, are accepted.
  EXPECT_NEAR(loss(m, f32({2, 3}, kLogitsFlat), tensor(DType::kI64, {2}, {2, 0})), want, 1e-6);
  EXPECT_NEAR(loss(m, f32({2, 3}, kLogitsFlat), i32({2, 1}, {2, 0})), want, 1e-6);
  auto e = m.evaluate(in(f32({2, 3}, kLogitsFlat)), i32({2}, {2, 1}));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_DOUBLE_EQ(e->accuracy, 0.5);
}

TEST(Losses, SparseLabelsOutOfRangeAreErrors) {
  Model m = load(model("batch, 3", "dense(3, activation=softmax)", "sparse_categorical_crossentropy"));
  auto g = m.gradients(in(f32({4, 3}, std::vector<double>(12, 0.0))), i32({4}, {0, 1, 2, 12}));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(), "label 12 at index [3] is outside [0, 3)");
  auto s = m.trainStep(in(f32({2, 3}, std::vector<double>(6, 0.0))), i32({2}, {-1, 0}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "label -1 at index [0] is outside [0, 3)");
  auto f = m.gradients(in(f32({2, 3}, std::vector<double>(6, 0.0))), f32({2}, {0, 1}));
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("integer class ids"), std::string::npos) << f.status();
}

TEST(Losses, SparseCategoricalCrossentropyOverSequences) {
  // [batch, T, classes]: the loss averages over batch and T.
  Model m =
      load(model("batch, 2, 3", "dense(3, use_bias=false, activation=softmax)", "sparse_categorical_crossentropy"));
  setIdentity(m, 3);
  const std::vector<std::vector<double>> rows = {{1, 2, 3}, {0.5, -1, 2}, {0, 0, 0}, {3, 1, -2}};
  const std::vector<size_t> ids = {2, 0, 1, 0};
  double want = 0;
  for (size_t i = 0; i < 4; ++i) want -= logSoftmax(rows[i], ids[i]) / 4;
  EXPECT_NEAR(loss(m, f32({2, 2, 3}, {1, 2, 3, 0.5, -1, 2, 0, 0, 0, 3, 1, -2}), i32({2, 2}, {2, 0, 1, 0})), want, 1e-6);
}

TEST(Losses, BinaryCrossentropyFromSigmoidLogits) {
  Model m = load(model("batch, 1", "dense(1, use_bias=false, activation=sigmoid)", "binary_crossentropy"));
  setIdentity(m, 1);
  auto softplus = [](double v) { return std::log1p(std::exp(v)); };
  // label 1: softplus(-x); label 0: softplus(x).
  double want = (softplus(-2.0) + softplus(-1.0) + softplus(0.5)) / 3;
  EXPECT_NEAR(loss(m, f32({3, 1}, {2, -1, 0.5}), f32({3, 1}, {1, 0, 0})), want, 1e-6);
  auto e = m.evaluate(in(f32({3, 1}, {2, -1, 0.5})), f32({3, 1}, {1, 0, 0}));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_NEAR(e->accuracy, 2.0 / 3.0, 1e-6);  // predictions 1, 0, 1
}

TEST(Losses, BinaryCrossentropyOnProbabilitiesClips) {
  Model m = load(model("batch, 2", "dense(2, use_bias=false)", "binary_crossentropy"));
  setIdentity(m, 2);
  // p = 0 with label 0 and p = 1 with label 1 are clipped: -log(1 - 1e-7).
  double edge = -std::log(static_cast<double>(1.0f - 1e-7f));
  double want = (-std::log(0.9) - std::log(0.8) + 2 * edge) / 4;
  EXPECT_NEAR(loss(m, f32({2, 2}, {0.9, 0.2, 0.0, 1.0}), f32({2, 2}, {1, 0, 0, 1})), want, 1e-6);
}

TEST(Losses, MeanSquaredError) {
  Model m = load(model("batch, 2", "dense(2, use_bias=false)", "mse"));
  setIdentity(m, 2);
  auto g = m.gradients(in(f32({2, 2}, {1, 2, 3, 4})), f32({2, 2}, {0, 2, 1, 1}));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_NEAR(find(*g, "loss").get(0), (1 + 0 + 4 + 9) / 4.0, 1e-6);
  // d loss/d y = 2 (y - t) / 4 = [[0.5, 0], [1, 1.5]]; d W = x^T d y.
  expectNear(values(find(*g, "dense.kernel")), {1 * 0.5 + 3 * 1, 1 * 0 + 3 * 1.5, 2 * 0.5 + 4 * 1, 2 * 0 + 4 * 1.5});
}

TEST(Losses, LabelsOfTheWrongShapeNameBothShapes) {
  Model m = load(model("batch, 3", "dense(3, activation=softmax)", "categorical_crossentropy"));
  auto g = m.gradients(in(f32({2, 3}, std::vector<double>(6, 0.0))), f32({2, 4}, std::vector<double>(8, 0.0)));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(g.status().message().find("labels"), std::string::npos) << g.status();
  EXPECT_NE(g.status().message().find("f32[2, 4]"), std::string::npos) << g.status();
}

TEST(Losses, ModelWithoutTrainBlock) {
  Model m = load("model plain(x: f32[batch, 3]) { dense(2) }\n");
  auto g = m.gradients(in(f32({1, 3}, {1, 2, 3})), f32({1, 2}, {0, 1}));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(), "model 'plain' has no train block");
  EXPECT_EQ(m.trainConfig().status().message(), "model 'plain' has no train block");
  // Its state is its weights.
  auto state = m.state();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->size(), 2u);
}

}  // namespace
}  // namespace dlc::testing
