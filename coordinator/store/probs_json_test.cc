#include "coordinator/store/probs_json.h"

#include <cstdlib>
#include <vector>

#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

TEST(ProbsJsonTest, WritesShortestRoundTripArray) {
  std::string out = "stale contents";
  FormatProbsJson(std::vector<float>{0.01f, 0.93f, 0.06f, 0.0f, 1.0f}, &out);
  EXPECT_EQ(out, "[0.01,0.93,0.06,0,1]");
  FormatProbsJson({}, &out);
  EXPECT_EQ(out, "[]");
}

TEST(ProbsJsonTest, ValuesRoundTripExactly) {
  const std::vector<float> probs = {1.17549435e-38f, -3.4028235e38f, 0.1234567f, 1e-7f};
  std::string out;
  FormatProbsJson(probs, &out);
  const char* p = out.c_str() + 1;
  for (float expected : probs) {
    char* end = nullptr;
    EXPECT_EQ(std::strtof(p, &end), expected) << out;
    p = end + 1;
  }
}

TEST(ProbsJsonTest, ParseIsTheInverseOfFormat) {
  const std::vector<float> probs = {1.17549435e-38f, 0.1234567f, 1e-7f, 1.0f};
  std::string out;
  FormatProbsJson(probs, &out);
  absl::StatusOr<std::vector<float>> parsed = ParseProbsJson(out);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, probs);
  EXPECT_TRUE(ParseProbsJson("[]")->empty());
  EXPECT_FALSE(ParseProbsJson("0.1,0.9").ok());
  EXPECT_FALSE(ParseProbsJson("[0.1,x]").ok());
}

TEST(ProbsJsonTest, ArgMaxTakesFirstOfTies) {
  EXPECT_EQ(ArgMax(std::vector<float>{0.2f, 0.4f, 0.4f}), 1);
  EXPECT_EQ(ArgMax(std::vector<float>{0.9f}), 0);
}

}  // namespace
}  // namespace foldstack::coordinator
