#ifndef FOLDSTACK_WORKER_TRAINER_AUGMENT_IMAGE_TRANSFORMS_H_
#define FOLDSTACK_WORKER_TRAINER_AUGMENT_IMAGE_TRANSFORMS_H_

// The per-sample image transforms of training and evaluation: decoded 8-bit
// RGB in, the network's normalised float CHW input out.

#include <random>

#include <opencv2/core.hpp>

#include "worker/trainer/augment/augment_config.h"

namespace foldstack::augment {

// Training transform of ONE sample: `rgb` is CV_8UC3 RGB of any size, decoded at
// `decoded_scale` of the file's full resolution (1.0 = full; 0.5 = JPEG reduced
// decode) so center_crop can be converted to decoded pixels.
// Order: center_crop -> random_resized_crop (with prob) else resize to image_size
// -> hflip -> shift_scale_rotate -> hsv -> brightness_contrast -> gauss_noise
// -> to float CHW, /255, normalize. Writes 3*S*S floats to `out`.
// Every random draw comes from `rng`, so the same seed gives the same output
// whatever thread runs it. `rgb` is not modified. Thread-safe.
void TrainTransform(const cv::Mat& rgb, double decoded_scale, const AugmentConfig& config,
                    std::mt19937_64& rng, float* out);

// Evaluation: center_crop (if set) -> resize -> mirror if `mirror` -> normalize.
// Deterministic. Writes 3*S*S floats to `out`.
void EvalTransform(const cv::Mat& rgb, double decoded_scale, const AugmentConfig& config, bool mirror,
                   float* out);

}  // namespace foldstack::augment

#endif  // FOLDSTACK_WORKER_TRAINER_AUGMENT_IMAGE_TRANSFORMS_H_
