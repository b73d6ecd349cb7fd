// The sweep engine the way a team lead uses it, minus the network: sweep files submitted to a
// real SQLite database, the test playing the workers (lease, report epochs, complete) with
// learning curves that follow each trial's learning rate.
#include <cmath>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/store/study_store.h"
#include "coordinator/store/test_util.h"
#include "coordinator/submission/sweep_submitter.h"
#include "coordinator/sweep/registry.h"
#include "coordinator/sweep/sweep_spec.h"
#include "data/synth.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using testing::QueryInt;

// A curve: the objective after `epoch` for a trial's params on `fold`.
using Curve = std::function<double(const nlohmann::json& params, int fold, int epoch)>;

// lr >= 1e-4 learns: 0.3, 0.4, ... (fold 1 a little lower for everyone), alike until epoch 4,
// where lr 1e-3 pulls ahead; lr 1e-7 stays at 0.05. (Hyperband keeps only the top 1/eta at each
// band, so learners that differ early would prune each other in a sweep this small.)
double Learns(const nlohmann::json& params, int fold, int epoch) {
  const double lr = params["lr"].get<double>();
  if (lr < 1e-5) return 0.05;
  const double late = epoch >= 4 ? 0.05 * std::fabs(std::log10(lr) + 3) : 0;
  return 0.2 + 0.1 * epoch - 0.01 * fold - late;
}

const std::string& DataRoot() {
  static const std::string* root = [] {
    data::SynthOptions options;
    options.out_dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/faces");
    options.people = 12;
    options.width = 32;
    options.height = 32;
    options.eval_people = 0;
    EXPECT_TRUE(data::WriteSynthDataset(options).ok());
    return new std::string(options.out_dir);
  }();
  return *root;
}

class AdaptiveSweepTest : public ::testing::Test {
 protected:
  AdaptiveSweepTest() : db_(testing::OpenFreshDb("adaptive")) { Restart(); }

  // New managers on the same database: what a restarted coordinator has.
  void Restart() {
    workers_ = std::make_unique<WorkerManager>(*db_, clock_);
    jobs_ = std::make_unique<JobManager>(*db_, clock_);
    sweeps_ = std::make_unique<SweepManager>(*db_, clock_);
    v1::RegisterWorkerRequest request;
    request.set_hostname("test");
    request.set_slots(64);
    request.set_cpu_cores(64);
    worker_ = workers_->RegisterWorker(request)->worker_id();
  }

  int64_t Submit(const std::string& yaml) {
    v1::SubmitSweepRequest request;
    request.set_file_name("sweep.yaml");
    request.set_yaml(absl::StrCat("dataset: {kind: mask, root: ", DataRoot(), "}\n", yaml));
    auto response = SweepSubmitter(sweeps_.get()).Submit(request, "test");
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? response->sweep_id() : 0;
  }

  v1::JobSpec Lease() {
    v1::LeaseJobRequest request;
    request.set_worker_id(worker_);
    auto response = jobs_->LeaseJob(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() && response->leased() ? response->job() : v1::JobSpec();
  }

  // Trains `job` for its epochs along `curve`: true when it completed, false when pruned.
  bool Run(const v1::JobSpec& job, const Curve& curve) {
    const nlohmann::json params = nlohmann::json::parse(job.params_json());
    const int epochs = params["epochs"].get<int>();
    double best = -1;
    int best_epoch = 0;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      const double value = curve(params, job.fold(), epoch);
      v1::ReportMetricsRequest request;
      request.set_job_id(job.job_id());
      request.set_lease_id(job.lease_id());
      auto* metric = request.add_metrics();
      metric->set_epoch(epoch);
      metric->set_name("val_macro_f1");
      metric->set_value(value);
      auto response = jobs_->ReportMetrics(request);
      EXPECT_TRUE(response.ok()) << response.status();
      if (value > best) best = value, best_epoch = epoch;
      if (response->directive() == v1::JOB_DIRECTIVE_STOP) {
        stop_reasons_.push_back(response->reason());
        return false;
      }
    }
    v1::CompleteJobRequest request;
    request.set_job_id(job.job_id());
    request.set_lease_id(job.lease_id());
    request.set_best_epoch(best_epoch);
    request.set_macro_f1(best);
    EXPECT_TRUE(jobs_->CompleteJob(request).ok());
    return true;
  }

  // One worker, one job at a time, until nothing is leased. Returns the (trial, fold) leased.
  std::vector<std::pair<int64_t, int>> RunAll(const Curve& curve) {
    std::vector<std::pair<int64_t, int>> order;
    for (v1::JobSpec job = Lease(); job.job_id() != 0; job = Lease()) {
      order.emplace_back(job.trial_id(), job.fold());
      Run(job, curve);
    }
    return order;
  }

  v1::SweepState SweepState(int64_t sweep) { return sweeps_->Summary(sweep)->state(); }

  ManualClock clock_;
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<WorkerManager> workers_;
  std::unique_ptr<JobManager> jobs_;
  std::unique_ptr<SweepManager> sweeps_;
  std::string worker_;
  std::vector<std::string> stop_reasons_;
};

constexpr char kTpe[] = R"(method: tpe
count: 6
seed: 3
max_concurrent_trials: 2
sampler: {n_startup_trials: 2}
folds: {k: 2}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  epochs: {value: 2}
)";

TEST_F(AdaptiveSweepTest, TpeMakesTrialsOnDemandAndARestartContinuesTheSequence) {
  const int64_t sweep = Submit(kTpe);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM trials"), 2);  // max_concurrent_trials
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs"), 4);
  std::vector<v1::JobSpec> leased;
  for (int i = 0; i < 4; ++i) leased.push_back(Lease());
  EXPECT_EQ(Lease().job_id(), 0);  // both trials in flight: nothing more to lease
  Run(leased[0], Learns);
  Run(leased[1], Learns);  // trial 0 done: a third trial is asked for
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM trials"), 3);

  // A restart between asks: the next trial is what the sampler asks from the stored history.
  Restart();
  auto spec = sweep::ParseSweepYaml("s", absl::StrCat("dataset: {kind: mask, root: d}\n", kTpe));
  ASSERT_TRUE(spec.ok());
  auto sampler = sweep::MakeSampler("tpe", spec->parameters, spec->sampler_options);
  ASSERT_TRUE(sampler.ok());
  Run(leased[2], Learns);
  Run(leased[3], Learns);  // trial 1 done: trial 3 is asked for
  auto txn = Transaction::Begin(*db_, Transaction::Mode::kDeferred);
  ASSERT_TRUE(txn.ok());
  auto control = LoadSweepControl(**txn, sweep);
  ASSERT_TRUE(control.ok());
  auto study = LoadStudyView(**txn, *control);
  ASSERT_TRUE(study.ok());
  txn->reset();
  ASSERT_EQ(study->trials.size(), 4u);
  const nlohmann::json asked = study->trials[3].params["lr"];
  study->trials.pop_back();  // the history the scheduler asked from
  auto expected = (*sampler)->Ask(*study, 3, 1);
  ASSERT_TRUE(expected.ok() && expected->size() == 1u);
  EXPECT_EQ(asked, (*expected)[0]["lr"]);
  EXPECT_NE(asked, study->trials[2].params["lr"]);

  RunAll(Learns);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM trials WHERE state = 'done'"), 6);
  EXPECT_EQ(SweepState(sweep), v1::SWEEP_STATE_DONE);
}

TEST_F(AdaptiveSweepTest, HyperbandPrunesTrialsThatCannotLearnAtTheFirstBand) {
  const int64_t sweep = Submit(R"(method: grid
early_terminate: {type: hyperband, min_iter: 1, eta: 3}
folds: {k: 2}
parameters:
  lr: {values: [0.001, 0.01, 1.0e-7, 0.003, 1.0e-7]}
  epochs: {value: 4}
)");
  RunAll(Learns);
  EXPECT_EQ(SweepState(sweep), v1::SWEEP_STATE_DONE);
  // Both 1e-7 trials stopped after epoch 1 (the first band), on their first fold; their other
  // fold was cancelled, never run. No learning trial was stopped there.
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM trials WHERE state = 'pruned' AND "
                           "json_extract(params_json, '$.lr') < 1e-6"), 2);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE "
                           "j.state = 'pruned' AND j.stopped_epoch = 1 AND j.fold = 0 AND "
                           "json_extract(t.params_json, '$.lr') < 1e-6"), 2);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE "
                           "j.stopped_epoch = 1 AND json_extract(t.params_json, '$.lr') > 1e-6"), 0);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs j JOIN trials t ON t.id = j.trial_id WHERE "
                           "j.state = 'cancelled' AND json_extract(t.params_json, '$.lr') < 1e-6"), 2);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM metrics m JOIN jobs j ON j.id = m.job_id JOIN "
                           "trials t ON t.id = j.trial_id WHERE json_extract(t.params_json, '$.lr') < 1e-6"),
            2);  // their epochs are kept, one each
  ASSERT_FALSE(stop_reasons_.empty());
  EXPECT_EQ(stop_reasons_[0].rfind("hyperband", 0), 0u) << stop_reasons_[0];
  // The best trial ran to its last epoch on every fold and leads the leaderboard.
  v1::LeaderboardRequest request;
  request.set_sweep_id(sweep);
  auto board = sweeps_->Leaderboard(request);
  ASSERT_TRUE(board.ok());
  ASSERT_GE(board->rows_size(), 1);
  EXPECT_EQ(nlohmann::json::parse(board->rows(0).params_json())["lr"], 0.001);
  EXPECT_EQ(board->rows(0).folds_done(), 2);
  EXPECT_EQ(board->rows(0).trial_state(), v1::TRIAL_STATE_DONE);
  // Epochs trained against the 5 x 2 x 4 of a sweep without early termination.
  EXPECT_LT(QueryInt(*db_, "SELECT COUNT(*) FROM metrics"), 40);
}

TEST_F(AdaptiveSweepTest, FoldPruningRunsFirstFoldsFirstAndPrunedTrialsNeverRunTheRest) {
  const int64_t sweep = Submit(R"(method: grid
fold_pruning: {rule: median, min_trials: 2}
folds: {k: 3}
parameters:
  lr: {values: [0.001, 0.003, 1.0e-7, 0.01, 1.0e-7]}
  epochs: {value: 2}
)");
  const std::vector<std::pair<int64_t, int>> order = RunAll(Learns);
  // Every trial's fold 0 before any fold 1 or 2.
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(order[i].second, 0) << i;
  // The two 1e-7 trials fell below the median of the others on fold 0: pruned there, with folds 1
  // and 2 cancelled; the learning trials ran all three folds.
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM trials WHERE state = 'pruned'"), 2);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM jobs j JOIN trials t ON t.id = j.trial_id "
                           "WHERE t.state = 'pruned' AND j.fold > 0 AND j.attempt > 0"), 0);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM trials WHERE state = 'done'"), 3);
  EXPECT_EQ(order.size(), 5u + 3u * 2u);
  EXPECT_EQ(SweepState(sweep), v1::SWEEP_STATE_DONE);
}

TEST_F(AdaptiveSweepTest, PauseResumeExtendSetAndStopATrialByHand) {
  const int64_t sweep = Submit(R"(method: random
count: 2
folds: {k: 2}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-1}
  epochs: {value: 1}
)");
  v1::UpdateSweepRequest pause;
  pause.set_sweep_id(sweep);
  pause.set_paused(true);
  auto paused = sweeps_->UpdateSweep(pause);
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_TRUE(paused->summary().paused());
  EXPECT_EQ(Lease().job_id(), 0);  // nothing leased while paused
  pause.set_paused(false);
  ASSERT_TRUE(sweeps_->UpdateSweep(pause).ok());
  const v1::JobSpec first = Lease();
  ASSERT_NE(first.job_id(), 0);

  // Stop the first trial by hand: its running job pruned, its queued fold cancelled.
  v1::StopTrialRequest stop;
  stop.set_trial_id(first.trial_id());
  auto stopped = sweeps_->StopTrial(stop);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(stopped->jobs_ended(), 2);
  v1::ReportMetricsRequest late;  // its worker's next report is refused: the job has ended
  late.set_job_id(first.job_id());
  late.set_lease_id(first.lease_id());
  auto* metric = late.add_metrics();
  metric->set_epoch(1), metric->set_name("val_macro_f1"), metric->set_value(0.5);
  EXPECT_EQ(jobs_->ReportMetrics(late).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(QueryInt(*db_, absl::StrCat("SELECT state = 'pruned' FROM trials WHERE id = ", first.trial_id())), 1);
  EXPECT_EQ(sweeps_->StopTrial(stop).status().code(), absl::StatusCode::kFailedPrecondition);

  v1::UpdateSweepRequest extend;
  extend.set_sweep_id(sweep);
  extend.set_extend_by(3);
  extend.set_max_concurrent_trials(1);
  auto extended = sweeps_->UpdateSweep(extend);
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ(extended->summary().trial_budget(), 5);
  RunAll(Learns);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM trials"), 5);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM trials WHERE state = 'done'"), 4);
  EXPECT_EQ(SweepState(sweep), v1::SWEEP_STATE_DONE);
  EXPECT_EQ(sweeps_->UpdateSweep(extend).status().code(), absl::StatusCode::kFailedPrecondition);

  v1::ListTrialsRequest list;
  list.set_sweep_id(sweep);
  list.set_page_size(2);
  auto page = sweeps_->ListTrials(list);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->trials_size(), 2);
  EXPECT_EQ(page->trials(0).state(), v1::TRIAL_STATE_PRUNED);
  EXPECT_EQ(page->trials(0).stop_reason(), "stopped by hand");
  list.set_page_token(page->next_page_token());
  auto rest = sweeps_->ListTrials(list);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->trials(0).index(), 2);
}

}  // namespace
}  // namespace foldstack::coordinator
