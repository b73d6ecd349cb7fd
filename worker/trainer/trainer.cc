#include "worker/trainer/trainer.h"

#include <limits>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/mask_heads.h"
#include "common/status_macros.h"
#include "common/trainer_settings.h"
#include "data/mask_labels.h"
#include "worker/trainer/age_regression.h"
#include "worker/trainer/augment/augment_config.h"
#include "worker/trainer/augment/image_transforms.h"
#include "worker/trainer/augment/mix.h"
#include "worker/trainer/distributed/data_parallel.h"
#include "worker/trainer/distributed/rank_info.h"
#include "worker/trainer/input/batch_pipeline.h"
#include "worker/trainer/input_plan.h"
#include "worker/trainer/metrics.h"
#include "worker/trainer/model_registry.h"
#include "worker/trainer/models/layers/channels_last.h"
#include "worker/trainer/objective.h"
#include "worker/trainer/optimization.h"
#include "worker/trainer/pretrained.h"
#include "worker/trainer/recipes/early_stopping.h"
#include "worker/trainer/resume_checkpoint.h"
#include "worker/trainer/safetensors.h"
#include "worker/trainer/state_dict.h"

namespace foldstack::trainer {
namespace {

constexpr size_t kPredictionsPerEvent = 256;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

absl::StatusOr<torch::Device> ParseDevice(const std::string& text) {
  const std::string expected = absl::StrCat("device: expected \"cpu\", \"cuda\" or \"cuda:N\", got \"", text, "\"");
  std::unique_ptr<torch::Device> device;
  try {
    device = std::make_unique<torch::Device>(text);
  } catch (const std::exception&) {
    return absl::InvalidArgumentError(expected);
  }
  if (device->is_cpu()) return *device;
  if (!device->is_cuda()) return absl::InvalidArgumentError(expected);
  if (!torch::cuda::is_available()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "device \"", text, "\" requested but CUDA is not available (CPU-only LibTorch build or no visible GPU)"));
  }
  if (device->has_index() && device->index() >= static_cast<int>(torch::cuda::device_count())) {
    return absl::InvalidArgumentError(
        absl::StrCat("device \"", text, "\": only ", torch::cuda::device_count(), " CUDA device(s) visible"));
  }
  return *device;
}

// Moves the samples' age bins when the job's age_bins differ from the
// default (mask task only; reviewed overrides are kept, see RebinMaskLabel).
absl::Status ApplyAgeBins(const JobConfig& job, std::vector<JobSample>& samples) {
  const std::string bins = job.params.settings["age_bins"].get<std::string>();
  if (bins == "30,60") return absl::OkStatus();
  if (job.dataset_kind != "mask" || job.num_classes != data::kMaskNumClasses) {
    return absl::InvalidArgumentError(absl::StrCat("age_bins: only the mask task has age bins; this job's dataset is \"",
                                                   job.dataset_kind, "\""));
  }
  const std::vector<double> starts = *common::ParseNumberList(bins);
  for (JobSample& sample : samples) {
    absl::StatusOr<int> age = data::AgeFromMaskKey(sample.key);
    if (!age.ok()) return absl::InvalidArgumentError(absl::StrCat("age_bins: ", age.status().message()));
    sample.label = data::RebinMaskLabel(sample.label, *age, static_cast<int>(starts[0]), static_cast<int>(starts[1]));
  }
  return absl::OkStatus();
}

// What the job's task makes of its samples (common/mask_heads.h): the head a head task or
// age_regression predicts, and the width of its rows.
struct TaskShape {
  std::optional<common::Head> head;
  bool regression = false;
  int classes = 0;
};

absl::StatusOr<TaskShape> ShapeOfTask(const JobConfig& job) {
  const std::string task = job.params.settings["task"].get<std::string>();
  const common::TrainTask parsed = common::ParseTrainTask(task).value_or(common::TrainTask::kSingle);
  TaskShape shape{common::HeadOfTask(parsed), parsed == common::TrainTask::kAgeRegression, job.num_classes};
  if (!shape.head) return shape;
  if (job.dataset_kind != "mask" || job.num_classes != data::kMaskNumClasses) {
    return absl::InvalidArgumentError(absl::StrCat("task: ", task, " needs the mask task's 18 classes; this job's dataset is \"",
                                                   job.dataset_kind, "\" with ", job.num_classes));
  }
  if (shape.regression && (job.params.settings["mixup"].get<double>() > 0 || job.params.settings["cutmix"].get<double>() > 0)) {
    return absl::InvalidArgumentError("task: age_regression takes no mixup or cutmix (its targets are ages, not classes)");
  }
  shape.classes = common::HeadClasses(*shape.head);
  return shape;
}

// A head task's samples get the head's label; age_regression's also their age in years.
absl::Status ApplyTask(const TaskShape& shape, std::vector<JobSample>& samples) {
  if (!shape.head) return absl::OkStatus();
  for (JobSample& sample : samples) {
    if (shape.regression) {
      absl::StatusOr<int> age = data::AgeFromMaskKey(sample.key);
      if (!age.ok()) return absl::InvalidArgumentError(absl::StrCat("task: age_regression: ", age.status().message()));
      sample.age = *age;
    }
    sample.label = common::HeadLabel(*shape.head, sample.label);
  }
  return absl::OkStatus();
}

// The age_regression sigma a checkpoint was saved with (0 when it has none).
absl::StatusOr<double> CheckpointAgeSigma(const std::string& path) {
  std::map<std::string, std::string> metadata;
  FS_RETURN_IF_ERROR(LoadSafetensors(path, &metadata).status());
  auto it = metadata.find("age_sigma");
  if (it == metadata.end()) return 0.0;
  try {
    return std::stod(it->second);
  } catch (const std::exception&) {
    return absl::DataLossError(absl::StrCat(path, ": metadata age_sigma: expected a number, got \"", it->second, "\""));
  }
}

// An Optimization's resumable state as bytes (ResumeCheckpoint::optimization) and back.
std::string OptimizationBytes(const Optimization& optimization) {
  torch::serialize::OutputArchive archive;
  optimization.Save(archive);
  std::string bytes;
  archive.save_to([&bytes](const void* data, size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  return bytes;
}

// The optimiser's state tensors are placed on `device`, beside the parameters they belong to.
absl::Status LoadOptimizationBytes(const std::string& bytes, torch::Device device, Optimization& optimization) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(bytes.data(), bytes.size(), device);
  } catch (const std::exception&) {
    return absl::DataLossError("optimizer state: not a readable archive");
  }
  return optimization.Load(archive);
}

absl::StatusOr<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read it back"));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// One phase of training (the main one, or the finetune continuation) and its epochs first..last.
struct PhasePlan {
  int index = 0;  // 0: training, 1: finetune (ResumeCheckpoint::phase)
  PhaseOptions options;
  int first = 1;
  int last = 1;
  int training_last_epoch = 0;  // the epoch the training phase ended with (phase 1)
};

struct Evaluation {
  double loss = 0;  // mean negative log-likelihood of the true class
  ConfusionMatrix confusion{1};
  torch::Tensor probs;  // [N, C] on CPU, every held-out sample in order
  std::optional<double> age_mae;  // age_regression on one rank: mean |predicted - true age|
};

// State of one job run; Train() and Predict() below are its only users.
class JobRun {
 public:
  JobRun(const JobConfig& job, const ImageProvider& images, EventSink& events, torch::Device device,
         distributed::DataParallel* data_parallel)
      : job_(job),
        settings_(job.params.settings),
        images_(images),
        events_(events),
        device_(device),
        data_parallel_(data_parallel),
        rank_(data_parallel ? data_parallel->rank() : 0),
        world_(data_parallel ? data_parallel->world_size() : 1),
        pipeline_threads_(std::clamp(job.threads, 2, 8)) {}

  absl::StatusOr<TrainResult> Run() {
    const auto start = std::chrono::steady_clock::now();
    if (absl::Status status = Setup(); !status.ok()) return status;
    TrainResult result;
    result.checkpoint_path = (std::filesystem::path(job_.out_dir) / "best.safetensors").string();
    std::optional<ResumeCheckpoint> resume;
    if (!job_.resume_from.empty()) {
      FS_ASSIGN_OR_RETURN(resume, Resume(result));
    }
    const int epochs = job_.params.epochs;
    const int finetune_epochs = settings_["finetune_epochs"].get<int>();
    PhasePlan training{0, TrainingPhase(settings_, batches_per_epoch_, amp_), 1, epochs, 0};
    int last = 0;  // the epoch the training phase ended with
    if (resume && (resume->phase == 1 || resume->phase_done)) {
      last = resume->phase == 1 ? resume->training_last_epoch : resume->epoch;
    } else {
      FS_ASSIGN_OR_RETURN(last, RunPhase(training, resume ? &*resume : nullptr, result));
    }
    if (finetune_epochs > 0 && !(resume && resume->phase == 1 && resume->phase_done)) {
      PhasePlan finetune{1, FinetunePhase(settings_, batches_per_epoch_, amp_), last + 1, last + finetune_epochs, last};
      const bool resuming_finetune = resume && resume->phase == 1;
      // The team's MADGRAD -> SGD step: continue from the best weights so far (a resumed
      // finetune phase already has its own weights back).
      if (!resuming_finetune) FS_RETURN_IF_ERROR(ReloadBest(result.checkpoint_path));
      FS_RETURN_IF_ERROR(RunPhase(finetune, resuming_finetune ? &*resume : nullptr, result).status());
    }

    if (absl::Status loaded = ReloadBest(result.checkpoint_path); !loaded.ok()) return loaded;
    absl::StatusOr<Evaluation> best = Evaluate(held_out_, settings_["tta"] == "hflip");
    if (!best.ok()) return best.status();
    EmitPredictions(held_out_, best->probs);
    result.macro_f1 = best->confusion.MacroF1();
    result.accuracy = best->confusion.Accuracy();
    result.val_loss = best->loss;
    result.seconds = SecondsSince(start);
    events_.OnDone({result.best_epoch, result.macro_f1, result.accuracy, result.val_loss, result.seconds});
    return result;
  }

  absl::StatusOr<PredictResult> RunPredict() {
    const auto start = std::chrono::steady_clock::now();
    if (job_.samples.empty()) return absl::InvalidArgumentError(absl::StrCat("job ", job_.job_id, ": no samples to predict"));
    samples_ = job_.samples;
    torch::set_num_threads(job_.threads);
    FS_ASSIGN_OR_RETURN(shape_, ShapeOfTask(job_));
    if (absl::Status built = BuildModel(std::vector<int64_t>(shape_.classes, 0)); !built.ok()) return built;
    FS_RETURN_IF_ERROR(LoadBestWeights(job_.checkpoint));
    model_->to(device_);
    std::vector<const JobSample*> samples;
    for (const JobSample& sample : samples_) samples.push_back(&sample);
    absl::StatusOr<Evaluation> probs = Evaluate(samples, job_.hflip_tta, /*labelled=*/false);
    if (!probs.ok()) return probs.status();
    EmitPredictions(samples, probs->probs);
    PredictResult result{static_cast<int64_t>(samples.size()), SecondsSince(start)};
    events_.OnDone({0, 0, 0, 0, result.seconds});
    return result;
  }

 private:
  absl::Status Setup() {
    samples_ = job_.samples;
    if (absl::Status binned = ApplyAgeBins(job_, samples_); !binned.ok()) return binned;
    FS_ASSIGN_OR_RETURN(shape_, ShapeOfTask(job_));
    FS_RETURN_IF_ERROR(ApplyTask(shape_, samples_));
    FS_RETURN_IF_ERROR(SortSamples());
    if (held_out_.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("job ", job_.job_id, ": no samples in held-out fold ", job_.fold));
    }
    if (train_.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("job ", job_.job_id, ": need at least 2 training samples outside fold ", job_.fold,
                       ", got ", train_.size()));
    }
    std::error_code error;
    std::filesystem::create_directories(job_.out_dir, error);
    if (error) return absl::PermissionDeniedError(absl::StrCat(job_.out_dir, ": cannot create out_dir: ", error.message()));

    const bool cuda = device_.is_cuda();
    amp_ = cuda && settings_["precision"] == "amp";
    channels_last_ = cuda && settings_["channels_last"].get<bool>();
    if (!cuda && (settings_["precision"] == "amp" || settings_["channels_last"].get<bool>())) {
      std::fprintf(stderr, "[job %lld] notice: precision amp and channels_last apply on CUDA only; "
                           "this CPU job runs in fp32\n", static_cast<long long>(job_.job_id));
    }
    torch::set_num_threads(job_.threads);
    torch::manual_seed(job_.params.seed);
    if (absl::Status built = BuildModel(TrainingClassCounts()); !built.ok()) return built;
    if (!job_.params.pretrained.empty()) {
      absl::StatusOr<ModelInfo> info = FindModel(job_.params.model);
      if (!info.ok()) return info.status();
      absl::StatusOr<PretrainedLoad> loaded = LoadPretrained(job_.params.pretrained, *info, *model_);
      if (!loaded.ok()) return loaded.status();
    }
    model_->to(device_);
    if (channels_last_) UseChannelsLastWeights(*model_);
    if (data_parallel_ != nullptr) {
      // Same start on every rank (rank 0's initialisation or pretrained weights).
      if (absl::Status synced = data_parallel_->BroadcastModel(*model_); !synced.ok()) return synced;
    }
    mix_ = augment::MixConfigFromSettings(settings_);
    absl::StatusOr<int64_t> batches = GlobalBatchesPerEpoch(
        static_cast<int64_t>(EpochTrainingSamples(train_, extra_, ExtraWeights(), job_.params.seed, 1).size()),
        job_.params.batch_size, world_);
    if (!batches.ok()) return batches.status();
    batches_per_epoch_ = *batches;
    return absl::OkStatus();
  }

  // Splits the job's samples into the held-out fold, the other folds (train_) and the extra
  // training sets (extra_), and says what the extra sets add.
  absl::Status SortSamples() {
    extra_.assign(job_.extra_train.size(), {});
    for (const JobSample& sample : samples_) {
      if (sample.extra_set >= static_cast<int>(extra_.size())) {
        return absl::InvalidArgumentError(absl::StrCat("job ", job_.job_id, ": sample ", sample.key,
                                                       " is of extra training set ", sample.extra_set, " of ",
                                                       extra_.size()));
      }
      if (sample.extra_set >= 0) {
        extra_[sample.extra_set].push_back(&sample);
      } else {
        (sample.fold == job_.fold ? held_out_ : train_).push_back(&sample);
      }
    }
    for (size_t set = 0; set < extra_.size(); ++set) {
      std::fprintf(stderr, "[job %lld] extra_train[%zu] %s: %zu extra training samples, weight %g: %lld an epoch\n",
                   static_cast<long long>(job_.job_id), set, job_.extra_train[set].root.c_str(), extra_[set].size(),
                   job_.extra_train[set].weight,
                   static_cast<long long>(ExtraSamplesPerEpoch(static_cast<int64_t>(extra_[set].size()),
                                                               job_.extra_train[set].weight)));
    }
    return absl::OkStatus();
  }

  std::vector<double> ExtraWeights() const {
    std::vector<double> weights;
    for (const ExtraTrainSet& set : job_.extra_train) weights.push_back(set.weight);
    return weights;
  }

  // Per-class training counts (weighted_ce's inverse frequencies): each extra sample counts
  // its set's weight, as often as an epoch draws it.
  std::vector<int64_t> TrainingClassCounts() const {
    std::vector<double> counts(shape_.classes, 0.0);
    for (const JobSample* sample : train_) counts[sample->label] += 1.0;
    for (size_t set = 0; set < extra_.size(); ++set) {
      for (const JobSample* sample : extra_[set]) counts[sample->label] += job_.extra_train[set].weight;
    }
    std::vector<int64_t> rounded;
    for (double count : counts) rounded.push_back(std::llround(count));
    return rounded;
  }

  // The model, objective and input transforms for the job's settings.
  absl::Status BuildModel(const std::vector<int64_t>& class_counts) {
    absl::StatusOr<Objective> objective = Objective::FromSettings(settings_, shape_.classes, class_counts);
    if (!objective.ok()) return objective.status();
    objective_ = std::make_unique<Objective>(*std::move(objective));
    absl::StatusOr<ModelInfo> info = FindModel(job_.params.model);
    if (!info.ok()) return info.status();
    absl::StatusOr<augment::AugmentConfig> augment = augment::AugmentConfigFromSettings(
        settings_, info->data.mean, info->data.std, info->data.interpolation);
    if (!augment.ok()) return augment.status();
    augment_ = *std::move(augment);
    augment_.image_size = job_.params.image_size;  // the typed field is the one the pipeline sizes buffers by
    ModelOptions options;
    options.num_classes = objective_->model_outputs();
    options.drop_rate = job_.params.drop_rate;
    options.drop_path_rate = job_.params.drop_path_rate;
    absl::StatusOr<std::shared_ptr<ImageClassifier>> model = CreateModel(job_.params.model, options);
    if (!model.ok()) return model.status();
    model_ = *std::move(model);
    return absl::OkStatus();
  }

  PipelineOptions Pipeline(int batch_size) const {
    PipelineOptions options;
    options.batch_size = batch_size;
    options.image_size = job_.params.image_size;
    options.threads = pipeline_threads_;
    options.decode.min_width = options.decode.min_height = job_.params.image_size;
    const int crop = settings_["center_crop"].get<int>();
    if (crop > 0) options.decode.min_scale = static_cast<double>(job_.params.image_size) / crop;
    return options;
  }

  torch::Tensor ToDevice(const torch::Tensor& images) const {
    torch::Tensor moved = images.to(device_);
    return channels_last_ ? ChannelsLastInput(moved) : moved;
  }

  torch::Tensor Forward(const torch::Tensor& images) {
    if (!amp_) return model_->forward(images);
    at::autocast::set_enabled(true);
    torch::Tensor out = model_->forward(images).to(torch::kFloat);
    at::autocast::set_enabled(false);
    at::autocast::clear_cache();
    return out;
  }

  // The epoch's objective (JobConfig::objective_metric), signed so that larger is better; NaN
  // never improves.
  double ObjectiveScore(const EpochEvent& event) const {
    const std::string& m = job_.objective_metric;
    const double v = m == "val_loss"       ? event.val_loss
                     : m == "train_loss"   ? event.train_loss
                     : m == "val_accuracy" ? event.val_accuracy
                                           : event.val_macro_f1;
    return job_.objective_minimize ? -v : v;
  }

  // Epochs plan.first..plan.last of one phase (from after the checkpoint's epoch when `resume`
  // is a checkpoint taken inside this phase); returns the last epoch run (early stopping may end
  // it sooner).
  absl::StatusOr<int> RunPhase(const PhasePlan& plan, const ResumeCheckpoint* resume, TrainResult& result) {
    FS_ASSIGN_OR_RETURN(std::unique_ptr<Optimization> optimization,
                        Optimization::Create(plan.options, settings_, *model_, AverageGradients()));
    recipes::EarlyStopping stopping(settings_["early_stopping"].get<int>());
    int first = plan.first;
    if (resume != nullptr) {
      if (absl::Status loaded = LoadOptimizationBytes(resume->optimization, device_, *optimization); !loaded.ok()) {
        return absl::DataLossError(absl::StrCat(job_.resume_from, ": ", loaded.message()));
      }
      stopping.Restore(resume->stopping);
      first = resume->epoch + 1;
    }
    for (int epoch = first; epoch <= plan.last; ++epoch) {
      const auto epoch_start = std::chrono::steady_clock::now();
      absl::StatusOr<double> train_loss = TrainEpoch(epoch, *optimization);
      if (!train_loss.ok()) return train_loss.status();
      absl::StatusOr<Evaluation> eval = Evaluate(held_out_, settings_["tta"] == "hflip");
      if (!eval.ok()) return eval.status();
      EpochEvent event{epoch, *train_loss, eval->loss, eval->confusion.MacroF1(), eval->confusion.Accuracy(), 0,
                       eval->age_mae};
      const double score = ObjectiveScore(event);
      if (score > best_score_) {  // strict: ties keep the earlier epoch
        best_score_ = score;
        result.best_epoch = epoch;
        if (rank_ == 0) FS_RETURN_IF_ERROR(SaveBest(result.checkpoint_path, event));
      }
      optimization->OnEpochEnd(event.val_macro_f1);
      event.seconds = SecondsSince(epoch_start);
      const bool stop = stopping.Update(epoch, score);
      result.epochs.push_back(event);
      // The checkpoint lands before the epoch is reported: whoever sees epoch N can resume from it.
      FS_RETURN_IF_ERROR(WriteResume(plan, epoch, stop || epoch == plan.last, *optimization, stopping, result));
      std::fprintf(stderr, "[job %lld] epoch %d/%d train_loss %.4f val_loss %.4f val_macro_f1 %.4f val_acc %.4f%s lr %.3g (%.1fs)\n",
                   static_cast<long long>(job_.job_id), epoch, plan.last, event.train_loss, event.val_loss,
                   event.val_macro_f1, event.val_accuracy,
                   event.val_age_mae ? absl::StrCat(" val_age_mae ", *event.val_age_mae).c_str() : "",
                   optimization->current_lr(), event.seconds);
      events_.OnEpoch(event);
      if (stop) {
        std::fprintf(stderr, "[job %lld] early stopping: no better %s for %d epochs\n",
                     static_cast<long long>(job_.job_id), job_.objective_metric.c_str(),
                     settings_["early_stopping"].get<int>());
        return epoch;
      }
    }
    return plan.last;
  }

  // Writes best.safetensors and keeps its bytes for the resumable checkpoints.
  absl::Status SaveBest(const std::string& path, const EpochEvent& event) {
    FS_RETURN_IF_ERROR(SaveModuleSafetensors(path, *model_, CheckpointMetadata(event)));
    if (!WritesResume()) return absl::OkStatus();
    FS_ASSIGN_OR_RETURN(best_bytes_, ReadBytes(path));
    return absl::OkStatus();
  }

  // Resumable checkpoints are written by a single-process job (rank 0 of 1) with write_resume.
  bool WritesResume() const { return job_.write_resume && world_ == 1; }

  // <out_dir>/resume.ckpt and resume.json after `epoch`, then the checkpoint event.
  absl::Status WriteResume(const PhasePlan& plan, int epoch, bool phase_done, const Optimization& optimization,
                           const recipes::EarlyStopping& stopping, const TrainResult& result) {
    if (!WritesResume()) return absl::OkStatus();
    const auto start = std::chrono::steady_clock::now();
    ResumeCheckpoint checkpoint;
    checkpoint.identity = JobIdentity(job_);
    checkpoint.epoch = epoch;
    checkpoint.phase = plan.index;
    checkpoint.phase_done = phase_done;
    checkpoint.training_last_epoch = plan.training_last_epoch;
    checkpoint.epochs = result.epochs;
    checkpoint.best_epoch = result.best_epoch;
    checkpoint.best_score = best_score_;
    checkpoint.stopping = stopping.state();
    checkpoint.best_weights = best_bytes_;
    checkpoint.model = StateDict(*model_);
    checkpoint.optimization = OptimizationBytes(optimization);
    checkpoint.rng = at::detail::getDefaultCPUGenerator().get_state();
    const std::string path = std::filesystem::absolute(std::filesystem::path(job_.out_dir) / kResumeFileName).string();
    FS_RETURN_IF_ERROR(WriteResumeCheckpoint(path, checkpoint));
    FS_RETURN_IF_ERROR(WriteResumeSidecar(job_.out_dir, epoch));
    std::error_code size_error;
    std::fprintf(stderr, "[job %lld] epoch %d: %s written (%.1f MB, %.2fs)\n", static_cast<long long>(job_.job_id),
                 epoch, kResumeFileName, std::filesystem::file_size(path, size_error) / 1e6, SecondsSince(start));
    events_.OnCheckpoint({epoch, path});
    return absl::OkStatus();
  }

  // Restores the state of job.resume_from (weights, best so far and best.safetensors, finished
  // epochs, torch's generator); RunPhase restores the optimiser and early stopping.
  absl::StatusOr<ResumeCheckpoint> Resume(TrainResult& result) {
    const std::string& path = job_.resume_from;
    if (world_ > 1) {
      return absl::UnimplementedError(absl::StrCat(
          path, ": resume_from: resuming a data-parallel job (ranks ", world_, ") is not supported; start it afresh"));
    }
    FS_ASSIGN_OR_RETURN(ResumeCheckpoint checkpoint, ReadResumeCheckpoint(path, JobIdentity(job_)));
    if (absl::Status loaded = LoadStateDict(*model_, checkpoint.model); !loaded.ok()) {
      return absl::DataLossError(absl::StrCat(path, ": ", loaded.message()));
    }
    if (checkpoint.best_epoch > 0) FS_RETURN_IF_ERROR(WriteFileAtomically(result.checkpoint_path, checkpoint.best_weights));
    best_bytes_ = checkpoint.best_weights;
    best_score_ = checkpoint.best_score;
    result.best_epoch = checkpoint.best_epoch;
    result.epochs = checkpoint.epochs;
    try {
      at::Generator generator = at::detail::getDefaultCPUGenerator();  // shares the default's state
      generator.set_state(checkpoint.rng);
    } catch (const std::exception&) {
      return absl::DataLossError(absl::StrCat(path, ": the saved random generator state is not a CPU generator's"));
    }
    std::fprintf(stderr, "[job %lld] resuming from %s after epoch %d\n", static_cast<long long>(job_.job_id),
                 path.c_str(), checkpoint.epoch);
    return checkpoint;
  }

  GradientAverager AverageGradients() {
    if (data_parallel_ == nullptr) return {};
    return [this] { return data_parallel_->AverageGradients(*model_); };
  }

  absl::Status ReloadBest(const std::string& path) {
    if (data_parallel_ != nullptr) {
      if (absl::Status synced = data_parallel_->Barrier(); !synced.ok()) return synced;  // rank 0 has written it
    }
    absl::Status loaded = LoadBestWeights(path);
    if (loaded.ok()) model_->to(device_);
    return loaded;
  }

  // The weights of a best checkpoint and, for age_regression, the sigma they were saved with.
  absl::Status LoadBestWeights(const std::string& path) {
    FS_RETURN_IF_ERROR(LoadModuleSafetensors(path, *model_));
    if (!objective_->regression()) return absl::OkStatus();
    FS_ASSIGN_OR_RETURN(double sigma, CheckpointAgeSigma(path));
    if (sigma > 0) objective_->set_age_sigma(sigma);
    return absl::OkStatus();
  }

  absl::StatusOr<double> TrainEpoch(int epoch, Optimization& optimization) {
    model_->train();
    epoch_train_ = EpochTrainingSamples(train_, extra_, ExtraWeights(), job_.params.seed, epoch);
    absl::StatusOr<EpochPlan> plan = PlanTrainingEpoch(epoch_train_, settings_["sampler"].get<std::string>(),
                                                       job_.params.seed, epoch, job_.params.batch_size, rank_, world_);
    if (!plan.ok()) return plan.status();
    const augment::AugmentConfig& augment = augment_;
    BatchPipeline pipeline(images_, plan->items, Pipeline(plan->rank_batch_size),
                           [&augment](const data::DecodedImage& image, const PipelineItem& item, float* out) {
                             std::mt19937_64 rng(item.seed);
                             augment::TrainTransform(image.rgb, image.scale, augment, rng, out);
                           });
    std::mt19937_64 mix_rng(DerivedSeed(job_.params.seed, static_cast<uint64_t>(epoch), 0x6d6978ULL));
    double loss_sum = 0;
    double squared_error = 0;  // age_regression: of the training ages, for sigma
    int64_t seen = 0;
    for (int64_t index = 0;; ++index) {
      absl::StatusOr<std::optional<InputBatch>> batch = pipeline.Next();
      if (!batch.ok()) return batch.status();
      if (!batch->has_value()) break;
      std::vector<int64_t> labels;
      for (int64_t sample : (*batch)->samples) labels.push_back(epoch_train_[sample]->label);
      // Mixed on the device: the per-batch arithmetic stays off the CPU the pipeline decodes on.
      torch::Tensor targets = RegressionTargets(**batch, labels).to(device_);
      torch::Tensor images = (*batch)->images.to(device_);
      if (!shape_.regression) {  // ages are not mixed (ShapeOfTask refuses mixup for them)
        augment::MixedBatch mixed = augment::MixBatch(images, targets, shape_.classes, mix_, mix_rng);
        images = mixed.images;
        if (mixed.kind != augment::MixKind::kNone) targets = mixed.targets;
      }
      const torch::Tensor outputs = Forward(ToDevice(images));
      torch::Tensor loss = objective_->Loss(outputs, targets);
      if (shape_.regression) squared_error += (PredictedAges(outputs.detach()) - targets).pow(2).sum().item<double>();
      const double value = loss.item<double>();
      if (!std::isfinite(value) && !amp_) {
        return absl::FailedPreconditionError(absl::StrCat(
            "job ", job_.job_id, ": epoch ", epoch, ": training loss became ", value, " (learning rate too high?)"));
      }
      absl::StatusOr<bool> stepped = optimization.Backward(loss, index, plan->global_batches);
      if (!stepped.ok()) return stepped.status();
      loss_sum += value * labels.size();
      seen += labels.size();
    }
    if (shape_.regression) objective_->set_age_sigma(FitAgeSigma(squared_error, seen));
    return loss_sum / std::max<int64_t>(seen, 1);
  }

  // The batch's targets: class indices, or for age_regression the ages in years.
  torch::Tensor RegressionTargets(const InputBatch& batch, const std::vector<int64_t>& labels) const {
    if (!shape_.regression) return torch::tensor(labels, torch::kInt64);
    std::vector<float> ages;
    for (int64_t sample : batch.samples) ages.push_back(static_cast<float>(epoch_train_[sample]->age));
    return torch::tensor(ages, torch::kFloat);
  }

  // Class probabilities of `samples` (mirrored too and averaged when `tta`),
  // each rank computing its shard; with labels also the loss and confusion.
  absl::StatusOr<Evaluation> Evaluate(const std::vector<const JobSample*>& samples, bool tta, bool labelled = true) {
    torch::NoGradGuard no_grad;
    model_->eval();
    const auto [begin, end] = distributed::ShardRange(static_cast<int64_t>(samples.size()), rank_, world_);
    absl::StatusOr<torch::Tensor> own = ClassLogProbs(samples, begin, end, tta);
    if (!own.ok()) return own.status();
    torch::Tensor log_probs = *std::move(own);
    if (data_parallel_ != nullptr) {
      absl::StatusOr<torch::Tensor> gathered = data_parallel_->AllGatherRows(log_probs);
      if (!gathered.ok()) return gathered.status();
      log_probs = *gathered;
    }
    Evaluation eval;
    eval.probs = log_probs.exp().contiguous();
    if (!labelled) return eval;
    eval.confusion = ConfusionMatrix(shape_.classes);
    const torch::Tensor predicted = log_probs.argmax(1);
    const int64_t* predicted_data = predicted.data_ptr<int64_t>();
    const float* lp = log_probs.data_ptr<float>();
    double nll = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      eval.confusion.Add(samples[i]->label, static_cast<int>(predicted_data[i]));
      nll -= lp[i * shape_.classes + samples[i]->label];
    }
    eval.loss = nll / static_cast<double>(samples.size());
    if (shape_.regression && world_ == 1 && eval_ages_.size() == samples.size()) {
      double error = 0;
      for (size_t i = 0; i < samples.size(); ++i) error += std::abs(eval_ages_[i] - samples[i]->age);
      eval.age_mae = error / static_cast<double>(samples.size());
    }
    return eval;
  }

  // Log-probabilities [end - begin, C] on CPU (float32) of samples[begin, end). With
  // `tta` each batch also runs mirrored and the two probabilities are averaged (as
  // timm's and the teams' hflip TTA do); the eval transform mirrors last, after the
  // resize, so the mirrored batch is the decoded batch flipped on the device.
  absl::StatusOr<torch::Tensor> ClassLogProbs(const std::vector<const JobSample*>& samples, int64_t begin,
                                              int64_t end, bool tta) {
    const augment::AugmentConfig& augment = augment_;
    BatchPipeline pipeline(images_, PlanEvaluation(samples, begin, end), Pipeline(job_.params.batch_size),
                           [&augment](const data::DecodedImage& image, const PipelineItem&, float* out) {
                             augment::EvalTransform(image.rgb, image.scale, augment, /*mirror=*/false, out);
                           });
    std::vector<torch::Tensor> parts;
    eval_ages_.clear();
    while (true) {
      absl::StatusOr<std::optional<InputBatch>> batch = pipeline.Next();
      if (!batch.ok()) return batch.status();
      if (!batch->has_value()) break;
      const torch::Tensor images = ToDevice((*batch)->images);
      const torch::Tensor outputs = Forward(images);
      torch::Tensor log_probs = objective_->ClassLogProbs(outputs);
      torch::Tensor ages = shape_.regression ? PredictedAges(outputs) : torch::Tensor();
      if (tta) {
        const torch::Tensor mirrored_outputs = Forward(images.flip({3}));
        const torch::Tensor mirrored = objective_->ClassLogProbs(mirrored_outputs);
        log_probs = ((log_probs.exp() + mirrored.exp()) / 2).log();
        if (shape_.regression) ages = (ages + PredictedAges(mirrored_outputs)) / 2;
      }
      parts.push_back(log_probs.to(torch::kCPU, torch::kFloat));
      if (shape_.regression) {
        const torch::Tensor cpu = ages.to(torch::kCPU, torch::kFloat).contiguous();
        eval_ages_.insert(eval_ages_.end(), cpu.data_ptr<float>(), cpu.data_ptr<float>() + cpu.numel());
      }
    }
    if (parts.empty()) return torch::zeros({0, shape_.classes});
    return torch::cat(parts).contiguous();
  }

  void EmitPredictions(const std::vector<const JobSample*>& samples, const torch::Tensor& probs) {
    const float* data = probs.data_ptr<float>();
    for (size_t begin = 0; begin < samples.size(); begin += kPredictionsPerEvent) {
      const size_t end = std::min(samples.size(), begin + kPredictionsPerEvent);
      PredictionsEvent event;
      event.num_classes = shape_.classes;
      for (size_t i = begin; i < end; ++i) event.sample_ids.push_back(samples[i]->id);
      event.probs.assign(data + begin * shape_.classes, data + end * shape_.classes);
      events_.OnPredictions(event);
    }
  }

  std::map<std::string, std::string> CheckpointMetadata(const EpochEvent& event) const {
    std::map<std::string, std::string> metadata = {{"format", "pt"},  // what safetensors' torch helpers and timm expect
            {"model", job_.params.model},
            {"num_classes", std::to_string(objective_->model_outputs())},
            {"task", settings_["task"].get<std::string>()},
            {"job_id", std::to_string(job_.job_id)},
            {"fold", std::to_string(job_.fold)},
            {"epoch", std::to_string(event.epoch)},
            {"val_macro_f1", std::to_string(event.val_macro_f1)}};
    if (objective_->regression()) metadata["age_sigma"] = std::to_string(objective_->age_sigma());
    return metadata;
  }

  const JobConfig& job_;
  const nlohmann::json& settings_;
  const ImageProvider& images_;
  EventSink& events_;
  torch::Device device_;
  distributed::DataParallel* data_parallel_;
  int rank_;
  int world_;
  int pipeline_threads_;
  TaskShape shape_;
  std::vector<float> eval_ages_;  // age_regression: the last evaluation's predicted ages, in order
  bool amp_ = false;
  bool channels_last_ = false;
  int64_t batches_per_epoch_ = 1;
  double best_score_ = -std::numeric_limits<double>::infinity();
  std::string best_bytes_;  // best.safetensors as last written (for the resumable checkpoints)
  std::vector<JobSample> samples_;  // the job's samples with the job's labels (age bins applied)
  std::vector<const JobSample*> train_;  // the main dataset's other folds
  std::vector<std::vector<const JobSample*>> extra_;  // by extra training set
  std::vector<const JobSample*> epoch_train_;  // this epoch's: train_ and the extra sets' draws
  std::vector<const JobSample*> held_out_;
  std::unique_ptr<Objective> objective_;
  augment::AugmentConfig augment_;
  augment::MixConfig mix_;
  std::shared_ptr<ImageClassifier> model_;
};

// Runs `method` of a JobRun for `job`, turning exceptions into a Status. A
// training job started as one rank of several (FOLDSTACK_RANK etc., set by
// distributed::LaunchRanks) connects to the others first.
template <typename Result>
absl::StatusOr<Result> RunGuarded(const JobConfig& job, const ImageProvider& images, EventSink& events,
                                  distributed::DataParallel* data_parallel, bool join_ranks,
                                  absl::StatusOr<Result> (JobRun::*method)()) {
  if (job.params.settings.size() != common::AllSettings().size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job ", job.job_id, ": params.settings is not complete (build params with ParseTrainParams)"));
  }
  try {
    absl::StatusOr<torch::Device> device = ParseDevice(job.device);
    if (!device.ok()) return device.status();
    std::unique_ptr<distributed::DataParallel> connected;
    if (data_parallel == nullptr && join_ranks) {
      absl::StatusOr<distributed::RankInfo> rank = distributed::RankInfoFromEnvironment();
      if (!rank.ok()) return rank.status();
      if (rank->world_size > 1) {
        *device = distributed::DeviceForRank(*device, *rank);
        absl::StatusOr<std::unique_ptr<distributed::DataParallel>> joined =
            distributed::DataParallel::Connect(*rank, *device, std::chrono::minutes(5));
        if (!joined.ok()) return joined.status();
        connected = *std::move(joined);
        data_parallel = connected.get();
      }
    }
    JobRun run(job, images, events, *device, data_parallel);
    return (run.*method)();
  } catch (const std::exception& e) {  // torch (c10::Error) and std errors
    std::string message = e.what();
    message = message.substr(0, message.find('\n'));  // c10 appends a multi-line backtrace
    return absl::InternalError(absl::StrCat("job ", job.job_id, ": ", message));
  }
}

}  // namespace

absl::StatusOr<TrainResult> Train(const JobConfig& job, const ImageProvider& images, EventSink& events,
                                  distributed::DataParallel* data_parallel) {
  return RunGuarded(job, images, events, data_parallel, /*join_ranks=*/true, &JobRun::Run);
}

absl::StatusOr<PredictResult> Predict(const JobConfig& job, const ImageProvider& images, EventSink& events) {
  return RunGuarded(job, images, events, nullptr, /*join_ranks=*/false, &JobRun::RunPredict);
}

}  // namespace foldstack::trainer
