// Early-return helpers for absl::Status / absl::StatusOr (Abseil 20220623 has none public).
#ifndef FOLDSTACK_COMMON_STATUS_MACROS_H_
#define FOLDSTACK_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FS_STATUS_CONCAT_INNER(a, b) a##b
#define FS_STATUS_CONCAT(a, b) FS_STATUS_CONCAT_INNER(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define FS_RETURN_IF_ERROR(expr)                   \
  do {                                             \
    const ::absl::Status fs_status_ = (expr);      \
    if (!fs_status_.ok()) return fs_status_;       \
  } while (false)

// `lhs = *expr` when `expr` (a StatusOr) is OK, else returns its status. `lhs` may declare.
#define FS_ASSIGN_OR_RETURN(lhs, expr) \
  FS_ASSIGN_OR_RETURN_IMPL(FS_STATUS_CONCAT(fs_statusor_, __LINE__), lhs, expr)
#define FS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(*tmp)

#endif  // FOLDSTACK_COMMON_STATUS_MACROS_H_
