#ifndef FOLDSTACK_WORKER_TRAINER_AUGMENT_GEOMETRIC_OPS_H_
#define FOLDSTACK_WORKER_TRAINER_AUGMENT_GEOMETRIC_OPS_H_

// Crops, resize, mirror and the shift/scale/rotate warp on 8-bit RGB images
// (CV_8UC3). Crops return rectangles so the pipeline can take ROI views
// without copying pixels.

#include <random>

#include <opencv2/core.hpp>

#include "worker/trainer/augment/augment_config.h"

namespace foldstack::augment {

// The central crop x crop pixels of the original image, in the pixels of an
// image decoded at `decoded_scale` of full resolution (0.5 = a JPEG decoded at
// half size), clipped to the image. crop == 0: the whole image.
cv::Rect CenterCropRect(cv::Size image, int crop, double decoded_scale);

// torchvision's RandomResizedCrop.get_params: area fraction ~ U(scale_min, 1),
// log aspect ratio ~ U(log 3/4, log 4/3), up to 10 tries for a box that fits,
// else the central crop with the aspect ratio clamped to 3/4..4/3.
cv::Rect RandomResizedCropRect(cv::Size image, double scale_min, std::mt19937_64& rng);

// Resizes to size x size into `out` (reusing its buffer): INTER_AREA when
// shrinking by more than 2x on both sides (anti-aliased), else bicubic or bilinear.
void ResizeSquare(const cv::Mat& rgb, int size, bool bicubic, cv::Mat& out);

// Left-right mirror.
cv::Mat HorizontalFlip(const cv::Mat& rgb);

// One draw of albumentations' ShiftScaleRotate.
struct ShiftScaleRotateDraw {
  double angle_degrees = 0;  // ~ U(-rotate_limit, rotate_limit), counter-clockwise
  double scale = 1;          // ~ U(1 - scale_limit, 1 + scale_limit)
  double dx = 0, dy = 0;     // ~ U(-shift_limit, shift_limit), fractions of width / height
};
ShiftScaleRotateDraw DrawShiftScaleRotate(const AugmentConfig& config, std::mt19937_64& rng);

// The forward 2x3 map of albumentations: rotate and scale about (w/2, h/2), then
// shift by (dx w, dy h). With `mirror_first` a left-right mirror is applied
// before it, so one warp does hflip + shift_scale_rotate.
cv::Matx23d ShiftScaleRotateMatrix(const ShiftScaleRotateDraw& draw, cv::Size size, bool mirror_first);

// warpAffine to the same size, bilinear, BORDER_REFLECT_101 (albumentations' default).
void WarpReflect101(const cv::Mat& rgb, const cv::Matx23d& forward, cv::Mat& out);

// Draw + warp: albumentations' ShiftScaleRotate applied with probability 1.
cv::Mat ShiftScaleRotate(const cv::Mat& rgb, const AugmentConfig& config, std::mt19937_64& rng);

}  // namespace foldstack::augment

#endif  // FOLDSTACK_WORKER_TRAINER_AUGMENT_GEOMETRIC_OPS_H_
