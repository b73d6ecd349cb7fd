// The artifact store: checkpoints and logs that workers upload, kept in ArtifactStorage (the
// coordinator's --artifacts DIR) with a row each in SQLite (store/artifact_store.h).
//
// Uploads need the job's live lease (a LOG also the job's latest lease once it ended: a worker
// uploads the log after FailJob or after losing the lease; a newer attempt's lease replaces it).
// The header's size is checked against the limit before any byte is taken, and the bytes as they
// come; the bytes must match the header's size and SHA-256, or nothing is kept. The SHA-256 is in
// the first chunk's header, or (a client that hashes as it sends) in the last chunk's. A retried
// upload of the same (job, kind, sha256) returns the stored artifact (already_stored): before any
// byte moves when the header has the SHA-256, else after (the new copy is deleted). A job keeps one BEST and one RESUME checkpoint: a newer upload replaces the older one,
// whose file is deleted after the new row commits. Logs accumulate.
//
// The bytes move outside any transaction; only the checks and the row writes hold the database.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_ARTIFACT_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_ARTIFACT_MANAGER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/artifacts/artifact_storage.h"
#include "coordinator/managers/clock.h"
#include "coordinator/store/artifact_store.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

struct ArtifactManagerOptions {
  int64_t max_artifact_bytes = int64_t{2048} << 20;  // --max_artifact_mb
  size_t chunk_bytes = 1 << 20;                      // per downloaded chunk
};

// Gives an upload's next chunk (the first is the one whose header Upload gets); false at the end.
using ChunkSource = std::function<bool(foldstack::v1::ArtifactChunk* chunk)>;
// Takes a download's next chunk (the first carries the header); false when the caller went away.
using ChunkSink = std::function<bool(const foldstack::v1::ArtifactChunk& chunk)>;

class ArtifactManager {
 public:
  // `db`, `clock` and `storage` must outlive the manager.
  ArtifactManager(SqliteDb& db, Clock& clock, artifacts::ArtifactStorage& storage,
                  ArtifactManagerOptions options = {});

  // Stores the bytes `next` gives under `header` (see above). Errors: INVALID_ARGUMENT for a bad
  // header, bytes that are not `size` long or whose SHA-256 differs; RESOURCE_EXHAUSTED naming the
  // limit, e.g. "artifact best.safetensors is 3.1 GB; the coordinator's limit is 2 GB
  // (--max_artifact_mb)"; FAILED_PRECONDITION without the lease.
  absl::StatusOr<foldstack::v1::UploadArtifactResponse> Upload(const foldstack::v1::ArtifactHeader& header,
                                                               const ChunkSource& next);

  // Writes the artifact to `sink`: its header (artifact_id, size, sha256, ...) with the first bytes,
  // then chunk_bytes at a time. NOT_FOUND for an unknown id.
  absl::Status Download(const foldstack::v1::GetArtifactRequest& request, const ChunkSink& sink);

  // A sweep's (id or name) or a trial's artifacts.
  absl::StatusOr<foldstack::v1::ListArtifactsResponse> List(const foldstack::v1::ListArtifactsRequest& request);

  // Deletes the BEST and RESUME checkpoints of the sweep's trials outside the top keep_top (ranked
  // like the leaderboard: mean objective over done folds), except trials an ensemble of the sweep
  // uses and trials still running; logs are kept. Rows go first, then the files.
  absl::StatusOr<foldstack::v1::PruneArtifactsResponse> Prune(const foldstack::v1::PruneArtifactsRequest& request);

  // For other managers: the latest resume checkpoint of training job `job_id`, and the best
  // checkpoint of training job `job_id`, when stored.
  absl::StatusOr<std::optional<ArtifactRecord>> LatestResumeCheckpoint(int64_t job_id);
  absl::StatusOr<std::optional<ArtifactRecord>> BestCheckpoint(int64_t job_id);

  const ArtifactManagerOptions& options() const { return options_; }

 private:
  absl::StatusOr<std::optional<ArtifactRecord>> Latest(int64_t job_id, ArtifactKind kind);
  // Deletes the files of rows already deleted; a failure is logged, not returned (the rows are gone).
  void DeleteFiles(const std::vector<ArtifactRecord>& records);

  SqliteDb& db_;
  Clock& clock_;
  artifacts::ArtifactStorage& storage_;
  ArtifactManagerOptions options_;
};

// The wire form of a row.
foldstack::v1::ArtifactRow ToArtifactRow(const ArtifactRecord& record);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_ARTIFACT_MANAGER_H_
