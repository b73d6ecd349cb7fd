// Speed of the OOF analysis library on realistic random OOF probabilities:
// ensemble selection over 200 trials x 18,900 samples x 18 classes (50 rounds)
// and confident learning over 18,900 x 18. Single-threaded code; run it pinned
// to one core (tests/bench/run_analysis_bench.sh uses taskset -c 0).
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "coordinator/analysis/confident_learning.h"
#include "coordinator/analysis/ensemble_selection.h"
#include "coordinator/analysis/fold_voting.h"
#include "coordinator/analysis/mask_task.h"

ABSL_FLAG(int, trials, 200, "library size (trials)");
ABSL_FLAG(int, people, 2700, "people; samples = 7 x people");
ABSL_FLAG(int, rounds, 50, "greedy rounds after the sorted initialisation");
ABSL_FLAG(int, init_size, 5, "sorted initialisation size");
ABSL_FLAG(int, repeats, 3, "timed repetitions (the best is reported)");
ABSL_FLAG(uint64_t, seed, 1, "data seed");
ABSL_FLAG(double, skill, 1.0, "scales every trial's skill (lower: less certain models, more work per round)");

namespace foldstack::analysis {
namespace {

constexpr int kClasses = 18;

// xorshift64* : fast and seeded, good enough for benchmark data.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  double Uniform() { return ((Next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
  float Exponential() { return static_cast<float>(-std::log(Uniform())); }
};

struct BenchData {
  std::vector<int> labels, folds;
  std::vector<std::string> persons;
  std::vector<ProbMatrix> library;
};

// Each sample has a difficulty and a confusable class; each trial a skill. A
// row is Dirichlet(1)-like noise plus skill-scaled mass on the true class (less
// when the sample is hard, partly moved to the confusable class).
BenchData MakeData(int trials, int people, uint64_t seed, float skill_scale) {
  Rng rng{seed * 0x9E3779B97F4A7C15ull + 1};
  BenchData d;
  const int n = people * 7;
  std::vector<float> difficulty(n);
  std::vector<int> confuser(n);
  for (int p = 0; p < people; ++p) {
    int gender_age = rng.Next() % 6;
    for (int photo = 0; photo < 7; ++photo) {
      int mask = photo < 5 ? 0 : photo - 4;
      d.labels.push_back(mask * 6 + gender_age);
      d.persons.push_back(absl::StrFormat("p%05d", p));
      d.folds.push_back(p % 5);
      const int i = p * 7 + photo;
      difficulty[i] = static_cast<float>(rng.Uniform());
      confuser[i] = (d.labels[i] + 1 + rng.Next() % (kClasses - 1)) % kClasses;
    }
  }
  for (int t = 0; t < trials; ++t) {
    const float skill = skill_scale * (2.0f + 10.0f * static_cast<float>(rng.Uniform()));
    ProbMatrix m{n, kClasses, std::vector<float>(static_cast<size_t>(n) * kClasses)};
    for (int i = 0; i < n; ++i) {
      float* row = &m.values[static_cast<size_t>(i) * kClasses];
      float sum = 0;
      for (int c = 0; c < kClasses; ++c) sum += row[c] = rng.Exponential();
      const float hard = difficulty[i] * difficulty[i];
      row[d.labels[i]] += skill * (1 - hard);
      row[confuser[i]] += skill * hard * 0.9f;
      sum += skill * (1 - 0.1f * hard);
      for (int c = 0; c < kClasses; ++c) row[c] /= sum;
    }
    d.library.push_back(std::move(m));
  }
  return d;
}

double ThreadCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// The best of `repeats` runs, in CPU seconds of this thread: on a shared machine
// wall time also counts the time other processes held the core.
template <typename F>
double BestSeconds(int repeats, F&& f) {
  double best = 1e9;
  for (int r = 0; r < repeats; ++r) {
    double start = ThreadCpuSeconds();
    f();
    best = std::min(best, ThreadCpuSeconds() - start);
  }
  return best;
}

int Main() {
  const int trials = absl::GetFlag(FLAGS_trials), repeats = absl::GetFlag(FLAGS_repeats);
  auto start = std::chrono::steady_clock::now();
  BenchData d = MakeData(trials, absl::GetFlag(FLAGS_people), absl::GetFlag(FLAGS_seed), absl::GetFlag(FLAGS_skill));
  const int n = d.labels.size();
  std::cout << absl::StrFormat("data: %d trials x %d samples x %d classes, generated in %.1f s\n", trials, n,
                               kClasses,
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

  for (Metric metric : {Metric::kMacroF1, Metric::kLogLoss}) {
    EnsembleOptions options;
    options.metric = metric;
    options.init_size = absl::GetFlag(FLAGS_init_size);
    options.max_members = options.init_size + absl::GetFlag(FLAGS_rounds);
    EnsembleResult result;
    double seconds = BestSeconds(repeats, [&] { result = *SelectEnsemble(d.library, d.labels, options); });
    double best_single = Maximize(metric) ? -1e9 : 1e9;
    for (double s : result.single_scores) best_single = Maximize(metric) ? std::max(best_single, s) : std::min(best_single, s);
    double average = *Score(metric, *AverageTrials(d.library), d.labels);
    int distinct = 0;
    for (double w : result.weights) distinct += w > 0;
    std::cout << absl::StrFormat(
        "ensemble selection %-8s init %d + %d rounds: %.3f s CPU  (best single %.4f, average of all %.4f, "
        "selected %.4f with %d distinct members)\n",
        MetricName(metric), options.init_size, options.max_members - options.init_size, seconds, best_single,
        average, result.score, distinct);
  }

  ProbMatrix combined = *AverageTrials(d.library);
  ConfidentLearningResult cl;
  double cl_seconds = BestSeconds(repeats, [&] { cl = *ConfidentLearning(combined, d.labels); });
  std::cout << absl::StrFormat("confident learning %d x %d: %.4f s CPU (%zu issues)\n", n, kClasses, cl_seconds,
                               cl.issues.size());
  FoldVotingResult votes;
  double vote_seconds = BestSeconds(repeats, [&] { votes = *FoldVote(d.library, d.labels, {}); });
  std::cout << absl::StrFormat("fold voting %d trials: %.4f s CPU (%zu issues)\n", trials, vote_seconds,
                               votes.issues.size());
  std::vector<MaskCandidate> candidates;
  double mask_seconds =
      BestSeconds(repeats, [&] { candidates = *FindMaskCandidates(combined, d.labels, d.persons); });
  std::cout << absl::StrFormat("mask task candidates: %.4f s CPU (%zu candidates)\n", mask_seconds, candidates.size());

  EnsembleOptions nested_options;
  nested_options.max_members = nested_options.init_size + absl::GetFlag(FLAGS_rounds);
  NestedScoreResult nested;
  double nested_seconds = BestSeconds(1, [&] { nested = *NestedScore(d.library, d.labels, d.folds, nested_options); });
  std::cout << absl::StrFormat("nested score (5 folds, macro_f1): %.3f s CPU, pooled %.4f\n", nested_seconds,
                               nested.pooled_score);
  return 0;
}

}  // namespace
}  // namespace foldstack::analysis

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return foldstack::analysis::Main();
}
