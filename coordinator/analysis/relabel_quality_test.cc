#include "coordinator/analysis/relabel_quality.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "data/mask_labels.h"
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

// A simulated model on 300 people: noisy probabilities leaning towards the true
// class (and a little towards its neighbouring age bins); 5% of the people get
// one planted error each of gender, age or an incorrect<->normal swap.
TEST(RelabelQualityTest, MaskCandidatesFindPlantedErrorsInSimulatedPredictions) {
  std::mt19937 rng(17);
  std::exponential_distribution<float> noise(1.0f);
  const int people = 300;
  ProbMatrix probs{people * 7, 18, {}};
  std::vector<int> labels;
  std::vector<std::string> persons;
  std::vector<PlantedError> planted;
  for (int p = 0; p < people; ++p) {
    const int gender = rng() % 2, age = rng() % 3;
    const std::string name = absl::StrCat("person", p);
    int given_gender = gender, given_age = age;
    if (p % 20 == 0) given_gender = 1 - gender, planted.push_back({name, "gender"});
    if (p % 20 == 7) given_age = (age + 1 + rng() % 2) % 3, planted.push_back({name, "age"});
    if (p % 20 == 13) planted.push_back({name, "mask_swap"});
    for (int photo = 0; photo < 7; ++photo) {
      const int mask = data::MaskStateOfPhoto(photo);
      const int filed_mask = p % 20 == 13 && photo >= 5 ? data::MaskStateOfPhoto(11 - photo) : mask;
      float row[18], sum = 0;
      for (int c = 0; c < 18; ++c) {
        row[c] = noise(rng);
        if (c / 6 == mask && c / 3 % 2 == gender) row[c] += c % 3 == age ? 4.0f : 1.5f;
        sum += row[c];
      }
      for (float v : row) probs.values.push_back(v / sum);
      labels.push_back(data::MaskClass(filed_mask, given_gender, given_age));
      persons.push_back(name);
    }
  }
  auto candidates = FindMaskCandidates(probs, labels, persons);
  ASSERT_TRUE(candidates.ok()) << candidates.status();
  std::vector<DetectionQuality> quality = MaskCandidateQuality(*candidates, planted);
  const DetectionQuality& all = quality.back();
  // Measured: gender 14 of 15 found (17 flagged), age 10 of 15 (11), swaps 14 of 15 (14), and 9 photos
  // flagged "mask" that the simulated model does misread (all: recall 0.84, precision 0.75).
  EXPECT_EQ(all.planted, 45);
  EXPECT_GE(all.recall, 0.8);
  EXPECT_GE(all.precision, 0.7);
  const DetectionQuality& swaps = quality[3];
  ASSERT_EQ(swaps.kind, "mask_swap");
  EXPECT_GE(swaps.recall, 0.9);
  EXPECT_GE(swaps.precision, 0.9);
}

}  // namespace
}  // namespace foldstack::analysis
