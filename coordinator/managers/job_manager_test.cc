#include "coordinator/managers/job_manager.h"

#include <chrono>
#include <cmath>
#include <iostream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

using testing::MakeToySweep;
using testing::OpenFreshDb;
using testing::QueryInt;
using v1::JobSpec;

constexpr int64_t kTtl = 30000;

class JobManagerTest : public ::testing::Test {
 protected:
  JobManagerTest()
      : db_(OpenFreshDb("jobs")), workers_(*db_, clock_, {kTtl, 5000}), jobs_(*db_, clock_, {kTtl, 5000}) {}

  std::string Register(const std::string& host, int slots = 8) {
    v1::RegisterWorkerRequest request;
    request.set_hostname(host);
    request.set_slots(slots);
    auto response = workers_.RegisterWorker(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->worker_id() : "";
  }

  // The next job for `worker`, or a spec with job_id 0 when none was leased.
  JobSpec Lease(const std::string& worker) {
    v1::LeaseJobRequest request;
    request.set_worker_id(worker);
    auto response = jobs_.LeaseJob(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() && response->leased() ? response->job() : JobSpec();
  }

  std::vector<int64_t> HeldOut(const JobSpec& job) {
    v1::GetSplitRequest request;
    request.set_split_id(job.split_id());
    auto split = jobs_.GetSplit(request);
    EXPECT_TRUE(split.ok()) << split.status();
    std::vector<int64_t> ids;
    for (const auto& s : split->samples()) {
      if (s.fold() == job.fold()) ids.push_back(s.sample_id());
    }
    return ids;
  }

  v1::PredictionBatch Batch(const JobSpec& job, const std::vector<int64_t>& sample_ids) {
    v1::PredictionBatch batch;
    batch.set_job_id(job.job_id());
    batch.set_lease_id(job.lease_id());
    batch.set_num_classes(job.num_classes());
    for (size_t i = 0; i < sample_ids.size(); ++i) {
      batch.add_sample_ids(sample_ids[i]);
      for (int c = 0; c < job.num_classes(); ++c) {
        const float rest = 0.5f / static_cast<float>(job.num_classes() - 1);
        batch.add_probs(c == static_cast<int>(i) % job.num_classes() ? 0.5f : rest);
      }
    }
    return batch;
  }

  absl::Status Metric(const JobSpec& job, int epoch, double value) {
    v1::ReportMetricsRequest request;
    request.set_job_id(job.job_id());
    request.set_lease_id(job.lease_id());
    v1::Metric* metric = request.add_metrics();
    metric->set_epoch(epoch);
    metric->set_name("val_loss");
    metric->set_value(value);
    return jobs_.ReportMetrics(request).status();
  }

  absl::Status Complete(const JobSpec& job, double f1) {
    v1::CompleteJobRequest request;
    request.set_job_id(job.job_id());
    request.set_lease_id(job.lease_id());
    request.set_macro_f1(f1);
    request.set_accuracy(f1);
    request.set_seconds(10);
    return jobs_.CompleteJob(request);
  }

  absl::Status Fail(const JobSpec& job, bool retryable) {
    v1::FailJobRequest request;
    request.set_job_id(job.job_id());
    request.set_lease_id(job.lease_id());
    request.set_reason("trainer crashed");
    request.set_log_tail("Segmentation fault");
    request.set_retryable(retryable);
    return jobs_.FailJob(request);
  }

  std::string JobText(int64_t job_id, const std::string& column) {
    auto txn = Transaction::Begin(*db_, Transaction::Mode::kDeferred);
    auto stmt = (*txn)->Prepare("SELECT " + column + " FROM jobs WHERE id = ?");
    EXPECT_TRUE(stmt.ok()) << stmt.status();
    stmt->Bind(1, job_id);
    return stmt->Step().value_or(false) ? stmt->Text(0) : "<none>";
  }

  ManualClock clock_;
  std::unique_ptr<SqliteDb> db_;
  WorkerManager workers_;
  JobManager jobs_;
};

TEST_F(JobManagerTest, RegisterGivesFreshIdsAndSettings) {
  v1::RegisterWorkerRequest request;
  request.set_hostname("gpu box/1");
  auto first = workers_.RegisterWorker(request);
  auto second = workers_.RegisterWorker(request);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->worker_id(), second->worker_id());
  EXPECT_EQ(first->worker_id().rfind("w-gpu-box-1-", 0), 0u) << first->worker_id();
  EXPECT_EQ(first->lease_ttl_ms(), kTtl);
  EXPECT_EQ(first->heartbeat_interval_ms(), 5000);
}

TEST_F(JobManagerTest, LeasesOldestSweepsJobsInOrder) {
  auto older = MakeToySweep(*db_, 1, 2);
  auto newer = MakeToySweep(*db_, 1, 2);
  const std::string worker = Register("a");
  std::vector<std::pair<int64_t, int32_t>> order;
  for (int i = 0; i < 4; ++i) {
    JobSpec job = Lease(worker);
    ASSERT_NE(job.job_id(), 0);
    EXPECT_EQ(job.attempt(), 1);
    EXPECT_EQ(job.num_classes(), 3);
    EXPECT_EQ(job.dataset_kind(), "mask");
    EXPECT_EQ(job.params_json(), "{\"lr\": 0.1}");
    order.push_back({job.sweep_id(), job.fold()});
  }
  const std::vector<std::pair<int64_t, int32_t>> expected = {
      {older.sweep_id, 0}, {older.sweep_id, 1}, {newer.sweep_id, 0}, {newer.sweep_id, 1}};
  EXPECT_EQ(order, expected);
  EXPECT_EQ(Lease(worker).job_id(), 0);  // nothing left
}

TEST_F(JobManagerTest, JobsGoOnlyToWorkersWithTheDevicesTheyAskFor) {
  auto sweep = MakeToySweep(*db_, 3, 1);  // one job per trial, in trial order
  {
    auto txn = Transaction::Begin(*db_);
    ASSERT_TRUE(txn.ok());
    auto ask = (*txn)->Prepare("UPDATE trials SET params_json = ? WHERE idx = ?");
    ASSERT_TRUE(ask.ok());
    ASSERT_TRUE(ask->Bind(1, "{\"ranks\": 2, \"device\": \"cuda\"}").Bind(2, int64_t{0}).Run().ok());
    ask->Reset();
    ASSERT_TRUE(ask->Bind(1, "{\"ranks\": 4, \"device\": \"cpu\"}").Bind(2, int64_t{1}).Run().ok());
    ASSERT_TRUE((*txn)->Commit().ok());
  }
  v1::RegisterWorkerRequest cpu_box;
  cpu_box.set_hostname("cpu-box");
  cpu_box.set_cpu_cores(2);
  cpu_box.set_slots(8);
  v1::RegisterWorkerRequest gpu_box = cpu_box;
  gpu_box.set_hostname("gpu-box");
  gpu_box.set_cpu_cores(16);
  for (int i = 0; i < 2; ++i) {
    v1::Device* gpu = gpu_box.add_devices();
    gpu->set_kind("cuda");
    gpu->set_index(i);
  }
  const std::string cpu_worker = workers_.RegisterWorker(cpu_box)->worker_id();
  const std::string gpu_worker = workers_.RegisterWorker(gpu_box)->worker_id();
  auto trial_of = [&](const JobSpec& job) {
    return QueryInt(*db_, absl::StrCat("SELECT t.idx FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE j.id = ",
                                       job.job_id()));
  };
  // The 2-core CPU worker can run neither 2 GPUs nor 4 processes: it skips to trial 2 (1 rank, auto).
  JobSpec on_cpu = Lease(cpu_worker);
  ASSERT_NE(on_cpu.job_id(), 0);
  EXPECT_EQ(trial_of(on_cpu), 2);
  EXPECT_EQ(Lease(cpu_worker).job_id(), 0);
  // The GPU worker has 2 GPUs and 16 cores: both remaining jobs fit, oldest first.
  EXPECT_EQ(trial_of(Lease(gpu_worker)), 0);
  EXPECT_EQ(trial_of(Lease(gpu_worker)), 1);
  EXPECT_EQ(sweep.sweep_id, on_cpu.sweep_id());
}

TEST_F(JobManagerTest, WorkerHoldsAtMostItsSlots) {
  MakeToySweep(*db_, 2, 2);
  const std::string worker = Register("a", /*slots=*/1);
  EXPECT_NE(Lease(worker).job_id(), 0);
  EXPECT_EQ(Lease(worker).job_id(), 0);
  EXPECT_NE(Lease(Register("b", 1)).job_id(), 0);
}

TEST_F(JobManagerTest, ADrainedWorkerFinishesItsJobButIsLeasedNothingAndToldToDrain) {
  MakeToySweep(*db_, 2, 2);
  const std::string worker = Register("a");
  const JobSpec job = Lease(worker);
  ASSERT_NE(job.job_id(), 0);
  v1::DrainWorkerRequest drain;
  drain.set_worker_id(worker);
  auto drained = workers_.DrainWorker(drain);
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(drained->running_jobs(), 1);
  EXPECT_EQ(Lease(worker).job_id(), 0);  // slots free, jobs queued: still nothing
  v1::HeartbeatRequest heartbeat;
  heartbeat.set_worker_id(worker);
  heartbeat.add_running_job_ids(job.job_id());
  auto beat = jobs_.Heartbeat(heartbeat);
  ASSERT_TRUE(beat.ok()) << beat.status();
  EXPECT_TRUE(beat->drain());
  EXPECT_TRUE(beat->revoked_job_ids().empty());  // its running job stays its own
  EXPECT_TRUE(Complete(job, 0.5).ok());
  auto listed = workers_.ListWorkers(v1::ListWorkersRequest());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->workers(0).state(), v1::WORKER_STATE_DRAINING);
  // Other workers are not drained; an unknown one is NOT_FOUND.
  const std::string other = Register("b");
  EXPECT_NE(Lease(other).job_id(), 0);
  heartbeat.set_worker_id(other);
  EXPECT_FALSE(jobs_.Heartbeat(heartbeat)->drain());
  drain.set_worker_id("w-nobody");
  EXPECT_EQ(workers_.DrainWorker(drain).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(JobManagerTest, UnknownWorkerIsNotFound) {
  v1::LeaseJobRequest request;
  request.set_worker_id("w-ghost-00000000");
  EXPECT_EQ(jobs_.LeaseJob(request).status().code(), absl::StatusCode::kNotFound);
  v1::HeartbeatRequest heartbeat;
  heartbeat.set_worker_id("w-ghost-00000000");
  EXPECT_EQ(jobs_.Heartbeat(heartbeat).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(JobManagerTest, ExpiredLeaseRequeuesAndReleaseClearsEarlierRows) {
  MakeToySweep(*db_, 1, 2);
  const std::string lost = Register("lost-host");
  JobSpec first = Lease(lost);
  ASSERT_TRUE(Metric(first, 1, 0.5).ok());
  ASSERT_EQ(*jobs_.ReportPredictions(Batch(first, HeldOut(first))), 6);

  clock_.AdvanceMs(kTtl + 1);
  EXPECT_EQ(*jobs_.ExpireLeases(), 1);
  EXPECT_EQ(JobText(first.job_id(), "state"), "queued");
  EXPECT_NE(JobText(first.job_id(), "error").find("lease expired: worker " + lost), std::string::npos);
  // Reports of the expired lease are refused.
  EXPECT_EQ(Metric(first, 2, 0.4).code(), absl::StatusCode::kFailedPrecondition);

  JobSpec second = Lease(Register("b"));
  EXPECT_EQ(second.job_id(), first.job_id());
  EXPECT_EQ(second.attempt(), 2);
  EXPECT_NE(second.lease_id(), first.lease_id());
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM metrics"), 0);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM predictions"), 0);
  // The old lease stays refused after the re-lease, and stores nothing.
  EXPECT_EQ(jobs_.ReportPredictions(Batch(first, HeldOut(first))).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Complete(first, 0.9).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM predictions"), 0);
  EXPECT_EQ(JobText(first.job_id(), "state"), "running");
}

TEST_F(JobManagerTest, RetryLimitFailsTheJobWithTheReason) {
  auto toy = MakeToySweep(*db_, 1, 2, 12, /*max_attempts=*/2);
  const std::string worker = Register("flaky");
  JobSpec job;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    job = Lease(worker);
    ASSERT_EQ(job.attempt(), attempt);
    clock_.AdvanceMs(kTtl + 1);
    ASSERT_EQ(*jobs_.ExpireLeases(), 1);
  }
  EXPECT_EQ(JobText(job.job_id(), "state"), "failed");
  EXPECT_EQ(JobText(job.job_id(), "error"),
            "lease expired: worker " + worker + " (flaky) stopped heartbeating; attempt 2 of 2");
  // The other fold is still queued, so the sweep still runs.
  EXPECT_EQ(QueryInt(*db_, "SELECT state = 'running' FROM sweeps WHERE id = " +
                               std::to_string(toy.sweep_id)), 1);
}

TEST_F(JobManagerTest, HeartbeatExtendsLeasesAndRevokesOthers) {
  MakeToySweep(*db_, 1, 2);
  const std::string worker = Register("a");
  JobSpec job = Lease(worker);
  v1::HeartbeatRequest heartbeat;
  heartbeat.set_worker_id(worker);
  heartbeat.add_running_job_ids(job.job_id());
  heartbeat.add_running_job_ids(999);
  for (int i = 0; i < 3; ++i) {
    clock_.AdvanceMs(kTtl - 1000);
    auto response = jobs_.Heartbeat(heartbeat);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->revoked_job_ids_size(), 1);
    EXPECT_EQ(response->revoked_job_ids(0), 999);
  }
  // 87 s after the lease, it still holds.
  EXPECT_EQ(*jobs_.ExpireLeases(), 0);
  EXPECT_TRUE(Metric(job, 1, 0.3).ok());
  // Silence past the TTL: the next heartbeat finds the lease gone.
  clock_.AdvanceMs(kTtl + 1);
  auto late = jobs_.Heartbeat(heartbeat);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->revoked_job_ids_size(), 2);
}

TEST_F(JobManagerTest, RepeatedReportsStoreOneRow) {
  MakeToySweep(*db_, 1, 2);
  JobSpec job = Lease(Register("a"));
  const v1::PredictionBatch batch = Batch(job, HeldOut(job));
  EXPECT_EQ(*jobs_.ReportPredictions(batch), 6);
  EXPECT_EQ(*jobs_.ReportPredictions(batch), 0);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM predictions"), 6);
  ASSERT_TRUE(Metric(job, 1, 0.5).ok());
  ASSERT_TRUE(Metric(job, 1, 0.25).ok());
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM metrics"), 1);
  EXPECT_EQ(QueryInt(*db_, "SELECT value * 100 FROM metrics"), 25);
}

TEST_F(JobManagerTest, InvalidBatchesStoreNothing) {
  MakeToySweep(*db_, 1, 2);
  JobSpec job = Lease(Register("a"));
  std::vector<int64_t> ids = HeldOut(job);

  v1::PredictionBatch wrong_classes = Batch(job, ids);
  wrong_classes.set_num_classes(4);
  EXPECT_EQ(jobs_.ReportPredictions(wrong_classes).status().code(),
            absl::StatusCode::kInvalidArgument);

  v1::PredictionBatch short_probs = Batch(job, ids);
  short_probs.mutable_probs()->RemoveLast();
  EXPECT_EQ(jobs_.ReportPredictions(short_probs).status().code(),
            absl::StatusCode::kInvalidArgument);

  // Valid rows first, then a sample of the training folds: the whole batch is refused.
  std::vector<int64_t> with_train_sample = ids;
  with_train_sample.push_back(ids[0] + 1);  // round-robin folds: the next sample is in fold 1
  auto wrong_fold = jobs_.ReportPredictions(Batch(job, with_train_sample));
  EXPECT_EQ(wrong_fold.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_fold.status().message().find("not in held-out fold 0"), std::string::npos)
      << wrong_fold.status();

  v1::PredictionBatch nan = Batch(job, ids);
  nan.set_probs(7, std::nanf(""));
  EXPECT_EQ(jobs_.ReportPredictions(nan).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM predictions"), 0);
}

TEST_F(JobManagerTest, CompletingTheLastJobFinishesTheSweep) {
  auto toy = MakeToySweep(*db_, 1, 2);
  const std::string worker = Register("a");
  JobSpec a = Lease(worker);
  JobSpec b = Lease(worker);
  ASSERT_TRUE(Complete(a, 0.8).ok());
  EXPECT_EQ(QueryInt(*db_, "SELECT state = 'running' FROM sweeps"), 1);
  ASSERT_TRUE(Complete(b, 0.7).ok());
  EXPECT_EQ(QueryInt(*db_, "SELECT state = 'done' FROM sweeps WHERE id = " +
                               std::to_string(toy.sweep_id)), 1);
  EXPECT_TRUE(Complete(b, 0.7).ok());  // idempotent for the same lease
  EXPECT_EQ(Fail(b, false).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs WHERE state = 'done'"), 2);
}

TEST_F(JobManagerTest, RetryableFailureRequeuesThenFailsTheSweep) {
  MakeToySweep(*db_, 1, 1, 12, /*max_attempts=*/2);
  const std::string worker = Register("a");
  JobSpec first = Lease(worker);
  ASSERT_TRUE(Fail(first, true).ok());
  EXPECT_EQ(JobText(first.job_id(), "state"), "queued");
  JobSpec second = Lease(worker);
  EXPECT_EQ(second.attempt(), 2);
  ASSERT_TRUE(Fail(second, true).ok());  // no attempts left
  EXPECT_EQ(JobText(second.job_id(), "state"), "failed");
  EXPECT_EQ(JobText(second.job_id(), "error"), "trainer crashed; attempt 2 of 2");
  EXPECT_EQ(JobText(second.job_id(), "log_tail"), "Segmentation fault");
  EXPECT_TRUE(Fail(second, true).ok());  // a repeated report is a no-op
  EXPECT_EQ(QueryInt(*db_, "SELECT state = 'failed' FROM sweeps"), 1);
}

TEST_F(JobManagerTest, ConcurrentLeasingNeverHandsOutAJobTwice) {
  MakeToySweep(*db_, 10, 5);  // 50 jobs
  constexpr int kThreads = 4;
  std::vector<std::vector<int64_t>> leased(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    const std::string worker = Register("host" + std::to_string(t), 100);
    threads.emplace_back([this, worker, &leased, t] {
      while (true) {
        JobSpec job = Lease(worker);
        if (job.job_id() == 0) break;
        leased[t].push_back(job.job_id());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int64_t> unique;
  size_t total = 0;
  for (const auto& ids : leased) {
    total += ids.size();
    unique.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, 50u);
  EXPECT_EQ(unique.size(), 50u);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs WHERE state = 'running' AND attempt = 1"), 50);
}

// Not an asserted timing: logs the prediction store rate (target >= 1e6 probabilities/s).
TEST_F(JobManagerTest, PredictionThroughputLog) {
  constexpr int kSamples = 1000, kClasses = 18, kTrials = 10;
  auto dataset_id = EnsureDataset(*db_, testing::MakeDataset(kSamples, kClasses), 1);
  ASSERT_TRUE(dataset_id.ok());
  auto split_id = InsertSplit(*db_, *dataset_id, SplitParams{2, 1, "", false},
                              testing::RoundRobinFolds(kSamples, 2), 1);
  ASSERT_TRUE(split_id.ok());
  SweepRecord sweep;
  sweep.name = "bench";
  sweep.dataset_id = *dataset_id;
  sweep.split_id = *split_id;
  sweep.spec_json = "{}";  // LoadLaunch reads program/command/resume from it (json_extract)
  sweep.trial_params_json.assign(kTrials, "{}");
  ASSERT_TRUE(InsertSweep(*db_, sweep, 1).ok());
  const std::string worker = Register("bench", 100);
  std::vector<v1::PredictionBatch> batches;
  for (int i = 0; i < 2 * kTrials; ++i) {
    JobSpec job = Lease(worker);
    batches.push_back(Batch(job, HeldOut(job)));
  }
  const auto start = std::chrono::steady_clock::now();
  int64_t rows = 0;
  for (const auto& batch : batches) rows += *jobs_.ReportPredictions(batch);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(rows, 2 * kTrials * kSamples / 2);
  std::cout << "ReportPredictions: " << rows << " rows x " << kClasses << " probs in " << seconds
            << " s = " << rows * kClasses / seconds << " probabilities/s\n";
}

}  // namespace
}  // namespace foldstack::coordinator
