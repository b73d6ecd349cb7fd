// Every registered model against timm itself, one Bazel target per family
// (args = ["--family=<timm module name>"]). The reference data come from
// tests/golden/make_timm_fixtures.py, which documents how they were produced: timm's
// state_dict keys/dtypes/shapes in order, parameter counts, pretrained_cfg, norm
// settings, and eval logits for a golden input after FillClosedForm on both sides.
#include <torch/torch.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "worker/trainer/model_registry.h"
#include "worker/trainer/models/testing/timm_fixtures.h"
#include "worker/trainer/state_dict.h"

namespace foldstack::trainer {
namespace {

std::string g_family;  // from --family=...

// The table (timm's own counts): parameters at 18 and at 1000 classes.
const std::map<std::string, std::pair<int64_t, int64_t>>& ParameterTable() {
  static const auto* table = new std::map<std::string, std::pair<int64_t, int64_t>>{
      {"resnet18", {11185746, 11689512}},          {"resnet26", {13983058, 15995176}},
      {"resnet34", {21293906, 21797672}},          {"resnet50", {23544914, 25557032}},
      {"resnet101", {42537042, 44549160}},         {"resnet152", {58180690, 60192808}},
      {"resnet18d", {11204978, 11708744}},         {"resnet26d", {14002290, 16014408}},
      {"resnet34d", {21313138, 21816904}},         {"resnext50_32x4d", {23016786, 25028904}},
      {"skresnet18", {11454290, 11958056}},        {"efficientnet_b0", {4030606, 5288548}},
      {"efficientnet_b1", {6536242, 7794184}},     {"efficientnet_b2", {7726356, 9109994}},
      {"efficientnet_b3", {10723898, 12233232}},   {"efficientnet_b4", {17580890, 19341616}},
      {"efficientnet_b5", {28377666, 30389784}},   {"efficientnet_b6", {40777194, 43040704}},
      {"efficientnet_b7", {63833058, 66347960}},   {"efficientnetv2_rw_t", {12642838, 13649388}},
      {"efficientnetv2_rw_s", {22180570, 23941296}}, {"efficientnetv2_rw_m", {51122196, 53236442}},
      {"vit_tiny_patch16_224", {5527890, 5717416}}, {"vit_small_patch16_224", {21672594, 22050664}},
      {"vit_small_patch32_224", {22500882, 22878952}}, {"vit_base_patch16_224", {85812498, 86567656}},
      {"vit_large_patch16_224", {303320082, 304326632}}, {"deit_base_patch16_224", {85812498, 86567656}},
      {"vit_small_r26_s32_224", {36053842, 36431912}}, {"vit_base_r50_s16_224", {97903954, 98659112}},
      {"swin_base_patch4_window7_224", {86761674, 87768224}},
      {"beit_base_patch16_224", {85775826, 86530984}}, {"eca_nfnet_l0", {21880414, 24143924}},
      {"nfnet_l0", {32810978, 35074488}},          {"dm_nfnet_f0", {68471598, 71489284}},
      {"convnext_tiny", {27833970, 28589128}},
  };
  return *table;
}

int64_t CountParameters(const torch::nn::Module& model) {
  int64_t total = 0;
  for (const torch::Tensor& p : model.parameters()) total += p.numel();
  return total;
}

std::vector<std::string> FamilyModels() {
  std::vector<std::string> names;
  for (const ModelInfo& info : ListModels())
    if (info.family == g_family) names.push_back(info.name);
  return names;
}

// Built once per process at 18 classes and shared by the tests of one model.
std::shared_ptr<ImageClassifier> Model18(const std::string& name) {
  static auto* cache = new std::map<std::string, std::shared_ptr<ImageClassifier>>();
  auto it = cache->find(name);
  if (it != cache->end()) return it->second;
  torch::manual_seed(0);
  absl::StatusOr<std::shared_ptr<ImageClassifier>> model = CreateModel(name, 18);
  EXPECT_TRUE(model.ok()) << model.status();
  if (!model.ok()) return nullptr;
  (*model)->eval();
  return (*cache)[name] = *model;
}

class TimmParityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { torch::set_num_threads(2); }
};

TEST_P(TimmParityTest, StateDictHasTimmKeysDtypesAndShapesInOrder) {
  auto timm_keys = testing::ReadTimmKeys(GetParam());
  ASSERT_TRUE(timm_keys.ok()) << timm_keys.status();
  auto model = Model18(GetParam());
  ASSERT_NE(model, nullptr);
  NamedTensors state = StateDict(*model);
  for (size_t i = 0; i < std::min(state.size(), timm_keys->size()); ++i) {
    const testing::TimmKey& want = (*timm_keys)[i];
    const torch::Tensor& got = state[i].second;
    ASSERT_EQ(state[i].first, want.key) << "entry " << i;
    EXPECT_EQ(got.sizes().vec(), want.shape) << want.key;
    EXPECT_EQ(got.scalar_type(), want.dtype == "float32" ? torch::kFloat32 : torch::kInt64) << want.key;
  }
  ASSERT_EQ(state.size(), timm_keys->size())
      << "first extra/missing key: "
      << (state.size() > timm_keys->size() ? state[timm_keys->size()].first : (*timm_keys)[state.size()].key);
}

TEST_P(TimmParityTest, ParameterCountsMatchTimmAt18And1000Classes) {
  auto it = ParameterTable().find(GetParam());
  ASSERT_NE(it, ParameterTable().end());
  auto model = Model18(GetParam());
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(CountParameters(*model), it->second.first);
  auto with_1000 = CreateModel(GetParam(), 1000);
  ASSERT_TRUE(with_1000.ok()) << with_1000.status();
  EXPECT_EQ(CountParameters(**with_1000), it->second.second);
  EXPECT_EQ((*with_1000)->num_classes(), 1000);
}

TEST_P(TimmParityTest, DataConfigMatchesTimmPretrainedCfg) {
  auto timm = testing::ReadTimmModelInfo(GetParam());
  ASSERT_TRUE(timm.ok()) << timm.status();
  auto info = FindModel(GetParam());
  ASSERT_TRUE(info.ok()) << info.status();
  const DataConfig& data = info->data;
  EXPECT_EQ((std::vector<int>{data.channels, data.height, data.width}),
            (*timm)["input_size"].get<std::vector<int>>());
  EXPECT_EQ(data.interpolation, (*timm)["interpolation"].get<std::string>());
  for (int c = 0; c < 3; ++c) {
    EXPECT_DOUBLE_EQ(data.mean[c], (*timm)["mean"][c].get<double>());
    EXPECT_DOUBLE_EQ(data.std[c], (*timm)["std"][c].get<double>());
  }
  EXPECT_DOUBLE_EQ(data.crop_pct, (*timm)["crop_pct"].get<double>());
  EXPECT_EQ(data.fixed_input_size, (*timm)["fixed_input_size"].get<bool>());
  EXPECT_EQ(info->classifier, (*timm)["classifier"].get<std::string>());
}

// Distinct (kind, eps, momentum) of the norm layers: train-mode semantics as timm's.
TEST_P(TimmParityTest, NormLayersUseTimmEpsAndMomentum) {
  auto timm = testing::ReadTimmModelInfo(GetParam());
  ASSERT_TRUE(timm.ok()) << timm.status();
  std::set<std::tuple<std::string, double, double>> want, got;
  for (const auto& norm : (*timm)["norms"]) {
    const double momentum = norm[3].is_null() ? -1.0 : norm[3].get<double>();
    want.emplace(norm[1].get<std::string>(), norm[2].get<double>(), momentum);
  }
  auto model = Model18(GetParam());
  ASSERT_NE(model, nullptr);
  for (const auto& module : model->modules()) {
    if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
      got.emplace("batch_norm", bn->options.eps(), bn->options.momentum().value_or(-1.0));
    } else if (auto* ln = module->as<torch::nn::LayerNorm>()) {
      got.emplace("layer_norm", ln->options.eps(), -1.0);
    } else if (auto* gn = module->as<torch::nn::GroupNorm>()) {
      got.emplace("group_norm", gn->options.eps(), -1.0);
    }
  }
  EXPECT_EQ(got, want);
}

TEST_P(TimmParityTest, EvalLogitsMatchTimmOnGoldenInput) {
  auto input = testing::GoldenInput();
  ASSERT_TRUE(input.ok()) << input.status();
  auto want = testing::GoldenLogits(GetParam());
  ASSERT_TRUE(want.ok()) << want.status();
  auto model = Model18(GetParam());
  ASSERT_NE(model, nullptr);
  testing::FillClosedForm(*model);
  torch::NoGradGuard no_grad;
  torch::Tensor got = model->forward(*input);
  ASSERT_EQ(got.sizes(), want->sizes());
  const double scale = want->abs().max().item<double>();
  const double error = (got - *want).abs().max().item<double>();
  EXPECT_LE(error, 1e-4 * scale) << "max |foldstack - timm| = " << error << ", max |timm| = " << scale
                                 << "\nfoldstack row 0: " << got[0] << "\ntimm row 0: " << (*want)[0];
}

TEST_P(TimmParityTest, OutputShapeAtDefaultAndSmallerInputSize) {
  auto info = FindModel(GetParam());
  ASSERT_TRUE(info.ok()) << info.status();
  auto model = Model18(GetParam());
  ASSERT_NE(model, nullptr);
  torch::NoGradGuard no_grad;
  // 224 x 224 is the golden test's size already; other defaults (EfficientNet-B1..B7,
  // NFNet-F0, ...) run here once.
  if (info->data.height != 224 || info->data.width != 224) {
    torch::Tensor at_default = model->forward(torch::randn({1, 3, info->data.height, info->data.width}));
    EXPECT_EQ(at_default.sizes().vec(), (std::vector<int64_t>{1, 18}));
    EXPECT_TRUE(torch::isfinite(at_default).all().item<bool>());
  }
  if (!info->data.fixed_input_size) {
    torch::Tensor smaller = model->forward(torch::randn({2, 3, 128, 96}));
    EXPECT_EQ(smaller.sizes().vec(), (std::vector<int64_t>{2, 18}));
  }
}

INSTANTIATE_TEST_SUITE_P(Models, TimmParityTest, ::testing::ValuesIn(FamilyModels()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// The smallest model of the family: drop_rate / drop_path_rate make train-mode outputs
// random (two seeds differ) and leave eval mode untouched.
TEST(TimmParityFamilyTest, DropRatesActInTrainingOnly) {
  std::vector<std::string> names = FamilyModels();
  ASSERT_FALSE(names.empty()) << "no registered model in family " << g_family;
  std::string smallest;
  int64_t fewest = -1;
  for (const std::string& name : names) {
    const int64_t count = ParameterTable().at(name).first;
    if (fewest < 0 || count < fewest) fewest = count, smallest = name;
  }
  ModelOptions options;
  options.num_classes = 18;
  options.drop_rate = 0.5;
  options.drop_path_rate = 0.5;
  auto model = CreateModel(smallest, options);
  ASSERT_TRUE(model.ok()) << model.status();
  auto info = FindModel(smallest);
  // Small images keep this cheap; fixed-size models (ViT, Swin, BEiT) need their own size.
  const int64_t side = info->data.fixed_input_size ? info->data.height : 64;
  torch::Tensor x = torch::randn({2, 3, side, info->data.fixed_input_size ? info->data.width : side});
  torch::NoGradGuard no_grad;
  (*model)->train();
  torch::manual_seed(1);
  torch::Tensor a = (*model)->forward(x);
  torch::manual_seed(2);
  torch::Tensor b = (*model)->forward(x);
  EXPECT_FALSE(torch::allclose(a, b)) << smallest;
  (*model)->eval();
  torch::manual_seed(1);
  torch::Tensor c = (*model)->forward(x);
  torch::manual_seed(2);
  EXPECT_TRUE(torch::equal(c, (*model)->forward(x))) << smallest;
}

}  // namespace
}  // namespace foldstack::trainer

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--family=", 9) == 0) foldstack::trainer::g_family = argv[i] + 9;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
