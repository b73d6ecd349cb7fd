// The worker agent: registers with the coordinator, heartbeats, leases jobs and runs each one in a
// trainer child process, relaying its metrics and out-of-fold predictions. Prediction jobs
// (JOB_KIND_PREDICT) run the same child in predict mode and relay eval-set probabilities.
//
// Checkpoints: a training job's trainer writes <work_dir>/job-<id>-a<attempt>/best.safetensors and
// the agent reports that absolute path with CompleteJob. The coordinator prefers to give that
// model's prediction jobs back to this worker, but when it is gone another worker reads the same
// path: for that, work dirs must be on a filesystem every worker sees (as datasets are), and are
// kept (not cleaned up) while their models may still be asked to predict. The agent holds no
// training code: the trainer is a separate program (by default this binary's own `train` mode).
#ifndef FOLDSTACK_WORKER_AGENT_AGENT_H_
#define FOLDSTACK_WORKER_AGENT_AGENT_H_

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/foldstack.grpc.pb.h"
#include "worker/agent/child_process.h"
#include "worker/agent/event_relay.h"
#include "worker/agent/job_artifacts.h"
#include "worker/agent/job_launch.h"
#include "worker/agent/job_outcome.h"

namespace foldstack::worker {

struct AgentOptions {
  std::string coordinator = "127.0.0.1:50051";
  std::string token;
  std::string tls_ca;                     // PEM CA of a TLS coordinator; empty: plaintext
  int slots = 1;                          // jobs run at once
  int threads_per_job = 0;                // 0: cores / slots
  std::string work_dir;                   // job folders (job.json, checkpoints); must exist or be creatable
  std::vector<std::string> trainer_command;  // argv prefix; "--job FILE" is appended
  int poll_interval_ms = 500;             // how often an idle agent asks for work
  int max_jobs = 0;                       // stop after this many jobs (0: run until stopped)
  int exit_when_idle_ms = 0;              // stop after this long with no job to run (0: never)
  int stop_grace_ms = 10000;              // a stopped program's time to end after SIGTERM, before SIGKILL
};

class Agent {
 public:
  explicit Agent(AgentOptions options);
  ~Agent();

  // Runs until Stop() is called, max_jobs ended, it was drained (its running jobs ended) or it
  // was idle for exit_when_idle_ms. Returns an error only when it cannot start.
  absl::Status Run();
  void Stop();

  const std::string& worker_id() const { return worker_id_; }

 private:
  struct RunningJob;
  // Training and prediction jobs number their ids apart.
  using JobKey = std::pair<foldstack::v1::JobKind, int64_t>;

  absl::Status Register();
  void HeartbeatLoop();
  // Prepares, runs and settles one job, in its own thread: the parts below.
  void RunJob(const foldstack::v1::JobSpec& job, const std::shared_ptr<RunningJob>& entry);
  // Fetches what the job needs (its split, or a prediction job's checkpoint) and writes its files.
  absl::StatusOr<SpawnOptions> Prepare(const foldstack::v1::JobSpec& job, const std::string& dir,
                                       std::shared_ptr<const foldstack::v1::GetSplitResponse>* split);
  // Where the job runs and what it resumes from (this may fetch a checkpoint).
  LaunchContext LaunchFor(const foldstack::v1::JobSpec& job, const std::string& dir);
  ArtifactContext Artifacts() const;
  // Runs the child to its end, relaying its events and keeping its log tail.
  void Supervise(const foldstack::v1::JobSpec& job, RunningJob& entry, ChildProcess& child, const std::string& dir,
                 const foldstack::v1::GetSplitResponse* split);
  // Acts on the outcome: complete (predictions, then CompleteJob), fail, or only log.
  void Settle(const foldstack::v1::JobSpec& job, const JobOutcome& outcome, EventRelay& relay, const std::string& dir,
              const std::string& log_tail, double seconds);
  // Tells the coordinator the job failed (retried on transient errors; the outcome is not needed).
  void ReportFailure(const JobKey& job, int64_t lease_id, const std::string& reason, const std::string& log_tail,
                     bool retryable);
  absl::StatusOr<std::shared_ptr<const foldstack::v1::GetSplitResponse>> Split(int64_t split_id);
  std::vector<JobKey> RunningJobs();
  void Revoke(const JobKey& job);
  // Joins the threads of jobs that have ended.
  void JoinEndedJobs();
  // True once the agent has run nothing for exit_when_idle_ms; `idle_since` tracks it.
  bool IdleTooLong(size_t running, std::optional<std::chrono::steady_clock::time_point>& idle_since) const;

  AgentOptions options_;
  std::unique_ptr<foldstack::v1::Coordinator::Stub> stub_;
  std::string worker_id_;
  std::string python_path_;  // where the `foldstack` Python module for programs was written
  int cuda_devices_ = 0;  // probed at registration; jobs with device auto use them
  int heartbeat_interval_ms_ = 2000;
  std::atomic<bool> stopping_{false};
  std::atomic<int> jobs_started_{0};
  std::atomic<bool> draining_{false};  // the coordinator said drain: lease nothing more, exit when idle

  std::mutex mutex_;
  std::map<JobKey, std::shared_ptr<RunningJob>> running_;
  std::map<int64_t, std::shared_ptr<const foldstack::v1::GetSplitResponse>> splits_;
  std::vector<std::pair<std::shared_ptr<RunningJob>, std::thread>> job_threads_;
};

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_AGENT_H_
