#include "coordinator/store/oof_store.h"

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "coordinator/store/probs_json.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

struct SweepInfo {
  int64_t dataset_id = 0;
  int64_t split_id = 0;
  std::string kind;
  int32_t num_classes = 0;
};

absl::StatusOr<SweepInfo> ReadSweep(Transaction& txn, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(Statement sweep, txn.Prepare(
      "SELECT w.dataset_id, w.split_id, d.kind, d.num_classes FROM sweeps w "
      "JOIN datasets d ON d.id = w.dataset_id WHERE w.id = ?"));
  sweep.Bind(1, sweep_id);
  FS_ASSIGN_OR_RETURN(bool found, sweep.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("sweep ", sweep_id, " not found"));
  return SweepInfo{sweep.Int(0), sweep.Int(1), sweep.Text(2), static_cast<int32_t>(sweep.Int(3))};
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> CompletedTrials(SqliteDb& db, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_RETURN_IF_ERROR(ReadSweep(*txn, sweep_id).status());
  FS_ASSIGN_OR_RETURN(Statement rows, txn->Prepare(
      "SELECT t.id FROM trials t JOIN jobs j ON j.trial_id = t.id WHERE t.sweep_id = ? "
      "GROUP BY t.id HAVING SUM(j.state <> 'done') = 0 ORDER BY t.id"));
  rows.Bind(1, sweep_id);
  std::vector<int64_t> trials;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    trials.push_back(rows.Int(0));
  }
  return trials;
}

absl::StatusOr<SweepOof> LoadSweepOof(SqliteDb& db, int64_t sweep_id, const std::vector<int64_t>& trial_ids) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(SweepInfo info, ReadSweep(*txn, sweep_id));
  SweepOof oof;
  oof.sweep_id = sweep_id;
  oof.dataset_id = info.dataset_id;
  oof.dataset_kind = info.kind;
  oof.num_classes = info.num_classes;
  oof.trial_ids = trial_ids;
  absl::flat_hash_map<int64_t, size_t> index_of_sample;
  {
    FS_ASSIGN_OR_RETURN(Statement samples, txn->Prepare(
        "SELECT s.id, s.sample_key, s.grp, s.label, f.fold FROM split_folds f "
        "JOIN samples s ON s.id = f.sample_id WHERE f.split_id = ? ORDER BY s.idx"));
    samples.Bind(1, info.split_id);
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, samples.Step());
      if (!row) break;
      index_of_sample[samples.Int(0)] = oof.samples.size();
      oof.samples.push_back({samples.Int(0), samples.Text(1), samples.Text(2),
                             static_cast<int32_t>(samples.Int(3)), static_cast<int32_t>(samples.Int(4))});
    }
  }
  FS_ASSIGN_OR_RETURN(Statement trial, txn->Prepare("SELECT 1 FROM trials WHERE id = ? AND sweep_id = ?"));
  FS_ASSIGN_OR_RETURN(Statement predictions, txn->Prepare(
      "SELECT p.job_id, p.sample_id, p.probs FROM predictions p JOIN jobs j ON j.id = p.job_id "
      "WHERE j.trial_id = ? AND j.state = 'done'"));
  const size_t k = static_cast<size_t>(info.num_classes);
  for (int64_t trial_id : trial_ids) {
    trial.Reset();
    trial.Bind(1, trial_id).Bind(2, sweep_id);
    FS_ASSIGN_OR_RETURN(bool found, trial.Step());
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat("trial ", trial_id, " is not a trial of sweep ", sweep_id));
    }
    std::vector<float> probs(oof.samples.size() * k, 0.0f);
    predictions.Reset();
    predictions.Bind(1, trial_id);
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, predictions.Step());
      if (!row) break;
      auto it = index_of_sample.find(predictions.Int(1));
      if (it == index_of_sample.end()) continue;  // not in the split (cannot happen for its own jobs)
      absl::StatusOr<std::vector<float>> parsed = ParseProbsJson(predictions.Text(2));
      if (!parsed.ok() || parsed->size() != k) {
        return absl::InvalidArgumentError(absl::StrCat(
            "predictions of job ", predictions.Int(0), ", sample ", predictions.Int(1), ": expected ", k,
            " probabilities", parsed.ok() ? absl::StrCat(", got ", parsed->size()) : absl::StrCat(
                                                ": ", parsed.status().message())));
      }
      std::copy(parsed->begin(), parsed->end(), probs.begin() + it->second * k);
    }
    oof.probs.push_back(std::move(probs));
  }
  trial.Reset();
  predictions.Reset();
  return oof;
}

}  // namespace foldstack::coordinator
