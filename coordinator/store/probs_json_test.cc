#include "coordinator/store/probs_json.h"

#include <vector>

#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

TEST(ProbsJsonTest, ReadsShortestAndNineDigitForms) {
  // Schema 10 wrote shortest round-trip text; the views write 9 significant digits.
  absl::StatusOr<std::vector<float>> shortest = ParseProbsJson("[0.01,0.93,0.06,0,1]");
  ASSERT_TRUE(shortest.ok()) << shortest.status();
  EXPECT_EQ(*shortest, (std::vector<float>{0.01f, 0.93f, 0.06f, 0.0f, 1.0f}));
  absl::StatusOr<std::vector<float>> nine = ParseProbsJson("[0.100000001,1.17549435e-38,9.99999997e-08]");
  ASSERT_TRUE(nine.ok()) << nine.status();
  EXPECT_EQ(*nine, (std::vector<float>{0.1f, 1.17549435e-38f, 1e-7f}));
}

TEST(ProbsJsonTest, RefusesAnythingButAnArrayOfNumbers) {
  EXPECT_TRUE(ParseProbsJson("[]")->empty());
  EXPECT_FALSE(ParseProbsJson("0.1,0.9").ok());
  EXPECT_FALSE(ParseProbsJson("[0.1,x]").ok());
  EXPECT_FALSE(ParseProbsJson("[0.1,,0.9]").ok());
}

}  // namespace
}  // namespace foldstack::coordinator
