// resolveOutput and checkWritable: where a write goes, decided without
// writing (so /dev/null itself is safe to ask about).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "runtime/atomic_file.h"
#include "tests/unit/common/temp_dir.h"

namespace dlc::runtime {
namespace {

namespace fs = std::filesystem;

using OutputTargetTest = testing::TempDirTest;

TEST_F(OutputTargetTest, ANewPathOrAFileIsReplaced) {
  absl::StatusOr<OutputTarget> fresh = resolveOutput(path("new.npy"));
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->file, path("new.npy"));
  EXPECT_FALSE(fresh->in_place);
  EXPECT_FALSE(fresh->mode.has_value());
  std::ofstream(path("old.npy")) << "x";
  ASSERT_EQ(chmod(path("old.npy").c_str(), 0640), 0);
  absl::StatusOr<OutputTarget> old = resolveOutput(path("old.npy"));
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->mode, 0640u);
}

TEST_F(OutputTargetTest, ASymlinkLeadsToItsTarget) {
  std::ofstream(path("target.npy")) << "x";
  fs::create_symlink("target.npy", dir_ / "link.npy");
  absl::StatusOr<OutputTarget> t = resolveOutput(path("link.npy"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(fs::path(t->file), fs::canonical(dir_ / "target.npy"));
  EXPECT_FALSE(t->in_place);
}

TEST_F(OutputTargetTest, DevicesAndFifosAreWrittenInPlace) {
  absl::StatusOr<OutputTarget> null = resolveOutput("/dev/null");
  ASSERT_TRUE(null.ok()) << null.status();
  EXPECT_TRUE(null->in_place);
  EXPECT_TRUE(checkWritable("/dev/null").ok());
  ASSERT_EQ(mkfifo(path("pipe").c_str(), 0600), 0);
  absl::StatusOr<OutputTarget> fifo = resolveOutput(path("pipe"));
  ASSERT_TRUE(fifo.ok()) << fifo.status();
  EXPECT_TRUE(fifo->in_place);
}

TEST_F(OutputTargetTest, FoldersAndDanglingLinksAreRefused) {
  EXPECT_EQ(resolveOutput(dir_.string()).status().code(), absl::StatusCode::kInvalidArgument);
  fs::create_symlink("nowhere", dir_ / "dangling");
  EXPECT_EQ(resolveOutput(path("dangling")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(checkWritable(path("no/such/file")).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(OutputTargetTest, WritingThroughALinkKeepsTheLink) {
  std::ofstream(path("target.npy")) << "old";
  fs::create_symlink("target.npy", dir_ / "link.npy");
  std::string text = "new";
  std::span<const std::byte> chunk(reinterpret_cast<const std::byte*>(text.data()), text.size());
  ASSERT_TRUE(writeFileAtomically(path("link.npy"), {&chunk, 1}).ok());
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.npy"));
  std::ifstream in(path("target.npy"));
  std::string read;
  in >> read;
  EXPECT_EQ(read, "new");
}

}  // namespace
}  // namespace dlc::runtime
