#include "worker/trainer/augment/image_transforms.h"

#include "worker/trainer/augment/chw_writer.h"
#include "worker/trainer/augment/color_ops.h"
#include "worker/trainer/augment/geometric_ops.h"
#include "worker/trainer/augment/random_draws.h"

namespace foldstack::augment {

void TrainTransform(const cv::Mat& rgb, double decoded_scale, const AugmentConfig& config,
                    std::mt19937_64& rng, float* out) {
  // Crops are views; the resize writes the first (per-thread, reused) buffer.
  cv::Mat view = rgb(CenterCropRect(rgb.size(), config.center_crop, decoded_scale));
  if (Chance(rng, config.random_resized_crop)) {
    view = view(RandomResizedCropRect(view.size(), config.rrc_scale_min, rng));
  }
  thread_local cv::Mat resized, warped;
  ResizeSquare(view, config.image_size, config.bicubic, resized);
  cv::Mat* image = &resized;

  // The mirror is never a pass of its own: it folds into the warp when there is
  // one, else into the final write (the colour ops after it are per pixel, so
  // they commute with it).
  bool mirror = Chance(rng, config.hflip);
  if (Chance(rng, config.shift_scale_rotate)) {
    const ShiftScaleRotateDraw draw = DrawShiftScaleRotate(config, rng);
    WarpReflect101(resized, ShiftScaleRotateMatrix(draw, resized.size(), mirror), warped);
    image = &warped;
    mirror = false;
  }
  if (Chance(rng, config.hsv)) HueSaturationValueInPlace(*image, config, rng);
  if (Chance(rng, config.brightness_contrast)) BrightnessContrastInPlace(*image, config, rng);
  if (Chance(rng, config.gauss_noise)) GaussNoiseInPlace(*image, config, rng);
  WriteChw(*image, config, mirror, out);
}

void EvalTransform(const cv::Mat& rgb, double decoded_scale, const AugmentConfig& config, bool mirror,
                   float* out) {
  const cv::Mat view = rgb(CenterCropRect(rgb.size(), config.center_crop, decoded_scale));
  thread_local cv::Mat resized;
  ResizeSquare(view, config.image_size, config.bicubic, resized);
  WriteChw(resized, config, mirror, out);
}

}  // namespace foldstack::augment
