// SHA-256 of bytes and files (OpenSSL libcrypto), as lower-case hex: what artifacts are checked by.
#ifndef FOLDSTACK_COMMON_SHA256_H_
#define FOLDSTACK_COMMON_SHA256_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace foldstack::common {

// An incremental digest: Update with the bytes in order, then HexDigest (once).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view bytes);
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The file's digest, read in 1 MiB blocks; NOT_FOUND naming the file when it cannot be read.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

// 64 hex digits (either case).
bool IsSha256Hex(absl::string_view text);

}  // namespace foldstack::common

#endif  // FOLDSTACK_COMMON_SHA256_H_
