// seed_dashboard --db PATH --data DIR [--trials N] [--folds K] [--epochs E]
// Writes a results database holding one finished sweep for the dashboard's browser test, in
// seconds and without training: a small generated dataset, the sweep submitted as `foldstack
// submit` does (SweepSubmitter), and a simulated worker that leases every job through the
// JobManager, reports a learning curve per epoch and its held-out fold's probabilities, and
// completes it; one trial is stopped by hand
// after 3 epochs, so the curves show a pruned job. The weaker trials' mistakes then make relabel
// candidates (FindRelabelCandidates, as `foldstack relabel find`) for the review page. Prints
// "seeded sweep ID: N trials".
#include <algorithm>
#include <optional>
#include <cmath>
#include <vector>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "coordinator/managers/analysis_manager.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/label_review_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "coordinator/managers/worker_manager.h"
#include "coordinator/store/migrations.h"
#include "coordinator/submission/sweep_submitter.h"
#include "data/synth.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, db, "", "results database to create");
ABSL_FLAG(std::string, data, "", "folder to write the generated dataset into");
ABSL_FLAG(int, trials, 12, "trials in the sweep");
ABSL_FLAG(int, folds, 3, "folds (jobs per trial)");
ABSL_FLAG(int, epochs, 10, "epochs each job reports");

namespace foldstack::coordinator {
namespace {

constexpr int kStoppedTrial = 3;  // stopped by hand after 3 epochs
constexpr int64_t kJobMs = 47'000;

// A plausible learning curve: better near lr = 3e-3, adam a little ahead, each fold a little apart.
double CurveValue(const nlohmann::json& params, int fold, int epoch) {
  const double lr = params.value("lr", 1e-3);
  const double top = 0.82 - 0.09 * std::pow(std::log10(lr) + 2.5, 2) +
                     (params.value("optimizer", "") == "adam" ? 0.03 : 0.0) + 0.01 * (fold - 1);
  return top * (1 - std::exp(-epoch / 2.5));
}

// The held-out fold's probabilities: most on the label, more so for a better trial, the rest
// spread over the classes; every 5th sample of a weaker trial is called the next class instead.
v1::PredictionBatch Predictions(const v1::JobSpec& job, const v1::GetSplitResponse& split, double quality) {
  v1::PredictionBatch batch;
  batch.set_job_id(job.job_id());
  batch.set_lease_id(job.lease_id());
  batch.set_num_classes(job.num_classes());
  const int n = job.num_classes();
  for (const v1::SplitSample& sample : split.samples()) {
    if (sample.fold() != job.fold()) continue;
    batch.add_sample_ids(sample.sample_id());
    const bool wrong = quality < 0.8 && sample.sample_id() % 5 == 0;
    const int called = wrong ? (sample.label() + 1) % n : sample.label();
    const float top = 0.5f + 0.4f * static_cast<float>(quality);
    for (int c = 0; c < n; ++c) batch.add_probs(c == called ? top : (1.0f - top) / static_cast<float>(n - 1));
  }
  return batch;
}

absl::Status Fail(const absl::Status& status, const std::string& what) {
  return absl::Status(status.code(), absl::StrCat(what, ": ", status.message()));
}

absl::StatusOr<int64_t> Seed() {
  data::SynthOptions synth;
  synth.out_dir = absl::GetFlag(FLAGS_data);
  synth.people = 9;
  synth.width = synth.height = 16;
  synth.eval_people = 0;
  if (auto written = data::WriteSynthDataset(synth); !written.ok()) return Fail(written.status(), "dataset");
  auto db = OpenFoldstackDb(absl::GetFlag(FLAGS_db));
  if (!db.ok()) return db.status();
  ManualClock clock(absl::ToUnixMillis(absl::Now()) - kJobMs * absl::GetFlag(FLAGS_trials) * 3);
  JobManagerOptions options;
  options.lease_ttl_ms = 24LL * 3600 * 1000;  // the simulated clock runs ahead of heartbeats
  WorkerManager workers(**db, clock, options);
  JobManager jobs(**db, clock, options);
  SweepManager sweeps(**db, clock, options);

  v1::SubmitSweepRequest submit;
  submit.set_file_name("dashboard.yaml");
  submit.set_base_dir(synth.out_dir);
  submit.set_yaml(absl::StrCat(
      "name: dashboard-demo\nmethod: random\nseed: 3\ncount: ", absl::GetFlag(FLAGS_trials),
      "\nmetric: {name: val_macro_f1, goal: maximize}\ndataset: {kind: mask, root: .}\nfolds: {k: ",
      absl::GetFlag(FLAGS_folds), ", seed: 0}\n"
      "parameters:\n  lr: {distribution: log_uniform_values, min: 1e-4, max: 1e-1}\n"
      "  optimizer: {values: [adam, sgd]}\n  batch_size: {values: [16, 32, 64]}\n  epochs: {value: ",
      absl::GetFlag(FLAGS_epochs), "}\n"));
  auto submitted = SweepSubmitter(&sweeps).Submit(submit, "seed");
  if (!submitted.ok()) return Fail(submitted.status(), "submit");

  v1::RegisterWorkerRequest worker;
  worker.set_hostname("seed-worker");
  worker.set_slots(1);
  auto registered = workers.RegisterWorker(worker);
  if (!registered.ok()) return registered.status();
  v1::LeaseJobRequest lease;
  lease.set_worker_id(registered->worker_id());
  std::vector<int64_t> trial_order;
  std::optional<v1::GetSplitResponse> split;
  for (;;) {
    auto leased = jobs.LeaseJob(lease);
    if (!leased.ok()) return Fail(leased.status(), "lease");
    if (!leased->leased()) break;
    const v1::JobSpec& job = leased->job();
    const nlohmann::json params = nlohmann::json::parse(job.params_json());
    // The trials in the order their first job was leased.
    if (std::find(trial_order.begin(), trial_order.end(), job.trial_id()) == trial_order.end()) {
      trial_order.push_back(job.trial_id());
    }
    const int index = static_cast<int>(std::find(trial_order.begin(), trial_order.end(), job.trial_id()) -
                                       trial_order.begin());
    const int epochs = index == kStoppedTrial ? 3 : absl::GetFlag(FLAGS_epochs);
    v1::ReportMetricsRequest report;
    report.set_job_id(job.job_id());
    report.set_lease_id(job.lease_id());
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      v1::Metric* metric = report.add_metrics();
      metric->set_epoch(epoch);
      metric->set_name("val_macro_f1");
      metric->set_value(CurveValue(params, job.fold(), epoch));
    }
    if (auto reported = jobs.ReportMetrics(report); !reported.ok()) return Fail(reported.status(), "metrics");
    clock.AdvanceMs(kJobMs);
    if (index == kStoppedTrial) {
      v1::StopTrialRequest stop;
      stop.set_trial_id(job.trial_id());
      if (auto stopped = sweeps.StopTrial(stop); !stopped.ok()) return Fail(stopped.status(), "stop");
      continue;
    }
    if (!split.has_value()) {
      v1::GetSplitRequest get;
      get.set_split_id(job.split_id());
      auto got = jobs.GetSplit(get);
      if (!got.ok()) return Fail(got.status(), "split");
      split = *got;
    }
    const double quality = CurveValue(params, job.fold(), epochs);
    if (auto stored = jobs.ReportPredictions(Predictions(job, *split, quality)); !stored.ok()) {
      return Fail(stored.status(), "predictions");
    }
    v1::CompleteJobRequest complete;
    complete.set_job_id(job.job_id());
    complete.set_lease_id(job.lease_id());
    complete.set_best_epoch(epochs);
    complete.set_macro_f1(CurveValue(params, job.fold(), epochs));
    complete.set_accuracy(CurveValue(params, job.fold(), epochs) + 0.05);
    complete.set_seconds(kJobMs / 1000.0);
    if (absl::Status completed = jobs.CompleteJob(complete); !completed.ok()) return Fail(completed, "complete");
  }
  LabelReviewManager review(**db, clock);
  v1::FindRelabelCandidatesRequest find;
  find.set_sweep_id(submitted->sweep_id());
  auto found = AnalysisManager(**db, clock, review).FindRelabelCandidates(find);
  if (!found.ok()) return Fail(found.status(), "relabel candidates");
  return submitted->sweep_id();
}

}  // namespace
}  // namespace foldstack::coordinator

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_db).empty() || absl::GetFlag(FLAGS_data).empty()) {
    std::cerr << "seed_dashboard: --db PATH and --data DIR are required" << std::endl;
    return 1;
  }
  absl::StatusOr<int64_t> sweep = foldstack::coordinator::Seed();
  if (!sweep.ok()) {
    std::cerr << "seed_dashboard: " << sweep.status().message() << std::endl;
    return 1;
  }
  std::cout << "seeded sweep " << *sweep << ": " << absl::GetFlag(FLAGS_trials) << " trials" << std::endl;
  return 0;
}
