// Artifact upload throughput over loopback, next to cp of the same file on the same disk.
// A real coordinator process (tests/bench/run_artifact_bench.sh starts it) holds the leases: the
// bench submits a sweep, leases `reps` jobs as a worker and uploads a random file once per job as
// its BEST checkpoint with worker/agent/artifact_client, as a worker does: one pass over the file,
// hashed while sent (the sha256 goes in the last chunk); the coordinator hashes, writes, fsyncs,
// renames and records a row before it answers.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/sha256.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"
#include "tests/bench/bench_output.h"
#include "worker/agent/artifact_client.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051", "coordinator address");
ABSL_FLAG(std::string, token, "", "access token");
ABSL_FLAG(std::string, sweep, "", "sweep file with at least `reps` jobs (leased to hold the uploads' leases)");
ABSL_FLAG(std::string, dir, "", "scratch folder on the artifacts folder's disk (the file and cp's copies)");
ABSL_FLAG(int, size_mb, 256, "file size in MiB");
ABSL_FLAG(int, reps, 3, "runs of each side; the median is reported");
ABSL_FLAG(int, chunk_kb, 1024, "upload chunk size in KiB");

namespace {

using foldstack::v1::Coordinator;

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

absl::Status Rpc(const grpc::Status& status, const std::string& what) {
  return status.ok() ? absl::OkStatus() : absl::InternalError(absl::StrCat(what, ": ", status.error_message()));
}

// Leases `n` jobs as one worker with `n` slots.
absl::StatusOr<std::vector<foldstack::v1::JobSpec>> LeaseJobs(Coordinator::Stub& stub, const std::string& token,
                                                             int n) {
  const std::string path = absl::GetFlag(FLAGS_sweep);
  std::ifstream in(path);
  foldstack::v1::SubmitSweepRequest submit;
  submit.set_file_name(path);
  submit.set_yaml(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  submit.set_base_dir(path.substr(0, path.rfind('/')));
  foldstack::v1::SubmitSweepResponse submitted;
  absl::Status status = Rpc(stub.SubmitSweep(foldstack::rpc::MakeContext(token).get(), submit, &submitted), "submit");
  if (!status.ok()) return status;
  foldstack::v1::RegisterWorkerRequest hello;
  hello.set_hostname("artifact-bench");
  hello.set_cpu_cores(n);
  hello.set_slots(n);
  foldstack::v1::RegisterWorkerResponse registered;
  status = Rpc(stub.RegisterWorker(foldstack::rpc::MakeContext(token).get(), hello, &registered), "register");
  if (!status.ok()) return status;
  std::vector<foldstack::v1::JobSpec> jobs;
  while (static_cast<int>(jobs.size()) < n) {
    foldstack::v1::LeaseJobRequest request;
    request.set_worker_id(registered.worker_id());
    foldstack::v1::LeaseJobResponse leased;
    status = Rpc(stub.LeaseJob(foldstack::rpc::MakeContext(token).get(), request, &leased), "lease");
    if (!status.ok()) return status;
    if (!leased.leased()) return absl::FailedPreconditionError(absl::StrCat("only ", jobs.size(), " jobs to lease"));
    jobs.push_back(leased.job());
  }
  return jobs;
}

// Wall time of a shell command; an error when it fails.
absl::StatusOr<double> TimeCommand(const std::string& command) {
  const auto start = std::chrono::steady_clock::now();
  if (std::system(command.c_str()) != 0) return absl::InternalError(absl::StrCat("failed: ", command));
  return Seconds(start);
}

absl::Status Run() {
  const std::string token = absl::GetFlag(FLAGS_token), dir = absl::GetFlag(FLAGS_dir);
  const int reps = absl::GetFlag(FLAGS_reps);
  const int64_t bytes = int64_t{absl::GetFlag(FLAGS_size_mb)} << 20;
  if (dir.empty() || absl::GetFlag(FLAGS_sweep).empty()) return absl::InvalidArgumentError("--dir and --sweep are required");
  auto stub = Coordinator::NewStub(foldstack::rpc::MakeChannel(absl::GetFlag(FLAGS_coordinator)));
  absl::StatusOr<std::vector<foldstack::v1::JobSpec>> jobs = LeaseJobs(*stub, token, reps);
  if (!jobs.ok()) return jobs.status();

  const std::string file = dir + "/best.safetensors";
  {
    std::mt19937_64 gen(7);
    std::vector<uint64_t> block(1 << 17);  // 1 MiB
    std::ofstream out(file, std::ios::binary);
    for (int64_t written = 0; written < bytes; written += 1 << 20) {
      for (uint64_t& v : block) v = gen();
      out.write(reinterpret_cast<const char*>(block.data()), 1 << 20);
    }
  }
  const double mb = static_cast<double>(bytes) / 1e6;
  std::vector<double> upload, hash, cp, cp_sync, cp_sha;
  for (int i = 0; i < reps; ++i) {
    const foldstack::v1::JobSpec& job = (*jobs)[i];
    foldstack::worker::ArtifactHeaderFields fields;
    fields.job_id = job.job_id();
    fields.lease_id = job.lease_id();
    fields.kind = foldstack::v1::ARTIFACT_KIND_BEST_CHECKPOINT;
    auto start = std::chrono::steady_clock::now();
    absl::StatusOr<foldstack::worker::UploadResult> result = foldstack::worker::UploadArtifact(
        *stub, token, fields, file, static_cast<size_t>(absl::GetFlag(FLAGS_chunk_kb)) << 10);
    if (!result.ok()) return result.status();
    if (result->already_stored) return absl::InternalError("upload was deduplicated; expected a new artifact");
    upload.push_back(Seconds(start));

    start = std::chrono::steady_clock::now();
    if (!foldstack::common::Sha256OfFile(file).ok()) return absl::InternalError("sha256 of the file");
    hash.push_back(Seconds(start));

    // Every copy is kept until the end, as the uploads' files are: each side writes fresh pages.
    const std::string copy = absl::StrCat(dir, "/copy-", i);
    absl::StatusOr<double> t = TimeCommand(absl::StrCat("cp ", file, " ", copy));
    if (!t.ok()) return t.status();
    cp.push_back(*t);
    t = TimeCommand(absl::StrCat("cp ", file, " ", copy, ".synced && sync ", copy, ".synced"));
    if (!t.ok()) return t.status();
    cp_sync.push_back(*t);
    t = TimeCommand(absl::StrCat("cp ", file, " ", copy, ".hashed && sha256sum ", copy, ".hashed >/dev/null"));
    if (!t.ok()) return t.status();
    cp_sha.push_back(*t);
  }
  for (int i = 0; i < reps; ++i) {
    for (const char* suffix : {"", ".synced", ".hashed"}) std::remove(absl::StrCat(dir, "/copy-", i, suffix).c_str());
  }
  std::cout << absl::StrFormat("artifact bench: %d MiB random file, %d runs each, median (MB = 10^6 bytes); "
                               "chunks of %d KiB\n",
                               absl::GetFlag(FLAGS_size_mb), reps, absl::GetFlag(FLAGS_chunk_kb));
  std::cout << absl::StrFormat("%-52s %8s %10s\n", "side", "seconds", "MB/s");
  auto row = [&](const std::string& side, const std::vector<double>& times) {
    std::cout << absl::StrFormat("%-52s %8.3f %10.0f\n", side, Median(times), mb / Median(times));
  };
  row("foldstack upload (sha256 while sending, verify, fsync)", upload);
  row("sha256 of the file alone (common::Sha256OfFile)", hash);
  row("cp", cp);
  row("cp + sync", cp_sync);
  row("cp + sha256sum of the copy", cp_sha);
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) { return foldstack::bench::ParseFlagsAndRun(argc, argv, Run); }
