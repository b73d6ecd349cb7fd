// TLS on real parts: the coordinator serves a certificate made with openssl (as the README shows), a
// worker and the CLI that trust its CA run a sweep through it, and clients that do not trust it, or
// speak plaintext, are refused. A coordinator listening beyond loopback in plaintext warns.
#include <csignal>
#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"
#include "tests/testing/test_certificates.h"
#include "worker/agent/child_process.h"

namespace foldstack::testing {
namespace {

constexpr char kSweep[] = R"(name: over-tls
method: grid
resume: false  # per-epoch resumable checkpoints: tests/fault/resume_kill_test
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 4, group_by: person, stratify: true}
parameters:
  model: {value: resnet18}
  lr: {value: 0.01}
  epochs: {value: 1}
  image_size: {value: 32}
)";

class TlsEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("tls_e2e");
    auto made = MakeTestCertificates(dir_, "cluster");
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = *made;
    cluster_ = std::make_unique<Cluster>(dir_);
    cluster_->UseTls(certs_.cert, certs_.key, certs_.ca);
    ASSERT_TRUE(cluster_->StartCoordinator(/*lease_ttl_ms=*/30000, /*heartbeat_ms=*/1000).ok());
  }

  // `foldstack sweep list` with the given extra flags, as a user without the cluster's settings runs it.
  CommandResult ListSweeps(const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {BinaryPath("cli/foldstack"), "sweep", "list",
                                     "--coordinator=" + cluster_->address(), "--token=" + cluster_->token()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return RunCommand(argv);
  }

  std::string dir_;
  TestCertificates certs_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(TlsEndToEnd, WorkerAndCliTrustingTheCaRunASweep) {
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir_ + "/data", "--people",
                                    "12", "--seed", "3", "--width", "32", "--height", "32", "--eval_people", "0"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  std::ofstream(dir_ + "/sweep.yaml") << kSweep;
  absl::StatusOr<int64_t> sweep_id = cluster_->SubmitSweep(dir_ + "/sweep.yaml");
  ASSERT_TRUE(sweep_id.ok()) << sweep_id.status();
  ASSERT_TRUE(cluster_->StartWorker().ok());

  absl::StatusOr<nlohmann::json> shown = cluster_->WaitForSweep(*sweep_id, 300);
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ((*shown)["summary"]["state"], "SWEEP_STATE_DONE") << shown->dump();
  // Every sample's OOF row and both fold checkpoints came over the encrypted channel.
  EXPECT_EQ(QueryNumber(cluster_->db_path(), "SELECT COUNT(*) FROM v_oof_predictions"), 12 * 7);
  absl::StatusOr<nlohmann::json> artifacts = cluster_->CliJson({"artifacts", "list", "over-tls"});
  ASSERT_TRUE(artifacts.ok()) << artifacts.status();
  int best = 0;
  for (const auto& row : (*artifacts)["artifacts"]) best += absl::StrContains(row.dump(), "BEST") ? 1 : 0;
  EXPECT_EQ(best, 2) << artifacts->dump();
}

TEST_F(TlsEndToEnd, ClientsThatDoNotTrustTheCertificateAreRefused) {
  EXPECT_EQ(ListSweeps({"--tls_ca=" + certs_.ca}).exit_code, 0);

  CommandResult plaintext = ListSweeps({});
  EXPECT_EQ(plaintext.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(plaintext.err, "cannot reach the coordinator at")) << plaintext.err;

  auto other = MakeTestCertificates(dir_, "other");
  ASSERT_TRUE(other.ok()) << other.status();
  CommandResult wrong_ca = ListSweeps({"--tls_ca=" + other->ca});
  EXPECT_EQ(wrong_ca.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(wrong_ca.err, "cannot reach the coordinator at")) << wrong_ca.err;

  CommandResult missing_ca = ListSweeps({"--tls_ca=" + dir_ + "/nope.pem"});
  EXPECT_EQ(missing_ca.exit_code, 1);
  EXPECT_EQ(missing_ca.err, "foldstack: --tls_ca " + dir_ + "/nope.pem: cannot read the file\n");
}

TEST(TlsFlags, HalfAConfigurationIsRefusedAndPlaintextBeyondLoopbackWarns) {
  const std::string dir = MakeTempDir("tls_flags");
  std::ofstream(dir + "/tokens") << "t0k3n\n";
  const std::string coordinator = BinaryPath("coordinator/foldstack-coordinator");
  CommandResult half = RunCommand({coordinator, "--listen=127.0.0.1:0", "--db=" + dir + "/a.db",
                                   "--tokens=" + dir + "/tokens", "--tls_cert=" + dir + "/cert.pem"});
  EXPECT_NE(half.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(half.err, "--tls_cert and --tls_key go together")) << half.err;

  absl::StatusOr<worker::ChildProcess> open = worker::ChildProcess::Spawn(
      {coordinator, "--listen=0.0.0.0:0", "--db=" + dir + "/b.db", "--tokens=" + dir + "/tokens"});
  ASSERT_TRUE(open.ok()) << open.status();
  std::string first_err_line;
  std::string first_out_line;
  worker::ForEachLine(open->stdout_fd(), [&](const std::string& line) {
    if (first_out_line.empty()) first_out_line = line;
    if (first_out_line.empty()) return;
    open->Signal(SIGTERM);  // it is serving: enough
  });
  worker::ForEachLine(open->stderr_fd(), [&](const std::string& line) {
    if (first_err_line.empty()) first_err_line = line;
  });
  open->Wait();
  EXPECT_TRUE(absl::StrContains(first_out_line, "listening on 0.0.0.0:")) << first_out_line;
  EXPECT_TRUE(absl::StrContains(first_err_line, "warning: serving 0.0.0.0:0 in plaintext")) << first_err_line;
}

}  // namespace
}  // namespace foldstack::testing
