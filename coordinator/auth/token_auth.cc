#include "coordinator/auth/token_auth.h"

#include <openssl/evp.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace foldstack::auth {
namespace {

bool ValidName(absl::string_view name) {
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return !name.empty();
}

// The identity a line grants, or why the line is bad (without the token).
absl::StatusOr<Identity> LineIdentity(const std::vector<absl::string_view>& fields) {
  if (fields.size() == 1) return Identity{TokenFingerprint(fields[0]), Scope::kLead};
  if (fields.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected NAME SCOPE TOKEN or a bare TOKEN, got ", fields.size(), " fields"));
  }
  if (!ValidName(fields[0])) {
    return absl::InvalidArgumentError("bad NAME: letters, digits, '_', '.' and '-' only");
  }
  FS_ASSIGN_OR_RETURN(Scope scope, ParseScope(fields[1]));
  return Identity{std::string(fields[0]), scope};
}

}  // namespace

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
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return FromLines(lines, absl::StrCat("tokens file ", path));
}

absl::StatusOr<TokenAuthenticator> TokenAuthenticator::FromLines(const std::vector<std::string>& lines,
                                                                 absl::string_view origin) {
  TokenAuthenticator auth;
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::Status added = auth.AddLine(lines[i]);
    if (!added.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(origin, ":", i + 1, ": ", added.message()));
    }
  }
  if (auth.identities_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": expected at least one token (one a line)"));
  }
  return auth;
}

absl::Status TokenAuthenticator::AddLine(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  if (line.empty() || line.front() == '#') return absl::OkStatus();
  const std::vector<absl::string_view> fields = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  FS_ASSIGN_OR_RETURN(Identity identity, LineIdentity(fields));
  if (!identities_.emplace(Sha256Hex(fields.back()), identity).second) {
    return absl::InvalidArgumentError("the same token is listed twice");
  }
  return absl::OkStatus();
}

absl::StatusOr<Identity> TokenAuthenticator::AuthenticateDigest(const std::string& digest) const {
  auto it = identities_.find(digest);
  if (it == identities_.end()) return absl::UnauthenticatedError("the token of this session was revoked");
  return it->second;
}

absl::StatusOr<Identity> TokenAuthenticator::Authenticate(absl::string_view authorization) const {
  constexpr absl::string_view kPrefix = "Bearer ";
  if (!absl::StartsWith(authorization, kPrefix)) {
    return absl::UnauthenticatedError("missing token: pass --token or set FOLDSTACK_TOKEN");
  }
  absl::string_view token = authorization.substr(kPrefix.size());
  // Comparing digests rather than tokens keeps the comparison independent of the token's bytes.
  auto it = token.empty() ? identities_.end() : identities_.find(Sha256Hex(token));
  if (it == identities_.end()) return absl::UnauthenticatedError("invalid token");
  return it->second;
}

}  // namespace foldstack::auth
