#include "tests/testing/submission_check.h"

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace foldstack::testing {

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) rows.push_back(absl::StrSplit(line, ','));
  return rows;
}

void CheckSubmission(const std::string& data_root, const std::string& submission, int images, int* right) {
  *right = 0;
  const auto info = ReadCsv(data_root + "/eval/info.csv");
  const auto rows = ReadCsv(submission);
  const auto answers = ReadCsv(data_root + "/eval_answers.csv");
  ASSERT_EQ(info.size(), 1u + images);
  ASSERT_EQ(rows.size(), info.size());
  ASSERT_EQ(answers.size(), info.size());
  EXPECT_EQ(rows[0], (std::vector<std::string>{"ImageID", "ans"}));
  std::set<std::string> seen;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 2u);
    EXPECT_EQ(rows[i][0], info[i][0]) << "row " << i;
    EXPECT_TRUE(seen.insert(rows[i][0]).second) << rows[i][0];
    int label = -1;
    ASSERT_TRUE(absl::SimpleAtoi(rows[i][1], &label)) << rows[i][1];
    EXPECT_TRUE(label >= 0 && label < 18) << label;
    ASSERT_EQ(answers[i][0], rows[i][0]);
    *right += answers[i][1] == rows[i][1];
  }
}

}  // namespace foldstack::testing
