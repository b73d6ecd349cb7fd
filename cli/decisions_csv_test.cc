#include "cli/decisions_csv.h"

#include "gtest/gtest.h"

namespace foldstack::cli {
namespace {

TEST(DecisionsCsvTest, ReadsRowsWithQuotedNotesAndSpreadsheetRowNumbers) {
  auto rows = ParseDecisionsCsv("d.csv",
                                "target,decision,label,note\r\n"
                                "000001_female_Asian_45,accept,male/30-59,\"beard, clearly\"\r\n"
                                "\r\n"
                                "images/000002_male_Asian_20/normal.jpg,reject,,\"said \"\"no\"\"\nafter a look\"\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].row(), 2);
  EXPECT_EQ((*rows)[0].target(), "000001_female_Asian_45");
  EXPECT_EQ((*rows)[0].label(), "male/30-59");
  EXPECT_EQ((*rows)[0].note(), "beard, clearly");
  EXPECT_EQ((*rows)[1].row(), 4);
  EXPECT_EQ((*rows)[1].decision(), "reject");
  EXPECT_EQ((*rows)[1].label(), "");
  EXPECT_EQ((*rows)[1].note(), "said \"no\"\nafter a look");
}

TEST(DecisionsCsvTest, ColumnsInAnyOrderAndOptionalOnes) {
  auto rows = ParseDecisionsCsv("d.csv", "decision,target\naccept,p1\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].target(), "p1");
  EXPECT_EQ((*rows)[0].decision(), "accept");
}

TEST(DecisionsCsvTest, ShapeErrorsNameTheRow) {
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "").status().message(),
            "d.csv: empty file, expected the header target,decision,label,note");
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "target,verdict\n").status().message(),
            "d.csv: row 1: column \"verdict\" is unknown; expected the header target,decision,label,note");
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "target,label\n").status().message(),
            "d.csv: row 1: no column \"decision\"; expected the header target,decision,label,note");
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "target,decision,label,note\np1,accept,,\np2,accept\n").status().message(),
            "d.csv: row 3: expected 4 fields (target,decision,label,note), got 2");
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "target,decision\np1,\"accept\n").status().message(),
            "d.csv: row 2: a quoted field is never closed");
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "target,decision\n").status().message(),
            "d.csv: no decisions after the header");
}

// Found by fuzzing (tests/fuzz:decisions_csv): a quoted header cell with a line break or bytes
// that are not UTF-8 was echoed as it was; such a row would have broken the protobuf request.
TEST(DecisionsCsvTest, RefusalsQuoteCellsOnOneLineAndRowsMustBeUtf8) {
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "target,\"deci\nsion\xff\"\n").status().message(),
            "d.csv: row 1: column \"deci\\x0asion\\xff\" is unknown; expected the header target,decision,label,note");
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "target,decision\np1\xc3,accept\n").status().message(),
            "d.csv: row 2: field 1 is not valid UTF-8 (byte 3)");
  EXPECT_EQ(ParseDecisionsCsv("d.csv", "target,decision,\"a\rb\"\nx\n").status().message().find('\r'),
            absl::string_view::npos);
}

}  // namespace
}  // namespace foldstack::cli
