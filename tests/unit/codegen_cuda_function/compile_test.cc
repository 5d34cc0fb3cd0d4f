// CudaFunction's compile path without a GPU: every kernel of every example
// model and every conformance case (inference and training functions) is
// emitted and compiled by NVRTC for sm_80 and sm_90. Skips (saying why) where
// libnvrtc is absent, and for the VGG16 models unless DLC_CUDA_TEST_LARGE=1.
#include <chrono>
#include <iostream>
#include <sstream>

#include "codegen/cuda/nvrtc.h"
#include "codegen/cuda_function.h"
#include "gtest/gtest.h"
#include "ir/parser.h"
#include "support/strings.h"
#include "tests/unit/codegen_cuda_function/models.h"

namespace dlc {
namespace {

using codegen::CudaCompiled;
using codegen::CudaCompileOptions;

constexpr const char* kArches[] = {"sm_80", "sm_90"};

void requireNvrtc() {
  if (absl::StatusOr<codegen::cuda::NvrtcVersion> v = codegen::cuda::nvrtcVersion(); !v.ok())
    GTEST_SKIP() << "no NVRTC: " << v.status().message();
}

CudaCompileOptions uncached() {
  CudaCompileOptions options;
  options.use_cache = false;  // compile for real: a cached cubin proves nothing
  return options;
}

// Compiles `function` for every arch; counts kernels and launches.
void compileEverywhere(const ir::Function& function, const std::string& what, int* kernels, int* launches) {
  std::vector<std::vector<int64_t>> shapes = cuda_test::inputShapes(function);
  for (const char* arch : kArches) {
    SCOPED_TRACE(strCat(what, " @", function.name(), " for ", arch));
    absl::StatusOr<CudaCompiled> compiled = codegen::compileCudaModuleOnly(function, shapes, arch, uncached());
    ASSERT_TRUE(compiled.ok()) << compiled.status().message();
    EXPECT_FALSE(compiled->image.empty());
    EXPECT_EQ(compiled->arch, arch);
    EXPECT_EQ(compiled->module.kernels.size(), compiled->lowered.executable.kernels.size());
    // The cubin defines every launch the executor will look up.
    for (const codegen::cuda::CudaKernelPlan& plan : compiled->module.kernels)
      for (const codegen::cuda::CudaLaunch& launch : plan.launches)
        EXPECT_NE(compiled->image.find(launch.name), std::string::npos) << launch.name;
    *kernels += static_cast<int>(compiled->module.kernels.size());
    *launches += compiled->launches;
  }
}

TEST(CudaCompileOnly, DenseReluSoftmaxFromIrText) {
  requireNvrtc();
  const char* text = R"(
param @dense.kernel : f32[16, 10] {init = "glorot_uniform", trainable = true}
param @dense.bias : f32[10] {init = "zeros", trainable = true}
func @m(%x: f32[batch, 16]) -> (f32[batch, 10]) {
  %k = param() {name = "dense.kernel"} : f32[16, 10]
  %b = param() {name = "dense.bias"} : f32[10]
  %0 = dense(%x, %k, %b) : f32[batch, 10]
  %1 = relu(%0) : f32[batch, 10]
  %2 = softmax(%1) : f32[batch, 10]
  return %2
}
)";
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::unique_ptr<ir::Module> module = ir::parseModule(sources, sources.addBuffer("m.dlir", text), diags);
  ASSERT_TRUE(module && !diags.hadError());
  int kernels = 0, launches = 0;
  compileEverywhere(*module->functions().front(), "m.dlir", &kernels, &launches);
  EXPECT_GT(kernels, 0);
  EXPECT_GE(launches, kernels);
}

// The compile-time checks that need no device.
TEST(CudaCompileOnly, ReportsTimesAndRejectsBadArch) {
  requireNvrtc();
  const char* text = R"(
func @f(%x: f32[4, 8]) -> (f32[4, 8]) {
  %0 = tanh(%x) : f32[4, 8]
  return %0
}
)";
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::unique_ptr<ir::Module> module = ir::parseModule(sources, sources.addBuffer("f.dlir", text), diags);
  ASSERT_TRUE(module);
  std::vector<std::vector<int64_t>> shapes = {{4, 8}};
  absl::StatusOr<CudaCompiled> ptx =
      codegen::compileCudaModuleOnly(*module->functions().front(), shapes, "compute_80", uncached());
  ASSERT_TRUE(ptx.ok()) << ptx.status();
  EXPECT_NE(ptx->image.find(".target sm_80"), std::string::npos);
  EXPECT_FALSE(ptx->times.cache_hit);
  EXPECT_GT(ptx->times.nvrtc_ms, 0);
  EXPECT_EQ(codegen::compileCudaModuleOnly(*module->functions().front(), shapes, "gfx90a", uncached()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Without a driver, compile() says so (Unavailable) instead of compiling.
TEST(CudaCompileOnly, CompileWithoutDeviceIsUnavailable) {
  if (runtime::cuda::openDefaultDevice().ok()) GTEST_SKIP() << "a CUDA device is present";
  const char* text = "func @f(%x: f32[4]) -> (f32[4]) {\n  %0 = tanh(%x) : f32[4]\n  return %0\n}\n";
  SourceManager sources;
  DiagnosticEngine diags(sources);
  std::unique_ptr<ir::Module> module = ir::parseModule(sources, sources.addBuffer("f.dlir", text), diags);
  ASSERT_TRUE(module);
  std::vector<std::vector<int64_t>> shapes = {{4}};
  auto f = codegen::CudaFunction::compile(*module->functions().front(), shapes);
  EXPECT_EQ(f.status().code(), absl::StatusCode::kUnavailable) << f.status();
}

class CudaCompileModel : public ::testing::TestWithParam<std::string> {};

TEST_P(CudaCompileModel, EveryKernelCompilesForSm80AndSm90) {
  requireNvrtc();
  if (cuda_test::isLarge(GetParam()) && !envFlag("DLC_CUDA_TEST_LARGE"))
    GTEST_SKIP() << "VGG16's fused convolution blocks take NVRTC minutes (DLC_CUDA_TEST_LARGE=1 compiles them)";
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<cuda_test::LoweredModel> model = cuda_test::lowerModel(GetParam());
  ASSERT_NE(model, nullptr);
  int kernels = 0, launches = 0, functions = 0;
  for (const ir::Module* module : {model->inference.get(), model->training.get()}) {
    for (const auto& f : module->functions()) {
      compileEverywhere(*f, GetParam(), &kernels, &launches);
      ++functions;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << GetParam() << ": " << functions << " functions, " << kernels << " kernels (" << launches
            << " launches) compiled by NVRTC for sm_80 and sm_90 in " << seconds << " s\n";
  RecordProperty("kernels", kernels);
  RecordProperty("launches", launches);
  EXPECT_GT(kernels, 0);
}

INSTANTIATE_TEST_SUITE_P(AllModels, CudaCompileModel, ::testing::ValuesIn(cuda_test::modelFiles(true)),
                         cuda_test::testName);
INSTANTIATE_TEST_SUITE_P(Mappings, CudaCompileModel, ::testing::ValuesIn(cuda_test::mappingModelFiles()),
                         cuda_test::testName);

}  // namespace
}  // namespace dlc
