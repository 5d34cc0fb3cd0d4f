// The disk cache of compiled kernels: hits, misses, damaged entries, an
// unwritable folder, and processes racing on one key.
#include "codegen/cache/kernel_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "tests/unit/common/temp_dir.h"

namespace dlc::codegen {
namespace {

namespace fs = std::filesystem;

class KernelCacheTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    key_.source = "extern \"C\" __global__ void k() {}";
    key_.compiler_version = "13.0";
    key_.driver_version = "13000";
    key_.arch = "sm_90";
    key_.options = {"-lineinfo"};
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    TempDirTest::TearDown();
  }
  std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  void writeFile(const fs::path& p, const std::string& data) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
  }
  // A compile function that counts its calls.
  std::function<absl::StatusOr<std::string>()> compiler(std::string payload) {
    return [this, payload]() -> absl::StatusOr<std::string> {
      ++compiles_;
      return payload;
    };
  }

  CacheKey key_;
  int compiles_ = 0;
};

TEST_F(KernelCacheTest, StoreThenLoadHits) {
  KernelCache cache(dir_ / "nested" / "dlc");
  EXPECT_EQ(cache.load(key_), std::nullopt);
  std::string payload("cubin\0bytes\xff", 12);
  ASSERT_TRUE(cache.store(key_, payload).ok());
  EXPECT_EQ(cache.load(key_), payload);
  EXPECT_EQ(cache.entryPath(key_).filename().string(), key_.digest() + ".dlck");
  EXPECT_EQ(key_.digest().size(), 64u);
}

TEST_F(KernelCacheTest, EveryKeyFieldChangesTheKey) {
  std::string base = key_.digest();
  auto differs = [&](auto change) {
    CacheKey k = key_;
    change(k);
    return k.digest() != base;
  };
  EXPECT_TRUE(differs([](CacheKey& k) { k.source += " "; }));
  EXPECT_TRUE(differs([](CacheKey& k) { k.compiler_version = "13.1"; }));
  EXPECT_TRUE(differs([](CacheKey& k) { k.driver_version = "13010"; }));
  EXPECT_TRUE(differs([](CacheKey& k) { k.arch = "sm_80"; }));
  EXPECT_TRUE(differs([](CacheKey& k) { k.options.push_back("-G"); }));
  EXPECT_TRUE(differs([](CacheKey& k) { k.dlc_version = "0.0.0"; }));
  // Field boundaries count: "ab"+"c" is not "a"+"bc".
  EXPECT_TRUE(differs([](CacheKey& k) { k.options = {"-line", "info"}; }));
  EXPECT_FALSE(CacheKey().dlc_version.empty());
}

TEST_F(KernelCacheTest, GetOrCompileCompilesOnceThenHits) {
  KernelCache cache(dir_);
  EXPECT_EQ(cache.getOrCompile(key_, compiler("A"))->payload, "A");
  EXPECT_EQ(cache.getOrCompile(key_, compiler("B"))->payload, "A");
  EXPECT_EQ(compiles_, 1);
  CacheKey other = key_;
  other.arch = "sm_80";
  EXPECT_EQ(cache.getOrCompile(other, compiler("C"))->payload, "C");
  EXPECT_EQ(compiles_, 2);
}

TEST_F(KernelCacheTest, ReportsWhetherTheResultCameFromTheCache) {
  KernelCache cache(dir_);
  EXPECT_FALSE(cache.getOrCompile(key_, compiler("A"))->cache_hit);
  EXPECT_TRUE(cache.getOrCompile(key_, compiler("A"))->cache_hit);
}

TEST_F(KernelCacheTest, CompileCachedUsesTheFolderOrBypassesTheCache) {
  absl::StatusOr<CachedCompile> first = compileCached(true, dir_, key_, compiler("A"));
  absl::StatusOr<CachedCompile> second = compileCached(true, dir_, key_, compiler("B"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second->payload, "A");
  EXPECT_TRUE(second->cache_hit);
  absl::StatusOr<CachedCompile> off = compileCached(false, dir_, key_, compiler("C"));
  EXPECT_EQ(off->payload, "C");
  EXPECT_FALSE(off->cache_hit);
  EXPECT_EQ(compiles_, 2);
}

TEST_F(KernelCacheTest, CompileErrorsAreReturnedAndNotCached) {
  KernelCache cache(dir_);
  auto failing = []() -> absl::StatusOr<std::string> { return absl::InvalidArgumentError("nvrtc: bad"); };
  EXPECT_EQ(cache.getOrCompile(key_, failing).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cache.load(key_), std::nullopt);
}

TEST_F(KernelCacheTest, TruncatedEntryIsAMissAndIsRewritten) {
  KernelCache cache(dir_);
  ASSERT_TRUE(cache.store(key_, std::string(1000, 'x')).ok());
  std::string full = readFile(cache.entryPath(key_));
  for (size_t keep : {size_t{0}, size_t{10}, size_t{84}, full.size() - 1}) {
    writeFile(cache.entryPath(key_), full.substr(0, keep));
    EXPECT_EQ(cache.load(key_), std::nullopt) << "kept " << keep;
  }
  EXPECT_EQ(cache.getOrCompile(key_, compiler("fresh"))->payload, "fresh");
  EXPECT_EQ(compiles_, 1);
  EXPECT_EQ(cache.load(key_), "fresh");
}

TEST_F(KernelCacheTest, FlippedByteAnywhereIsAMiss) {
  KernelCache cache(dir_);
  ASSERT_TRUE(cache.store(key_, "payload bytes").ok());
  std::string full = readFile(cache.entryPath(key_));
  for (size_t i = 0; i < full.size(); ++i) {
    std::string damaged = full;
    damaged[i] ^= 0x01;
    writeFile(cache.entryPath(key_), damaged);
    EXPECT_EQ(cache.load(key_), std::nullopt) << "byte " << i;
  }
  // An extra byte at the end is damage too.
  writeFile(cache.entryPath(key_), full + "!");
  EXPECT_EQ(cache.load(key_), std::nullopt);
}

TEST_F(KernelCacheTest, AnotherKeysEntryIsAMiss) {
  KernelCache cache(dir_);
  CacheKey other = key_;
  other.source = "different";
  ASSERT_TRUE(cache.store(other, "other payload").ok());
  fs::copy_file(cache.entryPath(other), cache.entryPath(key_));
  EXPECT_EQ(cache.load(key_), std::nullopt);
}

TEST_F(KernelCacheTest, UnwritableFolderFallsBackToCompiling) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes to read-only folders";
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  KernelCache cache(dir_ / "sub");
  EXPECT_FALSE(cache.store(key_, "x").ok());
  EXPECT_EQ(cache.getOrCompile(key_, compiler("A"))->payload, "A");
  EXPECT_EQ(cache.getOrCompile(key_, compiler("A"))->payload, "A");
  EXPECT_EQ(compiles_, 2);
}

TEST_F(KernelCacheTest, FolderThatIsAFileFallsBackToCompiling) {
  writeFile(dir_ / "file", "not a folder");
  KernelCache cache(dir_ / "file" / "dlc");
  EXPECT_FALSE(cache.store(key_, "x").ok());
  EXPECT_EQ(cache.getOrCompile(key_, compiler("A"))->payload, "A");
}

TEST_F(KernelCacheTest, ProcessesRacingOnOneKeyAllGetValidResults) {
  KernelCache cache(dir_);
  std::string payload(256 * 1024, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 131 + 7);
  constexpr int kProcesses = 8;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Each child compiles or loads repeatedly; exit 0 only if every
      // result is the payload.
      bool ok = true;
      for (int round = 0; round < 20; ++round) {
        absl::StatusOr<CachedCompile> got =
            cache.getOrCompile(key_, [&]() -> absl::StatusOr<std::string> { return payload; });
        ok = ok && got.ok() && got->payload == payload;
        if (round % 5 == 0) ok = ok && cache.store(key_, payload).ok();
        std::optional<std::string> loaded = cache.load(key_);
        ok = ok && (!loaded || *loaded == payload);
      }
      _exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(cache.load(key_), payload);
  // No temporary files are left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(entry.path().extension(), ".dlck") << entry.path();
  }
  EXPECT_EQ(files, 1);
}

TEST(KernelCacheDirectory, FollowsTheEnvironment) {
  const char* saved_dlc = std::getenv("DLC_CACHE_DIR");
  const char* saved_xdg = std::getenv("XDG_CACHE_HOME");
  std::string dlc = saved_dlc ? saved_dlc : "", xdg = saved_xdg ? saved_xdg : "";
  setenv("DLC_CACHE_DIR", "/tmp/a", 1);
  setenv("XDG_CACHE_HOME", "/tmp/x", 1);
  EXPECT_EQ(KernelCache::defaultDirectory(), fs::path("/tmp/a"));
  unsetenv("DLC_CACHE_DIR");
  EXPECT_EQ(KernelCache::defaultDirectory(), fs::path("/tmp/x/dlc"));
  unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(KernelCache::defaultDirectory().filename(), "dlc");
  EXPECT_EQ(KernelCache::defaultDirectory().parent_path().filename(), ".cache");
  if (saved_dlc) setenv("DLC_CACHE_DIR", dlc.c_str(), 1);
  if (saved_xdg) setenv("XDG_CACHE_HOME", xdg.c_str(), 1);
}

}  // namespace
}  // namespace dlc::codegen
