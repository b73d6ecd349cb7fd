#include "worker/tools/models_command.h"

#include <torch/torch.h>

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/table.h"
#include "nlohmann/json.hpp"
#include "worker/trainer/model_registry.h"
#include "worker/trainer/safetensors.h"
#include "worker/trainer/state_dict.h"

ABSL_FLAG(int, num_classes, 0, "models: classifier width (list: default 1000; forward: default from --weights, else 1000)");
ABSL_FLAG(std::string, family, "", "models list: only this timm family (e.g. efficientnet)");
ABSL_FLAG(std::string, model, "", "models forward: timm model name");
ABSL_FLAG(std::string, weights, "", "models forward: safetensors weights to load (strict)");
ABSL_FLAG(std::string, input, "", "models forward: safetensors file with tensor \"input\" (float32 NCHW)");
ABSL_FLAG(std::string, output, "", "models forward: where to write tensor \"logits\"");

namespace foldstack::worker::tools {
namespace {

using cli::Table;
using trainer::ModelInfo;

int Fail(const std::string& message) {
  std::cerr << "foldstack: " << message << std::endl;
  return 1;
}

int64_t CountParameters(const torch::nn::Module& model) {
  int64_t total = 0;
  for (const torch::Tensor& p : model.parameters()) total += p.numel();
  return total;
}

int List(bool json) {
  const int num_classes = absl::GetFlag(FLAGS_num_classes) > 0 ? absl::GetFlag(FLAGS_num_classes) : 1000;
  const std::string family = absl::GetFlag(FLAGS_family);
  Table table({"MODEL", "FAMILY", absl::StrCat("PARAMS@", num_classes), "INPUT", "INTERPOLATION", "CROP",
               "MEAN", "STD"});
  nlohmann::json rows = nlohmann::json::array();
  torch::NoGradGuard no_grad;
  for (const ModelInfo& info : trainer::ListModels()) {
    if (!family.empty() && info.family != family) continue;
    // Counting means building; the model is dropped right after.
    auto model = trainer::CreateModel(info.name, num_classes);
    if (!model.ok()) return Fail(std::string(model.status().message()));
    const int64_t params = CountParameters(**model);
    const trainer::DataConfig& d = info.data;
    auto triple = [](const std::array<double, 3>& v) { return absl::StrFormat("%.3g,%.3g,%.3g", v[0], v[1], v[2]); };
    table.AddRow({info.name, info.family, absl::StrCat(params), absl::StrCat(d.height, "x", d.width),
                  d.interpolation, absl::StrFormat("%.3g", d.crop_pct), triple(d.mean), triple(d.std)});
    rows.push_back({{"name", info.name},
                    {"family", info.family},
                    {"params", params},
                    {"num_classes", num_classes},
                    {"input_size", {d.channels, d.height, d.width}},
                    {"interpolation", d.interpolation},
                    {"crop_pct", d.crop_pct},
                    {"mean", d.mean},
                    {"std", d.std},
                    {"fixed_input_size", d.fixed_input_size},
                    {"classifier", info.classifier}});
  }
  if (rows.empty()) return Fail(absl::StrCat("models list: no model in family \"", family, "\""));
  std::cout << (json ? nlohmann::json{{"models", rows}}.dump(1) + "\n" : table.Render());
  return 0;
}

// The classifier width stored in a checkpoint, or 0 when it has no such key.
int ClassesInWeights(const trainer::NamedTensors& weights, const ModelInfo& info) {
  for (const auto& [name, tensor] : weights) {
    if (name == info.classifier + ".weight" && tensor.dim() == 2) return static_cast<int>(tensor.size(0));
  }
  return 0;
}

int Forward() {
  const std::string name = absl::GetFlag(FLAGS_model);
  const std::string input_path = absl::GetFlag(FLAGS_input);
  const std::string output_path = absl::GetFlag(FLAGS_output);
  const std::string weights_path = absl::GetFlag(FLAGS_weights);
  if (name.empty() || input_path.empty() || output_path.empty()) {
    return Fail("models forward: --model, --input and --output are required");
  }
  absl::StatusOr<ModelInfo> info = trainer::FindModel(name);
  if (!info.ok()) return Fail(absl::StrCat("models forward: --model: ", info.status().message()));

  trainer::NamedTensors weights;
  if (!weights_path.empty()) {
    absl::StatusOr<trainer::NamedTensors> loaded = trainer::LoadSafetensors(weights_path);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    weights = *std::move(loaded);
  }
  int num_classes = absl::GetFlag(FLAGS_num_classes);
  if (num_classes <= 0) num_classes = ClassesInWeights(weights, *info);
  if (num_classes <= 0) num_classes = 1000;

  absl::StatusOr<trainer::NamedTensors> inputs = trainer::LoadSafetensors(input_path);
  if (!inputs.ok()) return Fail(std::string(inputs.status().message()));
  torch::Tensor images;
  for (const auto& [key, tensor] : *inputs) {
    if (key == "input") images = tensor;
  }
  if (!images.defined()) return Fail(absl::StrCat(input_path, ": no tensor named \"input\""));
  if (images.dim() != 4 || images.size(1) != info->data.channels || !images.is_floating_point()) {
    return Fail(absl::StrCat(input_path, ": tensor \"input\" must be float NCHW with ", info->data.channels,
                             " channels, got shape [", absl::StrJoin(images.sizes(), ", "), "]"));
  }
  if (info->data.fixed_input_size && (images.size(2) != info->data.height || images.size(3) != info->data.width)) {
    return Fail(absl::StrCat(input_path, ": ", name, " takes ", info->data.height, "x", info->data.width,
                             " images, got ", images.size(2), "x", images.size(3)));
  }

  absl::StatusOr<std::shared_ptr<trainer::ImageClassifier>> model = trainer::CreateModel(name, num_classes);
  if (!model.ok()) return Fail(std::string(model.status().message()));
  if (!weights_path.empty()) {
    absl::Status status = trainer::LoadStateDict(**model, weights);
    if (!status.ok()) return Fail(absl::StrCat(weights_path, ": ", status.message()));
  }
  (*model)->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor logits = (*model)->forward(images.to(torch::kFloat32));
  absl::Status saved = trainer::SaveSafetensors(output_path, {{"logits", logits}}, {{"model", name}});
  if (!saved.ok()) return Fail(std::string(saved.message()));
  std::cerr << "wrote logits [" << absl::StrJoin(logits.sizes(), ", ") << "] to " << output_path << std::endl;
  return 0;
}

}  // namespace

int RunModelsCommand(const std::vector<std::string>& args, bool json) {
  const std::string sub = args.empty() ? "" : args[0];
  if (sub == "list") return List(json);
  if (sub == "forward") return Forward();
  return Fail("models: expected `models list` or `models forward`");
}

}  // namespace foldstack::worker::tools
