#include "coordinator/sweep/search_space.h"

#include <cmath>

#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

ParamSpec Spec(const std::string& name, const json& config) {
  absl::StatusOr<ParamSpec> spec = ParseParamSpec(name, config);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

TEST(SearchSpaceTest, ShapesOfEveryFamily) {
  SearchSpace space;
  space["lr"] = Spec("lr", {{"distribution", "log_uniform_values"}, {"min", 1e-4}, {"max", 1e-1}});
  space["epochs"] = Spec("epochs", {{"distribution", "int_uniform"}, {"min", 2}, {"max", 9}});
  space["optimizer"] = Spec("optimizer", {{"values", {"adam", "sgd"}}});
  space["drop_rate"] = Spec("drop_rate", {{"distribution", "q_uniform"}, {"min", 0}, {"max", 0.5}, {"q", 0.1}});
  space["weight_decay"] = Spec("weight_decay", {{"distribution", "normal"}, {"mu", 0.01}, {"sigma", 0.001}});
  const std::vector<Axis> axes = MakeAxes(space);
  ASSERT_EQ(axes.size(), 5u);  // name order: drop_rate, epochs, lr, optimizer, weight_decay
  EXPECT_EQ(axes[0].q, 0.1);
  EXPECT_TRUE(axes[1].integer);
  EXPECT_TRUE(axes[2].log);
  EXPECT_NEAR(axes[2].low, std::log(1e-4), 1e-12);
  EXPECT_EQ(axes[3].shape, AxisShape::kCategorical);
  EXPECT_EQ(axes[4].shape, AxisShape::kNormal);

  EXPECT_EQ(*FromInternal(axes[1], 4.6), json(5));
  EXPECT_NEAR(FromInternal(axes[2], std::log(3e-3))->get<double>(), 3e-3, 1e-12);
  EXPECT_NEAR(FromInternal(axes[2], 100.0)->get<double>(), 1e-1, 1e-12);  // clamped
  EXPECT_NEAR(FromInternal(axes[0], 0.26)->get<double>(), 0.3, 1e-12);
}

TEST(SearchSpaceTest, UnitRoundTrip) {
  SearchSpace space;
  space["lr"] = Spec("lr", {{"distribution", "log_uniform_values"}, {"min", 1e-4}, {"max", 1e-1}});
  space["optimizer"] = Spec("optimizer", {{"values", {"adam", "sgd", "adamw"}}});
  space["weight_decay"] = Spec("weight_decay", {{"distribution", "normal"}, {"mu", 0.01}, {"sigma", 0.001}});
  const std::vector<Axis> axes = MakeAxes(space);
  EXPECT_NEAR(ToUnit(axes[0], json(1e-4)), 0.0, 1e-12);
  EXPECT_NEAR(ToUnit(axes[0], json(1e-1)), 1.0, 1e-12);
  EXPECT_NEAR(FromUnit(axes[0], 0.5)->get<double>(), std::sqrt(1e-5), 1e-12);
  EXPECT_EQ(*FromUnit(axes[1], 0.5), json("sgd"));
  EXPECT_NEAR(ToUnit(axes[1], json("adamw")), 1.0, 1e-12);
  EXPECT_NEAR(ToUnit(axes[2], json(0.01)), 0.5, 1e-12);
  EXPECT_NEAR(FromUnit(axes[2], NormalCdf(1.0))->get<double>(), 0.011, 1e-9);
}

TEST(SearchSpaceTest, NormalQuantileInvertsCdf) {
  for (double z : {-8.0, -3.0, -0.5, 0.0, 0.3, 2.0, 6.0}) {
    EXPECT_NEAR(NormalQuantile(NormalCdf(z)), z, 1e-7 * (1 + std::fabs(z)));
  }
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-12);
}

}  // namespace
}  // namespace foldstack::sweep
