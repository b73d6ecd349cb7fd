#include "common/sha256.h"

#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace foldstack::common {
namespace {

constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256Test, KnownDigestInPieces) {
  Sha256 digest;
  digest.Update("a");
  digest.Update("bc");
  EXPECT_EQ(digest.HexDigest(), kAbc);
}

TEST(Sha256Test, OfFile) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/abc";
  std::ofstream(path) << "abc";
  EXPECT_EQ(*Sha256OfFile(path), kAbc);
  EXPECT_EQ(Sha256OfFile(path + ".missing").status().code(), absl::StatusCode::kNotFound);
}

TEST(Sha256Test, RecognisesHex) {
  EXPECT_TRUE(IsSha256Hex(kAbc));
  EXPECT_FALSE(IsSha256Hex("abc"));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'g')));
}

}  // namespace
}  // namespace foldstack::common
