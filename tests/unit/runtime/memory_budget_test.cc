// The memory budget's parts: sizes as DLC_MEMORY_LIMIT takes them, the
// limits read from fake /proc and cgroup trees (v1 and v2, a limit on a
// parent cgroup, a container whose cgroup path is not mounted), and the
// message that names the need and the limit.
#include "runtime/memory_budget.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/unit/common/temp_dir.h"

namespace dlc::runtime {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kGiB = int64_t{1} << 30;

TEST(ParseByteSize, TakesBytesAndBinaryUnits) {
  EXPECT_EQ(*parseByteSize("1000"), 1000);
  EXPECT_EQ(*parseByteSize("8G"), 8 * kGiB);
  EXPECT_EQ(*parseByteSize("8g"), 8 * kGiB);
  EXPECT_EQ(*parseByteSize("512MiB"), int64_t{512} << 20);
  EXPECT_EQ(*parseByteSize("2KB"), 2048);
  EXPECT_EQ(*parseByteSize("1.5T"), int64_t{3} << 39);
}

TEST(ParseByteSize, RefusesWhatIsNotASize) {
  for (const char* bad : {"", "G", "8X", "8GiBs", "-1", "1.2.3", ".", "8 G", "1e9", "99999999999999999999T"})
    EXPECT_FALSE(parseByteSize(bad).ok()) << bad;
}

TEST(FormatBytes, UsesBinaryUnits) {
  EXPECT_EQ(formatBytes(512), "512 bytes");
  EXPECT_EQ(formatBytes(1536), "1.5 KiB");
  EXPECT_EQ(formatBytes(16000000000), "14.9 GiB");
}

TEST(MemoryNeed, AddsAndDescribesItsParts) {
  MemoryNeed need;
  need.add("parameters", 16000000000);
  need.add("nothing", 0);
  need.add("outputs", 2 * kGiB);
  EXPECT_EQ(need.total(), 16000000000 + 2 * kGiB);
  EXPECT_EQ(need.describe(), "parameters 14.9 GiB, outputs 2.0 GiB");
  need.add("more", MemoryHeadroom::kUnlimited);
  EXPECT_EQ(need.total(), MemoryHeadroom::kUnlimited);  // saturates
}

TEST(CheckFits, NamesTheNeedAndTheLimit) {
  MemoryNeed need;
  need.add("parameters", 3 * kGiB);
  EXPECT_TRUE(checkFits("model 'h'", need, {4 * kGiB, "test"}).ok());
  absl::Status s = checkFits("model 'h'", need, {2 * kGiB, "MemAvailable in /proc/meminfo"});
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "model 'h' needs 3.0 GiB of memory (parameters 3.0 GiB), but this process may use only 2.0 GiB more "
            "(MemAvailable in /proc/meminfo)");
}

// A fake /proc and /sys/fs/cgroup under a temporary folder.
class FakeSystem : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    root_ = dir_;
    sources_ = {(root_ / "proc").string(), (root_ / "cgroup").string(), /*rlimit=*/false};
    write("proc/self/statm", "1000 256 0 0 0 0 0\n");
    write("proc/meminfo", "MemTotal: 25165824 kB\nMemFree: 1000 kB\nMemAvailable: 20971520 kB\n");
    unsetenv("DLC_MEMORY_LIMIT");
  }
  void TearDown() override {
    unsetenv("DLC_MEMORY_LIMIT");
    TempDirTest::TearDown();
  }
  void write(const std::string& path, const std::string& text) {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path) << text;
  }
  MemoryHeadroom headroom() {
    absl::StatusOr<MemoryHeadroom> h = hostMemoryHeadroom(sources_);
    EXPECT_TRUE(h.ok()) << h.status();
    return h.ok() ? *h : MemoryHeadroom{};
  }
  fs::path root_;
  MemorySources sources_;
};

TEST_F(FakeSystem, AvailableMemoryWithoutACgroupLimit) {
  write("proc/self/cgroup", "0::/user.slice\n");
  write("cgroup/user.slice/memory.max", "max\n");
  write("cgroup/user.slice/memory.current", "1000\n");
  MemoryHeadroom h = headroom();
  EXPECT_EQ(h.bytes, 20 * kGiB);
  EXPECT_EQ(h.limit, "MemAvailable in /proc/meminfo");
}

TEST_F(FakeSystem, CgroupV2LimitLessItsWorkingSet) {
  write("proc/self/cgroup", "0::/job\n");
  write("cgroup/job/memory.max", std::to_string(4 * kGiB) + "\n");
  write("cgroup/job/memory.current", std::to_string(3 * kGiB) + "\n");
  write("cgroup/job/memory.stat", "anon 1\ninactive_file " + std::to_string(kGiB) + "\nactive_file 5\n");
  MemoryHeadroom h = headroom();
  EXPECT_EQ(h.bytes, 2 * kGiB);  // 4 GiB less (3 GiB used - 1 GiB reclaimable cache)
  EXPECT_EQ(h.limit, "the memory cgroup's limit of 4.0 GiB, 2.0 GiB in use");
}

TEST_F(FakeSystem, AParentCgroupsLimitBindsItsChildren) {
  write("proc/self/cgroup", "0::/outer/inner\n");
  write("cgroup/outer/inner/memory.max", "max\n");
  write("cgroup/outer/inner/memory.current", "0\n");
  write("cgroup/outer/memory.max", std::to_string(kGiB) + "\n");
  write("cgroup/outer/memory.current", "0\n");
  EXPECT_EQ(headroom().bytes, kGiB);
}

TEST_F(FakeSystem, CgroupV1InAContainerFallsBackToTheMountsRoot) {
  // The process's path is the host's; the container sees its own cgroup at
  // the mount's root.
  write("proc/self/cgroup", "5:devices:/\n4:memory:/docker/abc\n");
  write("cgroup/memory/memory.limit_in_bytes", std::to_string(3 * kGiB) + "\n");
  write("cgroup/memory/memory.usage_in_bytes", std::to_string(kGiB) + "\n");
  write("cgroup/memory/memory.stat", "total_inactive_file 0\n");
  EXPECT_EQ(headroom().bytes, 2 * kGiB);
}

TEST_F(FakeSystem, CgroupV1WithoutALimit) {
  write("proc/self/cgroup", "4:memory:/\n");
  write("cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
  write("cgroup/memory/memory.usage_in_bytes", "1000\n");
  EXPECT_EQ(headroom().limit, "MemAvailable in /proc/meminfo");
}

TEST_F(FakeSystem, TheEnvironmentReplacesTheDetectedLimits) {
  setenv("DLC_MEMORY_LIMIT", "1G", 1);
  MemoryHeadroom h = headroom();
  // 1 GiB less the resident size (256 pages).
  EXPECT_EQ(h.bytes, kGiB - 256 * sysconf(_SC_PAGESIZE));
  EXPECT_TRUE(h.limit.starts_with("DLC_MEMORY_LIMIT=1G, ")) << h.limit;
  setenv("DLC_MEMORY_LIMIT", "unlimited", 1);
  EXPECT_EQ(headroom().bytes, MemoryHeadroom::kUnlimited);
  setenv("DLC_MEMORY_LIMIT", "lots", 1);
  absl::StatusOr<MemoryHeadroom> bad = hostMemoryHeadroom(sources_);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("DLC_MEMORY_LIMIT=lots: not a size"));
}

TEST_F(FakeSystem, SmallNeedsAreNotChecked) {
  setenv("DLC_MEMORY_LIMIT", "1", 1);
  MemoryNeed small;
  small.add("outputs", kUncheckedBytes - 1);
  EXPECT_TRUE(checkHostMemory("x", small).ok());
  MemoryNeed large;
  large.add("outputs", kUncheckedBytes);
  EXPECT_EQ(checkHostMemory("x", large).code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace dlc::runtime
