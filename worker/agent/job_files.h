// The files a job's child reads, written into its job folder before it starts:
//   job.json    the built-in trainer's job (worker/trainer/job_config.h)
//   split.csv   a program's samples: key,path,label,group,role (role: train | held_out)
//   params.json a program's parameters (W&B's ${args_json_file})
#ifndef FOLDSTACK_WORKER_AGENT_JOB_FILES_H_
#define FOLDSTACK_WORKER_AGENT_JOB_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/foldstack.pb.h"

namespace foldstack::worker {

struct TrainerJobOptions {
  std::string device;  // cpu | cuda
  int threads = 1;
  std::string resume_from;  // a resumable checkpoint to continue from; "" = start fresh
  bool write_resume = true;   // write a resumable checkpoint every epoch
};

// Writes <dir>/job.json; `split` is null for a prediction job. Returns its path.
absl::StatusOr<std::string> WriteTrainerJobFile(const foldstack::v1::JobSpec& job,
                                                const foldstack::v1::GetSplitResponse* split,
                                                const TrainerJobOptions& options, const std::string& dir);

// Writes <dir>/split.csv (held_out = the job's fold; path = dataset root / key, "" for IDX keys).
absl::StatusOr<std::string> WriteSplitFile(const foldstack::v1::JobSpec& job,
                                           const foldstack::v1::GetSplitResponse& split, const std::string& dir);

// Writes `text` to <dir>/<name> atomically (a temporary file renamed). Returns the path.
absl::StatusOr<std::string> WriteJobFile(const std::string& dir, const std::string& name, const std::string& text);

// A CSV field, quoted when it holds a comma, quote or newline.
std::string CsvField(const std::string& text);

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_JOB_FILES_H_
