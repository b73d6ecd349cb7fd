#include "coordinator/managers/label_review_manager.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "coordinator/managers/sweep_manager.h"
#include "coordinator/store/label_store.h"
#include "coordinator/store/relabel_candidate_store.h"
#include "coordinator/store/test_util.h"
#include "data/mask_labels.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::OpenFreshDb;
using testing::QueryInt;

constexpr char kAnna[] = "000001_female_Asian_45";  // female/30-59
constexpr char kBen[] = "000002_male_Asian_20";     // male/<30

class LabelReviewTest : public ::testing::Test {
 protected:
  LabelReviewTest() : db_(OpenFreshDb("review")), sweeps_(*db_, clock_), review_(*db_, clock_) {
    root_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/mask-", counter_++);
    std::filesystem::create_directories(root_ + "/train");
    std::ofstream(root_ + "/train/train.csv") << "id,gender,race,age,path\n000001,female,Asian,45," << kAnna
                                              << "\n000002,male,Asian,20," << kBen << "\n";
    NewSweep sweep;
    sweep.name = "masks";
    sweep.dataset = {"mask", root_, data::kMaskNumClasses, {}};
    AddPerson(kAnna, 1, 1, &sweep.dataset);
    AddPerson(kBen, 0, 0, &sweep.dataset);
    sweep.split = SplitParams{2, 1, "person", false};
    sweep.assign_folds = [](const DatasetRecord& d, const SplitParams& p) {
      return testing::RoundRobinFolds(static_cast<int>(d.samples.size()), p.k);
    };
    sweep.trial_params_json = {"{}"};
    auto created = sweeps_.CreateSweep(sweep);
    EXPECT_TRUE(created.ok()) << created.status();
    sweep_id_ = created->sweep_id();
    dataset_id_ = QueryInt(*db_, "SELECT dataset_id FROM sweeps");
  }

  static void AddPerson(const std::string& folder, int gender, int age_bin, DatasetRecord* d) {
    for (int i = 0; i < data::kPhotosPerPerson; ++i) {
      d->samples.push_back({absl::StrCat("train/images/", folder, "/", data::kMaskPhotoNames[i], ".jpg"),
                            data::MaskClass(data::MaskStateOfPhoto(i), gender, age_bin), folder});
    }
  }

  int64_t SampleId(const std::string& key) {
    return QueryInt(*db_, "SELECT id FROM samples WHERE sample_key = 'train/images/" + key + "'");
  }

  static v1::LabelDecision Decision(int row, const std::string& target, const std::string& decision,
                                    const std::string& label = "", const std::string& note = "") {
    v1::LabelDecision d;
    d.set_row(row);
    d.set_target(target);
    d.set_decision(decision);
    d.set_label(label);
    d.set_note(note);
    return d;
  }

  absl::StatusOr<v1::ReviewLabelsResponse> Review(std::vector<v1::LabelDecision> decisions,
                                                  const std::string& file = "", const std::string& dataset = "") {
    v1::ReviewLabelsRequest request;
    request.set_file_name(file);
    request.set_dataset(dataset);
    for (auto& d : decisions) *request.add_decisions() = d;
    return review_.ReviewLabels(request, "fp-ann");
  }

  int32_t LabelAt(int32_t version, const std::string& key) {
    const std::vector<LabelledSample> samples = *LoadLabels(*db_, dataset_id_, version);
    for (const LabelledSample& s : samples) {
      if (s.key == "train/images/" + key) return s.label;
    }
    return -1;
  }

  static inline int counter_ = 0;
  ManualClock clock_;
  std::unique_ptr<SqliteDb> db_;
  SweepManager sweeps_;
  LabelReviewManager review_;
  std::string root_;
  int64_t sweep_id_ = 0;
  int64_t dataset_id_ = 0;
};

TEST_F(LabelReviewTest, AcceptingAPersonTakesTheCandidatesGenderAndAgeForAllPhotos) {
  // male/30-59 as a class with mask "wear" = 1.
  ASSERT_TRUE(ReplaceRelabelCandidates(*db_, sweep_id_, "fold_vote", {{0, kAnna, "gender", 4, 1, 0.9, "{}"}},
                                       clock_.NowMs()).ok());
  clock_.AdvanceMs(1000);
  auto accepted = Review({Decision(0, kAnna, "accept", "", "beard in every photo")});
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->dataset_id(), dataset_id_);
  EXPECT_EQ(accepted->label_version(), 1);
  EXPECT_TRUE(accepted->new_version());
  EXPECT_EQ(accepted->reviewed(0).samples(), 7);
  EXPECT_EQ(accepted->reviewed(0).label_name(), "male/30-59");
  const std::string incorrect = absl::StrCat(kAnna, "/incorrect_mask.jpg");
  EXPECT_EQ(LabelAt(0, incorrect), data::MaskClass(1, 1, 1));
  EXPECT_EQ(LabelAt(1, incorrect), data::MaskClass(1, 0, 1));  // mask state kept
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM v_label_overrides WHERE note = 'beard in every photo' "
                           "AND decided_by = 'fp-ann'"), 7);

  v1::ListRelabelCandidatesRequest list;
  list.set_sweep_id(sweep_id_);
  auto listed = review_.ListRelabelCandidates(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->candidates_size(), 1);
  EXPECT_EQ(listed->candidates(0).review_status(), "accepted");
  EXPECT_EQ(listed->candidates(0).given_name(), "female/30-59");
  EXPECT_EQ(listed->candidates(0).suggested_name(), "male/30-59");
}

TEST_F(LabelReviewTest, SingleDecisionErrorsNameWhatIsWrong) {
  EXPECT_EQ(Review({Decision(0, "nobody", "accept", "0")}).status().message(),
            absl::StrCat("no stored dataset has a sample or person \"nobody\""));
  EXPECT_EQ(Review({Decision(0, "nobody", "accept", "0")}, "", root_).status().message(),
            absl::StrCat("no sample or person \"nobody\" in dataset ", dataset_id_, " (", root_, ")"));
  EXPECT_EQ(Review({Decision(0, kBen, "accept")}).status().message(),
            absl::StrCat("--label: empty, and \"", kBen, "\" has no pending relabel candidate to take it from"));
  // One photo cannot change gender: the person's photos share it.
  EXPECT_EQ(Review({Decision(0, absl::StrCat("images/", kBen, "/mask1.jpg"), "accept", "wear/female/<30")})
                .status().message(),
            absl::StrCat("--label: \"wear/female/<30\" changes the gender/age of one photo; decide the person ",
                         kBen, " instead"));
  EXPECT_EQ(*LatestLabelVersion(*db_, dataset_id_), 0);
  // Refusing such a label is fine: it is recorded and changes nothing.
  const std::string photo = absl::StrCat("images/", kBen, "/mask1.jpg");
  auto rejected = Review({Decision(0, photo, "reject", "wear/female/<30")});
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM label_overrides WHERE target LIKE '%" + std::string(kBen) +
                           "/mask1.jpg' AND status = 'rejected'"), 1);
  EXPECT_EQ(*LatestLabelVersion(*db_, dataset_id_), 0);
}

TEST_F(LabelReviewTest, BulkDecisionsAreAllOrNothingAndMakeOneVersion) {
  const std::string ben_incorrect = absl::StrCat(kBen, "/incorrect_mask.jpg");
  const std::string ben_normal = absl::StrCat(kBen, "/normal.jpg");
  auto bad = Review({Decision(2, "images/" + ben_incorrect, "accept", "normal/male/<30"),
                     Decision(3, "images/" + ben_normal, "accept", "incorrect/male/<31")},
                    "d.csv");
  EXPECT_EQ(bad.status().message(),
            "d.csv: row 3: column label: \"incorrect/male/<31\": expected a class index 0..17 or a class name "
            "like wear/male/<30");
  EXPECT_EQ(Review({Decision(2, kBen, "maybe", "male/<30")}, "d.csv").status().message(),
            "d.csv: row 2: column decision: \"maybe\": expected accept or reject");
  EXPECT_EQ(Review({Decision(2, kBen, "reject", "male/>=60"), Decision(5, kBen, "accept", "male/<30")}, "d.csv")
                .status().message(),
            absl::StrCat("d.csv: row 5: column target: \"", kBen, "\" is already decided in row 2"));
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM label_overrides"), 0);

  auto applied = Review({Decision(2, "images/" + ben_incorrect, "accept", "normal/male/<30", "swapped"),
                         Decision(3, "train/images/" + ben_normal, "ACCEPT", "6", "swapped"),
                         Decision(4, kAnna, "reject", "female/>=60", "looks 45")},
                        "d.csv");
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->label_version(), 1);
  EXPECT_EQ(*LatestLabelVersion(*db_, dataset_id_), 1);
  EXPECT_EQ(LabelAt(1, ben_incorrect), data::MaskClass(2, 0, 0));
  EXPECT_EQ(LabelAt(1, ben_normal), data::MaskClass(1, 0, 0));
  EXPECT_EQ(LabelAt(0, ben_normal), data::MaskClass(2, 0, 0));  // the original stays
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM label_overrides WHERE status = 'rejected'"), 7);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM label_versions"), 1);

  // Only rejections: no new version.
  auto rejected = Review({Decision(2, kBen, "reject", "female/<30")}, "again.csv");
  ASSERT_TRUE(rejected.ok());
  EXPECT_FALSE(rejected->new_version());
  EXPECT_EQ(rejected->label_version(), 1);
}

TEST_F(LabelReviewTest, ExportWritesTheCorrectedTrainCsvAndTheMoves) {
  ASSERT_TRUE(Review({Decision(2, kAnna, "accept", "male/30-59"),
                      Decision(3, absl::StrCat(kBen, "/incorrect_mask.jpg"), "accept", "normal/male/<30"),
                      Decision(4, absl::StrCat(kBen, "/normal.jpg"), "accept", "incorrect/male/<30")},
                     "d.csv").ok());
  v1::ExportLabelsRequest request;
  request.set_dataset(std::to_string(dataset_id_));
  auto exported = review_.ExportLabels(request);
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->label_version(), 1);
  EXPECT_EQ(exported->file_name(), "train.csv");
  EXPECT_EQ(exported->changed_samples(), 9);
  EXPECT_EQ(exported->csv(), absl::StrCat("id,gender,race,age,path\n000001,male,Asian,45,000001_male_Asian_45\n",
                                          "000002,male,Asian,20,", kBen, "\n"));
  ASSERT_EQ(exported->moves_size(), 9);
  EXPECT_EQ(exported->moves(0).to(), "train/images/000001_male_Asian_45/mask1.jpg");

  request.set_label_version(0);
  request.set_dataset(root_);
  auto original = review_.ExportLabels(request);
  ASSERT_TRUE(original.ok()) << original.status();
  EXPECT_EQ(original->changed_samples(), 0);
  EXPECT_EQ(original->moves_size(), 0);
  request.set_label_version(2);
  EXPECT_EQ(review_.ExportLabels(request).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LabelReviewTest, PersonPhotoKeysAndClassNamesForTheReviewPage) {
  auto keys = review_.PersonPhotoKeys(dataset_id_, {kBen, "nobody"});
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);
  ASSERT_EQ(keys->at(kBen).size(), static_cast<size_t>(data::kPhotosPerPerson));
  EXPECT_EQ(keys->at(kBen)[0], absl::StrCat("train/images/", kBen, "/", data::kMaskPhotoNames[0], ".jpg"));
  EXPECT_TRUE(review_.PersonPhotoKeys(dataset_id_, {})->empty());
  auto names = review_.ClassNames(dataset_id_);
  ASSERT_TRUE(names.ok()) << names.status();
  ASSERT_EQ(names->size(), static_cast<size_t>(data::kMaskNumClasses));
  EXPECT_EQ(names->at(0), "wear/male/<30");
  EXPECT_EQ(review_.ClassNames(999).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace foldstack::coordinator
