#include "worker/trainer/trainer.h"

#include <torch/cuda.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <future>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "worker/trainer/batch_loader.h"
#include "worker/trainer/metrics.h"
#include "worker/trainer/model_registry.h"
#include "worker/trainer/pretrained.h"
#include "worker/trainer/state_dict.h"

namespace foldstack::trainer {
namespace {

namespace F = torch::nn::functional;

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

struct Batch {
  std::vector<BatchItem> items;
  std::vector<int64_t> labels;
  std::vector<const JobSample*> samples;
};

struct Evaluation {
  double loss = 0;  // mean cross-entropy
  ConfusionMatrix confusion{1};
  torch::Tensor probs;  // [N, C] on CPU, only when requested
};

// State of one job run; Train() below is its only user.
class JobRun {
 public:
  JobRun(const JobConfig& job, const ImageProvider& images, EventSink& events, torch::Device device)
      : job_(job), images_(images), events_(events), device_(device), rng_(job.params.seed),
        loader_threads_(std::clamp(job.threads, 2, 8)) {}

  absl::StatusOr<TrainResult> Run() {
    const auto start = std::chrono::steady_clock::now();
    if (absl::Status status = Setup(); !status.ok()) return status;
    TrainResult result;
    result.checkpoint_path = (std::filesystem::path(job_.out_dir) / "best.safetensors").string();
    double best_f1 = -1;
    for (int epoch = 1; epoch <= job_.params.epochs; ++epoch) {
      const auto epoch_start = std::chrono::steady_clock::now();
      absl::StatusOr<double> train_loss = TrainEpoch(epoch);
      if (!train_loss.ok()) return train_loss.status();
      absl::StatusOr<Evaluation> eval = Evaluate(/*want_probs=*/false);
      if (!eval.ok()) return eval.status();
      EpochEvent event{epoch, *train_loss, eval->loss, eval->confusion.MacroF1(), eval->confusion.Accuracy(), 0};
      if (event.val_macro_f1 > best_f1) {  // strict: ties keep the earlier epoch
        best_f1 = event.val_macro_f1;
        result.best_epoch = epoch;
        absl::Status saved = SaveModuleSafetensors(result.checkpoint_path, *model_, CheckpointMetadata(event));
        if (!saved.ok()) return saved;
      }
      event.seconds = SecondsSince(epoch_start);
      std::fprintf(stderr, "[job %lld] epoch %d/%d train_loss %.4f val_loss %.4f val_macro_f1 %.4f val_acc %.4f (%.1fs)\n",
                   static_cast<long long>(job_.job_id), epoch, job_.params.epochs, event.train_loss,
                   event.val_loss, event.val_macro_f1, event.val_accuracy, event.seconds);
      events_.OnEpoch(event);
      result.epochs.push_back(event);
    }

    if (absl::Status loaded = LoadModuleSafetensors(result.checkpoint_path, *model_); !loaded.ok()) return loaded;
    absl::StatusOr<Evaluation> best = Evaluate(/*want_probs=*/true);
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
    torch::set_num_threads(job_.threads);
    absl::StatusOr<std::shared_ptr<ImageClassifier>> model = CreateModel(job_.params.model, job_.num_classes);
    if (!model.ok()) return model.status();
    model_ = *std::move(model);
    if (absl::Status loaded = LoadModuleSafetensors(job_.checkpoint, *model_); !loaded.ok()) return loaded;
    model_->to(device_);
    std::vector<const JobSample*> samples;
    for (const JobSample& sample : job_.samples) samples.push_back(&sample);
    absl::StatusOr<torch::Tensor> probs = Probabilities(samples, /*flip=*/false);
    if (!probs.ok()) return probs.status();
    if (job_.hflip_tta) {
      absl::StatusOr<torch::Tensor> mirrored = Probabilities(samples, /*flip=*/true);
      if (!mirrored.ok()) return mirrored.status();
      *probs = ((*probs + *mirrored) / 2).contiguous();
    }
    EmitPredictions(samples, *probs);
    PredictResult result{static_cast<int64_t>(samples.size()), SecondsSince(start)};
    events_.OnDone({0, 0, 0, 0, result.seconds});
    return result;
  }

 private:
  // Softmax probabilities [N, C] on CPU of `samples`, all mirrored when `flip`.
  absl::StatusOr<torch::Tensor> Probabilities(const std::vector<const JobSample*>& samples, bool flip) {
    torch::NoGradGuard no_grad;
    model_->eval();
    std::vector<torch::Tensor> probs;
    absl::Status status = ForEachBatch(Chunk(samples, [flip] { return flip; }), [&](const Batch&, torch::Tensor images) {
      probs.push_back(F::softmax(model_->forward(images), F::SoftmaxFuncOptions(1)).to(torch::kCPU));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return torch::cat(probs).contiguous();
  }

  absl::Status Setup() {
    for (const JobSample& sample : job_.samples) (sample.fold == job_.fold ? held_out_ : train_).push_back(&sample);
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

    torch::set_num_threads(job_.threads);
    torch::manual_seed(job_.params.seed);
    ModelOptions options;
    options.num_classes = job_.num_classes;
    options.drop_rate = job_.params.drop_rate;
    options.drop_path_rate = job_.params.drop_path_rate;
    absl::StatusOr<std::shared_ptr<ImageClassifier>> model = CreateModel(job_.params.model, options);
    if (!model.ok()) return model.status();
    model_ = *std::move(model);
    if (!job_.params.pretrained.empty()) {
      absl::StatusOr<ModelInfo> info = FindModel(job_.params.model);
      if (!info.ok()) return info.status();
      absl::StatusOr<PretrainedLoad> loaded = LoadPretrained(job_.params.pretrained, *info, *model_);
      if (!loaded.ok()) return loaded.status();
    }
    model_->to(device_);

    const TrainParams& p = job_.params;
    if (p.optimizer == "sgd") {
      optimizer_ = std::make_unique<torch::optim::SGD>(
          model_->parameters(), torch::optim::SGDOptions(p.lr).momentum(p.momentum).weight_decay(p.weight_decay));
    } else {
      optimizer_ = std::make_unique<torch::optim::Adam>(
          model_->parameters(), torch::optim::AdamOptions(p.lr).weight_decay(p.weight_decay));
    }
    return absl::OkStatus();
  }

  // Shuffled training batches with random flips. A last batch of a single
  // image is dropped: BatchNorm cannot normalize one sample in training mode.
  std::vector<Batch> PlanTrainingBatches() {
    std::vector<const JobSample*> order = train_;
    std::shuffle(order.begin(), order.end(), rng_);
    std::bernoulli_distribution coin(0.5);
    std::vector<Batch> batches = Chunk(order, [&] { return coin(rng_); });
    if (batches.size() > 1 && batches.back().items.size() == 1) batches.pop_back();
    return batches;
  }

  std::vector<Batch> Chunk(const std::vector<const JobSample*>& samples, const std::function<bool()>& flip) const {
    std::vector<Batch> batches;
    for (size_t i = 0; i < samples.size(); ++i) {
      if (i % job_.params.batch_size == 0) batches.emplace_back();
      batches.back().items.push_back({samples[i]->key, flip()});
      batches.back().labels.push_back(samples[i]->label);
      batches.back().samples.push_back(samples[i]);
    }
    return batches;
  }

  // Runs fn on every batch in order while the next batch decodes in the background.
  absl::Status ForEachBatch(const std::vector<Batch>& batches,
                            const std::function<absl::Status(const Batch&, torch::Tensor)>& fn) {
    const int size = job_.params.image_size;
    auto start_loading = [&](size_t index) {
      torch::Tensor pixels = torch::empty({static_cast<int64_t>(batches[index].items.size()), 3, size, size});
      std::future<absl::Status> done = std::async(std::launch::async, [this, &batches, index, size, pixels] {
        return LoadBatch(images_, batches[index].items, size, loader_threads_, pixels.data_ptr<float>());
      });
      return std::make_pair(pixels, std::move(done));
    };
    if (batches.empty()) return absl::OkStatus();
    auto pending = start_loading(0);
    for (size_t i = 0; i < batches.size(); ++i) {
      absl::Status loaded = pending.second.get();
      torch::Tensor pixels = pending.first;
      if (!loaded.ok()) return loaded;
      if (i + 1 < batches.size()) pending = start_loading(i + 1);
      // On an early return the pending std::async future joins its loader in
      // its destructor; the loader holds its own reference to `pixels`.
      absl::Status status = fn(batches[i], pixels.to(device_));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<double> TrainEpoch(int epoch) {
    model_->train();
    double loss_sum = 0;
    int64_t seen = 0;
    absl::Status status = ForEachBatch(PlanTrainingBatches(), [&](const Batch& batch, torch::Tensor images) {
      torch::Tensor labels = torch::tensor(batch.labels, torch::kInt64).to(device_);
      optimizer_->zero_grad();
      torch::Tensor loss = F::cross_entropy(model_->forward(images), labels);
      const double value = loss.item<double>();
      if (!std::isfinite(value)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "job ", job_.job_id, ": epoch ", epoch, ": training loss became ", value, " (learning rate too high?)"));
      }
      loss.backward();
      optimizer_->step();
      loss_sum += value * batch.items.size();
      seen += batch.items.size();
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return loss_sum / std::max<int64_t>(seen, 1);
  }

  absl::StatusOr<Evaluation> Evaluate(bool want_probs) {
    torch::NoGradGuard no_grad;
    model_->eval();
    Evaluation eval;
    eval.confusion = ConfusionMatrix(job_.num_classes);
    std::vector<torch::Tensor> probs;
    double loss_sum = 0;
    absl::Status status = ForEachBatch(Chunk(held_out_, [] { return false; }), [&](const Batch& batch, torch::Tensor images) {
      torch::Tensor labels = torch::tensor(batch.labels, torch::kInt64).to(device_);
      torch::Tensor logits = model_->forward(images);
      loss_sum += F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
      torch::Tensor predicted = logits.argmax(1).to(torch::kCPU);
      for (size_t i = 0; i < batch.labels.size(); ++i) {
        eval.confusion.Add(static_cast<int>(batch.labels[i]), static_cast<int>(predicted[i].item<int64_t>()));
      }
      if (want_probs) probs.push_back(F::softmax(logits, F::SoftmaxFuncOptions(1)).to(torch::kCPU));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    eval.loss = loss_sum / held_out_.size();
    if (want_probs) eval.probs = torch::cat(probs).contiguous();
    return eval;
  }

  void EmitPredictions(const std::vector<const JobSample*>& samples, const torch::Tensor& probs) {
    const float* data = probs.data_ptr<float>();
    for (size_t begin = 0; begin < samples.size(); begin += kPredictionsPerEvent) {
      const size_t end = std::min(samples.size(), begin + kPredictionsPerEvent);
      PredictionsEvent event;
      event.num_classes = job_.num_classes;
      for (size_t i = begin; i < end; ++i) event.sample_ids.push_back(samples[i]->id);
      event.probs.assign(data + begin * job_.num_classes, data + end * job_.num_classes);
      events_.OnPredictions(event);
    }
  }

  std::map<std::string, std::string> CheckpointMetadata(const EpochEvent& event) const {
    return {{"format", "pt"},  // what safetensors' torch helpers and timm expect
            {"model", job_.params.model},
            {"num_classes", std::to_string(job_.num_classes)},
            {"job_id", std::to_string(job_.job_id)},
            {"fold", std::to_string(job_.fold)},
            {"epoch", std::to_string(event.epoch)},
            {"val_macro_f1", std::to_string(event.val_macro_f1)}};
  }

  const JobConfig& job_;
  const ImageProvider& images_;
  EventSink& events_;
  torch::Device device_;
  std::mt19937_64 rng_;
  int loader_threads_;
  std::vector<const JobSample*> train_;
  std::vector<const JobSample*> held_out_;
  std::shared_ptr<ImageClassifier> model_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

}  // namespace

namespace {

// Runs `method` of a JobRun for `job`, turning exceptions into a Status.
template <typename Result>
absl::StatusOr<Result> RunGuarded(const JobConfig& job, const ImageProvider& images, EventSink& events,
                                  absl::StatusOr<Result> (JobRun::*method)()) {
  try {
    absl::StatusOr<torch::Device> device = ParseDevice(job.device);
    if (!device.ok()) return device.status();
    JobRun run(job, images, events, *device);
    return (run.*method)();
  } catch (const std::exception& e) {  // torch (c10::Error) and std errors
    std::string message = e.what();
    message = message.substr(0, message.find('\n'));  // c10 appends a multi-line backtrace
    return absl::InternalError(absl::StrCat("job ", job.job_id, ": ", message));
  }
}

}  // namespace

absl::StatusOr<TrainResult> Train(const JobConfig& job, const ImageProvider& images, EventSink& events) {
  return RunGuarded(job, images, events, &JobRun::Run);
}

absl::StatusOr<PredictResult> Predict(const JobConfig& job, const ImageProvider& images, EventSink& events) {
  return RunGuarded(job, images, events, &JobRun::RunPredict);
}

}  // namespace foldstack::trainer
