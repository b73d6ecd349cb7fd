#include "data/synth.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "data/dataset.h"
#include "data/eval_set.h"
#include "data/image_source.h"
#include "gtest/gtest.h"

namespace fs = std::filesystem;

namespace foldstack::data {
namespace {

std::string TempDir(const std::string& name) { return std::string(std::getenv("TEST_TMPDIR")) + "/" + name; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rows of a csv file, without the header, split into columns.
std::vector<std::vector<std::string>> CsvRows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) rows.push_back(absl::StrSplit(line, ','));
  return rows;
}

SynthOptions Small(const std::string& dir, int people, uint64_t seed, double noise = 0) {
  return {.out_dir = TempDir(dir), .people = people, .seed = seed, .label_noise = noise, .width = 48, .height = 64};
}

TEST(SynthTest, LayoutMatchesTheCompetition) {
  auto report = WriteSynthDataset(Small("layout", 5, 1));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->people, 5);
  EXPECT_EQ(report->images, 35);
  EXPECT_EQ(report->noisy_people, 0);
  const std::string root = TempDir("layout");
  EXPECT_EQ(ReadFile(root + "/train/train.csv").substr(0, 24), "id,gender,race,age,path\n");
  EXPECT_EQ(ReadFile(root + "/label_noise.csv"), "person,kind,given,truth\n");
  EXPECT_NE(ReadFile(root + "/README.txt").find("synthetic"), std::string::npos);
  auto rows = CsvRows(root + "/train/train.csv");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0][0], "000001");
  EXPECT_EQ(rows[4][0], "000005");
  for (const auto& row : rows) {
    EXPECT_EQ(row[2], "Asian");
    EXPECT_EQ(row[4], row[0] + "_" + row[1] + "_Asian_" + row[3]);
    for (const char* photo : kMaskPhotoNames) {
      EXPECT_TRUE(fs::is_regular_file(root + "/train/images/" + row[4] + "/" + photo + ".jpg")) << row[4] << photo;
    }
  }
  auto index = LoadDatasetIndex(DatasetKind::kMask, root);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(index->samples.size(), 35u);
}

TEST(SynthTest, SameSeedSameFilesDifferentSeedDifferentPeople) {
  ASSERT_TRUE(WriteSynthDataset(Small("det_a", 8, 21, 0.5)).ok());
  SynthOptions threads_differ = Small("det_b", 8, 21, 0.5);
  threads_differ.threads = 3;
  ASSERT_TRUE(WriteSynthDataset(threads_differ).ok());
  ASSERT_TRUE(WriteSynthDataset(Small("det_c", 8, 22, 0.5)).ok());
  for (const char* file : {"/train/train.csv", "/label_noise.csv"}) {
    EXPECT_EQ(ReadFile(TempDir("det_a") + file), ReadFile(TempDir("det_b") + file)) << file;
  }
  EXPECT_NE(ReadFile(TempDir("det_a") + "/train/train.csv"), ReadFile(TempDir("det_c") + "/train/train.csv"));
  auto index = LoadDatasetIndex(DatasetKind::kMask, TempDir("det_a"));
  ASSERT_TRUE(index.ok()) << index.status();
  for (const Sample& s : index->samples) {
    ASSERT_TRUE(ReadFile(TempDir("det_a") + "/" + s.key) == ReadFile(TempDir("det_b") + "/" + s.key)) << s.key;
  }
}

TEST(SynthTest, ImbalanceIsLikeTheRealData) {
  SynthOptions options = Small("imbalance", 1000, 3);
  options.width = 16;
  options.height = 16;
  ASSERT_TRUE(WriteSynthDataset(options).ok());
  int women = 0, exactly_60 = 0;
  std::vector<int> bins(3, 0);
  for (const auto& row : CsvRows(TempDir("imbalance") + "/train/train.csv")) {
    int age = 0;
    ASSERT_TRUE(absl::SimpleAtoi(row[3], &age));
    ASSERT_GE(age, 18);
    women += row[1] == "female";
    ++bins[AgeBin(age)];
    exactly_60 += age == 60;
  }
  EXPECT_NEAR(women / 1000.0, 0.6, 0.05);
  EXPECT_NEAR(bins[0] / 1000.0, 0.45, 0.05);
  EXPECT_NEAR(bins[1] / 1000.0, 0.45, 0.05);
  EXPECT_NEAR(bins[2] / 1000.0, 0.10, 0.03);
  EXPECT_GT(exactly_60, bins[2] / 2);
}

// Noise changes labels only: the same seed without noise draws the same people,
// so the noisy data set's files can be checked against the clean one.
TEST(SynthTest, LabelNoiseCsvMatchesWhatWasWritten) {
  ASSERT_TRUE(WriteSynthDataset(Small("clean", 60, 5)).ok());
  auto report = WriteSynthDataset(Small("noisy", 60, 5, 0.3));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->noisy_people, 18);
  const std::string clean = TempDir("clean"), noisy = TempDir("noisy");
  auto clean_rows = CsvRows(clean + "/train/train.csv");
  auto noisy_rows = CsvRows(noisy + "/train/train.csv");
  std::map<std::string, int> row_of;  // noisy folder name -> row
  for (int i = 0; i < 60; ++i) row_of[noisy_rows[i][4]] = i;
  auto noise = CsvRows(noisy + "/label_noise.csv");
  ASSERT_EQ(noise.size(), 18u);
  std::map<std::string, int> kinds;
  for (const auto& n : noise) {
    ASSERT_EQ(n.size(), 4u);
    ASSERT_TRUE(row_of.count(n[0])) << n[0];
    int i = row_of[n[0]];
    const auto& given = noisy_rows[i];
    const auto& truth = clean_rows[i];
    ++kinds[n[1]];
    const std::string folder = "/train/images/";
    if (n[1] == "gender") {
      EXPECT_EQ(given[1], n[2]);
      EXPECT_EQ(truth[1], n[3]);
      EXPECT_NE(n[2], n[3]);
      // The photos show the true gender: identical to the clean data set's.
      EXPECT_TRUE(ReadFile(noisy + folder + given[4] + "/normal.jpg") == ReadFile(clean + folder + truth[4] + "/normal.jpg"));
    } else if (n[1] == "age") {
      int given_age = 0, true_age = 0;
      ASSERT_TRUE(absl::SimpleAtoi(n[2], &given_age) && absl::SimpleAtoi(n[3], &true_age));
      EXPECT_EQ(given[3], n[2]);
      EXPECT_EQ(truth[3], n[3]);
      EXPECT_NE(AgeBin(given_age), AgeBin(true_age));
    } else {
      ASSERT_EQ(n[1], "mask_swap");
      EXPECT_EQ(n[2], "incorrect_mask<->normal");
      EXPECT_EQ(given, truth);
      EXPECT_TRUE(ReadFile(noisy + folder + given[4] + "/incorrect_mask.jpg") == ReadFile(clean + folder + truth[4] + "/normal.jpg"));
      EXPECT_TRUE(ReadFile(noisy + folder + given[4] + "/normal.jpg") == ReadFile(clean + folder + truth[4] + "/incorrect_mask.jpg"));
    }
  }
  EXPECT_EQ(kinds.size(), 3u) << "all three kinds of noise should appear among 18 people";
  // Untouched people are identical in both.
  int same = 0;
  for (int i = 0; i < 60; ++i) same += noisy_rows[i] == clean_rows[i];
  EXPECT_EQ(same, 60 - kinds["gender"] - kinds["age"]);
}

TEST(SynthTest, EvalSetHasTheCompetitionLayoutAndHiddenAnswers) {
  auto report = WriteSynthDataset(Small("eval", 6, 2));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(EvalPeople(Small("eval", 6, 2)), 4);  // 2 eval photos per 3 training photos
  EXPECT_EQ(report->eval_images, 28);
  const std::string root = TempDir("eval");
  EXPECT_EQ(ReadFile(root + "/eval/info.csv").substr(0, 12), "ImageID,ans\n");
  auto set = LoadEvalSet(root);
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->images.size(), 28u);
  auto info = CsvRows(root + "/eval/info.csv");
  auto answers = CsvRows(root + "/eval_answers.csv");
  ASSERT_EQ(answers.size(), 28u);
  std::vector<int> per_mask_state(3, 0);
  for (size_t i = 0; i < info.size(); ++i) {
    EXPECT_EQ(info[i][1], "0");
    EXPECT_EQ(info[i][0].size(), 44u) << info[i][0];  // 40 hex digits + ".jpg", like the competition
    EXPECT_EQ(answers[i][0], info[i][0]) << "answers follow info.csv's row order";
    int label = -1;
    ASSERT_TRUE(absl::SimpleAtoi(answers[i][1], &label));
    ASSERT_GE(label, 0);
    ASSERT_LT(label, 18);
    ++per_mask_state[label / 6];
  }
  // 7 photos a person: 5 worn, 1 incorrect, 1 not worn.
  EXPECT_EQ(per_mask_state, (std::vector<int>{20, 4, 4}));
  // The eval people are new: no eval photo repeats a training photo.
  auto index = LoadDatasetIndex(DatasetKind::kMask, root);
  ASSERT_TRUE(index.ok()) << index.status();
  std::set<std::string> train_bytes;
  for (const Sample& s : index->samples) train_bytes.insert(ReadFile(root + "/" + s.key));
  for (const EvalImage& image : set->images) EXPECT_EQ(train_bytes.count(ReadFile(root + "/" + image.key)), 0u);

  // Adding an eval set leaves the training files alone; 0 writes none.
  SynthOptions no_eval = Small("no_eval", 6, 2);
  no_eval.eval_people = 0;
  report = WriteSynthDataset(no_eval);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->eval_images, 0);
  EXPECT_FALSE(fs::exists(TempDir("no_eval") + "/eval"));
  EXPECT_EQ(ReadFile(TempDir("no_eval") + "/train/train.csv"), ReadFile(root + "/train/train.csv"));
  const std::string photo = "/train/images/" + CsvRows(root + "/train/train.csv")[0][4] + "/mask1.jpg";
  EXPECT_TRUE(ReadFile(TempDir("no_eval") + photo) == ReadFile(root + photo));
}

TEST(SynthTest, RejectsBadOptions) {
  EXPECT_EQ(WriteSynthDataset(Small("bad", 0, 1)).status().message(), "synth: --people 0, expected >= 1");
  EXPECT_EQ(WriteSynthDataset(Small("bad", 3, 1, 1.5)).status().message(),
            "synth: --label-noise 1.5, expected a rate in [0, 1]");
  EXPECT_FALSE(WriteSynthDataset(SynthOptions{}).ok());
  // A file where the train/ folder should go.
  fs::create_directories(TempDir("blocked"));
  std::ofstream(TempDir("blocked") + "/train") << "in the way";
  auto blocked = WriteSynthDataset(Small("blocked", 2, 1));
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().message().rfind("cannot create " + TempDir("blocked") + "/train/images: ", 0), 0u)
      << blocked.status();
}

// An extra training set: only people aged >= min_age, numbered from first_id (eval people after
// them), so it can sit beside a main set of the same seed without sharing a person.
TEST(SynthTest, MinAgeAndFirstIdForAnExtraSet) {
  SynthOptions extra = Small("old_people", 6, 5);
  extra.min_age = 60;
  extra.first_id = 1001;
  extra.eval_people = 2;
  ASSERT_TRUE(WriteSynthDataset(extra).ok());
  auto rows = CsvRows(TempDir("old_people") + "/train/train.csv");
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0][0], "001001");
  EXPECT_EQ(rows[5][0], "001006");
  for (const auto& row : rows) {
    int age = 0;
    ASSERT_TRUE(absl::SimpleAtoi(row[3], &age)) << row[3];
    EXPECT_GE(age, 60) << row[4];
  }
  auto index = LoadDatasetIndex(DatasetKind::kMask, TempDir("old_people"));
  ASSERT_TRUE(index.ok()) << index.status();
  for (const Sample& s : index->samples) EXPECT_EQ(s.label % 3, 2) << s.key;  // the >=60 bin
  SynthOptions mixed = Small("mid_people", 20, 5);
  mixed.min_age = 30;
  ASSERT_TRUE(WriteSynthDataset(mixed).ok());
  for (const auto& row : CsvRows(TempDir("mid_people") + "/train/train.csv")) {
    EXPECT_GE(std::stoi(row[3]), 30) << row[4];
  }
  SynthOptions bad = Small("bad_age", 2, 1);
  bad.min_age = -1;
  EXPECT_EQ(WriteSynthDataset(bad).status().message(), "synth: --min_age -1, expected 0..100");
  bad.min_age = 0;
  bad.first_id = 0;
  EXPECT_EQ(WriteSynthDataset(bad).status().message(), "synth: --first_id 0, expected >= 1 with every id below 1000000");
}

// Catches a generator whose cues are too weak: a nearest-centroid classifier on
// 16x16 pixels must tell the three mask states apart on people it has not seen
// (4-fold cross-validation by person), well above chance (1/3).
TEST(SynthTest, MaskStateIsLearnableAt16Pixels) {
  SynthOptions options = Small("learn", 40, 11);
  options.width = 96;
  options.height = 128;
  ASSERT_TRUE(WriteSynthDataset(options).ok());
  auto index = LoadDatasetIndex(DatasetKind::kMask, options.out_dir);
  auto source = ImageSource::Open(DatasetKind::kMask, options.out_dir);
  ASSERT_TRUE(index.ok() && source.ok());
  const int dims = 16 * 16 * 3;
  std::vector<std::vector<double>> pixels;
  std::vector<int> state;
  for (const Sample& s : index->samples) {
    auto image = (*source)->Load(s.key, 16, 16);
    ASSERT_TRUE(image.ok()) << image.status();
    pixels.emplace_back(image->data, image->data + dims);
    state.push_back(s.label / 6);
  }
  std::vector<int> correct(3, 0), total(3, 0);
  for (int fold = 0; fold < 4; ++fold) {
    auto held_out = [fold](size_t i) { return static_cast<int>(i / 7) % 4 == fold; };
    std::vector<std::vector<double>> centroid(3, std::vector<double>(dims, 0));
    std::vector<int> count(3, 0);
    for (size_t i = 0; i < pixels.size(); ++i) {
      if (held_out(i)) continue;
      for (int d = 0; d < dims; ++d) centroid[state[i]][d] += pixels[i][d];
      ++count[state[i]];
    }
    for (int c = 0; c < 3; ++c)
      for (double& v : centroid[c]) v /= count[c];
    for (size_t i = 0; i < pixels.size(); ++i) {
      if (!held_out(i)) continue;
      int best = 0;
      double best_dist = 1e300;
      for (int c = 0; c < 3; ++c) {
        double dist = 0;
        for (int d = 0; d < dims; ++d) dist += (pixels[i][d] - centroid[c][d]) * (pixels[i][d] - centroid[c][d]);
        if (dist < best_dist) best_dist = dist, best = c;
      }
      ++total[state[i]];
      correct[state[i]] += best == state[i];
    }
  }
  // Balanced accuracy: 5 of 7 photos are "worn", so plain accuracy would reward guessing it.
  double balanced = 0;
  for (int c = 0; c < 3; ++c) balanced += static_cast<double>(correct[c]) / total[c] / 3;
  EXPECT_GT(balanced, 0.7) << "worn " << correct[0] << "/" << total[0] << ", incorrect " << correct[1] << "/"
                           << total[1] << ", normal " << correct[2] << "/" << total[2];
}

}  // namespace
}  // namespace foldstack::data
