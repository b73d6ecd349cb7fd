#include "worker/trainer/optimization.h"

#include <torch/nn/modules/linear.h>

#include <sstream>

#include "common/trainer_settings.h"
#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

using nlohmann::json;

json Settings(const json& overrides) { return *common::CompleteSettings(overrides); }

// A bias-free linear model and a fixed regression batch of 4 rows.
struct Problem {
  torch::nn::Linear model{torch::nn::LinearOptions(3, 1).bias(false)};
  torch::Tensor x = torch::arange(12, torch::kFloat).reshape({4, 3}) / 10;
  torch::Tensor y = torch::tensor({1.0f, -1.0f, 0.5f, 2.0f}).reshape({4, 1});
  Problem() {
    torch::NoGradGuard no_grad;
    model->weight.copy_(torch::tensor({0.1f, -0.2f, 0.3f}).reshape({1, 3}));
  }
  torch::Tensor Loss(int64_t begin, int64_t end) {
    return (model->forward(x.slice(0, begin, end)) - y.slice(0, begin, end)).pow(2).mean();
  }
};

// Saved after two steps and loaded into a fresh Optimization over a copy of the
// model, the next steps match the uninterrupted run's bit for bit, for every
// optimiser (MADGRAD's anchor and sums, Adam's moments, SGD's momentum) and a
// plateau schedule's state.
TEST(OptimizationTest, SavedStateContinuesBitForBit) {
  for (const char* name : {"sgd", "adam", "adamw", "madgrad"}) {
    const json settings = Settings({{"optimizer", name}, {"lr", 0.05}, {"momentum", 0.9}, {"weight_decay", 0.01},
                                    {"scheduler", "plateau"}, {"patience_epochs", 0}});
    Problem uninterrupted;
    auto original = *Optimization::Create(TrainingPhase(settings, 1, false), settings, *uninterrupted.model);
    for (int step = 0; step < 2; ++step) ASSERT_TRUE(*original->Backward(uninterrupted.Loss(0, 4), 0, 1));
    original->OnEpochEnd(0.5);
    original->OnEpochEnd(0.4);  // a plateau decay
    torch::serialize::OutputArchive saved;
    original->Save(saved);
    std::ostringstream bytes;
    saved.save_to(bytes);

    Problem resumed_problem;
    {
      torch::NoGradGuard no_grad;
      resumed_problem.model->weight.copy_(uninterrupted.model->weight);
    }
    auto resumed = *Optimization::Create(TrainingPhase(settings, 1, false), settings, *resumed_problem.model);
    std::istringstream in(bytes.str());
    torch::serialize::InputArchive archive;
    archive.load_from(in);
    ASSERT_TRUE(resumed->Load(archive).ok()) << name;
    EXPECT_EQ(resumed->steps(), 2) << name;
    EXPECT_EQ(resumed->current_lr(), original->current_lr()) << name;
    for (int step = 0; step < 2; ++step) {
      ASSERT_TRUE(*original->Backward(uninterrupted.Loss(0, 4), 0, 1));
      ASSERT_TRUE(*resumed->Backward(resumed_problem.Loss(0, 4), 0, 1));
    }
    EXPECT_TRUE(torch::equal(uninterrupted.model->weight, resumed_problem.model->weight)) << name;
  }
}

TEST(OptimizationTest, LoadRefusesAnotherOptimizersState) {
  const json sgd = Settings({{"optimizer", "sgd"}});
  const json adam = Settings({{"optimizer", "adam"}});
  Problem a, b;
  auto saving = *Optimization::Create(TrainingPhase(sgd, 1, false), sgd, *a.model);
  torch::serialize::OutputArchive saved;
  saving->Save(saved);
  std::ostringstream bytes;
  saved.save_to(bytes);
  auto loading = *Optimization::Create(TrainingPhase(adam, 1, false), adam, *b.model);
  std::istringstream in(bytes.str());
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  EXPECT_EQ(loading->Load(archive).message(), "optimizer state is for sgd, this phase uses adam");
}

TEST(OptimizationTest, AccumulatedHalfBatchesStepLikeOneFullBatch) {
  const json full_settings = Settings({{"optimizer", "sgd"}, {"lr", 0.1}, {"momentum", 0.0}});
  Problem full;
  auto one = *Optimization::Create(TrainingPhase(full_settings, 1, false), full_settings, *full.model);
  EXPECT_TRUE(*one->Backward(full.Loss(0, 4), 0, 1));

  json accum_settings = full_settings;
  accum_settings["grad_accum_steps"] = 2;
  Problem halves;
  auto two = *Optimization::Create(TrainingPhase(accum_settings, 2, false), accum_settings, *halves.model);
  EXPECT_FALSE(*two->Backward(halves.Loss(0, 2), 0, 2));  // accumulates
  EXPECT_TRUE(*two->Backward(halves.Loss(2, 4), 1, 2));   // steps
  EXPECT_EQ(two->steps(), 1);
  EXPECT_TRUE(torch::allclose(full.model->weight, halves.model->weight, 1e-6, 1e-7))
      << full.model->weight << halves.model->weight;
  EXPECT_FALSE(torch::allclose(full.model->weight, torch::tensor({0.1f, -0.2f, 0.3f}).reshape({1, 3})));
}

// Dynamic loss scaling is what precision amp turns on for CUDA jobs; the logic is
// device-independent, so it is checked here on CPU.
TEST(OptimizationTest, LossScalingStepsLikeUnscaledTraining) {
  const json settings = Settings({{"optimizer", "sgd"}, {"lr", 0.1}, {"momentum", 0.9}});
  Problem plain, scaled;
  auto unscaled_run = *Optimization::Create(TrainingPhase(settings, 1, false), settings, *plain.model);
  auto scaled_run = *Optimization::Create(TrainingPhase(settings, 1, true), settings, *scaled.model);
  for (int step = 0; step < 3; ++step) {
    EXPECT_TRUE(*unscaled_run->Backward(plain.Loss(0, 4), 0, 1));
    EXPECT_TRUE(*scaled_run->Backward(scaled.Loss(0, 4), 0, 1));
  }
  EXPECT_EQ(scaled_run->skipped_steps(), 0);
  EXPECT_EQ(scaled_run->loss_scale(), 65536.0);
  EXPECT_TRUE(torch::allclose(plain.model->weight, scaled.model->weight, 1e-5, 1e-6))
      << plain.model->weight << scaled.model->weight;
}

TEST(OptimizationTest, LossScalingSkipsOverflowingStepsAndHalvesTheScale) {
  const json settings = Settings({{"optimizer", "sgd"}, {"lr", 0.1}, {"momentum", 0.0}});
  Problem problem;
  const torch::Tensor before = problem.model->weight.detach().clone();
  auto optimization = *Optimization::Create(TrainingPhase(settings, 1, true), settings, *problem.model);
  // A loss whose scaled gradient overflows float32 (1e35 x 65536 > 3.4e38).
  EXPECT_FALSE(*optimization->Backward(problem.Loss(0, 4) * 1e35, 0, 1));
  EXPECT_EQ(optimization->skipped_steps(), 1);
  EXPECT_EQ(optimization->steps(), 0);
  EXPECT_EQ(optimization->loss_scale(), 32768.0);
  EXPECT_TRUE(torch::equal(problem.model->weight, before));
  // The dropped gradients are gone: the next finite batch steps from a clean slate.
  EXPECT_TRUE(*optimization->Backward(problem.Loss(0, 4), 0, 1));
  Problem reference;
  auto plain = *Optimization::Create(TrainingPhase(settings, 1, false), settings, *reference.model);
  EXPECT_TRUE(*plain->Backward(reference.Loss(0, 4), 0, 1));
  EXPECT_TRUE(torch::allclose(problem.model->weight, reference.model->weight, 1e-5, 1e-6));
}

TEST(OptimizationTest, ClipsTheGlobalGradientNorm) {
  const json settings = Settings({{"optimizer", "sgd"}, {"lr", 1.0}, {"momentum", 0.0}, {"clip_grad_norm", 0.01}});
  Problem problem;
  const torch::Tensor before = problem.model->weight.detach().clone();
  auto optimization = *Optimization::Create(TrainingPhase(settings, 1, false), settings, *problem.model);
  ASSERT_TRUE(optimization->Backward(problem.Loss(0, 4), 0, 1).ok());
  // With lr 1 the step is the clipped gradient itself.
  EXPECT_NEAR((problem.model->weight - before).norm().item<double>(), 0.01, 1e-5);
}

TEST(OptimizationTest, TheScheduleSetsEachStepsLearningRate) {
  // Warm-up over 2 of 4 steps: lr 0.05, 0.1, then cosine 0.1 -> 0.
  const json settings = Settings({{"optimizer", "sgd"}, {"lr", 0.1}, {"momentum", 0.0}, {"scheduler", "cosine"},
                                  {"warmup_epochs", 1.0}, {"epochs", 2}});
  Problem problem;
  auto optimization = *Optimization::Create(TrainingPhase(settings, 2, false), settings, *problem.model);
  EXPECT_NEAR(optimization->current_lr(), 0.05, 1e-12);
  torch::Tensor before = problem.model->weight.detach().clone();
  ASSERT_TRUE(optimization->Backward(problem.Loss(0, 4), 0, 2).ok());
  // SGD without momentum: delta = -lr * grad; compare to the gradient at `before`.
  torch::Tensor w = before.detach().clone().requires_grad_(true);
  torch::Tensor loss = (torch::matmul(problem.x, w.t()) - problem.y).pow(2).mean();
  loss.backward();
  EXPECT_TRUE(torch::allclose(problem.model->weight - before, -0.05 * w.grad(), 1e-5, 1e-7));
  EXPECT_NEAR(optimization->current_lr(), 0.1, 1e-12);
}

TEST(OptimizationTest, FinetuneUsesItsOwnOptimizerAndConstantLr) {
  const json settings = Settings({{"optimizer", "madgrad"}, {"lr", 1e-6}, {"scheduler", "cosine"},
                                  {"finetune_epochs", 2}, {"finetune_optimizer", "sgd"}, {"finetune_lr", 0.01}});
  const PhaseOptions phase = FinetunePhase(settings, 5, false);
  EXPECT_EQ(phase.optimizer, "sgd");
  EXPECT_EQ(phase.schedule.kind, "none");
  EXPECT_EQ(phase.schedule.base_lr, 0.01);
  Problem problem;
  auto optimization = *Optimization::Create(phase, settings, *problem.model);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(optimization->Backward(problem.Loss(0, 4), i, 5).ok());
  EXPECT_EQ(optimization->current_lr(), 0.01);
}

}  // namespace
}  // namespace foldstack::trainer
