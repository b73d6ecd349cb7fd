#include "worker/agent/job_launch.h"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/program_command.h"
#include "common/status_macros.h"

namespace foldstack::worker {
namespace {

using foldstack::v1::JobSpec;

absl::Status CheckProgram(const std::string& program, const std::vector<std::string>& argv) {
  struct stat info;
  if (stat(program.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("program ", program, " not found on this worker (it must be visible here, as datasets are)"));
  }
  const bool runs_directly = !argv.empty() && argv[0] == program;
  if (access(program.c_str(), runs_directly ? X_OK : R_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("program ", program, " is not ",
                                                      runs_directly ? "executable" : "readable"));
  }
  return absl::OkStatus();
}

std::vector<std::string> ProgramEnvironment(const JobSpec& job, const LaunchContext& ctx, const std::string& split_file,
                                            const std::string& params_file) {
  nlohmann::json class_names = std::vector<std::string>(job.class_names().begin(), job.class_names().end());
  const std::string python_path = ctx.python_path.empty() ? "" : ctx.python_path;
  const char* inherited = getenv("PYTHONPATH");
  std::vector<std::string> env = {
      "FOLDSTACK_PROTOCOL_VERSION=1",
      "FOLDSTACK_EVENTS_FD=3",
      absl::StrCat("FOLDSTACK_JOB_ID=", job.job_id()),
      absl::StrCat("FOLDSTACK_SWEEP_ID=", job.sweep_id()),
      absl::StrCat("FOLDSTACK_TRIAL_ID=", job.trial_id()),
      absl::StrCat("FOLDSTACK_FOLD=", job.fold()),
      absl::StrCat("FOLDSTACK_ATTEMPT=", job.attempt()),
      absl::StrCat("FOLDSTACK_DATASET_KIND=", job.dataset_kind()),
      absl::StrCat("FOLDSTACK_DATASET_ROOT=", job.dataset_root()),
      absl::StrCat("FOLDSTACK_SPLIT_FILE=", split_file),
      absl::StrCat("FOLDSTACK_PARAMS_FILE=", params_file),
      absl::StrCat("FOLDSTACK_NUM_CLASSES=", job.num_classes()),
      absl::StrCat("FOLDSTACK_CLASS_NAMES=", class_names.dump()),
      absl::StrCat("FOLDSTACK_METRIC=", job.objective_metric()),
      absl::StrCat("FOLDSTACK_METRIC_GOAL=", job.objective_minimize() ? "minimize" : "maximize"),
      absl::StrCat("FOLDSTACK_CHECKPOINT_DIR=", ctx.dir, "/checkpoints"),
      absl::StrCat("FOLDSTACK_RESUME_FROM=", ctx.trainer.resume_from),
      absl::StrCat("FOLDSTACK_STOP_FILE=", StopFilePath(ctx.dir)),
      absl::StrCat("FOLDSTACK_DEVICE=", ctx.trainer.device),
      absl::StrCat("FOLDSTACK_THREADS=", ctx.trainer.threads),
      absl::StrCat("OMP_NUM_THREADS=", ctx.trainer.threads),
      // One process per job (ranks > 1 is the built-in trainer's); torchrun's names, for scripts that read them.
      "RANK=0", "LOCAL_RANK=0", "WORLD_SIZE=1",
      absl::StrCat("PYTHONPATH=", python_path, inherited != nullptr && *inherited ? ":" : "",
                   inherited != nullptr ? inherited : ""),
  };
  // A CPU job must not grab a GPU of its node; a cuda job keeps the node's visible devices.
  if (ctx.trainer.device != "cuda") env.push_back("CUDA_VISIBLE_DEVICES=");
  return env;
}

absl::StatusOr<SpawnOptions> ProgramLaunch(const JobSpec& job, const foldstack::v1::GetSplitResponse& split,
                                           const LaunchContext& ctx) {
  const nlohmann::json params = nlohmann::json::parse(job.params_json(), nullptr, false);
  if (!params.is_object()) return absl::InvalidArgumentError(absl::StrCat("job ", job.job_id(), ": params are not a JSON object"));
  FS_ASSIGN_OR_RETURN(std::string split_file, WriteSplitFile(job, split, ctx.dir));
  FS_ASSIGN_OR_RETURN(std::string params_file, WriteJobFile(ctx.dir, "params.json", common::ArgsJson(params)));
  common::ProgramCommandInputs inputs;
  inputs.command.assign(job.command().begin(), job.command().end());
  inputs.program = job.program();
  inputs.params = params;
  inputs.args_json_file = params_file;
  inputs.interpreter = common::DefaultInterpreter();
  FS_ASSIGN_OR_RETURN(std::vector<std::string> argv, common::ExpandProgramCommand(inputs));
  FS_RETURN_IF_ERROR(CheckProgram(job.program(), argv));
  mkdir(absl::StrCat(ctx.dir, "/checkpoints").c_str(), 0755);
  SpawnOptions options;
  options.argv = std::move(argv);
  options.search_path = true;
  options.cwd = ctx.dir;
  options.env = ProgramEnvironment(job, ctx, split_file, params_file);
  options.events_pipe = true;
  return options;
}

}  // namespace

std::string StopFilePath(const std::string& dir) { return dir + "/STOP"; }

absl::StatusOr<SpawnOptions> PrepareLaunch(const JobSpec& job, const foldstack::v1::GetSplitResponse* split,
                                           const LaunchContext& ctx) {
  if (!job.program().empty() && split != nullptr) return ProgramLaunch(job, *split, ctx);
  FS_ASSIGN_OR_RETURN(std::string job_file, WriteTrainerJobFile(job, split, ctx.trainer, ctx.dir));
  SpawnOptions options;
  options.argv = ctx.trainer_command;
  options.argv.push_back("--job");
  options.argv.push_back(job_file);
  return options;
}

}  // namespace foldstack::worker
