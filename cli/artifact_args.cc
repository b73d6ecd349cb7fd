#include "cli/artifact_args.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace foldstack::cli {

const char kArtifactsUsage[] =
    "  artifacts list SWEEP | --trial ID\n"
    "                           stored checkpoints and logs of a sweep (id or name) or a trial\n"
    "  artifacts get ID --out FILE\n"
    "                           download an artifact (sha256 checked; FILE replaced atomically)\n"
    "  artifacts prune SWEEP --keep-top N [--dry-run]\n"
    "                           delete the checkpoints of trials outside the top N (never an ensemble's)\n";

namespace {

absl::Status Usage(const std::string& what, const std::string& example) {
  return absl::InvalidArgumentError(absl::StrCat("artifacts ", what, ", e.g. foldstack artifacts ", example));
}

bool PositiveId(const std::string& text, int64_t* id) { return absl::SimpleAtoi(text, id) && *id > 0; }

}  // namespace

absl::StatusOr<ArtifactCommand> ParseArtifactArgs(const std::vector<std::string>& args, const ArtifactFlags& flags) {
  const std::string sub = args.empty() ? "" : args[0];
  ArtifactCommand command;
  if (sub == "list") {
    if (!flags.trial.empty()) {
      if (args.size() != 1) return Usage("list: give a sweep or --trial ID, not both", "list --trial 7");
      if (!PositiveId(flags.trial, &command.trial_id)) {
        return Usage(absl::StrCat("list: --trial \"", flags.trial, "\": expected a trial id"), "list --trial 7");
      }
      return command;
    }
    if (args.size() != 2) return Usage("list: expected a sweep id or name, or --trial ID", "list 3");
    command.sweep = args[1];
    return command;
  }
  if (sub == "get") {
    command.action = ArtifactCommand::Action::kGet;
    if (args.size() != 2 || !PositiveId(args[1], &command.artifact_id)) {
      return Usage("get: expected an artifact id", "get 12 --out best.safetensors");
    }
    if (flags.out.empty()) return Usage("get: --out FILE is required", "get 12 --out best.safetensors");
    command.out = flags.out;
    return command;
  }
  if (sub == "prune") {
    command.action = ArtifactCommand::Action::kPrune;
    if (args.size() != 2) return Usage("prune: expected a sweep id or name", "prune 3 --keep-top 5");
    if (flags.keep_top < 0 || flags.keep_top > 1'000'000) {
      return Usage("prune: --keep-top N is required (0 or more trials to keep)", "prune 3 --keep-top 5");
    }
    command.sweep = args[1];
    command.keep_top = static_cast<int32_t>(flags.keep_top);
    command.dry_run = flags.dry_run;
    return command;
  }
  return Usage(sub.empty() ? "needs list, get or prune" : absl::StrCat("\"", sub, "\": expected list, get or prune"),
               "list 3");
}

}  // namespace foldstack::cli
