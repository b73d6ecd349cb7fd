#include "coordinator/managers/photo_manager.h"

#include <cstdlib>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>

#include "coordinator/store/test_util.h"
#include "gtest/gtest.h"

namespace foldstack::coordinator {
namespace {

class PhotoManagerTest : public ::testing::Test {
 protected:
  PhotoManagerTest() : db_(testing::OpenFreshDb("photos")), photos_(*db_) {
    const std::filesystem::path tmp = std::getenv("TEST_TMPDIR");
    root_ = (tmp / "data").string();
    std::filesystem::create_directories(tmp / "data" / "img");
    cv::imwrite((tmp / "data" / "img" / "0.jpg").string(), cv::Mat(300, 200, CV_8UC3, cv::Scalar(10, 200, 30)));
    cv::imwrite((tmp / "outside.jpg").string(), cv::Mat(10, 10, CV_8UC3, cv::Scalar(0, 0, 0)));
    std::filesystem::remove(tmp / "data" / "img" / "link.jpg");
    std::filesystem::create_symlink(tmp / "outside.jpg", tmp / "data" / "img" / "link.jpg");
    DatasetRecord dataset{"mask", root_, 3, {{"img/0.jpg", 0, "p0"}, {"img/link.jpg", 1, "p0"}, {"../outside.jpg", 2, "p1"}}};
    auto id = EnsureDataset(*db_, dataset, 1000);
    EXPECT_TRUE(id.ok()) << id.status();
    dataset_id_ = id.value_or(0);
  }

  std::unique_ptr<SqliteDb> db_;
  PhotoManager photos_;
  std::string root_;
  int64_t dataset_id_ = 0;
};

TEST_F(PhotoManagerTest, ThumbnailsAreResizedJpegsOfNamedPhotos) {
  absl::StatusOr<std::string> thumb = photos_.Thumbnail(dataset_id_, "img/0.jpg", 60);
  ASSERT_TRUE(thumb.ok()) << thumb.status();
  const cv::Mat decoded = cv::imdecode(std::vector<unsigned char>(thumb->begin(), thumb->end()), cv::IMREAD_COLOR);
  EXPECT_EQ(decoded.rows, 60);
  EXPECT_EQ(decoded.cols, 40);
  EXPECT_EQ(*photos_.Thumbnail(dataset_id_, "img/0.jpg", 60), *thumb);  // from the cache
  EXPECT_EQ(photos_.Thumbnail(dataset_id_, "img/0.jpg", 5000).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PhotoManagerTest, PathsTheDatabaseDoesNotNameOrThatLeaveTheRootAreRefused) {
  for (const char* key : {"../../etc/passwd", "/etc/passwd", "img/../img/0.jpg", "img/1.jpg", ""}) {
    EXPECT_EQ(photos_.PhotoPath(dataset_id_, key).status().code(), absl::StatusCode::kNotFound) << key;
  }
  // Named by the database, but outside the root: by "..", and by a symlink.
  EXPECT_EQ(photos_.PhotoPath(dataset_id_, "../outside.jpg").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(photos_.PhotoPath(dataset_id_, "img/link.jpg").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(photos_.PhotoPath(dataset_id_ + 1, "img/0.jpg").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(photos_.PhotoPath(dataset_id_, "img/0.jpg").ok());
}

}  // namespace
}  // namespace foldstack::coordinator
