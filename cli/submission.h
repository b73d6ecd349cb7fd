// The competition's submission file and the pieces `foldstack predict` needs around it.
#ifndef FOLDSTACK_CLI_SUBMISSION_H_
#define FOLDSTACK_CLI_SUBMISSION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "data/eval_set.h"
#include "proto/foldstack.pb.h"

namespace foldstack::cli {

// Members from `--trial 3,5` (weight 1 each) or `--members 3:0.5,5:1`; exactly one must be given.
// Errors are one line naming the flag and the bad item.
absl::StatusOr<std::vector<std::pair<int64_t, double>>> ParseMembers(const std::string& trials,
                                                                     const std::string& members);

// "ImageID,ans\n" then one row per image of `eval` in info.csv's order, ans = the argmax class of
// the run's averaged probabilities. Refuses a run whose images are not exactly info.csv's.
absl::StatusOr<std::string> SubmissionCsv(const data::EvalSet& eval, const foldstack::v1::GetPredictionResponse& run);

// "ImageID,p0,...,p<C-1>\n" then the averaged probabilities, same rows as SubmissionCsv.
absl::StatusOr<std::string> ProbabilitiesCsv(const data::EvalSet& eval,
                                             const foldstack::v1::GetPredictionResponse& run);

// Writes `path.tmp-<pid>` then renames it over `path`: a reader never sees half a file.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_SUBMISSION_H_
