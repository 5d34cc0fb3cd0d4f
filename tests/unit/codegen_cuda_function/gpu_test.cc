// CudaFunction on a GPU against the reference interpreter, as
// tests/unit/codegen/differential_test.cc does for the CPU: every example
// model (inference, grad and the training step with its writes), same
// inputs, same parameters, same tolerances. Then the executor's CUDA graph
// replay, a short training loop that feeds the writes back, and the kernel
// cache. Every test skips without a CUDA device, or fails when
// DLC_REQUIRE_GPU=1. VGG16-sized models (224x224 inputs) take minutes in the
// reference interpreter: they run only with DLC_CUDA_TEST_LARGE=1.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "codegen/cuda_function.h"
#include "gtest/gtest.h"
#include "reference/interpreter.h"
#include "runtime/cuda/device.h"
#include "support/strings.h"
#include "tests/unit/codegen_cuda_function/models.h"
#include "tests/unit/common/differential.h"

namespace dlc {
namespace {

namespace fs = std::filesystem;
using runtime::Tensor;

// In SetUp: skip without a device, fail without one under DLC_REQUIRE_GPU=1.
#define DLC_REQUIRE_CUDA_DEVICE()                                                           \
  do {                                                                                      \
    absl::StatusOr<runtime::cuda::CudaDevice*> device = runtime::cuda::openDefaultDevice(); \
    if (!device.ok()) {                                                                     \
      if (envFlag("DLC_REQUIRE_GPU")) FAIL() << "DLC_REQUIRE_GPU=1: " << device.status();   \
      GTEST_SKIP() << device.status().message();                                            \
    }                                                                                       \
  } while (0)

using testing::randomTensor;

// Against the interpreter's double-precision results. 1e-3 rather than the
// CPU differential's 2e-4: cuDNN sums in another order than the interpreter,
// and the test models' random weights (uniform in [-1, 1], not scaled by
// fan-in) drive the CNN's logits to ~1e4, where a saturated softmax turns
// last-bit differences of f32 sums into 5e-4 differences of the gradients.
// The cuDNN calls themselves are checked at 1e-4 against double sums
// (runtime_cuda_tests, LibraryCallOnGpu).
void expectClose(const Tensor& expected, const Tensor& actual, const std::string& what, double rtol = 1e-3,
                 double atol = 1e-3) {
  testing::expectClose(expected, actual, what, "cuda", rtol, atol);
}

struct Case {
  std::vector<Tensor> inputs;
  std::vector<std::vector<int64_t>> shapes;
  reference::ParamMap params;
};

Case randomCase(const ir::Module& module, const ir::Function& function) {
  Case c;
  std::mt19937 rng(7);
  c.shapes = cuda_test::inputShapes(function);
  for (size_t i = 0; i < function.arguments().size(); ++i) {
    const auto& arg = function.argument(i);
    c.inputs.push_back(randomTensor(arg->type().dtype, c.shapes[i], rng, arg->nameHint()));
  }
  for (const ir::ParamDecl& p : module.params()) {
    std::vector<int64_t> shape;
    for (const ir::Dim& d : p.type.dims) shape.push_back(d.isStatic() ? d.size() : cuda_test::kBatch);
    c.params[p.name] = randomTensor(p.type.dtype, shape, rng, p.name);
  }
  return c;
}

reference::ParamMap cloneParams(const reference::ParamMap& params) {
  reference::ParamMap out;
  for (const auto& [name, value] : params) out[name] = value.clone();
  return out;
}

// A cache folder of this process's own, removed at exit.
const fs::path& testCacheDir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / strCat("dlc_cuda_fn_test_", ::getpid());
    fs::remove_all(d);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(fs::temp_directory_path() / strCat("dlc_cuda_fn_test_", ::getpid()), ec);
    });
    return d;
  }();
  return dir;
}

codegen::CudaCompileOptions testOptions() {
  codegen::CudaCompileOptions options;
  options.cache_dir = testCacheDir();
  return options;
}

void compareFunction(const ir::Module& module, const ir::Function& function, const std::string& file) {
  SCOPED_TRACE(strCat(file, " @", function.name()));
  Case c = randomCase(module, function);
  reference::InterpretOptions options{.seed = 3, .step = 5};
  reference::ParamMap expected_writes;
  absl::StatusOr<std::vector<Tensor>> expected =
      reference::interpret(module, function, c.inputs, c.params, options, &expected_writes);
  if (!expected.ok()) GTEST_SKIP() << "the reference rejects the inputs: " << expected.status().message();
  absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> compiled =
      codegen::CudaFunction::compile(function, c.shapes, testOptions());
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  runtime::TensorMap actual_writes;
  absl::StatusOr<std::vector<Tensor>> actual =
      (*compiled)->run(c.inputs, c.params, runtime::cuda::RunOptions{options.seed, options.step}, &actual_writes);
  ASSERT_TRUE(actual.ok()) << actual.status().message();
  ASSERT_EQ(expected->size(), actual->size());
  for (size_t i = 0; i < expected->size(); ++i) expectClose((*expected)[i], (*actual)[i], strCat("output ", i));
  ASSERT_EQ(expected_writes.size(), actual_writes.size());
  for (const auto& [name, value] : expected_writes) {
    auto it = actual_writes.find(name);
    ASSERT_NE(it, actual_writes.end()) << "no write of " << name;
    expectClose(value, it->second, strCat("write of ", name));
  }
}

class CudaDifferential : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { DLC_REQUIRE_CUDA_DEVICE(); }
};

TEST_P(CudaDifferential, CompiledMatchesReference) {
  if (cuda_test::isLarge(GetParam()) && !envFlag("DLC_CUDA_TEST_LARGE"))
    GTEST_SKIP() << "a 224x224 model: the reference takes minutes (DLC_CUDA_TEST_LARGE=1 runs it)";
  std::unique_ptr<cuda_test::LoweredModel> model = cuda_test::lowerModel(GetParam());
  ASSERT_NE(model, nullptr);
  for (const auto& f : model->inference->functions()) compareFunction(*model->inference, *f, GetParam());
  for (const auto& f : model->training->functions())
    if (f->name().ends_with(".train_step") || f->name().ends_with(".grad"))
      compareFunction(*model->training, *f, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Examples, CudaDifferential, ::testing::ValuesIn(cuda_test::modelFiles(false)),
                         cuda_test::testName);
// The CUDA emitter's mappings on the shapes that take each one: elementwise
// with a tail, rows of 1024, 10, 1000 and 1001, 64 channel sums over 300,000
// rows, a sum over an odd extent, batchnorm's statistics in two stages.
INSTANTIATE_TEST_SUITE_P(Mappings, CudaDifferential, ::testing::ValuesIn(cuda_test::mappingModelFiles()),
                         cuda_test::testName);

// mnist_cnn's training step: the most kernels of the small examples, random
// ops (dropout) and parameter writes.
class CudaFunctionGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    DLC_REQUIRE_CUDA_DEVICE();
    model_ = cuda_test::lowerModel("examples/mnist_cnn.dl");
    ASSERT_NE(model_, nullptr);
    for (const auto& f : model_->training->functions())
      if (f->name().ends_with(".train_step")) step_ = f.get();
    ASSERT_NE(step_, nullptr);
  }
  std::unique_ptr<cuda_test::LoweredModel> model_;
  const ir::Function* step_ = nullptr;
};

TEST_F(CudaFunctionGpu, GraphReplayGivesTheSameResults) {
  Case c = randomCase(*model_->training, *step_);
  codegen::CudaCompileOptions options = testOptions();
  options.executor.graphs = true;
  options.executor.sync_each_launch = false;
  absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> f = codegen::CudaFunction::compile(*step_, c.shapes, options);
  ASSERT_TRUE(f.ok()) << f.status();
  std::vector<std::vector<Tensor>> outputs;
  std::vector<runtime::TensorMap> writes;
  for (int i = 0; i < 3; ++i) {
    runtime::TensorMap w;
    absl::StatusOr<std::vector<Tensor>> out = (*f)->run(c.inputs, c.params, {3, 5}, &w);
    ASSERT_TRUE(out.ok()) << "run " << i << ": " << out.status();
    outputs.push_back(std::move(*out));
    writes.push_back(std::move(w));
  }
  const runtime::cuda::ExecutorStats& stats = (*f)->executor().stats();
  EXPECT_EQ(stats.runs, 3);
  EXPECT_EQ(stats.eager_runs, 1);
  EXPECT_EQ(stats.graph_replays, 2);
  EXPECT_TRUE(stats.graph_captured);
  // The same up to the order of atomic float additions.
  for (int i = 1; i < 3; ++i) {
    ASSERT_EQ(outputs[i].size(), outputs[0].size());
    for (size_t o = 0; o < outputs[0].size(); ++o)
      expectClose(outputs[0][o], outputs[i][o], strCat("run ", i, " output ", o), 1e-5, 1e-6);
    ASSERT_EQ(writes[i].size(), writes[0].size());
    for (const auto& [name, value] : writes[0])
      expectClose(value, writes[i].at(name), strCat("run ", i, " write of ", name), 1e-5, 1e-6);
  }
  // And the same as eager launches.
  options.executor.graphs = false;
  absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> eager =
      codegen::CudaFunction::compile(*step_, c.shapes, options);
  ASSERT_TRUE(eager.ok()) << eager.status();
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<std::vector<Tensor>> out = (*eager)->run(c.inputs, c.params, {3, 5});
    ASSERT_TRUE(out.ok()) << out.status();
    for (size_t o = 0; o < outputs[0].size(); ++o)
      expectClose(outputs[0][o], (*out)[o], strCat("eager output ", o), 1e-5, 1e-6);
  }
  EXPECT_EQ((*eager)->executor().stats().graph_replays, 0);
  EXPECT_EQ((*eager)->executor().stats().eager_runs, 2);
}

// Three training steps with the writes fed back as the next step's
// parameters (graph replay from the second), against the reference.
TEST_F(CudaFunctionGpu, TrainingLoopMatchesReference) {
  Case c = randomCase(*model_->training, *step_);
  absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> f =
      codegen::CudaFunction::compile(*step_, c.shapes, testOptions());
  ASSERT_TRUE(f.ok()) << f.status();
  reference::ParamMap ref_params = cloneParams(c.params), gpu_params = cloneParams(c.params);
  for (uint64_t step = 0; step < 3; ++step) {
    SCOPED_TRACE(strCat("step ", step));
    reference::ParamMap ref_writes;
    runtime::TensorMap gpu_writes;
    absl::StatusOr<std::vector<Tensor>> expected =
        reference::interpret(*model_->training, *step_, c.inputs, ref_params, {.seed = 3, .step = step}, &ref_writes);
    ASSERT_TRUE(expected.ok()) << expected.status();
    absl::StatusOr<std::vector<Tensor>> actual = (*f)->run(c.inputs, gpu_params, {3, step}, &gpu_writes);
    ASSERT_TRUE(actual.ok()) << actual.status();
    for (size_t o = 0; o < expected->size(); ++o) expectClose((*expected)[o], (*actual)[o], strCat("output ", o));
    ASSERT_EQ(ref_writes.size(), gpu_writes.size());
    for (auto& [name, value] : ref_writes) {
      expectClose(value, gpu_writes.at(name), strCat("write of ", name));
      ref_params[name] = std::move(value);
      gpu_params[name] = std::move(gpu_writes.at(name));
    }
  }
  EXPECT_EQ((*f)->executor().stats().graph_replays, 2);
}

TEST_F(CudaFunctionGpu, SecondCompileHitsTheCache) {
  Case c = randomCase(*model_->training, *step_);
  codegen::CudaCompileOptions options = testOptions();
  options.cache_dir = testCacheDir() / "fresh";
  absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> first =
      codegen::CudaFunction::compile(*step_, c.shapes, options);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE((*first)->times().cache_hit);
  absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> second =
      codegen::CudaFunction::compile(*step_, c.shapes, options);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE((*second)->times().cache_hit);
  std::cout << "mnist_cnn train_step: lower " << (*first)->times().lower_ms << " ms, nvrtc "
            << (*first)->times().nvrtc_ms << " ms (cache hit: " << (*second)->times().nvrtc_ms << " ms), load "
            << (*first)->times().load_ms << " ms, arch " << (*first)->arch() << "\n";
  absl::StatusOr<std::vector<Tensor>> a = (*first)->run(c.inputs, c.params, {3, 5});
  absl::StatusOr<std::vector<Tensor>> b = (*second)->run(c.inputs, c.params, {3, 5});
  ASSERT_TRUE(a.ok() && b.ok());
  for (size_t o = 0; o < a->size(); ++o) expectClose((*a)[o], (*b)[o], strCat("output ", o), 1e-5, 1e-6);
}

// Inputs or parameters of the wrong size are errors before anything runs.
TEST_F(CudaFunctionGpu, RejectsWrongInputs) {
  Case c = randomCase(*model_->training, *step_);
  absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> f =
      codegen::CudaFunction::compile(*step_, c.shapes, testOptions());
  ASSERT_TRUE(f.ok()) << f.status();
  reference::ParamMap missing = cloneParams(c.params);
  missing.erase(missing.begin());
  EXPECT_EQ((*f)->run(c.inputs, missing, {}).status().code(), absl::StatusCode::kFailedPrecondition);
  std::vector<Tensor> wrong;
  wrong.push_back(*Tensor::zeros(ir::DType::kF32, {1}));
  EXPECT_EQ((*f)->run(wrong, c.params, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*f)->run(c.inputs, c.params, {}).ok());
}

// An embedding id outside the table is the caller's error, found on the host
// before anything runs (Executable::index_checks).
TEST(CudaFunctionIds, OutOfRangeIdIsInvalidArgument) {
  DLC_REQUIRE_CUDA_DEVICE();
  std::unique_ptr<cuda_test::LoweredModel> model = cuda_test::lowerModel("examples/text_lstm.dl");
  ASSERT_NE(model, nullptr);
  const ir::Function& f = *model->inference->functions().front();
  Case c = randomCase(*model->inference, f);
  ASSERT_FALSE(c.inputs.empty());
  ASSERT_TRUE(ir::isInteger(c.inputs[0].dtype())) << "text_lstm's input is token ids";
  absl::StatusOr<std::unique_ptr<codegen::CudaFunction>> compiled =
      codegen::CudaFunction::compile(f, c.shapes, testOptions());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  ASSERT_TRUE((*compiled)->run(c.inputs, c.params, {}).ok());
  c.inputs[0].set(0, 1e6);
  absl::Status bad = (*compiled)->run(c.inputs, c.params, {}).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;
  EXPECT_NE(bad.message().find("1000000"), std::string_view::npos) << bad;
}

}  // namespace
}  // namespace dlc
