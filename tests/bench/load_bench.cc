// Load on a real coordinator process: W simulated workers (thin gRPC clients in this process, one
// channel each, over loopback) run every job of a sweep as a worker agent would: lease, report E
// epochs of metrics, stream the held-out fold's OOF probabilities, complete. Reports throughput,
// p50/p99 latency per RPC, the coordinator's CPU and peak RSS (from /proc), the database size, and
// that nothing was lost (every job done, every row acknowledged, counted again in SQLite).
// Run: tests/bench/run_load_bench.sh (builds, makes the data, starts everything, prints the figures).
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051", "coordinator address");
ABSL_FLAG(std::string, token, "", "access token");
ABSL_FLAG(std::string, db, "", "the coordinator's database file");
ABSL_FLAG(int, coordinator_pid, 0, "the coordinator's pid (for its CPU time and RSS)");
ABSL_FLAG(std::string, sweep, "", "sweep file to submit and run");
ABSL_FLAG(int, workers, 64, "simulated workers");
ABSL_FLAG(int, epochs, 10, "epochs of metrics each job reports");
ABSL_FLAG(int, batch_rows, 512, "samples per PredictionBatch");

namespace {

using Clock = std::chrono::steady_clock;
using foldstack::v1::Coordinator;

enum Rpc { kLease, kMetrics, kPredictions, kComplete, kRpcs };
const char* kRpcNames[kRpcs] = {"LeaseJob", "ReportMetrics", "ReportPredictions (stream)", "CompleteJob"};

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void Check(const grpc::Status& status, const std::string& what) {
  if (status.ok()) return;
  std::cerr << what << ": " << status.error_message() << std::endl;
  std::exit(1);
}

std::unique_ptr<grpc::ClientContext> Context() { return foldstack::rpc::MakeContext(absl::GetFlag(FLAGS_token)); }

// The coordinator process as /proc sees it: CPU seconds used so far and peak resident memory.
struct ProcessUse {
  double cpu_seconds = 0;
  double peak_rss_mb = 0;
};

ProcessUse ReadProcessUse(int pid) {
  ProcessUse use;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::vector<std::string> fields = absl::StrSplit(text.substr(text.rfind(')') + 2), ' ');
  if (fields.size() > 13) use.cpu_seconds = (std::stod(fields[11]) + std::stod(fields[12])) / sysconf(_SC_CLK_TCK);
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) use.peak_rss_mb = std::stod(line.substr(6)) / 1024.0;
  }
  return use;
}

int64_t FileBytes(const std::string& path) {
  int64_t total = 0;
  struct stat info;
  for (const char* suffix : {"", "-wal"}) {
    if (stat((path + suffix).c_str(), &info) == 0) total += info.st_size;
  }
  return total;
}

int64_t QueryCount(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

std::pair<int64_t, int64_t> Submit(Coordinator::Stub& stub, const std::string& path) {
  std::ifstream in(path);
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  foldstack::v1::SubmitSweepRequest request;
  request.set_file_name(path);
  request.set_yaml(yaml);
  request.set_base_dir(path.substr(0, path.rfind('/')));
  foldstack::v1::SubmitSweepResponse response;
  Check(stub.SubmitSweep(Context().get(), request, &response), "submit " + path);
  return {response.sweep_id(), response.jobs()};
}

// Each fold's held-out OOF batches with made-up probability rows that sum to 1; a job's copy gets
// its ids. Built before the clock starts: the coordinator is measured, not this client.
std::map<int, std::vector<foldstack::v1::PredictionBatch>> HeldOutBatches(Coordinator::Stub& stub, int64_t split_id,
                                                                         int classes) {
  foldstack::v1::GetSplitRequest request;
  request.set_split_id(split_id);
  foldstack::v1::GetSplitResponse split;
  Check(stub.GetSplit(Context().get(), request, &split), "split");
  std::map<int, std::vector<int64_t>> held_out;
  for (const auto& sample : split.samples()) held_out[sample.fold()].push_back(sample.sample_id());
  std::map<int, std::vector<foldstack::v1::PredictionBatch>> batches;
  const size_t rows = absl::GetFlag(FLAGS_batch_rows);
  for (const auto& [fold, ids] : held_out) {
    for (size_t i = 0; i < ids.size(); i += rows) {
      foldstack::v1::PredictionBatch batch;
      batch.set_num_classes(classes);
      for (size_t r = i; r < std::min(ids.size(), i + rows); ++r) {
        batch.add_sample_ids(ids[r]);
        const int hot = static_cast<int>(r % classes);
        for (int c = 0; c < classes; ++c) batch.add_probs(c == hot ? 0.66f : 0.34f / (classes - 1));
      }
      batches[fold].push_back(std::move(batch));
    }
  }
  return batches;
}

struct Totals {
  std::mutex mu;
  std::vector<double> latency_ms[kRpcs];
  std::atomic<int64_t> jobs{0}, rows{0}, metric_rows{0};
};

std::string Register(Coordinator::Stub& stub) {
  foldstack::v1::RegisterWorkerRequest hello;
  hello.set_hostname("load-bench");
  hello.set_slots(1);
  hello.set_cpu_cores(1);
  foldstack::v1::RegisterWorkerResponse registered;
  Check(stub.RegisterWorker(Context().get(), hello, &registered), "register");
  return registered.worker_id();
}

// Times `call` into `latency`.
template <typename Call>
void Timed(std::vector<double>& latency, const std::string& what, Call call) {
  const auto start = Clock::now();
  Check(call(), what);
  latency.push_back(MsSince(start));
}

// The job as an agent runs it once its trainer is done: epochs of metrics, the OOF stream, complete.
void ReportJob(Coordinator::Stub& stub, const foldstack::v1::JobSpec& job,
               const std::map<int, std::vector<foldstack::v1::PredictionBatch>>& batches,
               std::vector<double> (&latency)[kRpcs], Totals& totals) {
  for (int epoch = 1; epoch <= absl::GetFlag(FLAGS_epochs); ++epoch) {
    foldstack::v1::ReportMetricsRequest report;
    report.set_job_id(job.job_id());
    report.set_lease_id(job.lease_id());
    for (const char* name : {"train_loss", "val_loss", "val_macro_f1"}) {
      auto* metric = report.add_metrics();
      metric->set_epoch(epoch);
      metric->set_name(name);
      metric->set_value(0.5 + 0.01 * epoch);
    }
    foldstack::v1::ReportMetricsResponse reported;
    Timed(latency[kMetrics], "metrics", [&] { return stub.ReportMetrics(Context().get(), report, &reported); });
    totals.metric_rows += report.metrics_size();
  }
  foldstack::v1::ReportPredictionsResponse stored;
  Timed(latency[kPredictions], "predictions", [&] {
    auto context = Context();
    auto writer = stub.ReportPredictions(context.get(), &stored);
    for (foldstack::v1::PredictionBatch batch : batches.at(job.fold())) {
      batch.set_job_id(job.job_id());
      batch.set_lease_id(job.lease_id());
      writer->Write(batch);
    }
    writer->WritesDone();
    return writer->Finish();
  });
  totals.rows += stored.rows_stored();
  foldstack::v1::CompleteJobRequest complete;
  complete.set_job_id(job.job_id());
  complete.set_lease_id(job.lease_id());
  complete.set_macro_f1(0.6);
  complete.set_accuracy(0.6);
  complete.set_best_epoch(absl::GetFlag(FLAGS_epochs));
  foldstack::v1::CompleteJobResponse done;
  Timed(latency[kComplete], "complete", [&] { return stub.CompleteJob(Context().get(), complete, &done); });
  ++totals.jobs;
}

// One simulated worker: runs `first` when given (leased by main), then leases until nothing is left.
void RunWorker(const std::string& given_worker, const foldstack::v1::JobSpec* first,
               const std::map<int, std::vector<foldstack::v1::PredictionBatch>>& batches, Totals& totals) {
  auto stub = Coordinator::NewStub(foldstack::rpc::MakeChannel(absl::GetFlag(FLAGS_coordinator)));
  const std::string worker = given_worker.empty() ? Register(*stub) : given_worker;
  std::vector<double> latency[kRpcs];
  if (first != nullptr) ReportJob(*stub, *first, batches, latency, totals);
  for (;;) {
    foldstack::v1::LeaseJobRequest lease;
    lease.set_worker_id(worker);
    foldstack::v1::LeaseJobResponse leased;
    Timed(latency[kLease], "lease", [&] { return stub->LeaseJob(Context().get(), lease, &leased); });
    if (!leased.leased()) break;
    ReportJob(*stub, leased.job(), batches, latency, totals);
  }
  std::lock_guard<std::mutex> lock(totals.mu);
  for (int r = 0; r < kRpcs; ++r) {
    totals.latency_ms[r].insert(totals.latency_ms[r].end(), latency[r].begin(), latency[r].end());
  }
}

double Percentile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  const size_t at = std::min(values.size() - 1, static_cast<size_t>(q * values.size()));
  std::nth_element(values.begin(), values.begin() + at, values.end());
  return values[at];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto stub = Coordinator::NewStub(foldstack::rpc::MakeChannel(absl::GetFlag(FLAGS_coordinator)));
  auto [sweep_id, jobs] = Submit(*stub, absl::GetFlag(FLAGS_sweep));
  // The first job tells the split (one for the whole sweep); its worker is simulated worker 0.
  const std::string first_worker = Register(*stub);
  foldstack::v1::LeaseJobRequest lease;
  lease.set_worker_id(first_worker);
  foldstack::v1::LeaseJobResponse first;
  Check(stub->LeaseJob(Context().get(), lease, &first), "lease");
  const int classes = first.job().num_classes();
  const auto batches = HeldOutBatches(*stub, first.job().split_id(), classes);
  std::cout << "sweep " << sweep_id << ": " << jobs << " jobs, " << absl::GetFlag(FLAGS_workers) << " workers, "
            << absl::GetFlag(FLAGS_epochs) << " epochs each, " << batches.begin()->second.size()
            << " batches per fold" << std::endl;

  const int pid = absl::GetFlag(FLAGS_coordinator_pid);
  const ProcessUse before = ReadProcessUse(pid);
  Totals totals;
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  workers.emplace_back([&] { RunWorker(first_worker, &first.job(), batches, totals); });
  for (int w = 1; w < absl::GetFlag(FLAGS_workers); ++w) workers.emplace_back([&] { RunWorker("", nullptr, batches, totals); });
  for (auto& worker : workers) worker.join();
  const double seconds = MsSince(start) / 1000;
  const ProcessUse after = ReadProcessUse(pid);

  std::cout << absl::StrFormat("%d jobs in %.1f s: %.1f jobs/s, %.2f million OOF values/s\n", totals.jobs.load(),
                               seconds, totals.jobs / seconds, totals.rows * classes / seconds / 1e6);
  std::cout << "| RPC | calls | p50 ms | p99 ms |\n|---|---|---|---|\n";
  for (int r = 0; r < kRpcs; ++r) {
    std::cout << absl::StrFormat("| %s | %d | %.2f | %.2f |\n", kRpcNames[r], totals.latency_ms[r].size(),
                                 Percentile(totals.latency_ms[r], 0.50), Percentile(totals.latency_ms[r], 0.99));
  }
  std::cout << absl::StrFormat("coordinator: %.0f CPU s (%.0f%% of one core over the run), peak RSS %.0f MB\n",
                               after.cpu_seconds - before.cpu_seconds,
                               100 * (after.cpu_seconds - before.cpu_seconds) / seconds, after.peak_rss_mb);
  const std::string db = absl::GetFlag(FLAGS_db);
  std::cout << absl::StrFormat("database: %.0f MB for %.1f million OOF values\n", FileBytes(db) / 1e6,
                               totals.rows * classes / 1e6);
  // Nothing lost: what was acknowledged is what SQLite holds.
  const int64_t done = QueryCount(db, absl::StrFormat("SELECT COUNT(*) FROM jobs WHERE sweep_id = %d AND state = 'done'", sweep_id));
  const int64_t metric_rows = QueryCount(db, absl::StrFormat(
      "SELECT COUNT(*) FROM metrics WHERE job_id IN (SELECT id FROM jobs WHERE sweep_id = %d)", sweep_id));
  const bool whole = totals.jobs == jobs && done == jobs && metric_rows == totals.metric_rows;
  std::cout << absl::StrFormat("nothing lost: %s (jobs done %d of %d; rows acknowledged %d; metric rows %d of %d)\n",
                               whole ? "yes" : "NO", done, jobs, totals.rows.load(), metric_rows,
                               totals.metric_rows.load());
  return whole ? 0 : 1;
}
