#include "worker/trainer/models/layers/channels_last.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

TEST(ChannelsLastTest, ReLaysConvWeightsInPlaceKeepingValuesAndIdentity) {
  torch::manual_seed(0);
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3)), torch::nn::BatchNorm2d(8));
  const torch::Tensor weight = net->parameters()[0];
  const torch::Tensor before = weight.clone();
  UseChannelsLastWeights(*net);
  EXPECT_TRUE(weight.is_contiguous(at::MemoryFormat::ChannelsLast));
  EXPECT_FALSE(weight.is_contiguous());
  EXPECT_TRUE(torch::equal(weight, before));
  EXPECT_TRUE(weight.requires_grad());
  for (const torch::Tensor& p : net->parameters()) {
    if (p.dim() != 4) EXPECT_TRUE(p.is_contiguous());  // BatchNorm's 1-D weight and bias untouched
  }
}

TEST(ChannelsLastTest, SameOutputsAndGradientsAsContiguous) {
  torch::manual_seed(0);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(4, 4, 3).padding(1).groups(4));
  const torch::Tensor x = torch::randn({2, 4, 9, 9});
  const torch::Tensor expected = conv->forward(x);
  expected.sum().backward();
  const torch::Tensor expected_grad = conv->weight.grad().clone();
  conv->weight.mutable_grad() = torch::Tensor();

  UseChannelsLastWeights(*conv);
  const torch::Tensor input = ChannelsLastInput(x);
  EXPECT_TRUE(input.is_contiguous(at::MemoryFormat::ChannelsLast));
  const torch::Tensor actual = conv->forward(input);
  actual.sum().backward();
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(conv->weight.grad(), expected_grad, 1e-5, 1e-5));
  EXPECT_EQ(ChannelsLastInput(input).data_ptr(), input.data_ptr());  // no copy the second time
}

}  // namespace
}  // namespace foldstack::trainer
