// A model compiled to an artifact (Model::compileArtifact) and run by the
// runtime alone (dlc::CompiledModel) gives what the JIT gives, bit for bit:
// inference, and a sequence of training steps with the optimizer's state.
#include <cstring>
#include <string>

#include "dlc/dlc.h"
#include "dlc/runtime.h"
#include "gtest/gtest.h"

namespace dlc {
namespace {

std::string example(const char* name) { return std::string(DLC_SOURCE_DIR) + "/examples/" + name; }

Tensor ramp(DType dtype, std::vector<int64_t> shape, int64_t modulo, double scale) {
  Tensor t = *Tensor::zeros(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numElements(); ++i) t.set(i, static_cast<double>((i * 7) % modulo) * scale);
  return t;
}

NamedTensors named(const std::string& name, const Tensor& t) {
  NamedTensors v;
  v.emplace_back(name, t.clone());
  return v;
}

bool sameBytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

struct Pair {
  Model jit;
  CompiledModel artifact;
};

Pair compile(const char* file, const ArtifactOptions& options) {
  absl::StatusOr<Model> model = Model::fromFile(example(file), {.target = "cpu"});
  EXPECT_TRUE(model.ok()) << model.status();
  absl::StatusOr<std::string> bytes = model->compileArtifact(options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<CompiledModel> artifact = CompiledModel::fromBytes(*bytes, file, {.target = "cpu"});
  EXPECT_TRUE(artifact.ok()) << artifact.status();
  EXPECT_TRUE(model->initializeWeights(5).ok());
  EXPECT_TRUE(artifact->initializeWeights(5).ok());
  return Pair{*std::move(model), *std::move(artifact)};
}

TEST(ArtifactApi, CnnInferenceAndTrainingMatchTheJit) {
  Pair p = compile("mnist_cnn.dl", {.target = "cpu", .batch_sizes = {4}, .train = true});
  Tensor x = ramp(DType::kF32, {4, 28, 28, 1}, 255, 1.0 / 255);
  Tensor labels = *Tensor::zeros(DType::kF32, {4, 10});
  for (int64_t i = 0; i < 4; ++i) labels.set(i * 10 + (i * 3) % 10, 1.0);
  auto a = p.jit.run(named("x", x));
  auto b = p.artifact.run(named("x", x));
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  EXPECT_TRUE(sameBytes((*a)[0], (*b)[0]));
  for (int step = 0; step < 3; ++step) {
    auto ja = p.jit.trainStep(named("x", x), labels);
    auto ar = p.artifact.trainStep(named("x", x), labels);
    ASSERT_TRUE(ja.ok() && ar.ok()) << ja.status() << ar.status();
    EXPECT_EQ(ja->loss, ar->loss) << "step " << step;
    EXPECT_EQ(ja->accuracy, ar->accuracy) << "step " << step;
  }
  absl::StatusOr<NamedTensors> jit_state = p.jit.state();
  ASSERT_TRUE(jit_state.ok());
  NamedTensors art_state = p.artifact.state();
  ASSERT_EQ(jit_state->size(), art_state.size());
  for (const auto& [name, value] : *jit_state) {
    auto it = std::find_if(art_state.begin(), art_state.end(), [&](const auto& e) { return e.first == name; });
    ASSERT_NE(it, art_state.end()) << name;
    EXPECT_TRUE(sameBytes(value, it->second)) << name;
  }
}

TEST(ArtifactApi, SparseLabelsAreCheckedAsTheJitChecksThem) {
  Pair p = compile("text_lstm.dl", {.target = "cpu", .batch_sizes = {2}, .train = true});
  Tensor tokens = ramp(DType::kI32, {2, 20}, 1000, 1);
  Tensor ids = *Tensor::zeros(DType::kI64, {2, 1});
  ids.set(0, 3);
  ids.set(1, 999);
  auto ja = p.jit.trainStep(named("tokens", tokens), ids);
  auto ar = p.artifact.trainStep(named("tokens", tokens), ids);
  ASSERT_TRUE(ja.ok() && ar.ok()) << ja.status() << ar.status();
  EXPECT_EQ(ja->loss, ar->loss);
  ids.set(1, 1000);
  auto bad_jit = p.jit.trainStep(named("tokens", tokens), ids);
  auto bad_art = p.artifact.trainStep(named("tokens", tokens), ids);
  ASSERT_FALSE(bad_jit.ok());
  ASSERT_FALSE(bad_art.ok());
  EXPECT_EQ(bad_jit.status().message(), bad_art.status().message());
  EXPECT_NE(bad_art.status().message().find("label 1000 at index [1] is outside [0, 1000)"), std::string_view::npos);
}

TEST(ArtifactApi, WhatTheArtifactWasNotCompiledFor) {
  Pair p = compile("mnist_cnn.dl", {.target = "cpu", .batch_sizes = {1, 2}});
  Tensor x3 = ramp(DType::kF32, {3, 28, 28, 1}, 255, 1.0 / 255);
  auto run = p.artifact.run(named("x", x3));
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(run.status().message().find("compiled for (x: f32[1, 28, 28, 1]) and (x: f32[2, 28, 28, 1])"),
            std::string_view::npos)
      << run.status();
  Tensor x1 = ramp(DType::kF32, {1, 28, 28, 1}, 255, 1.0 / 255);
  auto train = p.artifact.trainStep(named("x", x1), *Tensor::zeros(DType::kF32, {1, 10}));
  ASSERT_FALSE(train.ok());
  EXPECT_EQ(train.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(train.status().message().find("compile it with --train"), std::string_view::npos);
}

}  // namespace
}  // namespace dlc
