// Every emitted kernel compiles with NVRTC (no GPU needed), and NVRTC's
// errors name the kernel they fall in.
#include "codegen/cuda/nvrtc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "codegen/cuda/emitter.h"
#include "tests/unit/codegen_cuda/test_kernels.h"

namespace dlc::codegen::cuda {
namespace {

using ::testing::HasSubstr;

#define SKIP_WITHOUT_NVRTC() \
  if (absl::StatusOr<NvrtcVersion> v = nvrtcVersion(); !v.ok()) GTEST_SKIP() << v.status()

TEST(Nvrtc, ReportsItsVersion) {
  SKIP_WITHOUT_NVRTC();
  absl::StatusOr<NvrtcVersion> v = nvrtcVersion();
  EXPECT_GE(v->major, 12);
}

class NvrtcArch : public ::testing::TestWithParam<std::string> {};

TEST_P(NvrtcArch, EveryTestKernelCompiles) {
  SKIP_WITHOUT_NVRTC();
  absl::StatusOr<codegen::cuda::CudaModule> m = codegen::cuda::emitCuda(testing_kernels::allKernels());
  ASSERT_TRUE(m.ok()) << m.status();
  absl::StatusOr<CompiledCuda> out = compileCuda(m->source, GetParam());
  ASSERT_TRUE(out.ok()) << out.status() << "\n" << m->source;
  EXPECT_GT(out->cubin.size(), 1000u);
  EXPECT_TRUE(out->ptx.empty());
  EXPECT_EQ(out->log, "") << m->source;  // no warnings either
}

INSTANTIATE_TEST_SUITE_P(Archs, NvrtcArch, ::testing::Values("sm_80", "sm_90"));

TEST(Nvrtc, ComputeArchGivesPtxWithEveryLaunch) {
  SKIP_WITHOUT_NVRTC();
  absl::StatusOr<codegen::cuda::CudaModule> m = codegen::cuda::emitCuda(testing_kernels::allKernels());
  ASSERT_TRUE(m.ok()) << m.status();
  absl::StatusOr<CompiledCuda> out = compileCuda(m->source, "compute_90");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->cubin.empty());
  for (const auto& kernel : m->kernels)
    for (const auto& launch : kernel.launches) EXPECT_THAT(out->ptx, HasSubstr(".entry " + launch.name + "("));
}

TEST(Nvrtc, ErrorsNameTheKernelAndItsOrigin) {
  SKIP_WITHOUT_NVRTC();
  std::string source =
      "// origin: fine at a.dl:1\n"
      "extern \"C\" __global__ void __launch_bounds__(32) good(float* p) { p[0] = 1.0f; }\n"
      "\n"
      "// origin: add, relu at m.dl:7\n"
      "extern \"C\" __global__ void __launch_bounds__(32) broken(float* p) {\n"
      "  p[0] = undefined_name;\n"
      "}\n";
  absl::StatusOr<CompiledCuda> out = compileCuda(source, "sm_90");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("undefined_name"));
  EXPECT_THAT(out.status().message(), HasSubstr("in kernel 'broken' (origin: add, relu at m.dl:7)"));
}

TEST(Nvrtc, KernelAtLineFindsTheEnclosingFunction) {
  std::string source =
      "prelude\n// origin: o1\nextern \"C\" __global__ void __launch_bounds__(64) k1(int* p) {\n}\n"
      "extern \"C\" __global__ void k2(int* p) {\n}\n";
  EXPECT_EQ(kernelAtLine(source, 1), "");
  EXPECT_EQ(kernelAtLine(source, 4), "kernel 'k1' (origin: o1)");
  EXPECT_EQ(kernelAtLine(source, 6), "kernel 'k2'");
}

TEST(Nvrtc, BadArchIsAnError) {
  SKIP_WITHOUT_NVRTC();
  EXPECT_EQ(compileCuda("", "gfx90a").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Nvrtc, MissingLibraryIsAClearError) {
  std::vector<std::string> candidates = {"/nonexistent/libnvrtc.so.13", "libdoes-not-exist.so"};
  absl::Status status = probeNvrtc(candidates);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("cannot load NVRTC"));
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent/libnvrtc.so.13"));
  EXPECT_THAT(status.message(), HasSubstr("CUDA_HOME"));
}

TEST(Nvrtc, CandidatesIncludeTheToolkitFolder) {
  std::vector<std::string> c = nvrtcCandidates();
  EXPECT_NE(std::find(c.begin(), c.end(), "libnvrtc.so.13"), c.end());
  EXPECT_NE(std::find(c.begin(), c.end(), "/usr/local/cuda/lib64/libnvrtc.so"), c.end());
}

}  // namespace
}  // namespace dlc::codegen::cuda
