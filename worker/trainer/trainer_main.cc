#include "worker/trainer/trainer_main.h"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "worker/trainer/distributed/launch_ranks.h"
#include "worker/trainer/distributed/rank_info.h"
#include "worker/trainer/extra_train.h"
#include "worker/trainer/trainer.h"

namespace foldstack::trainer {
namespace {

constexpr int kExitError = 2;
constexpr char kUsage[] = "usage: foldstack-train --job FILE  (job JSON; JSON-lines events on stdout)";

int Fail(std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');  // the protocol promises one line
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kExitError;
}

// Ranks other than 0 report nothing: rank 0 speaks for the whole job.
class NullEventSink : public EventSink {
 public:
  void OnEpoch(const EpochEvent&) override {}
  void OnPredictions(const PredictionsEvent&) override {}
  void OnDone(const DoneEvent&) override {}
  void OnCheckpoint(const CheckpointEvent&) override {}
};

// The job's params.ranks; 1 when the job cannot be read (RunJobFile reports
// why) and for predict jobs (one process predicts the eval images).
int RanksOfJob(const std::string& job_path) {
  absl::StatusOr<JobConfig> job = LoadJobConfig(job_path);
  if (!job.ok() || job->mode == JobMode::kPredict) return 1;
  return job->params.settings.value("ranks", 1);
}

}  // namespace

int RunJobFile(const std::string& job_path, const ImageProviderFactory& open_images, EventSink& events) {
  try {
    absl::StatusOr<JobConfig> job = LoadJobConfig(job_path);
    if (!job.ok()) return Fail(std::string(job.status().message()));
    if (job->mode == JobMode::kTrain) {
      absl::StatusOr<int64_t> extra = AddExtraTrainSamples(*job);
      if (!extra.ok()) return Fail(absl::StrCat("job ", job->job_id, ": ", extra.status().message()));
    }
    absl::StatusOr<std::unique_ptr<ImageProvider>> images = open_images(*job);
    if (!images.ok()) return Fail(absl::StrCat("job ", job->job_id, ": ", images.status().message()));
    if (job->mode == JobMode::kPredict) {
      absl::StatusOr<PredictResult> predicted = Predict(*job, **images, events);
      if (!predicted.ok()) return Fail(std::string(predicted.status().message()));
      std::fprintf(stderr, "[job %lld] done: predicted %lld images with %s%s\n", static_cast<long long>(job->job_id),
                   static_cast<long long>(predicted->images), job->checkpoint.c_str(),
                   job->hflip_tta ? " (hflip TTA)" : "");
      return 0;
    }
    absl::StatusOr<TrainResult> result = Train(*job, **images, events);
    if (!result.ok()) return Fail(std::string(result.status().message()));
    std::fprintf(stderr, "[job %lld] done: best epoch %d, held-out macro-F1 %.4f, accuracy %.4f, %s\n",
                 static_cast<long long>(job->job_id), result->best_epoch, result->macro_f1, result->accuracy,
                 result->checkpoint_path.c_str());
    return 0;
  } catch (const std::exception& e) {  // Train catches its own; this guards the rest
    return Fail(e.what());
  }
}

int TrainerMain(int argc, char** argv) {
  std::string job_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("%s\n", kUsage);
      return 0;
    } else if (arg == "--job" && i + 1 < argc) {
      job_path = argv[++i];
    } else if (absl::StartsWith(arg, "--job=")) {
      job_path = arg.substr(6);
    } else {
      return Fail(absl::StrCat("unexpected argument \"", arg, "\"; ", kUsage));
    }
  }
  if (job_path.empty()) return Fail(absl::StrCat("missing --job FILE; ", kUsage));
  const ImageProviderFactory open_images = [](const JobConfig& job) { return OpenJobImages(job); };
  // A data-parallel job (params.ranks = N > 1): this process is rank 0 and
  // starts ranks 1..N-1 as copies of itself, which find their rank in the
  // environment (distributed::RankInfoFromEnvironment; Train connects them).
  absl::StatusOr<distributed::RankInfo> rank = distributed::RankInfoFromEnvironment();
  if (!rank.ok()) return Fail(std::string(rank.status().message()));
  if (rank->rank > 0) {
    NullEventSink events;
    return RunJobFile(job_path, open_images, events);
  }
  JsonLinesEventSink events(stdout);
  const int ranks = rank->world_size > 1 ? 1 : RanksOfJob(job_path);  // world_size > 1: launched by someone else
  if (ranks <= 1) return RunJobFile(job_path, open_images, events);
  absl::StatusOr<std::vector<std::string>> command = distributed::OwnCommandLine();
  if (!command.ok()) return Fail(std::string(command.status().message()));
  distributed::LaunchOptions options;
  options.command = *command;
  options.world_size = ranks;
  absl::StatusOr<int> code = distributed::LaunchRanks(
      options, [&](const distributed::RankInfo&) { return RunJobFile(job_path, open_images, events); });
  if (!code.ok()) return Fail(std::string(code.status().message()));
  return *code;
}

}  // namespace foldstack::trainer
