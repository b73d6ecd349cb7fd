#include "coordinator/managers/analysis_manager.h"

#include <cmath>
#include <functional>
#include <set>

#include "absl/strings/str_cat.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;

constexpr int kSamples = 12;  // toy dataset: labels i % 3, folds i % 2
constexpr int kFolds = 2;

absl::Status StoreOof(SqliteDb& db, int64_t sweep_id, int trial_idx, const std::function<std::vector<float>(int)>& probs) {
  return testing::StoreToyOof(db, sweep_id, trial_idx, kSamples, kFolds, probs);
}

// 0.9 on `cls`, the rest spread evenly over the other two classes.
std::vector<float> Confident(int cls, float p = 0.9f) {
  std::vector<float> row(3, (1.0f - p) / 2);
  row[cls] = p;
  return row;
}

class AnalysisManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenFreshDb("analysis_manager");
    toy_ = MakeToySweep(*db_, /*trials=*/3, kFolds, kSamples);
    review_ = std::make_unique<LabelReviewManager>(*db_, clock_);
    manager_ = std::make_unique<AnalysisManager>(*db_, clock_, *review_);
  }

  std::unique_ptr<SqliteDb> db_;
  testing::ToySweep toy_;
  ManualClock clock_{5000};
  std::unique_ptr<LabelReviewManager> review_;
  std::unique_ptr<AnalysisManager> manager_;
};

TEST_F(AnalysisManagerTest, FindsTheSampleBothCompletedTrialsCallAnotherClass) {
  // Trials 0 and 1 agree with every label except sample 4 (labelled 1), which both call class 2.
  // Trial 2 never finishes: by default it is left out.
  for (int t = 0; t < 2; ++t) {
    ASSERT_TRUE(StoreOof(*db_, toy_.sweep_id, t, [](int i) { return i == 4 ? Confident(2, 0.95f) : Confident(i % 3); }).ok());
  }
  v1::FindRelabelCandidatesRequest request;
  request.set_sweep_id(toy_.sweep_id);
  auto found = manager_->FindRelabelCandidates(request);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->trial_ids_size(), 2);
  EXPECT_EQ(found->samples(), kSamples);
  ASSERT_EQ(found->methods_size(), 2);
  ASSERT_EQ(found->candidates_size(), 2) << found->DebugString();
  for (const v1::RelabelCandidateRow& c : found->candidates()) {
    EXPECT_EQ(c.sample_key(), "img/4.jpg");
    EXPECT_EQ(c.given_label(), 1);
    EXPECT_EQ(c.suggested_label(), 2);
    EXPECT_EQ(c.kind(), "class");
    EXPECT_EQ(c.review_status(), "pending");
  }
  // Higher = more likely wrong: all voters disagree (1.0) ranks above 1 - p(given) = 0.975.
  EXPECT_EQ(found->candidates(0).method(), "fold_voting");
  EXPECT_DOUBLE_EQ(found->candidates(0).score(), 1.0);
  EXPECT_NE(found->candidates(0).evidence_json().find("\"summary\":\"2 of 2 trials disagree\""), std::string::npos)
      << found->candidates(0).evidence_json();
  EXPECT_EQ(found->candidates(1).method(), "confident_learning");
  EXPECT_NEAR(found->candidates(1).score(), 0.975, 1e-6);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM v_relabel_candidates"), 2);

  // One method alone replaces only its own rows.
  request.set_method("confident_learning");
  request.add_trial_ids(QueryInt(*db_, "SELECT MIN(id) FROM trials"));
  found = manager_->FindRelabelCandidates(request);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->trial_ids_size(), 1);
  EXPECT_EQ(found->candidates_size(), 1);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM v_relabel_candidates"), 2);

  request.set_method("majority");
  EXPECT_EQ(manager_->FindRelabelCandidates(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.set_method("all");
  request.clear_trial_ids();
  request.add_trial_ids(987);
  EXPECT_EQ(manager_->FindRelabelCandidates(request).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AnalysisManagerTest, NothingToAnalyseBeforeATrialCompletes) {
  v1::FindRelabelCandidatesRequest find;
  find.set_sweep_id(toy_.sweep_id);
  EXPECT_EQ(manager_->FindRelabelCandidates(find).status().code(), absl::StatusCode::kFailedPrecondition);
  v1::SelectEnsembleRequest select;
  select.set_sweep_id(toy_.sweep_id);
  EXPECT_EQ(manager_->SelectEnsemble(select).status().code(), absl::StatusCode::kFailedPrecondition);
  select.set_sweep_id(999);
  EXPECT_EQ(manager_->SelectEnsemble(select).status().code(), absl::StatusCode::kNotFound);
}

// Trials A and B are each right on half the samples (alternating pairs) and lean to the truth
// where wrong; C is right on 8 of 12, barely. Alone C is best; A + B (+ C) is right everywhere.
// Right with 0.9 on the pairs of samples of parity `pairs` (i / 2 % 2), else 0.6 on the next
// class and 0.4 on the truth.
std::vector<float> Alternating(int i, int pairs) {
  const int label = i % 3;
  if ((i / 2) % 2 == pairs) return Confident(label);
  std::vector<float> row(3, 0.0f);
  row[(label + 1) % 3] = 0.6f;
  row[label] = 0.4f;
  return row;
}
std::vector<float> ModelA(int i) { return Alternating(i, 0); }
std::vector<float> ModelB(int i) { return Alternating(i, 1); }
std::vector<float> ModelC(int i) {
  const int label = i % 3;
  std::vector<float> row(3, 0.3f);
  row[i < 4 ? (label + 1) % 3 : label] = 0.4f;
  return row;
}

TEST_F(AnalysisManagerTest, SelectsTwoComplementaryTrialsOverTheBestSingleOne) {
  ASSERT_TRUE(StoreOof(*db_, toy_.sweep_id, 0, ModelA).ok());
  ASSERT_TRUE(StoreOof(*db_, toy_.sweep_id, 1, ModelB).ok());
  ASSERT_TRUE(StoreOof(*db_, toy_.sweep_id, 2, ModelC).ok());
  const int64_t first_trial = QueryInt(*db_, "SELECT MIN(id) FROM trials");

  v1::SelectEnsembleRequest request;
  request.set_sweep_id(toy_.sweep_id);
  request.set_max_members(10);
  request.set_init_size(1);
  auto selected = manager_->SelectEnsemble(request);
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_EQ(selected->library_size(), 3);
  EXPECT_EQ(selected->samples(), kSamples);
  EXPECT_EQ(selected->best_single_trial_id(), first_trial + 2);  // C
  EXPECT_LT(selected->best_single_score(), 0.9);
  EXPECT_DOUBLE_EQ(selected->ensemble().score(), 1.0);
  EXPECT_GE(selected->ensemble().score(), selected->average_score());
  ASSERT_TRUE(selected->ensemble().has_nested_score());
  EXPECT_GE(selected->ensemble().nested_score(), 0.0);
  EXPECT_LE(selected->ensemble().nested_score(), 1.0);
  EXPECT_EQ(selected->ensemble().method(), "caruana");
  double weights = 0;
  bool has_a = false, has_b = false;
  for (const v1::EnsembleMemberRow& m : selected->ensemble().members()) {
    weights += m.weight();
    has_a = has_a || m.trial_id() == first_trial;
    has_b = has_b || m.trial_id() == first_trial + 1;
    EXPECT_GT(m.single_score(), 0.0);
  }
  EXPECT_NEAR(weights, 1.0, 1e-9);
  EXPECT_TRUE(has_a && has_b) << selected->DebugString();

  // Voting for the top 1 is the best single trial alone; both are listed, newest first.
  request.set_method("vote");
  request.set_top_k(1);
  auto voted = manager_->SelectEnsemble(request);
  ASSERT_TRUE(voted.ok()) << voted.status();
  ASSERT_EQ(voted->ensemble().members_size(), 1);
  EXPECT_EQ(voted->ensemble().members(0).trial_id(), first_trial + 2);
  EXPECT_DOUBLE_EQ(voted->ensemble().score(), voted->best_single_score());

  v1::ListEnsemblesRequest list;
  list.set_sweep_id(toy_.sweep_id);
  auto listed = manager_->ListEnsembles(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->ensembles_size(), 2);
  EXPECT_EQ(listed->ensembles(0).method(), "vote");
  v1::ShowEnsembleRequest show;
  show.set_ensemble_id(selected->ensemble().ensemble_id());
  auto shown = manager_->ShowEnsemble(show);
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ(shown->ensemble().members_size(), selected->ensemble().members_size());
  EXPECT_NE(shown->ensemble().options_json().find("\"max_members\":10"), std::string::npos);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(DISTINCT ensemble_id) FROM v_ensembles"), 2);

  request.set_metric("accuracy");
  EXPECT_EQ(manager_->SelectEnsemble(request).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace foldstack::coordinator

namespace foldstack::coordinator {
namespace {

// Right with confidence `right` on the pairs of samples of parity `pairs` (as Alternating), else
// `wrong` on the next class and the rest on the truth: every trial of one sweep is weak on the same
// half of the data, so no mix of them mends it.
std::vector<float> WeakOnHalf(int i, int pairs, float right, float wrong) {
  const int label = i % 3;
  if ((i / 2) % 2 == pairs) return Confident(label, right);
  std::vector<float> row(3, 0.0f);
  row[(label + 1) % 3] = wrong;
  row[label] = 1.0f - wrong;
  return row;
}

class CrossSweepTest : public AnalysisManagerTest {
 protected:
  // Two sweeps on the toy split (k = 2): each sweep's trials are weak on a different half.
  void MakeTwoSweeps() {
    a_ = MakeToySweep(*db_, 2, kFolds, kSamples);
    b_ = MakeToySweep(*db_, 2, kFolds, kSamples);
    ASSERT_EQ(a_.split_id, b_.split_id);
    for (int pairs = 0; pairs < 2; ++pairs) {
      const int64_t sweep = pairs == 0 ? a_.sweep_id : b_.sweep_id;
      ASSERT_TRUE(StoreOof(*db_, sweep, 0, [=](int i) { return WeakOnHalf(i, pairs, 0.9f, 0.6f); }).ok());
      ASSERT_TRUE(StoreOof(*db_, sweep, 1, [=](int i) { return WeakOnHalf(i, pairs, 0.8f, 0.65f); }).ok());
    }
  }

  absl::StatusOr<v1::SelectEnsembleResponse> Select(int64_t sweep_id, std::vector<int64_t> sweep_ids = {}) {
    v1::SelectEnsembleRequest request;
    request.set_sweep_id(sweep_id);
    for (int64_t id : sweep_ids) request.add_sweep_ids(id);
    request.set_max_members(10);
    return manager_->SelectEnsemble(request);
  }

  int64_t Trial(const testing::ToySweep& sweep, int idx) {
    return QueryInt(*db_, absl::StrCat("SELECT id FROM trials WHERE sweep_id = ", sweep.sweep_id, " AND idx = ", idx));
  }

  testing::ToySweep a_, b_;
};

TEST_F(CrossSweepTest, AnEnsembleOfTwoSweepsOnOneSplitBeatsEachSweepsBest) {
  MakeTwoSweeps();
  auto best_a = Select(a_.sweep_id);
  auto best_b = Select(b_.sweep_id);
  ASSERT_TRUE(best_a.ok()) << best_a.status();
  ASSERT_TRUE(best_b.ok()) << best_b.status();
  auto across = Select(0, {b_.sweep_id, a_.sweep_id});
  ASSERT_TRUE(across.ok()) << across.status();

  const v1::EnsembleSummary& e = across->ensemble();
  EXPECT_EQ(across->library_size(), 4);
  EXPECT_EQ(across->samples(), kSamples);
  EXPECT_DOUBLE_EQ(e.score(), 1.0);
  for (const auto* one : {&*best_a, &*best_b}) {
    EXPECT_LT(one->ensemble().score(), 0.75) << one->DebugString();
    EXPECT_GT(e.score(), one->ensemble().score());
    ASSERT_TRUE(one->ensemble().has_nested_score());
    ASSERT_TRUE(e.has_nested_score());
    EXPECT_GT(e.nested_score(), one->ensemble().nested_score());
  }
  EXPECT_DOUBLE_EQ(e.nested_score(), 1.0);
  std::set<int64_t> member_trials;
  for (const v1::EnsembleMemberRow& m : e.members()) member_trials.insert(m.trial_id());
  EXPECT_TRUE(member_trials.count(Trial(a_, 0)) + member_trials.count(Trial(a_, 1)) > 0) << e.DebugString();
  EXPECT_TRUE(member_trials.count(Trial(b_, 0)) + member_trials.count(Trial(b_, 1)) > 0) << e.DebugString();
  EXPECT_EQ(e.sweep_id(), a_.sweep_id);
  EXPECT_EQ(std::vector<int64_t>(e.sweep_ids().begin(), e.sweep_ids().end()),
            (std::vector<int64_t>{a_.sweep_id, b_.sweep_id}));
  EXPECT_NE(e.options_json().find(absl::StrCat("\"sweeps\":[", a_.sweep_id, ",", b_.sweep_id, "]")),
            std::string::npos) << e.options_json();

  // Listed under each sweep it draws from, shown with its sweeps, stored in the file.
  v1::ListEnsemblesRequest list;
  list.set_sweep_id(b_.sweep_id);
  auto of_b = manager_->ListEnsembles(list);
  ASSERT_TRUE(of_b.ok()) << of_b.status();
  ASSERT_EQ(of_b->ensembles_size(), 2);
  EXPECT_EQ(of_b->ensembles(0).ensemble_id(), e.ensemble_id());
  EXPECT_EQ(of_b->ensembles(1).ensemble_id(), best_b->ensemble().ensemble_id());
  v1::ShowEnsembleRequest show;
  show.set_ensemble_id(e.ensemble_id());
  auto shown = manager_->ShowEnsemble(show);
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ(shown->ensemble().sweep_ids_size(), 2);
  EXPECT_EQ(QueryInt(*db_, absl::StrCat("SELECT COUNT(*) FROM ensemble_sweeps WHERE ensemble_id = ", e.ensemble_id())), 2);
}

TEST_F(CrossSweepTest, TrialsNamedFromSeveralSweepsFormALibrary) {
  MakeTwoSweeps();
  v1::SelectEnsembleRequest request;
  request.add_trial_ids(Trial(a_, 0));
  request.add_trial_ids(Trial(b_, 0));
  auto selected = manager_->SelectEnsemble(request);
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_EQ(selected->library_size(), 2);
  EXPECT_DOUBLE_EQ(selected->ensemble().score(), 1.0);
  EXPECT_EQ(selected->ensemble().members_size(), 2);
}

TEST_F(CrossSweepTest, TrialsOnDifferentSplitsAreRefusedAndNothingIsWritten) {
  MakeTwoSweeps();
  auto other = MakeToySweep(*db_, 1, 3, kSamples);  // k = 3: another split
  ASSERT_TRUE(testing::StoreToyOof(*db_, other.sweep_id, 0, kSamples, 3, [](int i) { return Confident(i % 3); }).ok());
  const std::string expected = absl::StrCat(
      "trials are on different splits: trial ", Trial(a_, 0), " (sweep ", a_.sweep_id, ") and 1 more on split ",
      a_.split_id, " (mask /data/toy, k=2, seed=42), trial ", Trial(other, 0), " (sweep ", other.sweep_id,
      ") on split ", other.split_id, " (mask /data/toy, k=3, seed=42)");

  auto selected = Select(0, {a_.sweep_id, other.sweep_id});
  EXPECT_EQ(selected.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(selected.status().message(), expected);
  v1::FindRelabelCandidatesRequest find;
  find.add_sweep_ids(a_.sweep_id);
  find.add_sweep_ids(other.sweep_id);
  auto found = manager_->FindRelabelCandidates(find);
  EXPECT_EQ(found.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(found.status().message(), expected);
  v1::SelectEnsembleRequest named;
  named.add_trial_ids(Trial(other, 0));
  named.add_trial_ids(Trial(b_, 1));
  EXPECT_EQ(manager_->SelectEnsemble(named).status().code(), absl::StatusCode::kFailedPrecondition);

  for (const char* table : {"ensembles", "ensemble_members", "ensemble_sweeps", "relabel_candidates"}) {
    EXPECT_EQ(QueryInt(*db_, absl::StrCat("SELECT COUNT(*) FROM ", table)), 0) << table;
  }
}

TEST_F(CrossSweepTest, RelabelCandidatesAcrossSweepsAreStoredUnderTheFirst) {
  a_ = MakeToySweep(*db_, 1, kFolds, kSamples);
  b_ = MakeToySweep(*db_, 1, kFolds, kSamples);
  for (int64_t sweep : {a_.sweep_id, b_.sweep_id}) {
    ASSERT_TRUE(StoreOof(*db_, sweep, 0, [](int i) { return i == 4 ? Confident(2, 0.95f) : Confident(i % 3); }).ok());
  }
  v1::FindRelabelCandidatesRequest request;
  request.add_sweep_ids(b_.sweep_id);
  request.add_sweep_ids(a_.sweep_id);
  request.set_method("fold_voting");
  auto found = manager_->FindRelabelCandidates(request);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->sweep_id(), a_.sweep_id);
  EXPECT_EQ(std::vector<int64_t>(found->sweep_ids().begin(), found->sweep_ids().end()),
            (std::vector<int64_t>{a_.sweep_id, b_.sweep_id}));
  EXPECT_EQ(std::vector<int64_t>(found->trial_ids().begin(), found->trial_ids().end()),
            (std::vector<int64_t>{Trial(b_, 0), Trial(a_, 0)}));
  ASSERT_EQ(found->candidates_size(), 1) << found->DebugString();
  EXPECT_EQ(found->candidates(0).sample_key(), "img/4.jpg");
  EXPECT_NE(found->candidates(0).evidence_json().find("2 of 2 trials disagree"), std::string::npos);
  v1::ListRelabelCandidatesRequest list;
  list.set_sweep_id(a_.sweep_id);
  auto listed = review_->ListRelabelCandidates(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->candidates_size(), 1);
}

TEST_F(AnalysisManagerTest, ConfusionCountsLabelsAgainstArgmaxOverTheOofSamples) {
  // Every sample right but samples 4 and 7 (labels 1 and 1), called class 2.
  ASSERT_TRUE(StoreOof(*db_, toy_.sweep_id, 0, [](int i) { return i == 4 || i == 7 ? Confident(2) : Confident(i % 3); }).ok());
  const int64_t trial =
      testing::QueryInt(*db_, absl::StrCat("SELECT id FROM trials WHERE sweep_id = ", toy_.sweep_id, " AND idx = 0"));
  absl::StatusOr<ConfusionMatrix> matrix = manager_->Confusion(trial);
  ASSERT_TRUE(matrix.ok()) << matrix.status();
  ASSERT_EQ(matrix->num_classes, 3);
  EXPECT_EQ(matrix->sweep_id, toy_.sweep_id);
  EXPECT_EQ(matrix->samples, kSamples);
  EXPECT_EQ(matrix->class_names.size(), 3u);
  EXPECT_EQ(matrix->counts, (std::vector<int64_t>{4, 0, 0, 0, 2, 2, 0, 0, 4}));
  EXPECT_EQ(manager_->Confusion(999999).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace foldstack::coordinator

namespace foldstack::coordinator {
namespace {

// The mask task, constructed: trial 0 (18 classes) is right about mask and gender but always one
// age bin off; trial 1 (task age) is right about every age; trial 2 (18 classes) is right on the
// first half of the samples only. No trial alone is perfect; the composite "base=0,age=1" is.
class CompositeEnsembleTest : public AnalysisManagerTest {
 protected:
  static constexpr int kMaskSamples = 36;  // labels i % 18, each class twice, folds i % 2

  static std::vector<float> WrongAge(int i) {
    const int label = i % 18;
    std::vector<float> row(18, 0.1f / 17);
    row[label - label % 3 + (label % 3 + 1) % 3] = 0.9f;
    return row;
  }
  static std::vector<float> RightAge(int i) {
    std::vector<float> row(3, 0.1f);
    row[(i % 18) % 3] = 0.8f;
    return row;
  }
  static std::vector<float> RightOnFirstHalf(int i) {
    std::vector<float> row(18, 0.4f / 17);
    row[i < kMaskSamples / 2 ? i % 18 : (i + 1) % 18] = 0.6f;
    return row;
  }

  void MakeLibrary() {
    sweep_ = testing::MakeMaskSweep(*db_, {R"({"lr": 0.1})", R"({"lr": 0.2, "task": "age"})", R"({"lr": 0.3})"},
                                    kFolds, kMaskSamples);
    ASSERT_TRUE(testing::StoreToyOof(*db_, sweep_.sweep_id, 0, kMaskSamples, kFolds, WrongAge).ok());
    ASSERT_TRUE(testing::StoreToyOof(*db_, sweep_.sweep_id, 1, kMaskSamples, kFolds, RightAge).ok());
    ASSERT_TRUE(testing::StoreToyOof(*db_, sweep_.sweep_id, 2, kMaskSamples, kFolds, RightOnFirstHalf).ok());
    first_ = QueryInt(*db_, absl::StrCat("SELECT MIN(id) FROM trials WHERE sweep_id = ", sweep_.sweep_id));
  }

  absl::StatusOr<v1::SelectEnsembleResponse> Select(std::vector<std::string> composites) {
    v1::SelectEnsembleRequest request;
    request.set_sweep_id(sweep_.sweep_id);
    request.set_max_members(5);
    for (std::string& c : composites) request.add_composites(std::move(c));
    return manager_->SelectEnsemble(request);
  }

  std::string Spec() const { return absl::StrCat("base=", first_, ",age=", first_ + 1); }

  testing::ToySweep sweep_;
  int64_t first_ = 0;
};

TEST_F(CompositeEnsembleTest, TheCompositeThatIsRightIsSelected) {
  MakeLibrary();
  auto selected = Select({});  // automatic: each 18-class trial with the age trial's head
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_EQ(selected->library_size(), 2);  // the age trial is no candidate by itself
  EXPECT_EQ(selected->composites(), 2);
  EXPECT_LT(selected->best_single_score(), 1.0);
  EXPECT_EQ(selected->best_composite(), Spec());
  EXPECT_DOUBLE_EQ(selected->best_composite_score(), 1.0);
  EXPECT_DOUBLE_EQ(selected->ensemble().score(), 1.0);
  ASSERT_EQ(selected->ensemble().members_size(), 1) << selected->DebugString();
  EXPECT_EQ(selected->ensemble().members(0).composite(), Spec());
  EXPECT_EQ(selected->ensemble().members(0).trial_id(), 0);
  EXPECT_DOUBLE_EQ(selected->ensemble().members(0).single_score(), 1.0);
  // Per head: the best single trial (trial 0 or 2) against the ensemble.
  ASSERT_EQ(selected->ensemble_heads_size(), 3);
  for (const v1::HeadScore& head : selected->ensemble_heads()) {
    EXPECT_DOUBLE_EQ(head.macro_f1(), 1.0) << head.head();
    EXPECT_DOUBLE_EQ(head.accuracy(), 1.0) << head.head();
  }
  ASSERT_EQ(selected->best_composite_heads_size(), 3);
  ASSERT_EQ(selected->best_single_heads_size(), 3);
  EXPECT_EQ(selected->best_single_heads(2).head(), "age");
  EXPECT_LT(selected->best_single_heads(2).accuracy(), 1.0);

  // Stored: shown with its composite, listed under the sweep.
  v1::ShowEnsembleRequest show;
  show.set_ensemble_id(selected->ensemble().ensemble_id());
  auto shown = manager_->ShowEnsemble(show);
  ASSERT_TRUE(shown.ok()) << shown.status();
  ASSERT_EQ(shown->ensemble().members_size(), 1);
  EXPECT_EQ(shown->ensemble().members(0).composite(), Spec());
  EXPECT_DOUBLE_EQ(shown->ensemble().members(0).weight(), 1.0);
  v1::ListEnsemblesRequest list;
  list.set_sweep_id(sweep_.sweep_id);
  auto listed = manager_->ListEnsembles(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->ensembles_size(), 1);
}

// Relabelling judges the 18 classes: the age trial is left out of the average.
TEST_F(CompositeEnsembleTest, RelabelLeavesHeadTrialsOut) {
  MakeLibrary();
  v1::FindRelabelCandidatesRequest request;
  request.set_sweep_id(sweep_.sweep_id);
  auto found = manager_->FindRelabelCandidates(request);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(std::vector<int64_t>(found->trial_ids().begin(), found->trial_ids().end()),
            (std::vector<int64_t>{first_, first_ + 2}));
  EXPECT_EQ(found->samples(), kMaskSamples);
}

TEST_F(CompositeEnsembleTest, CompositesCanBeNamedOrTurnedOff) {
  MakeLibrary();
  auto plain = Select({"none"});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->composites(), 0);
  EXPECT_LT(plain->ensemble().score(), 1.0);
  for (const v1::EnsembleMemberRow& m : plain->ensemble().members()) EXPECT_TRUE(m.composite().empty());

  auto named = Select({Spec()});
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->composites(), 1);
  EXPECT_DOUBLE_EQ(named->ensemble().score(), 1.0);

  // A trial outside the library, and an age trial as a base, are refused in one line.
  auto unknown = Select({absl::StrCat("base=", first_, ",age=999")});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.status().message(),
            absl::StrCat("composite base=", first_, ",age=999: trial 999 is not in the library (a completed trial of "
                         "the sweeps or trials named)"));
  auto head_base = Select({absl::StrCat("base=", first_ + 1)});
  EXPECT_EQ(head_base.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(head_base.status().message().find("predicts one head"), std::string::npos) << head_base.status();
}

}  // namespace
}  // namespace foldstack::coordinator
