#include "coordinator/analysis/relabel_quality.h"

#include "gtest/gtest.h"

namespace foldstack::analysis {
namespace {

TEST(RelabelQualityTest, ParsesLabelNoiseCsv) {
  auto planted = ParseLabelNoiseCsv(
      "person,kind,given,truth\n000001_male_Asian_20,gender,male,female\r\n000007_female_Asian_70,age,70,25\n");
  ASSERT_TRUE(planted.ok()) << planted.status();
  ASSERT_EQ(planted->size(), 2u);
  EXPECT_EQ((*planted)[0].person, "000001_male_Asian_20");
  EXPECT_EQ((*planted)[1].kind, "age");
  EXPECT_EQ(ParseLabelNoiseCsv("id,kind\n").status().message(),
            "label_noise.csv:1: header \"id,kind\", expected \"person,kind,given,truth\"");
  EXPECT_EQ(ParseLabelNoiseCsv("person,kind,given,truth\nx,gender\n").status().message(),
            "label_noise.csv:2: \"x,gender\", expected person,kind,given,truth");
}

TEST(RelabelQualityTest, PrecisionAndRecallPerKind) {
  std::vector<PlantedError> planted = {{"a", "gender"}, {"b", "gender"}, {"c", "mask_swap"}};
  std::vector<MaskCandidate> found(3);
  found[0].kind = MaskIssueKind::kGender, found[0].person = "a";  // right
  found[1].kind = MaskIssueKind::kAge, found[1].person = "b";     // right person, wrong kind
  found[2].kind = MaskIssueKind::kMaskSwap, found[2].person = "c";
  std::vector<DetectionQuality> q = MaskCandidateQuality(found, planted);
  ASSERT_EQ(q.size(), 4u);  // age, gender, mask_swap, all
  EXPECT_EQ(q[0].kind, "age");
  EXPECT_EQ(q[0].flagged, 1);
  EXPECT_EQ(q[0].precision, 0.0);
  EXPECT_EQ(q[1].kind, "gender");
  EXPECT_EQ(q[1].planted, 2);
  EXPECT_EQ(q[1].correct, 1);
  EXPECT_DOUBLE_EQ(q[1].precision, 1.0);
  EXPECT_DOUBLE_EQ(q[1].recall, 0.5);
  EXPECT_EQ(q[3].kind, "all");
  EXPECT_DOUBLE_EQ(q[3].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(q[3].recall, 2.0 / 3);
}

TEST(RelabelQualityTest, SampleQualityCountsEachSampleOnce) {
  DetectionQuality q = SampleQuality({1, 2, 2, 9}, {1, 5, 9, 11});
  EXPECT_EQ(q.flagged, 3);
  EXPECT_EQ(q.correct, 2);
  EXPECT_DOUBLE_EQ(q.precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(q.recall, 0.5);
}

}  // namespace
}  // namespace foldstack::analysis
