#include "coordinator/store/oof_store.h"

#include <algorithm>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/store/prob_chunks.h"
#include "coordinator/store/trial_task.h"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;
using SampleIndex = absl::flat_hash_map<int64_t, size_t>;

struct SweepInfo {
  int64_t dataset_id = 0;
  int64_t split_id = 0;
  std::string kind;
  int32_t num_classes = 0;
};

absl::StatusOr<SweepInfo> ReadInfo(Transaction& txn, const char* sql, int64_t id, const char* what) {
  FS_ASSIGN_OR_RETURN(Statement info, txn.Prepare(sql));
  info.Bind(1, id);
  FS_ASSIGN_OR_RETURN(bool found, info.Step());
  if (!found) return absl::NotFoundError(absl::StrCat(what, " ", id, " not found"));
  return SweepInfo{info.Int(0), info.Int(1), info.Text(2), static_cast<int32_t>(info.Int(3))};
}

absl::StatusOr<SweepInfo> ReadSweep(Transaction& txn, int64_t sweep_id) {
  return ReadInfo(txn,
                  "SELECT w.dataset_id, w.split_id, d.kind, d.num_classes FROM sweeps w "
                  "JOIN datasets d ON d.id = w.dataset_id WHERE w.id = ?",
                  sweep_id, "sweep");
}

absl::StatusOr<SweepInfo> ReadSplit(Transaction& txn, int64_t split_id) {
  return ReadInfo(txn,
                  "SELECT p.dataset_id, p.id, d.kind, d.num_classes FROM splits p "
                  "JOIN datasets d ON d.id = p.dataset_id WHERE p.id = ?",
                  split_id, "split");
}

// The split's samples in dataset index order, and where each sample id sits among them.
absl::Status ReadSamples(Transaction& txn, int64_t split_id, SweepOof& oof, SampleIndex& index_of_sample) {
  FS_ASSIGN_OR_RETURN(Statement samples, txn.Prepare(
      "SELECT s.id, s.sample_key, s.grp, s.label, f.fold FROM split_folds f "
      "JOIN samples s ON s.id = f.sample_id WHERE f.split_id = ? ORDER BY s.idx"));
  samples.Bind(1, split_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, samples.Step());
    if (!row) break;
    index_of_sample[samples.Int(0)] = oof.samples.size();
    oof.samples.push_back({samples.Int(0), samples.Text(1), samples.Text(2),
                           static_cast<int32_t>(samples.Int(3)), static_cast<int32_t>(samples.Int(4))});
  }
  return absl::OkStatus();
}

// One trial's probabilities, samples x k; zeros where no done job of it predicted the sample.
absl::StatusOr<std::vector<float>> ReadTrialProbs(Statement& chunks, int64_t trial_id,
                                                  const SampleIndex& index_of_sample, size_t samples, size_t k) {
  std::vector<float> probs(samples * k, 0.0f);
  std::vector<float> chunk_probs;
  chunks.Reset();
  chunks.Bind(1, trial_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, chunks.Step());
    if (!row) break;
    const int64_t rows = chunks.Int(3);
    const auto refuse = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("oof_chunks row ", chunks.Int(0), " (job ", chunks.Int(1), "): ", why));
    };
    if (chunks.Int(2) != static_cast<int64_t>(k)) {
      return refuse(absl::StrCat("rows of ", chunks.Int(2), " probabilities, expected ", k));
    }
    absl::StatusOr<std::vector<int64_t>> ids = DecodeIds(chunks.Blob(4), rows);
    if (!ids.ok()) return refuse(ids.status().message());
    chunk_probs.resize(ids->size() * k);
    absl::Status decoded = DecodeProbs(chunks.Blob(5), static_cast<int64_t>(chunk_probs.size()), chunk_probs.data());
    if (!decoded.ok()) return refuse(decoded.message());
    for (size_t r = 0; r < ids->size(); ++r) {
      auto it = index_of_sample.find((*ids)[r]);
      if (it == index_of_sample.end()) continue;  // not in the split (cannot happen for its own jobs)
      std::copy_n(chunk_probs.begin() + r * k, k, probs.begin() + it->second * k);
    }
  }
  return probs;
}

// Which trials may be read: `sql` binds (trial id, owner) and returns a row (the trial's task) for
// a trial that may; else INVALID_ARGUMENT "trial N <refusal>".
struct TrialCheck {
  std::string sql;
  int64_t owner;
  std::string refusal;
};

absl::StatusOr<SweepOof> LoadOof(Transaction& txn, const SweepInfo& info, const std::vector<int64_t>& trial_ids,
                                 const TrialCheck& check) {
  SweepOof oof;
  oof.dataset_id = info.dataset_id;
  oof.dataset_kind = info.kind;
  oof.num_classes = info.num_classes;
  oof.trial_ids = trial_ids;
  SampleIndex index_of_sample;
  FS_RETURN_IF_ERROR(ReadSamples(txn, info.split_id, oof, index_of_sample));
  FS_ASSIGN_OR_RETURN(Statement trial, txn.Prepare(check.sql));
  FS_ASSIGN_OR_RETURN(Statement chunks, txn.Prepare(
      "SELECT c.id, c.job_id, c.width, c.n, c.ids, c.probs FROM oof_chunks c JOIN jobs j ON j.id = c.job_id "
      "WHERE j.trial_id = ? AND j.state = 'done'"));
  for (int64_t trial_id : trial_ids) {
    trial.Reset();
    trial.Bind(1, trial_id).Bind(2, check.owner);
    FS_ASSIGN_OR_RETURN(bool found, trial.Step());
    if (!found) return absl::InvalidArgumentError(absl::StrCat("trial ", trial_id, " ", check.refusal));
    oof.tasks.push_back(trial.Text(0));
    oof.widths.push_back(TrialRowWidth(oof.tasks.back(), info.num_classes));
    FS_ASSIGN_OR_RETURN(std::vector<float> probs,
                        ReadTrialProbs(chunks, trial_id, index_of_sample, oof.samples.size(),
                                       static_cast<size_t>(oof.widths.back())));
    oof.probs.push_back(std::move(probs));
  }
  return oof;
}

}  // namespace

absl::StatusOr<std::vector<TrialSplit>> LoadTrialSplits(SqliteDb& db, const std::vector<int64_t>& trial_ids) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(Statement row, txn->Prepare(
      "SELECT t.sweep_id, w.split_id, d.kind, d.root, d.label_version, p.k, p.seed, p.group_by, p.stratify "
      "FROM trials t JOIN sweeps w ON w.id = t.sweep_id JOIN splits p ON p.id = w.split_id "
      "JOIN datasets d ON d.id = p.dataset_id WHERE t.id = ?"));
  std::vector<TrialSplit> out;
  for (int64_t trial_id : trial_ids) {
    row.Reset();
    row.Bind(1, trial_id);
    FS_ASSIGN_OR_RETURN(bool found, row.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("trial ", trial_id, " not found"));
    out.push_back({trial_id, row.Int(0), row.Int(1), row.Text(2), row.Text(3), static_cast<int32_t>(row.Int(4)),
                   static_cast<int32_t>(row.Int(5)), row.Int(6), row.Text(7), row.Int(8) != 0});
  }
  return out;
}

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
  const TrialCheck check{absl::StrCat("SELECT ", kTrialTaskSql, " FROM trials t WHERE t.id = ? AND t.sweep_id = ?"),
                         sweep_id,
                         absl::StrCat("is not a trial of sweep ", sweep_id)};
  FS_ASSIGN_OR_RETURN(SweepOof oof, LoadOof(*txn, info, trial_ids, check));
  oof.sweep_id = sweep_id;
  return oof;
}

absl::StatusOr<SweepOof> LoadSplitOof(SqliteDb& db, int64_t split_id, const std::vector<int64_t>& trial_ids) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(SweepInfo info, ReadSplit(*txn, split_id));
  const TrialCheck check{
      absl::StrCat("SELECT ", kTrialTaskSql,
                   " FROM trials t JOIN sweeps w ON w.id = t.sweep_id WHERE t.id = ? AND w.split_id = ?"),
      split_id,
      absl::StrCat("is not on split ", split_id)};
  return LoadOof(*txn, info, trial_ids, check);
}

}  // namespace foldstack::coordinator
