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

TEST(TokenAuthenticator, BareTokensAreLeadNamedByFingerprint) {
  std::string path = TempPath("tokens");
  std::ofstream(path) << "# team tokens\n\n  alpha-123  \nbeta\n";
  absl::StatusOr<TokenAuthenticator> auth = TokenAuthenticator::FromFile(path);
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_EQ(auth->size(), 2u);
  absl::StatusOr<Identity> who = auth->Authenticate("Bearer alpha-123");
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->name, TokenFingerprint("alpha-123"));
  EXPECT_EQ(who->scope, Scope::kLead);
  EXPECT_TRUE(auth->Authenticate("Bearer beta").ok());

  absl::StatusOr<Identity> bad = auth->Authenticate("Bearer gamma-secret");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(bad.status().message().find("gamma-secret"), std::string::npos);
  EXPECT_EQ(auth->Authenticate("").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth->Authenticate("Bearer ").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth->Authenticate("alpha-123").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(TokenAuthenticator, NamedLinesCarryNameAndScope) {
  absl::StatusOr<TokenAuthenticator> auth = TokenAuthenticator::FromLines(
      {"ci reader tok-ci  # the CI box", "gpu-1\tworker\ttok-gpu", "ana lead tok-ana", "legacy-tok"}, "test");
  ASSERT_FALSE(auth.ok());  // a trailing comment makes 6 fields: comments are whole lines only
  auth = TokenAuthenticator::FromLines({"ci reader tok-ci", "gpu-1\tworker\ttok-gpu", "ana lead tok-ana", "legacy"},
                                       "test");
  ASSERT_TRUE(auth.ok()) << auth.status();
  absl::StatusOr<Identity> ci = auth->Authenticate("Bearer tok-ci");
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->name, "ci");
  EXPECT_EQ(ci->scope, Scope::kReader);
  EXPECT_EQ(auth->Authenticate("Bearer tok-gpu")->scope, Scope::kWorker);
  EXPECT_EQ(auth->Authenticate("Bearer tok-ana")->name, "ana");
  EXPECT_EQ(auth->Authenticate("Bearer legacy")->scope, Scope::kLead);
  // The name is not a token.
  EXPECT_FALSE(auth->Authenticate("Bearer ci").ok());
}

TEST(TokenAuthenticator, DigestsFindTheirHolder) {
  absl::StatusOr<TokenAuthenticator> auth = TokenAuthenticator::FromLines({"ci reader tok-ci"}, "f");
  ASSERT_TRUE(auth.ok());
  absl::StatusOr<Identity> ci = auth->AuthenticateDigest(Sha256Hex("tok-ci"));
  ASSERT_TRUE(ci.ok());
  EXPECT_EQ(ci->name, "ci");
  EXPECT_EQ(ci->scope, Scope::kReader);
  EXPECT_EQ(auth->AuthenticateDigest("tok-ci").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(TokenAuthenticator, BadLinesNameFileAndLineWithoutTheToken) {
  struct Case {
    std::string line;
    std::string expect;
  };
  for (const Case& c : std::vector<Case>{{"ci reader", "got 2 fields"},
                                         {"ci admin s3cret", "unknown scope 'admin'"},
                                         {"c/i reader s3cret", "bad NAME"},
                                         {"a b c s3cret", "got 4 fields"}}) {
    absl::Status status = TokenAuthenticator::FromLines({"# header", "ok lead fine", c.line}, "tokens file T").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_NE(status.message().find("tokens file T:3: "), std::string::npos) << status;
    EXPECT_NE(status.message().find(c.expect), std::string::npos) << status;
    EXPECT_EQ(status.message().find("s3cret"), std::string::npos) << status;
  }
  absl::Status twice = TokenAuthenticator::FromLines({"a lead same", "b reader same"}, "f").status();
  EXPECT_NE(twice.message().find("f:2: the same token is listed twice"), std::string::npos) << twice;
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
