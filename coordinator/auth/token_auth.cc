#include "coordinator/auth/token_auth.h"

#include <openssl/evp.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace foldstack::auth {

std::string Sha256Hex(absl::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string TokenFingerprint(absl::string_view token) { return Sha256Hex(token).substr(0, 12); }

absl::StatusOr<TokenAuthenticator> TokenAuthenticator::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("tokens file ", path, ": cannot open"));
  std::set<std::string> tokens;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view token = absl::StripAsciiWhitespace(line);
    if (token.empty() || token.front() == '#') continue;
    tokens.insert(std::string(token));
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tokens file ", path, ": expected at least one token (one a line)"));
  }
  return FromTokens(tokens);
}

TokenAuthenticator TokenAuthenticator::FromTokens(const std::set<std::string>& tokens) {
  TokenAuthenticator auth;
  for (const std::string& token : tokens) auth.digests_.insert(Sha256Hex(token));
  return auth;
}

absl::StatusOr<std::string> TokenAuthenticator::Authenticate(absl::string_view authorization) const {
  constexpr absl::string_view kPrefix = "Bearer ";
  if (!absl::StartsWith(authorization, kPrefix)) {
    return absl::UnauthenticatedError("missing token: pass --token or set FOLDSTACK_TOKEN");
  }
  absl::string_view token = authorization.substr(kPrefix.size());
  // Comparing digests rather than tokens keeps the comparison independent of the token's bytes.
  if (token.empty() || digests_.count(Sha256Hex(token)) == 0) {
    return absl::UnauthenticatedError("invalid token");
  }
  return TokenFingerprint(token);
}

}  // namespace foldstack::auth
