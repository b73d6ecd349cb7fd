#ifndef FOLDSTACK_WORKER_TRAINER_TRAINER_MAIN_H_
#define FOLDSTACK_WORKER_TRAINER_TRAINER_MAIN_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "worker/trainer/event_sink.h"
#include "worker/trainer/image_provider.h"
#include "worker/trainer/job_config.h"

namespace foldstack::trainer {

// The trainer's command line: `<argv[0]> --job FILE` (or --job=FILE); argv[0]
// is ignored, so `foldstack-worker train --job FILE` calls
// TrainerMain(argc - 1, argv + 1). FILE is the job JSON (see JobConfig):
//   {"job_id": 7, "dataset": {"kind": "mask", "root": "/abs/root"}, "num_classes": 18, "fold": 0,
//    "params": {"model": "resnet18", "optimizer": "adam", "lr": 0.001, "momentum": 0.9,
//               "weight_decay": 0.0, "epochs": 3, "batch_size": 32, "image_size": 64, "seed": 0},
//    "samples": [{"id": 11, "key": "train/images/.../mask1.jpg", "label": 4, "fold": 2}, ...],
//    "device": "cpu", "threads": 1, "out_dir": "/tmp/job7"}
// Optional: "resume_from": "/abs/.../resume.ckpt" and "write_resume": false
// (JobConfig, trainer.h).
// stdout: JSON lines (JsonLinesEventSink): per epoch a "checkpoint" event
// (unless write_resume is false) and then its "epoch" event, then
// "predictions" events (<= 256 held-out samples each), then one "done" event.
// stderr: human-readable progress; on failure a last line `error: <one line>`.
// Exit status: 0 success; 2 on any failure (bad arguments, bad job file,
// unreadable or corrupt image, CUDA requested but unavailable, ...).
// out_dir/best.safetensors holds the best epoch's weights (timm key names).
// A predict job ("mode": "predict", "checkpoint": FILE, "hflip_tta": bool;
// samples need no label/fold) emits "predictions" events for every sample and
// a "done" event with zero metrics (see Predict in trainer.h).
// With params.ranks = N > 1 this process is rank 0 and runs ranks 1..N-1 as
// copies of its own binary with the same arguments (distributed::LaunchRanks):
// only rank 0 writes events to stdout; the others' stderr is forwarded,
// prefixed "[rank K] "; any rank's failure fails the job with its error line.
int TrainerMain(int argc, char** argv);

// Opens the images for a parsed job (production: OpenImageSourceProvider).
using ImageProviderFactory =
    std::function<absl::StatusOr<std::unique_ptr<ImageProvider>>(const JobConfig& job)>;

// TrainerMain's core with the image source and event sink injected; returns
// the exit status and prints `error: ...` to stderr on failure.
int RunJobFile(const std::string& job_path, const ImageProviderFactory& open_images, EventSink& events);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_TRAINER_MAIN_H_
