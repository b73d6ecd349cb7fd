#include "coordinator/sweep/samplers/bayes.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "coordinator/sweep/param_sampling.h"
#include "coordinator/sweep/portable_random.h"
#include "gtest/gtest.h"

namespace foldstack::sweep {
namespace {

using nlohmann::json;

// Names that are no trainer setting, so values stay raw numbers.
ParamSpec Bounded(const std::string& name, Distribution distribution, double min, double max,
                  double q = 1) {
  ParamSpec spec;
  spec.name = name;
  spec.kind = ParamKind::kDistribution;
  spec.distribution = distribution;
  spec.min = min, spec.max = max, spec.q = q;
  return spec;
}

ParamSpec Uniform(const std::string& name, double min, double max) {
  return Bounded(name, Distribution::kUniform, min, max);
}

ParamSpec Values(const std::string& name, std::vector<json> values) {
  ParamSpec spec;
  spec.name = name;
  spec.kind = ParamKind::kCategorical;
  spec.values = std::move(values);
  return spec;
}

ParamSpec Constant(const std::string& name, json value) {
  ParamSpec spec;
  spec.name = name;
  spec.kind = ParamKind::kConstant;
  spec.value = std::move(value);
  return spec;
}

SearchSpace Space(std::vector<ParamSpec> specs) {
  SearchSpace space;
  for (ParamSpec& spec : specs) space[spec.name] = std::move(spec);
  return space;
}

// A one-fold trial in `state`; done trials report `value` after their only epoch.
TrialView Trial(const StudyView& study, json params, TrialState state,
                std::optional<double> value) {
  TrialView trial;
  trial.index = static_cast<int>(study.trials.size());
  trial.id = trial.index + 1;
  trial.state = state;
  trial.params = std::move(params);
  JobView job;
  job.state = state == TrialState::kDone     ? JobState::kDone
              : state == TrialState::kFailed ? JobState::kFailed
              : state == TrialState::kPruned ? JobState::kPruned
                                             : JobState::kRunning;
  if (value) job.curve = {value}, job.value = value;
  trial.jobs = {job};
  if (state == TrialState::kDone) trial.value = value;
  return trial;
}

void AddDone(StudyView& study, json params, double value) {
  study.trials.push_back(Trial(study, std::move(params), TrialState::kDone, value));
}

json AskOne(BayesSampler& sampler, const StudyView& study, uint64_t seed) {
  absl::StatusOr<std::vector<json>> asked = sampler.Ask(study, seed, 1);
  EXPECT_TRUE(asked.ok()) << asked.status();
  EXPECT_EQ(asked->size(), 1u);
  return asked->front();
}

// What the random phase must give trial `index`: each parameter drawn in name order.
json RandomDraw(const SearchSpace& space, uint64_t seed, int index) {
  PortableRng rng(TrialSeed(seed, index));
  json params = json::object();
  for (const auto& [name, spec] : space) params[name] = DrawValue(spec, rng);
  return params;
}

TEST(BayesSamplerTest, RandomUntilTwoTrialsHaveFinished) {
  const SearchSpace space =
      Space({Uniform("x", 0, 1), Bounded("n", Distribution::kIntUniform, 1, 9)});
  BayesSampler sampler(space, BayesOptions{});
  StudyView study;
  EXPECT_EQ(AskOne(sampler, study, 7), RandomDraw(space, 7, 0));
  AddDone(study, {{"x", 0.2}, {"n", 3}}, 0.5);
  study.trials.push_back(Trial(study, {{"x", 0.6}, {"n", 5}}, TrialState::kRunning, std::nullopt));
  EXPECT_EQ(AskOne(sampler, study, 7), RandomDraw(space, 7, 2));  // one finished, one running
  AddDone(study, {{"x", 0.9}, {"n", 8}}, 0.1);
  EXPECT_NE(AskOne(sampler, study, 7), RandomDraw(space, 7, 3));  // two finished: the model

  BayesOptions three;
  three.min_finished = 3;
  BayesSampler patient(space, three);
  EXPECT_EQ(AskOne(patient, study, 7), RandomDraw(space, 7, 3));
}

StudyView History(const std::function<double(double)>& f) {
  StudyView study;
  for (double x : {0.1, 0.5, 0.7, 0.9}) AddDone(study, {{"x", x}}, f(x));
  return study;
}

double Peak(double x) { return -(x - 0.3) * (x - 0.3); }

TEST(BayesSamplerTest, SameHistoryAndSeedSameAskOtherSeedDiffers) {
  BayesSampler sampler(Space({Uniform("x", 0, 1)}), BayesOptions{});
  const StudyView study = History(Peak);
  const json first = AskOne(sampler, study, 11);
  EXPECT_EQ(AskOne(sampler, study, 11), first);
  BayesSampler again(Space({Uniform("x", 0, 1)}), BayesOptions{});
  EXPECT_EQ(AskOne(again, study, 11), first);
  EXPECT_NE(AskOne(sampler, study, 12), first);
}

TEST(BayesSamplerTest, PendingTrialsAreImputedSoTheSecondAskGoesElsewhere) {
  BayesSampler sampler(Space({Uniform("x", 0, 1)}), BayesOptions{});
  StudyView study = History(Peak);
  absl::StatusOr<std::vector<json>> asked = sampler.Ask(study, 5, 2);
  ASSERT_TRUE(asked.ok()) << asked.status();
  ASSERT_EQ(asked->size(), 2u);
  const double a = (*asked)[0]["x"], b = (*asked)[1]["x"];
  // The same ask (same index, same candidates) without the pending trial: a cancelled trial
  // in its place is ignored, so the model is the one that chose `a`.
  study.trials.push_back(Trial(study, {{"x", a}}, TrialState::kCancelled, std::nullopt));
  const double c = AskOne(sampler, study, 5)["x"];
  EXPECT_LT(std::fabs(c - a), 0.02) << "a " << a << " c " << c;
  EXPECT_GT(std::fabs(b - a), 0.05) << "a " << a << " b " << b;
}

TEST(BayesDataTest, FailedTrialsGetTheWorstValueEverSeen) {
  StudyView study;
  TrialView good = Trial(study, {{"x", 0.1}}, TrialState::kDone, 0.8);
  good.jobs[0].curve = {0.5, 0.8};
  study.trials.push_back(good);
  TrialView poor = Trial(study, {{"x", 0.4}}, TrialState::kDone, 0.6);
  poor.jobs[0].curve = {0.2, 0.6};  // the worst epoch of any trial
  study.trials.push_back(poor);
  study.trials.push_back(Trial(study, {{"x", 0.7}}, TrialState::kFailed, 0.4));
  study.trials.push_back(Trial(study, {{"x", 0.9}}, TrialState::kPruned, 0.3));
  study.trials.push_back(Trial(study, {{"x", 0.3}}, TrialState::kRunning, std::nullopt));
  study.trials.push_back(Trial(study, {{"x", 0.5}}, TrialState::kCancelled, std::nullopt));
  const std::vector<Axis> axes = MakeAxes(Space({Uniform("x", 0, 1)}));

  BayesData data = CollectBayesData(axes, study);
  ASSERT_EQ(data.y.size(), 4);
  // Maximised values are negated: W&B minimises.
  EXPECT_DOUBLE_EQ(data.y(0), -0.8);
  EXPECT_DOUBLE_EQ(data.y(1), -0.6);
  EXPECT_DOUBLE_EQ(data.y(2), -0.2);  // failed: the worst epoch seen
  EXPECT_DOUBLE_EQ(data.y(3), -0.3);  // pruned: what it reached
  EXPECT_DOUBLE_EQ(data.x(2, 0), 0.7);
  ASSERT_EQ(data.pending.rows(), 1);
  EXPECT_DOUBLE_EQ(data.pending(0, 0), 0.3);

  study.objective.goal = Goal::kMinimize;  // now 0.8 is the worst value
  data = CollectBayesData(axes, study);
  EXPECT_DOUBLE_EQ(data.y(0), 0.8);
  EXPECT_DOUBLE_EQ(data.y(2), 0.8);
}

TEST(BayesDataTest, FailuresBeforeAnyValueAreLeftOut) {
  StudyView study;
  study.trials.push_back(Trial(study, {{"x", 0.7}}, TrialState::kFailed, std::nullopt));
  EXPECT_EQ(CollectBayesData(MakeAxes(Space({Uniform("x", 0, 1)})), study).y.size(), 0);
}

TEST(BayesDataTest, KFoldTrialsUseTheirMeanValue) {
  StudyView study;
  study.k = 2;
  TrialView trial = Trial(study, {{"x", 0.2}}, TrialState::kDone, 0.7);
  trial.jobs.push_back(trial.jobs[0]);
  trial.jobs[1].fold = 1, trial.jobs[1].value = 0.9;
  trial.value = 0.8;  // the mean over done folds, as the store computes it
  study.trials.push_back(trial);
  EXPECT_DOUBLE_EQ(CollectBayesData(MakeAxes(Space({Uniform("x", 0, 1)})), study).y(0), -0.8);
}

// Branin over two bounded axes, minimised (minimum 0.397887).
double Branin(const json& p) {
  const double x1 = p["x1"], x2 = p["x2"];
  const double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
  return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The median over seven sweeps of the best score (Objective::Score: larger is better) that
// bayes, and random search with the same trial seeds, reach in `budget` trials.
struct Medians {
  double bayes, random;
};
Medians BestScores(const SearchSpace& space, Goal goal, int budget,
                   const std::function<double(const json&)>& f) {
  Objective objective;
  objective.goal = goal;
  std::vector<double> bayes_best, random_best;
  // Seeds far apart: TrialSeed(s, i) XORs s with i, so sweeps 1..5 would share trial seeds.
  for (uint64_t seed = 1000; seed <= 7000; seed += 1000) {
    BayesSampler sampler(space, BayesOptions{});
    StudyView study;
    study.objective = objective;
    double best = -INFINITY, random = -INFINITY;
    for (int i = 0; i < budget; ++i) {
      const json params = AskOne(sampler, study, seed);
      best = std::max(best, objective.Score(f(params)));
      AddDone(study, params, f(params));
      random = std::max(random, objective.Score(f(RandomDraw(space, seed, i))));
    }
    bayes_best.push_back(best);
    random_best.push_back(random);
  }
  return {Median(bayes_best), Median(random_best)};
}

TEST(BayesSamplerTest, BeatsRandomSearchOnBranin) {
  const SearchSpace space = Space({Uniform("x1", -5, 10), Uniform("x2", 0, 15)});
  const Medians m = BestScores(space, Goal::kMinimize, 25, Branin);
  // Seen: bayes 0.53, random 2.13 (scores are the negated values).
  EXPECT_LT(-m.bayes, 0.75) << -m.bayes;
  EXPECT_LT(-m.bayes, 0.5 * -m.random) << -m.bayes << " vs " << -m.random;
}

TEST(BayesSamplerTest, FindsAPeakOnALogAxisMaximising) {
  // The peak at 1e-3 sits in the middle of [1e-5, 1e-1] in log space.
  const SearchSpace space = Space({Bounded("rate", Distribution::kLogUniformValues, 1e-5, 1e-1)});
  auto f = [](const json& p) { return -std::pow(std::log10(p["rate"].get<double>()) + 3, 2); };
  const Medians m = BestScores(space, Goal::kMaximize, 15, f);
  EXPECT_GT(m.bayes, -1e-3);  // within 0.03 decades
  EXPECT_GT(m.bayes, m.random) << m.bayes << " vs " << m.random;
}

TEST(BayesSamplerTest, CategoricalIntLogAndQAxesGiveValidValues) {
  const SearchSpace space = Space({
      Values("act", {"relu", "gelu", "silu"}),
      Bounded("layers", Distribution::kIntUniform, 1, 10),
      Bounded("lr", Distribution::kLogUniformValues, 1e-4, 1e-1),
      Bounded("drop", Distribution::kQUniform, 0, 1, 0.25),
      Constant("fixed", 7),
  });
  BayesSampler sampler(space, BayesOptions{});
  StudyView study;
  study.objective.goal = Goal::kMinimize;
  for (int i = 0; i < 12; ++i) {
    const json p = AskOne(sampler, study, 3);
    ASSERT_TRUE(p["act"] == "relu" || p["act"] == "gelu" || p["act"] == "silu") << p;
    ASSERT_TRUE(p["layers"].is_number_integer()) << p;
    ASSERT_GE(p["layers"].get<int>(), 1);
    ASSERT_LE(p["layers"].get<int>(), 10);
    ASSERT_GE(p["lr"].get<double>(), 1e-4 * (1 - 1e-12));
    ASSERT_LE(p["lr"].get<double>(), 1e-1 * (1 + 1e-12));
    const double drop = p["drop"];
    ASSERT_DOUBLE_EQ(drop, std::round(drop / 0.25) * 0.25) << p;
    ASSERT_GE(drop, 0);
    ASSERT_LE(drop, 1);
    ASSERT_EQ(p["fixed"], 7);
    const double loss = p["layers"].get<int>() + (p["act"] == "gelu" ? 0 : 5) + drop;
    AddDone(study, p, loss);
  }
  // The model has seen enough to prefer the cheap corner.
  const json p = AskOne(sampler, study, 3);
  EXPECT_LE(p["layers"].get<int>() + (p["act"] == "gelu" ? 0 : 5), 8) << p;
}

TEST(CheckBayesSpaceTest, RefusesWhatBayesCannotModel) {
  ParamSpec weighted = Values("act", {"relu", "gelu"});
  weighted.probabilities = {0.3, 0.7};
  absl::Status status = CheckBayesSpace(Space({Uniform("x", 0, 1), weighted}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind("parameters.act: ", 0), 0u) << status;

  status = CheckBayesSpace(Space({Constant("a", 1), Values("b", {2})}));
  EXPECT_EQ(status.message().rfind("parameters: ", 0), 0u) << status;
  EXPECT_EQ(status.message().find('\n'), std::string::npos);

  EXPECT_TRUE(CheckBayesSpace(Space({Constant("a", 1), Values("b", {2, 3})})).ok());
  EXPECT_TRUE(CheckBayesSpace(Space({Uniform("x", 0, 1)})).ok());

  BayesSampler sampler(Space({Constant("a", 1)}), BayesOptions{});
  EXPECT_FALSE(sampler.Ask(StudyView{}, 1, 1).ok());
}

TEST(ParseBayesOptionsTest, ReadsKeysAndRefusesBadOnes) {
  absl::StatusOr<BayesOptions> options = ParseBayesOptions(
      {{"n_candidates", 500}, {"min_finished", 3}, {"max_samples", 50}, {"nu", 2.5}, {"xi", 0.05}});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->n_candidates, 500);
  EXPECT_EQ(options->min_finished, 3);
  EXPECT_EQ(options->max_samples, 50);
  EXPECT_EQ(options->nu, 2.5);
  EXPECT_EQ(options->xi, 0.05);
  options = ParseBayesOptions(nullptr);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->n_candidates, 1000);
  EXPECT_EQ(options->nu, 1.5);

  const std::vector<std::pair<json, std::string>> bad = {
      {{{"n_candidates", 0}}, "sampler.n_candidates: expected an integer >= 1"},
      {{{"n_candidates", 1000000}}, "sampler.n_candidates: expected an integer <= 100000"},
      {{{"min_finished", 1}}, "sampler.min_finished: expected an integer >= 2"},
      {{{"max_samples", "many"}}, "sampler.max_samples: expected an integer >= 2"},
      {{{"nu", 2}}, "sampler.nu: expected 0.5, 1.5 or 2.5"},
      {{{"xi", -0.1}}, "sampler.xi: expected a number >= 0"},
      {{{"kappa", 1}}, "sampler: unknown key \"kappa\""},
      {json::array(), "sampler: expected a mapping"},
  };
  for (const auto& [config, prefix] : bad) {
    const absl::Status status = ParseBayesOptions(config).status();
    EXPECT_EQ(status.message().rfind(prefix, 0), 0u) << config << " -> " << status;
    EXPECT_EQ(status.message().find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace foldstack::sweep
