// Resuming through the real binary: a job killed (SIGKILL) right after it reported epoch 2 of
// 4 and resumed from its resume.ckpt in a fresh out_dir ends exactly as the uninterrupted job:
// the same epoch 3 and 4 metrics, the same predictions, the same done event (but its wall
// time) and a byte-identical best.safetensors. The recipe draws from every random stream the
// trainer has (dropout and drop path from torch's generator, augmentation, mixup/cutmix, the
// sampler) and changes phase after the kill (MADGRAD, cosine with warm-up, then an SGD
// finetune epoch from the best weights).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "worker/trainer/testing/synth_mask.h"

namespace foldstack::trainer {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr char kTrainer[] = "worker/trainer/foldstack-train";

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return (fs::path(dir ? dir : "/tmp") / name).string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct TrainerRun {
  std::vector<std::string> lines;  // stdout
  int status = 0;                  // waitpid's
  std::string stderr_text;
};

// Runs the trainer on `job` (written to <out_dir>.json); with `kill_after_epoch` > 0 it is
// sent SIGKILL as soon as that epoch's event line arrives.
TrainerRun RunTrainer(const json& job, int kill_after_epoch = 0) {
  const std::string out_dir = job["out_dir"];
  const std::string job_path = out_dir + ".json";
  const std::string stderr_path = out_dir + ".stderr";
  std::ofstream(job_path) << job.dump();
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, STDERR_FILENO);
    close(out[0]);
    execl(kTrainer, kTrainer, "--job", job_path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  TrainerRun run;
  std::FILE* stream = fdopen(out[0], "r");
  char* line = nullptr;
  size_t capacity = 0;
  for (ssize_t n; (n = getline(&line, &capacity, stream)) > 0;) {
    run.lines.emplace_back(line, line[n - 1] == '\n' ? n - 1 : n);
    const json event = json::parse(run.lines.back());
    if (kill_after_epoch > 0 && event["event"] == "epoch" && event["epoch"] == kill_after_epoch) {
      kill(pid, SIGKILL);
      break;
    }
  }
  free(line);
  std::fclose(stream);
  waitpid(pid, &run.status, 0);
  run.stderr_text = ReadAll(stderr_path);
  return run;
}

bool ExitedWith(const TrainerRun& run, int code) { return WIFEXITED(run.status) && WEXITSTATUS(run.status) == code; }
bool Succeeded(const TrainerRun& run) { return ExitedWith(run, 0); }

// The lines of one event kind, as written; epoch lines without their wall time (the one
// figure a rerun cannot repeat), everything else of them kept to the last bit.
std::vector<std::string> Lines(const TrainerRun& run, const std::string& kind) {
  std::vector<std::string> lines;
  for (const std::string& line : run.lines) {
    json event = json::parse(line);
    if (event["event"] != kind) continue;
    if (kind == "epoch") event["metrics"].erase("seconds");
    if (kind == "done") event.erase("seconds");
    lines.push_back(kind == "predictions" ? line : event.dump());
  }
  return lines;
}

class ResumeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(TempPath("resume_synth"));
    ASSERT_TRUE(testing::WriteSynthMask(*root_, /*people=*/9, /*seed=*/2, /*width=*/48, /*height=*/64,
                                        /*eval_people=*/0)
                    .ok());
  }
  static void TearDownTestSuite() { delete root_; }

  // Fold 0 of 3 (folds round-robin over people): 3 epochs of training and 1 of finetuning.
  static json Job(const std::string& name) {
    absl::StatusOr<testing::SynthMaskSamples> synth = testing::LoadSynthMaskSamples(*root_, /*folds=*/3);
    EXPECT_TRUE(synth.ok()) << synth.status();
    const json params = {{"model", "resnet18"},         {"optimizer", "madgrad"}, {"lr", 0.01},
                         {"scheduler", "cosine"},       {"warmup_epochs", 1},     {"epochs", 3},
                         {"finetune_epochs", 1},        {"finetune_lr", 0.001},   {"batch_size", 8},
                         {"image_size", 32},            {"seed", 4},              {"drop_rate", 0.3},
                         {"drop_path_rate", 0.1},       {"mixup", 0.4},           {"cutmix", 0.4},
                         {"random_resized_crop", 0.5},  {"hsv", 0.5},             {"tta", "hflip"}};
    const std::string out_dir = TempPath(name);
    fs::remove_all(out_dir);
    return {{"job_id", 5},         {"dataset", {{"kind", "mask"}, {"root", *root_}}},
            {"num_classes", synth->num_classes}, {"fold", 0},
            {"params", params},    {"samples", synth->samples},
            {"device", "cpu"},     {"threads", 1},
            {"out_dir", out_dir}};
  }

  static std::string* root_;
};

std::string* ResumeTest::root_ = nullptr;

TEST_F(ResumeTest, KilledAtEpochTwoAndResumedEndsBitwiseAsTheUninterruptedRun) {
  const json whole_job = Job("whole");
  const TrainerRun whole = RunTrainer(whole_job);
  ASSERT_TRUE(Succeeded(whole)) << whole.stderr_text;
  ASSERT_EQ(Lines(whole, "epoch").size(), 4u) << whole.stderr_text;

  // Checkpoint events: one per epoch, each just before its epoch line, naming resume.ckpt.
  const std::string whole_ckpt = fs::absolute(fs::path(whole_job["out_dir"].get<std::string>()) / "resume.ckpt");
  int checkpoints = 0;
  for (size_t i = 0; i < whole.lines.size(); ++i) {
    const json event = json::parse(whole.lines[i]);
    if (event["event"] != "checkpoint") continue;
    ++checkpoints;
    EXPECT_EQ(event["path"], whole_ckpt);
    ASSERT_LT(i + 1, whole.lines.size());
    const json next = json::parse(whole.lines[i + 1]);
    EXPECT_EQ(next["event"], "epoch");
    EXPECT_EQ(next["epoch"], event["epoch"]);
  }
  EXPECT_EQ(checkpoints, 4);
  EXPECT_EQ(json::parse(ReadAll(whole_job["out_dir"].get<std::string>() + "/resume.json")),
            json({{"v", 1}, {"epoch", 4}, {"file", "resume.ckpt"}}));

  // Another job's checkpoint (here: another lr) is refused before any training.
  json other = Job("other");
  other["params"]["lr"] = 0.02;
  const std::string checkpoint = whole_ckpt;
  other["resume_from"] = checkpoint;
  const TrainerRun mismatch = RunTrainer(other);
  EXPECT_TRUE(ExitedWith(mismatch, 2));
  EXPECT_NE(mismatch.stderr_text.find("error: " + checkpoint +
                                      ": written for a different job: params.lr is 0.02 in this job, 0.01 in the "
                                      "checkpoint\n"),
            std::string::npos)
      << mismatch.stderr_text;
  EXPECT_TRUE(mismatch.lines.empty());

  const json killed_job = Job("killed");
  const TrainerRun killed = RunTrainer(killed_job, /*kill_after_epoch=*/2);
  ASSERT_TRUE(WIFSIGNALED(killed.status) && WTERMSIG(killed.status) == SIGKILL) << killed.stderr_text;
  const std::string killed_dir = killed_job["out_dir"];
  ASSERT_EQ(json::parse(ReadAll(killed_dir + "/resume.json"))["epoch"], 2);
  std::vector<std::string> whole_epochs = Lines(whole, "epoch");
  EXPECT_EQ(Lines(killed, "epoch"), std::vector<std::string>(whole_epochs.begin(), whole_epochs.begin() + 2));

  // Resumed in a fresh out_dir, the killed run's directory gone but for its resume.ckpt.
  const std::string moved_ckpt = TempPath("moved_resume.ckpt");
  fs::copy_file(killed_dir + "/resume.ckpt", moved_ckpt, fs::copy_options::overwrite_existing);
  fs::remove_all(killed_dir);
  json resumed_job = Job("resumed");
  resumed_job["resume_from"] = moved_ckpt;
  const TrainerRun resumed = RunTrainer(resumed_job);
  ASSERT_TRUE(Succeeded(resumed)) << resumed.stderr_text;

  // Epochs 1 and 2 reported again from the checkpoint (the killed run may not have reported them).
  EXPECT_EQ(Lines(resumed, "epoch"), whole_epochs);
  EXPECT_EQ(Lines(resumed, "predictions"), Lines(whole, "predictions"));
  EXPECT_EQ(Lines(resumed, "done"), Lines(whole, "done"));
  ASSERT_EQ(Lines(resumed, "checkpoint").size(), 2u);  // epochs 3 and 4 only
  const std::string best = ReadAll(resumed_job["out_dir"].get<std::string>() + "/best.safetensors");
  EXPECT_FALSE(best.empty());
  EXPECT_TRUE(best == ReadAll(whole_job["out_dir"].get<std::string>() + "/best.safetensors"))
      << "best.safetensors differs";
}

TEST_F(ResumeTest, WriteResumeFalseWritesNoCheckpoint) {
  json job = Job("no_resume");
  job["params"]["epochs"] = 1;
  job["params"]["finetune_epochs"] = 0;
  job["write_resume"] = false;
  const TrainerRun run = RunTrainer(job);
  ASSERT_TRUE(Succeeded(run)) << run.stderr_text;
  EXPECT_TRUE(Lines(run, "checkpoint").empty());
  EXPECT_FALSE(fs::exists(job["out_dir"].get<std::string>() + "/resume.ckpt"));
  EXPECT_FALSE(fs::exists(job["out_dir"].get<std::string>() + "/resume.json"));
  EXPECT_TRUE(fs::exists(job["out_dir"].get<std::string>() + "/best.safetensors"));
}

TEST_F(ResumeTest, AMissingCheckpointIsOneErrorLineNamingTheFile) {
  json job = Job("missing");
  const std::string absent = TempPath("no_such_resume.ckpt");
  job["resume_from"] = absent;
  const TrainerRun missing = RunTrainer(job);
  EXPECT_TRUE(ExitedWith(missing, 2));
  EXPECT_NE(missing.stderr_text.find("error: " + absent + ": cannot open resume checkpoint\n"), std::string::npos)
      << missing.stderr_text;
  EXPECT_TRUE(missing.lines.empty());

}

}  // namespace
}  // namespace foldstack::trainer
