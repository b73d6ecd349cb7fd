// Coordinator throughput from loopback clients against a real coordinator process and SQLite file:
//  1. lease -> complete round trips per second (N client threads, each a registered worker);
//  2. OOF probability values ingested per second through ReportPredictions streams, and the database
//     database's growth (pages in use) per million values;
//  3. OOF values read per second by LoadSweepOof (what relabel find and ensemble select read), on
//     the same file, in this process.
// Run: tests/bench/run_coordinator_bench.sh (builds, starts everything, prints the figures).
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "coordinator/store/oof_store.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051", "coordinator address");
ABSL_FLAG(std::string, token, "", "access token");
ABSL_FLAG(std::string, db, "", "the coordinator's database file (for its size)");
ABSL_FLAG(std::string, lease_sweep, "", "sweep file with many small jobs");
ABSL_FLAG(std::string, ingest_sweep, "", "sweep file whose jobs hold many held-out samples");
ABSL_FLAG(int, clients, 4, "concurrent lease/complete clients");
ABSL_FLAG(double, seconds, 5, "duration of the lease/complete phase");
ABSL_FLAG(int, batch_rows, 512, "samples per PredictionBatch");
ABSL_FLAG(int, ingest_jobs, 4, "jobs whose predictions are ingested");

namespace {

using Clock = std::chrono::steady_clock;
using foldstack::v1::Coordinator;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Bytes of the database's pages in use (page_count - freelist_count, WAL included): unlike the
// file's size, this does not count a WAL file kept from earlier writes.
int64_t DbBytes(const std::string& path) {
  namespace fc = foldstack::coordinator;
  auto db = fc::SqliteDb::Open(path);
  if (!db.ok()) return 0;
  auto txn = fc::Transaction::Begin(**db, fc::Transaction::Mode::kDeferred);
  if (!txn.ok()) return 0;
  absl::StatusOr<int64_t> pages = (*txn)->PragmaInt("page_count");
  absl::StatusOr<int64_t> free_pages = (*txn)->PragmaInt("freelist_count");
  absl::StatusOr<int64_t> page_size = (*txn)->PragmaInt("page_size");
  if (!pages.ok() || !free_pages.ok() || !page_size.ok()) return 0;
  return (*pages - *free_pages) * *page_size;
}

void Check(const grpc::Status& status, const std::string& what) {
  if (!status.ok()) {
    std::cerr << what << ": " << status.error_message() << std::endl;
    std::exit(1);
  }
}

// Returns {sweep id, jobs}.
std::pair<int64_t, int64_t> Submit(Coordinator::Stub* stub, const std::string& token, const std::string& path) {
  std::ifstream in(path);
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  foldstack::v1::SubmitSweepRequest request;
  request.set_file_name(path);
  request.set_yaml(yaml);
  request.set_base_dir(path.substr(0, path.rfind('/')));
  foldstack::v1::SubmitSweepResponse response;
  Check(stub->SubmitSweep(foldstack::rpc::MakeContext(token).get(), request, &response), "submit " + path);
  return {response.sweep_id(), response.jobs()};
}

std::string Register(Coordinator::Stub* stub, const std::string& token) {
  foldstack::v1::RegisterWorkerRequest request;
  request.set_hostname("bench");
  request.set_cpu_cores(1);
  foldstack::v1::RegisterWorkerResponse response;
  Check(stub->RegisterWorker(foldstack::rpc::MakeContext(token).get(), request, &response), "register");
  return response.worker_id();
}

// Phase 3: the ingested sweep's done trials read back as the analyses read them, best of 5.
void ReadOof(const std::string& path, int64_t sweep_id) {
  namespace fc = foldstack::coordinator;
  auto db = fc::SqliteDb::Open(path);
  if (!db.ok()) {
    std::cerr << "open " << path << ": " << db.status() << std::endl;
    std::exit(1);
  }
  absl::StatusOr<std::vector<int64_t>> trials = fc::CompletedTrials(**db, sweep_id);
  if (!trials.ok() || trials->empty()) {
    std::cerr << "no completed trials to read: " << trials.status() << std::endl;
    std::exit(1);
  }
  double best = 1e9;
  int64_t read = 0;
  for (int round = 0; round < 5; ++round) {
    auto start = Clock::now();
    absl::StatusOr<fc::SweepOof> oof = fc::LoadSweepOof(**db, sweep_id, *trials);
    best = std::min(best, SecondsSince(start));
    if (!oof.ok()) {
      std::cerr << "LoadSweepOof: " << oof.status() << std::endl;
      std::exit(1);
    }
    read = static_cast<int64_t>(oof->probs.size() * oof->probs[0].size());
  }
  std::cout << absl::StrFormat("OOF read (LoadSweepOof, %d trials): %d values in %.3f s = %.0f values per second\n",
                               trials->size(), read, best, read / best);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string token = absl::GetFlag(FLAGS_token);
  auto channel = foldstack::rpc::MakeChannel(absl::GetFlag(FLAGS_coordinator));
  auto stub = Coordinator::NewStub(channel);

  // Phase 1: lease -> complete.
  auto [lease_sweep_id, jobs] = Submit(stub.get(), token, absl::GetFlag(FLAGS_lease_sweep));
  std::cout << "queued " << jobs << " jobs for the lease/complete phase" << std::endl;
  std::atomic<int64_t> round_trips{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  auto start = Clock::now();
  for (int c = 0; c < absl::GetFlag(FLAGS_clients); ++c) {
    clients.emplace_back([&] {
      auto own_stub = Coordinator::NewStub(foldstack::rpc::MakeChannel(absl::GetFlag(FLAGS_coordinator)));
      std::string worker = Register(own_stub.get(), token);
      while (!stop) {
        foldstack::v1::LeaseJobRequest lease;
        lease.set_worker_id(worker);
        foldstack::v1::LeaseJobResponse leased;
        Check(own_stub->LeaseJob(foldstack::rpc::MakeContext(token).get(), lease, &leased), "lease");
        if (!leased.leased()) break;
        foldstack::v1::CompleteJobRequest complete;
        complete.set_job_id(leased.job().job_id());
        complete.set_lease_id(leased.job().lease_id());
        complete.set_macro_f1(0.5);
        complete.set_accuracy(0.5);
        complete.set_best_epoch(1);
        foldstack::v1::CompleteJobResponse done;
        Check(own_stub->CompleteJob(foldstack::rpc::MakeContext(token).get(), complete, &done), "complete");
        ++round_trips;
      }
    });
  }
  while (SecondsSince(start) < absl::GetFlag(FLAGS_seconds) && round_trips < jobs) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  for (auto& client : clients) client.join();
  double elapsed = SecondsSince(start);
  std::cout << absl::StrFormat("lease->complete: %d round trips in %.2f s = %.0f per second (%d clients)\n",
                               round_trips.load(), elapsed, round_trips / elapsed, absl::GetFlag(FLAGS_clients));

  // Phase 2: OOF ingestion. The lease sweep's leftover jobs are cancelled so they don't come first.
  foldstack::v1::CancelSweepRequest cancel;
  cancel.set_sweep_id(lease_sweep_id);
  foldstack::v1::CancelSweepResponse cancelled;
  (void)stub->CancelSweep(foldstack::rpc::MakeContext(token).get(), cancel, &cancelled);
  const int64_t ingest_sweep_id = Submit(stub.get(), token, absl::GetFlag(FLAGS_ingest_sweep)).first;
  std::string worker = Register(stub.get(), token);
  const std::string db = absl::GetFlag(FLAGS_db);
  int64_t size_before = DbBytes(db);
  int64_t values = 0;
  double ingest_seconds = 0;
  for (int j = 0; j < absl::GetFlag(FLAGS_ingest_jobs); ++j) {
    foldstack::v1::LeaseJobRequest lease;
    lease.set_worker_id(worker);
    foldstack::v1::LeaseJobResponse leased;
    Check(stub->LeaseJob(foldstack::rpc::MakeContext(token).get(), lease, &leased), "lease");
    if (!leased.leased()) break;
    const auto& job = leased.job();
    foldstack::v1::GetSplitRequest split_request;
    split_request.set_split_id(job.split_id());
    foldstack::v1::GetSplitResponse split;
    Check(stub->GetSplit(foldstack::rpc::MakeContext(token).get(), split_request, &split), "split");
    std::vector<int64_t> held_out;
    for (const auto& sample : split.samples()) {
      if (sample.fold() == job.fold()) held_out.push_back(sample.sample_id());
    }
    const int classes = job.num_classes();
    // Batches are built before the clock starts: we measure the coordinator, not this client.
    std::vector<foldstack::v1::PredictionBatch> batches;
    for (size_t i = 0; i < held_out.size(); i += absl::GetFlag(FLAGS_batch_rows)) {
      foldstack::v1::PredictionBatch batch;
      batch.set_job_id(job.job_id());
      batch.set_lease_id(job.lease_id());
      batch.set_num_classes(classes);
      for (size_t r = i; r < std::min(held_out.size(), i + absl::GetFlag(FLAGS_batch_rows)); ++r) {
        batch.add_sample_ids(held_out[r]);
        for (int c = 0; c < classes; ++c) batch.add_probs((c == static_cast<int>(r % classes) ? 0.55f : 0.45f / (classes - 1)) + 1e-6f * c);
      }
      batches.push_back(std::move(batch));
    }
    auto ingest_start = Clock::now();
    auto context = foldstack::rpc::MakeContext(token);
    foldstack::v1::ReportPredictionsResponse response;
    auto writer = stub->ReportPredictions(context.get(), &response);
    for (const auto& batch : batches) writer->Write(batch);
    writer->WritesDone();
    Check(writer->Finish(), "report predictions");
    ingest_seconds += SecondsSince(ingest_start);
    values += response.rows_stored() * classes;
    foldstack::v1::CompleteJobRequest complete;  // frees the worker's slot for the next job
    complete.set_job_id(job.job_id());
    complete.set_lease_id(job.lease_id());
    foldstack::v1::CompleteJobResponse done;
    Check(stub->CompleteJob(foldstack::rpc::MakeContext(token).get(), complete, &done), "complete");
  }
  int64_t growth = DbBytes(db) - size_before;
  std::cout << absl::StrFormat("OOF ingestion: %d probability values in %.2f s = %.0f values per second\n", values,
                               ingest_seconds, values / ingest_seconds);
  std::cout << absl::StrFormat("database growth: %.1f MB per million probability values\n",
                               values > 0 ? growth / 1e6 / (values / 1e6) : 0.0);
  ReadOof(db, ingest_sweep_id);
  return 0;
}
