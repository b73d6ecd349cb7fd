#include "coordinator/artifacts/async_appender.h"

#include <vector>

#include "gtest/gtest.h"

namespace foldstack::artifacts {
namespace {

// Keeps what it is given; fails the append number `fail_at` (1-based; 0: never).
class RecordingWriter : public ArtifactWriter {
 public:
  explicit RecordingWriter(int fail_at = 0) : fail_at_(fail_at) {}
  absl::Status Append(absl::string_view bytes) override {
    if (++appends_ == fail_at_) return absl::ResourceExhaustedError("disk full");
    all_.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  }
  absl::Status Commit(int64_t, absl::string_view) override { return absl::OkStatus(); }
  const std::string& all() const { return all_; }

 private:
  int fail_at_;
  int appends_ = 0;
  std::string all_;
};

TEST(AsyncAppenderTest, AppendsEverythingInOrder) {
  RecordingWriter writer;
  std::string expected;
  {
    AsyncAppender appender(writer, 2);
    for (int i = 0; i < 100; ++i) {
      const std::string piece = std::to_string(i) + ",";
      expected += piece;
      ASSERT_TRUE(appender.Push(piece).ok());
    }
    ASSERT_TRUE(appender.Finish().ok());
  }
  EXPECT_EQ(writer.all(), expected);
}

TEST(AsyncAppenderTest, FirstErrorStopsAndIsReturned) {
  RecordingWriter writer(3);
  AsyncAppender appender(writer, 1);
  absl::Status status;
  for (int i = 0; i < 50 && status.ok(); ++i) status = appender.Push("x");
  EXPECT_EQ(appender.Finish().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(writer.all(), "xx");
}

}  // namespace
}  // namespace foldstack::artifacts
