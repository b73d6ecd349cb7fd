// The workers table: registration and the listing with each worker's running jobs.
#ifndef FOLDSTACK_COORDINATOR_STORE_WORKER_STORE_H_
#define FOLDSTACK_COORDINATOR_STORE_WORKER_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/store/sqlite_db.h"

namespace foldstack::coordinator {

struct WorkerRow {
  std::string id;
  std::string hostname;
  int32_t cpu_cores = 1;
  std::string devices_json;  // [{kind, index, name, memory_bytes}]
  int32_t slots = 1;
  std::string version;
  int64_t last_heartbeat_ms = 0;        // LoadWorkers only
  bool draining = false;                 // LoadWorkers only
  std::vector<int64_t> running_job_ids;  // LoadWorkers only: training jobs it holds
};

// A new worker row (last heartbeat = registration time).
absl::Status InsertWorker(Transaction& txn, const WorkerRow& worker, int64_t now_ms);

// Marks the worker draining (no new leases); returns how many jobs it still runs. NOT_FOUND for an
// unknown worker.
absl::StatusOr<int64_t> MarkWorkerDraining(Transaction& txn, const std::string& worker_id);

// Workers in registration order: `limit` (-1: all) from position `offset`.
absl::StatusOr<std::vector<WorkerRow>> LoadWorkers(Transaction& txn, int64_t offset = 0, int64_t limit = -1);

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_STORE_WORKER_STORE_H_
