// A fresh folder for one test, removed with everything in it afterwards.
#ifndef DLC_TESTS_UNIT_COMMON_TEMP_DIR_H_
#define DLC_TESTS_UNIT_COMMON_TEMP_DIR_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace dlc::testing {

// Fixture base: dir_ is a new folder under the system's temporary folder
// during each test.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "dlc_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  // A path inside the folder.
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

}  // namespace dlc::testing

#endif  // DLC_TESTS_UNIT_COMMON_TEMP_DIR_H_
