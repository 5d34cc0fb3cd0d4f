// Training through the public API on a CUDA target, where the training steps
// leave their parameter updates on the device (api/execute.h): the weights
// read between steps, evaluation, a learning-rate change and the final state
// must be those of a run that brings every write back every step
// (DLC_CUDA_KEEP_WEIGHTS=0).
#include <cstdlib>
#include <random>
#include <string>

#include "dlc/dlc.h"
#include "gtest/gtest.h"
#include "runtime/cuda/device.h"
#include "tests/unit/codegen_cuda_function/models.h"
#include "tests/unit/common/differential.h"

namespace dlc {
namespace {

constexpr const char* kModel =
    "model m(x: f32[batch, 8, 8, 1]) {\n"
    "  conv2d(4, kernel=3, activation=relu)\n"
    "  flatten()\n"
    "  dense(3, activation=softmax)\n"
    "}\n"
    "train m {\n  loss = categorical_crossentropy\n  optimizer = adam(learning_rate=0.01)\n}\n";

struct TrainingRun {
  std::vector<double> mid_kernel;  // dense.kernel read after step 2
  double eval_loss = 0;
  NamedTensors state;
};

std::vector<std::pair<std::string, Tensor>> input(const Tensor& x) {
  std::vector<std::pair<std::string, Tensor>> in;
  in.emplace_back("x", x.clone());
  return in;
}

// Five steps, with a weight read, an evaluation and a learning-rate change
// between them.
TrainingRun train(bool keep_on_device) {
  setenv("DLC_CUDA_KEEP_WEIGHTS", keep_on_device ? "1" : "0", 1);
  ModelOptions options;
  options.target = "cuda";
  absl::StatusOr<Model> m = Model::fromString(kModel, "m.dl", options);
  EXPECT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->initializeWeights(1).ok());
  std::mt19937 rng(5);
  Tensor x = testing::randomTensor(DType::kF32, {4, 8, 8, 1}, rng, "x");
  Tensor y = *Tensor::zeros(DType::kF32, {4, 3});
  for (int i = 0; i < 4; ++i) y.set(i * 3 + i % 3, 1.0);
  TrainingRun run;
  for (int step = 0; step < 5; ++step) {
    absl::StatusOr<StepMetrics> s = m->trainStep(input(x), y);
    EXPECT_TRUE(s.ok()) << s.status();
    if (step == 1) {
      absl::StatusOr<const Tensor*> k = m->weight("dense.kernel");
      EXPECT_TRUE(k.ok()) << k.status();
      for (int64_t i = 0; i < (*k)->numElements(); ++i) run.mid_kernel.push_back((*k)->get(i));
    }
    if (step == 2) {
      absl::StatusOr<StepMetrics> e = m->evaluate(input(x), y);
      EXPECT_TRUE(e.ok()) << e.status();
      run.eval_loss = e.ok() ? e->loss : 0;
      EXPECT_TRUE(m->setLearningRate(0.001).ok());
    }
  }
  absl::StatusOr<NamedTensors> state = m->state();
  EXPECT_TRUE(state.ok()) << state.status();
  if (state.ok()) run.state = std::move(*state);
  unsetenv("DLC_CUDA_KEEP_WEIGHTS");
  return run;
}

TEST(CudaApiTraining, WeightsKeptOnTheDeviceMatchWeightsBroughtBackEveryStep) {
  if (!runtime::cuda::openDefaultDevice().ok()) {
    if (cuda_test::envIs("DLC_REQUIRE_GPU", "1")) FAIL() << "DLC_REQUIRE_GPU=1 but no CUDA device";
    GTEST_SKIP() << "no CUDA device";
  }
  TrainingRun kept = train(true), returned = train(false);
  ASSERT_EQ(kept.mid_kernel.size(), returned.mid_kernel.size());
  for (size_t i = 0; i < kept.mid_kernel.size(); ++i)
    EXPECT_NEAR(kept.mid_kernel[i], returned.mid_kernel[i], 1e-6) << "dense.kernel after step 2, element " << i;
  EXPECT_NEAR(kept.eval_loss, returned.eval_loss, 1e-6);
  ASSERT_EQ(kept.state.size(), returned.state.size());
  for (size_t i = 0; i < kept.state.size(); ++i) {
    ASSERT_EQ(kept.state[i].first, returned.state[i].first);
    testing::expectClose(returned.state[i].second, kept.state[i].second, "state " + kept.state[i].first, "cuda",
                         1e-6, 1e-7);
  }
}

}  // namespace
}  // namespace dlc
