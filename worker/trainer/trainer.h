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

namespace distributed {
class DataParallel;
}

// Runs one training job with the recipe its settings describe
// (common/trainer_settings.h):
//  * builds job.params.model (torch::manual_seed(seed) first; 8 outputs for
//    task multi_head), optionally from pretrained weights, and the Objective
//    (loss per settings, class weights from the training folds' counts);
//  * trains on samples with fold != job.fold (labels re-binned when age_bins
//    moves): each epoch's order comes from the sampler, every image is
//    decoded, augmented (per-image seeded draws) and batched by a thread
//    pool with bounded prefetch, batches are mixed (mixup/cutmix) with their
//    own seeded draws, and the Optimization steps (optimizer, schedule,
//    accumulation, clipping, loss scaling under CUDA amp);
//  * after every epoch evaluates on fold == job.fold (hflip TTA when tta is
//    hflip) and emits an EpochEvent; keeps the best held-out macro-F1 epoch
//    (ties: the earlier one) in <out_dir>/best.safetensors; stops early after
//    early_stopping epochs without improvement; then, with finetune_epochs,
//    continues from the best weights with finetune_optimizer at finetune_lr;
//  * finally reloads the best checkpoint and emits softmax probabilities of
//    every held-out sample (PredictionsEvents of at most 256) and a DoneEvent.
// Resumable checkpoints (resume_checkpoint.h; job.write_resume, default true):
// after every epoch — after its evaluation and the best/early-stopping update,
// before its EpochEvent — the job writes <out_dir>/resume.ckpt atomically
// (weights and buffers, the phase's optimizer state, step counter and schedule
// state, loss scaler, torch's CPU generator, the finished epochs' events, best
// score, best epoch and best.safetensors' bytes, early-stopping state, phase)
// and <out_dir>/resume.json, then emits a CheckpointEvent with the absolute
// path. With job.resume_from the job first restores all of that (a missing,
// corrupt or mismatching file is an error naming it; the old out_dir is not
// needed: best.safetensors is re-created from the checkpoint), emits nothing
// for the epochs it already had and continues with the next epoch; on CPU it
// then ends with exactly the events (but wall times) and best.safetensors of
// the uninterrupted run. Sampler order, augmentation and mixup/cutmix draws
// are derived from (seed, epoch) and need no state. On CUDA a resumed job
// continues correctly but not bitwise (CUDA generators are not saved). A
// checkpoint that cannot be written fails the job, as best.safetensors does.
// A data-parallel job (ranks > 1) writes no resumable checkpoints, and
// resume_from is refused.
// With `data_parallel` (ranks > 1) every rank reads its shard of each global
// batch, gradients are averaged before each step, held-out probabilities are
// gathered so every rank sees the same metrics, and rank 0 writes the
// checkpoint (other ranks should be given an EventSink that drops events).
// On CPU the same job gives the same metrics. Errors (bad job, unreadable
// image — named by its key/path —, CUDA requested but unavailable, a diverging
// loss) stop the job and are returned; nothing throws.
absl::StatusOr<TrainResult> Train(const JobConfig& job, const ImageProvider& images, EventSink& events,
                                  distributed::DataParallel* data_parallel = nullptr);

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
// params.image_size, the backbone's or the settings' normalization, center_crop). Ends with a DoneEvent whose
// metrics are 0 (nothing is labelled). Errors as for Train.
absl::StatusOr<PredictResult> Predict(const JobConfig& job, const ImageProvider& images, EventSink& events);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_TRAINER_H_
