// Sweeps for people and scripts: create (from already parsed pieces), list, show, cancel,
// live control, trials and the leaderboard.
//
// Thread safety: like JobManager, every call is one transaction on the shared connection.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_SWEEP_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_SWEEP_MANAGER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/managers/clock.h"
#include "coordinator/managers/curve_sampling.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/managers/trial_scheduler.h"
#include "coordinator/store/dataset_store.h"
#include "coordinator/store/sqlite_db.h"
#include "coordinator/sweep/states.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

// Computes folds[i] in 0..k-1 for the dataset's i-th sample. Called only when no split with the
// same (dataset, k, seed, group_by, stratify) is stored yet.
using FoldAssigner = std::function<absl::StatusOr<std::vector<int32_t>>(
    const DatasetRecord& dataset, const SplitParams& params)>;

// One job's objective curve, downsampled for a chart.
struct JobCurve {
  int64_t trial_id = 0;
  int32_t trial_index = 0;
  int32_t fold = 0;
  sweep::JobState state = sweep::JobState::kQueued;
  std::vector<CurvePoint> points;  // a pruned job's last point is the epoch it stopped after
};

struct CurvesPage {
  std::vector<JobCurve> curves;
  std::string next_cursor;  // "" after the last page
};

struct NewSweep {
  std::string name;
  std::string yaml;       // the submitted file, verbatim
  std::string spec_json;  // the parsed sweep
  DatasetRecord dataset;
  SplitParams split;
  FoldAssigner assign_folds;
  std::vector<std::string> trial_params_json;  // the first trials: one JSON object each
  int64_t trial_budget = 0;           // trials the sweep makes in all; later ones on demand
  int32_t max_concurrent_trials = 0;  // 0 = unlimited
  int32_t gate_folds = 0;
  std::string base_dir;
  std::string metric = "val_macro_f1";
  bool minimize = false;
  int32_t max_attempts = 3;
  std::string submitted_by;  // the token's name (never the token)
  // -1 = the dataset's latest label version, 0 = original labels, N = version N.
  int64_t label_version = -1;
  std::string file_name = "sweep.yaml";  // for error messages
};

class SweepManager {
 public:
  // `options` gives the lease TTL: a worker silent for longer is "lost".
  SweepManager(SqliteDb& db, Clock& clock, JobManagerOptions options = {});

  // Stores (or finds) the dataset, finds or computes+stores the split, then creates the sweep
  // with trials x k queued jobs in one transaction. On a label version N > 0 the sweep trains on
  // the labelled dataset of version N with the original labels' folds (EnsureLabelledSplit).
  absl::StatusOr<foldstack::v1::SubmitSweepResponse> CreateSweep(const NewSweep& sweep);

  // All sweeps, newest first. best_macro_f1 is -1 while no fold is done; eta_seconds is
  // mean(seconds of done jobs) x (queued + running) / max(1, alive workers), 0 when nothing is
  // left, -1 when no job is done yet.
  absl::StatusOr<foldstack::v1::ListSweepsResponse> ListSweeps(
      const foldstack::v1::ListSweepsRequest& request);
  absl::StatusOr<foldstack::v1::ShowSweepResponse> ShowSweep(
      const foldstack::v1::ShowSweepRequest& request);

  // queued and running jobs -> cancelled (running workers see them revoked at their next
  // heartbeat), sweep -> cancelled. Cancelling a cancelled sweep again cancels 0 jobs; a
  // finished (done/failed) sweep gives FAILED_PRECONDITION.
  absl::StatusOr<foldstack::v1::CancelSweepResponse> CancelSweep(
      const foldstack::v1::CancelSweepRequest& request);

  // Pause/resume (no new leases while paused; running jobs finish), extend the trial budget,
  // change max_concurrent_trials; the scheduler then tops the sweep up. INVALID_ARGUMENT for a
  // negative extension or limit, FAILED_PRECONDITION for an ended sweep.
  absl::StatusOr<foldstack::v1::UpdateSweepResponse> UpdateSweep(
      const foldstack::v1::UpdateSweepRequest& request);

  // Ends the trial by hand: running jobs pruned ("stopped by hand"), queued ones cancelled.
  absl::StatusOr<foldstack::v1::StopTrialResponse> StopTrial(
      const foldstack::v1::StopTrialRequest& request);

  // The sweep's trials in order, a page at a time.
  absl::StatusOr<foldstack::v1::ListTrialsResponse> ListTrials(
      const foldstack::v1::ListTrialsRequest& request);

  // One sweep's summary (as ListSweeps gives it); NOT_FOUND for an unknown sweep.
  absl::StatusOr<foldstack::v1::SweepSummary> Summary(int64_t sweep_id);

  // Trials ranked by the sweep's objective (mean over done folds, v_leaderboard), best first.
  absl::StatusOr<foldstack::v1::LeaderboardResponse> Leaderboard(
      const foldstack::v1::LeaderboardRequest& request);

  // The parameters the sweep file varies (values with more than one choice, or a distribution),
  // in name order: what charts of params against the objective show. NOT_FOUND for an unknown sweep.
  absl::StatusOr<std::vector<std::string>> SweptParams(int64_t sweep_id);

  // The jobs of a page of trials (`limit` trials after the cursor's trial index; "" = from the
  // first) with the sweep's metric per epoch, at most `points` points each, in trial and fold
  // order; NOT_FOUND for an unknown sweep.
  absl::StatusOr<CurvesPage> Curves(int64_t sweep_id, int points, const std::string& cursor, int32_t limit);

 private:
  SqliteDb& db_;
  Clock& clock_;
  JobManagerOptions options_;
  TrialScheduler scheduler_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_SWEEP_MANAGER_H_
