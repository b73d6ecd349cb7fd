// A year of results: fills a real coordinator's database with S sweeps of T trials each (over RPC,
// as team leads submit them) and, at a few sizes along the way, measures the calls people make
// all day - list the newest sweeps, show a sweep, its leaderboard - p50 / p99 over repeated calls.
// The reference sweep (the first) has every job done, so its leaderboard ranks T trials. The
// figures should stay flat as the database grows: indexes and pagination.
// Run: tests/bench/run_catalog_bench.sh
#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051", "coordinator address");
ABSL_FLAG(std::string, token, "", "access token");
ABSL_FLAG(std::string, dataset_root, "/usr/share/datasets/fashion-mnist", "a Fashion-MNIST root");
ABSL_FLAG(int, sweeps, 1000, "sweeps to fill in");
ABSL_FLAG(int, trials, 100, "trials per sweep (2 folds each)");
ABSL_FLAG(std::string, sizes, "10,100,1000", "sweep counts at which to measure");
ABSL_FLAG(int, calls, 100, "calls per measurement");

namespace {

using Clock = std::chrono::steady_clock;
using foldstack::v1::Coordinator;

void Check(const grpc::Status& status, const std::string& what) {
  if (status.ok()) return;
  std::cerr << what << ": " << status.error_message() << std::endl;
  std::exit(1);
}

std::unique_ptr<grpc::ClientContext> Context() { return foldstack::rpc::MakeContext(absl::GetFlag(FLAGS_token)); }

int64_t Submit(Coordinator::Stub& stub, int index) {
  std::string values;
  for (int t = 0; t < absl::GetFlag(FLAGS_trials); ++t) absl::StrAppend(&values, t == 0 ? "" : ", ", 1e-4 * (t + 1));
  foldstack::v1::SubmitSweepRequest request;
  request.set_file_name(absl::StrCat("sweep", index, ".yaml"));
  request.set_yaml(absl::StrCat("name: sweep-", index, "\nmethod: grid\ndataset: {kind: fashion_mnist, root: ",
                                absl::GetFlag(FLAGS_dataset_root), ", max_samples: 400}\n",
                                "folds: {k: 2, seed: 0, group_by: none}\nparameters:\n  lr: {values: [", values, "]}\n"));
  request.set_base_dir("/");
  foldstack::v1::SubmitSweepResponse response;
  Check(stub.SubmitSweep(Context().get(), request, &response), "submit");
  return response.sweep_id();
}

// Leases and completes every queued job (only the reference sweep's are queued when this runs).
void FinishQueuedJobs(Coordinator::Stub& stub) {
  foldstack::v1::RegisterWorkerRequest hello;
  hello.set_hostname("catalog-bench");
  hello.set_slots(1);
  foldstack::v1::RegisterWorkerResponse worker;
  Check(stub.RegisterWorker(Context().get(), hello, &worker), "register");
  std::mt19937 random(1);
  for (;;) {
    foldstack::v1::LeaseJobRequest lease;
    lease.set_worker_id(worker.worker_id());
    foldstack::v1::LeaseJobResponse leased;
    Check(stub.LeaseJob(Context().get(), lease, &leased), "lease");
    if (!leased.leased()) return;
    foldstack::v1::CompleteJobRequest complete;
    complete.set_job_id(leased.job().job_id());
    complete.set_lease_id(leased.job().lease_id());
    complete.set_macro_f1(std::uniform_real_distribution<double>(0.3, 0.9)(random));
    complete.set_accuracy(0.5);
    complete.set_best_epoch(1);
    foldstack::v1::CompleteJobResponse done;
    Check(stub.CompleteJob(Context().get(), complete, &done), "complete");
  }
}

// p50 and p99 in ms of `calls` runs of `call`.
template <typename Call>
std::pair<double, double> Measure(Call call) {
  std::vector<double> ms;
  for (int i = 0; i < absl::GetFlag(FLAGS_calls); ++i) {
    const auto start = Clock::now();
    call(i);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

void MeasureAt(Coordinator::Stub& stub, int64_t reference, int64_t newest) {
  auto list = Measure([&](int) {
    foldstack::v1::ListSweepsRequest request;
    request.set_page_size(50);
    foldstack::v1::ListSweepsResponse response;
    Check(stub.ListSweeps(Context().get(), request, &response), "list");
  });
  std::mt19937 random(7);
  auto show = Measure([&](int) {
    foldstack::v1::ShowSweepRequest request;
    request.set_sweep_id(std::uniform_int_distribution<int64_t>(reference, newest)(random));
    foldstack::v1::ShowSweepResponse response;
    Check(stub.ShowSweep(Context().get(), request, &response), "show");
  });
  auto board = Measure([&](int) {
    foldstack::v1::LeaderboardRequest request;
    request.set_sweep_id(reference);
    foldstack::v1::LeaderboardResponse response;
    Check(stub.Leaderboard(Context().get(), request, &response), "leaderboard");
  });
  std::cout << absl::StrFormat("| %d | %d | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f |\n", newest - reference + 1,
                               (newest - reference + 1) * absl::GetFlag(FLAGS_trials), list.first, list.second,
                               show.first, show.second, board.first, board.second);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto stub = Coordinator::NewStub(foldstack::rpc::MakeChannel(absl::GetFlag(FLAGS_coordinator)));
  std::vector<int> sizes;
  for (absl::string_view size : absl::StrSplit(absl::GetFlag(FLAGS_sizes), ',')) sizes.push_back(std::stoi(std::string(size)));
  const int64_t reference = Submit(*stub, 0);
  FinishQueuedJobs(*stub);
  std::cout << "| sweeps | trials | list newest 50: p50 / p99 ms | show a sweep | leaderboard (" << absl::GetFlag(FLAGS_trials)
            << " trials) |\n|---|---|---|---|---|\n";
  int64_t newest = reference;
  const auto start = Clock::now();
  for (int index = 1; index < absl::GetFlag(FLAGS_sweeps); ++index) {
    newest = Submit(*stub, index);
    if (std::find(sizes.begin(), sizes.end(), index + 1) != sizes.end()) MeasureAt(*stub, reference, newest);
  }
  std::cout << absl::StrFormat("filled %d sweeps in %.0f s\n", absl::GetFlag(FLAGS_sweeps),
                               std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}
