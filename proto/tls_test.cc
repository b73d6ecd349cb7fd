#include "proto/tls.h"

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "proto/foldstack.grpc.pb.h"
#include "proto/rpc_util.h"
#include "tests/testing/test_certificates.h"

namespace foldstack::rpc {
namespace {

std::string TempDir() { return std::getenv("TEST_TMPDIR"); }

// A server whose Coordinator methods are all unimplemented: a call that reaches it over TLS gets
// UNIMPLEMENTED, one that fails the handshake gets UNAVAILABLE.
class TlsHandshakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = testing::MakeTestCertificates(TempDir(), "server");
    ASSERT_TRUE(made.ok()) << made.status();
    certs_ = *made;
    auto credentials = ServerCredentials(certs_.cert, certs_.key);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }
  bool Connects(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto stub = v1::Coordinator::NewStub(MakeChannel("127.0.0.1:" + std::to_string(port_), std::move(credentials)));
    auto context = MakeContext("token", std::chrono::seconds(3));
    v1::ListSweepsResponse response;
    const grpc::Status status = stub->ListSweeps(context.get(), v1::ListSweepsRequest(), &response);
    EXPECT_TRUE(status.error_code() == grpc::StatusCode::UNIMPLEMENTED ||
                status.error_code() == grpc::StatusCode::UNAVAILABLE)
        << status.error_message();
    return status.error_code() == grpc::StatusCode::UNIMPLEMENTED;
  }

  v1::Coordinator::Service service_;
  testing::TestCertificates certs_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(TlsHandshakeTest, ClientTrustingTheCaConnects) {
  auto credentials = ClientCredentials(certs_.ca);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_TRUE(Connects(*credentials));
}

TEST_F(TlsHandshakeTest, PlaintextClientAndClientTrustingAnotherCaAreRefused) {
  EXPECT_FALSE(Connects(nullptr));
  auto other = testing::MakeTestCertificates(TempDir(), "other");
  ASSERT_TRUE(other.ok()) << other.status();
  auto credentials = ClientCredentials(other->ca);
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_FALSE(Connects(*credentials));
}

TEST(TlsCredentialsTest, NeitherFileMeansPlaintextOneWithoutTheOtherIsRefused) {
  EXPECT_TRUE(ServerCredentials("", "").ok());
  absl::Status half = ServerCredentials("cert.pem", "").status();
  EXPECT_EQ(half.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(half.message(), "--tls_cert and --tls_key go together")) << half;
  EXPECT_TRUE(ClientCredentials("").ok());
}

TEST(TlsCredentialsTest, UnreadableOrNonPemFilesAreNamedInOneLine) {
  absl::Status missing = ClientCredentials("/nonexistent/ca.pem").status();
  EXPECT_EQ(missing.message(), "--tls_ca /nonexistent/ca.pem: cannot read the file");
  const std::string junk = TempDir() + "/junk.pem";
  std::ofstream(junk) << "not a certificate\n";
  absl::Status not_pem = ServerCredentials(junk, junk).status();
  EXPECT_TRUE(absl::StartsWith(not_pem.message(), "--tls_cert " + junk + ": expected a PEM file")) << not_pem;
  EXPECT_FALSE(absl::StrContains(not_pem.message(), "\n"));
}

TEST(TlsCredentialsTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3:0"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:50051"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:50051"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.5:50051"));
  EXPECT_FALSE(IsLoopbackAddress("gpu-node-1:50051"));
}

TEST(TlsCredentialsTest, CaComesFromTheFlagElseTheEnvironment) {
  setenv("FOLDSTACK_TLS_CA", "/etc/foldstack/ca.pem", 1);
  EXPECT_EQ(ClientTlsCa(""), "/etc/foldstack/ca.pem");
  EXPECT_EQ(ClientTlsCa("mine.pem"), "mine.pem");
  unsetenv("FOLDSTACK_TLS_CA");
  EXPECT_EQ(ClientTlsCa(""), "");
}

}  // namespace
}  // namespace foldstack::rpc
