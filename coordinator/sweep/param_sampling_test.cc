#include "coordinator/sweep/param_sampling.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

constexpr int kDraws = 4000;

ParamSpec Dist(Distribution distribution, double min, double max, double q = 1) {
  ParamSpec spec;
  spec.name = "x";
  spec.kind = ParamKind::kDistribution;
  spec.distribution = distribution;
  spec.min = min;
  spec.max = max;
  spec.q = q;
  return spec;
}

ParamSpec Normal(Distribution distribution, double mu, double sigma, double q = 1) {
  ParamSpec spec = Dist(distribution, 0, 0, q);
  spec.mu = mu;
  spec.sigma = sigma;
  return spec;
}

std::vector<double> Draw(const ParamSpec& spec, uint64_t seed = 7) {
  PortableRng rng(seed);
  std::vector<double> draws;
  for (int i = 0; i < kDraws; ++i) draws.push_back(DrawValue(spec, rng).get<double>());
  return draws;
}

double Median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / v.size();
}

void ExpectWithin(const std::vector<double>& draws, double lo, double hi) {
  for (double x : draws) {
    ASSERT_GE(x, lo);
    ASSERT_LE(x, hi);
  }
}

void ExpectMultiplesOf(const std::vector<double>& draws, double q) {
  for (double x : draws) ASSERT_NEAR(x / q, std::nearbyint(x / q), 1e-9) << x;
}

TEST(DrawValueTest, IntUniformGivesIntegersIncludingBothEnds) {
  PortableRng rng(1);
  std::set<int64_t> seen;
  for (int i = 0; i < 500; ++i) {
    const json x = DrawValue(Dist(Distribution::kIntUniform, 1, 4), rng);
    ASSERT_TRUE(x.is_number_integer());
    seen.insert(x.get<int64_t>());
  }
  EXPECT_EQ(seen, (std::set<int64_t>{1, 2, 3, 4}));
}

TEST(DrawValueTest, UniformFamilyStaysInRange) {
  const std::vector<double> uniform = Draw(Dist(Distribution::kUniform, 2, 4));
  ExpectWithin(uniform, 2, 4);
  EXPECT_NEAR(Mean(uniform), 3, 0.05);

  const std::vector<double> q_uniform = Draw(Dist(Distribution::kQUniform, 0, 1, 0.25));
  ExpectWithin(q_uniform, 0, 1);
  ExpectMultiplesOf(q_uniform, 0.25);
  EXPECT_EQ(std::set<double>(q_uniform.begin(), q_uniform.end()).size(), 5u);

  ExpectWithin(Draw(Dist(Distribution::kInvLogUniform, 1, 3)), std::exp(-3), std::exp(-1));
}

TEST(DrawValueTest, LogUniformMediansSitAtTheGeometricMean) {
  const std::vector<double> values = Draw(Dist(Distribution::kLogUniformValues, 1e-4, 1e-1));
  ExpectWithin(values, 1e-4, 1e-1);
  EXPECT_NEAR(std::log10(Median(values)), -2.5, 0.1);

  // log_uniform takes natural-log exponents.
  const std::vector<double> exponents = Draw(Dist(Distribution::kLogUniform, -6, -2));
  ExpectWithin(exponents, std::exp(-6), std::exp(-2));
  EXPECT_NEAR(std::log(Median(exponents)), -4, 0.15);

  const std::vector<double> inverse = Draw(Dist(Distribution::kInvLogUniformValues, 1e-4, 1e-1));
  ExpectWithin(inverse, 1e-4, 1e-1);
  EXPECT_NEAR(std::log10(Median(inverse)), -2.5, 0.1);
}

TEST(DrawValueTest, QuantisedLogUniformGivesMultiplesOfQ) {
  const std::vector<double> values = Draw(Dist(Distribution::kQLogUniformValues, 16, 256, 16));
  ExpectWithin(values, 16, 256);
  ExpectMultiplesOf(values, 16);
  const std::vector<double> exponents = Draw(Dist(Distribution::kQLogUniform, 0, 4, 2));
  ExpectWithin(exponents, 0, std::nearbyint(std::exp(4) / 2) * 2);
  ExpectMultiplesOf(exponents, 2);
}

TEST(DrawValueTest, NormalFamilyHasTheRightShape) {
  const std::vector<double> normal = Draw(Normal(Distribution::kNormal, 5, 2));
  EXPECT_NEAR(Mean(normal), 5, 0.1);
  double variance = 0;
  for (double x : normal) variance += (x - 5) * (x - 5);
  EXPECT_NEAR(std::sqrt(variance / normal.size()), 2, 0.1);

  ExpectMultiplesOf(Draw(Normal(Distribution::kQNormal, 0, 3, 0.5)), 0.5);

  const std::vector<double> log_normal = Draw(Normal(Distribution::kLogNormal, 1, 0.5));
  for (double x : log_normal) ASSERT_GT(x, 0);
  EXPECT_NEAR(std::log(Median(log_normal)), 1, 0.05);

  const std::vector<double> q_log_normal = Draw(Normal(Distribution::kQLogNormal, 2, 0.5, 1));
  ExpectMultiplesOf(q_log_normal, 1);
  for (double x : q_log_normal) ASSERT_GE(x, 0);
}

TEST(DrawValueTest, IntegerSettingsGetJsonIntegers) {
  ParamSpec spec = Dist(Distribution::kQLogUniformValues, 16, 256, 16);
  spec.integer_valued = true;
  PortableRng rng(3);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(DrawValue(spec, rng).is_number_integer());
}

TEST(DrawValueTest, CategoricalHonoursProbabilities) {
  ParamSpec spec;
  spec.name = "x";
  spec.kind = ParamKind::kCategorical;
  spec.values = {"a", "b", "c"};
  PortableRng rng(4);
  std::map<std::string, int> counts;
  for (int i = 0; i < kDraws; ++i) counts[DrawValue(spec, rng).get<std::string>()]++;
  EXPECT_EQ(counts.size(), 3u);
  for (const auto& [value, n] : counts) EXPECT_NEAR(n, kDraws / 3.0, kDraws * 0.05) << value;

  spec.probabilities = {0.1, 0.0, 0.9};
  counts.clear();
  for (int i = 0; i < kDraws; ++i) counts[DrawValue(spec, rng).get<std::string>()]++;
  EXPECT_EQ(counts.count("b"), 0u);
  EXPECT_NEAR(counts["a"], kDraws * 0.1, kDraws * 0.03);
}

TEST(DrawValueTest, ConstantsConsumeNoRandomness) {
  ParamSpec constant;
  constant.kind = ParamKind::kConstant;
  constant.value = 3;
  PortableRng a(9), b(9);
  EXPECT_EQ(DrawValue(constant, a), 3);
  EXPECT_EQ(a.Next(), b.Next());
}

TEST(GridValuesTest, EnumeratesLikeWandbGridSearch) {
  EXPECT_EQ(*GridValues(Dist(Distribution::kIntUniform, 1, 4)), (std::vector<json>{1, 2, 3, 4}));
  // numpy.arange: max itself is left out.
  EXPECT_EQ(*GridValues(Dist(Distribution::kQUniform, 0, 1, 0.25)),
            (std::vector<json>{0.0, 0.25, 0.5, 0.75}));
  ParamSpec categorical;
  categorical.kind = ParamKind::kCategorical;
  categorical.values = {"b", "a"};
  EXPECT_EQ(*GridValues(categorical), (std::vector<json>{"b", "a"}));
}

TEST(GridValuesTest, RefusesWhatCannotBeEnumerated) {
  const absl::StatusOr<std::vector<json>> uniform = GridValues(Dist(Distribution::kUniform, 0, 1));
  ASSERT_FALSE(uniform.ok());
  EXPECT_NE(uniform.status().message().find("parameters.x: grid sweeps need values lists"),
            std::string::npos)
      << uniform.status();
  ParamSpec weighted;
  weighted.name = "x";
  weighted.kind = ParamKind::kCategorical;
  weighted.values = {1, 2};
  weighted.probabilities = {0.5, 0.5};
  EXPECT_NE(GridValues(weighted).status().message().find("parameters.x.probabilities"),
            std::string::npos);
  EXPECT_FALSE(GridValues(Dist(Distribution::kIntUniform, 0, 1e9)).ok());
}

}  // namespace
}  // namespace foldstack::sweep
