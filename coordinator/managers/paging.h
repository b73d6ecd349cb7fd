// Paginated list RPCs: a page size (PageSize in request_checks.h) and an opaque token, which is the
// position after the last row returned (a number this server wrote).
#ifndef FOLDSTACK_COORDINATOR_MANAGERS_PAGING_H_
#define FOLDSTACK_COORDINATOR_MANAGERS_PAGING_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "coordinator/managers/request_checks.h"

namespace foldstack::coordinator {

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
