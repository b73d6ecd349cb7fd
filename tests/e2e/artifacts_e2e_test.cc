// The artifact store on real parts: the coordinator binary with its SQLite file and artifacts
// folder, the foldstack CLI, and this test as the worker (it leases the jobs over gRPC and uploads
// each one's best checkpoint with worker/agent/artifact_client, as the agent does).
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "coordinator/store/test_util.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"
#include "tests/testing/cluster.h"
#include "worker/agent/artifact_client.h"

namespace foldstack::testing {
namespace {

constexpr char kSweep[] = R"(name: keep-best
method: grid
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 4, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  lr: {values: [0.1, 0.01]}
  epochs: {value: 1}
)";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ArtifactsEndToEnd, ListGetAndPruneThroughTheCli) {
  const std::string dir = MakeTempDir("artifacts_e2e");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data", "--people",
                                    "12", "--seed", "3", "--width", "32", "--height", "32", "--eval_people", "0"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/30000, /*heartbeat_ms=*/1000).ok());
  std::ofstream(dir + "/sweep.yaml") << kSweep;
  ASSERT_TRUE(cluster.SubmitSweep(dir + "/sweep.yaml").ok());

  // The worker: four jobs, each with its checkpoint uploaded before it completes.
  auto stub = v1::Coordinator::NewStub(rpc::MakeChannel(cluster.address()));
  v1::RegisterWorkerRequest hello;
  hello.set_hostname("e2e");
  hello.set_slots(4);
  hello.set_cpu_cores(4);
  v1::RegisterWorkerResponse registered;
  ASSERT_TRUE(stub->RegisterWorker(rpc::MakeContext(cluster.token()).get(), hello, &registered).ok());
  std::map<int64_t, std::string> checkpoint;  // by artifact id
  std::map<int64_t, int64_t> trial_of;        // by artifact id
  for (int i = 0; i < 4; ++i) {
    v1::LeaseJobRequest lease;
    lease.set_worker_id(registered.worker_id());
    v1::LeaseJobResponse leased;
    ASSERT_TRUE(stub->LeaseJob(rpc::MakeContext(cluster.token()).get(), lease, &leased).ok());
    ASSERT_TRUE(leased.leased()) << i;
    const v1::JobSpec& job = leased.job();
    const std::string path = dir + "/work/job-" + std::to_string(job.job_id()) + "/best.safetensors";
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << "weights of job " << job.job_id() << std::string(4096, 'w');
    worker::ArtifactHeaderFields fields;
    fields.job_id = job.job_id();
    fields.lease_id = job.lease_id();
    fields.kind = v1::ARTIFACT_KIND_BEST_CHECKPOINT;
    absl::StatusOr<worker::UploadResult> uploaded = worker::UploadArtifact(*stub, cluster.token(), fields, path);
    ASSERT_TRUE(uploaded.ok()) << uploaded.status();
    checkpoint[uploaded->artifact_id] = ReadText(path);
    trial_of[uploaded->artifact_id] = job.trial_id();
    v1::CompleteJobRequest complete;
    complete.set_job_id(job.job_id());
    complete.set_lease_id(job.lease_id());
    complete.set_macro_f1(job.trial_id() == 1 ? 0.9 : 0.4);  // trial 1 ranks first
    complete.set_checkpoint_path(path);
    v1::CompleteJobResponse done;
    ASSERT_TRUE(stub->CompleteJob(rpc::MakeContext(cluster.token()).get(), complete, &done).ok());
  }
  std::filesystem::remove_all(dir + "/work");  // the worker's disk is gone; the store has the files

  CommandResult listed = cluster.Cli({"artifacts", "list", "keep-best"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("4 artifacts"), std::string::npos) << listed.out;
  absl::StatusOr<nlohmann::json> by_trial = cluster.CliJson({"artifacts", "list", "--trial", "2"});
  ASSERT_TRUE(by_trial.ok()) << by_trial.status();
  EXPECT_EQ((*by_trial)["artifacts"].size(), 2u) << by_trial->dump();

  const int64_t some_id = checkpoint.begin()->first;
  CommandResult got = cluster.Cli({"artifacts", "get", std::to_string(some_id), "--out", dir + "/fetched.safetensors"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("verified"), std::string::npos) << got.out;
  EXPECT_EQ(ReadText(dir + "/fetched.safetensors"), checkpoint.begin()->second);

  CommandResult dry = cluster.Cli({"artifacts", "prune", "keep-best", "--keep-top", "1", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would delete 2 checkpoints"), std::string::npos) << dry.out;
  EXPECT_EQ(coordinator::testing::CountFilesUnder(dir + "/artifacts"), 4);
  CommandResult pruned = cluster.Cli({"artifacts", "prune", "keep-best", "--keep-top", "1"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("deleted 2 checkpoints"), std::string::npos) << pruned.out;
  EXPECT_EQ(coordinator::testing::CountFilesUnder(dir + "/artifacts"), 2);
  absl::StatusOr<nlohmann::json> left = cluster.CliJson({"artifacts", "list", "keep-best"});
  ASSERT_TRUE(left.ok()) << left.status();
  for (const auto& row : (*left)["artifacts"]) EXPECT_EQ(row["trial_id"], "1") << left->dump();

  CommandResult bad = cluster.Cli({"artifacts", "get", std::to_string(some_id)});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "foldstack: artifacts get: --out FILE is required, e.g. foldstack artifacts get 12 --out "
                     "best.safetensors\n");
}

}  // namespace
}  // namespace foldstack::testing
