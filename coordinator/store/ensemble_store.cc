#include "coordinator/store/ensemble_store.h"

#include <cmath>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

absl::Status ValidateMembers(const EnsembleRecord& e) {
  if (e.members.empty()) return absl::InvalidArgumentError("ensemble: no members");
  std::set<int64_t> seen;
  for (const EnsembleMember& m : e.members) {
    if (!seen.insert(m.trial_id).second) {
      return absl::InvalidArgumentError(absl::StrCat("ensemble: trial ", m.trial_id, " listed twice"));
    }
    if (!std::isfinite(m.weight) || m.weight < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("ensemble: trial ", m.trial_id, ": weight ", m.weight, ", expected >= 0"));
    }
  }
  return absl::OkStatus();
}

absl::Status LoadMembers(Transaction& txn, int64_t ensemble_id, EnsembleRecord& e);

// Loads the ensembles selected by `where` (bound to `id`), newest first, with their members.
absl::StatusOr<std::vector<StoredEnsemble>> LoadEnsembles(Transaction& txn, const char* where,
                                                          int64_t id) {
  FS_ASSIGN_OR_RETURN(Statement rows, txn.Prepare(absl::StrCat(
      "SELECT id, sweep_id, method, metric, score, nested_score, options, trace, created_ms "
      "FROM ensembles WHERE ", where, " ORDER BY id DESC")));
  rows.Bind(1, id);
  std::vector<StoredEnsemble> out;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    StoredEnsemble e;
    e.ensemble_id = rows.Int(0);
    e.record.sweep_id = rows.Int(1);
    e.record.method = rows.Text(2);
    e.record.metric = rows.Text(3);
    e.record.score = rows.Double(4);
    if (!rows.IsNull(5)) e.record.nested_score = rows.Double(5);
    e.record.options_json = rows.Text(6);
    e.record.trace_json = rows.Text(7);
    e.created_ms = rows.Int(8);
    out.push_back(std::move(e));
  }
  for (StoredEnsemble& e : out) FS_RETURN_IF_ERROR(LoadMembers(txn, e.ensemble_id, e.record));
  return out;
}

// The members in trial id order and their sweeps, ascending.
absl::Status LoadMembers(Transaction& txn, int64_t ensemble_id, EnsembleRecord& e) {
  FS_ASSIGN_OR_RETURN(Statement members, txn.Prepare(
      "SELECT trial_id, weight FROM ensemble_members WHERE ensemble_id = ? ORDER BY trial_id"));
  members.Bind(1, ensemble_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, members.Step());
    if (!row) break;
    e.members.push_back({members.Int(0), members.Double(1)});
  }
  FS_ASSIGN_OR_RETURN(Statement sweeps, txn.Prepare(
      "SELECT sweep_id FROM ensemble_sweeps WHERE ensemble_id = ? ORDER BY sweep_id"));
  sweeps.Bind(1, ensemble_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, sweeps.Step());
    if (!row) break;
    e.sweep_ids.push_back(sweeps.Int(0));
  }
  return absl::OkStatus();
}

// Each member must be a trial on the split of the ensemble's sweep; then the members' sweeps.
absl::Status InsertMembers(Transaction& txn, int64_t ensemble_id, const EnsembleRecord& e) {
  FS_ASSIGN_OR_RETURN(Statement member, txn.Prepare(
      "INSERT INTO ensemble_members(ensemble_id, trial_id, weight) "
      "SELECT ?, t.id, ? FROM trials t JOIN sweeps w ON w.id = t.sweep_id "
      "WHERE t.id = ? AND w.split_id = (SELECT split_id FROM sweeps WHERE id = ?)"));
  for (const EnsembleMember& m : e.members) {
    member.Reset();
    member.Bind(1, ensemble_id).Bind(2, m.weight).Bind(3, m.trial_id).Bind(4, e.sweep_id);
    FS_ASSIGN_OR_RETURN(int64_t stored, member.Run());
    if (stored != 1) {
      return absl::InvalidArgumentError(absl::StrCat("ensemble: trial ", m.trial_id,
                                                     " is not on the split of sweep ", e.sweep_id));
    }
  }
  FS_ASSIGN_OR_RETURN(Statement sweeps, txn.Prepare(
      "INSERT INTO ensemble_sweeps(ensemble_id, sweep_id) SELECT DISTINCT m.ensemble_id, t.sweep_id "
      "FROM ensemble_members m JOIN trials t ON t.id = m.trial_id WHERE m.ensemble_id = ?"));
  sweeps.Bind(1, ensemble_id);
  return sweeps.Run().status();
}

}  // namespace

absl::StatusOr<int64_t> InsertEnsemble(SqliteDb& db, const EnsembleRecord& e, int64_t now_ms) {
  FS_RETURN_IF_ERROR(ValidateMembers(e));
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db));
  int64_t ensemble_id = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement insert, txn->Prepare(
        "INSERT INTO ensembles(sweep_id, method, metric, score, nested_score, options, trace, "
        "created_ms) SELECT id, ?, ?, ?, ?, ?, ?, ? FROM sweeps WHERE id = ? RETURNING id"));
    insert.Bind(1, e.method).Bind(2, e.metric).Bind(3, e.score).Bind(5, e.options_json)
        .Bind(6, e.trace_json).Bind(7, now_ms).Bind(8, e.sweep_id);
    if (e.nested_score.has_value()) {
      insert.Bind(4, *e.nested_score);
    } else {
      insert.BindNull(4);
    }
    FS_ASSIGN_OR_RETURN(bool row, insert.Step());
    if (!row) return absl::NotFoundError(absl::StrCat("sweep ", e.sweep_id, " not found"));
    ensemble_id = insert.Int(0);
  }
  FS_RETURN_IF_ERROR(InsertMembers(*txn, ensemble_id, e));
  FS_RETURN_IF_ERROR(txn->Commit());
  return ensemble_id;
}

absl::StatusOr<StoredEnsemble> GetEnsemble(SqliteDb& db, int64_t ensemble_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(std::vector<StoredEnsemble> found, LoadEnsembles(*txn, "id = ?", ensemble_id));
  if (found.empty()) return absl::NotFoundError(absl::StrCat("ensemble ", ensemble_id, " not found"));
  return std::move(found[0]);
}

absl::StatusOr<std::vector<StoredEnsemble>> ListEnsembles(SqliteDb& db, int64_t sweep_id) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db, Transaction::Mode::kDeferred));
  return LoadEnsembles(*txn, "id IN (SELECT ensemble_id FROM ensemble_sweeps WHERE sweep_id = ?)", sweep_id);
}

}  // namespace foldstack::coordinator
