#include "cli/table.h"

#include <gtest/gtest.h>

namespace foldstack::cli {
namespace {

TEST(Table, AlignsColumnsAndRightAlignsNumbers) {
  Table table({"TRIAL", "MACRO_F1", "PARAMS"});
  table.AddRow({"1", "0.812", "{\"lr\":0.1}"});
  table.AddRow({"12", "0.5", "{}"});
  EXPECT_EQ(table.Render(),
            "TRIAL  MACRO_F1  PARAMS\n"
            "    1     0.812  {\"lr\":0.1}\n"
            "   12       0.5  {}\n");
}

TEST(Table, Formats) {
  EXPECT_EQ(FormatDuration(42), "42s");
  EXPECT_EQ(FormatDuration(185), "3m05s");
  EXPECT_EQ(FormatDuration(7800), "2h10m");
  EXPECT_EQ(FormatDuration(-1), "-");
  EXPECT_EQ(FormatFixed(0.81234, 3), "0.812");
  EXPECT_EQ(ProgressBar(5, 10, 10), "[#####-----] 5/10");
  EXPECT_EQ(ProgressBar(0, 0, 4), "[----] 0/0");
}

}  // namespace
}  // namespace foldstack::cli
