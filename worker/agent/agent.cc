#include "worker/agent/agent.h"

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <iostream>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/job_events.h"
#include "common/status_macros.h"
#include "proto/rpc_util.h"
#include "proto/tls.h"
#include "worker/agent/coordinator_calls.h"
#include "worker/agent/graceful_stop.h"
#include "worker/agent/held_out_predictions.h"
#include "worker/agent/job_artifacts.h"
#include "worker/agent/log_tail.h"
#include "worker/agent/machine_probe.h"
#include "worker/agent/python_module.h"

namespace foldstack::worker {
namespace {

using foldstack::v1::JobSpec;
using std::chrono::milliseconds;

constexpr int kLogTailLines = 40;
constexpr milliseconds kCallDeadline{30000};

void Log(const std::string& line) { std::cerr << "[worker] " << line << std::endl; }

void SleepMs(int ms) { std::this_thread::sleep_for(milliseconds(ms)); }

std::string EnsureDir(const std::string& path) {
  mkdir(path.c_str(), 0755);
  return path;
}

// The trainer keeps the best epoch in <out_dir>/best.safetensors (worker/trainer/trainer.h);
// absolute, so that any worker sharing the filesystem can open it. "" when there is none.
std::string CheckpointPath(const std::string& job_dir) {
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::absolute(std::filesystem::path(job_dir) / "best.safetensors", ec);
  return !ec && std::filesystem::is_regular_file(path, ec) ? path.lexically_normal().string() : "";
}

// Everything a job's child writes to stderr (and a program's stdout).
std::string LogPath(const std::string& job_dir) { return job_dir + "/job.log"; }

// "job 7" or "prediction job 3".
std::string JobName(foldstack::v1::JobKind kind, int64_t job_id) {
  return absl::StrCat(kind == foldstack::v1::JOB_KIND_PREDICT ? "prediction job " : "job ", job_id);
}
std::string JobName(const JobSpec& job) { return JobName(job.kind(), job.job_id()); }

}  // namespace

struct Agent::RunningJob {
  JobKey key;
  int64_t lease_id = 0;
  std::mutex mutex;
  ChildProcess* child = nullptr;  // set while the trainer runs
  bool revoked = false;
  std::atomic<bool> ended{false};  // its thread is about to return

  // Revoked by the coordinator (or the worker is stopping): end the child now.
  void Kill() {
    std::lock_guard<std::mutex> lock(mutex);
    revoked = true;
    if (child != nullptr) child->Signal(SIGKILL);
  }
  void Signal(int signal) {
    std::lock_guard<std::mutex> lock(mutex);
    if (child != nullptr) child->Signal(signal);
  }
  void Attach(ChildProcess* running) {
    std::lock_guard<std::mutex> lock(mutex);
    child = running;
    if (revoked) child->Signal(SIGKILL);
  }
  // The child has been reaped; returns whether the job was revoked meanwhile.
  bool Detach() {
    std::lock_guard<std::mutex> lock(mutex);
    child = nullptr;
    return revoked;
  }
};

Agent::Agent(AgentOptions options) : options_(std::move(options)) {
  stub_ = foldstack::v1::Coordinator::NewStub(rpc::MakeClientChannel(options_.coordinator, options_.tls_ca));
  if (options_.slots < 1) options_.slots = 1;
  if (options_.threads_per_job <= 0) options_.threads_per_job = std::max(1, CpuCores() / options_.slots);
}

Agent::~Agent() {
  Stop();
  for (auto& [entry, thread] : job_threads_) {
    if (thread.joinable()) thread.join();
  }
}

void Agent::JoinEndedJobs() {
  for (auto it = job_threads_.begin(); it != job_threads_.end();) {
    if (!it->first->ended) {
      ++it;
      continue;
    }
    it->second.join();
    it = job_threads_.erase(it);
  }
}

bool Agent::IdleTooLong(size_t running, std::optional<std::chrono::steady_clock::time_point>& idle_since) const {
  if (options_.exit_when_idle_ms <= 0) return false;
  const auto now = std::chrono::steady_clock::now();
  if (running > 0 || !idle_since.has_value()) {
    idle_since = running > 0 ? std::nullopt : std::optional(now);
    return false;
  }
  return now - *idle_since >= milliseconds(options_.exit_when_idle_ms);
}

void Agent::Stop() { stopping_ = true; }

absl::Status Agent::Register() {
  foldstack::v1::RegisterWorkerRequest request;
  request.set_hostname(Hostname());
  request.set_cpu_cores(CpuCores());
  request.set_slots(options_.slots);
  request.set_version("foldstack-worker 0.1");
  for (const auto& device : ProbeDevices()) {
    if (device.kind() == "cuda") ++cuda_devices_;
    *request.add_devices() = device;
  }
  foldstack::v1::RegisterWorkerResponse response;
  int failures = 0;
  while (!stopping_) {
    auto context = rpc::MakeContext(options_.token, milliseconds(5000));
    absl::Status status = rpc::FromGrpcStatus(stub_->RegisterWorker(context.get(), request, &response));
    if (status.ok()) break;
    if (status.code() == absl::StatusCode::kUnauthenticated) return status;
    if (failures++ % 10 == 0) Log(absl::StrCat("cannot register with ", options_.coordinator, " yet: ", status.message()));
    SleepMs(500);
  }
  if (stopping_) return absl::CancelledError("stopped");
  worker_id_ = response.worker_id();
  heartbeat_interval_ms_ = std::max(100, response.heartbeat_interval_ms());
  Log(absl::StrCat("registered as ", worker_id_, " with ", options_.coordinator, " (", request.cpu_cores(),
                   " cores, ", request.devices_size() - 1, " CUDA devices, ", options_.slots, " slots)"));
  return absl::OkStatus();
}

absl::Status Agent::Run() {
  if (options_.trainer_command.empty()) return absl::InvalidArgumentError("no trainer command");
  if (options_.work_dir.empty()) options_.work_dir = absl::StrCat("/tmp/foldstack-worker-", getpid());
  EnsureDir(options_.work_dir);
  absl::StatusOr<std::string> python_path = WritePythonModule(options_.work_dir);
  if (!python_path.ok()) return python_path.status();
  python_path_ = *python_path;
  if (absl::Status status = Register(); !status.ok()) return status;
  std::thread heartbeat([this] { HeartbeatLoop(); });

  std::optional<std::chrono::steady_clock::time_point> idle_since;
  while (!stopping_) {
    JoinEndedJobs();
    size_t running;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running = running_.size();
    }
    bool budget_left = !draining_ && (options_.max_jobs == 0 || jobs_started_ < options_.max_jobs);
    if (!budget_left && running == 0) break;
    if (IdleTooLong(running, idle_since)) {
      Log(absl::StrCat("no job for ", options_.exit_when_idle_ms / 1000.0, " s; exiting"));
      break;
    }
    if (budget_left && running < static_cast<size_t>(options_.slots)) {
      foldstack::v1::LeaseJobRequest request;
      request.set_worker_id(worker_id_);
      foldstack::v1::LeaseJobResponse response;
      auto context = rpc::MakeContext(options_.token, kCallDeadline);
      absl::Status status = rpc::FromGrpcStatus(stub_->LeaseJob(context.get(), request, &response));
      if (status.code() == absl::StatusCode::kUnauthenticated) {
        stopping_ = true;
        heartbeat.join();
        return status;
      }
      if (status.code() == absl::StatusCode::kNotFound) {
        Log("the coordinator no longer knows this worker; registering again");
        if (absl::Status again = Register(); !again.ok()) break;
        continue;
      }
      if (status.ok() && response.leased()) {
        const JobSpec job = response.job();
        auto entry = std::make_shared<RunningJob>();
        entry->key = {job.kind(), job.job_id()};
        entry->lease_id = job.lease_id();
        {
          std::lock_guard<std::mutex> lock(mutex_);
          running_[entry->key] = entry;
        }
        ++jobs_started_;
        job_threads_.emplace_back(entry, std::thread([this, job, entry] {
                                    RunJob(job, entry);
                                    entry->ended = true;
                                  }));
        continue;  // maybe another slot is free
      }
      if (!status.ok()) Log(absl::StrCat("lease failed: ", status.message()));
    }
    SleepMs(options_.poll_interval_ms);
  }

  // Stopping: end running trainers; their jobs go back to the queue at once.
  std::vector<std::shared_ptr<RunningJob>> jobs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [id, job] : running_) jobs.push_back(job);
  }
  for (auto& job : jobs) {
    job->Kill();
    ReportFailure(job->key, job->lease_id, "worker stopped", "", /*retryable=*/true);
  }
  for (auto& [entry, thread] : job_threads_) thread.join();
  job_threads_.clear();
  stopping_ = true;
  heartbeat.join();
  return absl::OkStatus();
}

std::vector<Agent::JobKey> Agent::RunningJobs() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<JobKey> keys;
  for (const auto& [key, job] : running_) keys.push_back(key);
  return keys;
}

void Agent::Revoke(const JobKey& key) {
  std::shared_ptr<RunningJob> job;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = running_.find(key);
    if (it == running_.end()) return;
    job = it->second;
  }
  Log(absl::StrCat(JobName(key.first, key.second), " revoked by the coordinator (cancelled or lease lost); stopping it"));
  job->Kill();
}

void Agent::HeartbeatLoop() {
  while (!stopping_) {
    foldstack::v1::HeartbeatRequest request;
    request.set_worker_id(worker_id_);
    for (const auto& [kind, id] : RunningJobs()) {
      if (kind == foldstack::v1::JOB_KIND_PREDICT) {
        request.add_running_prediction_job_ids(id);
      } else {
        request.add_running_job_ids(id);
      }
    }
    foldstack::v1::HeartbeatResponse response;
    auto context = rpc::MakeContext(options_.token, milliseconds(heartbeat_interval_ms_ * 2 + 1000));
    absl::Status status = rpc::FromGrpcStatus(stub_->Heartbeat(context.get(), request, &response));
    if (status.ok()) {
      for (int64_t id : response.revoked_job_ids()) Revoke({foldstack::v1::JOB_KIND_TRAIN, id});
      for (int64_t id : response.revoked_prediction_job_ids()) Revoke({foldstack::v1::JOB_KIND_PREDICT, id});
      if (response.drain() && !draining_.exchange(true)) {
        Log("draining: finishing the running jobs, taking no new ones, then exiting");
      }
    } else {
      Log(absl::StrCat("heartbeat failed: ", status.message()));
    }
    for (int waited = 0; waited < heartbeat_interval_ms_ && !stopping_; waited += 50) SleepMs(50);
  }
}

absl::StatusOr<std::shared_ptr<const foldstack::v1::GetSplitResponse>> Agent::Split(int64_t split_id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = splits_.find(split_id);
    if (it != splits_.end()) return it->second;
  }
  auto split = std::make_shared<foldstack::v1::GetSplitResponse>();
  foldstack::v1::GetSplitRequest request;
  request.set_split_id(split_id);
  absl::Status status = CallWithRetry(options_.token, [&](grpc::ClientContext* c) {
    return stub_->GetSplit(c, request, split.get());
  });
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mutex_);
  splits_[split_id] = split;
  return split;
}

void Agent::ReportFailure(const JobKey& job, int64_t lease_id, const std::string& reason,
                          const std::string& log_tail, bool retryable) {
  Log(absl::StrCat(JobName(job.first, job.second), " failed: ", reason));
  foldstack::v1::FailJobRequest request;
  request.set_job_id(job.second);
  request.set_kind(job.first);
  request.set_lease_id(lease_id);
  request.set_reason(reason);
  request.set_log_tail(log_tail);
  request.set_retryable(retryable);
  foldstack::v1::FailJobResponse response;
  (void)CallWithRetry(options_.token, [&](grpc::ClientContext* c) { return stub_->FailJob(c, request, &response); });
}

void Agent::RunJob(const JobSpec& job, const std::shared_ptr<RunningJob>& entry) {
  const bool predict = job.kind() == foldstack::v1::JOB_KIND_PREDICT;
  Log(absl::StrCat(JobName(job), " (sweep ", job.sweep_id(), ", trial ", job.trial_id(), ", fold ", job.fold(),
                   predict ? absl::StrCat(", run ", job.predict().run_id()) : "", ", attempt ", job.attempt(),
                   job.program().empty() ? "" : absl::StrCat(", program ", job.program()), ") starting"));
  const std::string dir = EnsureDir(
      absl::StrCat(options_.work_dir, predict ? "/predict-" : "/job-", job.job_id(), "-a", job.attempt()));
  std::shared_ptr<const foldstack::v1::GetSplitResponse> split;
  absl::StatusOr<SpawnOptions> launch = Prepare(job, dir, &split);
  absl::StatusOr<ChildProcess> child =
      launch.ok() ? ChildProcess::Spawn(*launch) : absl::StatusOr<ChildProcess>(launch.status());
  if (child.ok()) {
    Supervise(job, *entry, *child, dir, split.get());
  } else {
    // A missing program or a bad command fails on every worker; a transport error may not.
    const absl::StatusCode code = child.status().code();
    const bool retryable = code != absl::StatusCode::kFailedPrecondition && code != absl::StatusCode::kInvalidArgument;
    ReportFailure(entry->key, job.lease_id(), std::string(child.status().message()), "", retryable);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(entry->key);
}

absl::StatusOr<SpawnOptions> Agent::Prepare(const JobSpec& job, const std::string& dir,
                                            std::shared_ptr<const foldstack::v1::GetSplitResponse>* split) {
  JobSpec local = job;
  if (job.kind() == foldstack::v1::JOB_KIND_PREDICT) {
    FS_ASSIGN_OR_RETURN(std::string checkpoint, PredictCheckpoint(Artifacts(), job));
    local.mutable_predict()->set_checkpoint_path(checkpoint);
  } else {
    FS_ASSIGN_OR_RETURN(*split, Split(job.split_id()));
  }
  return PrepareLaunch(local, split->get(), LaunchFor(job, dir));
}

ArtifactContext Agent::Artifacts() const { return {stub_.get(), options_.token, options_.work_dir}; }

LaunchContext Agent::LaunchFor(const JobSpec& job, const std::string& dir) {
  LaunchContext ctx;
  ctx.dir = std::filesystem::absolute(dir).lexically_normal().string();
  // The coordinator placed the job here because this worker has what it asks for.
  const nlohmann::json params = nlohmann::json::parse(job.params_json(), nullptr, false);
  const std::string wanted = params.is_object() ? params.value("device", std::string("auto")) : "auto";
  ctx.trainer.device = wanted == "cuda" || (wanted == "auto" && cuda_devices_ > 0) ? "cuda" : "cpu";
  ctx.trainer.threads = options_.threads_per_job;
  ctx.trainer.write_resume = job.resume();
  ctx.trainer.resume_from = ResumeFrom(Artifacts(), job, dir);
  ctx.trainer_command = options_.trainer_command;
  ctx.python_path = python_path_;
  return ctx;
}

void Agent::Supervise(const JobSpec& job, RunningJob& entry, ChildProcess& child, const std::string& dir,
                      const foldstack::v1::GetSplitResponse* split) {
  const auto started = std::chrono::steady_clock::now();
  const bool program = !job.program().empty() && split != nullptr;
  entry.Attach(&child);
  LogTail tail(kLogTailLines, LogPath(dir));
  auto relay_log = [&](int fd) {
    ForEachLine(fd, [&](const std::string& line) {
      std::cerr << "[job " << job.job_id() << "] " << line << std::endl;
      tail.Add(line);
    });
  };
  std::vector<std::thread> log_readers;
  log_readers.emplace_back(relay_log, child.stderr_fd());
  if (program) log_readers.emplace_back(relay_log, child.stdout_fd());  // a program's prints are log lines

  HeldOutPredictions predictions(job, split);
  GracefulStop stop([&entry](int signal) { entry.Signal(signal); }, StopFilePath(dir), options_.stop_grace_ms);
  EventRelay relay(*stub_, options_.token, job, predictions,
                   {[&](const std::string&) { stop.Begin(); }, [&entry] { entry.Signal(SIGKILL); },
                    [&](const common::CheckpointEvent& checkpoint) { KeepCheckpoint(Artifacts(), job, dir, checkpoint); }});
  ForEachLine(program ? child.events_fd() : child.stdout_fd(), [&](const std::string& line) { relay.OnLine(line); });
  OutcomeInputs inputs;
  inputs.exit = child.Wait();
  stop.Finished();
  for (std::thread& reader : log_readers) reader.join();
  inputs.revoked = entry.Detach();
  inputs.program = program;
  inputs.training = split != nullptr;
  inputs.metric = job.objective_metric();
  inputs.last_error = tail.LastError();
  inputs.predictions_complete = predictions.CheckComplete();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  Settle(job, DecideOutcome(inputs, relay.state()), relay, dir, tail.Text(), seconds);
}

void Agent::Settle(const JobSpec& job, const JobOutcome& outcome, EventRelay& relay, const std::string& dir,
                   const std::string& log_tail, double seconds) {
  const JobKey key{job.kind(), job.job_id()};
  switch (outcome.kind) {
    case OutcomeKind::kPruned:
      Log(absl::StrCat(JobName(job), " pruned: ", outcome.reason));
      return;
    case OutcomeKind::kDropped:
      Log(absl::StrCat(JobName(job), " dropped: ", outcome.reason));
      return;
    case OutcomeKind::kFail:
      ReportFailure(key, job.lease_id(), outcome.reason, log_tail, outcome.retryable);
      UploadLog(Artifacts(), job, LogPath(dir));
      return;
    case OutcomeKind::kComplete:
      break;
  }
  const common::DoneEvent done = relay.Result(seconds);
  const bool training = job.kind() != foldstack::v1::JOB_KIND_PREDICT;
  const std::string best = training ? CheckpointPath(dir) : "";
  UploadBest(Artifacts(), job, best);  // before completing: a completed trial's checkpoint is in the store
  absl::Status status = relay.Complete(done, best);
  if (!status.ok() && !IsLeaseLost(status)) {
    ReportFailure(key, job.lease_id(), absl::StrCat("reporting results failed: ", status.message()), log_tail, true);
    return;
  }
  Log(absl::StrCat(JobName(job), status.ok() ? " done" : " completion refused: ",
                   status.ok() ? (training ? absl::StrCat(": macro-F1 ", done.macro_f1) : "")
                               : std::string(status.message())));
}

}  // namespace foldstack::worker
