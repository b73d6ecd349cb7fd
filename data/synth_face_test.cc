#include "data/synth_face.h"

#include "data/mask_labels.h"
#include "gtest/gtest.h"

namespace foldstack::data {
namespace {

double MeanAbsDiff(const cv::Mat& a, const cv::Mat& b, cv::Rect region) {
  cv::Mat diff;
  cv::absdiff(a(region), b(region), diff);
  cv::Scalar m = cv::mean(diff);
  return (m[0] + m[1] + m[2]) / 3;
}

TEST(SynthFaceTest, SizeTypeAndDeterminism) {
  PersonLook look = MakePersonLook(kFemale, 1, 77);
  cv::Mat a = DrawPhoto(look, 3, kMaskWear, 96, 128);
  cv::Mat b = DrawPhoto(MakePersonLook(kFemale, 1, 77), 3, kMaskWear, 96, 128);
  EXPECT_EQ(a.cols, 96);
  EXPECT_EQ(a.rows, 128);
  EXPECT_EQ(a.type(), CV_8UC3);
  EXPECT_EQ(cv::norm(a, b, cv::NORM_L1), 0);
  EXPECT_GT(cv::norm(a, DrawPhoto(look, 4, kMaskWear, 96, 128), cv::NORM_L1), 0);  // per-photo jitter
}

TEST(SynthFaceTest, MaskStateChangesTheLowerFaceMoreThanTheTop) {
  PersonLook look = MakePersonLook(kMale, 0, 5);
  const int w = 192, h = 256;
  cv::Rect top(0, 0, w, h / 5), lower_face(w / 4, h * 2 / 5, w / 2, h / 4);
  cv::Mat worn = DrawPhoto(look, 6, kMaskWear, w, h);
  cv::Mat incorrect = DrawPhoto(look, 6, kMaskIncorrect, w, h);
  cv::Mat bare = DrawPhoto(look, 6, kMaskNotWorn, w, h);
  EXPECT_GT(MeanAbsDiff(worn, bare, lower_face), 20);
  EXPECT_GT(MeanAbsDiff(worn, incorrect, lower_face), 10);
  EXPECT_LT(MeanAbsDiff(worn, bare, top), 5);
}

TEST(SynthFaceTest, HairShowsGenderAndAge) {
  const int w = 192, h = 256;
  cv::Rect beside_face(w / 5, h / 3, w / 20, h / 5);  // long hair falls here, background for short hair
  cv::Mat woman = DrawPhoto(MakePersonLook(kFemale, 0, 9), 6, kMaskNotWorn, w, h);
  cv::Mat man = DrawPhoto(MakePersonLook(kMale, 0, 9), 6, kMaskNotWorn, w, h);
  EXPECT_GT(MeanAbsDiff(woman, man, beside_face), 20);
  EXPECT_LT(MakePersonLook(kMale, 0, 3).hair[0], 80);   // dark
  EXPECT_GT(MakePersonLook(kMale, 2, 3).hair[0], 190);  // white
}

}  // namespace
}  // namespace foldstack::data
