// What the timm parity test cannot see at swin_base's 224 input: token grids that are
// not a multiple of the window (padding, odd PatchMerging input) and a training step.
#include "worker/trainer/models/swin_transformer.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

SwinSpec TinySpec() {
  SwinSpec spec;
  spec.image_size = 56;  // 14 x 14 tokens: windows of 4 pad to 16; stage 2 sees 7 x 7, pads to 8
  spec.patch_size = 4;
  spec.window_size = 4;
  spec.embed_dim = 8;
  spec.depths = {2, 2};
  spec.num_heads = {1, 2};
  return spec;
}

TEST(SwinTransformerTest, PaddedWindowsTrainEveryParameter) {
  torch::manual_seed(0);
  ModelOptions options;
  options.num_classes = 3;
  auto model = MakeSwinTransformer(TinySpec(), options);
  model->train();
  torch::Tensor logits = model->forward(torch::randn({2, 3, 56, 56}));
  ASSERT_EQ(logits.sizes().vec(), (std::vector<int64_t>{2, 3}));
  logits.pow(2).sum().backward();
  for (const auto& named : model->named_parameters()) {
    const torch::Tensor& grad = named.value().grad();
    ASSERT_TRUE(grad.defined()) << named.key();
    EXPECT_TRUE(torch::isfinite(grad).all().item<bool>()) << named.key();
    EXPECT_GT(grad.abs().sum().item<double>(), 0.0) << named.key();
  }
}

TEST(SwinTransformerTest, RefusesOtherInputSizes) {
  ModelOptions options;
  options.num_classes = 3;
  auto model = MakeSwinTransformer(TinySpec(), options);
  EXPECT_THROW(model->forward(torch::randn({1, 3, 64, 64})), c10::Error);
}

}  // namespace
}  // namespace foldstack::trainer
