#include "tests/testing/test_certificates.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace foldstack::testing {
namespace {

absl::Status Run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    return absl::InternalError(absl::StrCat("failed: ", command));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir, const std::string& name) {
  const std::string base = dir + "/" + name;
  TestCertificates made{base + "-ca.pem", base + "-server.pem", base + "-server.key"};
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::ofstream(base + "-san.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  for (const std::string& command : {
           absl::StrCat("openssl req -x509 ", ec, " -keyout ", base, "-ca.key -out ", made.ca,
                        " -days 2 -subj /CN=foldstack-test-ca"),
           absl::StrCat("openssl req ", ec, " -keyout ", made.key, " -out ", base, "-server.csr -subj /CN=localhost"),
           absl::StrCat("openssl x509 -req -in ", base, "-server.csr -CA ", made.ca, " -CAkey ", base,
                        "-ca.key -CAcreateserial -days 2 -extfile ", base, "-san.cnf -out ", made.cert)}) {
    if (absl::Status status = Run(command); !status.ok()) return status;
  }
  return made;
}

}  // namespace foldstack::testing
