#include "coordinator/analysis/ensemble_selection.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "absl/strings/str_cat.h"
#include "coordinator/analysis/selection_engine.h"
#include "coordinator/split/portable_rng.h"

namespace foldstack::analysis {
namespace {

absl::Status CheckLibrary(const std::vector<ProbMatrix>& library, const std::vector<int>& labels) {
  if (auto s = CheckSameShape(library); !s.ok()) return s;
  return CheckLabels(library[0], labels);
}

absl::Status CheckOptions(const EnsembleOptions& o) {
  if (o.method == EnsembleMethod::kVoteTopK) {
    return o.top_k >= 1 ? absl::OkStatus()
                        : absl::InvalidArgumentError(absl::StrCat("top_k = ", o.top_k, ", expected >= 1"));
  }
  if (o.init_size < 1 || o.max_members < o.init_size) {
    return absl::InvalidArgumentError(absl::StrCat("init_size = ", o.init_size, ", max_members = ", o.max_members,
                                                   ", expected 1 <= init_size <= max_members"));
  }
  if (o.bags < 0) return absl::InvalidArgumentError(absl::StrCat("bags = ", o.bags, ", expected >= 0"));
  if (!(o.bag_fraction > 0 && o.bag_fraction <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("bag_fraction = ", o.bag_fraction, ", expected in (0, 1]"));
  }
  return absl::OkStatus();
}

// The weighted ensemble's probabilities on `rows`, one output row per entry.
ProbMatrix EnsembleRows(const std::vector<ProbMatrix>& library, const std::vector<double>& weights,
                        const std::vector<int>& rows) {
  const int k = library[0].num_classes;
  ProbMatrix out{static_cast<int>(rows.size()), k, std::vector<float>(rows.size() * k, 0.f)};
  for (size_t t = 0; t < library.size(); ++t) {
    if (weights[t] == 0) continue;
    const float w = static_cast<float>(weights[t]);
    for (size_t r = 0; r < rows.size(); ++r) {
      const float* p = library[t].row(rows[r]);
      float* o = &out.values[r * k];
      for (int c = 0; c < k; ++c) o[c] += w * p[c];
    }
  }
  return out;
}

double ScoreRows(Metric metric, const std::vector<ProbMatrix>& library, const std::vector<int>& labels,
                 const std::vector<double>& weights, const std::vector<int>& rows) {
  std::vector<int> row_labels;
  for (int r : rows) row_labels.push_back(labels[r]);
  return *Score(metric, EnsembleRows(library, weights, rows), row_labels);  // inputs checked by the caller
}

// One greedy run over `candidates`; adds the kept prefix's weights into `weights`
// (scaled by `share`) and its steps to `trace`.
void RunGreedy(internal::SelectionEngine& engine, const std::vector<int>& candidates,
               const std::vector<double>& single_losses, int init_size, int max_members, Metric metric, int bag,
               double share, std::vector<double>* weights, std::vector<SelectionStep>* trace) {
  std::vector<int> sorted = candidates;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](int a, int b) { return single_losses[a] < single_losses[b]; });
  const int init = std::min<int>(init_size, sorted.size());
  std::vector<int> added;
  std::vector<double> losses, step_losses;
  engine.Reset();
  for (int i = 0; i < init; ++i) {
    engine.Evaluate({sorted[i]}, &losses);
    engine.Add(sorted[i]);
    added.push_back(sorted[i]);
    step_losses.push_back(losses[0]);
  }
  for (int round = init; round < max_members; ++round) {
    engine.Evaluate(candidates, &losses);
    size_t best = std::min_element(losses.begin(), losses.end()) - losses.begin();  // first on ties
    engine.Add(candidates[best]);
    added.push_back(candidates[best]);
    step_losses.push_back(losses[best]);
  }
  size_t keep = init;
  for (size_t i = init; i < added.size(); ++i) {
    if (step_losses[i] < step_losses[keep - 1]) keep = i + 1;
  }
  for (size_t i = 0; i < keep; ++i) (*weights)[added[i]] += share / keep;
  for (size_t i = 0; i < added.size(); ++i) {
    double score = Maximize(metric) ? -step_losses[i] : step_losses[i];
    trace->push_back({bag, static_cast<int>(i) + 1, added[i], static_cast<int>(i) < init, score});
  }
}

// Selection looking only at `rows`; result.score is measured on them.
EnsembleResult SelectOnRows(const std::vector<ProbMatrix>& library, const std::vector<int>& labels,
                            std::vector<int> rows, const EnsembleOptions& o) {
  const int m = library.size();
  internal::SelectionEngine engine(library, labels, rows, o.metric);
  std::vector<int> all(m);
  std::iota(all.begin(), all.end(), 0);
  std::vector<double> single_losses;
  engine.Evaluate(all, &single_losses);
  EnsembleResult result;
  result.weights.assign(m, 0.0);
  for (double loss : single_losses) result.single_scores.push_back(Maximize(o.metric) ? -loss : loss);
  if (o.method == EnsembleMethod::kVoteTopK) {
    RunGreedy(engine, all, single_losses, o.top_k, std::min(o.top_k, m), o.metric, 0, 1.0, &result.weights,
              &result.trace);
  } else if (o.bags == 0) {
    RunGreedy(engine, all, single_losses, o.init_size, o.max_members, o.metric, 0, 1.0, &result.weights,
              &result.trace);
  } else {
    split::SplitMix64 rng(o.seed);
    const int bag_size = std::max(1, static_cast<int>(std::lround(o.bag_fraction * m)));
    for (int bag = 0; bag < o.bags; ++bag) {
      std::vector<int> shuffled = all;
      split::PortableShuffle(shuffled, rng);
      std::vector<int> candidates(shuffled.begin(), shuffled.begin() + bag_size);
      std::sort(candidates.begin(), candidates.end());
      RunGreedy(engine, candidates, single_losses, o.init_size, o.max_members, o.metric, bag, 1.0 / o.bags,
                &result.weights, &result.trace);
    }
  }
  result.score = ScoreRows(o.metric, library, labels, result.weights, rows);
  return result;
}

std::vector<int> AllRows(int n) {
  std::vector<int> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

}  // namespace

absl::StatusOr<EnsembleResult> SelectEnsemble(const std::vector<ProbMatrix>& library,
                                              const std::vector<int>& labels, const EnsembleOptions& options) {
  if (auto s = CheckLibrary(library, labels); !s.ok()) return s;
  if (auto s = CheckOptions(options); !s.ok()) return s;
  return SelectOnRows(library, labels, AllRows(library[0].num_samples), options);
}

absl::StatusOr<EnsembleResult> SoftVoteTopK(const std::vector<ProbMatrix>& library, const std::vector<int>& labels,
                                            int k, Metric metric) {
  EnsembleOptions options;
  options.method = EnsembleMethod::kVoteTopK;
  options.top_k = k;
  options.metric = metric;
  return SelectEnsemble(library, labels, options);
}

absl::StatusOr<NestedScoreResult> NestedScore(const std::vector<ProbMatrix>& library,
                                              const std::vector<int>& labels, const std::vector<int>& folds,
                                              const EnsembleOptions& options) {
  if (auto s = CheckLibrary(library, labels); !s.ok()) return s;
  if (auto s = CheckOptions(options); !s.ok()) return s;
  if (folds.size() != labels.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("folds: ", folds.size(), " fold ids, expected one per sample (", labels.size(), ")"));
  }
  std::set<int> distinct;
  for (size_t i = 0; i < folds.size(); ++i) {
    if (folds[i] < 0) return absl::InvalidArgumentError(absl::StrCat("folds[", i, "] = ", folds[i], ", expected >= 0"));
    distinct.insert(folds[i]);
  }
  if (distinct.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat("folds: ", distinct.size(), " distinct fold ids, expected >= 2"));
  }
  const int k = library[0].num_classes;
  NestedScoreResult result;
  ProbMatrix pooled{library[0].num_samples, k, std::vector<float>(library[0].values.size(), 0.f)};
  for (int f : distinct) {
    std::vector<int> inner, outer;
    for (size_t i = 0; i < folds.size(); ++i) (folds[i] == f ? outer : inner).push_back(i);
    EnsembleResult selected = SelectOnRows(library, labels, inner, options);
    result.folds.push_back(f);
    result.in_sample_scores.push_back(selected.score);
    result.fold_scores.push_back(ScoreRows(options.metric, library, labels, selected.weights, outer));
    ProbMatrix held_out = EnsembleRows(library, selected.weights, outer);
    for (size_t r = 0; r < outer.size(); ++r) {
      std::copy_n(held_out.row(r), k, &pooled.values[static_cast<size_t>(outer[r]) * k]);
    }
  }
  result.pooled_score = *Score(options.metric, pooled, labels);
  return result;
}

}  // namespace foldstack::analysis
