#include "coordinator/managers/sweep_manager.h"

#include <cmath>

#include "coordinator/managers/job_manager.h"
#include "coordinator/store/label_store.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeDataset;
using testing::OpenFreshDb;
using testing::QueryInt;
using v1::JobSpec;

constexpr int64_t kTtl = 30000;

class SweepManagerTest : public ::testing::Test {
 protected:
  SweepManagerTest()
      : db_(OpenFreshDb("sweeps")), workers_(*db_, clock_, {kTtl, 5000}), jobs_(*db_, clock_, {kTtl, 5000}),
        sweeps_(*db_, clock_, {kTtl, 5000}) {}

  NewSweep Sweep(int trials, int k, int64_t seed = 42) {
    NewSweep sweep;
    sweep.name = "toy";
    sweep.yaml = "name: toy\n";
    sweep.spec_json = "{}";
    sweep.dataset = MakeDataset(12, 3);
    sweep.split = SplitParams{k, seed, "grp", false};
    sweep.assign_folds = [this](const DatasetRecord& d, const SplitParams& p) {
      ++assigner_calls_;
      return testing::RoundRobinFolds(static_cast<int>(d.samples.size()), p.k);
    };
    for (int t = 0; t < trials; ++t) sweep.trial_params_json.push_back("{\"t\":" + std::to_string(t) + "}");
    sweep.submitted_by = "feedc0ffee12";
    return sweep;
  }

  int64_t Create(int trials, int k, int64_t seed = 42) {
    auto created = sweeps_.CreateSweep(Sweep(trials, k, seed));
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->sweep_id() : 0;
  }

  std::string Register(const std::string& host) {
    v1::RegisterWorkerRequest request;
    request.set_hostname(host);
    request.set_slots(100);
    return workers_.RegisterWorker(request)->worker_id();
  }

  JobSpec Lease(const std::string& worker) {
    v1::LeaseJobRequest request;
    request.set_worker_id(worker);
    auto response = jobs_.LeaseJob(request);
    EXPECT_TRUE(response.ok() && response->leased());
    return response.ok() ? response->job() : JobSpec();
  }

  absl::Status Complete(const JobSpec& job, double f1, double accuracy, double seconds = 10) {
    v1::CompleteJobRequest request;
    request.set_job_id(job.job_id());
    request.set_lease_id(job.lease_id());
    request.set_macro_f1(f1);
    request.set_accuracy(accuracy);
    request.set_seconds(seconds);
    return jobs_.CompleteJob(request);
  }

  v1::SweepSummary Summary(int64_t sweep_id) {
    v1::ShowSweepRequest request;
    request.set_sweep_id(sweep_id);
    auto shown = sweeps_.ShowSweep(request);
    EXPECT_TRUE(shown.ok()) << shown.status();
    return shown.ok() ? shown->summary() : v1::SweepSummary();
  }

  ManualClock clock_;
  std::unique_ptr<SqliteDb> db_;
  WorkerManager workers_;
  JobManager jobs_;
  SweepManager sweeps_;
  int assigner_calls_ = 0;
};

TEST_F(SweepManagerTest, CreateSweepReusesTheStoredSplit) {
  auto first = sweeps_.CreateSweep(Sweep(3, 4));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->trials(), 3);
  EXPECT_EQ(first->jobs(), 12);
  Create(2, 4);
  EXPECT_EQ(assigner_calls_, 1);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(DISTINCT split_id) FROM sweeps"), 1);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM datasets"), 1);
  Create(1, 4, /*seed=*/7);
  EXPECT_EQ(assigner_calls_, 2);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(DISTINCT split_id) FROM sweeps"), 2);
}

// Folds as a function of the labels: if a labelled sweep were re-split on corrected labels, the
// relabelled sample would change fold.
std::vector<int32_t> FoldsByLabel(const DatasetRecord& dataset, int k) {
  std::vector<int32_t> folds;
  for (const SampleRecord& s : dataset.samples) folds.push_back(s.label % k);
  return folds;
}

TEST_F(SweepManagerTest, SweepsTrainOnTheNamedLabelVersionWithTheOriginalFolds) {
  NewSweep original = Sweep(1, 3);
  original.assign_folds = [this](const DatasetRecord& d, const SplitParams& p) {
    ++assigner_calls_;
    return FoldsByLabel(d, p.k);
  };
  auto first = sweeps_.CreateSweep(original);
  ASSERT_TRUE(first.ok()) << first.status();
  const int64_t base = QueryInt(*db_, "SELECT dataset_id FROM sweeps WHERE id = " +
                                          std::to_string(first->sweep_id()));
  const int64_t s4 = QueryInt(*db_, "SELECT id FROM samples WHERE sample_key = 'img/4.jpg'");
  ASSERT_TRUE(RecordLabelDecisions(*db_, {base, 0, "fp", "", {{"img/4.jpg", s4, 2, true, ""}}}, 1).ok());

  auto latest = sweeps_.CreateSweep(original);  // labels: latest (the default)
  ASSERT_TRUE(latest.ok()) << latest.status();
  NewSweep on_original = original;
  on_original.label_version = 0;
  auto again_original = sweeps_.CreateSweep(on_original);
  ASSERT_TRUE(again_original.ok()) << again_original.status();
  EXPECT_EQ(assigner_calls_, 1);
  EXPECT_EQ(Summary(first->sweep_id()).label_version(), 0);
  EXPECT_EQ(Summary(latest->sweep_id()).label_version(), 1);
  EXPECT_EQ(Summary(again_original->sweep_id()).label_version(), 0);
  EXPECT_EQ(QueryInt(*db_, "SELECT label_version FROM v_sweeps WHERE sweep_id = " +
                               std::to_string(latest->sweep_id())), 1);

  auto split_of = [&](int64_t sweep_id) {
    const int64_t split_id =
        QueryInt(*db_, "SELECT split_id FROM sweeps WHERE id = " + std::to_string(sweep_id));
    v1::GetSplitRequest request;
    request.set_split_id(split_id);
    auto split = jobs_.GetSplit(request);
    EXPECT_TRUE(split.ok()) << split.status();
    return split.ok() ? *split : v1::GetSplitResponse();
  };
  const v1::GetSplitResponse before = split_of(first->sweep_id());
  const v1::GetSplitResponse after = split_of(latest->sweep_id());
  EXPECT_NE(before.split_id(), after.split_id());  // workers cache splits by id
  EXPECT_EQ(split_of(again_original->sweep_id()).split_id(), before.split_id());
  ASSERT_EQ(after.samples_size(), before.samples_size());
  for (int i = 0; i < before.samples_size(); ++i) {
    EXPECT_EQ(after.samples(i).sample_key(), before.samples(i).sample_key());
    EXPECT_EQ(after.samples(i).fold(), before.samples(i).fold()) << i;  // same persons per fold
    EXPECT_EQ(after.samples(i).label(), i == 4 ? 2 : before.samples(i).label()) << i;
  }
  EXPECT_EQ(before.samples(4).label(), 1);  // the original is kept

  NewSweep too_new = original;
  too_new.label_version = 5;
  auto refused = sweeps_.CreateSweep(too_new);
  EXPECT_EQ(refused.status().message(),
            "sweep.yaml: labels: dataset /data/toy has no label version 5 (versions 0..1; see "
            "foldstack relabel accept)");
}

TEST_F(SweepManagerTest, FailingAssignerCreatesNoSweep) {
  NewSweep sweep = Sweep(1, 2);
  sweep.assign_folds = [](const DatasetRecord&, const SplitParams&)
      -> absl::StatusOr<std::vector<int32_t>> {
    return absl::InvalidArgumentError("split: 2 groups for k=5");
  };
  EXPECT_EQ(sweeps_.CreateSweep(sweep).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM sweeps"), 0);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs"), 0);
}

TEST_F(SweepManagerTest, CancelRevokesRunningJobsAndRefusesTheirReports) {
  const int64_t sweep_id = Create(2, 2);
  const std::string worker = Register("a");
  JobSpec running = Lease(worker);
  v1::CancelSweepRequest cancel;
  cancel.set_sweep_id(sweep_id);
  auto cancelled = sweeps_.CancelSweep(cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->jobs_cancelled(), 4);
  EXPECT_EQ(Summary(sweep_id).state(), v1::SWEEP_STATE_CANCELLED);
  EXPECT_EQ(Summary(sweep_id).jobs_cancelled(), 4);

  v1::HeartbeatRequest heartbeat;
  heartbeat.set_worker_id(worker);
  heartbeat.add_running_job_ids(running.job_id());
  auto beat = jobs_.Heartbeat(heartbeat);
  ASSERT_TRUE(beat.ok());
  ASSERT_EQ(beat->revoked_job_ids_size(), 1);
  EXPECT_EQ(beat->revoked_job_ids(0), running.job_id());
  EXPECT_EQ(Complete(running, 0.9, 0.9).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs WHERE macro_f1 IS NOT NULL"), 0);

  v1::LeaseJobRequest lease;
  lease.set_worker_id(worker);
  EXPECT_FALSE(jobs_.LeaseJob(lease)->leased());
  EXPECT_EQ(sweeps_.CancelSweep(cancel)->jobs_cancelled(), 0);
  cancel.set_sweep_id(999);
  EXPECT_EQ(sweeps_.CancelSweep(cancel).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SweepManagerTest, LeaderboardRanksByMeanWithPopulationStd) {
  const int64_t sweep_id = Create(2, 3);
  const std::string worker = Register("a");
  // Trial 0: F1 0.6, 0.7, 0.8 (mean 0.7); trial 1: 0.9, 0.85, 0.65 (mean 0.8).
  const double f1[2][3] = {{0.6, 0.7, 0.8}, {0.9, 0.85, 0.65}};
  for (int t = 0; t < 2; ++t) {
    for (int f = 0; f < 3; ++f) {
      JobSpec job = Lease(worker);
      ASSERT_TRUE(Complete(job, f1[t][f], 0.5 + 0.1 * f).ok());
    }
  }
  v1::LeaderboardRequest request;
  request.set_sweep_id(sweep_id);
  auto board = sweeps_.Leaderboard(request);
  ASSERT_TRUE(board.ok()) << board.status();
  EXPECT_EQ(board->k(), 3);
  ASSERT_EQ(board->rows_size(), 2);
  const auto& best = board->rows(0);
  EXPECT_EQ(best.rank(), 1);
  EXPECT_EQ(best.params_json(), "{\"t\":1}");
  EXPECT_EQ(best.folds_done(), 3);
  EXPECT_NEAR(best.macro_f1_mean(), 0.8, 1e-12);
  // Population std of {0.9, 0.85, 0.65}: sqrt(((0.1)^2 + (0.05)^2 + (0.15)^2) / 3).
  EXPECT_NEAR(best.macro_f1_std(), std::sqrt((0.01 + 0.0025 + 0.0225) / 3), 1e-12);
  EXPECT_NEAR(best.accuracy_mean(), 0.6, 1e-12);
  EXPECT_EQ(board->rows(1).rank(), 2);
  EXPECT_NEAR(board->rows(1).macro_f1_std(), std::sqrt(0.02 / 3), 1e-12);
  EXPECT_EQ(Summary(sweep_id).state(), v1::SWEEP_STATE_DONE);
  EXPECT_NEAR(Summary(sweep_id).best_macro_f1(), 0.8, 1e-12);
}

TEST_F(SweepManagerTest, OofViewGivesSampleKeysAndJsonProbs) {
  Create(1, 2);
  JobSpec job = Lease(Register("a"));
  v1::PredictionBatch batch;
  batch.set_job_id(job.job_id());
  batch.set_lease_id(job.lease_id());
  batch.set_num_classes(3);
  batch.add_sample_ids(1);  // sample idx 0 ("img/0.jpg", label 0) is in fold 0
  for (float p : {0.125f, 0.75f, 0.125f}) batch.add_probs(p);
  ASSERT_EQ(*jobs_.ReportPredictions(batch), 1);
  auto txn = Transaction::Begin(*db_, Transaction::Mode::kDeferred);
  auto row = (*txn)->Prepare(
      "SELECT sample_key, label, predicted, probs, json_extract(probs, '$[1]'), fold "
      "FROM v_oof_predictions");
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_TRUE(*row->Step());
  EXPECT_EQ(row->Text(0), "img/0.jpg");
  EXPECT_EQ(row->Int(1), 0);
  EXPECT_EQ(row->Int(2), 1);
  EXPECT_EQ(row->Text(3), "[0.125,0.75,0.125]");
  EXPECT_EQ(row->Double(4), 0.75);
  EXPECT_EQ(row->Int(5), 0);
}

TEST_F(SweepManagerTest, ListSweepsCountsStatesAndEstimatesTime) {
  const int64_t older = Create(1, 4);
  const int64_t newer = Create(1, 2);
  const std::string worker = Register("a");
  Register("b");
  JobSpec a = Lease(worker);
  Lease(worker);
  ASSERT_TRUE(Complete(a, 0.5, 0.5, /*seconds=*/100).ok());
  auto list = sweeps_.ListSweeps({});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->sweeps_size(), 2);
  EXPECT_EQ(list->sweeps(0).sweep_id(), newer);  // newest first
  const v1::SweepSummary& s = list->sweeps(1);
  EXPECT_EQ(s.sweep_id(), older);
  EXPECT_EQ(s.jobs_total(), 4);
  EXPECT_EQ(s.jobs_done(), 1);
  EXPECT_EQ(s.jobs_running(), 1);
  EXPECT_EQ(s.jobs_queued(), 2);
  EXPECT_EQ(s.k(), 4);
  EXPECT_EQ(s.dataset_root(), "/data/toy");
  EXPECT_NEAR(s.eta_seconds(), 100.0 * 3 / 2, 1e-9);  // 3 jobs left, 2 alive workers
  EXPECT_EQ(list->sweeps(0).eta_seconds(), -1);       // nothing done yet
  EXPECT_EQ(list->sweeps(0).best_macro_f1(), -1);
  EXPECT_TRUE(list->next_page_token().empty());

  // A page at a time: the newest, then the older one, then nothing more.
  v1::ListSweepsRequest paged;
  paged.set_page_size(1);
  auto first = sweeps_.ListSweeps(paged);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->sweeps_size(), 1);
  EXPECT_EQ(first->sweeps(0).sweep_id(), newer);
  ASSERT_FALSE(first->next_page_token().empty());
  paged.set_page_token(first->next_page_token());
  auto second = sweeps_.ListSweeps(paged);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->sweeps_size(), 1);
  EXPECT_EQ(second->sweeps(0).sweep_id(), older);
  EXPECT_TRUE(second->next_page_token().empty());
  paged.set_page_token("bogus");
  EXPECT_EQ(sweeps_.ListSweeps(paged).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SweepManagerTest, ShowSweepListsJobs) {
  const int64_t sweep_id = Create(2, 2);
  v1::ShowSweepRequest request;
  request.set_sweep_id(sweep_id);
  auto shown = sweeps_.ShowSweep(request);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->yaml(), "name: toy\n");
  ASSERT_EQ(shown->jobs_size(), 4);
  EXPECT_EQ(shown->jobs(3).state(), v1::JOB_STATE_QUEUED);
  EXPECT_EQ(shown->jobs(3).fold(), 1);
  request.set_sweep_id(404);
  EXPECT_EQ(sweeps_.ShowSweep(request).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SweepManagerTest, ListWorkersMarksSilentWorkersLost) {
  Create(1, 2);
  v1::RegisterWorkerRequest request;
  request.set_hostname("gpu1");
  request.set_cpu_cores(16);
  v1::Device* device = request.add_devices();
  device->set_kind("cuda");
  device->set_name("H100");
  device->set_memory_bytes(80LL << 30);
  const std::string gpu = workers_.RegisterWorker(request)->worker_id();
  JobSpec job = Lease(gpu);
  clock_.AdvanceMs(kTtl + 1);
  const std::string fresh = Register("cpu1");
  auto list = workers_.ListWorkers({});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->workers_size(), 2);
  const v1::WorkerSummary& w = list->workers(0);
  EXPECT_EQ(w.worker_id(), gpu);
  EXPECT_EQ(w.state(), v1::WORKER_STATE_LOST);
  EXPECT_EQ(w.cpu_cores(), 16);
  ASSERT_EQ(w.devices_size(), 1);
  EXPECT_EQ(w.devices(0).name(), "H100");
  EXPECT_EQ(w.devices(0).memory_bytes(), 80LL << 30);
  ASSERT_EQ(w.running_job_ids_size(), 1);
  EXPECT_EQ(w.running_job_ids(0), job.job_id());
  EXPECT_EQ(list->workers(1).state(), v1::WORKER_STATE_ALIVE);
  v1::ListWorkersRequest paged;
  paged.set_page_size(1);
  auto first = workers_.ListWorkers(paged);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->workers_size(), 1);
  EXPECT_EQ(first->workers(0).worker_id(), gpu);
  paged.set_page_token(first->next_page_token());
  auto second = workers_.ListWorkers(paged);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->workers_size(), 1);
  EXPECT_EQ(second->workers(0).worker_id(), fresh);
  EXPECT_TRUE(second->next_page_token().empty());
}

TEST_F(SweepManagerTest, CurvesGiveEachJobsMetricPerEpochDownsampledAndMarkPrunedJobs) {
  const int64_t sweep_id = Create(1, 2);
  const std::string worker = Register("h1");
  const JobSpec first = Lease(worker);
  const JobSpec second = Lease(worker);
  v1::ReportMetricsRequest report;
  report.set_job_id(first.job_id());
  report.set_lease_id(first.lease_id());
  for (int epoch = 1; epoch <= 20; ++epoch) {
    v1::Metric* metric = report.add_metrics();
    metric->set_epoch(epoch);
    metric->set_name("val_macro_f1");
    metric->set_value(epoch * 0.01);
  }
  ASSERT_TRUE(jobs_.ReportMetrics(report).ok());
  report.set_job_id(second.job_id());
  report.set_lease_id(second.lease_id());
  report.mutable_metrics()->DeleteSubrange(3, 17);  // 3 epochs, then stopped by hand
  ASSERT_TRUE(jobs_.ReportMetrics(report).ok());
  v1::StopTrialRequest stop;
  stop.set_trial_id(second.trial_id());
  ASSERT_TRUE(sweeps_.StopTrial(stop).ok());

  auto page = sweeps_.Curves(sweep_id, 5, "", 10);
  ASSERT_TRUE(page.ok()) << page.status();
  const std::vector<JobCurve>& curves = page->curves;
  ASSERT_EQ(curves.size(), 2u);
  EXPECT_TRUE(page->next_cursor.empty());
  const JobCurve& long_one = curves[first.fold()];
  const JobCurve& pruned = curves[second.fold()];
  ASSERT_EQ(long_one.points.size(), 5u);
  EXPECT_EQ(long_one.points.back().epoch, 20);
  EXPECT_DOUBLE_EQ(long_one.points.back().value, 0.2);
  EXPECT_EQ(pruned.state, sweep::JobState::kPruned);
  ASSERT_EQ(pruned.points.size(), 3u);
  EXPECT_EQ(pruned.points.back().epoch, 3);
  EXPECT_EQ(sweeps_.Curves(sweep_id + 100, 5, "", 10).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SweepManagerTest, CurvesArePagedByTrial) {
  const int64_t sweep_id = Create(5, 2);
  std::vector<int32_t> indexes;
  std::string cursor;
  int pages = 0;
  do {
    auto page = sweeps_.Curves(sweep_id, 50, cursor, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->curves.size(), 4u);  // 2 trials x 2 folds
    for (const JobCurve& curve : page->curves) {
      if (curve.fold == 0) indexes.push_back(curve.trial_index);
      EXPECT_TRUE(curve.points.empty());  // nothing reported yet
    }
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(indexes, (std::vector<int32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(sweeps_.Curves(sweep_id, 50, "x", 2).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace foldstack::coordinator
