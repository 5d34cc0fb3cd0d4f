// The emitted kernels run on a GPU and match plain loops on the host, or the
// kernel-IR evaluator. Skips where there is no driver or GPU (CI), so it runs
// on GPU machines only; DLC_REQUIRE_GPU=1 makes that a failure.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>

#include "codegen/cuda/emitter.h"
#include "codegen/cuda/nvrtc.h"
#include "runtime/cuda/driver.h"
#include "support/env.h"
#include "tests/unit/codegen_cuda/evaluator_check.h"
#include "tests/unit/codegen_cuda/test_kernels.h"

namespace dlc::codegen::cuda {
namespace {

namespace tk = dlc::testing_kernels;
using runtime::cuda::CuDevicePtr;
using runtime::cuda::DriverApi;

// One buffer's bytes on the host, per non-local buffer of the kernel.
using HostBuffers = std::vector<std::string>;

template <typename T>
std::string bytesOf(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
template <typename T>
std::vector<T> valuesOf(const std::string& s) {
  std::vector<T> v(s.size() / sizeof(T));
  std::memcpy(v.data(), s.data(), s.size());
  return v;
}
std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

class GpuNumerics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<const DriverApi*> api = runtime::cuda::loadDriver();
    int count = 0;
    if (!api.ok() || (*api)->cuInit(0) != 0 || (*api)->cuDeviceGetCount(&count) != 0 || count == 0) return;
    const DriverApi* d = *api;
    runtime::cuda::CuDevice device;
    runtime::cuda::CuContext context;
    int major = 0, minor = 0;
    d->cuDeviceGet(&device, 0);
    d->cuDeviceGetAttribute(&major, 75, device);
    d->cuDeviceGetAttribute(&minor, 76, device);
    d->cuDevicePrimaryCtxRetain(&context, device);
    d->cuCtxSetCurrent(context);
    kernels_ = new kir::KernelModule(tk::allKernels());
    absl::StatusOr<CudaModule> m = emitCuda(*kernels_);
    ASSERT_TRUE(m.ok()) << m.status();
    module_ = new CudaModule(*m);
    absl::StatusOr<CompiledCuda> compiled = compileCuda(m->source, "sm_" + std::to_string(major * 10 + minor));
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    ASSERT_EQ(d->cuModuleLoadData(&cu_module_, compiled->cubin.data()), 0);
    api_ = d;  // only once everything is ready: tests skip otherwise
  }

  void SetUp() override {
    if (api_) return;
    if (envFlag("DLC_REQUIRE_GPU")) FAIL() << "DLC_REQUIRE_GPU=1: no CUDA GPU";
    GTEST_SKIP() << "no CUDA GPU";
  }

  // Runs every launch of kernel `name` on `buffers` and copies them back.
  void run(const std::string& name, HostBuffers& buffers) {
    const CudaKernelPlan* plan = nullptr;
    for (const CudaKernelPlan& p : module_->kernels)
      if (p.kernel == name) plan = &p;
    ASSERT_NE(plan, nullptr);
    std::vector<CuDevicePtr> device(buffers.size());
    std::vector<void*> args;
    for (size_t b = 0; b < buffers.size(); ++b) {
      ASSERT_EQ(api_->cuMemAlloc(&device[b], std::max<size_t>(buffers[b].size(), 8)), 0);
      ASSERT_EQ(api_->cuMemcpyHtoDAsync(device[b], buffers[b].data(), buffers[b].size(), nullptr), 0);
    }
    for (CuDevicePtr& p : device) args.push_back(&p);
    for (const CudaLaunch& l : plan->launches) {
      runtime::cuda::CuFunction f;
      ASSERT_EQ(api_->cuModuleGetFunction(&f, cu_module_, l.name.c_str()), 0) << l.name;
      ASSERT_EQ(api_->cuLaunchKernel(f, l.grid_x, l.grid_y, 1, l.block_x, 1, 1, l.shared_bytes, nullptr, args.data(),
                                     nullptr),
                0)
          << l.name;
    }
    for (size_t b = 0; b < buffers.size(); ++b) {
      ASSERT_EQ(api_->cuMemcpyDtoHAsync(buffers[b].data(), device[b], buffers[b].size(), nullptr), 0);
      api_->cuMemFree(device[b]);
    }
  }

  static void expectNear(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], want[i], tol * std::max(1.0f, std::fabs(want[i]))) << "element " << i;
  }

  // Runs kernel `name` on random inputs (evaluator_check.h) and compares
  // every buffer it writes with the kernel-IR evaluator's.
  void expectMatchesEvaluator(const std::string& name, bool integers, double rtol) {
    SCOPED_TRACE(name);
    const kir::Kernel* kernel = kernels_->find(name);
    ASSERT_NE(kernel, nullptr);
    EvaluatorCase c;
    makeEvaluatorCase(*kernel, integers, &c);
    if (HasFatalFailure()) return;
    HostBuffers buffers = c.inputs;
    run(name, buffers);
    cuda::expectMatchesEvaluator(*kernel, c, buffers, rtol);
  }

  static inline const DriverApi* api_ = nullptr;
  static inline kir::KernelModule* kernels_ = nullptr;
  static inline CudaModule* module_ = nullptr;
  static inline runtime::cuda::CuModule cu_module_ = nullptr;
};

TEST_F(GpuNumerics, ElementwiseChain) {
  const int64_t rows = 64, cols = 12;
  std::vector<float> x = randomFloats(rows * cols, 1), b = randomFloats(cols, 2), want(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      float xv = x[i * cols + j];
      want[i * cols + j] = std::max(std::tanh(xv * 2.0f + b[j]) * xv, 0.0f);
    }
  HostBuffers buf = {bytesOf(x), bytesOf(b), bytesOf(std::vector<float>(rows * cols))};
  run("fused_bias_relu", buf);
  expectNear(valuesOf<float>(buf[2]), want);
}

void softmaxReference(const std::vector<float>& x, int64_t rows, int64_t cols, std::vector<float>& y) {
  y.assign(rows * cols, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    double m = -INFINITY, s = 0;
    for (int64_t k = 0; k < cols; ++k) m = std::max<double>(m, x[r * cols + k]);
    for (int64_t k = 0; k < cols; ++k) s += std::exp(x[r * cols + k] - m);
    for (int64_t k = 0; k < cols; ++k) y[r * cols + k] = static_cast<float>(std::exp(x[r * cols + k] - m) / s);
  }
}

TEST_F(GpuNumerics, SoftmaxRows) {
  std::vector<float> x = randomFloats(32 * 1000, 3), want;
  softmaxReference(x, 32, 1000, want);
  HostBuffers buf = {bytesOf(x), bytesOf(std::vector<float>(x.size()))};
  run("softmax", buf);
  expectNear(valuesOf<float>(buf[1]), want, 1e-4f);
}

TEST_F(GpuNumerics, SoftmaxThroughSharedLocal) {
  std::vector<float> x = randomFloats(8 * 500, 4), want;
  softmaxReference(x, 8, 500, want);
  HostBuffers buf = {bytesOf(x), bytesOf(std::vector<float>(x.size()))};
  run("softmax_local", buf);
  expectNear(valuesOf<float>(buf[1]), want, 1e-4f);
}

TEST_F(GpuNumerics, Layernorm) {
  const int64_t rows = 16, cols = 768;
  std::vector<float> x = randomFloats(rows * cols, 5), g = randomFloats(cols, 6), b = randomFloats(cols, 7);
  std::vector<float> want(rows * cols), want_mean(rows);
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t k = 0; k < cols; ++k) mean += x[r * cols + k];
    mean /= cols;
    for (int64_t k = 0; k < cols; ++k) var += (x[r * cols + k] - mean) * (x[r * cols + k] - mean);
    var /= cols;
    want_mean[r] = static_cast<float>(mean);
    for (int64_t k = 0; k < cols; ++k)
      want[r * cols + k] = static_cast<float>((x[r * cols + k] - mean) / std::sqrt(var + 1e-5) * g[k] + b[k]);
  }
  HostBuffers buf = {bytesOf(x), bytesOf(g), bytesOf(b), bytesOf(std::vector<float>(rows * cols)),
                     bytesOf(std::vector<float>(rows))};
  run("layernorm", buf);
  expectNear(valuesOf<float>(buf[3]), want, 1e-4f);
  expectNear(valuesOf<float>(buf[4]), want_mean, 1e-4f);
}

TEST_F(GpuNumerics, WholeTensorSum) {
  std::vector<float> x = randomFloats(100000, 8);
  double sum = 0;
  for (float v : x) sum += v;
  HostBuffers buf = {bytesOf(x), bytesOf(std::vector<float>{123.0f})};
  run("sum_all", buf);
  EXPECT_NEAR(valuesOf<float>(buf[1])[0], sum, 1e-2);
}

TEST_F(GpuNumerics, ScatterAccumulate) {
  const int64_t tokens = 300, vocab = 50, dim = 16;
  std::vector<int64_t> ids(tokens);
  for (int64_t t = 0; t < tokens; ++t) ids[t] = (t * 7) % vocab;
  std::vector<float> g = randomFloats(tokens * dim, 9), want(vocab * dim, 0.0f);
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t d = 0; d < dim; ++d) want[ids[t] * dim + d] += g[t * dim + d];
  HostBuffers buf = {bytesOf(ids), bytesOf(g), bytesOf(std::vector<float>(vocab * dim, 99.0f))};
  run("embedding_grad", buf);
  expectNear(valuesOf<float>(buf[2]), want, 1e-4f);
}

TEST_F(GpuNumerics, HashWrapsLikeUnsignedArithmetic) {
  const int64_t n = 4096;
  std::vector<int64_t> state = {0x1234567890abcdefLL, 3};
  std::vector<int64_t> want(n);
  for (int64_t i = 0; i < n; ++i) {
    uint64_t x = static_cast<uint64_t>(i) ^ static_cast<uint64_t>(state[0]);
    uint64_t h = (x ^ (x >> 33)) * 0xff51afd7ed558ccdULL;
    want[i] = static_cast<int64_t>(h ^ (h << 7));
  }
  HostBuffers buf = {bytesOf(state), bytesOf(std::vector<int64_t>(n))};
  run("hash", buf);
  EXPECT_EQ(valuesOf<int64_t>(buf[1]), want);
}

TEST_F(GpuNumerics, LocalsMatmulAndRecurrence) {
  std::vector<float> x = randomFloats(1024, 10), rev(1024);
  for (int g = 0; g < 256; ++g)
    for (int c = 0; c < 4; ++c) rev[g * 4 + c] = x[g * 4 + 3 - c];
  HostBuffers r = {bytesOf(x), bytesOf(std::vector<float>(1024))};
  run("reverse4", r);
  expectNear(valuesOf<float>(r[1]), rev);

  const int m = 32, n = 24, kk = 20;
  std::vector<float> a = randomFloats(m * kk, 11), b = randomFloats(kk * n, 12), c(m * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < kk; ++k) c[i * n + j] += a[i * kk + k] * b[k * n + j];
  HostBuffers mm = {bytesOf(a), bytesOf(b), bytesOf(std::vector<float>(m * n))};
  run("matmul", mm);
  expectNear(valuesOf<float>(mm[2]), c, 1e-4f);

  std::vector<float> h = randomFloats(9 * 64, 13), want = h;
  for (int t = 0; t < 8; ++t)
    for (int j = 0; j < 64; ++j) want[(t + 1) * 64 + j] = std::tanh(want[t * 64 + j]);
  HostBuffers rec = {bytesOf(h)};
  run("scan_steps", rec);
  expectNear(valuesOf<float>(rec[0]), want);
}

// The vector, row and split mappings against the kernel-IR evaluator, on the
// shapes that take each path (emitter_test.cc shows which).
TEST_F(GpuNumerics, ElementwiseGroupsAndTheirTailMatchTheEvaluator) {
  expectMatchesEvaluator("fused_bias_relu", false, 1e-5);
  expectMatchesEvaluator("chain_tail", false, 1e-5);  // 35 items: 8 groups and 3 alone
  expectMatchesEvaluator("relu_grad", false, 0);      // a packed read in a branch, 1027 items
  expectMatchesEvaluator("shifted_copy", false, 0);   // one item per thread
}

TEST_F(GpuNumerics, RowsOf1024And10And1000MatchTheEvaluator) {
  for (const char* name : {"softmax_1024", "softmax_short", "softmax", "softmax_odd", "layernorm_1024",
                           "layernorm_short", "layernorm_1000", "layernorm"})
    expectMatchesEvaluator(name, false, 1e-5);
}

TEST_F(GpuNumerics, ChannelSumOver300000RowsIsExact) { expectMatchesEvaluator("channel_sum", true, 0); }

TEST_F(GpuNumerics, OddExtentSumIsExact) { expectMatchesEvaluator("sum_odd", true, 0); }

TEST_F(GpuNumerics, VarianceAfterItsMeanMatchesTheEvaluator) { expectMatchesEvaluator("channel_moments", false, 1e-4); }

}  // namespace
}  // namespace dlc::codegen::cuda
