#include "coordinator/analysis/mask_task.h"

#include <array>
#include <map>

#include "absl/strings/str_cat.h"
#include "data/mask_labels.h"
#include "gtest/gtest.h"

namespace foldstack::analysis {
namespace {

using data::MaskClass;

// 30 people x 7 photos (mask1..5 worn, incorrect, normal), genders and ages varied.
// `looks[i]` is the class the model sees in sample i; probabilities put 0.8 on it.
// `mask_mix[i]`, when set, replaces that: P(worn, incorrect, not worn) on sample i's
// gender and age, nothing elsewhere.
struct World {
  std::vector<int> labels, looks;
  std::vector<std::string> persons;
  std::map<int, std::array<float, 3>> mask_mix;

  World() {
    for (int p = 0; p < 30; ++p) {
      for (int photo = 0; photo < 7; ++photo) {
        int label = MaskClass(data::MaskStateOfPhoto(photo), p % 2, p % 3);
        labels.push_back(label);
        looks.push_back(label);
        persons.push_back(absl::StrCat("person", p));
      }
    }
  }
  int Sample(int person, int photo) const { return person * 7 + photo; }
  ProbMatrix Probs() const {
    ProbMatrix m{static_cast<int>(looks.size()), 18, {}};
    for (size_t i = 0; i < looks.size(); ++i) {
      const int look = looks[i];
      auto mix = mask_mix.find(static_cast<int>(i));
      for (int c = 0; c < 18; ++c) {
        if (mix == mask_mix.end()) {
          m.values.push_back(c == look ? 0.8f : 0.2f / 17);
        } else {
          m.values.push_back(c % 6 == look % 6 ? mix->second[c / 6] : 0.0f);
        }
      }
    }
    return m;
  }
  std::vector<MaskCandidate> Find() const {
    auto r = FindMaskCandidates(Probs(), labels, persons);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<MaskCandidate>{};
  }
};

TEST(MaskTaskTest, MarginalsSumTheirClasses) {
  World w;
  auto m = ComputeMaskMarginals(w.Probs());
  ASSERT_TRUE(m.ok()) << m.status();
  // Sample 0 looks like worn/male/<30: 0.8 + 5 other classes of 0.2/17 share mask worn.
  EXPECT_NEAR(m->mask.at(0, 0), 0.8 + 5 * 0.2 / 17, 1e-6);
  EXPECT_NEAR(m->gender.at(0, 0), 0.8 + 8 * 0.2 / 17, 1e-6);
  EXPECT_NEAR(m->age.at(0, 1), 6 * 0.2 / 17, 1e-6);
}

TEST(MaskTaskTest, CleanLabelsGiveNoCandidates) { EXPECT_TRUE(World().Find().empty()); }

TEST(MaskTaskTest, GenderFlippedOnAllRowsIsFoundOncePerPerson) {
  World w;
  // Person 4 is male (4 % 2 == 0); label all 7 rows female.
  for (int photo = 0; photo < 7; ++photo) {
    int& label = w.labels[w.Sample(4, photo)];
    label = MaskClass(label / 6, 1, label % 3);
  }
  std::vector<MaskCandidate> found = w.Find();
  ASSERT_EQ(found.size(), 1u);
  const MaskCandidate& c = found[0];
  EXPECT_EQ(c.kind, MaskIssueKind::kGender);
  EXPECT_STREQ(MaskIssueKindName(c.kind), "gender");
  EXPECT_EQ(c.person, "person4");
  EXPECT_EQ(c.sample, w.Sample(4, 0));
  EXPECT_EQ(c.given_value, data::kFemale);
  EXPECT_EQ(c.suggested_value, data::kMale);
  EXPECT_EQ(c.photos, 7);
  ASSERT_EQ(c.relabels.size(), 7u);
  for (int photo = 0; photo < 7; ++photo) {
    EXPECT_EQ(c.relabels[photo].sample, w.Sample(4, photo));
    EXPECT_EQ(c.relabels[photo].suggested_label, w.looks[w.Sample(4, photo)]);
  }
  EXPECT_NEAR(c.score, 2 * 0.2 / 17 * 4.5, 1e-6);  // pooled P(female): 9 classes of 0.2/17
  EXPECT_FALSE(c.evidence.empty());
}

TEST(MaskTaskTest, OneOddPhotoOfACorrectPersonIsNotAGenderFlag) {
  World w;
  // The model sees person 6's second photo as the other gender; the label is right.
  int& look = w.looks[w.Sample(6, 1)];
  look = MaskClass(look / 6, 1 - look / 3 % 2, look % 3);
  for (const MaskCandidate& c : w.Find()) EXPECT_NE(c.person, "person6") << MaskIssueKindName(c.kind);
}

TEST(MaskTaskTest, AgeErrorIsFoundPerPerson) {
  World w;
  for (int photo = 0; photo < 7; ++photo) {
    int& label = w.labels[w.Sample(9, photo)];  // person 9 is <30 (9 % 3 == 0): label them >=60
    label = MaskClass(label / 6, label / 3 % 2, 2);
  }
  std::vector<MaskCandidate> found = w.Find();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, MaskIssueKind::kAge);
  EXPECT_EQ(found[0].given_value, 2);
  EXPECT_EQ(found[0].suggested_value, 0);
  EXPECT_EQ(found[0].relabels.size(), 7u);
}

TEST(MaskTaskTest, IncorrectAndNormalSwappedIsOnePair) {
  World w;
  const int a = w.Sample(12, 5), b = w.Sample(12, 6);  // labelled incorrect, normal
  std::swap(w.looks[a], w.looks[b]);                   // the files were swapped
  // And one photo labelled worn that shows no mask, elsewhere.
  const int odd = w.Sample(20, 2);
  w.looks[odd] = MaskClass(data::kMaskNotWorn, 0, 20 % 3);
  std::vector<MaskCandidate> found = w.Find();
  ASSERT_EQ(found.size(), 2u);
  const MaskCandidate* swap = found[0].kind == MaskIssueKind::kMaskSwap ? &found[0] : &found[1];
  const MaskCandidate* mask = found[0].kind == MaskIssueKind::kMaskSwap ? &found[1] : &found[0];
  EXPECT_EQ(swap->kind, MaskIssueKind::kMaskSwap);
  EXPECT_EQ(swap->person, "person12");
  EXPECT_EQ(swap->sample, a);
  ASSERT_EQ(swap->relabels.size(), 2u);
  EXPECT_EQ(swap->relabels[0].sample, a);
  EXPECT_EQ(swap->relabels[0].suggested_label, w.labels[b]);
  EXPECT_EQ(swap->relabels[1].sample, b);
  EXPECT_EQ(swap->relabels[1].suggested_label, w.labels[a]);
  EXPECT_LT(swap->score, 0.5);
  EXPECT_EQ(mask->kind, MaskIssueKind::kMask);
  EXPECT_EQ(mask->sample, odd);
  EXPECT_EQ(mask->given_value, data::kMaskWear);
  EXPECT_EQ(mask->suggested_value, data::kMaskNotWorn);
  EXPECT_EQ(mask->relabels[0].suggested_label, w.looks[odd]);
}

// The end-to-end test's planted swap: the incorrect-labelled photo clearly shows no mask, but the
// small model reads the normal-labelled one (an incorrectly worn mask) as mostly "worn", a little
// more "not worn" than "incorrect". Judged jointly the swap is still far the likelier (the earlier
// per-photo rule, b_i > b_n, missed it and left a lone mask row for the incorrect photo).
TEST(MaskTaskTest, SwapIsFoundWhenTheNormalLabelledPhotoLooksWorn) {
  World w;
  const int a = w.Sample(12, 5), b = w.Sample(12, 6);
  w.looks[a] = w.labels[b];                // shows no mask
  w.mask_mix[b] = {0.60f, 0.15f, 0.25f};  // worn, incorrect, not worn
  std::vector<MaskCandidate> found = w.Find();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, MaskIssueKind::kMaskSwap);
  EXPECT_EQ(found[0].person, "person12");
  EXPECT_EQ(found[0].photos, 2);
  ASSERT_EQ(found[0].relabels.size(), 2u);
  EXPECT_EQ(found[0].relabels[0].suggested_label, w.labels[b]);
  EXPECT_EQ(found[0].relabels[1].suggested_label, w.labels[a]);
  // P(as given) / (P(as given) + P(swapped)) with a: P(incorrect) = 6 * 0.2/17, P(not worn) = 0.8 + 5 * 0.2/17.
  const double a_i = 6 * 0.2 / 17, a_n = 0.8 + 5 * 0.2 / 17;
  EXPECT_NEAR(found[0].score, a_i * 0.25 / (a_i * 0.25 + a_n * 0.15), 1e-5);
}

// One photo labelled incorrect that shows no mask, while the normal photo clearly shows no mask
// too: swapping would make the normal photo wrong, so it is a single mask error, not a swap.
TEST(MaskTaskTest, IncorrectPhotoShowingNoMaskBesideAClearNormalIsNotASwap) {
  World w;
  const int a = w.Sample(12, 5), b = w.Sample(12, 6);
  w.looks[a] = w.labels[b];
  std::vector<MaskCandidate> found = w.Find();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, MaskIssueKind::kMask);
  EXPECT_EQ(found[0].sample, a);
  EXPECT_EQ(found[0].suggested_value, data::kMaskNotWorn);
}

// Swapped likelihoods slightly ahead, but neither photo confidently another mask state: the model is
// merely unsure, and no swap is reported.
TEST(MaskTaskTest, UnsurePairIsNotASwap) {
  World w;
  const int a = w.Sample(12, 5), b = w.Sample(12, 6);
  w.mask_mix[a] = {0.20f, 0.38f, 0.42f};
  w.mask_mix[b] = {0.20f, 0.42f, 0.38f};
  for (const MaskCandidate& c : w.Find()) EXPECT_NE(c.person, "person12") << MaskIssueKindName(c.kind);
}

TEST(MaskTaskTest, BadInputIsOneLine) {
  World w;
  ProbMatrix wrong{1, 17, std::vector<float>(17, 1.0f / 17)};
  EXPECT_EQ(FindMaskCandidates(wrong, {0}, {"p"}).status().message(),
            "probabilities: 17 classes, expected 18 (the mask task)");
  w.persons.pop_back();
  EXPECT_EQ(FindMaskCandidates(w.Probs(), w.labels, w.persons).status().message(),
            "persons: 209 entries, expected one per sample (210)");
}

}  // namespace
}  // namespace foldstack::analysis
