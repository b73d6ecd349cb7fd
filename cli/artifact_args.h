// What `foldstack artifacts ...` was asked, parsed from its positional arguments and flags, so the
// rules are tested apart from the RPCs (cli/artifact_commands.h).
#ifndef FOLDSTACK_CLI_ARTIFACT_ARGS_H_
#define FOLDSTACK_CLI_ARTIFACT_ARGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace foldstack::cli {

extern const char kArtifactsUsage[];

struct ArtifactFlags {
  std::string trial;     // --trial
  std::string out;       // --out
  int64_t keep_top = -1; // --keep-top (-1: not given)
  bool dry_run = false;  // --dry-run
};

struct ArtifactCommand {
  enum class Action { kList, kGet, kPrune };
  Action action = Action::kList;
  std::string sweep;         // list (unless by trial), prune: a sweep id or name
  int64_t trial_id = 0;      // list --trial
  int64_t artifact_id = 0;   // get
  std::string out;           // get
  int32_t keep_top = 0;      // prune
  bool dry_run = false;      // prune
};

// `args` are the positional arguments after "artifacts" (e.g. {"get", "12"}). INVALID_ARGUMENT with
// one line saying what is wrong and how to write it.
absl::StatusOr<ArtifactCommand> ParseArtifactArgs(const std::vector<std::string>& args, const ArtifactFlags& flags);

}  // namespace foldstack::cli

#endif  // FOLDSTACK_CLI_ARTIFACT_ARGS_H_
