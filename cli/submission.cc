#include "cli/submission.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/state_names.h"

namespace foldstack::cli {
namespace {

// The run's row of every info.csv image, in info.csv order; refuses any mismatch.
absl::StatusOr<std::vector<int>> RunRows(const data::EvalSet& eval, const foldstack::v1::GetPredictionResponse& run) {
  const int classes = run.num_classes();
  if (run.state() != foldstack::v1::RUN_STATE_DONE || classes <= 0 ||
      run.probs_size() != static_cast<int64_t>(run.image_ids_size()) * classes) {
    return absl::FailedPreconditionError(
        absl::StrCat("prediction run ", run.run_id(), " is ", Name(run.state()), ": no complete probabilities yet"));
  }
  absl::flat_hash_map<std::string, int> row_of;
  for (int i = 0; i < run.image_ids_size(); ++i) row_of.emplace(run.image_ids(i), i);
  if (static_cast<size_t>(run.image_ids_size()) != eval.images.size()) {
    return absl::FailedPreconditionError(absl::StrCat("prediction run ", run.run_id(), " has ",
                                                      run.image_ids_size(), " images, ", eval.root,
                                                      "/eval/info.csv has ", eval.images.size(),
                                                      " (changed since the run?)"));
  }
  std::vector<int> rows;
  for (size_t i = 0; i < eval.images.size(); ++i) {
    auto it = row_of.find(eval.images[i].image_id);
    if (it == row_of.end()) {
      return absl::FailedPreconditionError(absl::StrCat(eval.root, "/eval/info.csv: row ", i + 1, ": ImageID \"",
                                                        eval.images[i].image_id, "\" is not in prediction run ",
                                                        run.run_id()));
    }
    rows.push_back(it->second);
  }
  return rows;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<int64_t, double>>> ParseMembers(const std::string& trials,
                                                                     const std::string& members) {
  if (trials.empty() == members.empty()) {
    return absl::InvalidArgumentError("predict: give either --trial ID[,ID...] or --members TRIAL:WEIGHT,...");
  }
  const bool weighted = !members.empty();
  const std::string flag = weighted ? "--members" : "--trial";
  std::vector<std::pair<int64_t, double>> parsed;
  for (absl::string_view item_view : absl::StrSplit(weighted ? members : trials, ',')) {
    const std::string item(item_view);
    const std::vector<std::string> parts =
        weighted ? std::vector<std::string>(absl::StrSplit(item, ':')) : std::vector<std::string>{item};
    int64_t trial = 0;
    double weight = 1;
    const bool ok = parts.size() == (weighted ? 2u : 1u) && absl::SimpleAtoi(parts[0], &trial) && trial > 0 &&
                    (!weighted || (absl::SimpleAtod(parts[1], &weight) && weight > 0 && std::isfinite(weight)));
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat("predict: ", flag, ": \"", item, "\": expected ",
                                                     weighted ? "TRIAL:WEIGHT with a positive weight, e.g. 3:0.5"
                                                              : "a trial id, e.g. 3"));
    }
    parsed.push_back({trial, weight});
  }
  return parsed;
}

absl::StatusOr<std::string> SubmissionCsv(const data::EvalSet& eval, const foldstack::v1::GetPredictionResponse& run) {
  absl::StatusOr<std::vector<int>> rows = RunRows(eval, run);
  if (!rows.ok()) return rows.status();
  const int classes = run.num_classes();
  std::string csv = "ImageID,ans\n";
  for (size_t i = 0; i < rows->size(); ++i) {
    const float* p = run.probs().data() + static_cast<int64_t>((*rows)[i]) * classes;
    int best = 0;
    for (int c = 1; c < classes; ++c) {
      if (p[c] > p[best]) best = c;
    }
    absl::StrAppend(&csv, eval.images[i].image_id, ",", best, "\n");
  }
  return csv;
}

absl::StatusOr<std::string> ProbabilitiesCsv(const data::EvalSet& eval,
                                             const foldstack::v1::GetPredictionResponse& run) {
  absl::StatusOr<std::vector<int>> rows = RunRows(eval, run);
  if (!rows.ok()) return rows.status();
  const int classes = run.num_classes();
  std::string csv = "ImageID";
  for (int c = 0; c < classes; ++c) absl::StrAppend(&csv, ",p", c);
  csv += "\n";
  for (size_t i = 0; i < rows->size(); ++i) {
    csv += eval.images[i].image_id;
    const float* p = run.probs().data() + static_cast<int64_t>((*rows)[i]) * classes;
    for (int c = 0; c < classes; ++c) absl::StrAppend(&csv, ",", p[c]);
    csv += "\n";
  }
  return csv;
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string temp = absl::StrCat(path, ".tmp-", getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << contents;
    out.close();
    if (!out) {
      std::remove(temp.c_str());
      return absl::PermissionDeniedError(absl::StrCat(path, ": cannot write (", temp, ")"));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return absl::PermissionDeniedError(absl::StrCat(path, ": cannot replace it with ", temp));
  }
  return absl::OkStatus();
}

}  // namespace foldstack::cli
