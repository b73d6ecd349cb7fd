// Workers: registration (a fresh id per registration) and the listing with liveness. Heartbeats
// extend leases, so they stay with the JobManager.
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_WORKER_MANAGER_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_WORKER_MANAGER_H_

#include "absl/status/statusor.h"
#include "coordinator/managers/clock.h"
#include "coordinator/managers/job_manager.h"
#include "coordinator/store/sqlite_db.h"
#include "proto/foldstack.pb.h"

namespace foldstack::coordinator {

class WorkerManager {
 public:
  // `options` gives the heartbeat interval told to workers and the lease TTL after which a
  // silent worker is "lost".
  WorkerManager(SqliteDb& db, Clock& clock, JobManagerOptions options = {});

  // A fresh worker id ("w-<hostname>-<8 hex>") per registration.
  absl::StatusOr<foldstack::v1::RegisterWorkerResponse> RegisterWorker(
      const foldstack::v1::RegisterWorkerRequest& request);

  absl::StatusOr<foldstack::v1::ListWorkersResponse> ListWorkers(
      const foldstack::v1::ListWorkersRequest& request);

  // The worker finishes its running jobs, is leased nothing more, and is told on its next
  // heartbeat to exit once they end. NOT_FOUND for an unknown worker.
  absl::StatusOr<foldstack::v1::DrainWorkerResponse> DrainWorker(const foldstack::v1::DrainWorkerRequest& request);

 private:
  SqliteDb& db_;
  Clock& clock_;
  JobManagerOptions options_;
};

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_WORKER_MANAGER_H_
