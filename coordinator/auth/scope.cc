#include "coordinator/auth/scope.h"

#include "absl/strings/str_cat.h"

namespace foldstack::auth {

absl::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kWorker:
      return "worker";
    case Scope::kReader:
      return "reader";
    case Scope::kLead:
      return "lead";
  }
  return "unknown";
}

absl::StatusOr<Scope> ParseScope(absl::string_view name) {
  for (Scope scope : {Scope::kWorker, Scope::kReader, Scope::kLead}) {
    if (name == ScopeName(scope)) return scope;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown scope '", name, "' (expected worker, reader or lead)"));
}

}  // namespace foldstack::auth
