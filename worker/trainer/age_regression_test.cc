#include "worker/trainer/age_regression.h"

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

TEST(AgeRegression, BinProbabilitiesSumToOne) {
  const at::Tensor ages = at::tensor({-5.0f, 18.0f, 29.4f, 30.0f, 44.5f, 59.5f, 61.0f, 95.0f});
  for (double sigma : {1.0, 3.0, 12.5}) {
    const at::Tensor probs = AgeBinLogProbs(ages, sigma, 30, 60).exp();
    ASSERT_EQ(probs.size(0), 8);
    ASSERT_EQ(probs.size(1), 3);
    for (int i = 0; i < 8; ++i) EXPECT_NEAR(probs[i].sum().item<double>(), 1.0, 1e-5) << i << " sigma " << sigma;
  }
}

TEST(AgeRegression, PerfectlyPredictedAgeGivesItsBin) {
  // Every whole age, exactly predicted, with the narrowest sigma: its own bin wins, even at the edges.
  for (int age = 1; age < 100; ++age) {
    const int bin = age < 30 ? 0 : age < 60 ? 1 : 2;
    const at::Tensor probs = AgeBinLogProbs(at::tensor({static_cast<float>(age)}), kMinAgeSigma, 30, 60).exp();
    EXPECT_EQ(probs.argmax(1).item<int64_t>(), bin) << "age " << age;
  }
  // Moved bins (age_bins 30,59): 59 is old.
  EXPECT_EQ(AgeBinLogProbs(at::tensor({59.0f}), 1.0, 30, 59).exp().argmax(1).item<int64_t>(), 2);
}

TEST(AgeRegression, HandWorkedGaussianMass) {
  // Predicted 45, sigma 10: P(age < 29.5) = Phi(-1.55), P(age >= 59.5) = 1 - Phi(1.45).
  const at::Tensor probs = AgeBinLogProbs(at::tensor({45.0f}), 10.0, 30, 60).exp();
  const double phi_low = 0.5 * std::erfc(1.55 / std::sqrt(2.0));
  const double phi_high = 0.5 * std::erfc(1.45 / std::sqrt(2.0));
  EXPECT_NEAR(probs[0][0].item<double>(), phi_low, 1e-5);
  EXPECT_NEAR(probs[0][2].item<double>(), phi_high, 1e-5);
  EXPECT_NEAR(probs[0][1].item<double>(), 1 - phi_low - phi_high, 1e-5);
}

TEST(AgeRegression, SigmaIsTheRmsErrorWithAFloor) {
  EXPECT_DOUBLE_EQ(FitAgeSigma(4 * 25.0, 4), 5.0);
  EXPECT_DOUBLE_EQ(FitAgeSigma(0.01, 4), kMinAgeSigma);
  EXPECT_DOUBLE_EQ(FitAgeSigma(0, 0), kMinAgeSigma);
  const at::Tensor ages = PredictedAges(at::zeros({2, 1}));
  EXPECT_FLOAT_EQ(ages[1].item<float>(), static_cast<float>(kAgeCenter));
}

}  // namespace
}  // namespace foldstack::trainer
