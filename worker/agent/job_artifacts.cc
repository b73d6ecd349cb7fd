#include "worker/agent/job_artifacts.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "worker/agent/artifact_client.h"
#include "worker/agent/job_files.h"

namespace foldstack::worker {
namespace {

namespace fs = std::filesystem;
using foldstack::v1::JobSpec;

void Log(const std::string& line) { std::cerr << "[worker] " << line << std::endl; }

struct LocalCheckpoint {
  int epoch = 0;
  std::string path;
};

// The newest checkpoint.json among <work_dir>/job-<id>-a<k> for the earlier attempts k.
LocalCheckpoint NewestLocal(const std::string& work_dir, const JobSpec& job) {
  LocalCheckpoint best;
  for (int attempt = 1; attempt < job.attempt(); ++attempt) {
    std::ifstream in(absl::StrCat(work_dir, "/job-", job.job_id(), "-a", attempt, "/checkpoint.json"));
    const nlohmann::json record = nlohmann::json::parse(in, nullptr, false);
    if (!record.is_object() || !record.contains("path")) continue;
    const std::string path = record.value("path", "");
    const int epoch = record.value("epoch", 0);
    std::error_code error;
    if (epoch > best.epoch && fs::is_regular_file(path, error)) best = {epoch, path};
  }
  return best;
}

ArtifactHeaderFields Header(const JobSpec& job, foldstack::v1::ArtifactKind kind) {
  ArtifactHeaderFields fields;
  fields.job_id = job.job_id();
  fields.job_kind = job.kind();
  fields.lease_id = job.lease_id();
  fields.kind = kind;
  return fields;
}

void Upload(const ArtifactContext& ctx, const ArtifactHeaderFields& fields, const std::string& path,
            const std::string& what) {
  absl::StatusOr<UploadResult> uploaded = UploadArtifact(*ctx.stub, ctx.token, fields, path);
  if (!uploaded.ok()) Log(absl::StrCat("job ", fields.job_id, ": ", what, " not stored: ", uploaded.status().message()));
}

}  // namespace

void KeepCheckpoint(const ArtifactContext& ctx, const JobSpec& job, const std::string& dir,
                    const common::CheckpointEvent& checkpoint) {
  const nlohmann::json record = {{"epoch", checkpoint.epoch}, {"path", checkpoint.path}};
  if (absl::Status written = WriteJobFile(dir, "checkpoint.json", record.dump()).status(); !written.ok()) {
    Log(std::string(written.message()));
  }
  if (!job.resume()) return;
  ArtifactHeaderFields fields = Header(job, foldstack::v1::ARTIFACT_KIND_RESUME_CHECKPOINT);
  fields.epoch = checkpoint.epoch;
  Upload(ctx, fields, checkpoint.path, absl::StrCat("epoch ", checkpoint.epoch, " checkpoint"));
}

std::string ResumeFrom(const ArtifactContext& ctx, const JobSpec& job, const std::string& dir) {
  if (!job.resume() || job.attempt() <= 1) return "";
  const LocalCheckpoint local = NewestLocal(ctx.work_dir, job);
  if (job.resume_artifact_id() == 0 || job.resume_epoch() <= local.epoch) {
    if (!local.path.empty()) Log(absl::StrCat("job ", job.job_id(), " resumes after epoch ", local.epoch, " from ", local.path));
    return local.path;
  }
  const std::string path = absl::StrCat(fs::absolute(dir).lexically_normal().string(), "/resume-from-epoch-",
                                        job.resume_epoch(), ".ckpt");
  if (absl::Status fetched = DownloadArtifact(*ctx.stub, ctx.token, job.resume_artifact_id(), path); !fetched.ok()) {
    Log(absl::StrCat("job ", job.job_id(), ": cannot fetch its epoch ", job.resume_epoch(),
                     " checkpoint: ", fetched.message(), local.path.empty() ? "; starting afresh" : ""));
    return local.path;
  }
  Log(absl::StrCat("job ", job.job_id(), " resumes after epoch ", job.resume_epoch(), " from the artifact store"));
  return path;
}

absl::StatusOr<std::string> PredictCheckpoint(const ArtifactContext& ctx, const JobSpec& job) {
  const std::string& given = job.predict().checkpoint_path();
  std::error_code error;
  if (fs::is_regular_file(given, error) || job.predict().checkpoint_artifact_id() == 0) return given;
  const fs::path cached = fs::absolute(fs::path(ctx.work_dir) / absl::StrCat("train-job-", job.predict().train_job_id()) /
                                       "best.safetensors");
  if (!fs::is_regular_file(cached, error)) {
    fs::create_directories(cached.parent_path(), error);
    absl::Status fetched = DownloadArtifact(*ctx.stub, ctx.token, job.predict().checkpoint_artifact_id(), cached.string());
    if (!fetched.ok()) {
      return absl::UnavailableError(absl::StrCat(given, " is not on this worker and fetching it failed: ", fetched.message()));
    }
  }
  return cached.lexically_normal().string();
}

void UploadBest(const ArtifactContext& ctx, const JobSpec& job, const std::string& path) {
  if (!path.empty()) Upload(ctx, Header(job, foldstack::v1::ARTIFACT_KIND_BEST_CHECKPOINT), path, "best checkpoint");
}

void UploadLog(const ArtifactContext& ctx, const JobSpec& job, const std::string& path) {
  Upload(ctx, Header(job, foldstack::v1::ARTIFACT_KIND_LOG), path, "log");
}

}  // namespace foldstack::worker
