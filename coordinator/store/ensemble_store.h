// Ensembles of trials on one split (of one sweep or several): the members and weights a selection
// chose, its out-of-fold score (and the nested score that is honest about the selection), how it was
// chosen, and the sweeps its members came from.
#ifndef FOLDSTACK_COORDINATOR_STORE_ENSEMBLE_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_ENSEMBLE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct EnsembleMember {
  int64_t trial_id = 0;
  double weight = 0;
};

struct EnsembleRecord {
  int64_t sweep_id = 0;  // the ensemble's own sweep; every member is on this sweep's split
  std::string method;  // e.g. caruana | vote
  std::string metric;  // e.g. macro_f1 | log_loss
  double score = 0;
  std::optional<double> nested_score;
  std::string options_json = "{}";
  std::string trace_json = "[]";
  std::vector<EnsembleMember> members;  // each trial at most once
  std::vector<int64_t> sweep_ids;  // read back: the members' sweeps, ascending (set by InsertEnsemble)
};

struct StoredEnsemble {
  int64_t ensemble_id = 0;
  int64_t created_ms = 0;
  EnsembleRecord record;  // members in trial id order
};

// Stores the ensemble, its members and their sweeps in one transaction; returns its id.
// INVALID_ARGUMENT for no members, a repeated trial, a negative or non-finite weight, or a trial
// that is not on the split of the ensemble's sweep; NOT_FOUND for an unknown sweep.
absl::StatusOr<int64_t> InsertEnsemble(SqliteDb& db, const EnsembleRecord& ensemble,
                                       int64_t now_ms);

// NOT_FOUND for an unknown id.
absl::StatusOr<StoredEnsemble> GetEnsemble(SqliteDb& db, int64_t ensemble_id);

// The ensembles with a member from the sweep (those across sweeps included), newest first.
absl::StatusOr<std::vector<StoredEnsemble>> ListEnsembles(SqliteDb& db, int64_t sweep_id);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_ENSEMBLE_STORE_H_
