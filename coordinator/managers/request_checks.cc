#include "coordinator/managers/request_checks.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {
namespace {

absl::Status Invalid(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

absl::Status CheckLength(const std::string& where, const char* field, const std::string& value, size_t most) {
  if (value.size() <= most) return absl::OkStatus();
  return Invalid(where, absl::StrCat(field, " of ", value.size(), " characters; at most ", most));
}

absl::Status CheckFinite(const std::string& where, const char* field, double value) {
  if (std::isfinite(value)) return absl::OkStatus();
  return Invalid(where, absl::StrCat(field, " is ", value, "; expected a finite number"));
}

}  // namespace

absl::Status CheckRequest(const foldstack::v1::ReportMetricsRequest& request) {
  for (const foldstack::v1::Metric& metric : request.metrics()) {
    const std::string where = absl::StrCat("job ", request.job_id(), ": epoch ", metric.epoch());
    if (metric.epoch() < 0 || metric.epoch() > kMaxEpoch) {
      return Invalid(where, absl::StrCat("expected an epoch from 0 to ", kMaxEpoch));
    }
    FS_RETURN_IF_ERROR(CheckLength(where, "metric name", metric.name(), kMaxNameChars));
    if (metric.name().empty()) return Invalid(where, "metric without a name");
    FS_RETURN_IF_ERROR(CheckFinite(where, ("metric " + metric.name()).c_str(), metric.value()));
  }
  return absl::OkStatus();
}

absl::Status CheckRequest(const foldstack::v1::CompleteJobRequest& request) {
  const std::string where = absl::StrCat("job ", request.job_id(), ": completion");
  FS_RETURN_IF_ERROR(CheckFinite(where, "macro_f1", request.macro_f1()));
  FS_RETURN_IF_ERROR(CheckFinite(where, "accuracy", request.accuracy()));
  FS_RETURN_IF_ERROR(CheckFinite(where, "val_loss", request.val_loss()));
  FS_RETURN_IF_ERROR(CheckFinite(where, "seconds", request.seconds()));
  if (request.best_epoch() < 0 || request.best_epoch() > kMaxEpoch) {
    return Invalid(where, absl::StrCat("best_epoch ", request.best_epoch(), "; expected 0 to ", kMaxEpoch));
  }
  return CheckLength(where, "checkpoint_path", request.checkpoint_path(), kMaxPathChars);
}

absl::Status CheckRequest(const foldstack::v1::FailJobRequest& request) {
  const std::string where = absl::StrCat("job ", request.job_id(), ": failure report");
  FS_RETURN_IF_ERROR(CheckLength(where, "reason", request.reason(), kMaxReasonChars));
  return CheckLength(where, "log_tail", request.log_tail(), kMaxLogTailChars);
}

absl::Status CheckRequest(const foldstack::v1::RegisterWorkerRequest& request) {
  const std::string where = "worker registration";
  FS_RETURN_IF_ERROR(CheckLength(where, "hostname", request.hostname(), kMaxNameChars));
  FS_RETURN_IF_ERROR(CheckLength(where, "version", request.version(), kMaxNameChars));
  if (request.slots() < 0 || request.slots() > kMaxSlots) {  // 0: an older worker's one slot
    return Invalid(where, absl::StrCat("slots ", request.slots(), "; expected 1 to ", kMaxSlots));
  }
  if (request.cpu_cores() < 0 || request.devices_size() > kMaxSlots) {
    return Invalid(where, absl::StrCat(request.cpu_cores(), " CPU cores and ", request.devices_size(),
                                       " devices; expected 0 or more cores and at most ", kMaxSlots, " devices"));
  }
  return absl::OkStatus();
}

absl::Status CheckRequest(const foldstack::v1::SubmitSweepRequest& request) {
  const std::string where = request.file_name().empty() ? "sweep file" : request.file_name().substr(0, kMaxPathChars);
  FS_RETURN_IF_ERROR(CheckLength("sweep submission", "file_name", request.file_name(), kMaxPathChars));
  FS_RETURN_IF_ERROR(CheckLength("sweep submission", "base_dir", request.base_dir(), kMaxPathChars));
  if (request.yaml().size() > kMaxSweepFileBytes) {
    return Invalid(where, absl::StrCat(request.yaml().size(), " bytes; a sweep file is at most ", kMaxSweepFileBytes));
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> PageSize(int32_t requested) {
  if (requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size ", requested, "; expected 0 (", kDefaultPageSize, ") to ", kMaxPageSize));
  }
  return requested == 0 ? kDefaultPageSize : std::min(requested, kMaxPageSize);
}

}  // namespace foldstack::coordinator
