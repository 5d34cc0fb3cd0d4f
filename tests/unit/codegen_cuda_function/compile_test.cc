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

std::unique_ptr<ir::Module> parseIr(SourceManager& sources, const char* text) {
  DiagnosticEngine diags(sources);
  std::unique_ptr<ir::Module> module = ir::parseModule(sources, sources.addBuffer("m.dlir", text), diags);
  return diags.hadError() ? nullptr : std::move(module);
}

// bf16 buffers move in 16-byte packs of eight (gpu_mapping.h's
// kGpuHalfVectorWidth), computed in f32: the loads and stores reach the PTX
// as 128-bit accesses, and a bf16 -> f32 cast stores two 16-byte halves.
TEST(CudaCompileOnly, Bf16ElementwisePacksSixteenBytes) {
  requireNvrtc();
  const char* text = R"(
func @f(%x: bf16[64, 96], %y: bf16[64, 96]) -> (bf16[64, 96], f32[64, 96]) {
  %0 = mul(%x, %y) : bf16[64, 96]
  %1 = tanh(%0) : bf16[64, 96]
  %2 = cast(%1) {dtype = f32} : f32[64, 96]
  return %1, %2
}
)";
  SourceManager sources;
  std::unique_ptr<ir::Module> module = parseIr(sources, text);
  ASSERT_TRUE(module);
  std::vector<std::vector<int64_t>> shapes = {{64, 96}, {64, 96}};
  for (const char* arch : {"compute_80", "compute_90"}) {
    SCOPED_TRACE(arch);
    absl::StatusOr<CudaCompiled> ptx =
        codegen::compileCudaModuleOnly(*module->functions().front(), shapes, arch, uncached());
    ASSERT_TRUE(ptx.ok()) << ptx.status();
    const std::string& source = ptx->module.source;
    EXPECT_NE(source.find("dlc_load_pack<8>(&b0_x["), std::string::npos) << source;
    EXPECT_NE(source.find("dlc_pack<__nv_bfloat16, 8> st0;"), std::string::npos) << source;
    EXPECT_NE(source.find("__bfloat162float(pk0.v[lane])"), std::string::npos) << source;
    EXPECT_NE(ptx->image.find("ld.global.nc.v4.u32"), std::string::npos);
    EXPECT_NE(ptx->image.find("st.global.v4.u32"), std::string::npos);
    EXPECT_NE(ptx->image.find("st.global.v4.f32"), std::string::npos);
  }
}

// A bf16 CNN's inference and gradient kernels as a CUDA target plans them
// (cuDNN for the convolutions, the first with its one channel padded to 8
// by a layout kernel; cuBLASLt for the dense layers) compile for sm_80 and
// sm_90, and the epilogue kernels after the library calls use bf16 packs.
TEST(CudaCompileOnly, Bf16ConvolutionModelCompiles) {
  requireNvrtc();
  const char* text = R"(
func @cnn(%x: bf16[batch, 28, 28, 1], %k1: bf16[3, 3, 1, 32], %b1: bf16[32], %k2: bf16[3, 3, 32, 64], %b2: bf16[64], %w: bf16[1600, 10], %g2: bf16[batch, 11, 11, 64]) -> (bf16[batch, 10], bf16[3, 3, 1, 32], bf16[batch, 13, 13, 32], bf16[3, 3, 32, 64]) {
  %0 = conv2d(%x, %k1, %b1) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : bf16[batch, 26, 26, 32]
  %1 = relu(%0) : bf16[batch, 26, 26, 32]
  %2 = maxpool2d(%1) {pool = [2, 2], strides = [2, 2], padding = "valid"} : bf16[batch, 13, 13, 32]
  %3 = conv2d(%2, %k2, %b2) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : bf16[batch, 11, 11, 64]
  %4 = relu(%3) : bf16[batch, 11, 11, 64]
  %5 = maxpool2d(%4) {pool = [2, 2], strides = [2, 2], padding = "valid"} : bf16[batch, 5, 5, 64]
  %6 = flatten(%5) : bf16[batch, 1600]
  %7 = matmul(%6, %w) : bf16[batch, 10]
  %8 = softmax(%7) : bf16[batch, 10]
  %9 = conv2d_grad_kernel(%x, %1, %k1) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : bf16[3, 3, 1, 32]
  %10 = conv2d_grad_input(%g2, %k2, %2) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : bf16[batch, 13, 13, 32]
  %11 = conv2d_grad_kernel(%2, %g2, %k2) {strides = [1, 1], padding = "valid", dilation = [1, 1], groups = 1} : bf16[3, 3, 32, 64]
  return %8, %9, %10, %11
}
)";
  SourceManager sources;
  std::unique_ptr<ir::Module> module = parseIr(sources, text);
  ASSERT_TRUE(module);
  int kernels = 0, launches = 0;
  compileEverywhere(*module->functions().front(), "bf16 cnn", &kernels, &launches);
  std::vector<std::vector<int64_t>> shapes = cuda_test::inputShapes(*module->functions().front());
  CudaCompileOptions options = uncached();
  options.libraries = {.gemm = true, .convolution = true};
  absl::StatusOr<CudaCompiled> compiled =
      codegen::compileCudaModuleOnly(*module->functions().front(), shapes, "sm_90", options);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const runtime::Executable& exe = compiled->lowered.executable;
  ASSERT_EQ(exe.library_calls.size(), 6u);  // 5 convolutions, 1 GEMM
  int padded = 0;
  for (const runtime::LibraryCall& call : exe.library_calls)
    padded += call.kind == runtime::LibraryCall::Kind::kConv2d && call.conv.in_c == 8;
  EXPECT_EQ(padded, 2);  // conv1 and its kernel gradient: one channel padded to 8
  EXPECT_NE(compiled->module.source.find("dlc_pack<__nv_bfloat16, 8>"), std::string::npos);
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
