// The one convention of DLC_* environment switches.
#include "support/env.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace dlc {
namespace {

constexpr const char* kName = "DLC_ENV_TEST_VARIABLE";

class EnvTest : public ::testing::Test {
 protected:
  void TearDown() override { unsetenv(kName); }
  void set(const char* value) { setenv(kName, value, 1); }
};

TEST_F(EnvTest, UnsetAndEmptyAreAbsent) {
  EXPECT_EQ(envString(kName), std::nullopt);
  EXPECT_TRUE(envFlag(kName, true));
  EXPECT_FALSE(envFlag(kName, false));
  set("");
  EXPECT_EQ(envString(kName), std::nullopt);
  EXPECT_TRUE(envFlag(kName, true));
  EXPECT_EQ(envInteger(kName, 0, 10), std::nullopt);
}

TEST_F(EnvTest, SwitchesAreOffOnlyForTheFalseWords) {
  for (const char* off : {"0", "false", "FALSE", "off", "Off", "no"}) {
    set(off);
    EXPECT_FALSE(envFlag(kName, true)) << off;
  }
  for (const char* on : {"1", "true", "yes", "on", "2", "anything"}) {
    set(on);
    EXPECT_TRUE(envFlag(kName, false)) << on;
  }
}

TEST_F(EnvTest, IntegersParseWhollyAndInRange) {
  set("12");
  EXPECT_EQ(envInteger(kName, 1, 1024), 12);
  for (const char* bad : {"12x", "x", " 3", "0", "2000", "-1", "99999999999999999999"}) {
    set(bad);
    EXPECT_EQ(envInteger(kName, 1, 1024), std::nullopt) << bad;
  }
}

TEST_F(EnvTest, StringsAreReturnedAsSet) {
  set("/some/path");
  EXPECT_EQ(envString(kName), "/some/path");
}

}  // namespace
}  // namespace dlc
