#ifndef FOLDSTACK_WORKER_TRAINER_AUGMENT_CHW_WRITER_H_
#define FOLDSTACK_WORKER_TRAINER_AUGMENT_CHW_WRITER_H_

// The last step of every transform: 8-bit HWC RGB to float CHW planes, with
// /255 and the mean/std normalisation fused into one table look-up per value.

#include <opencv2/core.hpp>

#include "worker/trainer/augment/augment_config.h"

namespace foldstack::augment {

// Writes 3 * rows * cols floats to `out` (plane c at out + c * rows * cols):
// (x / 255 - mean[c]) / std[c], or x / 255 when !config.normalize. With `mirror`
// the columns are read right to left, so a left-right flip costs nothing.
// `rgb` is CV_8UC3 and may be a non-contiguous ROI.
void WriteChw(const cv::Mat& rgb, const AugmentConfig& config, bool mirror, float* out);

}  // namespace foldstack::augment

#endif  // FOLDSTACK_WORKER_TRAINER_AUGMENT_CHW_WRITER_H_
