#include "worker/trainer/distributed/rank_info.h"

#include <cstdlib>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace foldstack::trainer::distributed {
namespace {

std::optional<std::string> GetEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// Parses the integer variable `name` within [low, high]; `fallback` when absent.
absl::StatusOr<int> IntFromEnv(const char* name, int low, int high, std::optional<int> fallback,
                               const std::string& range_text) {
  std::optional<std::string> text = GetEnv(name);
  if (!text.has_value()) {
    if (fallback.has_value()) return *fallback;
    return absl::InvalidArgumentError(absl::StrCat(name, ": missing; expected an integer in ", range_text));
  }
  int value = 0;
  if (!absl::SimpleAtoi(*text, &value) || value < low || value > high) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": expected an integer in ", range_text, ", got \"", *text, "\""));
  }
  return value;
}

}  // namespace

absl::StatusOr<RankInfo> RankInfoFromEnvironment() {
  RankInfo info;
  absl::StatusOr<int> world_size =
      IntFromEnv(kWorldSizeEnv, 1, kMaxWorldSize, 1, absl::StrCat("[1, ", kMaxWorldSize, "]"));
  if (!world_size.ok()) return world_size.status();
  info.world_size = *world_size;
  // A lone process needs no rendezvous, so only a real world requires the rest.
  const bool alone = info.world_size == 1;
  absl::StatusOr<int> rank =
      IntFromEnv(kRankEnv, 0, info.world_size - 1, alone ? std::optional<int>(0) : std::nullopt,
                 absl::StrCat("[0, ", kWorldSizeEnv, "=", info.world_size, ")"));
  if (!rank.ok()) return rank.status();
  info.rank = *rank;
  absl::StatusOr<int> port =
      IntFromEnv(kMasterPortEnv, 1, 65535, alone ? std::optional<int>(0) : std::nullopt, "[1, 65535]");
  if (!port.ok()) return port.status();
  info.master_port = *port;
  std::optional<std::string> addr = GetEnv(kMasterAddrEnv);
  if (addr.has_value()) {
    if (addr->empty()) return absl::InvalidArgumentError(absl::StrCat(kMasterAddrEnv, ": expected a host name or address, got \"\""));
    info.master_addr = *addr;
  }
  return info;
}

std::pair<int64_t, int64_t> ShardRange(int64_t n, int rank, int world_size) {
  return {rank * n / world_size, (rank + 1) * n / world_size};
}

}  // namespace foldstack::trainer::distributed
