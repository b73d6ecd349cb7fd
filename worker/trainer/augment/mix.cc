#include "worker/trainer/augment/mix.h"

#include <algorithm>
#include <cmath>

#include "worker/trainer/augment/random_draws.h"

namespace foldstack::augment {
namespace {

double NumberOr(const nlohmann::json& settings, const char* key, double fallback) {
  const auto it = settings.find(key);
  return it != settings.end() && it->is_number() ? it->get<double>() : fallback;
}

at::Tensor OneHot(const at::Tensor& labels, int num_classes) {
  return at::one_hot(labels, num_classes).to(at::kFloat);
}

}  // namespace

MixConfig MixConfigFromSettings(const nlohmann::json& settings) {
  MixConfig config;
  if (!settings.is_object()) return config;
  config.mixup = NumberOr(settings, "mixup", config.mixup);
  config.cutmix = NumberOr(settings, "cutmix", config.cutmix);
  config.mixup_alpha = NumberOr(settings, "mixup_alpha", config.mixup_alpha);
  config.cutmix_alpha = NumberOr(settings, "cutmix_alpha", config.cutmix_alpha);
  return config;
}

CutmixBox SampleCutmixBox(int height, int width, double lambda, std::mt19937_64& rng) {
  const double ratio = std::sqrt(std::clamp(1.0 - lambda, 0.0, 1.0));
  const int cut_h = static_cast<int>(height * ratio);
  const int cut_w = static_cast<int>(width * ratio);
  const int cy = UniformInt(rng, 0, height - 1);
  const int cx = UniformInt(rng, 0, width - 1);
  CutmixBox box;
  box.y0 = std::clamp(cy - cut_h / 2, 0, height);
  box.y1 = std::clamp(cy + cut_h / 2, 0, height);
  box.x0 = std::clamp(cx - cut_w / 2, 0, width);
  box.x1 = std::clamp(cx + cut_w / 2, 0, width);
  return box;
}

MixedBatch MixBatch(const at::Tensor& images, const at::Tensor& labels, int num_classes, const MixConfig& config,
                    std::mt19937_64& rng) {
  const double u = Uniform(rng, 0, 1);
  MixedBatch batch;
  batch.kind = u < config.mixup ? MixKind::kMixup
               : u < config.mixup + config.cutmix ? MixKind::kCutmix
                                                  : MixKind::kNone;
  const at::Tensor own = OneHot(labels, num_classes);
  if (batch.kind == MixKind::kNone) {
    batch.images = images;
    batch.targets = own;
    return batch;
  }
  const at::Tensor partners = images.flip(0);
  if (batch.kind == MixKind::kMixup) {
    batch.lambda = SymmetricBeta(rng, config.mixup_alpha);
    batch.images = images * batch.lambda + partners * (1.0 - batch.lambda);
  } else {
    const int height = static_cast<int>(images.size(-2));
    const int width = static_cast<int>(images.size(-1));
    const CutmixBox box = SampleCutmixBox(height, width, SymmetricBeta(rng, config.cutmix_alpha), rng);
    batch.lambda = 1.0 - static_cast<double>(box.Area()) / (static_cast<double>(height) * width);
    batch.images = images.clone();
    using at::indexing::Slice;
    const std::initializer_list<at::indexing::TensorIndex> region = {
        Slice(), Slice(), Slice(box.y0, box.y1), Slice(box.x0, box.x1)};
    batch.images.index_put_(region, partners.index(region));
  }
  batch.targets = own * batch.lambda + own.flip(0) * (1.0 - batch.lambda);
  return batch;
}

}  // namespace foldstack::augment
