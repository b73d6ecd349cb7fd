// Paginated list RPCs: a page size (0 = 100, at most 1000) and an opaque token, which is the
// position after the last row returned (a number this server wrote).
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_PAGING_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_PAGING_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace foldstack::coordinator {

inline int32_t PageSize(int32_t requested) { return requested <= 0 ? 100 : std::min(requested, 1000); }

// The token's position, or `first` for "" (the first page).
inline absl::StatusOr<int64_t> PagePosition(const std::string& token, int64_t first) {
  if (token.empty()) return first;
  int64_t position = 0;
  if (!absl::SimpleAtoi(token, &position)) {
    return absl::InvalidArgumentError(absl::StrCat("page_token: not one this server gave: \"", token, "\""));
  }
  return position;
}

}  // namespace foldstack::coordinator

#endif  // FOLDSTACK_COORDINATOR_MANAGERS_PAGING_H_
