#include "worker/trainer/trainer.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <opencv2/core.hpp>

#include "gtest/gtest.h"
#include "worker/trainer/model_registry.h"
#include "worker/trainer/state_dict.h"
#include "worker/trainer/testing/pattern_images.h"

namespace foldstack::trainer {
namespace {

using testing::PatternImageProvider;
using testing::PatternSamples;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string TempDir(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

JobConfig PatternJob(const std::string& name, int per_class, int folds, int epochs) {
  JobConfig job;
  job.job_id = 7;
  job.dataset_kind = "pattern";
  job.num_classes = testing::kPatternClasses;
  job.fold = 0;
  job.params = *ParseTrainParams({{"model", "resnet18"}, {"optimizer", "adam"}, {"lr", 1e-3}, {"epochs", epochs},
                                  {"batch_size", 8}, {"image_size", 32}, {"seed", 3}},
                                 "test");
  job.samples = PatternSamples(per_class, folds);
  job.threads = 1;
  job.out_dir = TempDir(name);
  // Resumable checkpoints (180 MB for resnet18 with Adam) only where a test looks at them; resume_test
  // covers them whole.
  job.write_resume = false;
  return job;
}

TEST(TrainerTest, LearnsPatternsAndKeepsTheBestCheckpoint) {
  JobConfig job = PatternJob("learn", /*per_class=*/24, /*folds=*/3, /*epochs=*/3);
  PatternImageProvider images;
  CollectingEventSink events;
  absl::StatusOr<TrainResult> result = Train(job, images, events);
  ASSERT_TRUE(result.ok()) << result.status();

  ASSERT_EQ(events.epochs.size(), 3u);
  int expected_best = 1;
  for (const EpochEvent& e : events.epochs) {
    EXPECT_GT(e.train_loss, 0);
    EXPECT_GT(e.seconds, 0);
    if (e.val_macro_f1 > events.epochs[expected_best - 1].val_macro_f1) expected_best = e.epoch;
  }
  EXPECT_EQ(result->best_epoch, expected_best);
  // Chance is 0.25; the patterns are easy.
  EXPECT_GE(result->accuracy, 0.75) << "best epoch " << result->best_epoch;
  EXPECT_LT(events.epochs.back().train_loss, events.epochs.front().train_loss);

  // The reloaded checkpoint reproduces the best epoch's held-out metrics.
  const EpochEvent& best = events.epochs[result->best_epoch - 1];
  EXPECT_NEAR(result->macro_f1, best.val_macro_f1, 1e-9);
  EXPECT_NEAR(result->accuracy, best.val_accuracy, 1e-9);
  EXPECT_NEAR(result->val_loss, best.val_loss, 1e-4);
  ASSERT_EQ(events.done.size(), 1u);
  EXPECT_EQ(events.done[0].best_epoch, result->best_epoch);
  EXPECT_EQ(events.done[0].macro_f1, result->macro_f1);

  // Predictions: every held-out sample (fold 0) once, rows are distributions.
  std::vector<int64_t> expected_ids;
  for (const JobSample& s : job.samples)
    if (s.fold == 0) expected_ids.push_back(s.id);
  ASSERT_EQ(events.predictions.size(), 1u);
  const PredictionsEvent& predictions = events.predictions[0];
  EXPECT_EQ(predictions.num_classes, 4);
  EXPECT_EQ(predictions.sample_ids, expected_ids);
  ASSERT_EQ(predictions.probs.size(), expected_ids.size() * 4);
  for (size_t row = 0; row < expected_ids.size(); ++row) {
    float sum = 0;
    for (int c = 0; c < 4; ++c) sum += predictions.probs[row * 4 + c];
    EXPECT_NEAR(sum, 1.0f, 1e-4);
  }

  // best.safetensors is a timm-keyed resnet18 state dict that loads strictly.
  EXPECT_EQ(result->checkpoint_path, job.out_dir + "/best.safetensors");
  std::map<std::string, std::string> metadata;
  auto file = LoadSafetensors(result->checkpoint_path, &metadata);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->size(), 122u);
  EXPECT_EQ(metadata["epoch"], std::to_string(result->best_epoch));
  EXPECT_EQ(metadata["model"], "resnet18");
  auto fresh = CreateModel("resnet18", 4);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(LoadModuleSafetensors(result->checkpoint_path, **fresh).ok());
}

TEST(TrainerTest, SameSeedGivesIdenticalMetrics) {
  PatternImageProvider images;
  CollectingEventSink first, second;
  ASSERT_TRUE(Train(PatternJob("seed_a", 8, 3, 2), images, first).ok());
  ASSERT_TRUE(Train(PatternJob("seed_b", 8, 3, 2), images, second).ok());
  ASSERT_EQ(first.epochs.size(), 2u);
  ASSERT_EQ(second.epochs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(first.epochs[i].train_loss, second.epochs[i].train_loss);
    EXPECT_EQ(first.epochs[i].val_loss, second.epochs[i].val_loss);
    EXPECT_EQ(first.epochs[i].val_macro_f1, second.epochs[i].val_macro_f1);
  }
  EXPECT_EQ(first.predictions[0].probs, second.predictions[0].probs);
}

// A job with a full recipe (settings as a sweep would give them).
JobConfig RecipeJob(const std::string& name, const nlohmann::json& recipe) {
  JobConfig job = PatternJob(name, 8, 3, 2);
  nlohmann::json params = job.params.settings;
  for (const auto& [key, value] : recipe.items()) params[key] = value;
  job.params = *ParseTrainParams(params, "test");
  return job;
}

TEST(TrainerTest, AFullRecipeIsReproducibleFromTheSeed) {
  // Every random part at once: sampler, per-image augmentation, mixup/cutmix,
  // dropout, plus accumulation, clipping, a schedule, TTA and fine-tuning.
  const nlohmann::json recipe = {
      {"loss", "focal"}, {"loss2", "f1"}, {"loss2_weight", 0.5}, {"optimizer", "adamw"},
      {"weight_decay", 0.01}, {"scheduler", "cosine"}, {"warmup_epochs", 0.5}, {"grad_accum_steps", 2},
      {"clip_grad_norm", 1.0}, {"sampler", "class_balanced"}, {"hflip", 0.5}, {"shift_scale_rotate", 0.5},
      {"brightness_contrast", 0.5}, {"hsv", 0.3}, {"gauss_noise", 0.3}, {"random_resized_crop", 0.3},
      {"mixup", 0.35}, {"cutmix", 0.35}, {"drop_rate", 0.2}, {"tta", "hflip"}, {"finetune_epochs", 1},
      {"finetune_optimizer", "sgd"}, {"finetune_lr", 0.001}};
  PatternImageProvider images;
  CollectingEventSink first, second, other_seed;
  ASSERT_TRUE(Train(RecipeJob("recipe_a", recipe), images, first).ok());
  ASSERT_TRUE(Train(RecipeJob("recipe_b", recipe), images, second).ok());
  nlohmann::json reseeded = recipe;
  reseeded["seed"] = 4;
  ASSERT_TRUE(Train(RecipeJob("recipe_c", reseeded), images, other_seed).ok());
  ASSERT_EQ(first.epochs.size(), 3u);  // 2 epochs + 1 fine-tuning epoch
  ASSERT_EQ(second.epochs.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first.epochs[i].epoch, static_cast<int>(i) + 1);
    EXPECT_EQ(first.epochs[i].train_loss, second.epochs[i].train_loss);
    EXPECT_EQ(first.epochs[i].val_loss, second.epochs[i].val_loss);
    EXPECT_EQ(first.epochs[i].val_macro_f1, second.epochs[i].val_macro_f1);
  }
  EXPECT_EQ(first.predictions[0].probs, second.predictions[0].probs);
  EXPECT_NE(first.epochs[0].train_loss, other_seed.epochs[0].train_loss);
}

TEST(TrainerTest, EarlyStoppingEndsTrainingAfterPatienceEpochs) {
  // A learning rate too small to learn anything: only BatchNorm's running
  // statistics move the held-out metric, and they settle within a few epochs.
  JobConfig job = RecipeJob("early", {{"epochs", 8}, {"early_stopping", 2}, {"optimizer", "sgd"}, {"lr", 1e-12},
                                      {"hflip", 0.0}});
  job.write_resume = true;
  PatternImageProvider images;
  CollectingEventSink events;
  absl::StatusOr<TrainResult> result = Train(job, images, events);
  ASSERT_TRUE(result.ok()) << result.status();
  // Replay the rule on the metrics seen: stop once 2 epochs in a row bring no better macro-F1.
  double best = -1;
  int best_epoch = 0;
  size_t expected_epochs = events.epochs.size();
  for (const EpochEvent& e : events.epochs) {
    if (e.val_macro_f1 > best) {
      best = e.val_macro_f1;
      best_epoch = e.epoch;
    } else if (e.epoch - best_epoch == 2) {
      expected_epochs = static_cast<size_t>(e.epoch);
      break;
    }
  }
  EXPECT_EQ(events.epochs.size(), expected_epochs);
  EXPECT_LT(events.epochs.size(), 8u) << "never stopped early";
  EXPECT_EQ(result->best_epoch, best_epoch);
  EXPECT_EQ(events.epochs.back().epoch - best_epoch, 2);
  ASSERT_EQ(events.done.size(), 1u);

  // Its last resumable checkpoint is of the stopped phase: resuming from it (in another
  // out_dir) trains nothing and ends as the job did.
  ASSERT_EQ(events.checkpoints.size(), events.epochs.size());
  EXPECT_EQ(events.checkpoints.back().epoch, events.epochs.back().epoch);
  JobConfig resumed_job = job;
  resumed_job.out_dir = TempDir("early_resumed");
  resumed_job.resume_from = events.checkpoints.back().path;
  CollectingEventSink resumed_events;
  absl::StatusOr<TrainResult> resumed = Train(resumed_job, images, resumed_events);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  // It trains no further epoch: it reports the finished ones again from the checkpoint (their
  // report may not have reached the coordinator) and writes no checkpoint.
  ASSERT_EQ(resumed_events.epochs.size(), events.epochs.size());
  for (size_t i = 0; i < events.epochs.size(); ++i) {
    EXPECT_EQ(resumed_events.epochs[i].epoch, events.epochs[i].epoch);
    EXPECT_EQ(resumed_events.epochs[i].val_macro_f1, events.epochs[i].val_macro_f1);
  }
  EXPECT_TRUE(resumed_events.checkpoints.empty());
  EXPECT_EQ(resumed->epochs.size(), result->epochs.size());
  EXPECT_EQ(resumed->best_epoch, result->best_epoch);
  EXPECT_EQ(resumed->macro_f1, result->macro_f1);
  EXPECT_EQ(resumed->val_loss, result->val_loss);
  ASSERT_EQ(resumed_events.predictions.size(), events.predictions.size());
  EXPECT_EQ(resumed_events.predictions[0].probs, events.predictions[0].probs);
  EXPECT_EQ(ReadFile(resumed->checkpoint_path), ReadFile(result->checkpoint_path));
}

TEST(TrainerTest, RecipeSettingsAreCheckedAgainstTheJob) {
  PatternImageProvider images;
  CollectingEventSink events;
  EXPECT_EQ(Train(RecipeJob("heads", {{"task", "multi_head"}}), images, events).status().message(),
            "task: multi_head needs the mask task's 18 classes (mask x gender x age), this dataset has 4");
  EXPECT_EQ(Train(RecipeJob("bins", {{"age_bins", "30,59"}}), images, events).status().message(),
            "age_bins: only the mask task has age bins; this job's dataset is \"pattern\"");
  JobConfig incomplete = PatternJob("incomplete", 4, 2, 1);
  incomplete.params.settings = nlohmann::json::object();
  EXPECT_FALSE(Train(incomplete, images, events).ok());
}

TEST(TrainerTest, PredictionsComeInChunksOfAtMost256) {
  JobConfig job = PatternJob("chunks", /*per_class=*/130, /*folds=*/2, /*epochs=*/1);
  job.params.image_size = 16;
  job.params.batch_size = 64;
  PatternImageProvider images;
  CollectingEventSink events;
  ASSERT_TRUE(Train(job, images, events).ok());
  ASSERT_EQ(events.predictions.size(), 2u);
  EXPECT_EQ(events.predictions[0].sample_ids.size(), 256u);
  EXPECT_EQ(events.predictions[1].sample_ids.size(), 4u);
  EXPECT_EQ(events.predictions[1].probs.size(), 16u);
  // Samples go (n, label) with fold n % 2; the last fold-0 one is n=128, label 3.
  EXPECT_EQ(events.predictions[1].sample_ids.back(), 128 * 4 + 3 + 1);
}

TEST(TrainerTest, MissingImageStopsTheJobNamingIt) {
  JobConfig job = PatternJob("missing", 4, 2, 1);
  job.samples[5].key = "pattern/9/missing.jpg";
  PatternImageProvider images;
  CollectingEventSink events;
  absl::StatusOr<TrainResult> result = Train(job, images, events);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("pattern/9/missing.jpg"), std::string::npos) << result.status();
  EXPECT_TRUE(events.done.empty());
}

TEST(TrainerTest, RefusesUnusableJobs) {
  PatternImageProvider images;
  CollectingEventSink events;
  JobConfig cuda = PatternJob("cuda", 4, 2, 1);
  cuda.device = "cuda:0";
  absl::StatusOr<TrainResult> no_cuda = Train(cuda, images, events);
  ASSERT_FALSE(no_cuda.ok());  // Debian's LibTorch is CPU-only
  EXPECT_NE(no_cuda.status().message().find("CUDA is not available"), std::string::npos) << no_cuda.status();

  JobConfig tpu = PatternJob("tpu", 4, 2, 1);
  tpu.device = "tpu";
  EXPECT_FALSE(Train(tpu, images, events).ok());

  JobConfig empty_fold = PatternJob("empty", 4, 2, 1);
  empty_fold.fold = 5;
  absl::StatusOr<TrainResult> empty = Train(empty_fold, images, events);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no samples in held-out fold 5"), std::string::npos);

  JobConfig unknown_model = PatternJob("model", 4, 2, 1);
  unknown_model.params.model = "resnet81";
  EXPECT_FALSE(Train(unknown_model, images, events).ok());
  EXPECT_TRUE(events.epochs.empty());
}

// Mirrors every image of another provider left-right.
class MirroredImages : public ImageProvider {
 public:
  absl::StatusOr<data::DecodedImage> Decode(const std::string& key, const data::DecodeTarget& target) const override {
    absl::StatusOr<data::DecodedImage> image = images_.Decode(key, target);
    if (!image.ok()) return image;
    cv::flip(image->rgb, image->rgb, 1);
    return image;
  }

 private:
  PatternImageProvider images_;
};

// A predict job over the pattern samples with a freshly initialized, saved resnet18.
JobConfig PredictJob(const std::string& name, bool tta) {
  JobConfig job = PatternJob(name, /*per_class=*/5, /*folds=*/1, /*epochs=*/1);
  job.mode = JobMode::kPredict;
  job.hflip_tta = tta;
  job.checkpoint = TempDir("predict_model.safetensors");
  torch::manual_seed(11);
  auto model = CreateModel("resnet18", testing::kPatternClasses);
  EXPECT_TRUE(model.ok());
  EXPECT_TRUE(SaveModuleSafetensors(job.checkpoint, **model).ok());
  return job;
}

std::vector<float> PredictedProbs(const JobConfig& job, const ImageProvider& images) {
  CollectingEventSink events;
  absl::StatusOr<PredictResult> result = Predict(job, images, events);
  EXPECT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(events.done.size(), 1u);
  EXPECT_TRUE(events.epochs.empty());
  std::vector<float> probs;
  std::vector<int64_t> ids;
  for (const PredictionsEvent& e : events.predictions) {
    probs.insert(probs.end(), e.probs.begin(), e.probs.end());
    ids.insert(ids.end(), e.sample_ids.begin(), e.sample_ids.end());
  }
  std::vector<int64_t> expected_ids;
  for (const JobSample& s : job.samples) expected_ids.push_back(s.id);
  EXPECT_EQ(ids, expected_ids) << "every sample once, in job order";
  return probs;
}

TEST(TrainerTest, PredictWithHflipTtaIsTheMeanOfBothPasses) {
  PatternImageProvider images;
  MirroredImages mirrored;
  const std::vector<float> plain = PredictedProbs(PredictJob("plain", false), images);
  const std::vector<float> flipped = PredictedProbs(PredictJob("flipped", false), mirrored);
  const std::vector<float> tta = PredictedProbs(PredictJob("tta", true), images);
  ASSERT_EQ(plain.size(), 20u * testing::kPatternClasses);
  ASSERT_EQ(tta.size(), plain.size());
  ASSERT_EQ(flipped.size(), plain.size());
  float largest_difference = 0;
  for (size_t i = 0; i < tta.size(); ++i) {
    EXPECT_NEAR(tta[i], (plain[i] + flipped[i]) / 2, 1e-5) << i;
    largest_difference = std::max(largest_difference, std::abs(plain[i] - flipped[i]));
  }
  EXPECT_GT(largest_difference, 1e-4) << "the mirror pass must see different pixels";
  for (size_t row = 0; row < 20; ++row) {
    float sum = 0;
    for (int c = 0; c < testing::kPatternClasses; ++c) sum += tta[row * testing::kPatternClasses + c];
    EXPECT_NEAR(sum, 1.0f, 1e-4);
  }
}

TEST(TrainerTest, PredictRefusesACheckpointOfAnotherShape) {
  JobConfig job = PredictJob("shape", true);
  job.num_classes = 7;  // the checkpoint's head has 4 outputs
  PatternImageProvider images;
  CollectingEventSink events;
  absl::StatusOr<PredictResult> result = Predict(job, images, events);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("fc.weight"), std::string::npos) << result.status();
  EXPECT_TRUE(events.predictions.empty());
  job.checkpoint = TempDir("no_such.safetensors");
  job.num_classes = testing::kPatternClasses;
  result = Predict(job, images, events);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("no_such.safetensors"), std::string::npos) << result.status();
}

}  // namespace
}  // namespace foldstack::trainer
