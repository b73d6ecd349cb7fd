// How a job's child is started: the built-in trainer (`foldstack-worker train --job job.json`,
// events on stdout) or the sweep's program (W&B's command in the job folder, the job's context in
// FOLDSTACK_* variables, events on descriptor 3). README "Programs" lists the variables.
#ifndef FOLDSTACK_WORKER_AGENT_JOB_LAUNCH_H_
#define FOLDSTACK_WORKER_AGENT_JOB_LAUNCH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/foldstack.pb.h"
#include "worker/agent/child_process.h"
#include "worker/agent/job_files.h"

namespace foldstack::worker {

struct LaunchContext {
  std::string dir;                          // the job folder (absolute), the child's working folder
  TrainerJobOptions trainer;                // device, threads, resume
  std::vector<std::string> trainer_command; // argv prefix of the built-in trainer
  std::string python_path;                  // a folder holding the `foldstack` Python module
};

// The files the child needs are written into ctx.dir. `split` is null for prediction jobs.
// A program that is missing, or not executable when the command runs it directly, is
// FAILED_PRECONDITION naming it.
absl::StatusOr<SpawnOptions> PrepareLaunch(const foldstack::v1::JobSpec& job,
                                           const foldstack::v1::GetSplitResponse* split, const LaunchContext& ctx);

// The stop file a program polls through should_stop(): created when the pruner stops the job.
std::string StopFilePath(const std::string& dir);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_JOB_LAUNCH_H_
