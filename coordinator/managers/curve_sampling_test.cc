#include "coordinator/managers/curve_sampling.h"

#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

std::vector<std::optional<double>> Curve(int epochs) {
  std::vector<std::optional<double>> curve;
  for (int e = 1; e <= epochs; ++e) curve.push_back(e * 0.01);
  return curve;
}

TEST(SampleCurveTest, ShortCurvesWhole) {
  auto curve = Curve(3);
  curve[1] = std::nullopt;  // NaN at epoch 2
  const auto points = SampleCurve(curve, 10);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].epoch, 1);
  EXPECT_EQ(points[1].epoch, 3);
  EXPECT_DOUBLE_EQ(points[1].value, 0.03);
}

TEST(SampleCurveTest, LongCurvesKeepBothEndsAndTheLimit) {
  const auto points = SampleCurve(Curve(50), 6);
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points.front().epoch, 1);
  EXPECT_EQ(points.back().epoch, 50);
  for (size_t i = 1; i < points.size(); ++i) EXPECT_LT(points[i - 1].epoch, points[i].epoch);
  EXPECT_EQ(SampleCurve(Curve(50), 0).size(), 2u);
}

}  // namespace
}  // namespace foldstack::coordinator
