// Kernels compiled with NVRTC: launch, graph capture and replay, timing, and
// the errors a bad module, kernel name or launch gives (statuses, not crashes).
#include <cmath>
#include <vector>

#include "runtime/cuda/device.h"
#include "runtime/cuda/kernel_args.h"
#include "tests/unit/runtime_cuda/gpu_test.h"
#include "tests/unit/runtime_cuda/nvrtc_helper.h"

namespace dlc::runtime::cuda {
namespace {

constexpr const char* kSource = R"(
extern "C" __global__ void saxpy(float a, const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}
extern "C" __global__ void add_one(float* y, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) y[i] += 1.0f;
}
)";

TEST(CudaKernel, SaxpyFromNvrtc) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  DLC_ASSERT_OK_AND_ASSIGN(Module module, testing::compileAndLoad(*device, kSource));
  DLC_ASSERT_OK_AND_ASSIGN(Kernel saxpy, module.kernel("saxpy"));
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  const int n = 100003;
  std::vector<float> x(n), y(n), out(n);
  for (int i = 0; i < n; ++i) x[i] = 0.5f * i, y[i] = 1.0f - i;
  DLC_ASSERT_OK_AND_ASSIGN(DeviceArena arena, DeviceArena::create(*device, 2 * n * sizeof(float) + 512));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan dx, arena.carve(n * sizeof(float)));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan dy, arena.carve(n * sizeof(float)));
  DLC_ASSERT_OK(stream.copyToDevice(dx.ptr, x.data(), dx.bytes));
  DLC_ASSERT_OK(stream.copyToDevice(dy.ptr, y.data(), dy.bytes));
  KernelArgs args;
  args.add(2.0f).add(dx.ptr).add(dy.ptr).add(n);
  LaunchConfig config{{static_cast<unsigned>((n + 255) / 256), 1, 1}, {256, 1, 1}, 0};
  DLC_ASSERT_OK(stream.launch(saxpy, config, args.data()));
  DLC_ASSERT_OK(stream.copyToHost(out.data(), dy.ptr, dy.bytes));
  DLC_ASSERT_OK(stream.synchronize());
  for (int i = 0; i < n; ++i) ASSERT_EQ(out[i], 2.0f * x[i] + y[i]) << i;
}

TEST(CudaKernel, GraphCaptureAndReplay) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  DLC_ASSERT_OK_AND_ASSIGN(Module module, testing::compileAndLoad(*device, kSource));
  DLC_ASSERT_OK_AND_ASSIGN(Kernel add_one, module.kernel("add_one"));
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  const int n = 4096;
  DLC_ASSERT_OK_AND_ASSIGN(DeviceBuffer y, DeviceBuffer::allocate(*device, n * sizeof(float)));
  DLC_ASSERT_OK(stream.memset(y.ptr(), 0, y.size()));
  KernelArgs args;
  args.add(y.ptr()).add(n);
  void** argv = args.data();
  LaunchConfig config{{8, 1, 1}, {128, 1, 1}, 0};
  // Three launches captured: nothing runs until the graph is launched.
  DLC_ASSERT_OK_AND_ASSIGN(Graph graph, Graph::capture(stream, [&](Stream& s) -> absl::Status {
                             for (int i = 0; i < 3; ++i) RETURN_IF_ERROR(s.launch(add_one, config, argv));
                             return absl::OkStatus();
                           }));
  std::vector<float> out(n);
  DLC_ASSERT_OK(stream.copyToHost(out.data(), y.ptr(), y.size()));
  DLC_ASSERT_OK(stream.synchronize());
  EXPECT_EQ(out[0], 0.0f);

  DLC_ASSERT_OK_AND_ASSIGN(Event start, Event::create(*device));
  DLC_ASSERT_OK_AND_ASSIGN(Event end, Event::create(*device));
  DLC_ASSERT_OK(start.record(stream));
  for (int replay = 0; replay < 5; ++replay) DLC_ASSERT_OK(graph.launch(stream));
  DLC_ASSERT_OK(end.record(stream));
  DLC_ASSERT_OK(stream.copyToHost(out.data(), y.ptr(), y.size()));
  DLC_ASSERT_OK(stream.synchronize());
  for (int i = 0; i < n; ++i) ASSERT_EQ(out[i], 15.0f) << i;
  DLC_ASSERT_OK_AND_ASSIGN(float ms, Event::elapsedMs(start, end));
  EXPECT_GE(ms, 0.0f);
}

TEST(CudaKernel, FailedCaptureLeavesTheStreamUsable) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  auto graph = Graph::capture(stream, [](Stream&) { return absl::InternalError("planned failure"); });
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().message(), "planned failure");
  DLC_ASSERT_OK_AND_ASSIGN(DeviceBuffer y, DeviceBuffer::allocate(*device, 64));
  DLC_ASSERT_OK(stream.memset(y.ptr(), 1, 64));
  DLC_ASSERT_OK(stream.synchronize());
}

TEST(CudaKernel, BadKernelNameIsNotFound) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  DLC_ASSERT_OK_AND_ASSIGN(Module module, testing::compileAndLoad(*device, kSource));
  auto kernel = module.kernel("no_such_kernel");
  ASSERT_FALSE(kernel.ok());
  EXPECT_TRUE(absl::IsNotFound(kernel.status())) << kernel.status();
  EXPECT_NE(kernel.status().message().find("no_such_kernel"), std::string_view::npos) << kernel.status();
}

TEST(CudaKernel, BadImageIsAnError) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  auto module = Module::load(*device, "this is neither PTX nor a cubin");
  ASSERT_FALSE(module.ok());
  EXPECT_NE(module.status().message().find("cuModuleLoadData"), std::string_view::npos) << module.status();
}

TEST(CudaKernel, BadLaunchIsAnError) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  DLC_ASSERT_OK_AND_ASSIGN(Module module, testing::compileAndLoad(*device, kSource));
  DLC_ASSERT_OK_AND_ASSIGN(Kernel add_one, module.kernel("add_one"));
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceBuffer y, DeviceBuffer::allocate(*device, 64));
  KernelArgs args;
  args.add(y.ptr()).add(16);
  // 4096 threads a block is over every GPU's limit of 1024.
  absl::Status s = stream.launch(add_one, LaunchConfig{{1, 1, 1}, {4096, 1, 1}, 0}, args.data());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("add_one"), std::string_view::npos) << s;
  // Not a sticky error: the stream still works.
  DLC_ASSERT_OK(stream.launch(add_one, LaunchConfig{{1, 1, 1}, {32, 1, 1}, 0}, args.data()));
  DLC_ASSERT_OK(stream.synchronize());
}

}  // namespace
}  // namespace dlc::runtime::cuda
