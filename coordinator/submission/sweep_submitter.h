// Turns a submitted sweep file into queued work: parse and validate the YAML, load and check the
// dataset, expand the trials, reuse or compute the k-fold split, and store it all. Any bad input is
// refused with one line naming the file, key or row, and nothing is queued.
#ifndef FOLDSTACK_COORDINATOR_SUBMISSION_SWEEP_SUBMITTER_H_
#define FOLDSTACK_COORDINATOR_SUBMISSION_SWEEP_SUBMITTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "coordinator/managers/sweep_manager.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

class SweepSubmitter {
 public:
  explicit SweepSubmitter(SweepManager* sweeps) : sweeps_(sweeps) {}

  // `submitted_by` is the caller's token fingerprint.
  absl::StatusOr<v1::SubmitSweepResponse> Submit(const v1::SubmitSweepRequest& request,
                                                 const std::string& submitted_by);

 private:
  SweepManager* sweeps_;
};

// dataset.root as given, made absolute against the sweep file's folder when relative.
std::string ResolveDatasetRoot(const std::string& root, const std::string& base_dir);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_SUBMISSION_SWEEP_SUBMITTER_H_
