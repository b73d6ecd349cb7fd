#include "coordinator/store/worker_store.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace foldstack::coordinator {

absl::Status InsertWorker(Transaction& txn, const WorkerRow& worker, int64_t now_ms) {
  FS_ASSIGN_OR_RETURN(Statement insert, txn.Prepare(
      "INSERT INTO workers(id, hostname, cpu_cores, devices_json, slots, version, "
      "registered_ms, last_heartbeat_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, worker.id).Bind(2, worker.hostname).Bind(3, worker.cpu_cores).Bind(4, worker.devices_json)
      .Bind(5, std::max(1, worker.slots)).Bind(6, worker.version).Bind(7, now_ms).Bind(8, now_ms);
  return insert.Run().status();
}

absl::StatusOr<int64_t> MarkWorkerDraining(Transaction& txn, const std::string& worker_id) {
  FS_ASSIGN_OR_RETURN(Statement drain, txn.Prepare(
      "UPDATE workers SET draining = 1 WHERE id = ?1 RETURNING "
      "(SELECT COUNT(*) FROM jobs WHERE worker_id = ?1 AND state = 'running') + "
      "(SELECT COUNT(*) FROM prediction_jobs WHERE worker_id = ?1 AND state = 'running')"));
  drain.Bind(1, worker_id);
  FS_ASSIGN_OR_RETURN(bool found, drain.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("worker ", worker_id, " not found"));
  const int64_t running = drain.Int(0);
  FS_RETURN_IF_ERROR(drain.Step().status());  // completes the UPDATE
  return running;
}

absl::StatusOr<std::vector<WorkerRow>> LoadWorkers(Transaction& txn, int64_t offset, int64_t limit) {
  std::map<std::string, std::vector<int64_t>> running;
  {
    FS_ASSIGN_OR_RETURN(Statement jobs, txn.Prepare(
        "SELECT worker_id, id FROM jobs WHERE state = 'running' ORDER BY id"));
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, jobs.Step());
      if (!row) break;
      running[jobs.Text(0)].push_back(jobs.Int(1));
    }
  }
  FS_ASSIGN_OR_RETURN(Statement workers, txn.Prepare(
      "SELECT id, hostname, cpu_cores, devices_json, slots, version, last_heartbeat_ms, draining FROM workers "
      "ORDER BY registered_ms, id LIMIT ? OFFSET ?"));
  workers.Bind(1, limit).Bind(2, offset);
  std::vector<WorkerRow> rows;
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, workers.Step());
    if (!row) break;
    WorkerRow w;
    w.id = workers.Text(0);
    w.hostname = workers.Text(1);
    w.cpu_cores = static_cast<int32_t>(workers.Int(2));
    w.devices_json = workers.Text(3);
    w.slots = static_cast<int32_t>(workers.Int(4));
    w.version = workers.Text(5);
    w.last_heartbeat_ms = workers.Int(6);
    w.draining = workers.Int(7) != 0;
    w.running_job_ids = running[w.id];
    rows.push_back(std::move(w));
  }
  return rows;
}

}  // namespace foldstack::coordinator
