// Search quality and ask latency of the sweep samplers (random, tpe, bayes), driven in process:
// for t in 0..trials-1: params = sampler->Ask(study, seed, 1)[0]; evaluate; append a done trial
// (k = 1). One JSON line per (function, method) with the best value of every seed, and one per
// latency figure; tests/bench/run_sweep_search_bench.sh puts them beside Optuna 3.1's
// (tests/bench/sweep_search_peer.py, which defines the same three functions).
//
// Test functions:
//   branin     x1 in [-5, 10], x2 in [0, 15], minimise, minimum 0.397887
//   hartmann6  x1..x6 in [0, 1], minimise, minimum -3.32237
//   train      a training-like surface to maximise (formula below), best 0.95 + noise
// Training-like surface: a = log10(lr), lr log-uniform in [1e-5, 1e-1]; w = log10(weight_decay),
// weight_decay log-uniform in [1e-6, 1e-2]; d = drop_rate, uniform in [0, 0.5];
//   acc = max(0.1, 0.95 - 0.3 (a + 2.5)^2 - 0.1 (w + 4 + 0.5 (a + 2.5))^2 - 2 (d - 0.2)^2)
//         + 0.02 (u - 0.5),   u = (SplitMix64(seed * 1000 + trial) >> 11) / 2^53,
// SplitMix64(x) being one step of SplitMix64 from state x (common/splitmix64.h) and trial the
// trial's number 0, 1, ... in its study: both sides see the same noise at the same trial.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "common/splitmix64.h"
#include "common/status_macros.h"
#include "coordinator/sweep/registry.h"
#include "nlohmann/json.hpp"
#include "tests/bench/bench_output.h"

ABSL_FLAG(int, trials, 50, "trials per study");
ABSL_FLAG(int, seeds, 20, "studies (seeds 0..seeds-1) per function and method");
ABSL_FLAG(std::string, methods, "random,tpe,bayes", "samplers, comma-separated");
ABSL_FLAG(std::string, functions, "branin,hartmann6,train", "test functions, comma-separated");
ABSL_FLAG(int, tpe_history, 1000, "done trials before the timed tpe asks");
ABSL_FLAG(int, bayes_history, 200, "done trials before the timed bayes asks");
ABSL_FLAG(int, latency_asks, 20, "timed asks per latency figure (the median is printed)");

namespace foldstack::sweep {
namespace {

using json = nlohmann::json;

struct TestFunction {
  std::string name;
  Goal goal = Goal::kMinimize;
  SearchSpace space;
  std::function<double(const json& params, uint64_t seed, int trial)> eval;
};

ParamSpec Range(const std::string& name, double min, double max, bool log) {
  ParamSpec spec;
  spec.name = name;
  spec.kind = ParamKind::kDistribution;
  spec.distribution = log ? Distribution::kLogUniformValues : Distribution::kUniform;
  spec.min = min;
  spec.max = max;
  return spec;
}

double X(const json& params, const std::string& name) { return params.at(name).get<double>(); }

double Branin(const json& p) {
  const double x1 = X(p, "x1"), x2 = X(p, "x2"), pi = M_PI;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
}

double Hartmann6(const json& p) {
  static const double kAlpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double kA[4][6] = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14},
                                  {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
  static const double kP[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                  {2329, 4135, 8307, 3736, 1004, 9991},
                                  {2348, 1451, 3522, 2883, 3047, 6650},
                                  {4047, 8828, 8732, 5743, 1091, 381}};
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) {
      inner += kA[i][j] * std::pow(X(p, "x" + std::to_string(j + 1)) - 1e-4 * kP[i][j], 2);
    }
    sum += kAlpha[i] * std::exp(-inner);
  }
  return -sum;
}

double TrainSurface(const json& p, uint64_t seed, int trial) {
  const double a = std::log10(X(p, "lr")), w = std::log10(X(p, "weight_decay"));
  const double d = X(p, "drop_rate");
  const double acc = 0.95 - 0.3 * std::pow(a + 2.5, 2) -
                     0.1 * std::pow(w + 4 + 0.5 * (a + 2.5), 2) - 2 * std::pow(d - 0.2, 2);
  uint64_t state = seed * 1000 + static_cast<uint64_t>(trial);
  const double u = static_cast<double>(common::SplitMix64Next(state) >> 11) / 9007199254740992.0;
  return std::max(0.1, acc) + 0.02 * (u - 0.5);
}

std::vector<TestFunction> Functions() {
  std::vector<TestFunction> functions;
  TestFunction branin{"branin", Goal::kMinimize, {}, [](const json& p, uint64_t, int) {
                        return Branin(p);
                      }};
  branin.space = {{"x1", Range("x1", -5, 10, false)}, {"x2", Range("x2", 0, 15, false)}};
  functions.push_back(branin);
  TestFunction hartmann{"hartmann6", Goal::kMinimize, {}, [](const json& p, uint64_t, int) {
                          return Hartmann6(p);
                        }};
  for (int j = 1; j <= 6; ++j) {
    const std::string name = "x" + std::to_string(j);
    hartmann.space[name] = Range(name, 0, 1, false);
  }
  functions.push_back(hartmann);
  TestFunction train{"train", Goal::kMaximize, {}, TrainSurface};
  train.space = {{"lr", Range("lr", 1e-5, 1e-1, true)},
                 {"weight_decay", Range("weight_decay", 1e-6, 1e-2, true)},
                 {"drop_rate", Range("drop_rate", 0, 0.5, false)}};
  functions.push_back(train);
  return functions;
}

void AppendDone(StudyView& study, json params, double value) {
  TrialView trial;
  trial.id = trial.index = static_cast<int>(study.trials.size());
  trial.state = TrialState::kDone;
  trial.params = std::move(params);
  JobView job;
  job.state = JobState::kDone;
  job.curve = {value};
  job.value = value;
  trial.jobs = {job};
  trial.value = value;
  study.trials.push_back(std::move(trial));
}

// The best value of one study of `trials` trials.
absl::StatusOr<double> BestOfStudy(const TestFunction& f, Sampler& sampler, uint64_t seed,
                                   int trials) {
  StudyView study;
  study.objective.goal = f.goal;
  double best = study.objective.Worst();
  for (int t = 0; t < trials; ++t) {
    FS_ASSIGN_OR_RETURN(std::vector<json> asked, sampler.Ask(study, seed, 1));
    if (asked.empty()) return absl::InternalError("sampler exhausted");
    const double value = f.eval(asked[0], seed, t);
    if (study.objective.Better(value, best)) best = value;
    AppendDone(study, std::move(asked[0]), value);
  }
  return best;
}

absl::Status RunQuality(const TestFunction& f, const std::string& method) {
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Sampler> sampler, MakeSampler(method, f.space, nullptr));
  const auto start = std::chrono::steady_clock::now();
  json best = json::array();
  for (int s = 0; s < absl::GetFlag(FLAGS_seeds); ++s) {
    FS_ASSIGN_OR_RETURN(double value, BestOfStudy(f, *sampler, s, absl::GetFlag(FLAGS_trials)));
    best.push_back(value);
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  std::cout << json{{"side", "foldstack"}, {"kind", "best"}, {"function", f.name},
                    {"method", method}, {"seconds", seconds.count()}, {"best", best}}
                   .dump()
            << std::endl;
  return absl::OkStatus();
}

// Median ms of `asks` asks (seeds 0..asks-1) on a study of `history` random done trials.
absl::Status RunLatency(const TestFunction& f, const std::string& method, int history) {
  StudyView study;
  study.objective.goal = f.goal;
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Sampler> random, MakeSampler("random", f.space, nullptr));
  FS_ASSIGN_OR_RETURN(std::vector<json> drawn, random->Ask(study, 12345, history));
  for (size_t t = 0; t < drawn.size(); ++t) AppendDone(study, drawn[t], f.eval(drawn[t], 0, t));
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Sampler> sampler, MakeSampler(method, f.space, nullptr));
  std::vector<double> ms;
  for (int i = 0; i < absl::GetFlag(FLAGS_latency_asks); ++i) {
    const auto start = std::chrono::steady_clock::now();
    FS_ASSIGN_OR_RETURN(std::vector<json> asked, sampler->Ask(study, i, 1));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  std::cout << json{{"side", "foldstack"}, {"kind", "latency"}, {"function", f.name},
                    {"method", method}, {"history", history}, {"asks", ms.size()},
                    {"median_ms", ms[ms.size() / 2]}}
                   .dump()
            << std::endl;
  return absl::OkStatus();
}

absl::Status Run() {
  const std::vector<TestFunction> functions = Functions();
  const std::vector<std::string> wanted = absl::StrSplit(absl::GetFlag(FLAGS_functions), ',');
  const std::vector<std::string> methods = absl::StrSplit(absl::GetFlag(FLAGS_methods), ',');
  for (const TestFunction& f : functions) {
    if (std::find(wanted.begin(), wanted.end(), f.name) == wanted.end()) continue;
    for (const std::string& method : methods) FS_RETURN_IF_ERROR(RunQuality(f, method));
  }
  const TestFunction& hartmann = functions[1];
  if (absl::GetFlag(FLAGS_tpe_history) > 0) {
    FS_RETURN_IF_ERROR(RunLatency(hartmann, "tpe", absl::GetFlag(FLAGS_tpe_history)));
  }
  if (absl::GetFlag(FLAGS_bayes_history) > 0) {
    FS_RETURN_IF_ERROR(RunLatency(hartmann, "bayes", absl::GetFlag(FLAGS_bayes_history)));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace foldstack::sweep

int main(int argc, char** argv) {
  return foldstack::bench::ParseFlagsAndRun(argc, argv, foldstack::sweep::Run);
}
