// What the timm parity test cannot see for fixed-size ViTs: other input sizes are
// rejected with a message, and a training step reaches every parameter (the fused
// attention and the hybrid's standardized convs carry gradients).
#include "worker/trainer/models/vision_transformer.h"

#include <torch/torch.h>

#include <string>

#include "gtest/gtest.h"
#include "worker/trainer/models/vision_transformer_hybrid.h"

namespace foldstack::trainer {
namespace {

std::shared_ptr<ImageClassifier> Build(const std::vector<ModelEntry>& rows, const std::string& name) {
  ModelOptions options;
  options.num_classes = 5;
  for (const ModelEntry& row : rows)
    if (row.info.name == name) return row.build(options);
  ADD_FAILURE() << "no row " << name;
  return nullptr;
}

std::string ForwardError(ImageClassifier& model, const torch::Tensor& images) {
  try {
    torch::NoGradGuard no_grad;
    model.forward(images);
  } catch (const c10::Error& error) {
    return error.what_without_backtrace();
  }
  return "";
}

TEST(VisionTransformerTest, PatchEmbedRejectsOtherInputSizes) {
  auto model = Build(VisionTransformerModels(), "vit_tiny_patch16_224");
  ASSERT_NE(model, nullptr);
  const std::string error = ForwardError(*model, torch::randn({1, 3, 128, 96}));
  EXPECT_NE(error.find("128x96 does not match the model's fixed size 224x224"), std::string::npos) << error;
}

TEST(VisionTransformerTest, HybridRejectsOtherInputSizes) {
  auto model = Build(VisionTransformerHybridModels(), "vit_small_r26_s32_224");
  ASSERT_NE(model, nullptr);
  const std::string error = ForwardError(*model, torch::randn({1, 3, 128, 96}));
  EXPECT_NE(error.find("12 patches for a 128x96 input; pos_embed holds 49"), std::string::npos) << error;
}

TEST(VisionTransformerTest, HybridTrainingStepReachesEveryParameter) {
  torch::manual_seed(0);
  auto model = Build(VisionTransformerHybridModels(), "vit_small_r26_s32_224");
  ASSERT_NE(model, nullptr);
  model->train();
  torch::Tensor logits = model->forward(torch::randn({2, 3, 224, 224}));
  ASSERT_EQ(logits.sizes().vec(), (std::vector<int64_t>{2, 5}));
  torch::nn::functional::cross_entropy(logits, torch::tensor({1, 3})).backward();
  for (const auto& item : model->named_parameters()) {
    const torch::Tensor& grad = item.value().grad();
    ASSERT_TRUE(grad.defined()) << item.key();
    EXPECT_TRUE(torch::isfinite(grad).all().item<bool>()) << item.key();
  }
  // Reaches the first layer through 12 blocks, the 1x1 proj and the whole backbone.
  EXPECT_GT(model->named_parameters()["patch_embed.backbone.stem.conv.weight"].grad().abs().sum().item<double>(),
            0.0);
}

}  // namespace
}  // namespace foldstack::trainer
