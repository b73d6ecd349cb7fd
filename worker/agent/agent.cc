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
#include "proto/rpc_util.h"
#include "worker/agent/machine_probe.h"

namespace foldstack::worker {
namespace {

using foldstack::v1::JobSpec;
using std::chrono::milliseconds;

constexpr int kLogTailLines = 40;
constexpr milliseconds kCallDeadline{30000};

void Log(const std::string& line) { std::cerr << "[worker] " << line << std::endl; }

void SleepMs(int ms) { std::this_thread::sleep_for(milliseconds(ms)); }

// Transient transport errors are retried: every report is idempotent on the coordinator's side.
bool IsTransient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

// A held job the coordinator no longer recognises: stop working on it.
bool IsLeaseLost(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition ||
         status.code() == absl::StatusCode::kNotFound;
}

absl::Status CallWithRetry(const std::string& token,
                           const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  absl::Status status;
  for (int attempt = 0; attempt < 6; ++attempt) {
    auto context = rpc::MakeContext(token, kCallDeadline);
    status = rpc::FromGrpcStatus(call(context.get()));
    if (!IsTransient(status)) return status;
    SleepMs(200 << attempt);
  }
  return status;
}

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

  void Kill() {
    std::lock_guard<std::mutex> lock(mutex);
    revoked = true;
    if (child != nullptr) child->Signal(SIGKILL);
  }
};

Agent::Agent(AgentOptions options) : options_(std::move(options)) {
  stub_ = foldstack::v1::Coordinator::NewStub(rpc::MakeChannel(options_.coordinator));
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

absl::StatusOr<std::string> Agent::WriteJobFile(const JobSpec& job, const std::string& dir) {
  const bool predict = job.kind() == foldstack::v1::JOB_KIND_PREDICT;
  std::shared_ptr<const foldstack::v1::GetSplitResponse> split;
  if (!predict) {
    absl::StatusOr<std::shared_ptr<const foldstack::v1::GetSplitResponse>> loaded = Split(job.split_id());
    if (!loaded.ok()) return loaded.status();
    split = *loaded;
  }
  nlohmann::json spec;
  spec["mode"] = predict ? "predict" : "train";
  spec["job_id"] = job.job_id();
  spec["dataset"] = {{"kind", job.dataset_kind()}, {"root", job.dataset_root()}};
  spec["num_classes"] = job.num_classes();
  spec["fold"] = job.fold();
  if (!job.objective_metric().empty()) {
    spec["objective"] = {{"metric", job.objective_metric()}, {"minimize", job.objective_minimize()}};
  }
  try {
    spec["params"] = nlohmann::json::parse(job.params_json());
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("job ", job.job_id(), ": params are not JSON: ", e.what()));
  }
  nlohmann::json samples = nlohmann::json::array();
  if (predict) {
    // Sample ids are eval rows: what the coordinator expects back.
    const auto& keys = job.predict().image_keys();
    for (int row = 0; row < keys.size(); ++row) samples.push_back({{"id", row}, {"key", keys[row]}});
    spec["checkpoint"] = job.predict().checkpoint_path();
    spec["hflip_tta"] = job.predict().hflip_tta();
  } else {
    for (const auto& sample : split->samples()) {
      samples.push_back({{"id", sample.sample_id()}, {"key", sample.sample_key()},
                         {"label", sample.label()}, {"fold", sample.fold()}});
    }
  }
  spec["samples"] = std::move(samples);
  // The coordinator placed the job here because this worker has what it asks for.
  const std::string wanted = spec["params"].value("device", std::string("auto"));
  spec["device"] = wanted == "cuda" || (wanted == "auto" && cuda_devices_ > 0) ? "cuda" : "cpu";
  spec["threads"] = options_.threads_per_job;
  spec["out_dir"] = dir;
  std::string path = dir + "/job.json";
  std::ofstream out(path);
  out << spec.dump();
  if (!out.good()) return absl::InternalError(absl::StrCat("cannot write ", path));
  return path;
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
  const std::string& token = options_.token;
  auto fail = [&](const std::string& reason, const std::string& tail, bool retryable) {
    ReportFailure(entry->key, job.lease_id(), reason, tail, retryable);
  };
  const bool predict = job.kind() == foldstack::v1::JOB_KIND_PREDICT;

  Log(absl::StrCat(JobName(job), " (sweep ", job.sweep_id(), ", trial ", job.trial_id(), ", fold ", job.fold(),
                   predict ? absl::StrCat(", run ", job.predict().run_id()) : "", ", attempt ", job.attempt(),
                   ") starting"));
  const std::string dir = EnsureDir(
      absl::StrCat(options_.work_dir, predict ? "/predict-" : "/job-", job.job_id(), "-a", job.attempt()));
  absl::StatusOr<std::string> job_file = WriteJobFile(job, dir);
  std::vector<std::string> argv = options_.trainer_command;
  argv.push_back("--job");
  argv.push_back(job_file.ok() ? *job_file : "");
  absl::StatusOr<ChildProcess> child =
      job_file.ok() ? ChildProcess::Spawn(argv) : absl::StatusOr<ChildProcess>(job_file.status());
  if (!child.ok()) {
    fail(std::string(child.status().message()), "", true);
  } else {
    {
      std::lock_guard<std::mutex> lock(entry->mutex);
      entry->child = &*child;
      if (entry->revoked) child->Signal(SIGKILL);
    }
    std::deque<std::string> tail;
    std::mutex tail_mutex;
    std::thread stderr_reader([&] {
      ForEachLine(child->stderr_fd(), [&](const std::string& line) {
        std::cerr << "[job " << job.job_id() << "] " << line << std::endl;
        std::lock_guard<std::mutex> lock(tail_mutex);
        tail.push_back(line);
        if (tail.size() > kLogTailLines) tail.pop_front();
      });
    });

    bool lease_lost = false;
    std::optional<std::string> pruned;  // the sweep's pruner stopped the job: why
    absl::Status report_error;
    std::optional<common::DoneEvent> done;
    std::unique_ptr<grpc::ClientContext> stream_context;
    foldstack::v1::ReportPredictionsResponse stream_response;
    std::unique_ptr<grpc::ClientWriter<foldstack::v1::PredictionBatch>> stream;
    auto note_error = [&](const absl::Status& status) {
      if (status.ok() || !report_error.ok()) return;
      report_error = status;
      lease_lost = IsLeaseLost(status);
      child->Signal(SIGKILL);  // no point training on: the coordinator will not take the results
    };

    ForEachLine(child->stdout_fd(), [&](const std::string& line) {
      if (!report_error.ok() || pruned.has_value()) return;
      absl::StatusOr<common::JobEvent> event = common::ParseJobEvent(line);
      if (!event.ok()) return note_error(event.status());
      if (auto* epoch = std::get_if<common::EpochEvent>(&*event)) {
        foldstack::v1::ReportMetricsRequest request;
        request.set_job_id(job.job_id());
        request.set_lease_id(job.lease_id());
        for (const auto& [name, value] : epoch->metrics) {
          auto* metric = request.add_metrics();
          metric->set_epoch(epoch->epoch);
          metric->set_name(name);
          metric->set_value(value);
        }
        foldstack::v1::ReportMetricsResponse response;
        absl::Status status =
            CallWithRetry(token, [&](grpc::ClientContext* c) { return stub_->ReportMetrics(c, request, &response); });
        note_error(status);
        if (status.ok() && response.directive() == foldstack::v1::JOB_DIRECTIVE_STOP) {
          // The coordinator has already ended the job as pruned, metrics kept: stop training.
          pruned = response.reason();
          child->Signal(SIGTERM);
        }
      } else if (auto* predictions = std::get_if<common::PredictionsEvent>(&*event)) {
        if (!stream) {
          stream_context = rpc::MakeContext(token, milliseconds(600000));
          stream = stub_->ReportPredictions(stream_context.get(), &stream_response);
        }
        foldstack::v1::PredictionBatch batch;
        batch.set_job_id(job.job_id());
        batch.set_lease_id(job.lease_id());
        batch.set_kind(job.kind());
        batch.set_num_classes(predictions->num_classes);
        batch.mutable_sample_ids()->Add(predictions->sample_ids.begin(), predictions->sample_ids.end());
        batch.mutable_probs()->Add(predictions->probs.begin(), predictions->probs.end());
        if (!stream->Write(batch)) note_error(rpc::FromGrpcStatus(stream->Finish()));
      } else if (auto* finished = std::get_if<common::DoneEvent>(&*event)) {
        done = *finished;
      }  // CheckpointEvent: not used by this agent yet
    });
    ExitStatus exit = child->Wait();
    stderr_reader.join();
    {
      std::lock_guard<std::mutex> lock(entry->mutex);
      entry->child = nullptr;
    }
    if (stream && report_error.ok()) {
      stream->WritesDone();
      note_error(rpc::FromGrpcStatus(stream->Finish()));
    }
    std::string log_tail;
    std::string last_error;
    {
      std::lock_guard<std::mutex> lock(tail_mutex);
      log_tail = absl::StrJoin(tail, "\n");
      for (const auto& line : tail) {
        if (absl::StartsWith(line, "error: ")) last_error = line.substr(7);
      }
    }
    bool revoked;
    {
      std::lock_guard<std::mutex> lock(entry->mutex);
      revoked = entry->revoked;
    }
    if (pruned.has_value()) {
      Log(absl::StrCat(JobName(job), " pruned: ", *pruned));
    } else if (revoked || lease_lost) {
      Log(absl::StrCat(JobName(job), " dropped: ", revoked ? "revoked" : report_error.message()));
    } else if (!report_error.ok()) {
      fail(absl::StrCat("reporting results failed: ", report_error.message()), log_tail, true);
    } else if (exit.ok() && done.has_value()) {
      foldstack::v1::CompleteJobRequest request;
      request.set_job_id(job.job_id());
      request.set_lease_id(job.lease_id());
      request.set_kind(job.kind());
      if (!predict) request.set_checkpoint_path(CheckpointPath(dir));
      request.set_best_epoch(done->best_epoch);
      request.set_macro_f1(done->macro_f1);
      request.set_accuracy(done->accuracy);
      request.set_val_loss(done->val_loss);
      request.set_seconds(done->seconds);
      foldstack::v1::CompleteJobResponse response;
      absl::Status status =
          CallWithRetry(token, [&](grpc::ClientContext* c) { return stub_->CompleteJob(c, request, &response); });
      Log(absl::StrCat(JobName(job), status.ok() ? " done" : " completion refused: ",
                       status.ok() ? (predict ? "" : absl::StrCat(": macro-F1 ", done->macro_f1))
                                   : std::string(status.message())));
    } else {
      std::string reason = absl::StrCat("trainer ", exit.Describe());
      if (!last_error.empty()) absl::StrAppend(&reason, ": ", last_error);
      if (exit.ok()) absl::StrAppend(&reason, " without reporting a result");
      // A signal (crash, OOM kill) may not recur elsewhere; a trainer's own error (bad input) will.
      fail(reason, log_tail, exit.signaled);
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(entry->key);
}

}  // namespace foldstack::worker
