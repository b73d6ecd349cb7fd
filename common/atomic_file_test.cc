#include "common/atomic_file.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace foldstack::common {
namespace {

constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::string Dir(const std::string& name) {
  const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

int Entries(const std::string& dir) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.is_regular_file();
  return n;
}

TEST(AtomicFileWriterTest, CommitsVerifiedBytes) {
  const std::string dir = Dir("ok");
  auto writer = AtomicFileWriter::Create(dir + "/sub/f", "f");
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->Append("ab").ok());
  ASSERT_TRUE((*writer)->Append("c").ok());
  EXPECT_FALSE(std::filesystem::exists(dir + "/sub/f"));  // not visible before Commit
  ASSERT_TRUE((*writer)->Commit(3, kAbc).ok());
  std::stringstream text;
  text << std::ifstream(dir + "/sub/f").rdbuf();
  EXPECT_EQ(text.str(), "abc");
  EXPECT_EQ(Entries(dir + "/sub"), 1);
}

TEST(AtomicFileWriterTest, MismatchLeavesNothing) {
  const std::string dir = Dir("bad");
  auto writer = AtomicFileWriter::Create(dir + "/f", "artifact f");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("abd").ok());
  absl::Status status = (*writer)->Commit(3, kAbc);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("sha256"), std::string::npos) << status;
  EXPECT_EQ(Entries(dir), 0);

  auto short_writer = AtomicFileWriter::Create(dir + "/g", "g");
  ASSERT_TRUE(short_writer.ok());
  ASSERT_TRUE((*short_writer)->Append("ab").ok());
  EXPECT_EQ((*short_writer)->Commit(3, kAbc).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Entries(dir), 0);
}

TEST(AtomicFileWriterTest, DestructionWithoutCommitDeletes) {
  const std::string dir = Dir("dropped");
  {
    auto writer = AtomicFileWriter::Create(dir + "/f", "f");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("abc").ok());
  }
  EXPECT_EQ(Entries(dir), 0);
}

}  // namespace
}  // namespace foldstack::common
