#ifndef FOLDSTACK_WORKER_TRAINER_MODELS_TESTING_TIMM_FIXTURES_H_
#define FOLDSTACK_WORKER_TRAINER_MODELS_TESTING_TIMM_FIXTURES_H_

#include <torch/nn/module.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::trainer::testing {

// Reference data written by tests/golden/make_timm_fixtures.py from timm itself
// (worker/trainer/models/testdata/timm; see that script for how it was produced).

struct TimmKey {
  std::string key;
  std::string dtype;  // "float32" | "int64"
  std::vector<int64_t> shape;
};

// timm's state_dict at num_classes=18, in order.
absl::StatusOr<std::vector<TimmKey>> ReadTimmKeys(const std::string& model);

// model_info.json[model]: params_18, params_1000, input_size, interpolation, mean, std,
// crop_pct, classifier, fixed_input_size, norms ([class, kind, eps, momentum] triples).
absl::StatusOr<nlohmann::json> ReadTimmModelInfo(const std::string& model);

// The golden input [2, 3, 224, 224] (float32) and timm's eval logits [2, 18] for it, with
// every floating state-dict entry filled by FillClosedForm.
absl::StatusOr<torch::Tensor> GoldenInput();
absl::StatusOr<torch::Tensor> GoldenLogits(const std::string& model);

// Overwrites every floating parameter and buffer of `module`, walked in state-dict order,
// with the closed-form sequence that make_timm_fixtures.py applies to timm's model:
// for entry k and element j, u = sin(0.7 j + 1.3 k + 0.5); running_var -> 1 + 0.2u;
// running_mean -> 0.1u; "*gain" -> 0.25 + 0.1u; 1-D "*weight" -> 0.25 + 0.1u; other 1-D
// -> 0.1u; n-D -> u * sqrt(3 / fan_in). Integer entries are left alone.
void FillClosedForm(torch::nn::Module& module);

}  // namespace foldstack::trainer::testing

#endif  // FOLDSTACK_WORKER_TRAINER_MODELS_TESTING_TIMM_FIXTURES_H_
