#include "coordinator/auth/token_auth.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace foldstack::auth {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(Sha256, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(TokenFingerprint("abc"), "ba7816bf8f01");
}

TEST(TokenAuthenticator, AcceptsListedTokensOnly) {
  std::string path = TempPath("tokens");
  std::ofstream(path) << "# team tokens\n\n  alpha-123  \nbeta\n";
  absl::StatusOr<TokenAuthenticator> auth = TokenAuthenticator::FromFile(path);
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_EQ(auth->size(), 2u);
  absl::StatusOr<std::string> who = auth->Authenticate("Bearer alpha-123");
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(*who, TokenFingerprint("alpha-123"));
  EXPECT_TRUE(auth->Authenticate("Bearer beta").ok());

  absl::StatusOr<std::string> bad = auth->Authenticate("Bearer gamma-secret");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(bad.status().message().find("gamma-secret"), std::string::npos);
  EXPECT_EQ(auth->Authenticate("").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth->Authenticate("Bearer ").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth->Authenticate("alpha-123").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(TokenAuthenticator, RefusesMissingOrEmptyFile) {
  EXPECT_EQ(TokenAuthenticator::FromFile(TempPath("nope")).status().code(), absl::StatusCode::kNotFound);
  std::string path = TempPath("empty_tokens");
  std::ofstream(path) << "# nothing\n";
  absl::Status status = TokenAuthenticator::FromFile(path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(path), std::string::npos);
}

}  // namespace
}  // namespace foldstack::auth
