#include "cli/submission.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace foldstack::cli {
namespace {

std::string TempPath(const std::string& name) { return std::string(std::getenv("TEST_TMPDIR")) + "/" + name; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

data::EvalSet Eval(const std::vector<std::string>& ids) {
  data::EvalSet eval;
  eval.root = "/eval";
  for (const auto& id : ids) eval.images.push_back({id, "eval/images/" + id});
  return eval;
}

// A done run over `ids` with 3 classes; image i's largest probability is in class winners[i].
v1::GetPredictionResponse DoneRun(const std::vector<std::string>& ids, const std::vector<int>& winners) {
  v1::GetPredictionResponse run;
  run.set_run_id(4);
  run.set_state(v1::RUN_STATE_DONE);
  run.set_num_classes(3);
  for (size_t i = 0; i < ids.size(); ++i) {
    run.add_image_ids(ids[i]);
    for (int c = 0; c < 3; ++c) run.add_probs(c == winners[i] ? 0.5f : 0.25f);
  }
  return run;
}

TEST(SubmissionTest, RowsFollowInfoCsvEachImageOnceWithTheArgmax) {
  // The run lists images in another order than info.csv.
  auto csv = SubmissionCsv(Eval({"b.jpg", "a.jpg", "c.jpg"}), DoneRun({"a.jpg", "b.jpg", "c.jpg"}, {2, 0, 1}));
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(*csv, "ImageID,ans\nb.jpg,0\na.jpg,2\nc.jpg,1\n");
  auto probs = ProbabilitiesCsv(Eval({"b.jpg", "a.jpg"}), DoneRun({"a.jpg", "b.jpg"}, {2, 0}));
  ASSERT_TRUE(probs.ok()) << probs.status();
  EXPECT_EQ(*probs, "ImageID,p0,p1,p2\nb.jpg,0.5,0.25,0.25\na.jpg,0.25,0.25,0.5\n");
}

TEST(SubmissionTest, RefusesRunsThatDoNotMatchInfoCsv) {
  EXPECT_EQ(SubmissionCsv(Eval({"a.jpg", "z.jpg"}), DoneRun({"a.jpg", "b.jpg"}, {0, 0})).status().message(),
            "/eval/eval/info.csv: row 2: ImageID \"z.jpg\" is not in prediction run 4");
  EXPECT_EQ(SubmissionCsv(Eval({"a.jpg"}), DoneRun({"a.jpg", "b.jpg"}, {0, 0})).status().message(),
            "prediction run 4 has 2 images, /eval/eval/info.csv has 1 (changed since the run?)");
  v1::GetPredictionResponse running = DoneRun({"a.jpg"}, {0});
  running.set_state(v1::RUN_STATE_RUNNING);
  running.clear_probs();
  EXPECT_EQ(SubmissionCsv(Eval({"a.jpg"}), running).status().message(),
            "prediction run 4 is running: no complete probabilities yet");
}

TEST(SubmissionTest, ParsesMembers) {
  auto plain = ParseMembers("3,5", "");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, (std::vector<std::pair<int64_t, double>>{{3, 1.0}, {5, 1.0}}));
  auto weighted = ParseMembers("", "3:0.25,7:2");
  ASSERT_TRUE(weighted.ok()) << weighted.status();
  EXPECT_EQ(*weighted, (std::vector<std::pair<int64_t, double>>{{3, 0.25}, {7, 2.0}}));
  EXPECT_EQ(ParseMembers("", "").status().message(),
            "predict: give either --trial ID[,ID...] or --members TRIAL:WEIGHT,...");
  EXPECT_FALSE(ParseMembers("3", "3:1").ok());
  EXPECT_EQ(ParseMembers("3,x", "").status().message(), "predict: --trial: \"x\": expected a trial id, e.g. 3");
  EXPECT_EQ(ParseMembers("", "3:0").status().message(),
            "predict: --members: \"3:0\": expected TRIAL:WEIGHT with a positive weight, e.g. 3:0.5");
}

TEST(SubmissionTest, WritesAtomically) {
  const std::string path = TempPath("submission.csv");
  std::ofstream(path) << "old";
  ASSERT_TRUE(WriteFileAtomically(path, "ImageID,ans\n").ok());
  EXPECT_EQ(ReadFile(path), "ImageID,ans\n");
  for (const auto& entry : std::filesystem::directory_iterator(std::getenv("TEST_TMPDIR"))) {
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
  }
  EXPECT_FALSE(WriteFileAtomically(TempPath("no_such_dir/submission.csv"), "x").ok());
}

}  // namespace
}  // namespace foldstack::cli
