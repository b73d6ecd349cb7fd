#include "coordinator/sweep/trials.h"

#include "common/trainer_settings.h"
#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

constexpr char kHeader[] = "dataset: {kind: mask, root: data}\n";

SweepSpec Parse(const std::string& body) {
  absl::StatusOr<SweepSpec> spec = ParseSweepYaml("sweep.yaml", kHeader + body);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : SweepSpec{};
}

std::vector<json> Expand(const std::string& body) {
  absl::StatusOr<std::vector<json>> trials = InitialTrials(Parse(body), "");
  EXPECT_TRUE(trials.ok()) << trials.status();
  return trials.ok() ? *trials : std::vector<json>{};
}

TEST(InitialTrialsTest, QuickstartGivesTwoCompleteTrials) {
  const std::vector<json> trials = Expand(R"(method: grid
parameters:
  model: {value: resnet18}
  optimizer: {values: [adam, sgd]}
  lr: {value: 0.002}
  epochs: {value: 3}
  batch_size: {value: 32}
  image_size: {value: 64}
)");
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0]["optimizer"], "adam");
  EXPECT_EQ(trials[1]["optimizer"], "sgd");
  for (const json& trial : trials) {
    EXPECT_EQ(trial.size(), common::AllSettings().size());  // every trainer setting, defaults filled
    EXPECT_EQ(trial["image_size"], 64);
    EXPECT_EQ(trial["momentum"], 0.9);
    EXPECT_EQ(trial["lr"], 0.002);
  }
}

TEST(InitialTrialsTest, GridNestsParametersByNameLastFastest) {
  const std::vector<json> trials = Expand(R"(method: grid
parameters:
  epochs: {min: 1, max: 3}
  batch_size: {values: [32, 16]}
)");
  ASSERT_EQ(trials.size(), 6u);
  const std::vector<std::pair<int, int>> expected = {{32, 1}, {32, 2}, {32, 3},
                                                     {16, 1}, {16, 2}, {16, 3}};
  for (size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i]["batch_size"], expected[i].first) << i;
    EXPECT_EQ(trials[i]["epochs"], expected[i].second) << i;
  }
}

TEST(InitialTrialsTest, GridCountCapsTheTrialsAndHugeGridsNeedOne) {
  const std::string huge = R"(parameters:
  image_size: {min: 16, max: 1024}
  batch_size: {min: 1, max: 200}
)";
  absl::StatusOr<std::vector<json>> refused = InitialTrials(Parse("method: grid\n" + huge), "");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("sweep.yaml: parameters: the grid has more than"),
            std::string::npos)
      << refused.status();
  const std::vector<json> capped = Expand("method: grid\ncount: 4\n" + huge);
  ASSERT_EQ(capped.size(), 4u);
  // image_size sorts after batch_size, so it varies fastest.
  EXPECT_EQ(capped[3]["batch_size"], 1);
  EXPECT_EQ(capped[3]["image_size"], 19);
}

constexpr char kRandom[] = R"(parameters:
  optimizer: {values: [sgd, adam]}
  lr: {distribution: log_uniform_values, min: 1e-4, max: 1e-1}
  epochs: {min: 1, max: 4}
  batch_size: {distribution: q_log_uniform_values, min: 16, max: 128, q: 16}
)";

TEST(InitialTrialsTest, RandomTrialsAreReproducibleFromTheSeed) {
  const std::vector<json> a = Expand(std::string("method: random\ncount: 8\nseed: 5\n") + kRandom);
  const std::vector<json> b = Expand(std::string("method: random\ncount: 8\nseed: 5\n") + kRandom);
  const std::vector<json> c = Expand(std::string("method: random\ncount: 8\nseed: 6\n") + kRandom);
  const std::vector<json> prefix =
      Expand(std::string("method: random\ncount: 3\nseed: 5\n") + kRandom);
  ASSERT_EQ(a.size(), 8u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(prefix, std::vector<json>(a.begin(), a.begin() + 3));
  for (const json& trial : a) {
    EXPECT_TRUE(trial["epochs"].is_number_integer());
    EXPECT_TRUE(trial["batch_size"].is_number_integer());
    EXPECT_EQ(trial["batch_size"].get<int>() % 16, 0);
    EXPECT_GE(trial["lr"].get<double>(), 1e-4);
    EXPECT_LE(trial["lr"].get<double>(), 1e-1);
    EXPECT_EQ(trial.size(), common::AllSettings().size());
  }
}

TEST(InitialTrialsTest, RandomTrialsArePinnedAcrossPlatforms) {
  // If this changes, a stored random sweep would no longer re-expand to the
  // same trials: the RNG or a transform changed.
  const std::vector<json> trials =
      Expand(std::string("method: random\ncount: 2\nseed: 0\n") + kRandom);
  ASSERT_EQ(trials.size(), 2u);
  // Only the swept keys: settings added later fill in as defaults around them.
  json drawn;
  for (const char* key : {"batch_size", "epochs", "lr", "optimizer"}) drawn[key] = trials[0][key];
  EXPECT_EQ(drawn.dump(), R"({"batch_size":48,"epochs":3,"lr":0.00020373233756630985,"optimizer":"sgd"})");
  EXPECT_EQ(trials[1]["lr"].get<double>(), 0.0018477132428429887);
  EXPECT_EQ(trials[1]["batch_size"], 80);
}

TEST(InitialTrialsTest, OutOfRangeNormalDrawsAreRedrawn) {
  const std::vector<json> trials = Expand(R"(method: random
count: 50
parameters:
  lr: {distribution: normal, mu: 0.001, sigma: 0.01}
)");
  for (const json& trial : trials) EXPECT_GT(trial["lr"].get<double>(), 0);
  absl::StatusOr<std::vector<json>> hopeless = InitialTrials(Parse(R"(method: random
count: 1
parameters:
  momentum: {distribution: normal, mu: 100, sigma: 0.001}
)"), "");
  ASSERT_FALSE(hopeless.ok());
  EXPECT_NE(hopeless.status().message().find(
                "sweep.yaml: parameters.momentum: 1000 draws in a row fell outside"),
            std::string::npos)
      << hopeless.status();
}

TEST(InitialTrialsTest, HandBuiltSpecsAreCheckedToo) {
  SweepSpec spec;
  spec.file_name = "api";
  spec.method = "random";
  EXPECT_EQ(InitialTrials(spec, "").status().message(), "api: count: method random needs count >= 1");
  spec.method = "bayes";
  EXPECT_FALSE(InitialTrials(spec, "").ok());
}

}  // namespace
}  // namespace foldstack::sweep
