// readWholeFile, which every reader of model inputs, weights and data goes
// through: whole regular files only, and a FIFO is refused at once instead
// of blocking until a writer appears.
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

using ReadWholeFileTest = testing::TempDirTest;

TEST_F(ReadWholeFileTest, ReadsARegularFile) {
  std::ofstream(dir_ / "a.txt") << "hello";
  absl::StatusOr<FileBytes> bytes = readWholeFile((dir_ / "a.txt").string());
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->text(), "hello");
}

TEST_F(ReadWholeFileTest, RefusesAFifoWithoutWaitingForAWriter) {
  std::string fifo = (dir_ / "pipe").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  absl::StatusOr<FileBytes> bytes = readWholeFile(fifo);  // would block forever before
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("not a regular file"), std::string::npos) << bytes.status();
}

TEST_F(ReadWholeFileTest, RefusesDevicesAndFolders) {
  for (const std::string& path : {std::string("/dev/zero"), std::string("/dev/null"), dir_.string()}) {
    absl::StatusOr<FileBytes> bytes = readWholeFile(path);
    ASSERT_FALSE(bytes.ok()) << path;
    EXPECT_NE(bytes.status().message().find("not a regular file"), std::string::npos) << bytes.status();
  }
}

TEST_F(ReadWholeFileTest, AMissingFileIsNotFound) {
  absl::StatusOr<FileBytes> bytes = readWholeFile((dir_ / "missing").string());
  EXPECT_TRUE(absl::IsNotFound(bytes.status())) << bytes.status();
}

}  // namespace
}  // namespace dlc::runtime
