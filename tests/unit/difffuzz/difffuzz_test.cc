#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "dlc/dlc.h"
#include "gtest/gtest.h"
#include "tools/difffuzz/compare.h"
#include "tools/difffuzz/generator.h"
#include "tools/difffuzz/minimizer.h"
#include "tools/difffuzz/sandbox.h"
#include "tools/difffuzz/tolerance.h"

namespace dlc::difffuzz {
namespace {

TEST(Generator, SameSeedSameModel) {
  EXPECT_EQ(generateModel(42).source, generateModel(42).source);
  EXPECT_NE(generateModel(42).source, generateModel(43).source);
}

// Valid by construction: the front end and the graph passes accept every
// model (the reference target compiles nothing more).
TEST(Generator, ModelsAreValid) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    GeneratedModel m = generateModel(seed);
    ModelOptions options;
    options.target = "reference";
    absl::StatusOr<Model> model = Model::fromString(m.source, "gen.dl", options);
    ASSERT_TRUE(model.ok()) << "seed " << seed << ": " << model.status() << "\n" << m.source;
    EXPECT_EQ(m.trains, model->trainConfig().ok()) << m.source;
  }
}

TEST(Generator, ExcludedFamiliesAreNotGenerated) {
  GeneratorOptions options;
  options.excluded = {"lstm", "conv2d"};
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    std::string source = generateModel(seed, options).source;
    EXPECT_EQ(source.find("lstm("), std::string::npos) << source;
    EXPECT_EQ(source.find("conv2d("), std::string::npos) << source;
  }
}

TEST(Minimizer, KeepsWhatReproduces) {
  std::string source =
      "model m(x: f32[batch, 16]) {\n  dense(12, activation=relu)\n  avgpool_marker(7)\n  tanh()\n}\n\n"
      "train m {\n  loss = mse\n}\n";
  auto reproduces = [](const std::string& s) { return s.find("avgpool_marker(") != std::string::npos; };
  std::string small = minimizeSource(source, reproduces, 100);
  EXPECT_EQ(small, "model m(x: f32[batch, 1]) {\n  avgpool_marker(1)\n}\n\n");
}

TEST(Minimizer, StopsAtTheBudget) {
  int calls = 0;
  auto reproduces = [&](const std::string&) { return ++calls, false; };
  minimizeSource("model m(x: f32[batch, 16]) {\n  dense(12)\n  relu()\n}\n", reproduces, 3);
  EXPECT_EQ(calls, 3);
}

TEST(Tolerance, GrowsWithTheOps) {
  Tolerance plain = toleranceFor("model m(x: f32[batch, 4]) {\n  relu()\n}\n");
  Tolerance deep = toleranceFor("model m(x: f32[batch, 4]) {\n  dense(4)\n  softmax()\n  lstm(3)\n}\n");
  EXPECT_LT(plain.forward, deep.forward);
  EXPECT_LT(plain.forward, plain.gradient);
  EXPECT_LT(plain.gradient, plain.train);
  // Comments do not count; half precision rounds at 2^-11.
  EXPECT_EQ(plain.forward, toleranceFor("# lstm lstm lstm\nmodel m(x: f32[batch, 4]) {\n  relu()\n}\n").forward);
  EXPECT_GE(toleranceFor("model m(x: f16[batch, 4]) {\n  relu()\n}\n").forward, 1e-3);
}

Tensor vector(std::initializer_list<double> values) {
  Tensor t = *Tensor::zeros(DType::kF32, {static_cast<int64_t>(values.size())});
  int64_t i = 0;
  for (double v : values) t.set(i++, v);
  return t;
}

TEST(Compare, RelativeToTheTensorsScale) {
  // 1e-6 off an element of 0 is fine next to an element of 10...
  EXPECT_TRUE(compareTensors(vector({10, 0}), vector({10, 1e-6}), 1e-5, 0, "cpu").ok);
  // ...but not 1e-3.
  Difference d = compareTensors(vector({10, 0}), vector({10, 1e-3}), 1e-5, 0, "cpu");
  EXPECT_FALSE(d.ok);
  EXPECT_NE(d.why.find("element 1"), std::string::npos) << d.why;
  // NaN matches NaN; a shape difference is reported.
  EXPECT_TRUE(compareTensors(vector({NAN}), vector({NAN}), 1e-5, 0, "cpu").ok);
  EXPECT_FALSE(compareTensors(vector({1}), vector({1, 2}), 1e-5, 0, "cpu").ok);
  // An infinite slack skips the element.
  Tensor slack = vector({INFINITY});
  EXPECT_TRUE(compareTensors(vector({1}), vector({2}), 1e-5, 0, "cpu", &slack).ok);
}

TEST(Sandbox, ReportsOutcomesCrashesAndTimeouts) {
  Outcome ok = Sandbox::runOne(
      [] {
        Outcome o;
        o.kind = "output";
        o.target = "cpu";
        o.detail = "output 0 element 3";
        o.trained = true;
        return o;
      },
      10);
  EXPECT_EQ(ok.kind, "output");
  EXPECT_EQ(ok.target, "cpu");
  EXPECT_EQ(ok.detail, "output 0 element 3");
  EXPECT_TRUE(ok.trained);

  Outcome crash = Sandbox::runOne(
      []() -> Outcome {
        fprintf(stderr, "about to crash\n");
        // SIGABRT, not SIGSEGV: ASan catches a SIGSEGV and prints a report
        // long enough to push this line out of the tail kept.
        raise(SIGABRT);
        return {};
      },
      10);
  EXPECT_EQ(crash.kind, "crash");
  EXPECT_NE(crash.detail.find("about to crash"), std::string::npos) << crash.detail;

  Outcome hang = Sandbox::runOne(
      []() -> Outcome {
        pause();
        return {};
      },
      1);
  EXPECT_EQ(hang.kind, "timeout");
}

}  // namespace
}  // namespace dlc::difffuzz
