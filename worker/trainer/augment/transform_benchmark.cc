// Per-image cost of TrainTransform / EvalTransform on one thread, for
// comparison with torchvision (torchvision_reference.py runs the same pipeline
// on PIL images). The input is the mask data set's 384 x 512 photo size.
//   bazel run -c opt //worker/trainer/augment:transform_benchmark

#include <vector>

#include "benchmark/benchmark.h"
#include "worker/trainer/augment/image_transforms.h"
#include "worker/trainer/augment/testing/test_images.h"

namespace foldstack::augment {
namespace {

const cv::Mat& Photo() {
  static const cv::Mat* const kPhoto = new cv::Mat(testing::GradientImage(512, 384));
  return *kPhoto;
}

// Every op off except those named, which run with probability 1.
AugmentConfig Only(std::initializer_list<double AugmentConfig::*> ops) {
  AugmentConfig config;
  config.hflip = 0;
  for (double AugmentConfig::*op : ops) config.*op = 1;
  return config;
}
using C = AugmentConfig;

void BM_Train(benchmark::State& state, const AugmentConfig& config) {
  std::vector<float> out(3 * config.image_size * config.image_size);
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    TrainTransform(Photo(), 1.0, config, rng, out.data());
    benchmark::DoNotOptimize(out.data());
  }
}

BENCHMARK_CAPTURE(BM_Train, resize_only, Only({}));
BENCHMARK_CAPTURE(BM_Train, crop_flip, Only({&C::random_resized_crop, &C::hflip}));
BENCHMARK_CAPTURE(BM_Train, shift_scale_rotate, Only({&C::shift_scale_rotate}));
BENCHMARK_CAPTURE(BM_Train, hsv, Only({&C::hsv}));
BENCHMARK_CAPTURE(BM_Train, brightness_contrast, Only({&C::brightness_contrast}));
BENCHMARK_CAPTURE(BM_Train, gauss_noise, Only({&C::gauss_noise}));
BENCHMARK_CAPTURE(BM_Train, every_op,
                  Only({&C::random_resized_crop, &C::hflip, &C::shift_scale_rotate, &C::hsv,
                        &C::brightness_contrast, &C::gauss_noise}));

void BM_Eval(benchmark::State& state) {
  const AugmentConfig config;
  std::vector<float> out(3 * config.image_size * config.image_size);
  for (auto _ : state) {
    EvalTransform(Photo(), 1.0, config, false, out.data());
    benchmark::DoNotOptimize(out.data());
  }
}

BENCHMARK(BM_Eval);

}  // namespace
}  // namespace foldstack::augment

BENCHMARK_MAIN();
