// Certificates for TLS tests, made with the openssl command as the README tells operators to:
// a CA, and a server certificate it signed for 127.0.0.1 and localhost.
#ifndef FOLDSTACK_TESTS_TESTING_TEST_CERTIFICATES_H_
#define FOLDSTACK_TESTS_TESTING_TEST_CERTIFICATES_H_

#include <string>

#include "absl/status/statusor.h"

namespace foldstack::testing {

struct TestCertificates {
  std::string ca;    // PEM: the CA certificate clients trust
  std::string cert;  // PEM: the server's certificate, signed by the CA
  std::string key;   // PEM: the server's private key
};

// Writes them into `dir` (which must exist); `name` keeps two sets in one folder apart.
absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir, const std::string& name = "test");

}  // namespace foldstack::testing

#endif  // FOLDSTACK_TESTS_TESTING_TEST_CERTIFICATES_H_
