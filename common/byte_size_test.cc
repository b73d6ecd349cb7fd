#include "common/byte_size.h"

#include "gtest/gtest.h"

namespace foldstack::common {
namespace {

TEST(FormatBytesTest, PowersOf1024WithOneDecimal) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1024), "1 KB");
  EXPECT_EQ(FormatBytes(1536), "1.5 KB");
  EXPECT_EQ(FormatBytes(int64_t{256} << 20), "256 MB");
  EXPECT_EQ(FormatBytes(int64_t{2048} << 20), "2 GB");
  EXPECT_EQ(FormatBytes(static_cast<int64_t>(3.1 * (int64_t{1} << 30))), "3.1 GB");
  EXPECT_EQ(FormatBytes((int64_t{1} << 20) - 1), "1 MB");  // 1023.999 KB rounds up a unit
}

}  // namespace
}  // namespace foldstack::common
