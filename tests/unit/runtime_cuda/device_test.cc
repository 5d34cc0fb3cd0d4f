// The device: opening it, memory, copies, the arena.
#include "runtime/cuda/device.h"

#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "runtime/cuda/executor.h"
#include "runtime/executable.h"
#include "tests/unit/runtime_cuda/gpu_test.h"

namespace dlc::runtime::cuda {
namespace {

TEST(CudaDevice, Opens) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  EXPECT_FALSE(device->name().empty());
  EXPECT_GE(device->computeMajor(), 5);
  EXPECT_EQ(device->arch(), "sm_" + std::to_string(device->computeMajor()) + std::to_string(device->computeMinor()));
  EXPECT_GT(device->multiprocessors(), 0);
  EXPECT_GT(device->totalMemory(), std::size_t{1} << 30);
  EXPECT_GE(device->driverVersion(), 12000);
  // Opening again returns the same device.
  auto again = openDefaultDevice();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, device);
  std::printf("device: %s (%s, %d SMs, %zu MiB), driver %d\n", device->name().c_str(), device->arch().c_str(),
              device->multiprocessors(), device->totalMemory() >> 20, device->driverVersion());
}

TEST(CudaDevice, CopyRoundTrip) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  constexpr std::size_t kCount = (1 << 20) + 3;  // not a multiple of anything
  std::vector<std::uint32_t> host(kCount), back(kCount, 0);
  std::iota(host.begin(), host.end(), 17u);
  DLC_ASSERT_OK_AND_ASSIGN(DeviceBuffer a, DeviceBuffer::allocate(*device, kCount * 4));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceBuffer b, DeviceBuffer::allocate(*device, kCount * 4));
  DLC_ASSERT_OK(stream.copyToDevice(a.ptr(), host.data(), kCount * 4));
  DLC_ASSERT_OK(stream.copyOnDevice(b.ptr(), a.ptr(), kCount * 4));
  DLC_ASSERT_OK(stream.copyToHost(back.data(), b.ptr(), kCount * 4));
  DLC_ASSERT_OK(stream.synchronize());
  EXPECT_EQ(host, back);

  DLC_ASSERT_OK(stream.memset(b.ptr() + 4, 0xAB, 8));
  DLC_ASSERT_OK(stream.copyToHost(back.data(), b.ptr(), 16));
  DLC_ASSERT_OK(stream.synchronize());
  EXPECT_EQ(back[0], host[0]);
  EXPECT_EQ(back[1], 0xABABABABu);
  EXPECT_EQ(back[2], 0xABABABABu);
  EXPECT_EQ(back[3], host[3]);
}

TEST(CudaDevice, ArenaCarvesAlignedSpans) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  DLC_ASSERT_OK_AND_ASSIGN(DeviceArena arena, DeviceArena::create(*device, 4096));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan a, arena.carve(10));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan b, arena.carve(300));
  EXPECT_EQ(a.ptr % DeviceArena::kAlignment, 0u);
  EXPECT_EQ(b.ptr - a.ptr, DeviceArena::kAlignment);
  EXPECT_EQ(arena.used(), 256u + 300u);
  EXPECT_TRUE(absl::IsOutOfRange(arena.carve(4096).status()));
  EXPECT_TRUE(absl::IsOutOfRange(arena.at(4000, 100).status()));
  DLC_ASSERT_OK_AND_ASSIGN(DeviceSpan c, arena.at(4000, 96));
  EXPECT_EQ(c.ptr - a.ptr, 4000u);

  // Spans are usable memory: write through one, read back.
  DLC_ASSERT_OK_AND_ASSIGN(Stream stream, Stream::create(*device));
  std::vector<std::uint8_t> bytes(300, 7), back(300);
  DLC_ASSERT_OK(stream.copyToDevice(b.ptr, bytes.data(), 300));
  DLC_ASSERT_OK(stream.copyToHost(back.data(), b.ptr, 300));
  DLC_ASSERT_OK(stream.synchronize());
  EXPECT_EQ(bytes, back);
}

TEST(CudaDevice, HugeAllocationIsAnError) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  auto buffer = DeviceBuffer::allocate(*device, std::size_t{1} << 50);  // 1 PiB
  ASSERT_FALSE(buffer.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(buffer.status())) << buffer.status();
  EXPECT_NE(buffer.status().message().find("cuMemAlloc"), std::string_view::npos) << buffer.status();
}

// The memory budget on the GPU: an executable whose arena exceeds the free
// memory is refused before any allocation, naming the need and the free
// memory; DLC_MEMORY_LIMIT lowers the limit.
TEST(CudaDevice, ExecutorRefusesWhatDoesNotFit) {
  DLC_OPEN_DEVICE_OR_SKIP(device);
  absl::StatusOr<MemoryHeadroom> headroom = deviceMemoryHeadroom(*device);
  DLC_ASSERT_OK(headroom.status());
  EXPECT_GT(headroom->bytes, 0);
  EXPECT_LE(headroom->bytes, static_cast<int64_t>(device->totalMemory()));
  runtime::Executable exe;
  exe.arena_bytes = int64_t{1} << 50;
  auto executor = Executor::create(*device, exe, {});
  ASSERT_FALSE(executor.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(executor.status())) << executor.status();
  EXPECT_NE(executor.status().message().find("of GPU memory (workspace 1.0 PiB)"), std::string_view::npos)
      << executor.status();
  setenv("DLC_MEMORY_LIMIT", "1M", 1);
  exe.arena_bytes = int64_t{64} << 20;
  auto limited = Executor::create(*device, exe, {});
  unsetenv("DLC_MEMORY_LIMIT");
  ASSERT_FALSE(limited.ok());
  EXPECT_NE(limited.status().message().find("DLC_MEMORY_LIMIT=1M"), std::string_view::npos) << limited.status();
}

}  // namespace
}  // namespace dlc::runtime::cuda
