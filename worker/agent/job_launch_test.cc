#include "worker/agent/job_launch.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace foldstack::worker {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Fixture {
  std::string dir;
  foldstack::v1::JobSpec job;
  foldstack::v1::GetSplitResponse split;
  Fixture() {
    char pattern[] = "/tmp/job_launch_testXXXXXX";
    dir = mkdtemp(pattern);
    std::ofstream(dir + "/train.py") << "print('hi')\n";
    job.set_job_id(7);
    job.set_fold(0);
    job.set_num_classes(2);
    job.set_dataset_kind("mask");
    job.set_dataset_root("/data/train");
    job.set_objective_metric("val_acc");
    job.set_params_json(R"({"lr":0.001,"name":"a,b"})");
    job.set_program(dir + "/train.py");
    job.add_class_names("no");
    job.add_class_names("yes");
    for (int i = 0; i < 2; ++i) {
      auto* s = split.add_samples();
      s->set_sample_id(i);
      s->set_sample_key(i == 0 ? "p0/a.jpg" : "p1/b,c.jpg");
      s->set_label(i);
      s->set_fold(i);
      s->set_group("p" + std::to_string(i));
    }
  }
  LaunchContext Context() const {
    LaunchContext ctx;
    ctx.dir = dir;
    ctx.trainer.device = "cpu";
    ctx.trainer.threads = 2;
    ctx.python_path = "/opt/fs/python";
    return ctx;
  }
};

bool HasEnv(const SpawnOptions& options, const std::string& entry) {
  for (const std::string& e : options.env) {
    if (e == entry) return true;
  }
  return false;
}

TEST(JobLaunch, AProgramRunsWandbsDefaultCommandInItsFolderWithTheJobsContext) {
  Fixture f;
  absl::StatusOr<SpawnOptions> launch = PrepareLaunch(f.job, &f.split, f.Context());
  ASSERT_TRUE(launch.ok()) << launch.status();
  ASSERT_EQ(launch->argv.size(), 5u);
  EXPECT_EQ(launch->argv[0], "/usr/bin/env");
  EXPECT_EQ(launch->argv[2], f.dir + "/train.py");
  EXPECT_EQ(launch->argv[3], "--lr=0.001");
  EXPECT_EQ(launch->argv[4], "--name=a,b");
  EXPECT_EQ(launch->cwd, f.dir);
  EXPECT_TRUE(launch->events_pipe);
  EXPECT_TRUE(HasEnv(*launch, "FOLDSTACK_EVENTS_FD=3"));
  EXPECT_TRUE(HasEnv(*launch, "FOLDSTACK_SPLIT_FILE=" + f.dir + "/split.csv"));
  EXPECT_TRUE(HasEnv(*launch, "FOLDSTACK_CLASS_NAMES=[\"no\",\"yes\"]"));
  EXPECT_TRUE(HasEnv(*launch, "FOLDSTACK_CHECKPOINT_DIR=" + f.dir + "/checkpoints"));
  EXPECT_TRUE(HasEnv(*launch, "CUDA_VISIBLE_DEVICES="));
  EXPECT_EQ(Read(f.dir + "/split.csv"),
            "key,path,label,group,role\n"
            "p0/a.jpg,/data/train/p0/a.jpg,0,p0,held_out\n"
            "\"p1/b,c.jpg\",\"/data/train/p1/b,c.jpg\",1,p1,train\n");
  EXPECT_EQ(Read(f.dir + "/params.json"), R"({"lr": 0.001, "name": "a,b"})");
}

TEST(JobLaunch, AMissingOrNonExecutableProgramIsRefusedByName) {
  Fixture f;
  f.job.set_program(f.dir + "/nope.py");
  absl::StatusOr<SpawnOptions> launch = PrepareLaunch(f.job, &f.split, f.Context());
  ASSERT_FALSE(launch.ok());
  EXPECT_EQ(launch.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(launch.status().message().find("nope.py not found on this worker"), std::string::npos);
  f.job.set_program(f.dir + "/train.py");
  f.job.add_command("${program}");  // run directly: needs the execute bit
  launch = PrepareLaunch(f.job, &f.split, f.Context());
  ASSERT_FALSE(launch.ok());
  EXPECT_NE(launch.status().message().find("is not executable"), std::string::npos) << launch.status();
  chmod((f.dir + "/train.py").c_str(), 0755);
  EXPECT_TRUE(PrepareLaunch(f.job, &f.split, f.Context()).ok());
}

TEST(JobLaunch, TheBuiltInTrainerGetsItsJobFile) {
  Fixture f;
  f.job.clear_program();
  LaunchContext ctx = f.Context();
  ctx.trainer_command = {"/bin/foldstack-worker", "train"};
  ctx.trainer.resume_from = "/elsewhere/resume.ckpt";
  absl::StatusOr<SpawnOptions> launch = PrepareLaunch(f.job, &f.split, ctx);
  ASSERT_TRUE(launch.ok()) << launch.status();
  EXPECT_EQ(launch->argv, (std::vector<std::string>{"/bin/foldstack-worker", "train", "--job", f.dir + "/job.json"}));
  EXPECT_FALSE(launch->events_pipe);
  const std::string job = Read(f.dir + "/job.json");
  EXPECT_NE(job.find("\"resume_from\":\"/elsewhere/resume.ckpt\""), std::string::npos) << job;
  EXPECT_NE(job.find("\"threads\":2"), std::string::npos);
}

}  // namespace
}  // namespace foldstack::worker
