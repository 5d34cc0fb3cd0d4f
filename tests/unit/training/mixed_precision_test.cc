// Mixed precision through the public API: which precision a model gets, f32
// master weights, and fp16's dynamic loss scale (passes/training.h), on the
// compiled CPU code and the reference interpreter.
#include "training_test_util.h"

namespace dlc::testing {
namespace {

// One dense unit trained with mse and sgd, in `precision` (a train block
// setting when `in_block`, else the option).
Model loadDense(const std::string& target, const std::string& precision, bool in_block = true) {
  std::string source =
      "model m(x: f32[batch, 4]) {\n  dense(1)\n}\n"
      "train m {\n  loss = mse\n  optimizer = sgd(learning_rate=0.01)\n" +
      (in_block ? "  precision = " + precision + "\n" : std::string()) + "}\n";
  auto model = Model::fromString(source, "test.dl", {"", target, in_block ? "" : precision});
  EXPECT_TRUE(model.ok()) << model.status();
  if (!model.ok()) std::abort();
  EXPECT_TRUE(model->initializeWeights(0).ok());
  return std::move(*model);
}

double scalar(Model& m, const std::string& name) {
  auto t = m.weight(name);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? (*t)->get(0) : -1;
}

Tensor filled(std::vector<int64_t> shape, double v) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return f32(std::move(shape), std::vector<double>(static_cast<size_t>(n), v));
}

TEST(Precision, TheTrainBlockChoosesItAndTheOptionOverridesIt) {
  EXPECT_EQ(loadDense("cpu", "bf16").precision(), "bf16");
  EXPECT_EQ(loadDense("cpu", "fp16", /*in_block=*/false).precision(), "fp16");
  auto fp32 = Model::fromString("model m(x: f32[batch, 4]) {\n  dense(1)\n}\n", "t.dl", {"", "cpu", ""});
  ASSERT_TRUE(fp32.ok());
  EXPECT_EQ(fp32->precision(), "fp32");
  // The option wins over the block.
  auto both =
      Model::fromString("model m(x: f32[batch, 4]) {\n  dense(1)\n}\ntrain m {\n  loss = mse\n  precision = fp16\n}\n",
                        "t.dl", {"", "cpu", "bf16"});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->precision(), "bf16");
}

TEST(Precision, UnknownNamesAndTf32OnTheCpuAreRefused) {
  auto unknown = Model::fromString("model m(x: f32[batch, 4]) {\n  dense(1)\n}\n", "t.dl", {"", "cpu", "fp8"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown precision 'fp8'"), std::string::npos);
  // TF32 is refused where it would run: a CPU (or the interpreter) has no
  // TF32 arithmetic, and dlc does not run fp32 instead.
  for (const char* target : {"cpu", "reference"}) {
    auto tf32 = Model::fromString("model m(x: f32[batch, 4]) {\n  dense(1)\n}\n", "t.dl", {"", target, "tf32"});
    ASSERT_TRUE(tf32.ok()) << tf32.status();
    ASSERT_TRUE(tf32->initializeWeights(0).ok());
    auto y = tf32->run(in(filled({1, 4}, 1)));
    ASSERT_FALSE(y.ok());
    EXPECT_TRUE(absl::IsInvalidArgument(y.status()));
    EXPECT_NE(y.status().message().find("no TF32 arithmetic"), std::string::npos) << y.status();
  }
}

class MixedPrecision : public ::testing::TestWithParam<std::string> {};

TEST_P(MixedPrecision, WeightsStayF32AndOutputsKeepTheirType) {
  Model m = loadDense(GetParam(), "bf16");
  for (const ParameterSpec& p : m.parameters()) EXPECT_EQ(p.dtype, DType::kF32) << p.name;
  auto y = m.run(in(filled({2, 4}, 0.5)));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ((*y)[0].dtype(), DType::kF32);
  double before = (**m.weight("dense.kernel")).get(0);
  ASSERT_TRUE(m.trainStep(in(filled({2, 4}, 0.5)), filled({2, 1}, 3)).ok());
  EXPECT_EQ((**m.weight("dense.kernel")).dtype(), DType::kF32);
  EXPECT_NE((**m.weight("dense.kernel")).get(0), before);
  // bf16 has f32's range: no loss scale.
  EXPECT_FALSE(m.weight("optimizer.loss_scale").ok());
}

TEST_P(MixedPrecision, Fp16SkipsAStepWhoseGradientsOverflowAndHalvesTheScale) {
  Model m = loadDense(GetParam(), "fp16");
  // A finite step first: the update is applied and counted.
  double before = (**m.weight("dense.kernel")).get(0);
  ASSERT_TRUE(m.trainStep(in(filled({2, 4}, 0.5)), filled({2, 1}, 1)).ok());
  EXPECT_EQ(scalar(m, "optimizer.loss_scale"), 32768);
  EXPECT_EQ(scalar(m, "optimizer.good_steps"), 1);
  EXPECT_EQ(scalar(m, "optimizer.skipped_steps"), 0);
  EXPECT_EQ(scalar(m, "optimizer.iterations"), 1);
  double after_first = (**m.weight("dense.kernel")).get(0);
  EXPECT_NE(after_first, before);
  // d loss / d y = 2 (y - 1e4) / 2 = -1e4 per element; times 2^15 it is
  // beyond f16's 65504 where it crosses into the f16 dense layer.
  auto metrics = m.trainStep(in(filled({2, 4}, 0.5)), filled({2, 1}, 1e4));
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_TRUE(std::isfinite(metrics->loss));
  EXPECT_EQ(scalar(m, "optimizer.loss_scale"), 16384);
  EXPECT_EQ(scalar(m, "optimizer.good_steps"), 0);
  EXPECT_EQ(scalar(m, "optimizer.skipped_steps"), 1);
  EXPECT_EQ(scalar(m, "optimizer.iterations"), 1);  // the skipped step changed nothing else
  EXPECT_EQ((**m.weight("dense.kernel")).get(0), after_first);
  // The halved scale is what the next step uses: this one fits.
  ASSERT_TRUE(m.trainStep(in(filled({2, 4}, 0.5)), filled({2, 1}, 1)).ok());
  EXPECT_EQ(scalar(m, "optimizer.loss_scale"), 16384);
  EXPECT_EQ(scalar(m, "optimizer.good_steps"), 1);
  EXPECT_NE((**m.weight("dense.kernel")).get(0), after_first);
}

TEST_P(MixedPrecision, Fp16GradientsAreUnscaled) {
  // gradients() divides by the scale again: the same as fp32 up to f16's rounding.
  Model low = loadDense(GetParam(), "fp16");
  Model full = loadDense(GetParam(), "fp32");
  auto a = low.gradients(in(filled({2, 4}, 0.5)), filled({2, 1}, 1));
  auto b = full.gradients(in(filled({2, 4}, 0.5)), filled({2, 1}, 1));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  expectNear(values(find(*a, "dense.kernel")), values(find(*b, "dense.kernel")), 2e-3);
}

INSTANTIATE_TEST_SUITE_P(Targets, MixedPrecision, ::testing::Values("cpu", "reference"));

TEST(LossScale, DoublesAfter2000FiniteSteps) {
  Model m = loadDense("cpu", "fp16");
  for (int i = 0; i < 1999; ++i) ASSERT_TRUE(m.trainStep(in(filled({1, 4}, 0.1)), filled({1, 1}, 0.1)).ok());
  EXPECT_EQ(scalar(m, "optimizer.loss_scale"), 32768);
  EXPECT_EQ(scalar(m, "optimizer.good_steps"), 1999);
  ASSERT_TRUE(m.trainStep(in(filled({1, 4}, 0.1)), filled({1, 1}, 0.1)).ok());
  EXPECT_EQ(scalar(m, "optimizer.loss_scale"), 65536);
  EXPECT_EQ(scalar(m, "optimizer.good_steps"), 0);
}

TEST(LossScale, IsPartOfTheState) {
  Model m = loadDense("cpu", "fp16");
  ASSERT_TRUE(m.trainStep(in(filled({2, 4}, 0.5)), filled({2, 1}, 1e4)).ok());
  auto state = m.state();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(find(*state, "optimizer.loss_scale").get(0), 16384);
  Model fresh = loadDense("cpu", "fp16");
  ASSERT_TRUE(fresh.restoreState(*state).ok());
  EXPECT_EQ(scalar(fresh, "optimizer.loss_scale"), 16384);
  EXPECT_EQ(scalar(fresh, "optimizer.skipped_steps"), 1);
}

}  // namespace
}  // namespace dlc::testing
