#include "worker/trainer/optim/madgrad.h"

#include <torch/torch.h>

#include <sstream>
#include <vector>

#include "gtest/gtest.h"

namespace foldstack::trainer::optim {
namespace {

// All hand-worked cases use lr = 2, x0 = [1, 0.5], a fixed gradient
// g = [2, -1] and eps = 0 so the arithmetic stays exact enough to check to 1e-9.
torch::Tensor Param() {
  return torch::tensor({1.0, 0.5}, torch::kDouble).requires_grad_(true);
}

void Step(Madgrad& opt, torch::Tensor& x, const torch::Tensor& grad) {
  opt.zero_grad();
  x.mutable_grad() = grad.clone();
  opt.step();
}

void ExpectNear(const torch::Tensor& x, double a, double b) {
  ASSERT_EQ(x.numel(), 2);
  EXPECT_NEAR(x[0].item<double>(), a, 1e-9);
  EXPECT_NEAR(x[1].item<double>(), b, 1e-9);
}

const torch::Tensor kGrad = torch::tensor({2.0, -1.0}, torch::kDouble);

// Saved after one step and loaded into a fresh optimiser over a copy of the
// parameter, the second step is bit for bit the uninterrupted one's.
TEST(MadgradTest, SavedStateContinuesExactly) {
  auto x = Param();
  Madgrad opt({x}, MadgradOptions(2.0).momentum(0.9).eps(1e-6));
  Step(opt, x, kGrad);
  std::ostringstream bytes;
  {
    torch::serialize::OutputArchive archive;
    opt.save(archive);
    archive.save_to(bytes);
  }
  auto y = x.detach().clone().requires_grad_(true);
  Madgrad resumed({y}, MadgradOptions(2.0).momentum(0.9).eps(1e-6));
  std::istringstream in(bytes.str());
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  resumed.load(archive);
  Step(opt, x, kGrad);
  Step(resumed, y, kGrad);
  EXPECT_TRUE(torch::equal(x, y));
}

TEST(MadgradTest, NoMomentumTwoStepsMatchHandArithmetic) {
  auto x = Param();
  Madgrad opt({x}, MadgradOptions(2.0).momentum(0).eps(0));

  // k=0: lamb = 2*sqrt(1) = 2; s = [4, -2]; v = 2*g^2 = [8, 2];
  // cbrt(v) = [2, 1.25992105]; z = x0 - s/cbrt(v) = [1 - 2, 0.5 + 1.58740105]
  // and with momentum 0 (c = 1) x1 = z = [-1, 2.08740105].
  Step(opt, x, kGrad);
  ExpectNear(x, -1.0, 2.0874010519681994);

  // k=1: lamb = 2*sqrt(2) = 2.82842712; s = [4 + 5.65685425, -2 - 2.82842712]
  // = [9.65685425, -4.82842712]; v = [8 + 11.3137085, 2 + 2.82842712]
  // = [19.3137085, 4.82842712]; cbrt(v) = [2.68300753, 1.69018883];
  // z = [1 - 9.65685425/2.68300753, 0.5 + 4.82842712/1.69018883]
  //   = [-2.59926469, 3.35673828]. Note z is anchored at x0, not at x1.
  Step(opt, x, kGrad);
  ExpectNear(x, -2.5992646903039947, 3.3567382778502783);
}

TEST(MadgradTest, MomentumAveragesIterateWithDualPoint) {
  auto x = Param();
  Madgrad opt({x}, MadgradOptions(2.0).momentum(0.9).eps(0));

  // Same z's as above; c = 1 - 0.9 = 0.1.
  // x1 = 0.9*[1, 0.5] + 0.1*[-1, 2.08740105] = [0.8, 0.65874011].
  Step(opt, x, kGrad);
  ExpectNear(x, 0.8, 0.65874010519682);

  // x2 = 0.9*[0.8, 0.65874011] + 0.1*[-2.59926469, 3.35673828]
  //    = [0.46007353, 0.92853992].
  Step(opt, x, kGrad);
  ExpectNear(x, 0.46007353096960063, 0.9285399224621659);
}

TEST(MadgradTest, WeightDecayIsAddedToGradient) {
  auto x = Param();
  Madgrad opt({x},
              MadgradOptions(2.0).momentum(0).eps(0).weight_decay(0.5));

  // g' = g + 0.5*x0 = [2.5, -0.75]; s = 2*g' = [5, -1.5];
  // v = 2*g'^2 = [12.5, 1.125]; cbrt(v) = [2.32079442, 1.04004191];
  // x1 = z = [1 - 5/2.32079442, 0.5 + 1.5/1.04004191] = [-1.15443469, 1.94224957].
  Step(opt, x, kGrad);
  ExpectNear(x, -1.1544346900318838, 1.9422495703074083);
}

TEST(MadgradTest, DefaultEpsOnlyNudgesTheDenominator) {
  auto x = Param();
  Madgrad opt({x}, MadgradOptions(2.0).momentum(0));  // eps = 1e-6
  Step(opt, x, kGrad);
  // x1[0] = 1 - 4/(2 + 1e-6): just above -1 by about 1e-6.
  EXPECT_NEAR(x[0].item<double>(), 1.0 - 4.0 / (2.0 + 1e-6), 1e-12);
  EXPECT_GT(x[0].item<double>(), -1.0);
}

TEST(MadgradTest, ParameterWithoutGradientIsLeftAlone) {
  auto x = Param();
  auto untouched = Param();
  Madgrad opt({x, untouched}, MadgradOptions(2.0));
  Step(opt, x, kGrad);
  ExpectNear(untouched, 1.0, 0.5);
  EXPECT_FALSE(torch::allclose(x, Param()));
}

TEST(MadgradTest, DecreasesQuadraticWithClosure) {
  // f(x) = |x - target|^2 on a 3-element parameter.
  torch::manual_seed(0);
  auto target = torch::tensor({3.0, -2.0, 0.5});
  auto x = torch::zeros({3}, torch::requires_grad());
  Madgrad opt({x}, MadgradOptions(0.1));
  auto loss_fn = [&] {
    opt.zero_grad();
    auto loss = (x - target).pow(2).sum();
    loss.backward();
    return loss;
  };
  const double initial = loss_fn().item<double>();
  double loss = initial;
  for (int i = 0; i < 300; ++i) loss = opt.step(loss_fn).item<double>();
  EXPECT_LT(loss, initial * 1e-2);
  EXPECT_TRUE(torch::allclose(x, target, /*rtol=*/0, /*atol=*/0.1));
}

TEST(MadgradTest, LearningRateIsVisibleThroughBaseOptions) {
  auto x = Param();
  Madgrad opt({x}, MadgradOptions(0.3));
  auto& options = opt.param_groups()[0].options();
  EXPECT_DOUBLE_EQ(options.get_lr(), 0.3);
  options.set_lr(0.05);
  EXPECT_DOUBLE_EQ(static_cast<MadgradOptions&>(options).lr(), 0.05);
}

TEST(MadgradTest, RejectsMomentumOfOne) {
  auto x = Param();
  EXPECT_THROW(Madgrad({x}, MadgradOptions(0.1).momentum(1.0)), c10::Error);
}

}  // namespace
}  // namespace foldstack::trainer::optim
