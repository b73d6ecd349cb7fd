#include "proto/tls.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "proto/rpc_util.h"

namespace foldstack::rpc {
namespace {

// The whole PEM file, or a one-line error naming it and the flag it came from.
absl::StatusOr<std::string> ReadPem(const std::string& flag, const std::string& path, const char* kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": cannot read the file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (!absl::StrContains(text, "-----BEGIN ") || !absl::StrContains(text, kind)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": expected a PEM file with a ", kind, " (-----BEGIN ...-----)"));
  }
  return text;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const std::string& cert_path,
                                                                          const std::string& key_path) {
  if (cert_path.empty() && key_path.empty()) return grpc::InsecureServerCredentials();
  if (cert_path.empty() || key_path.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together: give both, or neither for plaintext");
  }
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  FS_ASSIGN_OR_RETURN(pair.cert_chain, ReadPem("--tls_cert", cert_path, "CERTIFICATE"));
  FS_ASSIGN_OR_RETURN(pair.private_key, ReadPem("--tls_key", key_path, "PRIVATE KEY"));
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const std::string& ca_path) {
  if (ca_path.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  FS_ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem("--tls_ca", ca_path, "CERTIFICATE"));
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::Channel> MakeClientChannel(const std::string& address, const std::string& ca_path) {
  auto credentials = ClientCredentials(ca_path);
  return MakeChannel(address, credentials.ok() ? *credentials : grpc::SslCredentials(grpc::SslCredentialsOptions()));
}

std::string ClientTlsCa(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv("FOLDSTACK_TLS_CA");
  return value != nullptr ? value : "";
}

bool IsLoopbackAddress(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

}  // namespace foldstack::rpc
