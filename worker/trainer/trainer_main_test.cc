#include "worker/trainer/trainer_main.h"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "worker/trainer/model_registry.h"
#include "worker/trainer/safetensors.h"
#include "worker/trainer/state_dict.h"
#include "worker/trainer/testing/synth_mask.h"

namespace foldstack::trainer {
namespace {

using json = nlohmann::json;

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir ? dir : "/tmp";
}

struct MainOutput {
  int exit_code = 0;
  std::vector<json> events;  // stdout, one JSON object per line
  std::string stderr_text;
};

MainOutput RunMain(std::vector<std::string> args) {
  args.insert(args.begin(), "foldstack-train");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  MainOutput output;
  output.exit_code = TrainerMain(static_cast<int>(argv.size()), argv.data());
  std::istringstream out(::testing::internal::GetCapturedStdout());
  output.stderr_text = ::testing::internal::GetCapturedStderr();
  for (std::string line; std::getline(out, line);) {
    if (line.rfind("usage:", 0) != 0) output.events.push_back(json::parse(line));  // --help prints usage
  }
  return output;
}

// A 24-person synthetic mask data set (168 images of 96x128), k = 3 folds by person.
class TrainerMainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(TempDir() + "/synth_mask");
    ASSERT_TRUE(testing::WriteSynthMask(*root_, /*people=*/24, /*seed=*/1, /*width=*/96, /*height=*/128).ok());
  }
  static void TearDownTestSuite() { delete root_; }

  // The job JSON for fold 0 of 3 (folds assigned round-robin over people).
  json Job(const std::string& name) {
    absl::StatusOr<testing::SynthMaskSamples> synth = testing::LoadSynthMaskSamples(*root_, /*folds=*/3);
    EXPECT_TRUE(synth.ok()) << synth.status();
    return {{"job_id", 3},
            {"dataset", {{"kind", "mask"}, {"root", *root_}}},
            {"num_classes", synth->num_classes},
            {"fold", 0},
            {"params", {{"model", "resnet18"}, {"optimizer", "sgd"}, {"lr", 0.01}, {"momentum", 0.9},
                        {"epochs", 2}, {"batch_size", 16}, {"image_size", 32}, {"seed", 0}}},
            {"samples", synth->samples},
            {"device", "cpu"},
            {"threads", 1},
            {"out_dir", TempDir() + "/" + name}};
  }

  std::string WriteJob(const json& job, const std::string& name) {
    const std::string path = TempDir() + "/" + name + ".json";
    std::ofstream(path) << job.dump();
    return path;
  }

  static std::string* root_;
};

std::string* TrainerMainTest::root_ = nullptr;

TEST_F(TrainerMainTest, TrainsOnSyntheticMaskDataAndPrintsTheProtocol) {
  json job = Job("e2e");
  size_t held_out = 0;
  for (const json& s : job["samples"]) held_out += s["fold"] == 0;
  ASSERT_GT(held_out, 0u);
  MainOutput out = RunMain({"--job", WriteJob(job, "e2e")});
  ASSERT_EQ(out.exit_code, 0) << out.stderr_text;

  // Each epoch: its resumable checkpoint, then its metrics.
  ASSERT_GE(out.events.size(), 6u);
  const std::string resume_path = std::filesystem::absolute(TempDir() + "/e2e/resume.ckpt").string();
  for (int epoch = 1; epoch <= 2; ++epoch) {
    const json& checkpoint = out.events[2 * epoch - 2];
    EXPECT_EQ(checkpoint["event"], "checkpoint");
    EXPECT_EQ(checkpoint["epoch"], epoch);
    EXPECT_EQ(checkpoint["path"], resume_path);
    EXPECT_EQ(out.events[2 * epoch - 1]["event"], "epoch");
    EXPECT_EQ(out.events[2 * epoch - 1]["epoch"], epoch);
  }
  EXPECT_TRUE(std::filesystem::exists(resume_path));
  const json& epoch2 = out.events[3];
  for (const char* key : {"train_loss", "val_loss", "val_macro_f1", "val_accuracy", "seconds"}) {
    EXPECT_TRUE(epoch2["metrics"][key].is_number()) << key;
  }
  size_t predicted = 0;
  for (size_t i = 4; i + 1 < out.events.size(); ++i) {
    EXPECT_EQ(out.events[i]["event"], "predictions");
    EXPECT_EQ(out.events[i]["num_classes"], 18);
    predicted += out.events[i]["sample_ids"].size();
    EXPECT_EQ(out.events[i]["probs"].size(), 18 * out.events[i]["sample_ids"].size());
  }
  EXPECT_EQ(predicted, held_out);
  const json& done = out.events.back();
  EXPECT_EQ(done["event"], "done");
  EXPECT_GE(done["best_epoch"].get<int>(), 1);
  EXPECT_LE(done["best_epoch"].get<int>(), 2);
  EXPECT_EQ(done["macro_f1"], out.events[2 * done["best_epoch"].get<int>() - 1]["metrics"]["val_macro_f1"]);
  EXPECT_TRUE(std::filesystem::exists(TempDir() + "/e2e/best.safetensors"));
}

// The multi-head recipe of experiments/multi_head-class_balanced.yaml on mask data: three heads
// (8 outputs) recombined into 18-class probabilities, class-balanced draws, the old bin at 59.
TEST_F(TrainerMainTest, MultiHeadRecipeTrainsAndReportsEighteenClasses) {
  json job = Job("heads");
  job["params"]["epochs"] = 1;
  job["params"]["task"] = "multi_head";
  job["params"]["head_losses"] = "ce,ce,focal";
  job["params"]["head_weights"] = "1,1,1.5";
  job["params"]["sampler"] = "class_balanced";
  job["params"]["age_bins"] = "30,59";
  job["params"]["tta"] = "hflip";
  MainOutput out = RunMain({"--job", WriteJob(job, "heads")});
  ASSERT_EQ(out.exit_code, 0) << out.stderr_text;
  size_t rows = 0;
  for (const json& event : out.events) {
    if (event["event"] != "predictions") continue;
    EXPECT_EQ(event["num_classes"], 18);
    const std::vector<double> probs = event["probs"].get<std::vector<double>>();
    for (size_t r = 0; r < event["sample_ids"].size(); ++r, ++rows) {
      double sum = 0;
      for (size_t c = 0; c < 18; ++c) sum += probs[r * 18 + c];
      EXPECT_NEAR(sum, 1.0, 1e-4);
    }
  }
  EXPECT_GT(rows, 0u);
  EXPECT_EQ(out.events.back()["event"], "done");
  // The checkpoint is timm's model with an 8-output classifier (mask 3 + gender 2 + age 3).
  auto model = CreateModel("resnet18", 8);
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE(LoadModuleSafetensors(TempDir() + "/heads/best.safetensors", **model).ok());
}

// Rows of every predictions event: their width, and that each sums to 1.
size_t CheckRows(const MainOutput& out, size_t width) {
  size_t rows = 0;
  for (const json& event : out.events) {
    if (event["event"] != "predictions") continue;
    EXPECT_EQ(event["num_classes"], width);
    const std::vector<double> probs = event["probs"].get<std::vector<double>>();
    for (size_t r = 0; r < event["sample_ids"].size(); ++r, ++rows) {
      double sum = 0;
      for (size_t c = 0; c < width; ++c) sum += probs[r * width + c];
      EXPECT_NEAR(sum, 1.0, 1e-4);
    }
  }
  return rows;
}

// task gender: a 2-class classifier on the gender of the 18-class labels; its rows have 2 values.
TEST_F(TrainerMainTest, HeadTaskTrainsTheHeadAlone) {
  json job = Job("gender_head");
  job["params"]["epochs"] = 1;
  job["params"]["task"] = "gender";
  MainOutput out = RunMain({"--job", WriteJob(job, "gender_head")});
  ASSERT_EQ(out.exit_code, 0) << out.stderr_text;
  EXPECT_GT(CheckRows(out, 2), 0u);
  auto model = CreateModel("resnet18", 2);
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE(LoadModuleSafetensors(TempDir() + "/gender_head/best.safetensors", **model).ok());
}

// task age_regression: one output; rows are the 3 age bins; the checkpoint keeps its sigma, and a
// predict job with it gives the same bins.
TEST_F(TrainerMainTest, AgeRegressionReportsAgeBinsAndKeepsSigma) {
  json job = Job("age_regression");
  job["params"]["epochs"] = 1;
  job["params"]["task"] = "age_regression";
  job["params"]["regression_loss"] = "smooth_l1";
  job["write_resume"] = false;
  MainOutput out = RunMain({"--job", WriteJob(job, "age_regression")});
  ASSERT_EQ(out.exit_code, 0) << out.stderr_text;
  EXPECT_GT(CheckRows(out, 3), 0u);
  // The epoch reports the held-out age MAE (years) next to the age-bin macro-F1.
  bool mae = false;
  for (const json& event : out.events) {
    if (event["event"] != "epoch") continue;
    ASSERT_TRUE(event["metrics"].contains("val_age_mae")) << event.dump();
    EXPECT_GT(event["metrics"]["val_age_mae"].get<double>(), 0.0);
    EXPECT_LT(event["metrics"]["val_age_mae"].get<double>(), 100.0);
    mae = true;
  }
  EXPECT_TRUE(mae);
  const std::string checkpoint = TempDir() + "/age_regression/best.safetensors";
  std::map<std::string, std::string> metadata;
  ASSERT_TRUE(LoadSafetensors(checkpoint, &metadata).ok());
  ASSERT_EQ(metadata.count("age_sigma"), 1u);
  EXPECT_GE(std::stod(metadata["age_sigma"]), 1.0);
  EXPECT_EQ(metadata["num_classes"], "1");

  job["mode"] = "predict";
  job["checkpoint"] = checkpoint;
  job["hflip_tta"] = false;
  job["out_dir"] = TempDir() + "/age_regression_predict";
  MainOutput predicted = RunMain({"--job", WriteJob(job, "age_regression_predict")});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.stderr_text;
  EXPECT_EQ(CheckRows(predicted, 3), job["samples"].size());
}

TEST_F(TrainerMainTest, AgeRegressionRefusesMixup) {
  json job = Job("age_mixup");
  job["params"]["task"] = "age_regression";
  job["params"]["mixup"] = 0.5;
  MainOutput out = RunMain({"--job", WriteJob(job, "age_mixup")});
  EXPECT_NE(out.exit_code, 0);
  EXPECT_NE(out.stderr_text.find("task: age_regression takes no mixup or cutmix"), std::string::npos) << out.stderr_text;
}

TEST_F(TrainerMainTest, CorruptOrMissingImageExitsTwoNamingThePath) {
  json job = Job("corrupt");
  const std::string person_dir = std::filesystem::path(job["samples"][0]["key"].get<std::string>()).parent_path();
  const std::string corrupt_key = person_dir + "/corrupt.jpg";
  std::ofstream(*root_ + "/" + corrupt_key) << "definitely not a JPEG";
  job["samples"][4]["key"] = corrupt_key;
  MainOutput corrupt = RunMain({"--job=" + WriteJob(job, "corrupt")});
  EXPECT_EQ(corrupt.exit_code, 2);
  EXPECT_NE(corrupt.stderr_text.find("error: "), std::string::npos) << corrupt.stderr_text;
  EXPECT_NE(corrupt.stderr_text.find(corrupt_key), std::string::npos) << corrupt.stderr_text;
  EXPECT_TRUE(corrupt.events.empty());

  job["samples"][4]["key"] = person_dir + "/no_such_photo.jpg";
  MainOutput missing = RunMain({"--job", WriteJob(job, "missing")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.stderr_text.find("no_such_photo.jpg"), std::string::npos) << missing.stderr_text;
}

TEST_F(TrainerMainTest, BadInvocationsExitTwoWithOneErrorLine) {
  json job = Job("cuda");
  job["device"] = "cuda";
  MainOutput cuda = RunMain({"--job", WriteJob(job, "cuda")});
  EXPECT_EQ(cuda.exit_code, 2);
  EXPECT_NE(cuda.stderr_text.find("error: device \"cuda\" requested but CUDA is not available"), std::string::npos)
      << cuda.stderr_text;

  MainOutput no_file = RunMain({"--job", TempDir() + "/absent.json"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_EQ(no_file.stderr_text, "error: " + TempDir() + "/absent.json: cannot open job file\n");

  job = Job("bad_root");
  job["dataset"]["root"] = TempDir() + "/no_such_root";
  MainOutput bad_root = RunMain({"--job", WriteJob(job, "bad_root")});
  EXPECT_EQ(bad_root.exit_code, 2);
  EXPECT_NE(bad_root.stderr_text.find("no_such_root"), std::string::npos);

  EXPECT_EQ(RunMain({}).exit_code, 2);
  EXPECT_EQ(RunMain({"--jobs", "x"}).exit_code, 2);
  EXPECT_EQ(RunMain({"--help"}).exit_code, 0);
}

// params.ranks = 2 through the real binary: rank 1 is a second process that
// trains on its half of every batch; only rank 0 writes events and the
// checkpoint, and the held-out probabilities are gathered once.
TEST_F(TrainerMainTest, TwoRanksRunAsTwoProcessesAndOnlyRank0Reports) {
  json job = Job("ranks");
  job["params"]["ranks"] = 2;
  job["params"]["epochs"] = 1;
  const std::string stderr_path = TempDir() + "/ranks.stderr";
  const std::string command =
      "worker/trainer/foldstack-train --job " + WriteJob(job, "ranks") + " 2>" + stderr_path;
  std::FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string stdout_text;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0;) stdout_text.append(buffer, n);
  const int status = pclose(pipe);
  std::stringstream stderr_text;
  stderr_text << std::ifstream(stderr_path).rdbuf();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << stderr_text.str();

  std::multiset<int64_t> predicted;
  int done = 0, epochs = 0;
  std::istringstream lines(stdout_text);
  for (std::string line; std::getline(lines, line);) {
    const json event = json::parse(line);
    if (event["event"] == "predictions") {
      for (const json& id : event["sample_ids"]) predicted.insert(id.get<int64_t>());
    }
    done += event["event"] == "done";
    epochs += event["event"] == "epoch";
  }
  EXPECT_EQ(done, 1) << stdout_text;
  EXPECT_EQ(epochs, 1) << stdout_text;
  std::multiset<int64_t> held_out;
  for (const json& sample : job["samples"]) {
    if (sample["fold"] == 0) held_out.insert(sample["id"].get<int64_t>());
  }
  EXPECT_EQ(predicted, held_out);  // every held-out sample once: rank 1 printed no events
  EXPECT_NE(stderr_text.str().find("[rank 1] [job 3] epoch 1/1"), std::string::npos) << stderr_text.str();
  EXPECT_TRUE(std::filesystem::exists(TempDir() + "/ranks/best.safetensors"));
}

}  // namespace
}  // namespace foldstack::trainer
