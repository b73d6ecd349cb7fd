#include "coordinator/managers/request_checks.h"
#include "coordinator/managers/worker_manager.h"

#include <memory>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "coordinator/managers/paging.h"
#include "coordinator/store/worker_store.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

// Hostnames go into worker ids; keep those to [A-Za-z0-9.-].
std::string SafeHostname(const std::string& hostname) {
  std::string safe = hostname.empty() ? "unknown" : hostname.substr(0, 64);
  for (char& c : safe) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    if (!ok) c = '-';
  }
  return safe;
}

std::string DevicesJson(const foldstack::v1::RegisterWorkerRequest& request) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& d : request.devices()) {
    devices.push_back({{"kind", d.kind()}, {"index", d.index()}, {"name", d.name()},
                       {"memory_bytes", d.memory_bytes()}});
  }
  return devices.dump();
}

void AddDevices(const std::string& devices_json, foldstack::v1::WorkerSummary* worker) {
  const nlohmann::json devices = nlohmann::json::parse(devices_json, nullptr, false);
  if (!devices.is_array()) return;
  for (const auto& d : devices) {
    foldstack::v1::Device* device = worker->add_devices();
    device->set_kind(d.value("kind", ""));
    device->set_index(d.value("index", 0));
    device->set_name(d.value("name", ""));
    device->set_memory_bytes(d.value("memory_bytes", int64_t{0}));
  }
}

}  // namespace

WorkerManager::WorkerManager(SqliteDb& db, Clock& clock, JobManagerOptions options)
    : db_(db), clock_(clock), options_(options) {}

absl::StatusOr<foldstack::v1::RegisterWorkerResponse> WorkerManager::RegisterWorker(
    const foldstack::v1::RegisterWorkerRequest& request) {
  FS_RETURN_IF_ERROR(CheckRequest(request));
  absl::BitGen gen;
  const std::string worker_id = absl::StrFormat("w-%s-%08x", SafeHostname(request.hostname()),
                                                absl::Uniform<uint32_t>(gen));
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, Transaction::Begin(db_));
  FS_RETURN_IF_ERROR(InsertWorker(*txn, {worker_id, request.hostname(), request.cpu_cores(), DevicesJson(request),
                                         request.slots(), request.version()}, clock_.NowMs()));
  FS_RETURN_IF_ERROR(txn->Commit());
  foldstack::v1::RegisterWorkerResponse response;
  response.set_worker_id(worker_id);
  response.set_heartbeat_interval_ms(options_.heartbeat_interval_ms);
  response.set_lease_ttl_ms(static_cast<int32_t>(options_.lease_ttl_ms));
  return response;
}

absl::StatusOr<foldstack::v1::ListWorkersResponse> WorkerManager::ListWorkers(
    const foldstack::v1::ListWorkersRequest& request) {
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(const int32_t page, PageSize(request.page_size()));
  FS_ASSIGN_OR_RETURN(int64_t offset, PagePosition(request.page_token(), 0));
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  FS_ASSIGN_OR_RETURN(std::vector<WorkerRow> rows, LoadWorkers(*txn, offset, page + 1));
  foldstack::v1::ListWorkersResponse response;
  if (static_cast<int32_t>(rows.size()) > page) {
    rows.pop_back();
    response.set_next_page_token(absl::StrCat(offset + page));
  }
  for (const WorkerRow& row : rows) {
    foldstack::v1::WorkerSummary* w = response.add_workers();
    w->set_worker_id(row.id);
    w->set_hostname(row.hostname);
    w->set_cpu_cores(row.cpu_cores);
    AddDevices(row.devices_json, w);
    w->set_last_heartbeat_unix_ms(row.last_heartbeat_ms);
    const bool alive = now - row.last_heartbeat_ms <= options_.lease_ttl_ms;
    w->set_state(!alive         ? foldstack::v1::WORKER_STATE_LOST
                 : row.draining ? foldstack::v1::WORKER_STATE_DRAINING
                                : foldstack::v1::WORKER_STATE_ALIVE);
    for (int64_t job_id : row.running_job_ids) w->add_running_job_ids(job_id);
  }
  return response;
}

absl::StatusOr<foldstack::v1::DrainWorkerResponse> WorkerManager::DrainWorker(
    const foldstack::v1::DrainWorkerRequest& request) {
  FS_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> txn, Transaction::Begin(db_));
  FS_ASSIGN_OR_RETURN(int64_t running, MarkWorkerDraining(*txn, request.worker_id()));
  FS_RETURN_IF_ERROR(txn->Commit());
  foldstack::v1::DrainWorkerResponse response;
  response.set_running_jobs(static_cast<int32_t>(running));
  return response;
}

}  // namespace foldstack::coordinator
