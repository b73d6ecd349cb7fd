// The review loop over relabel candidates: accept/reject decisions (one, or a bulk CSV's rows as
// one batch) that make label versions, the candidates of a sweep with their review status, and
// the export of a label version as a corrected train.csv plus a list of file moves.
//
// Thread safety: every call reads, validates and then writes in its own transactions; a batch
// validated against a version that another batch has since replaced is refused (ABORTED).
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_LABEL_REVIEW_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_LABEL_REVIEW_MANAGER_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/managers/clock.h"
#include "coordinator/store/dataset_lookup.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

class LabelReviewManager {
 public:
  LabelReviewManager(SqliteDb& db, Clock& clock) : db_(db), clock_(clock) {}

  // Validates every decision first (target, decision, label, duplicates; errors are one line,
  // "FILE: row N: column C: ..." for a bulk CSV), then stores all of them in one transaction. The
  // accepted ones make one new label version. `caller` is the token's name (never the token), recorded as who.
  absl::StatusOr<foldstack::v1::ReviewLabelsResponse> ReviewLabels(
      const foldstack::v1::ReviewLabelsRequest& request, const std::string& caller);

  absl::StatusOr<foldstack::v1::ListRelabelCandidatesResponse> ListRelabelCandidates(
      const foldstack::v1::ListRelabelCandidatesRequest& request);

  // The sample keys of each of `persons` in base dataset `dataset_id`, in index order (the photos
  // the dashboard shows beside a person-level candidate).
  absl::StatusOr<std::map<std::string, std::vector<std::string>>> PersonPhotoKeys(
      int64_t dataset_id, const std::set<std::string>& persons);

  // The class names of dataset `dataset_id` (the labels a reviewer may choose); NOT_FOUND for an
  // unknown dataset.
  absl::StatusOr<std::vector<std::string>> ClassNames(int64_t dataset_id);

  // Mask datasets: the corrected train/train.csv (read from the dataset root) and the moves;
  // other kinds: "sample_key,label" rows of every sample at the version.
  absl::StatusOr<foldstack::v1::ExportLabelsResponse> ExportLabels(
      const foldstack::v1::ExportLabelsRequest& request);

 private:
  // The dataset of original labels named by id or root (or, when `name` is empty, the only one
  // holding `target`).
  absl::StatusOr<DatasetInfo> ResolveDataset(const std::string& name, const std::string& target);

  SqliteDb& db_;
  Clock& clock_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_LABEL_REVIEW_MANAGER_H_
