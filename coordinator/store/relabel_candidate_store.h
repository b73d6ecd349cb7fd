// Relabel candidates: samples (or whole persons) whose given label a sweep's out-of-fold
// predictions call into question, as found by one detection method.
#ifndef FOLDSTACK_COORDINATOR_STORE_RELABEL_CANDIDATE_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_RELABEL_CANDIDATE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct RelabelCandidate {
  int64_t sample_id = 0;  // a sample of the sweep's dataset; 0 for a person-level candidate
  std::string person;     // the sample's group, or the person judged as a whole
  std::string kind;       // e.g. gender | age | mask | class
  int32_t given_label = 0;
  int32_t suggested_label = 0;  // for a person: a class whose gender/age are the suggestion
  double score = 0;             // higher = more likely wrong
  std::string evidence_json = "{}";
};

struct StoredRelabelCandidate {
  int64_t candidate_id = 0;
  int64_t sweep_id = 0;
  std::string method;
  std::string sample_key;  // "" for a person-level candidate
  RelabelCandidate candidate;
  int64_t created_ms = 0;
  std::string review_status;  // pending | accepted | rejected (v_relabel_candidates)
  int64_t dataset_id = 0;     // the base dataset the reviews apply to
};

// Replaces the candidates `method` found for `sweep_id` with `rows` (one transaction).
// INVALID_ARGUMENT when a sample is not in the sweep's dataset or evidence is empty.
absl::Status ReplaceRelabelCandidates(SqliteDb& db, int64_t sweep_id, const std::string& method,
                                      const std::vector<RelabelCandidate>& rows, int64_t now_ms);

// The sweep's candidates, best score first (then by id); NOT_FOUND for an unknown sweep.
absl::StatusOr<std::vector<StoredRelabelCandidate>> ListRelabelCandidates(SqliteDb& db,
                                                                          int64_t sweep_id);

// Pending candidates naming `target` (a full sample key or a person) in any sweep on base dataset
// `dataset_id` or its label versions, best score first, then newest.
absl::StatusOr<std::vector<StoredRelabelCandidate>> PendingCandidatesFor(
    SqliteDb& db, int64_t dataset_id, const std::string& target);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_RELABEL_CANDIDATE_STORE_H_
