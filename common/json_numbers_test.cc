#include "common/json_numbers.h"

#include <limits>

#include "gtest/gtest.h"

namespace foldstack::common {
namespace {

using nlohmann::json;

TEST(AsIntegerTest, AcceptsIntegersAndWholeFloats) {
  EXPECT_EQ(AsInteger(json(3)), 3);
  EXPECT_EQ(AsInteger(json(-7)), -7);
  EXPECT_EQ(AsInteger(json(3.0)), 3);
  EXPECT_EQ(AsInteger(json(uint64_t{42})), 42);
}

TEST(AsIntegerTest, RefusesFractionsStringsBooleansAndOverflow) {
  EXPECT_FALSE(AsInteger(json(3.5)).has_value());
  EXPECT_FALSE(AsInteger(json("3")).has_value());
  EXPECT_FALSE(AsInteger(json(true)).has_value());
  EXPECT_FALSE(AsInteger(json(nullptr)).has_value());
  EXPECT_FALSE(AsInteger(json(std::numeric_limits<uint64_t>::max())).has_value());
  EXPECT_FALSE(AsInteger(json(1e30)).has_value());
}

TEST(AsNumberTest, AcceptsFiniteNumbersOnly) {
  EXPECT_EQ(AsNumber(json(2)), 2.0);
  EXPECT_EQ(AsNumber(json(0.25)), 0.25);
  EXPECT_FALSE(AsNumber(json("0.25")).has_value());
  EXPECT_FALSE(AsNumber(json(std::numeric_limits<double>::infinity())).has_value());
  EXPECT_FALSE(AsNumber(json(false)).has_value());
}

TEST(DescribeJsonTest, QuotesStringsAndSpellsOutInfinity) {
  EXPECT_EQ(DescribeJson(json("sgdd")), "\"sgdd\"");
  EXPECT_EQ(DescribeJson(json(0)), "0");
  EXPECT_EQ(DescribeJson(json(0.001)), "0.001");
  EXPECT_EQ(DescribeJson(json(std::numeric_limits<double>::infinity())), ".inf");
}

}  // namespace
}  // namespace foldstack::common
