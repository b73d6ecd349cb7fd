#ifndef FOLDSTACK_WORKER_TRAINER_JOB_CONFIG_H_
#define FOLDSTACK_WORKER_TRAINER_JOB_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::trainer {

// One labelled image of the job: `key` is the dataset-relative key the image
// source understands, `fold` the k-fold the coordinator assigned it to. In a
// predict job `id` is the eval row and label/fold are unused (0).
struct JobSample {
  int64_t id = 0;
  std::string key;
  int label = 0;
  int fold = 0;
  // >= 0: a training-only sample of JobConfig::extra_train[extra_set] (extra_train.h); its
  // fold is -1, so it is never held out, and it is never predicted.
  int extra_set = -1;
  // task age_regression: the person's age in years (from the key); set by the trainer.
  int age = -1;
};

// A training-only dataset in the job's dataset layout ("dataset": {"extra_train": [{"root",
// "weight"}]}): its samples join the training set; `weight` in (0, 1] is the fraction of them
// drawn into each epoch.
struct ExtraTrainSet {
  std::string root;
  double weight = 1.0;
};

// Hyper-parameters ("params" in the job JSON): every trainer setting of
// common/trainer_settings.h, validated there (unknown keys are refused, so a
// misspelled sweep parameter is an error) and completed with its default.
// The settings the loop reads everywhere are copied into typed fields; the
// recipe parts (loss, schedule, augmentation, ...) read `settings` themselves.
struct TrainParams {
  nlohmann::json settings = nlohmann::json::object();  // complete: every setting present
  std::string model = "resnet18";  // timm name, see ModelNames()
  std::string pretrained;          // safetensors checkpoint to start from; "" = none
  double drop_rate = 0.0;
  double drop_path_rate = 0.0;
  std::string optimizer = "adam";
  double lr = 1e-3;
  double momentum = 0.9;
  double weight_decay = 0.0;
  int epochs = 3;
  int batch_size = 32;  // >= 2 (BatchNorm needs more than one sample per batch)
  int image_size = 224;  // square input side
  uint64_t seed = 0;
};

// kTrain: train on samples whose fold != `fold`, evaluate on fold == `fold`.
// kPredict ("mode": "predict"): load `checkpoint` (a model of params.model at
// params.image_size) and predict every sample, mirrored too when hflip_tta.
enum class JobMode { kTrain, kPredict };

struct JobConfig {
  JobMode mode = JobMode::kTrain;
  int64_t job_id = 0;
  std::string dataset_kind;  // e.g. "mask", parsed by data::ParseDatasetKind
  std::string dataset_root;
  std::vector<ExtraTrainSet> extra_train;  // train jobs; samples added by AddExtraTrainSamples
  int num_classes = 0;
  int fold = 0;
  TrainParams params;
  std::vector<JobSample> samples;
  std::string device = "cpu";  // "cpu", "cuda" or "cuda:N"
  int threads = 1;
  std::string out_dir;
  std::string checkpoint;  // predict: safetensors written by a training job
  bool hflip_tta = true;   // predict: average the softmax of each image and its mirror image
  // The sweep's objective: picks the best epoch (the checkpoint kept) and drives early stopping.
  // One of the epoch metrics (train_loss, val_loss, val_macro_f1, val_accuracy).
  std::string objective_metric = "val_macro_f1";
  bool objective_minimize = false;
  // Resuming (train jobs; resume_checkpoint.h, trainer.h):
  //   "resume_from": "/abs/out/resume.ckpt" starts from that resumable checkpoint instead of from
  //     scratch; absent or "" starts fresh. A missing, corrupt or mismatching file (another model,
  //     other settings, fold or samples) fails the job with one line naming the file and what was
  //     wrong: never a silent fresh start.
  //   "write_resume": false skips writing <out_dir>/resume.ckpt (and resume.json, and the
  //     "checkpoint" events) after every epoch; default true.
  std::string resume_from;
  bool write_resume = true;
};

// Validates and completes a "params" object into TrainParams (errors read
// "<source>: params.lr: expected ..."). Tests build jobs with it too.
absl::StatusOr<TrainParams> ParseTrainParams(const nlohmann::json& params, const std::string& source);

// Parses and validates the job JSON (format in trainer_main.h). `source` names
// the input in errors, which are one line, e.g.
//   job.json: params.lr: expected a positive number, got "abc"
absl::StatusOr<JobConfig> ParseJobConfig(const std::string& json_text, const std::string& source);

// Reads `path` and parses it with ParseJobConfig.
absl::StatusOr<JobConfig> LoadJobConfig(const std::string& path);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_JOB_CONFIG_H_
