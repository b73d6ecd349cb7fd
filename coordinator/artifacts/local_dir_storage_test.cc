#include "coordinator/artifacts/local_dir_storage.h"

#include <cstdlib>
#include <filesystem>

#include "common/sha256.h"
#include "gtest/gtest.h"

namespace foldstack::artifacts {
namespace {

std::unique_ptr<LocalDirStorage> Fresh(const std::string& name) {
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::filesystem::remove_all(root);
  auto storage = LocalDirStorage::Create(root);
  EXPECT_TRUE(storage.ok()) << storage.status();
  return std::move(*storage);
}

std::string Sha(const std::string& bytes) {
  common::Sha256 digest;
  digest.Update(bytes);
  return digest.HexDigest();
}

std::string ReadAll(ArtifactStorage& storage, const std::string& key) {
  auto reader = storage.Open(key);
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::string all, chunk;
  do {
    EXPECT_TRUE((*reader)->Read(3, &chunk).ok());
    all += chunk;
  } while (!chunk.empty());
  return all;
}

TEST(LocalDirStorageTest, PutOpenSizeDelete) {
  auto storage = Fresh("basic");
  auto writer = storage->Put("train-job-1/best.safetensors");
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->Append("hello ").ok());
  ASSERT_TRUE((*writer)->Append("world").ok());
  EXPECT_EQ(storage->Size("train-job-1/best.safetensors").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE((*writer)->Commit(11, Sha("hello world")).ok());
  EXPECT_EQ(*storage->Size("train-job-1/best.safetensors"), 11);
  EXPECT_EQ(ReadAll(*storage, "train-job-1/best.safetensors"), "hello world");
  ASSERT_TRUE(storage->Delete("train-job-1/best.safetensors").ok());
  EXPECT_TRUE(storage->Delete("train-job-1/best.safetensors").ok());  // missing is fine
  EXPECT_EQ(storage->Open("train-job-1/best.safetensors").status().code(), absl::StatusCode::kNotFound);
}

TEST(LocalDirStorageTest, ChecksumMismatchLeavesNoFile) {
  auto storage = Fresh("mismatch");
  auto writer = storage->Put("a/b");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("abc").ok());
  EXPECT_EQ((*writer)->Commit(3, Sha("abd")).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::filesystem::is_empty(storage->root() + "/a"));
}

TEST(LocalDirStorageTest, RefusesKeysOutsideTheFolder) {
  auto storage = Fresh("keys");
  EXPECT_EQ(storage->Put("../x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(storage->Put("/etc/passwd").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(storage->Put("a//b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(IsValidKey("train-job-3/best_checkpoint-0123.safetensors"));
}

}  // namespace
}  // namespace foldstack::artifacts
