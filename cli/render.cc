#include "cli/render.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/params_summary.h"
#include "cli/state_names.h"
#include "cli/table.h"
#include "common/byte_size.h"
#include "google/protobuf/util/json_util.h"

namespace foldstack::cli {
namespace {

namespace v1 = foldstack::v1;

std::string Score(double value, int folds_done) { return folds_done > 0 ? FormatFixed(value, 4) : "-"; }

std::string LocalTime(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(unix_ms), absl::LocalTimeZone());
}

}  // namespace

std::string RenderSweeps(const foldstack::v1::ListSweepsResponse& response) {
  Table table({"ID", "NAME", "STATE", "METHOD", "TRIALS", "DONE", "RUNNING", "QUEUED", "FAILED", "PRUNED",
               "METRIC", "BEST", "CREATED"});
  for (const auto& sweep : response.sweeps()) {
    table.AddRow({absl::StrCat(sweep.sweep_id()), sweep.name(),
                  sweep.paused() && sweep.state() == v1::SWEEP_STATE_RUNNING ? "paused" : Name(sweep.state()), sweep.method(),
                  absl::StrCat(sweep.trials(), "/", std::max(sweep.trials(), sweep.trial_budget())),
                  absl::StrCat(sweep.jobs_done(), "/", sweep.jobs_total()), absl::StrCat(sweep.jobs_running()),
                  absl::StrCat(sweep.jobs_queued()), absl::StrCat(sweep.jobs_failed()),
                  absl::StrCat(sweep.jobs_pruned()), sweep.metric(),
                  std::isnan(sweep.best_value()) ? "-" : Score(sweep.best_value(), sweep.jobs_done()),
                  LocalTime(sweep.created_unix_ms())});
  }
  return table.Render();
}

std::string RenderSweep(const foldstack::v1::ShowSweepResponse& response) {
  const auto& s = response.summary();
  std::string out = absl::StrCat("sweep ", s.sweep_id(), " \"", s.name(), "\": ", Name(s.state()), "\n", "dataset: ",
                                 s.dataset_kind(), " at ", s.dataset_root(), ", ", s.k(), " folds, ",
                                 s.label_version() == 0 ? std::string("original labels")
                                                        : absl::StrCat("label version ", s.label_version()),
                                 "\n",
                                 RenderProgress(s), "\n\n");
  Table table({"JOB", "TRIAL", "FOLD", "STATE", "ATTEMPT", "WORKER", "MACRO_F1", absl::AsciiStrToUpper(s.metric()),
               "ERROR"});
  for (const auto& job : response.jobs()) {
    const bool ended = job.state() == v1::JOB_STATE_DONE || job.state() == v1::JOB_STATE_PRUNED;
    std::string error = job.error();
    if (job.state() == v1::JOB_STATE_PRUNED) error = absl::StrCat("pruned after epoch ", job.stopped_epoch());
    table.AddRow({absl::StrCat(job.job_id()), absl::StrCat(job.trial_id()), absl::StrCat(job.fold()), Name(job.state()),
                  absl::StrCat(job.attempt()), job.worker_id().empty() ? "-" : job.worker_id(),
                  job.state() == v1::JOB_STATE_DONE ? FormatFixed(job.macro_f1(), 4) : "-",
                  ended && !std::isnan(job.value()) ? FormatFixed(job.value(), 4) : "-", error});
  }
  return out + table.Render();
}

std::string RenderWorkers(const foldstack::v1::ListWorkersResponse& response, int64_t now_unix_ms) {
  Table table({"WORKER", "HOST", "STATE", "CORES", "DEVICES", "RUNNING", "LAST_SEEN"});
  for (const auto& worker : response.workers()) {
    std::vector<std::string> devices;
    for (const auto& device : worker.devices()) {
      if (device.kind() == "cuda") devices.push_back(absl::StrCat("cuda:", device.index(), " ", device.name()));
    }
    table.AddRow({worker.worker_id(), worker.hostname(), Name(worker.state()), absl::StrCat(worker.cpu_cores()),
                  devices.empty() ? "cpu" : absl::StrJoin(devices, ", "),
                  worker.running_job_ids().empty() ? "-" : absl::StrJoin(worker.running_job_ids(), ","),
                  absl::StrCat(FormatDuration((now_unix_ms - worker.last_heartbeat_unix_ms()) / 1000.0), " ago")});
  }
  return table.Render();
}

std::string RenderAudit(const foldstack::v1::ListAuditResponse& response) {
  Table table({"WHEN", "WHO", "ACTION", "OBJECT"});
  for (const auto& entry : response.entries()) {
    table.AddRow({absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(entry.at_unix_ms()), absl::UTCTimeZone()),
                  entry.who(), entry.action(), entry.object_id()});
  }
  return table.Render();
}

std::string RenderLeaderboard(const foldstack::v1::LeaderboardResponse& response) {
  std::vector<std::string> params_json;
  for (const auto& row : response.rows()) params_json.push_back(row.params_json());
  const std::vector<std::string> params = DistinguishingParams(params_json);
  const std::string metric = response.metric().empty() ? "val_macro_f1" : response.metric();
  Table table({"RANK", "TRIAL", "STATE", "FOLDS", absl::AsciiStrToUpper(metric), "STD", "MACRO_F1", "ACCURACY",
               "PARAMS"});
  for (int i = 0; i < response.rows_size(); ++i) {
    const auto& row = response.rows(i);
    table.AddRow({absl::StrCat(row.rank()), absl::StrCat(row.trial_id()), Name(row.trial_state()),
                  absl::StrCat(row.folds_done(), "/", response.k()), FormatFixed(row.value_mean(), 4),
                  FormatFixed(row.value_std(), 4), FormatFixed(row.macro_f1_mean(), 4),
                  FormatFixed(row.accuracy_mean(), 4), params[i]});
  }
  return absl::StrCat("sweep ", response.sweep_id(), " leaderboard (", metric, ", ",
                      response.minimize() ? "lowest" : "highest",
                      " first, mean over done folds; PARAMS: the settings that differ between trials, all of "
                      "them with --json)\n",
                      table.Render());
}

std::string RenderProgress(const foldstack::v1::SweepSummary& s) {
  const int ended = s.jobs_done() + s.jobs_failed() + s.jobs_cancelled() + s.jobs_pruned();
  // Trials are made on demand: the bar counts the jobs the whole budget will have.
  const int total = std::max(s.jobs_total(), s.trial_budget() * std::max(1, s.k()));
  std::string line = absl::StrCat(ProgressBar(ended, total, 30), "  trials ", s.trials(), "/",
                                  std::max(s.trials(), s.trial_budget()), " · done ", s.jobs_done(), " · running ",
                                  s.jobs_running(), " · queued ", s.jobs_queued(), " · failed ", s.jobs_failed());
  if (s.jobs_pruned() > 0) absl::StrAppend(&line, " · pruned ", s.jobs_pruned());
  if (s.jobs_cancelled() > 0) absl::StrAppend(&line, " · cancelled ", s.jobs_cancelled());
  if (!std::isnan(s.best_value()) && s.jobs_done() > 0) {
    absl::StrAppend(&line, " · best ", s.metric().empty() ? "val_macro_f1" : s.metric(), " ",
                    FormatFixed(s.best_value(), 4));
  }
  if (s.paused()) absl::StrAppend(&line, " · PAUSED");
  if (s.state() == v1::SWEEP_STATE_RUNNING && !s.paused()) absl::StrAppend(&line, " · ETA ", FormatDuration(s.eta_seconds()));
  return line;
}

std::string RenderTrials(const foldstack::v1::ListTrialsResponse& response) {
  std::vector<std::string> params_json;
  for (const auto& row : response.trials()) params_json.push_back(row.params_json());
  const std::vector<std::string> params = DistinguishingParams(params_json);
  Table table({"TRIAL", "#", "STATE", "FOLDS", absl::AsciiStrToUpper(response.metric()), "PRUNED_AT", "PARAMS"});
  for (int i = 0; i < response.trials_size(); ++i) {
    const auto& row = response.trials(i);
    table.AddRow({absl::StrCat(row.trial_id()), absl::StrCat(row.index()), Name(row.state()),
                  absl::StrCat(row.folds_done(), "/", response.k()),
                  std::isnan(row.value()) ? "-" : FormatFixed(row.value(), 4),
                  row.state() == v1::TRIAL_STATE_PRUNED ? absl::StrCat("epoch ", row.stopped_epoch(), ": ", row.stop_reason()) : "-",
                  params[i]});
  }
  return table.Render();
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace foldstack::cli

namespace foldstack::cli {
namespace {

Table ArtifactTable(const google::protobuf::RepeatedPtrField<foldstack::v1::ArtifactRow>& rows) {
  Table table({"ID", "TRIAL", "FOLD", "KIND", "EPOCH", "SIZE", "SHA256", "CREATED"});
  for (const foldstack::v1::ArtifactRow& a : rows) {
    table.AddRow({std::to_string(a.artifact_id()), std::to_string(a.trial_id()), std::to_string(a.fold()),
                  ArtifactKindLabel(a.kind()), a.epoch() > 0 ? std::to_string(a.epoch()) : "-",
                  common::FormatBytes(a.size()), a.sha256().substr(0, 12), LocalTime(a.created_unix_ms())});
  }
  return table;
}

}  // namespace

std::string ArtifactKindLabel(foldstack::v1::ArtifactKind kind) {
  switch (kind) {
    case foldstack::v1::ARTIFACT_KIND_BEST_CHECKPOINT:
      return "best";
    case foldstack::v1::ARTIFACT_KIND_RESUME_CHECKPOINT:
      return "resume";
    case foldstack::v1::ARTIFACT_KIND_LOG:
      return "log";
    default:
      return "?";
  }
}

std::string RenderArtifacts(const foldstack::v1::ListArtifactsResponse& response) {
  if (response.artifacts().empty()) return "no artifacts\n";
  return absl::StrCat(ArtifactTable(response.artifacts()).Render(), response.artifacts_size(), " artifacts, ",
                      common::FormatBytes(response.total_bytes()), "\n");
}

std::string RenderPrunedArtifacts(const foldstack::v1::PruneArtifactsResponse& response, bool dry_run) {
  std::string out = response.deleted().empty() ? "" : ArtifactTable(response.deleted()).Render();
  absl::StrAppend(&out, "sweep ", response.sweep_id(), ": ", dry_run ? "would delete " : "deleted ",
                  response.deleted_size(), response.deleted_size() == 1 ? " checkpoint" : " checkpoints", ", ",
                  common::FormatBytes(response.bytes_freed()), dry_run ? " would be freed" : " freed", " (kept trials: ",
                  response.kept_trial_ids().empty() ? "none" : absl::StrJoin(response.kept_trial_ids(), ", "), ")\n");
  return out;
}

}  // namespace foldstack::cli
