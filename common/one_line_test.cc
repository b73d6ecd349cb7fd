#include "common/one_line.h"

#include <string>

#include "gtest/gtest.h"

namespace foldstack::common {
namespace {

TEST(FirstInvalidUtf8, AcceptsWellFormedText) {
  EXPECT_EQ(FirstInvalidUtf8(""), std::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FirstInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string_view::npos);
}

TEST(FirstInvalidUtf8, FindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8("ab\xFF"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("a\xC3"), 1u);              // cut short
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);           // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("x\xED\xA0\x80"), 1u);      // a surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);   // past U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("\xE2\x82\xAC\x80"), 3u);   // a stray continuation byte
}

TEST(OneLine, NamesWhatIsWrong) {
  EXPECT_TRUE(OneLine("f.csv: row 2: bad").ok());
  EXPECT_EQ(OneLine("").message(), "empty message");
  EXPECT_EQ(OneLine("a\nb").message(), "line break at byte 1 of 3");
  EXPECT_EQ(OneLine("ab\r").message(), "line break at byte 2 of 3");
  EXPECT_EQ(OneLine("ab\xFE").message(), "invalid UTF-8 at byte 2 of 3");
}

TEST(Printable, EscapesControlsAndBadBytesOnly) {
  EXPECT_EQ(Printable("a\nb\r\x01\x7F"), "a\\x0ab\\x0d\\x01\\x7f");
  EXPECT_EQ(Printable("caf\xC3\xA9\xFF"), "caf\xC3\xA9\\xff");
  EXPECT_EQ(Printable("\xE2\x82"), "\\xe2\\x82");
  EXPECT_TRUE(OneLine(Printable("x\n\xF0\x9F\x98")).ok());
}

TEST(Printable, ShortensLongText) {
  EXPECT_EQ(Printable(std::string(300, 'a'), 4), "aaaa...");
  EXPECT_EQ(Printable("abc", 3), "abc");
}

}  // namespace
}  // namespace foldstack::common
