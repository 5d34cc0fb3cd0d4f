// Keras's default initialisers: ranges, orthogonality, determinism.
#include "runtime/initializers.h"

#include <cmath>

#include "gtest/gtest.h"

namespace dlc::runtime {
namespace {

ir::Attrs init(std::string name) {
  ir::Attrs a;
  a.set("init", ir::Attribute::string(std::move(name)));
  return a;
}

TEST(Initializers, GlorotUniformStaysWithinKerasLimit) {
  // conv kernel [3, 3, 1, 32]: fan_in 9, fan_out 288.
  Tensor t = *initializeParameter("conv2d.kernel", DType::kF32, {3, 3, 1, 32}, init("glorot_uniform"), 0);
  double limit = std::sqrt(6.0 / (9 + 288));
  double lo = 1, hi = -1, sum = 0;
  for (int64_t i = 0; i < t.numElements(); ++i) {
    lo = std::min(lo, t.get(i));
    hi = std::max(hi, t.get(i));
    sum += t.get(i);
  }
  EXPECT_GE(lo, -limit);
  EXPECT_LE(hi, limit);
  // Spread over most of the range, centred near zero.
  EXPECT_LT(lo, -0.8 * limit);
  EXPECT_GT(hi, 0.8 * limit);
  EXPECT_NEAR(sum / t.numElements(), 0.0, 0.1 * limit);
}

TEST(Initializers, DeterministicPerSeedAndName) {
  ir::Attrs a = init("glorot_uniform");
  Tensor x = *initializeParameter("dense.kernel", DType::kF32, {4, 3}, a, 7);
  Tensor y = *initializeParameter("dense.kernel", DType::kF32, {4, 3}, a, 7);
  Tensor other_seed = *initializeParameter("dense.kernel", DType::kF32, {4, 3}, a, 8);
  Tensor other_name = *initializeParameter("dense_1.kernel", DType::kF32, {4, 3}, a, 7);
  int same_seed = 0, differs_seed = 0, differs_name = 0;
  for (int64_t i = 0; i < 12; ++i) {
    same_seed += x.get(i) == y.get(i);
    differs_seed += x.get(i) != other_seed.get(i);
    differs_name += x.get(i) != other_name.get(i);
  }
  EXPECT_EQ(same_seed, 12);
  EXPECT_EQ(differs_seed, 12);
  EXPECT_EQ(differs_name, 12);
  // The stream is fixed: a change of generator would change every model's
  // initial weights, so it is pinned here.
  EXPECT_FLOAT_EQ(static_cast<float>(Random(0, "").uniform()), static_cast<float>(Random(0, "").uniform()));
}

TEST(Initializers, OrthogonalRowsOfWideMatrix) {
  // recurrent_kernel [u, 4u]: rows are orthonormal.
  Tensor t = *initializeParameter("lstm.recurrent_kernel", DType::kF32, {3, 12}, init("orthogonal"), 1);
  for (int r = 0; r < 3; ++r)
    for (int s = 0; s < 3; ++s) {
      double dot = 0;
      for (int c = 0; c < 12; ++c) dot += t.get(r * 12 + c) * t.get(s * 12 + c);
      EXPECT_NEAR(dot, r == s ? 1.0 : 0.0, 1e-5) << r << "," << s;
    }
}

TEST(Initializers, OrthogonalColumnsOfTallMatrix) {
  Tensor t = *initializeParameter("k", DType::kF64, {6, 2}, init("orthogonal"), 3);
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b) {
      double dot = 0;
      for (int r = 0; r < 6; ++r) dot += t.get(r * 2 + a) * t.get(r * 2 + b);
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-12);
    }
}

TEST(Initializers, ConstantsAndForgetBias) {
  Tensor ones = *initializeParameter("bn.gamma", DType::kF32, {4}, init("ones"), 0);
  Tensor zeros = *initializeParameter("bn.beta", DType::kF32, {4}, init("zeros"), 0);
  Tensor bias = *initializeParameter("lstm.bias", DType::kF32, {8}, init("unit_forget_bias"), 0);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(ones.get(i), 1.0);
    EXPECT_EQ(zeros.get(i), 0.0);
  }
  // Gate order i, f, c, o: only f (elements 2..3 for 2 units) starts at 1.
  std::vector<double> want = {0, 0, 1, 1, 0, 0, 0, 0};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(bias.get(i), want[i]) << i;
}

TEST(Initializers, UniformUsesItsBounds) {
  ir::Attrs a = init("uniform");
  a.set("minval", ir::Attribute::real(-0.05));
  a.set("maxval", ir::Attribute::real(0.05));
  Tensor t = *initializeParameter("embedding.embeddings", DType::kF32, {100, 8}, a, 0);
  for (int64_t i = 0; i < t.numElements(); ++i) {
    EXPECT_GE(t.get(i), -0.05);
    EXPECT_LE(t.get(i), 0.05);
  }
}

TEST(Initializers, UnknownInitializerIsAnError) {
  auto r = initializeParameter("p", DType::kF32, {2}, init("he_normal"), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "parameter 'p' has unknown initializer 'he_normal'");
}

}  // namespace
}  // namespace dlc::runtime
