// The worker's side of the coordinator's artifact store: upload a checkpoint or a log (streamed in
// ~1 MiB chunks, SHA-256 checked by the coordinator), and download an artifact to a file written
// atomically and verified. Needs only the API and libcrypto (no LibTorch), so the CLI uses it too.
//
// Where the agent calls it (worker/agent/agent.cc):
//   - after the trainer's done event and before CompleteJob: UploadArtifact(kind BEST_CHECKPOINT,
//     the best.safetensors path);
//   - on a failure: UploadArtifact(kind LOG, the job's log) after FailJob (the ended lease is accepted);
//   - on each `checkpoint` event with resume on: UploadArtifact(kind RESUME_CHECKPOINT, epoch);
//   - a prediction job whose PredictSpec.checkpoint_path is missing on this disk:
//     DownloadArtifact(PredictSpec.checkpoint_artifact_id) into the work dir, then predict with it;
//   - a training job with JobSpec.resume_artifact_id != 0 and no local checkpoint: DownloadArtifact
//     it and resume from JobSpec.resume_epoch + 1.
#ifndef FOLDSTACK_WORKER_AGENT_ARTIFACT_CLIENT_H_
#define FOLDSTACK_WORKER_AGENT_ARTIFACT_CLIENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/foldstack.grpc.pb.h"

namespace foldstack::worker {

struct ArtifactHeaderFields {
  int64_t job_id = 0;
  foldstack::v1::JobKind job_kind = foldstack::v1::JOB_KIND_TRAIN;
  int64_t lease_id = 0;
  foldstack::v1::ArtifactKind kind = foldstack::v1::ARTIFACT_KIND_UNSPECIFIED;
  int32_t epoch = 0;       // RESUME_CHECKPOINT: the epoch it holds
  std::string file_name;   // "": the path's base name
  // "": hashed while sending and sent in a last chunk (one pass over the file; a retry is then found
  // by the coordinator after the bytes). Given: in the header, so a retry moves no bytes.
  std::string sha256;
};

struct UploadResult {
  int64_t artifact_id = 0;
  bool already_stored = false;  // a retried upload: the coordinator had it, nothing new stored
  int64_t bytes = 0;
  std::string sha256;
};

inline constexpr size_t kArtifactChunkBytes = 1 << 20;

// Streams the file at `path`. The coordinator's refusal comes back as its status: INVALID_ARGUMENT
// (bytes that do not match the header), RESOURCE_EXHAUSTED (over its --max_artifact_mb),
// FAILED_PRECONDITION (no live lease). A file that changes while it is sent fails the check.
absl::StatusOr<UploadResult> UploadArtifact(foldstack::v1::Coordinator::Stub& stub, const std::string& token,
                                            const ArtifactHeaderFields& fields, const std::string& path,
                                            size_t chunk_bytes = kArtifactChunkBytes);

// Writes artifact `artifact_id` to `out_path` (replaced atomically: a temp file beside it,
// renamed once its size and SHA-256 match the coordinator's header; nothing is left otherwise).
absl::Status DownloadArtifact(foldstack::v1::Coordinator::Stub& stub, const std::string& token, int64_t artifact_id,
                              const std::string& out_path);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_ARTIFACT_CLIENT_H_
