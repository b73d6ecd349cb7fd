#include "cli/render.h"

#include <cmath>

#include <gtest/gtest.h>

namespace foldstack::cli {
namespace {

TEST(Render, AuditShowsWhenWhoWhatAndWhich) {
  foldstack::v1::ListAuditResponse response;
  auto* entry = response.add_entries();
  entry->set_at_unix_ms(1700000000123);
  entry->set_who("ana");
  entry->set_action("cancel_sweep");
  entry->set_object_id("12");
  const std::string text = RenderAudit(response);
  EXPECT_NE(text.find("WHEN"), std::string::npos) << text;
  EXPECT_NE(text.find("2023-11-14 22:13:20"), std::string::npos) << text;
  EXPECT_NE(text.find("ana"), std::string::npos) << text;
  EXPECT_NE(text.find("cancel_sweep"), std::string::npos) << text;
  EXPECT_NE(text.find("12"), std::string::npos) << text;
}

TEST(Render, LeaderboardShowsRanksAndScores) {
  foldstack::v1::LeaderboardResponse response;
  response.set_sweep_id(3);
  response.set_k(5);
  auto* row = response.add_rows();
  row->set_rank(1);
  row->set_trial_id(17);
  row->set_folds_done(5);
  row->set_macro_f1_mean(0.81234);
  row->set_macro_f1_std(0.0123);
  row->set_accuracy_mean(0.9);
  row->set_params_json(R"({"lr":0.001,"loss":"focal","epochs":3})");
  auto* second = response.add_rows();
  second->set_rank(2);
  second->set_trial_id(18);
  second->set_folds_done(4);
  second->set_params_json(R"({"lr":0.01,"loss":"focal","epochs":3})");
  std::string text = RenderLeaderboard(response);
  EXPECT_NE(text.find("sweep 3 leaderboard"), std::string::npos);
  EXPECT_NE(text.find("0.8123"), std::string::npos);
  EXPECT_NE(text.find("5/5"), std::string::npos);
  EXPECT_NE(text.find("4/5"), std::string::npos);
  // Only the swept setting tells the trials apart; the shared ones stay out of the table.
  EXPECT_NE(text.find("lr=0.001\n"), std::string::npos);
  EXPECT_NE(text.find("lr=0.01\n"), std::string::npos);
  EXPECT_EQ(text.find("focal"), std::string::npos);
}

TEST(Render, ProgressLineCountsJobs) {
  foldstack::v1::SweepSummary summary;
  summary.set_state(foldstack::v1::SWEEP_STATE_RUNNING);
  summary.set_jobs_total(6);
  summary.set_jobs_done(2);
  summary.set_jobs_failed(1);
  summary.set_jobs_running(2);
  summary.set_jobs_queued(1);
  summary.set_best_macro_f1(0.5);
  summary.set_eta_seconds(75);
  std::string line = RenderProgress(summary);
  EXPECT_NE(line.find("3/6"), std::string::npos);
  EXPECT_NE(line.find("running 2"), std::string::npos);
  EXPECT_NE(line.find("ETA 1m15s"), std::string::npos);
}

TEST(Render, ProgressCountsTheBudgetPrunedJobsAndPause) {
  foldstack::v1::SweepSummary summary;
  summary.set_state(foldstack::v1::SWEEP_STATE_RUNNING);
  summary.set_k(3);
  summary.set_trials(2);
  summary.set_trial_budget(10);  // trials made on demand: the bar counts 10 x 3 jobs
  summary.set_jobs_total(6);
  summary.set_jobs_done(3);
  summary.set_jobs_pruned(1);
  summary.set_jobs_cancelled(2);
  summary.set_metric("val_loss");
  summary.set_best_value(0.4321);
  summary.set_paused(true);
  const std::string line = RenderProgress(summary);
  EXPECT_NE(line.find("6/30"), std::string::npos) << line;
  EXPECT_NE(line.find("trials 2/10"), std::string::npos) << line;
  EXPECT_NE(line.find("pruned 1"), std::string::npos) << line;
  EXPECT_NE(line.find("best val_loss 0.4321"), std::string::npos) << line;
  EXPECT_NE(line.find("PAUSED"), std::string::npos) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
}

TEST(Render, TrialsShowWhereAndWhyTheyWerePruned) {
  foldstack::v1::ListTrialsResponse response;
  response.set_k(3);
  response.set_metric("val_macro_f1");
  auto* done = response.add_trials();
  done->set_trial_id(4);
  done->set_state(foldstack::v1::TRIAL_STATE_DONE);
  done->set_folds_done(3);
  done->set_value(0.61);
  done->set_params_json(R"({"lr":0.001})");
  auto* pruned = response.add_trials();
  pruned->set_trial_id(5);
  pruned->set_index(1);
  pruned->set_state(foldstack::v1::TRIAL_STATE_PRUNED);
  pruned->set_value(std::nan(""));
  pruned->set_stopped_epoch(1);
  pruned->set_stop_reason("hyperband: epoch 1 fold 0");
  pruned->set_params_json(R"({"lr":1e-07})");
  const std::string text = RenderTrials(response);
  EXPECT_NE(text.find("VAL_MACRO_F1"), std::string::npos) << text;
  EXPECT_NE(text.find("done"), std::string::npos) << text;
  EXPECT_NE(text.find("0.6100"), std::string::npos) << text;
  EXPECT_NE(text.find("epoch 1: hyperband: epoch 1 fold 0"), std::string::npos) << text;
  EXPECT_NE(text.find("3/3"), std::string::npos) << text;
}

TEST(Render, JsonKeepsProtoFieldNames) {
  foldstack::v1::SweepSummary summary;
  summary.set_sweep_id(9);
  summary.set_jobs_done(0);
  std::string json = ToJson(summary);
  EXPECT_NE(json.find("\"sweep_id\":\"9\""), std::string::npos);
  EXPECT_NE(json.find("\"jobs_done\":0"), std::string::npos);
}

TEST(Render, ArtifactsTableWithHumanSizesAndTotal) {
  foldstack::v1::ListArtifactsResponse response;
  auto* a = response.add_artifacts();
  a->set_artifact_id(12);
  a->set_trial_id(3);
  a->set_fold(1);
  a->set_kind(foldstack::v1::ARTIFACT_KIND_RESUME_CHECKPOINT);
  a->set_epoch(4);
  a->set_size(int64_t{45} << 20);
  a->set_sha256("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  response.set_total_bytes(a->size());
  const std::string text = RenderArtifacts(response);
  EXPECT_NE(text.find("ID"), std::string::npos) << text;
  EXPECT_NE(text.find("resume"), std::string::npos) << text;
  EXPECT_NE(text.find("45 MB"), std::string::npos) << text;
  EXPECT_NE(text.find("0123456789ab "), std::string::npos) << text;
  EXPECT_EQ(text.find("0123456789abc"), std::string::npos) << text;  // a 12-digit prefix
  EXPECT_NE(text.find("1 artifacts, 45 MB"), std::string::npos) << text;
  EXPECT_EQ(RenderArtifacts(foldstack::v1::ListArtifactsResponse()), "no artifacts\n");
}

TEST(Render, PruneSaysWhatWentAndTheSpaceFreed) {
  foldstack::v1::PruneArtifactsResponse response;
  response.set_sweep_id(2);
  auto* a = response.add_deleted();
  a->set_artifact_id(5);
  a->set_kind(foldstack::v1::ARTIFACT_KIND_BEST_CHECKPOINT);
  response.set_bytes_freed(int64_t{3} << 30);
  response.add_kept_trial_ids(1);
  response.add_kept_trial_ids(4);
  EXPECT_NE(RenderPrunedArtifacts(response, false).find("sweep 2: deleted 1 checkpoint, 3 GB freed (kept trials: 1, 4)"),
            std::string::npos);
  EXPECT_NE(RenderPrunedArtifacts(response, true).find("would delete 1 checkpoint, 3 GB would be freed"),
            std::string::npos);
}

}  // namespace
}  // namespace foldstack::cli
