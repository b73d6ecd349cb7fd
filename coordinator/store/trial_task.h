// A trial's task (its params' "task": the full task, one head, age regression; common/mask_heads.h)
// and the width of its probability rows, derived in this one place for every reader and writer of
// rows (leases of training and prediction jobs, OOF reads).
#ifndef FOLDSTACK_COORDINATOR_STORE_TRIAL_TASK_H_
#define FOLDSTACK_COORDINATOR_STORE_TRIAL_TASK_H_

#include <cstdint>
#include <string>

#include "common/mask_heads.h"

namespace foldstack::coordinator {

// SQL for the task of the trial aliased `t`: '' where the params have none.
inline constexpr char kTrialTaskSql[] =
    "COALESCE(CASE WHEN json_valid(t.params_json) THEN json_extract(t.params_json, '$.task') END, '')";

// Values per probability row of a trial with `task` on a dataset of `dataset_classes`.
inline int32_t TrialRowWidth(const std::string& task, int32_t dataset_classes) {
  return common::TaskRowWidth(task, dataset_classes);
}

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_TRIAL_TASK_H_
