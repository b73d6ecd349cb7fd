#include "coordinator/sweep/pruners/asha_pruner.h"

#include <cmath>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "coordinator/sweep/json_fields.h"
#include "coordinator/sweep/pruners/prune_math.h"

namespace foldstack::sweep {
namespace {

constexpr int64_t kMaxEpochs = int64_t{1} << 31;

// Replays Ray's _Bracket.on_result for a job reporting epochs 1, 2, ... (< max_t): each result
// records the highest rung whose milestone it has reached and that is not recorded yet. Jumps
// over epochs that cannot record anything, so a large max_t costs nothing.
void SetRecordEpochs(int64_t max_t, std::vector<AshaRung>& rungs) {
  std::vector<bool> recorded(rungs.size(), false);
  size_t left = rungs.size();
  int64_t epoch = 1;
  while (left > 0 && epoch < max_t) {
    std::optional<size_t> hit;
    for (size_t k = rungs.size(); k-- > 0;) {
      if (!recorded[k] && static_cast<double>(epoch) >= rungs[k].milestone) {
        hit = k;
        break;
      }
    }
    if (hit) {
      recorded[*hit] = true;
      rungs[*hit].record_epoch = epoch;
      --left;
      ++epoch;
      continue;
    }
    // Nothing reachable: go to the first epoch at the lowest unrecorded milestone.
    for (size_t k = 0; k < rungs.size(); ++k) {
      if (!recorded[k]) {
        epoch = static_cast<int64_t>(std::ceil(rungs[k].milestone));
        break;
      }
    }
  }
  // Rungs that max_t cuts off before they are recorded never fire.
  std::vector<AshaRung> live;
  for (size_t k = 0; k < rungs.size(); ++k) {
    if (recorded[k]) live.push_back(rungs[k]);
  }
  rungs = live;
}

}  // namespace

absl::StatusOr<AshaOptions> AshaOptions::Parse(const nlohmann::json& config,
                                               const std::string& path) {
  FS_RETURN_IF_ERROR(
      CheckKeys(config, path, {"type", "grace_period", "reduction_factor", "max_t", "brackets"}));
  AshaOptions options;
  if (const nlohmann::json& v = Field(config, "grace_period"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(options.grace_period, ReadInt(v, JoinPath(path, "grace_period"), 1));
  }
  if (const nlohmann::json& v = Field(config, "reduction_factor"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(options.reduction_factor,
                        ReadNumber(v, JoinPath(path, "reduction_factor")));
    if (!(options.reduction_factor > 1)) {
      return ErrorAt(JoinPath(path, "reduction_factor"),
                     absl::StrCat("expected a number > 1, got ", v.dump()));
    }
  }
  if (const nlohmann::json& v = Field(config, "max_t"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(options.max_t, ReadInt(v, JoinPath(path, "max_t"), 1));
  }
  if (options.max_t > kMaxEpochs) {
    return ErrorAt(JoinPath(path, "max_t"),
                   absl::StrCat("expected at most ", kMaxEpochs, ", got ", options.max_t));
  }
  if (options.grace_period > options.max_t) {
    return ErrorAt(JoinPath(path, "grace_period"), absl::StrCat("must be <= max_t (", options.max_t,
                                                                "), got ", options.grace_period));
  }
  if (const nlohmann::json& v = Field(config, "brackets"); !v.is_null()) {
    FS_ASSIGN_OR_RETURN(const int64_t brackets, ReadInt(v, JoinPath(path, "brackets"), 1));
    if (brackets != 1) {
      return ErrorAt(JoinPath(path, "brackets"),
                     absl::StrCat("only 1 bracket is supported, got ", brackets));
    }
  }
  return options;
}

AshaPruner::AshaPruner(AshaOptions options) : options_(options) {
  for (int k = 0;; ++k) {
    const double milestone =
        static_cast<double>(options_.grace_period) * std::pow(options_.reduction_factor, k);
    if (milestone >= static_cast<double>(options_.max_t)) break;
    rungs_.push_back({milestone, 0});
  }
  SetRecordEpochs(options_.max_t, rungs_);
}

PruneDecision AshaPruner::OnEpoch(const StudyView& study, const TrialView& trial, int fold,
                                  int epoch) const {
  const JobView* job = JobOnFold(trial, fold);
  if (job == nullptr || epoch < 1 || epoch > job->LastEpoch()) return PruneDecision::Continue();
  const AshaRung* rung = nullptr;
  for (const AshaRung& r : rungs_) {
    if (r.record_epoch == epoch) rung = &r;
  }
  if (rung == nullptr) return PruneDecision::Continue();
  const std::optional<double> value = job->At(epoch);
  if (!value) return PruneDecision::Continue();  // Ray: NaN < cut-off is false

  std::vector<double> recorded;  // scores: bigger is better (Ray's metric_op * metric)
  for (const JobView* other : OtherJobsOnFold(study, trial, fold)) {
    if (other->LastEpoch() < epoch) continue;
    if (const std::optional<double> v = other->At(epoch)) {
      recorded.push_back(study.objective.Score(*v));
    }
  }
  if (recorded.empty()) return PruneDecision::Continue();
  const double cutoff = LinearPercentile(recorded, (1.0 - 1.0 / options_.reduction_factor) * 100.0);
  if (!(study.objective.Score(*value) < cutoff)) return PruneDecision::Continue();
  return StopTrial(
      absl::StrCat("asha: epoch ", epoch, " fold ", fold, " (rung ", ShowValue(rung->milestone),
                   "): ", ShowValue(*value), " ", WorseWord(study.objective), " cut-off ",
                   ShowValue(study.objective.Score(cutoff)), " of ", recorded.size(), " trials"));
}

}  // namespace foldstack::sweep
