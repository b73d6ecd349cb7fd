#ifndef FOLDSTACK_WORKER_TRAINER_AUGMENT_TESTING_TEST_IMAGES_H_
#define FOLDSTACK_WORKER_TRAINER_AUGMENT_TESTING_TEST_IMAGES_H_

// Small images for the augmentation tests.

#include <opencv2/core.hpp>

namespace foldstack::augment::testing {

// CV_8UC3, asymmetric left-right and top-bottom: R rises with x, G with y,
// B is a checker of 8-pixel squares.
cv::Mat GradientImage(int rows, int cols);

// CV_8UC3 filled with `rgb`.
cv::Mat ConstantImage(int rows, int cols, cv::Vec3b rgb);

// Same size, type and bytes.
bool SameBytes(const cv::Mat& a, const cv::Mat& b);

}  // namespace foldstack::augment::testing

#endif  // FOLDSTACK_WORKER_TRAINER_AUGMENT_TESTING_TEST_IMAGES_H_
