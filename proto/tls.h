// TLS for the API: server credentials from a PEM certificate and key, client credentials trusting a
// PEM CA. Plaintext stays possible (and the default) so that a loopback-only coordinator needs no
// certificate; a non-loopback one without TLS is warned about by its caller.
#ifndef FOLDSTACK_PROTO_TLS_H_
#define FOLDSTACK_PROTO_TLS_H_

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace foldstack::rpc {

// TLS with the certificate chain and private key in `cert_path` / `key_path` when both are given,
// plaintext when neither is; one without the other, or an unreadable or non-PEM file, is an error.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const std::string& cert_path,
                                                                          const std::string& key_path);

// TLS checked against the CA certificate(s) in `ca_path`, or plaintext when it is empty.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const std::string& ca_path);

// A channel (rpc::MakeChannel) to `address`, over TLS when `ca_path` is set. Callers check the CA file
// with ClientCredentials first, to refuse a bad one in one line; should it have become unreadable
// since, the channel still insists on TLS (and fails) rather than fall back to plaintext.
std::shared_ptr<grpc::Channel> MakeClientChannel(const std::string& address, const std::string& ca_path);

// The CA a client trusts: the flag's value when given, else $FOLDSTACK_TLS_CA (empty: plaintext).
std::string ClientTlsCa(const std::string& flag);

// Whether "HOST:PORT" only accepts connections from this machine (127.0.0.0/8, ::1, localhost).
bool IsLoopbackAddress(const std::string& listen);

}  // namespace foldstack::rpc

#endif  // FOLDSTACK_PROTO_TLS_H_
