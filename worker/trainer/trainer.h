#ifndef FOLDSTACK_WORKER_TRAINER_TRAINER_H_
#define FOLDSTACK_WORKER_TRAINER_TRAINER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/trainer/event_sink.h"
#include "worker/trainer/image_provider.h"
#include "worker/trainer/job_config.h"

namespace foldstack::trainer {

struct TrainResult {
  int best_epoch = 0;
  // Held-out metrics of the best checkpoint, recomputed after reloading it.
  double macro_f1 = 0;
  double accuracy = 0;
  double val_loss = 0;
  double seconds = 0;
  std::string checkpoint_path;  // <out_dir>/best.safetensors (timm key names)
  std::vector<EpochEvent> epochs;
};

// Runs one training job:
//  * trains job.params.model from scratch (torch::manual_seed(seed) first) on
//    samples with fold != job.fold, with cross-entropy and Adam or SGD;
//    inputs are resized to image_size, scaled to [0, 1], ImageNet-normalized,
//    randomly mirrored; the order is reshuffled every epoch by a seeded RNG;
//  * after every epoch evaluates on fold == job.fold and emits an EpochEvent;
//  * keeps the epoch with the best held-out macro-F1 (ties: the earlier one)
//    in <out_dir>/best.safetensors;
//  * finally reloads that checkpoint and emits softmax probabilities of every
//    held-out sample (PredictionsEvents of at most 256 samples) and a DoneEvent.
// On CPU the same job gives the same metrics. Errors (bad job, unreadable
// image — named by its key/path —, CUDA requested but unavailable, a diverging
// loss) stop the job and are returned; nothing throws.
absl::StatusOr<TrainResult> Train(const JobConfig& job, const ImageProvider& images, EventSink& events);

struct PredictResult {
  int64_t images = 0;
  double seconds = 0;
};

// Runs one prediction job (job.mode == kPredict): builds job.params.model for
// job.num_classes, loads job.checkpoint (strictly: a mismatch is an error), and
// emits the softmax probabilities of every sample in job order
// (PredictionsEvents of at most 256 samples, sample ids = JobSample::id); with
// job.hflip_tta each row is the mean of the image's and its mirror image's
// probabilities. Inputs are prepared as in training's evaluation (resize to
// params.image_size, ImageNet normalization). Ends with a DoneEvent whose
// metrics are 0 (nothing is labelled). Errors as for Train.
absl::StatusOr<PredictResult> Predict(const JobConfig& job, const ImageProvider& images, EventSink& events);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_TRAINER_H_
