#include "coordinator/managers/mask_export.h"

#include "absl/strings/str_cat.h"
#include "data/mask_labels.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

constexpr char kCsv[] =
    "id,gender,race,age,path\n"
    "000001,female,Asian,45,000001_female_Asian_45\n"
    "000002,male,Asian,20,000002_male_Asian_20\n";

// The 7 photos of a person as stored: gender 0/1, age bin 0..2.
void AddPerson(const std::string& folder, int gender, int age_bin, std::vector<LabelledSample>* out) {
  for (int i = 0; i < data::kPhotosPerPerson; ++i) {
    const int32_t label = data::MaskClass(data::MaskStateOfPhoto(i), gender, age_bin);
    out->push_back({static_cast<int64_t>(out->size() + 1),
                    absl::StrCat("train/images/", folder, "/", data::kMaskPhotoNames[i], ".jpg"), folder,
                    label, label});
  }
}

std::vector<LabelledSample> TwoPeople() {
  std::vector<LabelledSample> samples;
  AddPerson("000001_female_Asian_45", 1, 1, &samples);
  AddPerson("000002_male_Asian_20", 0, 0, &samples);
  return samples;
}

TEST(MaskExportTest, UnchangedLabelsGiveTheSameFileAndNoMoves) {
  auto out = ExportMaskTrainCsv(kCsv, TwoPeople());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->csv, kCsv);
  EXPECT_TRUE(out->moves.empty());
  EXPECT_EQ(out->changed_people, 0);
}

TEST(MaskExportTest, PersonGenderAndAgeRewriteTheRowAndMoveTheFolder) {
  std::vector<LabelledSample> samples = TwoPeople();
  for (int i = 0; i < 7; ++i) samples[i].label = samples[i].label - 3 + 1;  // female/30-59 -> male/>=60
  auto out = ExportMaskTrainCsv(kCsv, samples);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->csv, "id,gender,race,age,path\n"
                      "000001,male,Asian,60,000001_male_Asian_60\n"
                      "000002,male,Asian,20,000002_male_Asian_20\n");
  EXPECT_EQ(out->changed_people, 1);
  ASSERT_EQ(out->moves.size(), 7u);
  EXPECT_EQ(out->moves[5].first, "train/images/000001_female_Asian_45/incorrect_mask.jpg");
  EXPECT_EQ(out->moves[5].second, "train/images/000001_male_Asian_60/incorrect_mask.jpg");
}

TEST(MaskExportTest, YoungerBinTakesTheNearestAge) {
  std::vector<LabelledSample> samples = TwoPeople();
  for (int i = 0; i < 7; ++i) samples[i].label -= 1;  // 30-59 -> <30
  auto out = ExportMaskTrainCsv(kCsv, samples);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_NE(out->csv.find("000001,female,Asian,29,000001_female_Asian_29\n"), std::string::npos);
}

TEST(MaskExportTest, MaskSwapRenamesThePairAndKeepsTheRow) {
  std::vector<LabelledSample> samples = TwoPeople();
  std::swap(samples[12].label, samples[13].label);  // person 2: incorrect_mask <-> normal
  auto out = ExportMaskTrainCsv(kCsv, samples);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->csv, kCsv);
  ASSERT_EQ(out->moves.size(), 2u);
  EXPECT_EQ(out->moves[0], std::make_pair(std::string("train/images/000002_male_Asian_20/incorrect_mask.jpg"),
                                          std::string("train/images/000002_male_Asian_20/normal.jpg")));
  EXPECT_EQ(out->moves[1].second, "train/images/000002_male_Asian_20/incorrect_mask.jpg");
}

TEST(MaskExportTest, WornAndNotWornTradePlaces) {
  std::vector<LabelledSample> samples = TwoPeople();
  std::swap(samples[2].label, samples[6].label);  // person 1: mask3 is the unmasked photo
  auto out = ExportMaskTrainCsv(kCsv, samples);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->moves.size(), 2u);
  EXPECT_EQ(out->moves[0].second, "train/images/000001_female_Asian_45/normal.jpg");
  EXPECT_EQ(out->moves[1].second, "train/images/000001_female_Asian_45/mask3.jpg");
}

TEST(MaskExportTest, HalfASwapIsRefusedNamingThePerson) {
  std::vector<LabelledSample> samples = TwoPeople();
  samples[12].label = samples[13].label;  // two "normal" photos
  auto out = ExportMaskTrainCsv(kCsv, samples);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "person 000002_male_Asian_20: the corrected mask states give two photos the name "
            "\"normal\"; a person needs 5 worn, 1 incorrect and 1 not-worn photo, so decide the pair");
}

TEST(MaskExportTest, AFileThatChangedSinceIsRefused) {
  const std::string edited =
      "id,gender,race,age,path\n000001,male,Asian,45,000001_female_Asian_45\n";
  auto out = ExportMaskTrainCsv(edited, TwoPeople());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message().substr(0, 50), "train/train.csv: row 2: (path 000001_female_Asian_");
}

}  // namespace
}  // namespace foldstack::coordinator
