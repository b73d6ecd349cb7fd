#include "coordinator/managers/trial_scheduler.h"

#include <algorithm>
#include <iostream>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/sweep/pruners/pruners.h"
#include "coordinator/sweep/registry.h"
#include "coordinator/sweep/trials.h"

namespace foldstack::coordinator {
namespace {

using sweep::PruneAction;
using sweep::PruneDecision;

}  // namespace

absl::Status TrialScheduler::Build(const SweepControl& control, Engine& engine) {
  FS_ASSIGN_OR_RETURN(engine.spec, sweep::ParseSweepYaml(absl::StrCat("sweep ", control.sweep_id),
                                                         control.yaml));
  FS_ASSIGN_OR_RETURN(engine.sampler, sweep::MakeSampler(engine.spec.method, engine.spec.parameters,
                                                         engine.spec.sampler_options));
  FS_ASSIGN_OR_RETURN(engine.pruner, sweep::MakePruner(engine.spec.early_terminate,
                                                       engine.spec.fold_pruning));
  engine.prunes = !engine.spec.early_terminate.is_null() || !engine.spec.fold_pruning.is_null();
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<TrialScheduler::Engine>> TrialScheduler::EngineFor(
    const SweepControl& control) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto cached = engines_.find(control.sweep_id);
  if (cached != engines_.end()) return cached->second;
  auto engine = std::make_shared<Engine>();
  absl::Status built = Build(control, *engine);
  if (!built.ok()) {
    // A sweep file this release no longer accepts (written by an older one) keeps the trials it
    // has: no sampler (its budget was its trial count), no pruner.
    std::cerr << "sweep " << control.sweep_id << ": no sampler or pruner: " << built.message() << "\n";
    engine = std::make_shared<Engine>();
    engine->pruner = std::make_unique<sweep::Pruner>();
  }
  engines_[control.sweep_id] = engine;
  return engine;
}

absl::StatusOr<int64_t> TrialScheduler::TopUp(Transaction& txn, const SweepControl& control,
                                              const SweepProgress& progress, int64_t now_ms) {
  int64_t want = control.trial_budget - progress.trials;
  if (control.max_concurrent_trials > 0) {
    want = std::min<int64_t>(want, control.max_concurrent_trials - progress.open_trials);
  }
  if (want <= 0) return 0;
  FS_ASSIGN_OR_RETURN(std::shared_ptr<Engine> engine, EngineFor(control));
  if (engine->sampler == nullptr) return 0;
  FS_ASSIGN_OR_RETURN(sweep::StudyView study, LoadStudyView(txn, control));
  FS_ASSIGN_OR_RETURN(std::vector<nlohmann::json> asked,
                      engine->sampler->Ask(study, engine->spec.seed, static_cast<int>(want)));
  for (const nlohmann::json& params : asked) {
    FS_ASSIGN_OR_RETURN(nlohmann::json complete,
                        sweep::CompleteTrial(engine->spec, control.base_dir, params));
    FS_RETURN_IF_ERROR(InsertTrial(txn, control.sweep_id, complete.dump(), control.k, now_ms).status());
  }
  return static_cast<int64_t>(asked.size());
}

absl::Status TrialScheduler::Settle(Transaction& txn, int64_t sweep_id, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(txn, sweep_id));
  if (control.state != sweep::SweepState::kRunning) return absl::OkStatus();
  FS_ASSIGN_OR_RETURN(const SweepProgress progress, LoadSweepProgress(txn, sweep_id));
  if (!control.paused) {
    FS_ASSIGN_OR_RETURN(const int64_t made, TopUp(txn, control, progress, now_ms));
    if (made > 0) return absl::OkStatus();  // their jobs are queued: the sweep goes on
  }
  if (progress.jobs_open) return absl::OkStatus();
  // A paused sweep with budget left waits for resume; otherwise nothing more will be made.
  if (control.paused && progress.trials < control.trial_budget) return absl::OkStatus();
  return FinishSweep(txn, sweep_id,
                     progress.jobs_failed ? sweep::SweepState::kFailed : sweep::SweepState::kDone,
                     now_ms);
}

absl::Status TrialScheduler::Apply(Transaction& txn, const SweepControl& control, int64_t trial_id,
                                   int64_t job_id, const PruneDecision& decision, int64_t now_ms) {
  if (decision.action == PruneAction::kStopTrial) {
    FS_RETURN_IF_ERROR(PruneTrial(txn, trial_id, decision.reason, control.objective, now_ms).status());
  } else if (decision.action == PruneAction::kStopJob) {
    FS_RETURN_IF_ERROR(PruneJob(txn, job_id, control.objective, now_ms));
    FS_RETURN_IF_ERROR(RefreshTrialState(txn, trial_id));
  }
  return Settle(txn, control.sweep_id, now_ms);
}

absl::StatusOr<PruneDecision> TrialScheduler::OnEpochs(Transaction& txn, int64_t sweep_id,
                                                       int64_t trial_id, int64_t job_id, int fold,
                                                       int epoch, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(txn, sweep_id));
  FS_ASSIGN_OR_RETURN(std::shared_ptr<Engine> engine, EngineFor(control));
  if (!engine->prunes) return PruneDecision::Continue();
  FS_ASSIGN_OR_RETURN(sweep::StudyView study, LoadStudyView(txn, control));
  const sweep::TrialView* trial = study.FindTrial(trial_id);
  if (trial == nullptr) return absl::InternalError(absl::StrCat("trial ", trial_id, " not in its sweep"));
  const PruneDecision decision = engine->pruner->OnEpoch(study, *trial, fold, epoch);
  if (decision.stops()) FS_RETURN_IF_ERROR(Apply(txn, control, trial_id, job_id, decision, now_ms));
  return decision;
}

absl::Status TrialScheduler::OnJobDone(Transaction& txn, int64_t sweep_id, int64_t trial_id,
                                       int64_t job_id, int fold, int32_t best_epoch,
                                       const ReportedValues& reported, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(SweepControl control, LoadSweepControl(txn, sweep_id));
  auto fallback = reported.find(control.objective.metric);
  FS_RETURN_IF_ERROR(SetDoneJobValue(
      txn, job_id, control.objective.metric, best_epoch,
      fallback == reported.end() ? std::numeric_limits<double>::quiet_NaN() : fallback->second));
  FS_RETURN_IF_ERROR(RefreshTrialState(txn, trial_id));
  FS_ASSIGN_OR_RETURN(std::shared_ptr<Engine> engine, EngineFor(control));
  PruneDecision decision;
  if (engine->prunes) {
    FS_ASSIGN_OR_RETURN(sweep::StudyView study, LoadStudyView(txn, control));
    const sweep::TrialView* trial = study.FindTrial(trial_id);
    if (trial != nullptr && trial->state == sweep::TrialState::kRunning) {
      decision = engine->pruner->OnFoldDone(study, *trial, fold);
    }
  }
  // The done job itself is not running any more: stopping means the trial's other folds.
  if (decision.stops()) decision.action = PruneAction::kStopTrial;
  return Apply(txn, control, trial_id, job_id, decision, now_ms);
}

absl::Status TrialScheduler::OnJobEnded(Transaction& txn, int64_t sweep_id, int64_t trial_id,
                                        int64_t now_ms) {
  FS_RETURN_IF_ERROR(RefreshTrialState(txn, trial_id));
  return Settle(txn, sweep_id, now_ms);
}

}  // namespace foldstack::coordinator
