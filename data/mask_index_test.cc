#include "data/mask_index.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "data/dataset.h"
#include "data/synth.h"
#include "gtest/gtest.h"

namespace fs = std::filesystem;

namespace foldstack::data {
namespace {

class MaskIndexTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pristine_ = new std::string(std::string(std::getenv("TEST_TMPDIR")) + "/pristine");
    auto report = WriteSynthDataset({.out_dir = *pristine_, .people = 6, .seed = 4, .width = 24, .height = 32});
    ASSERT_TRUE(report.ok()) << report.status();
  }

  // A fresh copy of the generated data set to break.
  std::string Copy() {
    std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/copy" + std::to_string(copies_++);
    fs::copy(*pristine_, dir, fs::copy_options::recursive);
    return dir;
  }

  static std::vector<std::string> CsvLines(const std::string& root) {
    std::ifstream in(root + "/train/train.csv");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  static void WriteCsv(const std::string& root, const std::vector<std::string>& lines) {
    std::ofstream out(root + "/train/train.csv");
    for (const std::string& line : lines) out << line << "\n";
  }

  // Column `col` of csv line `line` (0 = header).
  static std::string Field(const std::string& root, int line, int col) {
    std::vector<std::string> cols = absl::StrSplit(CsvLines(root)[line], ',');
    return cols[col];
  }

  // Replaces column `col` of csv line `line` (0 = header) with `value`.
  static void SetField(const std::string& root, int line, int col, const std::string& value) {
    std::vector<std::string> lines = CsvLines(root);
    std::vector<std::string> cols = absl::StrSplit(lines[line], ',');
    cols[col] = value;
    lines[line] = absl::StrJoin(cols, ",");
    WriteCsv(root, lines);
  }

  std::string LoadError(const std::string& root) {
    auto index = LoadDatasetIndex(DatasetKind::kMask, root);
    EXPECT_FALSE(index.ok());
    return std::string(index.status().message());
  }

  static std::string* pristine_;
  static int copies_;
};
std::string* MaskIndexTest::pristine_ = nullptr;
int MaskIndexTest::copies_ = 0;

TEST_F(MaskIndexTest, LabelsFollowTheFormulaInCsvAndPhotoOrder) {
  auto index = LoadDatasetIndex(DatasetKind::kMask, *pristine_);
  ASSERT_TRUE(index.ok()) << index.status();
  std::vector<std::string> lines = CsvLines(*pristine_);
  ASSERT_EQ(index->samples.size(), 6u * 7);
  for (int person = 0; person < 6; ++person) {
    std::vector<std::string> cols = absl::StrSplit(lines[person + 1], ',');
    int gender = cols[1] == "female" ? kFemale : kMale;
    int age = 0;
    ASSERT_TRUE(absl::SimpleAtoi(cols[3], &age));
    for (int photo = 0; photo < 7; ++photo) {
      const Sample& s = index->samples[person * 7 + photo];
      EXPECT_EQ(s.key, "train/images/" + cols[4] + "/" + kMaskPhotoNames[photo] + ".jpg");
      EXPECT_EQ(s.group, cols[4]);
      EXPECT_EQ(s.label, 6 * MaskStateOfPhoto(photo) + 3 * gender + AgeBin(age)) << s.key;
    }
  }
}

TEST_F(MaskIndexTest, AcceptsJpegAndPngAndIgnoresMacMetadata) {
  std::string root = Copy();
  std::string folder = root + "/train/images/" + Field(root, 1, 4) + "/";
  fs::rename(folder + "mask2.jpg", folder + "mask2.png");
  fs::rename(folder + "normal.jpg", folder + "normal.jpeg");
  std::ofstream(folder + "._mask3.jpg") << "resource fork";
  auto index = LoadDatasetIndex(DatasetKind::kMask, root);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(fs::path(index->samples[1].key).filename(), "mask2.png");
  EXPECT_EQ(fs::path(index->samples[2].key).filename(), "mask3.jpg");
  EXPECT_EQ(fs::path(index->samples[6].key).filename(), "normal.jpeg");
}

TEST_F(MaskIndexTest, MissingPhoto) {
  std::string root = Copy();
  std::string path = Field(root, 2, 4);
  fs::remove(root + "/train/images/" + path + "/incorrect_mask.jpg");
  EXPECT_EQ(LoadError(root), "train/train.csv: row 3 (path " + path + "): missing photo incorrect_mask.{jpg,jpeg,png} in train/images/" + path + "/");
}

TEST_F(MaskIndexTest, MissingFolder) {
  std::string root = Copy();
  std::string path = Field(root, 4, 4);
  fs::remove_all(root + "/train/images/" + path);
  EXPECT_EQ(LoadError(root), "train/train.csv: row 5 (path " + path + "): missing folder train/images/" + path + "/");
}

TEST_F(MaskIndexTest, BadGender) {
  std::string root = Copy();
  SetField(root, 1, 1, "Male");
  EXPECT_EQ(LoadError(root), "train/train.csv: row 2 (path " + Field(root, 1, 4) + "): gender \"Male\", expected \"male\" or \"female\"");
}

TEST_F(MaskIndexTest, BadAge) {
  std::string root = Copy();
  SetField(root, 6, 3, "45.5");
  EXPECT_EQ(LoadError(root), "train/train.csv: row 7 (path " + Field(root, 6, 4) + "): age \"45.5\", expected a non-negative integer");
}

TEST_F(MaskIndexTest, DuplicatePath) {
  std::string root = Copy();
  std::vector<std::string> lines = CsvLines(root);
  lines.push_back(lines[2]);
  WriteCsv(root, lines);
  EXPECT_EQ(LoadError(root), "train/train.csv: row 8 (path " + Field(root, 2, 4) + "): duplicate path, already listed in an earlier row");
}

TEST_F(MaskIndexTest, BadHeaderAndColumnCount) {
  std::string root = Copy();
  std::vector<std::string> lines = CsvLines(root);
  std::vector<std::string> short_row = lines;
  short_row[3] = "000003,female,Asian,45";
  WriteCsv(root, short_row);
  EXPECT_EQ(LoadError(root), "train/train.csv: row 4: expected 5 columns (id,gender,race,age,path), got 4");
  lines[0] = "id,sex,race,age,path";
  WriteCsv(root, lines);
  EXPECT_EQ(LoadError(root), "train/train.csv: row 1: bad header \"id,sex,race,age,path\", expected \"id,gender,race,age,path\"");
}

// Found by fuzzing (tests/fuzz:train_csv): cells were echoed as they were, so a byte that is not
// UTF-8 or a control character broke the one-line refusal; such a folder name is refused now.
TEST_F(MaskIndexTest, RefusalsQuoteCellsOnOneLine) {
  std::string root = Copy();
  SetField(root, 1, 1, "ma\xffle\x01");
  EXPECT_EQ(LoadError(root), "train/train.csv: row 2 (path " + Field(root, 1, 4) +
                                 "): gender \"ma\\xffle\\x01\", expected \"male\" or \"female\"");
  root = Copy();
  SetField(root, 2, 4, "p\xc3\x01");
  EXPECT_EQ(LoadError(root), "train/train.csv: row 3 (path p\\xc3\\x01): expected a folder name");
  root = Copy();
  SetField(root, 0, 0, "\xfeid");
  EXPECT_EQ(LoadError(root),
            "train/train.csv: row 1: bad header \"\\xfeid,gender,race,age,path\", expected \"id,gender,race,age,path\"");
}

TEST_F(MaskIndexTest, MissingCsv) {
  std::string root = Copy();
  fs::remove(root + "/train/train.csv");
  EXPECT_EQ(LoadError(root), "dataset root " + root + ": missing train/train.csv");
}

TEST_F(MaskIndexTest, WindowsLineEndingsAreAccepted) {
  std::string root = Copy();
  std::vector<std::string> lines = CsvLines(root);
  for (std::string& line : lines) line += "\r";
  WriteCsv(root, lines);
  auto index = LoadDatasetIndex(DatasetKind::kMask, root);
  ASSERT_TRUE(index.ok()) << index.status();
  EXPECT_EQ(index->samples.size(), 42u);
}

}  // namespace
}  // namespace foldstack::data
