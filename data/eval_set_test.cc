#include "data/eval_set.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace fs = std::filesystem;

namespace foldstack::data {
namespace {

// A fresh root with eval/info.csv = `csv` and empty files for `images` under eval/images/.
std::string MakeRoot(const std::string& name, const std::string& csv, const std::vector<std::string>& images) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  fs::remove_all(root);
  fs::create_directories(root + "/eval/images");
  std::ofstream(root + "/eval/info.csv", std::ios::binary) << csv;
  for (const auto& image : images) std::ofstream(root + "/eval/images/" + image) << "jpeg";
  return root;
}

TEST(EvalSetTest, ReadsRowsInOrder) {
  const std::string root = MakeRoot("ok", "ImageID,ans\r\nb.jpg,0\r\na.jpg,\r\nc,0\r\n", {"a.jpg", "b.jpg", "c.jpg"});
  absl::StatusOr<EvalSet> set = LoadEvalSet(root);
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ(set->images.size(), 3u);
  EXPECT_EQ(set->images[0].image_id, "b.jpg");
  EXPECT_EQ(set->images[0].key, "eval/images/b.jpg");
  EXPECT_EQ(set->images[1].image_id, "a.jpg");
  // An id without an extension finds its .jpg.
  EXPECT_EQ(set->images[2].image_id, "c");
  EXPECT_EQ(set->images[2].key, "eval/images/c.jpg");
}

TEST(EvalSetTest, ColumnOrderDoesNotMatter) {
  const std::string root = MakeRoot("swapped", "ans,ImageID\n0,a.jpg\n", {"a.jpg"});
  absl::StatusOr<EvalSet> set = LoadEvalSet(root);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->images[0].image_id, "a.jpg");
}

TEST(EvalSetTest, BadInputIsOneLineNamingTheRow) {
  struct Case {
    std::string csv;
    std::string message;  // after "<root>/eval/info.csv: "
  };
  const std::vector<Case> cases = {
      {"", "empty file, expected a header ImageID,ans"},
      {"id,answer\n", "header: expected columns ImageID and ans, got \"id,answer\""},
      {"ImageID,ans\n", "no rows after the header"},
      {"ImageID,ans\na.jpg,0\nb.jpg\n", "row 2: expected 2 columns (ImageID,ans), got 1"},
      {"ImageID,ans\na.jpg,0\na.jpg,0\n", "row 2: duplicate ImageID \"a.jpg\" (first in row 1)"},
      {"ImageID,ans\n,0\n", "row 1: empty ImageID"},
      {"ImageID,ans\n../a.jpg,0\n", "row 1: ImageID \"../a.jpg\" is not a plain file name"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string root = MakeRoot("bad" + std::to_string(i), cases[i].csv, {"a.jpg"});
    absl::StatusOr<EvalSet> set = LoadEvalSet(root);
    ASSERT_FALSE(set.ok()) << cases[i].csv;
    EXPECT_EQ(set.status().message(), root + "/eval/info.csv: " + cases[i].message);
  }
  const std::string root = MakeRoot("missing_image", "ImageID,ans\na.jpg,0\nz.jpg,0\n", {"a.jpg"});
  EXPECT_EQ(LoadEvalSet(root).status().message(),
            root + "/eval/info.csv: row 2: ImageID \"z.jpg\": no image at " + root + "/eval/images/z.jpg");
  EXPECT_EQ(LoadEvalSet(root + "/nowhere").status().code(), absl::StatusCode::kNotFound);
}

// Found by fuzzing (tests/fuzz:eval_info_csv): header cells and ImageIDs were echoed as they
// were, so a control character or a byte that is not UTF-8 broke the one-line refusal.
TEST(EvalSetTest, RefusalsQuoteInputOnOneLine) {
  std::string root = MakeRoot("bad_header", "ans,Ima\xffgeID\n0,a.jpg\n", {"a.jpg"});
  EXPECT_EQ(LoadEvalSet(root).status().message(),
            root + "/eval/info.csv: header: expected columns ImageID and ans, got \"ans,Ima\\xffgeID\"");
  root = MakeRoot("bad_id", "ImageID,ans\na\x01\xc3.jpg,0\n", {});
  EXPECT_EQ(LoadEvalSet(root).status().message(),
            root + "/eval/info.csv: row 1: ImageID \"a\\x01\\xc3.jpg\" is not a plain file name");
}

}  // namespace
}  // namespace foldstack::data
