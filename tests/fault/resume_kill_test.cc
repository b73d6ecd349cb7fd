// kill -9 a worker at epoch 2 of 4: the job is leased again on a worker with an empty work_dir,
// which fetches the epoch-2 checkpoint from the coordinator's artifact store and resumes. On CPU it
// ends bitwise where an uninterrupted run of the same job ends: the same epoch 3-4 metrics, the
// same out-of-fold probabilities and the same best checkpoint tensors. Then, with every training
// worker's disk gone, a new worker predicts the trial from the checkpoints in the store.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/cluster.h"
#include "tests/testing/results_db.h"

namespace foldstack::testing {
namespace {

constexpr char kSweep[] = R"(method: grid
dataset: {kind: mask, root: data}
folds: {k: 2, seed: 2}
parameters:
  model: {value: resnet18}
  optimizer: {value: adam}
  lr: {value: 0.002}
  epochs: {value: 4}
  batch_size: {value: 16}
  image_size: {value: 32}
  drop_rate: {value: 0.2}
  mixup: {value: 0.2}
)";

// The job of `sweep` on `fold`.
std::string JobOf(const std::string& db, int64_t sweep, int fold) {
  return Query(db, absl::StrCat("SELECT id FROM jobs WHERE sweep_id = ", sweep, " AND fold = ", fold))[0][0];
}

std::vector<std::vector<std::string>> Epochs(const std::string& db, const std::string& job, int from) {
  return Query(db, absl::StrCat("SELECT epoch, name, printf('%.17g', value) FROM metrics WHERE job_id = ", job,
                                " AND epoch >= ", from, " AND name != 'seconds' ORDER BY epoch, name"));
}

struct Safetensors {
  nlohmann::json header;  // without __metadata__.job_id
  std::string data;
};

// Artifact `id` fetched with `foldstack artifacts get`, split into its header and tensor bytes.
absl::StatusOr<Safetensors> FetchSafetensors(const Cluster& cluster, const std::string& id) {
  const std::string out = absl::StrCat(cluster.dir(), "/artifact-", id, ".safetensors");
  CommandResult got = cluster.Cli({"artifacts", "get", id, "--out", out});
  if (got.exit_code != 0) return absl::InternalError(got.err);
  std::ifstream in(out, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t n = 0;
  if (bytes.size() < 8) return absl::DataLossError(out + " is shorter than a safetensors header");
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  if (8 + n > bytes.size()) return absl::DataLossError(out + ": header length past the end");
  Safetensors file{nlohmann::json::parse(bytes.substr(8, n), nullptr, false), bytes.substr(8 + n)};
  if (file.header.is_discarded()) return absl::DataLossError(out + ": header is not JSON");
  file.header["__metadata__"].erase("job_id");
  return file;
}

TEST(ResumeKill, AJobResumedElsewhereEndsBitwiseAsAnUninterruptedOne) {
  const std::string dir = MakeTempDir("resume_kill");
  CommandResult synth = RunCommand({BinaryPath("cli/foldstack"), "data", "synth", "--out", dir + "/data", "--people",
                                    "12", "--seed", "4", "--width", "48", "--height", "64", "--eval_people", "2"});
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Cluster cluster(dir);
  ASSERT_TRUE(cluster.StartCoordinator(/*lease_ttl_ms=*/2000, /*heartbeat_ms=*/300).ok());
  // The same thread count everywhere: bitwise equality on CPU holds for the same threads.
  absl::StatusOr<int> doomed = cluster.StartWorker({"--threads", "1", "--work_dir", dir + "/doomed"});
  ASSERT_TRUE(doomed.ok());
  std::ofstream(dir + "/interrupted.yaml") << kSweep;
  absl::StatusOr<int64_t> interrupted = cluster.SubmitSweep(dir + "/interrupted.yaml");
  ASSERT_TRUE(interrupted.ok()) << interrupted.status();
  const std::string db = cluster.db_path();

  // Kill the worker once fold 0 has stored its epoch-2 checkpoint and reported epoch 2.
  const std::string victim = JobOf(db, *interrupted, 0);
  bool at_epoch_2 = false;
  for (int i = 0; i < 1800 && !at_epoch_2; ++i) {
    at_epoch_2 = QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM artifacts WHERE job_id = ", victim,
                                              " AND kind = 'resume_checkpoint' AND epoch = 2")) == 1 &&
                 QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM metrics WHERE job_id = ", victim,
                                              " AND epoch = 2")) > 0;
    if (!at_epoch_2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(at_epoch_2) << "job " << victim << " never reached epoch 2";
  cluster.KillWorker(*doomed, SIGKILL);
  ASSERT_EQ(QueryNumber(db, absl::StrCat("SELECT COUNT(*) FROM metrics WHERE job_id = ", victim, " AND epoch > 2")), 0)
      << "the worker was killed too late";
  // A fresh worker with an empty work_dir: the checkpoint can only come from the store.
  absl::StatusOr<int> fresh = cluster.StartWorker({"--threads", "1", "--work_dir", dir + "/fresh"});
  ASSERT_TRUE(fresh.ok());
  absl::StatusOr<nlohmann::json> first = cluster.WaitForSweep(*interrupted, 900);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ((*first)["summary"]["state"], "SWEEP_STATE_DONE") << first->dump();
  EXPECT_EQ(QueryNumber(db, absl::StrCat("SELECT attempt FROM jobs WHERE id = ", victim)), 2);
  // It resumed (a run afresh would end the same on CPU): the trainer said so in the job's log.
  std::ifstream log(absl::StrCat(dir, "/fresh/job-", victim, "-a2/job.log"));
  const std::string log_text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(log_text.find(absl::StrCat("resume-from-epoch-2.ckpt after epoch 2")), std::string::npos) << log_text;

  // The same job again, uninterrupted.
  std::ofstream(dir + "/uninterrupted.yaml") << kSweep;
  absl::StatusOr<int64_t> uninterrupted = cluster.SubmitSweep(dir + "/uninterrupted.yaml");
  ASSERT_TRUE(uninterrupted.ok()) << uninterrupted.status();
  absl::StatusOr<nlohmann::json> second = cluster.WaitForSweep(*uninterrupted, 900);
  ASSERT_TRUE(second.ok()) << second.status();
  const std::string twin = JobOf(db, *uninterrupted, 0);

  const auto resumed_epochs = Epochs(db, victim, 3);
  ASSERT_FALSE(resumed_epochs.empty());
  EXPECT_EQ(resumed_epochs, Epochs(db, twin, 3));
  EXPECT_EQ(Epochs(db, victim, 1), Epochs(db, twin, 1));  // epochs 1-2 are the killed attempt's
  const std::string oof = "SELECT sample_id, probs FROM predictions WHERE job_id = ";
  const auto resumed_oof = Query(db, oof + victim + " ORDER BY sample_id");
  ASSERT_FALSE(resumed_oof.empty());
  EXPECT_EQ(resumed_oof, Query(db, oof + twin + " ORDER BY sample_id"));
  // The best checkpoints, as `foldstack artifacts get` gives them: the same tensors, byte for byte,
  // and the same header but for the job id in its metadata.
  const std::string best = "SELECT id FROM artifacts WHERE kind = 'best_checkpoint' AND job_id = ";
  ASSERT_EQ(Query(db, best + victim).size(), 1u);
  ASSERT_EQ(Query(db, best + twin).size(), 1u);
  const absl::StatusOr<Safetensors> resumed = FetchSafetensors(cluster, Query(db, best + victim)[0][0]);
  const absl::StatusOr<Safetensors> whole = FetchSafetensors(cluster, Query(db, best + twin)[0][0]);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(resumed->header, whole->header);
  EXPECT_TRUE(resumed->data == whole->data) << "the best checkpoints' tensors differ";

  // Every worker that trained is gone with its disk: a new worker predicts from the store.
  cluster.KillWorker(*fresh, SIGKILL);
  std::filesystem::remove_all(dir + "/doomed");
  std::filesystem::remove_all(dir + "/fresh");
  ASSERT_TRUE(cluster.StartWorker({"--threads", "1", "--work_dir", dir + "/new"}).ok());
  const std::string trial = Query(db, "SELECT trial_id FROM jobs WHERE id = " + victim)[0][0];
  CommandResult predicted = cluster.Cli({"predict", "--trial", trial, "--eval", dir + "/data", "--out",
                                         dir + "/submission.csv", "--wait"});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err << predicted.out;
  EXPECT_NE(predicted.out.find("done: 2/2 fold models done"), std::string::npos) << predicted.out;
  EXPECT_TRUE(std::filesystem::exists(absl::StrCat(dir, "/new/train-job-", victim, "/best.safetensors")));
}

}  // namespace
}  // namespace foldstack::testing
