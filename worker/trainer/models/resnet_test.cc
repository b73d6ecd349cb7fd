// Behaviour the timm parity test cannot see: stochastic depth on its own (the parity test
// turns on drop_rate and drop_path_rate together) and the zero_init_last choice per family.
#include "worker/trainer/models/resnet.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/torch.h>

#include "gtest/gtest.h"
#include "worker/trainer/models/sknet.h"

namespace foldstack::trainer {
namespace {

std::shared_ptr<ImageClassifier> Build(const std::vector<ModelEntry>& family, const std::string& name,
                                       const ModelOptions& options) {
  for (const ModelEntry& entry : family)
    if (entry.info.name == name) return entry.build(options);
  ADD_FAILURE() << "no model " << name;
  return nullptr;
}

// zero_init_last makes every residual branch the identity, which would hide drop_path.
void SetNormWeightsToOne(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (const auto& module : model.modules())
    if (auto* bn = module->as<torch::nn::BatchNorm2d>()) torch::nn::init::ones_(bn->weight);
}

// Train-mode outputs for two seeds, then eval-mode outputs for two seeds.
std::pair<bool, bool> SeedsDifferInTrainAndEval(ImageClassifier& model) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  torch::Tensor x = torch::randn({4, 3, 64, 64});
  auto run = [&](int seed) {
    torch::manual_seed(seed);
    return model.forward(x);
  };
  model.train();
  const bool train_differs = !torch::allclose(run(1), run(2));
  model.eval();
  const bool eval_differs = !torch::equal(run(1), run(2));
  return {train_differs, eval_differs};
}

TEST(ResNetTest, DropPathAloneActsInTrainingOnly) {
  for (const auto& [family, name] : {std::pair{ResNetModels(), "resnet26d"}, std::pair{SkNetModels(), "skresnet18"}}) {
    ModelOptions options;
    options.num_classes = 5;
    options.drop_path_rate = 0.3;
    auto model = Build(family, name, options);
    ASSERT_NE(model, nullptr);
    SetNormWeightsToOne(*model);
    EXPECT_EQ(SeedsDifferInTrainAndEval(*model), std::make_pair(true, false)) << name;
  }
}

TEST(ResNetTest, WithoutDropRatesTrainingIsDeterministic) {
  ModelOptions options;
  options.num_classes = 5;
  auto model = Build(ResNetModels(), "resnet18", options);
  ASSERT_NE(model, nullptr);
  SetNormWeightsToOne(*model);
  EXPECT_EQ(SeedsDifferInTrainAndEval(*model), std::make_pair(false, false));
}

// timm zero-inits the last norm of each residual branch for ResNets but not for skresnet18.
TEST(ResNetTest, ZeroInitLastFollowsTimmPerFamily) {
  ModelOptions options;
  options.num_classes = 5;
  auto resnet = Build(ResNetModels(), "resnet50", options);
  auto sknet = Build(SkNetModels(), "skresnet18", options);
  ASSERT_NE(resnet, nullptr);
  ASSERT_NE(sknet, nullptr);
  EXPECT_EQ(resnet->named_parameters()["layer1.0.bn3.weight"].abs().sum().item<double>(), 0.0);
  EXPECT_EQ(resnet->named_parameters()["layer1.0.bn1.weight"].sum().item<double>(), 64.0);
  EXPECT_EQ(sknet->named_parameters()["layer1.0.conv2.bn.weight"].sum().item<double>(), 64.0);
}

}  // namespace
}  // namespace foldstack::trainer
