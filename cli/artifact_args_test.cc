#include "cli/artifact_args.h"

#include <gtest/gtest.h>

namespace foldstack::cli {
namespace {

using Action = ArtifactCommand::Action;

TEST(ArtifactArgs, ListBySweepIdNameOrTrial) {
  auto by_name = ParseArtifactArgs({"list", "mask-resnet"}, {});
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  EXPECT_EQ(by_name->action, Action::kList);
  EXPECT_EQ(by_name->sweep, "mask-resnet");
  ArtifactFlags flags;
  flags.trial = "7";
  auto by_trial = ParseArtifactArgs({"list"}, flags);
  ASSERT_TRUE(by_trial.ok()) << by_trial.status();
  EXPECT_EQ(by_trial->trial_id, 7);
  EXPECT_TRUE(by_trial->sweep.empty());
  EXPECT_FALSE(ParseArtifactArgs({"list", "3"}, flags).ok());
  flags.trial = "seven";
  EXPECT_EQ(ParseArtifactArgs({"list"}, flags).status().message(),
            "artifacts list: --trial \"seven\": expected a trial id, e.g. foldstack artifacts list --trial 7");
  EXPECT_FALSE(ParseArtifactArgs({"list"}, {}).ok());
}

TEST(ArtifactArgs, GetNeedsAnIdAndOut) {
  ArtifactFlags flags;
  flags.out = "w.safetensors";
  auto get = ParseArtifactArgs({"get", "12"}, flags);
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->action, Action::kGet);
  EXPECT_EQ(get->artifact_id, 12);
  EXPECT_EQ(get->out, "w.safetensors");
  EXPECT_FALSE(ParseArtifactArgs({"get", "0"}, flags).ok());
  EXPECT_EQ(ParseArtifactArgs({"get", "12"}, {}).status().message(),
            "artifacts get: --out FILE is required, e.g. foldstack artifacts get 12 --out best.safetensors");
}

TEST(ArtifactArgs, PruneNeedsKeepTop) {
  ArtifactFlags flags;
  flags.keep_top = 3;
  flags.dry_run = true;
  auto prune = ParseArtifactArgs({"prune", "4"}, flags);
  ASSERT_TRUE(prune.ok()) << prune.status();
  EXPECT_EQ(prune->action, Action::kPrune);
  EXPECT_EQ(prune->sweep, "4");
  EXPECT_EQ(prune->keep_top, 3);
  EXPECT_TRUE(prune->dry_run);
  flags.keep_top = 0;
  EXPECT_TRUE(ParseArtifactArgs({"prune", "4"}, flags).ok());
  EXPECT_FALSE(ParseArtifactArgs({"prune", "4"}, {}).ok());
  EXPECT_FALSE(ParseArtifactArgs({"prune"}, flags).ok());
}

TEST(ArtifactArgs, UnknownSubcommandIsOneLine) {
  EXPECT_EQ(ParseArtifactArgs({"show", "1"}, {}).status().message(),
            "artifacts \"show\": expected list, get or prune, e.g. foldstack artifacts list 3");
  EXPECT_FALSE(ParseArtifactArgs({}, {}).ok());
}

}  // namespace
}  // namespace foldstack::cli
