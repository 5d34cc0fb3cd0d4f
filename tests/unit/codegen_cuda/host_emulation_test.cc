// The emitted CUDA run on the host, against the kernel-IR evaluator: the
// source compiles with the build's own C++ compiler and host_cuda.h (one
// std::thread per CUDA thread; barriers for __syncthreads and shuffles), so
// that CI without a GPU checks the numerics of the vector, row and split
// mappings, their tails and clamped rows, and that every lane of a warp
// reaches each shuffle. Timing and memory-model effects are not emulated.
// Skips where that compiler cannot build the library or it cannot be loaded.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "codegen/cuda/emitter.h"
#include "support/strings.h"
#include "tests/unit/codegen_cuda/evaluator_check.h"
#include "tests/unit/codegen_cuda/test_kernels.h"

namespace dlc::codegen::cuda {
namespace {

namespace fs = std::filesystem;
namespace tk = dlc::testing_kernels;

using Launch = void (*)(void*, void**, unsigned, unsigned, unsigned);

class HostEmulation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kernels_ = new kir::KernelModule;
    for (kir::Kernel& k : tk::allKernels().kernels)
      if (k.name != "half_casts" && k.name != "channel_sum")  // cuda_fp16.h; big
        kernels_->kernels.push_back(std::move(k));
    kernels_->kernels.push_back(tk::named(tk::channelSum(20000, 64), "channel_sum"));
    absl::StatusOr<CudaModule> m = emitCuda(*kernels_);
    ASSERT_TRUE(m.ok()) << m.status();
    module_ = new CudaModule(*m);
    std::string source = m->source;
    const std::string shared = "extern __shared__ __align__(16) unsigned char dlc_smem[];";
    size_t at = source.find(shared);
    ASSERT_NE(at, std::string::npos);
    source.replace(at, shared.size(), "alignas(16) unsigned char dlc_smem[48 * 1024];");
    fs::path dir = fs::temp_directory_path() / strCat("dlc_host_cuda_", ::getpid());
    fs::create_directories(dir);
    fs::path cc = dir / "kernels.cc", so = dir / "kernels.so";
    std::ofstream(cc) << "#include \"" << DLC_SOURCE_DIR << "/tests/unit/codegen_cuda/host_cuda.h\"\n" << source;
    std::string command = strCat(DLC_HOST_CXX, " -std=c++20 -O1 -w -shared -fPIC -pthread -o ", so.string(), " ",
                                 cc.string(), " > ", (dir / "log").string(), " 2>&1");
    if (std::system(command.c_str()) != 0) {
      std::ifstream log(dir / "log");
      skip_ = strCat("the host compiler does not build the emitted source: ",
                     std::string(std::istreambuf_iterator<char>(log), {}).substr(0, 2000));
      fs::remove_all(dir);
      return;
    }
    library_ = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
    fs::remove_all(dir);
    if (!library_) {
      skip_ = strCat("cannot load the host build of the emitted source: ", dlerror());
      return;
    }
    launch_ = reinterpret_cast<Launch>(dlsym(library_, "dlc_host_launch"));
    ASSERT_NE(launch_, nullptr);
  }

  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }

  void expectMatches(const std::string& name, bool integers, double rtol) {
    SCOPED_TRACE(name);
    const kir::Kernel* kernel = kernels_->find(name);
    ASSERT_NE(kernel, nullptr);
    EvaluatorCase c;
    makeEvaluatorCase(*kernel, integers, &c);
    if (HasFatalFailure()) return;
    std::vector<std::string> buffers = c.inputs;
    std::vector<void*> args;
    for (std::string& b : buffers) args.push_back(b.data());
    args.resize(16, nullptr);
    const CudaKernelPlan* plan = nullptr;
    for (const CudaKernelPlan& p : module_->kernels)
      if (p.kernel == name) plan = &p;
    ASSERT_NE(plan, nullptr);
    for (const CudaLaunch& l : plan->launches) {
      void* f = dlsym(library_, l.name.c_str());
      ASSERT_NE(f, nullptr) << l.name;
      launch_(f, args.data(), static_cast<unsigned>(l.grid_x), static_cast<unsigned>(l.grid_y),
              static_cast<unsigned>(l.block_x));
    }
    expectMatchesEvaluator(*kernel, c, buffers, rtol);
  }

  static inline kir::KernelModule* kernels_ = nullptr;
  static inline CudaModule* module_ = nullptr;
  static inline void* library_ = nullptr;
  static inline Launch launch_ = nullptr;
  static inline std::string skip_;
};

TEST_F(HostEmulation, ElementwiseGroupsAndTheirTail) {
  for (const char* name : {"fused_bias_relu", "chain_tail", "relu_grad", "shifted_copy", "hash", "embedding_grad"})
    expectMatches(name, false, 1e-5);
}

TEST_F(HostEmulation, RowsOfEveryShape) {
  for (const char* name : {"softmax", "softmax_short", "softmax_odd", "softmax_1024", "layernorm", "layernorm_short",
                           "layernorm_1000", "layernorm_1024", "softmax_local"})
    expectMatches(name, false, 1e-5);
}

TEST_F(HostEmulation, SplitReductions) {
  expectMatches("channel_sum", true, 0);
  expectMatches("sum_all", true, 0);
  expectMatches("sum_odd", true, 0);
  expectMatches("channel_moments", false, 1e-4);
}

TEST_F(HostEmulation, PlainMappings) {
  for (const char* name : {"reverse4", "matmul", "scan_steps"}) expectMatches(name, false, 1e-5);
}

}  // namespace
}  // namespace dlc::codegen::cuda
