#include "worker/trainer/augment/mix.h"

#include <cmath>

#include "common/trainer_settings.h"
#include "gtest/gtest.h"
#include "worker/trainer/augment/random_draws.h"

namespace foldstack::augment {
namespace {

constexpr int kClasses = 5;
constexpr int kN = 4, kH = 8, kW = 10;

// Sample i is filled with the value i + 1, so every pixel says whose it is.
at::Tensor NumberedImages() {
  return at::arange(1, kN + 1, at::kFloat).view({kN, 1, 1, 1}).expand({kN, 3, kH, kW}).contiguous();
}
at::Tensor Labels() { return at::tensor({0, 1, 3, 4}, at::kLong); }

void ExpectMixedTargets(const MixedBatch& batch) {
  const at::Tensor labels = Labels();
  ASSERT_EQ(batch.targets.sizes(), (at::IntArrayRef{kN, kClasses}));
  EXPECT_TRUE(at::allclose(batch.targets.sum(1), at::ones({kN})));
  for (int i = 0; i < kN; ++i) {
    const int64_t own = labels[i].item<int64_t>(), partner = labels[kN - 1 - i].item<int64_t>();
    EXPECT_NEAR(batch.targets[i][own].item<double>(), batch.lambda, 1e-6) << i;
    EXPECT_NEAR(batch.targets[i][partner].item<double>(), 1 - batch.lambda, 1e-6) << i;
  }
}

TEST(MixBatchTest, PlainBatchHasOneHotTargets) {
  std::mt19937_64 rng(1);
  const at::Tensor images = NumberedImages();
  const MixedBatch batch = MixBatch(images, Labels(), kClasses, MixConfig{}, rng);
  EXPECT_EQ(batch.kind, MixKind::kNone);
  EXPECT_EQ(batch.lambda, 1.0);
  EXPECT_TRUE(at::equal(batch.images, images));
  EXPECT_TRUE(at::equal(batch.targets, at::one_hot(Labels(), kClasses).to(at::kFloat)));
}

TEST(MixBatchTest, MixupBlendsEachSampleWithItsMirror) {
  MixConfig config;
  config.mixup = 1;
  const at::Tensor images = NumberedImages();
  const at::Tensor before = images.clone();
  std::mt19937_64 rng(2);
  for (int trial = 0; trial < 20; ++trial) {
    const MixedBatch batch = MixBatch(images, Labels(), kClasses, config, rng);
    ASSERT_EQ(batch.kind, MixKind::kMixup);
    ASSERT_GE(batch.lambda, 0);
    ASSERT_LE(batch.lambda, 1);
    for (int i = 0; i < kN; ++i) {
      const double expected = batch.lambda * (i + 1) + (1 - batch.lambda) * (kN - i);
      ASSERT_TRUE(at::allclose(batch.images[i], at::full({3, kH, kW}, expected, at::kFloat))) << i;
    }
    ExpectMixedTargets(batch);
  }
  EXPECT_TRUE(at::equal(images, before)) << "images modified in place";
}

TEST(MixBatchTest, CutmixLambdaIsTheUnpastedArea) {
  MixConfig config;
  config.cutmix = 1;
  const at::Tensor images = NumberedImages();
  const at::Tensor before = images.clone();
  std::mt19937_64 rng(3);
  int partly_pasted = 0;
  for (int trial = 0; trial < 30; ++trial) {
    const MixedBatch batch = MixBatch(images, Labels(), kClasses, config, rng);
    ASSERT_EQ(batch.kind, MixKind::kCutmix);
    for (int i = 0; i < kN; ++i) {
      // Pixels are either the sample's own or its partner's.
      const at::Tensor pasted = batch.images[i].eq(kN - i);
      const at::Tensor kept = batch.images[i].eq(i + 1);
      ASSERT_TRUE(at::logical_or(pasted, kept).all().item<bool>()) << i;
      const double pasted_fraction = pasted.to(at::kDouble).mean().item<double>();
      ASSERT_NEAR(pasted_fraction, 1 - batch.lambda, 1e-9) << trial << " " << i;
    }
    partly_pasted += batch.lambda > 0 && batch.lambda < 1;
    ExpectMixedTargets(batch);
  }
  EXPECT_GT(partly_pasted, 15);
  EXPECT_TRUE(at::equal(images, before)) << "images modified in place";
}

TEST(MixBatchTest, KindFrequenciesFollowTheProbabilities) {
  MixConfig config;
  config.mixup = 0.3;
  config.cutmix = 0.5;
  const at::Tensor images = at::zeros({2, 3, 2, 2});
  const at::Tensor labels = at::tensor({0, 1}, at::kLong);
  std::mt19937_64 rng(4);
  int counts[3] = {0, 0, 0};
  const int batches = 2000;
  for (int i = 0; i < batches; ++i) ++counts[static_cast<int>(MixBatch(images, labels, 2, config, rng).kind)];
  EXPECT_NEAR(counts[static_cast<int>(MixKind::kNone)], 0.2 * batches, 70);
  EXPECT_NEAR(counts[static_cast<int>(MixKind::kMixup)], 0.3 * batches, 80);
  EXPECT_NEAR(counts[static_cast<int>(MixKind::kCutmix)], 0.5 * batches, 90);
}

TEST(MixBatchTest, SameSeedSameBatch) {
  MixConfig config;
  config.mixup = 0.5;
  config.cutmix = 0.5;
  const at::Tensor images = at::rand({kN, 3, kH, kW});
  for (uint64_t seed = 0; seed < 5; ++seed) {
    std::mt19937_64 a(seed), b(seed);
    const MixedBatch x = MixBatch(images, Labels(), kClasses, config, a);
    const MixedBatch y = MixBatch(images, Labels(), kClasses, config, b);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.lambda, y.lambda);
    EXPECT_TRUE(at::equal(x.images, y.images));
  }
}

TEST(SampleCutmixBoxTest, TimmsBoxSides) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 500; ++i) {
    const double lambda = Uniform(rng, 0, 1);
    const CutmixBox box = SampleCutmixBox(40, 60, lambda, rng);
    ASSERT_LE(0, box.y0);
    ASSERT_LE(box.y0, box.y1);
    ASSERT_LE(box.y1, 40);
    ASSERT_LE(0, box.x0);
    ASSERT_LE(box.x0, box.x1);
    ASSERT_LE(box.x1, 60);
    // Clipping can only shrink the box of sides 2 * (int(side * sqrt(1 - lam)) / 2).
    const int cut_h = static_cast<int>(40 * std::sqrt(1 - lambda));
    const int cut_w = static_cast<int>(60 * std::sqrt(1 - lambda));
    ASSERT_LE(box.y1 - box.y0, 2 * (cut_h / 2));
    ASSERT_LE(box.x1 - box.x0, 2 * (cut_w / 2));
  }
  // lam = 1: nothing pasted.
  EXPECT_EQ(SampleCutmixBox(40, 60, 1.0, rng).Area(), 0);
}

TEST(MixConfigFromSettingsTest, ReadsTheFourSettings) {
  const absl::StatusOr<nlohmann::json> defaults = common::CompleteSettings(nlohmann::json::object());
  ASSERT_TRUE(defaults.ok());
  const MixConfig plain = MixConfigFromSettings(*defaults);
  EXPECT_EQ(plain.mixup, 0);
  EXPECT_EQ(plain.cutmix, 0);
  EXPECT_EQ(plain.mixup_alpha, 1.0);
  EXPECT_EQ(plain.cutmix_alpha, 1.0);
  const MixConfig mixed = MixConfigFromSettings(
      *common::CompleteSettings({{"mixup", 0.2}, {"cutmix", 0.3}, {"mixup_alpha", 0.4}, {"cutmix_alpha", 2}}));
  EXPECT_EQ(mixed.mixup, 0.2);
  EXPECT_EQ(mixed.cutmix, 0.3);
  EXPECT_EQ(mixed.mixup_alpha, 0.4);
  EXPECT_EQ(mixed.cutmix_alpha, 2.0);
}

}  // namespace
}  // namespace foldstack::augment
