#include "worker/trainer/trainer_main.h"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "worker/trainer/image_source_provider.h"
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

}  // namespace

int RunJobFile(const std::string& job_path, const ImageProviderFactory& open_images, EventSink& events) {
  try {
    absl::StatusOr<JobConfig> job = LoadJobConfig(job_path);
    if (!job.ok()) return Fail(std::string(job.status().message()));
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
  JsonLinesEventSink events(stdout);
  return RunJobFile(job_path, [](const JobConfig& job) { return OpenImageSourceProvider(job.dataset_kind, job.dataset_root); },
                    events);
}

}  // namespace foldstack::trainer
