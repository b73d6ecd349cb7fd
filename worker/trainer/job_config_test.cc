#include "worker/trainer/job_config.h"

#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

constexpr char kJob[] = R"({"job_id": 7, "dataset": {"kind": "mask", "root": "/abs/root"}, "num_classes": 18, "fold": 0,
 "params": {"model": "resnet18", "optimizer": "sgd", "lr": 0.01, "momentum": 0.8, "weight_decay": 0.0001,
            "epochs": 3, "batch_size": 32.0, "image_size": 64, "seed": 5},
 "samples": [{"id": 11, "key": "train/images/000001_female_Asian_45/mask1.jpg", "label": 4, "fold": 2},
             {"id": 12, "key": "train/images/000002_male_Asian_20/normal.jpg", "label": 17, "fold": 0}],
 "device": "cpu", "threads": 2, "out_dir": "/tmp/job7"})";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

std::string ErrorOf(const std::string& text) {
  absl::StatusOr<JobConfig> job = ParseJobConfig(text, "job.json");
  EXPECT_FALSE(job.ok());
  return job.ok() ? "" : std::string(job.status().message());
}

TEST(JobConfigTest, ParsesEveryField) {
  absl::StatusOr<JobConfig> job = ParseJobConfig(kJob, "job.json");
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->job_id, 7);
  EXPECT_EQ(job->dataset_kind, "mask");
  EXPECT_EQ(job->dataset_root, "/abs/root");
  EXPECT_EQ(job->num_classes, 18);
  EXPECT_EQ(job->fold, 0);
  EXPECT_EQ(job->params.model, "resnet18");
  EXPECT_EQ(job->params.optimizer, "sgd");
  EXPECT_DOUBLE_EQ(job->params.lr, 0.01);
  EXPECT_DOUBLE_EQ(job->params.momentum, 0.8);
  EXPECT_DOUBLE_EQ(job->params.weight_decay, 0.0001);
  EXPECT_EQ(job->params.epochs, 3);
  EXPECT_EQ(job->params.batch_size, 32);  // 32.0 accepted as an integer
  EXPECT_EQ(job->params.image_size, 64);
  EXPECT_EQ(job->params.seed, 5u);
  ASSERT_EQ(job->samples.size(), 2u);
  EXPECT_EQ(job->samples[0].id, 11);
  EXPECT_EQ(job->samples[0].key, "train/images/000001_female_Asian_45/mask1.jpg");
  EXPECT_EQ(job->samples[0].label, 4);
  EXPECT_EQ(job->samples[0].fold, 2);
  EXPECT_EQ(job->samples[1].label, 17);
  EXPECT_EQ(job->device, "cpu");
  EXPECT_EQ(job->threads, 2);
  EXPECT_EQ(job->out_dir, "/tmp/job7");
}

TEST(JobConfigTest, OptionalFieldsDefault) {
  absl::StatusOr<JobConfig> job = ParseJobConfig(
      R"({"job_id": 1, "dataset": {"kind": "mask", "root": "/r"}, "num_classes": 2, "fold": 1,
          "samples": [], "out_dir": "/o"})",
      "job.json");
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->params.model, "resnet18");
  EXPECT_EQ(job->params.optimizer, "adam");
  EXPECT_EQ(job->params.epochs, 3);  // the settings table's default
  EXPECT_EQ(job->params.settings["loss"], "ce");
  EXPECT_EQ(job->device, "cpu");
  EXPECT_EQ(job->threads, 1);
}

TEST(JobConfigTest, ResumeKeys) {
  absl::StatusOr<JobConfig> fresh = ParseJobConfig(kJob, "job.json");
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->resume_from, "");
  EXPECT_TRUE(fresh->write_resume);
  absl::StatusOr<JobConfig> resumed = ParseJobConfig(
      Replace(kJob, R"("threads": 2,)", R"("threads": 2, "resume_from": "/out/7/resume.ckpt", "write_resume": false,)"),
      "job.json");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->resume_from, "/out/7/resume.ckpt");
  EXPECT_FALSE(resumed->write_resume);
  EXPECT_TRUE(ParseJobConfig(Replace(kJob, R"("threads": 2,)", R"("threads": 2, "resume_from": "",)"), "job.json")
                  ->resume_from.empty());
  EXPECT_EQ(ErrorOf(Replace(kJob, R"("threads": 2,)", R"("threads": 2, "resume_from": "rel/resume.ckpt",)")),
            "job.json: resume_from: expected an absolute path to a resume.ckpt, or \"\", got \"rel/resume.ckpt\"");
  EXPECT_EQ(ErrorOf(Replace(kJob, R"("threads": 2,)", R"("threads": 2, "write_resume": "no",)")),
            "job.json: write_resume: expected true or false, got \"no\"");
}

TEST(JobConfigTest, ExtraTrainSets) {
  absl::StatusOr<JobConfig> none = ParseJobConfig(kJob, "job.json");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->extra_train.empty());
  const std::string root = R"("root": "/abs/root")";
  absl::StatusOr<JobConfig> job = ParseJobConfig(
      Replace(kJob, root, root + R"(, "extra_train": [{"root": "/old", "weight": 0.25}, {"root": "/more"}])"),
      "job.json");
  ASSERT_TRUE(job.ok()) << job.status();
  ASSERT_EQ(job->extra_train.size(), 2u);
  EXPECT_EQ(job->extra_train[0].root, "/old");
  EXPECT_DOUBLE_EQ(job->extra_train[0].weight, 0.25);
  EXPECT_EQ(job->extra_train[1].root, "/more");
  EXPECT_DOUBLE_EQ(job->extra_train[1].weight, 1.0);
  EXPECT_EQ(ErrorOf(Replace(kJob, root, root + R"(, "extra_train": {"root": "/old"})")),
            "job.json: dataset.extra_train: expected a list of {root, weight}, got {\"root\":\"/old\"}");
  EXPECT_EQ(ErrorOf(Replace(kJob, root, root + R"(, "extra_train": [{"weight": 0.5}])")),
            "job.json: dataset.extra_train[0].root: expected a string, got nothing");
  EXPECT_EQ(ErrorOf(Replace(kJob, root, root + R"(, "extra_train": [{"root": "/old", "weight": 2}])")),
            "job.json: dataset.extra_train[0].weight: expected a number in (0, 1], got 2");
}

TEST(JobConfigTest, ErrorsNameTheFileAndKey) {
  EXPECT_EQ(ErrorOf(Replace(kJob, "\"lr\": 0.01", "\"lr\": \"abc\"")),
            "job.json: params.lr: expected a number > 0, got \"abc\"");
  EXPECT_EQ(ErrorOf(Replace(kJob, "\"optimizer\": \"sgd\"", "\"optimizer\": \"rmsprop\"")),
            "job.json: params.optimizer: expected one of sgd, adam, adamw, madgrad; got \"rmsprop\"");
  EXPECT_EQ(ErrorOf(Replace(kJob, "\"label\": 17", "\"label\": 18")),
            "job.json: samples[1].label: expected an integer in [0, 17], got 18");
  EXPECT_EQ(ErrorOf(Replace(kJob, "\"epochs\": 3", "\"epochs\": 2.5")),
            "job.json: params.epochs: expected an integer >= 1, got 2.5");
  EXPECT_EQ(ErrorOf(Replace(kJob, ", \"out_dir\": \"/tmp/job7\"", "")),
            "job.json: out_dir: expected a string, got nothing");
  EXPECT_EQ(ErrorOf(Replace(kJob, "\"id\": 12", "\"id\": 11")),
            "job.json: samples[1].id: expected an id not used by an earlier sample, got 11");
  EXPECT_EQ(ErrorOf(Replace(kJob, "\"batch_size\": 32.0", "\"batch_size\": 1")),
            "job.json: params.batch_size: expected an integer >= 2, got 1");
  EXPECT_NE(ErrorOf(Replace(kJob, "\"seed\": 5", "\"seed\": 5, \"dropout\": 0.1"))
                .find("job.json: params.dropout: unknown trainer setting \"dropout\""),
            std::string::npos);
  EXPECT_NE(ErrorOf("{\"job_id\": ").find("job.json: not valid JSON"), std::string::npos);
  EXPECT_EQ(ErrorOf("[]"), "job.json: expected a JSON object");
}

TEST(JobConfigTest, MissingFileIsNamed) {
  absl::StatusOr<JobConfig> job = LoadJobConfig("/nonexistent/job.json");
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.status().message(), "/nonexistent/job.json: cannot open job file");
}

}  // namespace
}  // namespace foldstack::trainer

namespace foldstack::trainer {
namespace {

constexpr char kPredictJob[] = R"({"mode": "predict", "job_id": 3, "dataset": {"kind": "mask", "root": "/eval"},
 "num_classes": 18, "params": {"model": "resnet18", "image_size": 32},
 "samples": [{"id": 0, "key": "eval/images/a.jpg"}, {"id": 1, "key": "eval/images/b.jpg"}],
 "checkpoint": "/work/job-7-a1/best.safetensors", "hflip_tta": false, "out_dir": "/tmp/p3"})";

TEST(JobConfigTest, PredictJobsNeedACheckpointButNoLabels) {
  absl::StatusOr<JobConfig> job = ParseJobConfig(kPredictJob, "job.json");
  ASSERT_TRUE(job.ok()) << job.status();
  EXPECT_EQ(job->mode, JobMode::kPredict);
  EXPECT_EQ(job->checkpoint, "/work/job-7-a1/best.safetensors");
  EXPECT_FALSE(job->hflip_tta);
  ASSERT_EQ(job->samples.size(), 2u);
  EXPECT_EQ(job->samples[1].id, 1);
  EXPECT_EQ(job->samples[1].label, 0);
  EXPECT_EQ(ParseJobConfig(kJob, "job.json")->mode, JobMode::kTrain);

  std::string text = kPredictJob;
  text.replace(text.find("\"checkpoint\""), 12, "\"checkpoints\"");
  EXPECT_EQ(ParseJobConfig(text, "job.json").status().message(), "job.json: checkpoint: expected a string, got nothing");
  text = kPredictJob;
  text.replace(text.find("\"predict\""), 9, "\"guess\"");
  EXPECT_EQ(ParseJobConfig(text, "job.json").status().message(),
            "job.json: mode: expected \"train\" or \"predict\", got \"guess\"");
}

}  // namespace
}  // namespace foldstack::trainer
