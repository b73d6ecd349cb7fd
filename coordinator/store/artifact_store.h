// The artifact store's rows (table `artifacts`, migration 7): one per stored file of a job, a
// checkpoint or a log. The bytes live in ArtifactStorage (coordinator/artifacts) under
// storage_key; these functions only read and write rows, inside the caller's transaction.
#ifndef FOLDSTACK_COORDINATOR_STORE_ARTIFACT_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_ARTIFACT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/store/lease_store.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

enum class ArtifactKind { kBestCheckpoint, kResumeCheckpoint, kLog };
const char* ArtifactKindName(ArtifactKind kind);  // "best_checkpoint", "resume_checkpoint", "log"
std::optional<ArtifactKind> ParseArtifactKind(std::string_view name);

struct ArtifactRecord {
  int64_t id = 0;  // 0 before InsertArtifact
  JobTable job_table = JobTable::kTrain;
  int64_t job_id = 0;
  int64_t sweep_id = 0;  // a prediction job's: its training job's sweep, trial and fold
  int64_t trial_id = 0;
  int32_t fold = 0;
  ArtifactKind kind = ArtifactKind::kBestCheckpoint;
  int32_t epoch = 0;
  std::string name;
  int64_t size = 0;
  std::string sha256;  // lower-case hex
  std::string storage_key;
  int64_t created_ms = 0;
};

// Where a job sits: its sweep, trial and fold (a prediction job: its training job's).
struct JobPlace {
  int64_t sweep_id = 0;
  int64_t trial_id = 0;
  int32_t fold = 0;
};
// NOT_FOUND for an unknown job.
absl::StatusOr<JobPlace> LoadJobPlace(Transaction& txn, JobTable table, int64_t job_id);

// Returns the new row's id. ALREADY_EXISTS when the job already has this (kind, sha256).
absl::StatusOr<int64_t> InsertArtifact(Transaction& txn, const ArtifactRecord& record);

// NOT_FOUND naming the id.
absl::StatusOr<ArtifactRecord> LoadArtifact(Transaction& txn, int64_t artifact_id);

// The job's artifact of `kind` with this sha256, if stored.
absl::StatusOr<std::optional<ArtifactRecord>> FindArtifact(Transaction& txn, JobTable table, int64_t job_id,
                                                            ArtifactKind kind, const std::string& sha256);

// The job's newest artifact of `kind` (highest id), if any.
absl::StatusOr<std::optional<ArtifactRecord>> LatestArtifact(Transaction& txn, JobTable table, int64_t job_id,
                                                             ArtifactKind kind);

// The job's artifacts of `kind` other than `keep_id`, oldest first.
absl::StatusOr<std::vector<ArtifactRecord>> OtherArtifacts(Transaction& txn, JobTable table, int64_t job_id,
                                                           ArtifactKind kind, int64_t keep_id);

// Artifacts of a sweep's or a trial's jobs (prediction jobs' logs count to their training job's
// trial), by trial, fold, kind, then id.
absl::StatusOr<std::vector<ArtifactRecord>> ListSweepArtifacts(Transaction& txn, int64_t sweep_id);
absl::StatusOr<std::vector<ArtifactRecord>> ListTrialArtifacts(Transaction& txn, int64_t trial_id);

// Deletes the rows (not the files).
absl::Status DeleteArtifactRows(Transaction& txn, const std::vector<ArtifactRecord>& records);

// A sweep named by its id or its name: NOT_FOUND when none, INVALID_ARGUMENT listing the ids when
// several sweeps share the name.
absl::StatusOr<int64_t> ResolveSweep(Transaction& txn, const std::string& id_or_name);

// The sweep's trials in state running.
absl::StatusOr<std::vector<int64_t>> RunningTrialIds(Transaction& txn, int64_t sweep_id);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_ARTIFACT_STORE_H_
