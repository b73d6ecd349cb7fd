#include "coordinator/sweep/param_spec.h"

#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

ParamSpec Parse(const std::string& name, const std::string& config) {
  absl::StatusOr<ParamSpec> spec = ParseParamSpec(name, json::parse(config));
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : ParamSpec{};
}

std::string ErrorOf(const std::string& name, const std::string& config) {
  absl::StatusOr<ParamSpec> spec = ParseParamSpec(name, json::parse(config));
  EXPECT_FALSE(spec.ok()) << name << " " << config;
  return std::string(spec.status().message());
}

TEST(ParamSpecTest, ConstantAndCategoricalAreCanonicalised) {
  const ParamSpec constant = Parse("epochs", R"({"value": 4.0})");
  EXPECT_EQ(constant.kind, ParamKind::kConstant);
  EXPECT_TRUE(constant.value.is_number_integer());
  const ParamSpec categorical = Parse("optimizer", R"({"values": ["adam", "sgd"]})");
  EXPECT_EQ(categorical.kind, ParamKind::kCategorical);
  EXPECT_EQ(categorical.values, (std::vector<json>{"adam", "sgd"}));
  const ParamSpec weighted =
      Parse("batch_size", R"({"values": [16, 32], "probabilities": [0.25, 0.75]})");
  EXPECT_EQ(weighted.probabilities, (std::vector<double>{0.25, 0.75}));
  EXPECT_EQ(Parse("model", R"({"distribution": "constant", "value": "resnet34"})").value,
            "resnet34");
}

TEST(ParamSpecTest, DistributionsReadTheirKeysWithWandbDefaults) {
  const ParamSpec normal = Parse("weight_decay", R"({"distribution": "q_normal", "mu": 0.01})");
  EXPECT_EQ(normal.distribution, Distribution::kQNormal);
  EXPECT_EQ(normal.mu, 0.01);
  EXPECT_EQ(normal.sigma, 1.0);
  EXPECT_EQ(normal.q, 1.0);
  const ParamSpec log_values =
      Parse("lr", R"({"distribution": "log_uniform_values", "min": 1e-5, "max": 0.1})");
  EXPECT_EQ(log_values.min, 1e-5);
  EXPECT_EQ(log_values.max, 0.1);
  EXPECT_EQ(DistributionName(log_values.distribution), "log_uniform_values");
}

TEST(ParamSpecTest, MinMaxWithoutDistributionFollowsTheSettingType) {
  const ParamSpec epochs = Parse("epochs", R"({"min": 1, "max": 5})");
  EXPECT_EQ(epochs.distribution, Distribution::kIntUniform);
  EXPECT_TRUE(epochs.integer_valued);
  // W&B would infer int_uniform from the integer bounds; lr is a float.
  const ParamSpec momentum = Parse("momentum", R"({"min": 0, "max": 0.5})");
  EXPECT_EQ(momentum.distribution, Distribution::kUniform);
  EXPECT_FALSE(momentum.integer_valued);
}

TEST(ParamSpecTest, IntegerSettingsNeedWholeNumberDistributions) {
  EXPECT_TRUE(ParseParamSpec("batch_size", json::parse(
                  R"({"distribution": "q_log_uniform_values", "min": 16, "max": 256, "q": 16})"))
                  .ok());
  const std::string message = ErrorOf("epochs", R"({"distribution": "uniform", "min": 1, "max": 5})");
  EXPECT_NE(message.find("parameters.epochs: epochs is an integer setting"), std::string::npos)
      << message;
  EXPECT_NE(ErrorOf("epochs", R"({"distribution": "q_uniform", "min": 1, "max": 5, "q": 0.5})")
                .find("with q 0.5"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("epochs", R"({"min": 1.5, "max": 5})"),
            "parameters.epochs.min: expected an integer for int_uniform, got 1.5");
}

TEST(ParamSpecTest, ErrorsNameTheKeyPath) {
  EXPECT_EQ(ErrorOf("optimizer", R"({"values": ["adam", "sgdd"]})"),
            "parameters.optimizer.values[1]: expected one of sgd, adam, adamw, madgrad; got \"sgdd\"");
  EXPECT_EQ(ErrorOf("lr", R"({"mu": 1})"),
            "parameters.lr: expected one of value, values, distribution/min/max");
  EXPECT_EQ(ErrorOf("lr", "0.01"),
            "parameters.lr: expected one of value, values, distribution/min/max, got 0.01");
  EXPECT_EQ(ErrorOf("lr", R"({"min": "abc", "max": 1})"),
            "parameters.lr.min: expected a number, got \"abc\"");
  EXPECT_EQ(ErrorOf("lr", R"({"min": 0.1, "max": 0.01})"),
            "parameters.lr: min (0.1) must be less than max (0.01)");
  EXPECT_EQ(ErrorOf("lr", R"({"distribution": "unifrom", "min": 0.1, "max": 1})"),
            "parameters.lr.distribution: unknown distribution \"unifrom\" (did you mean "
            "\"uniform\"?)");
  EXPECT_EQ(ErrorOf("lr", R"({"distribution": "normal", "sigm": 1})"),
            "parameters.lr: unknown key \"sigm\" (did you mean \"sigma\"?)");
  EXPECT_NE(ErrorOf("learning_rate", R"({"value": 1})")
                .find("parameters.learning_rate: unknown trainer setting \"learning_rate\""),
            std::string::npos);
  EXPECT_NE(ErrorOf("lr", R"({"value": 1, "values": [1]})").find("either value or values"),
            std::string::npos);
  EXPECT_NE(ErrorOf("model", R"({"min": 1, "max": 2})").find("use value or values"),
            std::string::npos);
  EXPECT_NE(ErrorOf("lr", R"({"distribution": "uniform", "min": 0.1})").find("needs both min and max"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("lr", R"({"distribution": "log_uniform_values", "min": 0, "max": 1})"),
            "parameters.lr.min: expected a number > 0 for log_uniform_values, got 0");
  EXPECT_NE(ErrorOf("lr", R"({"values": [0.1], "probabilities": [0.5]})")
                .find("parameters.lr.probabilities: expected probabilities that sum to 1"),
            std::string::npos);
  EXPECT_NE(ErrorOf("lr", R"({"values": [0.1, 0.2], "probabilities": [1]})")
                .find("parameters.lr.probabilities: expected a list of 2 numbers"),
            std::string::npos);
  EXPECT_NE(ErrorOf("lr", R"({"parameters": {}})").find("nested parameters"), std::string::npos);
}

TEST(ParamSpecTest, RangesThatLeaveTheSettingAreRefusedUpFront) {
  EXPECT_EQ(ErrorOf("lr", R"({"min": 0, "max": 0.1})"),
            "parameters.lr.min: uniform can draw 0.0 here, but expected a number > 0, got 0.0");
  // e^1 > 1 is outside momentum's [0, 1).
  EXPECT_NE(ErrorOf("momentum", R"({"distribution": "log_uniform", "min": -3, "max": 1})")
                .find("parameters.momentum.max: log_uniform can draw 2.718"),
            std::string::npos);
  // Quantising 0.0004 to q=0.001 gives 0, which lr refuses.
  EXPECT_NE(ErrorOf("lr", R"({"distribution": "q_uniform", "min": 0.0004, "max": 0.1, "q": 0.001})")
                .find("parameters.lr.min"),
            std::string::npos);
  EXPECT_NE(ErrorOf("image_size", R"({"min": 8, "max": 64})").find("parameters.image_size.min"),
            std::string::npos);
}

}  // namespace
}  // namespace foldstack::sweep
