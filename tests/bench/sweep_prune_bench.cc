// Epochs saved by Foldstack's pruners, replaying recorded per-epoch curves (CSV trial,fold,epoch,
// value; a metric to maximise; default tests/bench/testdata/sweep_curves.csv, written by
// tests/bench/sweep_prune_peer.py --write-curves). Asynchronous arrival is simulated: trials start
// in index order with `concurrency` trials in flight; each round, every running job of every
// trial in flight (index, then fold order) trains one epoch and reports it; OnEpoch sees a
// StudyView of everything reported so far. A job's last epoch makes it done (value = its best
// epoch), then OnFoldDone. With GateFolds() = g, a trial's folds g.. start once its folds 0..g-1
// are done. A stop ends the trial: its running jobs pruned, its queued jobs never trained.
// Prints one JSON line per pruner; tests/bench/run_sweep_prune_bench.sh makes the table.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "coordinator/sweep/pruner.h"
#include "coordinator/sweep/pruners/pruners.h"
#include "nlohmann/json.hpp"
#include "tests/bench/bench_output.h"

ABSL_FLAG(std::string, curves, "tests/bench/testdata/sweep_curves.csv", "CSV trial,fold,epoch,value");
ABSL_FLAG(int, concurrency, 4, "trials in flight");
ABSL_FLAG(bool, verbose, false, "print every stop and its reason to stderr");
ABSL_FLAG(bool, reverse, false, "trials arrive in reverse index order (the last curve first)");

namespace foldstack::sweep {
namespace {

using json = nlohmann::json;

struct Curves {
  int trials = 0, folds = 0, epochs = 0;
  std::vector<std::vector<std::vector<double>>> v;  // v[trial][fold][epoch - 1]
};

absl::StatusOr<Curves> ReadCurves(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::vector<std::pair<std::vector<int>, double>> rows;
  Curves c;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, ',');
    std::vector<int> key(3);
    double value;
    if (f.size() != 4 || !absl::SimpleAtoi(f[0], &key[0]) || !absl::SimpleAtoi(f[1], &key[1]) ||
        !absl::SimpleAtoi(f[2], &key[2]) || !absl::SimpleAtod(f[3], &value) || key[2] < 1) {
      return absl::InvalidArgumentError(path + ": bad line: " + line);
    }
    c.trials = std::max(c.trials, key[0] + 1);
    c.folds = std::max(c.folds, key[1] + 1);
    c.epochs = std::max(c.epochs, key[2]);
    rows.emplace_back(key, value);
  }
  c.v.assign(c.trials, std::vector<std::vector<double>>(c.folds, std::vector<double>(c.epochs)));
  for (const auto& [key, value] : rows) c.v[key[0]][key[1]][key[2] - 1] = value;
  return c;
}

// The job's best epoch value; nullopt before its first epoch.
std::optional<double> BestOf(const JobView& job) {
  std::optional<double> best;
  for (const auto& v : job.curve) best = std::max(best.value_or(*v), *v);
  return best;
}

// One replay of the curves through one pruner.
class Replay {
 public:
  // The study's trial p replays curve trial order[p].
  Replay(const Curves& curves, const Pruner& pruner, int concurrency, std::vector<int> order)
      : c_(curves), pruner_(pruner), concurrency_(concurrency), order_(std::move(order)) {
    study_.k = c_.folds;
  }

  void Run() {
    size_t next = 0;
    std::vector<int> in_flight;
    while (next < static_cast<size_t>(c_.trials) || !in_flight.empty()) {
      while (next < static_cast<size_t>(c_.trials) && in_flight.size() < static_cast<size_t>(concurrency_)) {
        in_flight.push_back(Start());
        ++next;
      }
      for (int t : in_flight) {
        for (int f = 0; f < c_.folds; ++f) {
          if (study_.trials[t].jobs[f].state == JobState::kRunning) Step(t, f);
        }
      }
      in_flight.erase(std::remove_if(in_flight.begin(), in_flight.end(),
                                     [&](int t) { return study_.trials[t].state != TrialState::kRunning; }),
                      in_flight.end());
    }
  }

  int epochs_trained() const { return epochs_trained_; }
  const StudyView& study() const { return study_; }

 private:
  int Start() {
    TrialView trial;
    trial.id = trial.index = static_cast<int>(study_.trials.size());
    for (int f = 0; f < c_.folds; ++f) {
      JobView job;
      job.fold = f;
      const int gate = pruner_.GateFolds();
      job.state = gate == 0 || f < gate ? JobState::kRunning : JobState::kQueued;
      trial.jobs.push_back(job);
    }
    study_.trials.push_back(std::move(trial));
    return static_cast<int>(study_.trials.size()) - 1;
  }

  void Step(int t, int f) {
    TrialView& trial = study_.trials[t];
    JobView& job = trial.jobs[f];
    const int epoch = job.LastEpoch() + 1;
    job.curve.push_back(c_.v[order_[t]][f][epoch - 1]);
    ++epochs_trained_;
    PruneDecision decision = pruner_.OnEpoch(study_, trial, f, epoch);
    if (!decision.stops() && epoch == c_.epochs) {
      job.state = JobState::kDone;
      job.value = BestOf(job);
      UpdateTrial(trial);
      decision = pruner_.OnFoldDone(study_, trial, f);
      if (!decision.stops()) return OpenGate(trial);
    }
    if (!decision.stops()) return;
    if (absl::GetFlag(FLAGS_verbose)) {
      std::cerr << "curve trial " << order_[t] << " fold " << f << " epoch " << epoch << ": "
                << decision.reason << "\n";
    }
    Stop(trial, f, decision.action);
  }

  void OpenGate(TrialView& trial) {
    if (trial.FoldsDone() >= pruner_.GateFolds()) {
      for (JobView& job : trial.jobs) {
        if (job.state == JobState::kQueued) job.state = JobState::kRunning;
      }
    }
    if (trial.FoldsDone() == c_.folds) trial.state = TrialState::kDone;
  }

  void Stop(TrialView& trial, int f, PruneAction action) {
    for (JobView& job : trial.jobs) {
      if (action == PruneAction::kStopJob && job.fold != f) continue;
      if (job.state == JobState::kRunning) job.state = JobState::kPruned;
      if (job.state == JobState::kPruned) job.value = BestOf(job);
      if (job.state == JobState::kQueued) job.state = JobState::kCancelled;
    }
    bool open = false;
    for (const JobView& job : trial.jobs) open = open || IsOpen(job.state);
    if (!open) trial.state = trial.FoldsDone() == c_.folds ? TrialState::kDone : TrialState::kPruned;
    UpdateTrial(trial);
  }

  static void UpdateTrial(TrialView& trial) {
    double sum = 0;
    for (const JobView& job : trial.jobs) sum += job.state == JobState::kDone ? *job.value : 0;
    if (trial.FoldsDone() > 0) trial.value = sum / trial.FoldsDone();
  }

  const Curves& c_;
  const Pruner& pruner_;
  const int concurrency_;
  const std::vector<int> order_;
  StudyView study_;
  int epochs_trained_ = 0;
};

// Curve trials by the mean over folds of their last epoch's value, best first.
std::vector<int> RankTrials(const Curves& c) {
  std::vector<double> mean(c.trials);
  std::vector<int> rank(c.trials);
  for (int t = 0; t < c.trials; ++t) {
    rank[t] = t;
    for (int f = 0; f < c.folds; ++f) mean[t] += c.v[t][f][c.epochs - 1] / c.folds;
  }
  std::stable_sort(rank.begin(), rank.end(), [&](int a, int b) { return mean[a] > mean[b]; });
  return rank;
}

absl::Status RunOne(const Curves& curves, const std::string& name, const json& early_terminate,
                    const json& fold_pruning) {
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Pruner> pruner, MakePruner(early_terminate, fold_pruning));
  std::vector<int> order(curves.trials);
  for (int p = 0; p < curves.trials; ++p) order[p] = absl::GetFlag(FLAGS_reverse) ? curves.trials - 1 - p : p;
  Replay replay(curves, *pruner, absl::GetFlag(FLAGS_concurrency), order);
  replay.Run();
  std::vector<bool> kept(curves.trials);  // by curve trial
  for (int p = 0; p < curves.trials; ++p) kept[order[p]] = replay.study().trials[p].state == TrialState::kDone;
  const std::vector<int> rank = RankTrials(curves);
  std::cout << json{{"side", "foldstack"}, {"pruner", name}, {"epochs", replay.epochs_trained()},
                    {"total", curves.trials * curves.folds * curves.epochs},
                    {"done_trials", std::count(kept.begin(), kept.end(), true)},
                    {"best_trial", rank[0]}, {"best_kept", bool(kept[rank[0]])},
                    {"top3_kept", int(kept[rank[0]]) + kept[rank[1]] + kept[rank[2]]}}
                   .dump()
            << std::endl;
  return absl::OkStatus();
}

absl::Status Run() {
  FS_ASSIGN_OR_RETURN(Curves curves, ReadCurves(absl::GetFlag(FLAGS_curves)));
  const json hyperband = {{"type", "hyperband"}, {"min_iter", 1}, {"eta", 3}};
  const json asha = {{"type", "asha"}, {"grace_period", 1}, {"reduction_factor", 3}};
  const json median = {{"type", "median"}};
  const json fold = {{"rule", "median"}};
  const std::vector<std::pair<std::string, std::pair<json, json>>> configs = {
      {"none", {nullptr, nullptr}},
      {"hyperband (min_iter 1, eta 3, strict)", {hyperband, nullptr}},
      {"asha (grace 1, rf 3)", {asha, nullptr}},
      {"median (defaults)", {median, nullptr}},
      {"fold_pruning (median)", {nullptr, fold}},
      {"hyperband + fold_pruning", {hyperband, fold}},
  };
  for (const auto& [name, config] : configs) {
    FS_RETURN_IF_ERROR(RunOne(curves, name, config.first, config.second));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace foldstack::sweep

int main(int argc, char** argv) {
  return foldstack::bench::ParseFlagsAndRun(argc, argv, foldstack::sweep::Run);
}
