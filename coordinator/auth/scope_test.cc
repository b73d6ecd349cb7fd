#include "coordinator/auth/scope.h"

#include <gtest/gtest.h>

namespace foldstack::auth {
namespace {

TEST(Scope, NamesRoundTrip) {
  for (Scope scope : {Scope::kWorker, Scope::kReader, Scope::kLead}) {
    absl::StatusOr<Scope> parsed = ParseScope(ScopeName(scope));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, scope);
  }
  EXPECT_EQ(ScopeName(Scope::kReader), "reader");
}

TEST(Scope, RefusesUnknownWords) {
  absl::Status status = ParseScope("admin").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("'admin'"), std::string::npos);
  EXPECT_FALSE(ParseScope("Lead").ok());
}

}  // namespace
}  // namespace foldstack::auth
