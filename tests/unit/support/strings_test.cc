// The string helpers the parsers share.
#include "support/strings.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace dlc {
namespace {

TEST(DigitsToInt64, ReadsEveryInt64AndNothingElse) {
  EXPECT_EQ(digitsToInt64("0", false), 0);
  EXPECT_EQ(digitsToInt64("42", true), -42);
  EXPECT_EQ(digitsToInt64("9223372036854775807", false), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(digitsToInt64("9223372036854775808", true), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(digitsToInt64("9223372036854775808", false), std::nullopt);
  EXPECT_EQ(digitsToInt64("9223372036854775809", true), std::nullopt);
  for (const char* bad : {"", "-1", "+1", "1x", " 1", "99999999999999999999999"})
    EXPECT_EQ(digitsToInt64(bad, false), std::nullopt) << bad;
}

TEST(SplitTrimmed, DropsEmptyPiecesAndSpaces) {
  std::vector<std::string_view> want = {"a", "b c"};
  EXPECT_EQ(splitTrimmed(" a ,, b c\t,", ','), want);
}

}  // namespace
}  // namespace dlc
