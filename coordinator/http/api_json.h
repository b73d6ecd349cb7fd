// The dashboard's JSON API bodies, from the managers' results: lists are arrays of flat records
// (pandas.read_json reads them as they are), states as their names, NaN as null.
#ifndef FOLDSTACK_COORDINATOR_HTTP_API_JSON_H_
#define FOLDSTACK_COORDINATOR_HTTP_API_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/managers/analysis_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "nlohmann/json.hpp"
#include "proto/foldstack.pb.h"

namespace foldstack::http {

inline constexpr int kDefaultLimit = 100;
inline constexpr int kMaxLimit = 1000;

// The ?limit= value: kDefaultLimit when absent, else an integer 1..kMaxLimit; INVALID_ARGUMENT
// naming the parameter otherwise.
absl::StatusOr<int> ParseLimit(const std::string& text);

// A positive integer query parameter (e.g. ?points=), `fallback` when absent.
absl::StatusOr<int> ParsePositive(const std::string& name, const std::string& text, int fallback, int max);

nlohmann::json SweepJson(const foldstack::v1::SweepSummary& sweep);
// `params` names the settings to include (?params=a,b); empty: all of them.
nlohmann::json TrialJson(const foldstack::v1::TrialRow& trial, const std::vector<std::string>& params = {});
// counts as rows (label) of columns (predicted).
nlohmann::json ConfusionJson(const coordinator::ConfusionMatrix& matrix);
nlohmann::json CurvesJson(const std::vector<coordinator::JobCurve>& curves);
// A relabel candidate: "kind" photo | person, "aspect" what it questions (gender, age, mask,
// class), "evidence" the method's JSON object, "photo_keys" the sample (photo) or the person's.
nlohmann::json CandidateJson(const foldstack::v1::RelabelCandidateRow& row, int64_t dataset_id,
                             const std::vector<std::string>& photo_keys);
nlohmann::json ReviewedJson(const foldstack::v1::ReviewLabelsResponse& reviewed);

}  // namespace foldstack::http

#endif  // FOLDSTACK_COORDINATOR_HTTP_API_JSON_H_
