#include "coordinator/analysis/composite.h"

#include <map>

#include "gtest/gtest.h"

namespace foldstack::analysis {
namespace {

using common::Head;
using common::TrainTask;

ProbMatrix Rows(int classes, std::vector<float> values) {
  return {static_cast<int>(values.size()) / classes, classes, std::move(values)};
}

// One sample: half on class 0 (wear/male/<30), half on class 17 (normal/female/>=60).
ProbMatrix TwoCornerBase() {
  std::vector<float> row(18, 0.0f);
  row[0] = row[17] = 0.5f;
  return Rows(18, row);
}

TEST(Composite, ParsesAndPrintsSpecs) {
  auto spec = ParseCompositeSpec("base=12, age=31");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->base, 12);
  EXPECT_EQ(spec->HeadTrial(Head::kMask), 12);
  EXPECT_EQ(spec->HeadTrial(Head::kAge), 31);
  EXPECT_EQ(spec->ToString(), "base=12,age=31");
  auto list = ParseCompositeSpecs("mask=1,gender=2,age=3; base=4,gender=5");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].ToString(), "mask=1,gender=2,age=3");
  EXPECT_EQ((*list)[1].ToString(), "base=4,gender=5");
  EXPECT_EQ(ParseCompositeSpec("base=12,hair=3").status().message(),
            "composite \"base=12,hair=3\": unknown key \"hair\"; expected base, mask, gender or age");
  EXPECT_EQ(ParseCompositeSpec("age=3").status().message(),
            "composite \"age=3\": no source for the mask head (name a base=TRIAL or mask=TRIAL)");
  EXPECT_EQ(ParseCompositeSpec("base=1,age=x").status().message(),
            "composite \"base=1,age=x\": \"age=x\": expected KEY=TRIAL_ID with a positive trial id");
  EXPECT_EQ(ParseCompositeSpec("base=1,base=2").status().message(), "composite \"base=1,base=2\": base given twice");
}

TEST(Composite, AgeHeadReplacedMatchesTheHandWorkedProduct) {
  const ProbMatrix base = TwoCornerBase();
  const ProbMatrix age = Rows(3, {0.1f, 0.7f, 0.2f});
  std::map<int64_t, HeadSourceTrial> trials = {{12, {12, TrainTask::kSingle, &base}},
                                               {31, {31, TrainTask::kAge, &age}}};
  auto find = [&](int64_t id) -> absl::StatusOr<HeadSourceTrial> { return trials.at(id); };
  auto composite = BuildComposite(*ParseCompositeSpec("base=12,age=31"), find);
  ASSERT_TRUE(composite.ok()) << composite.status();
  ASSERT_EQ(composite->num_classes, 18);
  // Base marginals: mask (0.5, 0, 0.5), gender (0.5, 0.5); age from trial 31.
  // class 6m + 3g + a = mask[m] * gender[g] * age[a]:
  EXPECT_FLOAT_EQ(composite->at(0, 0), 0.5f * 0.5f * 0.1f);    // wear/male/<30
  EXPECT_FLOAT_EQ(composite->at(0, 1), 0.5f * 0.5f * 0.7f);    // wear/male/30-59
  EXPECT_FLOAT_EQ(composite->at(0, 5), 0.5f * 0.5f * 0.2f);    // wear/female/>=60
  EXPECT_FLOAT_EQ(composite->at(0, 7), 0.0f);                  // incorrect: the base gives it 0
  EXPECT_FLOAT_EQ(composite->at(0, 16), 0.5f * 0.5f * 0.7f);   // normal/female/30-59
  float sum = 0;
  for (int c = 0; c < 18; ++c) sum += composite->at(0, c);
  EXPECT_NEAR(sum, 1.0f, 1e-6);
}

TEST(Composite, ThreeSourcesOfEveryKind) {
  // A multi-head trial's 18 rows are its heads' product: its gender head comes back exactly.
  auto multi = MultiplyHeads(Rows(3, {0.2f, 0.3f, 0.5f}), Rows(2, {0.6f, 0.4f}), Rows(3, {0.1f, 0.1f, 0.8f}));
  ASSERT_TRUE(multi.ok()) << multi.status();
  const ProbMatrix mask = Rows(3, {0.9f, 0.05f, 0.05f});
  const ProbMatrix base = TwoCornerBase();
  std::map<int64_t, HeadSourceTrial> trials = {{1, {1, TrainTask::kMask, &mask}},
                                               {2, {2, TrainTask::kMultiHead, &*multi}},
                                               {3, {3, TrainTask::kSingle, &base}}};
  auto find = [&](int64_t id) -> absl::StatusOr<HeadSourceTrial> { return trials.at(id); };
  auto gender = HeadProbs(trials.at(2), Head::kGender);
  ASSERT_TRUE(gender.ok());
  EXPECT_NEAR(gender->at(0, 0), 0.6f, 1e-6);
  auto composite = BuildComposite(*ParseCompositeSpec("mask=1,gender=2,age=3"), find);
  ASSERT_TRUE(composite.ok()) << composite.status();
  // normal/female/>=60 = 0.05 (trial 1) * 0.4 (trial 2's gender head) * 0.5 (trial 3's age marginal)
  EXPECT_NEAR(composite->at(0, 17), 0.05f * 0.4f * 0.5f, 1e-7);
  // wear/male/<30 = 0.9 * 0.6 * 0.5
  EXPECT_NEAR(composite->at(0, 0), 0.9f * 0.6f * 0.5f, 1e-7);

  // A head trial is no base, and a mask trial gives no age.
  EXPECT_EQ(BuildComposite(*ParseCompositeSpec("base=1,age=3"), find).status().message(),
            "composite base=1,age=3: base trial 1 predicts one head; a base must predict the 18 classes");
  EXPECT_EQ(BuildComposite(*ParseCompositeSpec("base=3,age=1"), find).status().message(),
            "composite base=3,age=1: trial 1 predicts the mask head, not the age head");
}

TEST(Composite, AutomaticCandidatesPairEveryBaseWithEveryHeadTrial) {
  const std::vector<CompositeSpec> specs = AutomaticComposites(
      {5, 6, 7, 8}, {TrainTask::kSingle, TrainTask::kAgeRegression, TrainTask::kMultiHead, TrainTask::kGender});
  std::vector<std::string> text;
  for (const CompositeSpec& s : specs) text.push_back(s.ToString());
  EXPECT_EQ(text, (std::vector<std::string>{"base=5,age=6", "base=5,gender=8", "base=7,age=6", "base=7,gender=8"}));
}

TEST(Composite, HeadScoresOfHandWorkedPredictions) {
  // Two samples. Sample 0 labelled 0 (wear/male/<30), predicted class 1 (wear/male/30-59): mask and
  // gender right, age wrong. Sample 1 labelled 17, predicted 17: all right.
  std::vector<float> values(36, 0.0f);
  values[1] = 1.0f;
  values[18 + 17] = 1.0f;
  auto scores = ScoreHeads(Rows(18, values), {0, 17});
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_DOUBLE_EQ(scores->accuracy[0], 1.0);
  EXPECT_DOUBLE_EQ(scores->accuracy[1], 1.0);
  EXPECT_DOUBLE_EQ(scores->accuracy[2], 0.5);
  EXPECT_DOUBLE_EQ(scores->macro_f1[1], 1.0);
  // Age: labels (0, 2), predicted (1, 2): F1 of class 0 = 0, class 1 = 0, class 2 = 1 -> 1/3.
  EXPECT_NEAR(scores->macro_f1[2], 1.0 / 3.0, 1e-12);
}

}  // namespace
}  // namespace foldstack::analysis
