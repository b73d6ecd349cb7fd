#include "coordinator/analysis/composite.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "coordinator/analysis/mask_task.h"
#include "coordinator/analysis/metrics.h"

namespace foldstack::analysis {
namespace {

using common::Head;
constexpr std::array<Head, 3> kHeads = {Head::kMask, Head::kGender, Head::kAge};
constexpr int kMaskClasses = 18;

bool IsFullTask(common::TrainTask task) { return !common::HeadOfTask(task).has_value(); }

}  // namespace

int64_t CompositeSpec::HeadTrial(Head head) const {
  const int64_t own = heads[static_cast<int>(head)];
  return own != 0 ? own : base;
}

std::string CompositeSpec::ToString() const {
  std::string out = base != 0 ? absl::StrCat("base=", base) : "";
  for (Head head : kHeads) {
    const int64_t id = heads[static_cast<int>(head)];
    if (id != 0) absl::StrAppend(&out, out.empty() ? "" : ",", common::HeadName(head), "=", id);
  }
  return out;
}

absl::StatusOr<CompositeSpec> ParseCompositeSpec(absl::string_view text) {
  CompositeSpec spec;
  const std::string what = absl::StrCat("composite \"", text, "\"");
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    const std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    const std::string key(kv.first);
    int64_t id = 0;
    if (!absl::SimpleAtoi(kv.second, &id) || id <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": \"", part, "\": expected KEY=TRIAL_ID with a positive trial id"));
    }
    int64_t* slot = nullptr;
    if (kv.first == "base") {
      slot = &spec.base;
    } else if (std::optional<Head> head = common::ParseHead(key)) {
      slot = &spec.heads[static_cast<int>(*head)];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": unknown key \"", kv.first, "\"; expected base, mask, gender or age"));
    }
    if (*slot != 0) return absl::InvalidArgumentError(absl::StrCat(what, ": ", kv.first, " given twice"));
    *slot = id;
  }
  for (Head head : kHeads) {
    if (spec.HeadTrial(head) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": no source for the ", common::HeadName(head),
                                                     " head (name a base=TRIAL or ", common::HeadName(head), "=TRIAL)"));
    }
  }
  return spec;
}

absl::StatusOr<std::vector<CompositeSpec>> ParseCompositeSpecs(absl::string_view text) {
  std::vector<CompositeSpec> specs;
  for (absl::string_view part : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    FS_ASSIGN_OR_RETURN(CompositeSpec spec, ParseCompositeSpec(absl::StripAsciiWhitespace(part)));
    specs.push_back(spec);
  }
  return specs;
}

absl::StatusOr<ProbMatrix> HeadProbs(const HeadSourceTrial& trial, Head head) {
  const std::optional<Head> own = common::HeadOfTask(trial.task);
  const std::string what = absl::StrCat("trial ", trial.trial_id);
  if (own.has_value()) {
    if (*own != head) {
      return absl::InvalidArgumentError(absl::StrCat(what, " predicts the ", common::HeadName(*own),
                                                     " head, not the ", common::HeadName(head), " head"));
    }
    if (trial.probs->num_classes != common::HeadClasses(head)) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": ", trial.probs->num_classes, " classes, expected ",
                                                     common::HeadClasses(head), " (", common::HeadName(head), ")"));
    }
    return *trial.probs;
  }
  // Single or multi-head: the head's marginal of the 18-class rows.
  absl::StatusOr<MaskMarginals> marginals = ComputeMaskMarginals(*trial.probs);
  if (!marginals.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", marginals.status().message()));
  switch (head) {
    case Head::kMask:
      return std::move(marginals->mask);
    case Head::kGender:
      return std::move(marginals->gender);
    case Head::kAge:
      return std::move(marginals->age);
  }
  return absl::InternalError("unknown head");
}

absl::StatusOr<ProbMatrix> MultiplyHeads(const ProbMatrix& mask, const ProbMatrix& gender, const ProbMatrix& age) {
  const int n = mask.num_samples;
  if (gender.num_samples != n || age.num_samples != n || mask.num_classes != 3 || gender.num_classes != 2 ||
      age.num_classes != 3) {
    return absl::InvalidArgumentError(absl::StrCat("heads: shapes ", n, "x", mask.num_classes, ", ",
                                                   gender.num_samples, "x", gender.num_classes, ", ", age.num_samples,
                                                   "x", age.num_classes, "; expected N x 3, N x 2, N x 3"));
  }
  ProbMatrix out{n, kMaskClasses, std::vector<float>(static_cast<size_t>(n) * kMaskClasses)};
  for (int i = 0; i < n; ++i) {
    float* row = out.values.data() + static_cast<size_t>(i) * kMaskClasses;
    for (int m = 0; m < 3; ++m) {
      for (int g = 0; g < 2; ++g) {
        for (int a = 0; a < 3; ++a) row[6 * m + 3 * g + a] = mask.at(i, m) * gender.at(i, g) * age.at(i, a);
      }
    }
  }
  return out;
}

absl::StatusOr<ProbMatrix> BuildComposite(const CompositeSpec& spec,
                                          const std::function<absl::StatusOr<HeadSourceTrial>(int64_t)>& find) {
  const std::string what = absl::StrCat("composite ", spec.ToString());
  if (spec.base != 0) {
    FS_ASSIGN_OR_RETURN(HeadSourceTrial base, find(spec.base));
    if (!IsFullTask(base.task)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": base trial ", spec.base, " predicts one head; a base must predict the 18 classes"));
    }
  }
  std::array<ProbMatrix, 3> heads;
  for (Head head : kHeads) {
    FS_ASSIGN_OR_RETURN(HeadSourceTrial source, find(spec.HeadTrial(head)));
    absl::StatusOr<ProbMatrix> probs = HeadProbs(source, head);
    if (!probs.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", probs.status().message()));
    heads[static_cast<int>(head)] = *std::move(probs);
  }
  return MultiplyHeads(heads[0], heads[1], heads[2]);
}

std::vector<CompositeSpec> AutomaticComposites(const std::vector<int64_t>& trial_ids,
                                               const std::vector<common::TrainTask>& tasks) {
  std::vector<CompositeSpec> out;
  for (size_t b = 0; b < trial_ids.size(); ++b) {
    if (!IsFullTask(tasks[b])) continue;
    for (size_t h = 0; h < trial_ids.size(); ++h) {
      const std::optional<Head> head = common::HeadOfTask(tasks[h]);
      if (!head) continue;
      CompositeSpec spec;
      spec.base = trial_ids[b];
      spec.heads[static_cast<int>(*head)] = trial_ids[h];
      out.push_back(spec);
    }
  }
  return out;
}

absl::StatusOr<HeadScores> ScoreHeads(const ProbMatrix& probs, const std::vector<int>& labels) {
  FS_RETURN_IF_ERROR(CheckLabels(probs, labels));
  FS_ASSIGN_OR_RETURN(MaskMarginals marginals, ComputeMaskMarginals(probs));
  const ProbMatrix* by_head[3] = {&marginals.mask, &marginals.gender, &marginals.age};
  HeadScores scores;
  for (Head head : kHeads) {
    const int h = static_cast<int>(head);
    std::vector<int> head_labels;
    int correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
      head_labels.push_back(common::HeadLabel(head, labels[i]));
      correct += ArgMax(by_head[h]->row(static_cast<int>(i)), by_head[h]->num_classes) == head_labels.back();
    }
    FS_ASSIGN_OR_RETURN(scores.macro_f1[h], MacroF1(*by_head[h], head_labels));
    scores.accuracy[h] = labels.empty() ? 0 : static_cast<double>(correct) / labels.size();
  }
  return scores;
}

}  // namespace foldstack::analysis
