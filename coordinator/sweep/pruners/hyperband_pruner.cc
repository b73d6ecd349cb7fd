#include "coordinator/sweep/pruners/hyperband_pruner.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/pruners/prune_math.h"

namespace foldstack::sweep {
namespace {

constexpr double kMaxBand = 2147483648.0;  // 2^31 epochs

// The finite values of `job`'s curve over epochs 1..last_epoch, as scores (bigger is better).
std::vector<double> History(const JobView& job, int last_epoch, const Objective& objective) {
  std::vector<double> history;
  for (int e = 1; e <= std::min(last_epoch, job.LastEpoch()); ++e) {
    if (const std::optional<double> v = job.At(e)) history.push_back(objective.Score(*v));
  }
  return history;
}

}  // namespace

absl::StatusOr<HyperbandOptions> HyperbandOptions::Parse(const nlohmann::json& config,
                                                         const std::string& path) {
  FS_RETURN_IF_ERROR(
      CheckKeys(config, path, {"type", "min_iter", "max_iter", "s", "eta", "strict"}));
  HyperbandOptions options;
  const nlohmann::json& min_iter = Field(config, "min_iter");
  const nlohmann::json& max_iter = Field(config, "max_iter");
  const nlohmann::json& s = Field(config, "s");
  if (const nlohmann::json& v = Field(config, "eta"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(options.eta, ReadInt(v, JoinPath(path, "eta"), 2));
  }
  if (const nlohmann::json& v = Field(config, "strict"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(options.strict, ReadBool(v, JoinPath(path, "strict")));
  }
  if (!min_iter.is_null() && !max_iter.is_null()) {
    return ErrorAt(path, "give min_iter, or max_iter with s, not both");
  }
  if (!min_iter.is_null()) {
    if (!s.is_null()) return ErrorAt(JoinPath(path, "s"), "is only used with max_iter");
    FS_ASSIGN_OR_RETURN(options.min_iter, ReadInt(min_iter, JoinPath(path, "min_iter"), 1));
    return options;
  }
  if (max_iter.is_null()) return ErrorAt(path, "hyperband needs min_iter, or max_iter with s");
  FS_ASSIGN_OR_RETURN(options.max_iter, ReadInt(max_iter, JoinPath(path, "max_iter"), 1));
  if (s.is_null()) return ErrorAt(JoinPath(path, "s"), "is required with max_iter");
  FS_ASSIGN_OR_RETURN(options.s, ReadInt(s, JoinPath(path, "s"), 1));
  if (HyperbandBands(options).empty()) {
    return ErrorAt(JoinPath(path, "max_iter"),
                   absl::StrCat("max_iter / eta = ", *options.max_iter, " / ", options.eta,
                                " is below 1 epoch: no band"));
  }
  return options;
}

std::vector<int64_t> HyperbandBands(const HyperbandOptions& options) {
  std::vector<int64_t> bands;
  const double eta = static_cast<double>(options.eta);
  if (options.max_iter) {
    double band = static_cast<double>(*options.max_iter);
    for (int64_t i = 0; i < options.s; ++i) {
      band /= eta;
      if (band < 1) break;
      bands.push_back(static_cast<int64_t>(band));
    }
    std::sort(bands.begin(), bands.end());
  } else if (options.min_iter) {
    double band = static_cast<double>(*options.min_iter);
    for (int i = 0; i < 100 && band < kMaxBand; ++i) {
      bands.push_back(static_cast<int64_t>(band));
      band *= eta;
    }
  }
  return bands;
}

HyperbandPruner::HyperbandPruner(HyperbandOptions options)
    : options_(options), bands_(HyperbandBands(options)) {}

PruneDecision HyperbandPruner::OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                                       int epoch) const {
  const JobView* job = JobOnFold(trial, fold);
  if (job == nullptr || epoch < 1 || epoch > job->LastEpoch()) return PruneDecision::Continue();
  const Objective& objective = study.objective;
  const std::vector<double> history = History(*job, epoch, objective);
  const int64_t length = static_cast<int64_t>(history.size());
  std::optional<int64_t> band;  // the closest band: the largest <= length
  for (const int64_t b : bands_) {
    if (b > length) break;
    band = b;
  }
  if (!band) return PruneDecision::Continue();

  // The values at the band of every run on this fold whose history reaches it, this one included.
  const size_t at = static_cast<size_t>(*band - 1);
  std::vector<double> band_values = {history[at]};
  for (const JobView* other : OtherJobsOnFold(study, trial, fold)) {
    const std::vector<double> other_history = History(*other, other->LastEpoch(), objective);
    if (other_history.size() > at) band_values.push_back(other_history[at]);
  }
  // Best first; W&B sorts the (minimise-signed) values ascending and takes index int(r * n).
  std::sort(band_values.begin(), band_values.end(), [](double a, double b) { return a > b; });
  const double r = 1.0 / static_cast<double>(options_.eta);
  const size_t index = static_cast<size_t>(r * static_cast<double>(band_values.size()));
  const double threshold = band_values[std::min(index, band_values.size() - 1)];

  const double condition =
      options_.strict ? history[at] : *std::max_element(history.begin(), history.end());
  if (!(condition < threshold)) return PruneDecision::Continue();
  return StopTrial(absl::StrCat("hyperband: epoch ", epoch, " fold ", fold, " (band ", *band,
                                "): ", options_.strict ? "value at band " : "best ",
                                ShowValue(objective.Score(condition)), " ", WorseWord(objective),
                                " threshold ", ShowValue(objective.Score(threshold)), " of ",
                                band_values.size(), " runs"));
}

}  // namespace foldstack::sweep
