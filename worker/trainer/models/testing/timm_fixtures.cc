#include "worker/trainer/models/testing/timm_fixtures.h"

#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "worker/trainer/safetensors.h"
#include "worker/trainer/state_dict.h"

namespace foldstack::trainer::testing {
namespace {

constexpr char kDir[] = "worker/trainer/models/testdata/timm/";

absl::StatusOr<nlohmann::json> ReadJson(const std::string& file) {
  std::ifstream in(kDir + file);
  if (!in) return absl::NotFoundError(absl::StrCat(kDir, file, ": cannot open"));
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    return absl::DataLossError(absl::StrCat(kDir, file, ": ", e.what()));
  }
}

}  // namespace

absl::StatusOr<std::vector<TimmKey>> ReadTimmKeys(const std::string& model) {
  const std::string path = absl::StrCat(kDir, "keys/", model, ".txt");
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::vector<TimmKey> keys;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> parts = absl::StrSplit(line, ' ');
    if (parts.size() < 2) return absl::DataLossError(absl::StrCat(path, ": bad line \"", line, "\""));
    TimmKey key{parts[0], parts[1], {}};
    if (parts.size() > 2 && !parts[2].empty()) {
      for (absl::string_view dim : absl::StrSplit(parts[2], ',')) {
        int64_t size = 0;
        if (!absl::SimpleAtoi(dim, &size)) return absl::DataLossError(absl::StrCat(path, ": bad shape in \"", line, "\""));
        key.shape.push_back(size);
      }
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

absl::StatusOr<nlohmann::json> ReadTimmModelInfo(const std::string& model) {
  absl::StatusOr<nlohmann::json> all = ReadJson("model_info.json");
  if (!all.ok()) return all.status();
  if (!all->contains(model)) return absl::NotFoundError(absl::StrCat("model_info.json: no entry for ", model));
  return (*all)[model];
}

absl::StatusOr<torch::Tensor> GoldenInput() {
  absl::StatusOr<NamedTensors> tensors = LoadSafetensors(absl::StrCat(kDir, "golden_input.safetensors"));
  if (!tensors.ok()) return tensors.status();
  for (const auto& [name, tensor] : *tensors) {
    if (name == "input") return tensor.to(torch::kFloat32);
  }
  return absl::NotFoundError("golden_input.safetensors: no tensor \"input\"");
}

absl::StatusOr<torch::Tensor> GoldenLogits(const std::string& model) {
  absl::StatusOr<nlohmann::json> all = ReadJson("golden.json");
  if (!all.ok()) return all.status();
  if (!all->contains(model)) return absl::NotFoundError(absl::StrCat("golden.json: no entry for ", model));
  std::vector<std::vector<double>> rows = (*all)[model].get<std::vector<std::vector<double>>>();
  torch::Tensor logits = torch::empty({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < rows[i].size(); ++j) logits[i][j] = rows[i][j];
  return logits;
}

void FillClosedForm(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  NamedTensors state = StateDict(module);
  for (size_t k = 0; k < state.size(); ++k) {
    const std::string& name = state[k].first;
    torch::Tensor& tensor = state[k].second;
    if (!tensor.is_floating_point()) continue;
    const int64_t n = tensor.numel();
    std::vector<float> values(n);
    const double fan_in = tensor.dim() >= 2 ? static_cast<double>(n / tensor.size(0)) : 1.0;
    for (int64_t j = 0; j < n; ++j) {
      const double u = std::sin(0.7 * j + 1.3 * k + 0.5);
      double v;
      if (absl::EndsWith(name, "running_var")) v = 1.0 + 0.2 * u;
      else if (absl::EndsWith(name, "running_mean")) v = 0.1 * u;
      else if (absl::EndsWith(name, "gain")) v = 0.25 + 0.1 * u;
      else if (tensor.dim() <= 1) v = absl::EndsWith(name, "weight") ? 0.25 + 0.1 * u : 0.1 * u;
      else v = u * std::sqrt(3.0 / fan_in);
      values[j] = static_cast<float>(v);
    }
    tensor.copy_(torch::from_blob(values.data(), tensor.sizes(), torch::kFloat32).to(tensor.dtype()));
  }
}

}  // namespace foldstack::trainer::testing
