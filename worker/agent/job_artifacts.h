// A job's files beyond its own folder, in the manner of Determined's checkpoint storage: what it
// resumes from, the checkpoints and logs it leaves in the coordinator's artifact store, and the
// checkpoint a prediction job reads when the training worker's disk is not this one.
#ifndef FOLDSTACK_WORKER_AGENT_JOB_ARTIFACTS_H_
#define FOLDSTACK_WORKER_AGENT_JOB_ARTIFACTS_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/job_events.h"
#include "proto/foldstack.grpc.pb.h"

namespace foldstack::worker {

struct ArtifactContext {
  foldstack::v1::Coordinator::Stub* stub = nullptr;
  std::string token;
  std::string work_dir;  // the agent's, holding every job's folders
};

// Records a checkpoint event in <dir>/checkpoint.json ({"epoch":N,"path":...}) so that a later
// attempt on this worker finds it, and uploads it as the job's RESUME_CHECKPOINT when the sweep
// resumes. An upload that fails is logged, not fatal: the job goes on.
void KeepCheckpoint(const ArtifactContext& ctx, const foldstack::v1::JobSpec& job, const std::string& dir,
                    const common::CheckpointEvent& checkpoint);

// The checkpoint a re-leased training job resumes from: the newest of its earlier attempts' on
// this worker's disk and the one in the artifact store (downloaded into `dir`). "" to start fresh:
// resume off, or nothing reachable.
std::string ResumeFrom(const ArtifactContext& ctx, const foldstack::v1::JobSpec& job, const std::string& dir);

// A prediction job's checkpoint: its path when this disk has it, else the training job's best
// checkpoint fetched from the artifact store into <work_dir>/train-job-<id>/best.safetensors.
absl::StatusOr<std::string> PredictCheckpoint(const ArtifactContext& ctx, const foldstack::v1::JobSpec& job);

// Uploads a finished training job's best checkpoint (before CompleteJob) or a failed job's log.
void UploadBest(const ArtifactContext& ctx, const foldstack::v1::JobSpec& job, const std::string& path);
void UploadLog(const ArtifactContext& ctx, const foldstack::v1::JobSpec& job, const std::string& path);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_JOB_ARTIFACTS_H_
