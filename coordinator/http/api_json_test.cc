#include "coordinator/http/api_json.h"

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::http {
namespace {

TEST(ApiJsonTest, LimitsAreOneToAThousand) {
  EXPECT_EQ(*ParseLimit(""), kDefaultLimit);
  EXPECT_EQ(*ParseLimit("1000"), 1000);
  EXPECT_EQ(ParseLimit("0").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseLimit("-3").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseLimit("12abc").status().message(), "?limit=: expected an integer from 1 to 1000, got \"12abc\"");
}

TEST(ApiJsonTest, SweepsAreFlatRecordsWithStateNamesAndNullForNoValue) {
  foldstack::v1::SweepSummary sweep;
  sweep.set_sweep_id(7);
  sweep.set_state(foldstack::v1::SWEEP_STATE_DONE);
  sweep.set_jobs_total(4);
  sweep.set_jobs_done(3);
  sweep.set_jobs_pruned(1);
  sweep.set_best_value(std::nan(""));
  const nlohmann::json json = SweepJson(sweep);
  EXPECT_EQ(json["id"], 7);
  EXPECT_EQ(json["state"], "done");
  EXPECT_DOUBLE_EQ(json["progress"].get<double>(), 1.0);
  EXPECT_TRUE(json["best_value"].is_null());
  EXPECT_TRUE(json["finished_unix_ms"].is_null());
}

TEST(ApiJsonTest, TrialsCarryTheirParamsAsObjectsAndCurvesMarkPrunedJobs) {
  foldstack::v1::TrialRow trial;
  trial.set_state(foldstack::v1::TRIAL_STATE_PRUNED);
  trial.set_params_json("{\"lr\": 0.01, \"model\": \"resnet18\"}");
  trial.set_value(0.5);
  const nlohmann::json json = TrialJson(trial);
  EXPECT_EQ(json["state"], "pruned");
  EXPECT_EQ(json["params"]["model"], "resnet18");
  EXPECT_EQ(TrialJson(trial, {"lr", "missing"})["params"], nlohmann::json({{"lr", 0.01}}));
  coordinator::JobCurve pruned{1, 0, 2, sweep::JobState::kPruned, {{1, 0.2}, {4, 0.3}}};
  const nlohmann::json curves = CurvesJson({pruned});
  EXPECT_EQ(curves[0]["stopped_epoch"], 4);
  EXPECT_TRUE(curves[0]["pruned"].get<bool>());
  EXPECT_EQ(curves[0]["epochs"], nlohmann::json::array({1, 4}));
}

}  // namespace
}  // namespace foldstack::http
