#include "cli/flag_names.h"

#include "gtest/gtest.h"

namespace foldstack::cli {
namespace {

TEST(FlagNamesTest, DashesInFlagNamesBecomeUnderscores) {
  EXPECT_EQ(NormalizeFlagDashes({"foldstack", "models", "list", "--num-classes", "18", "--label-noise=0.1"}),
            (std::vector<std::string>{"foldstack", "models", "list", "--num_classes", "18", "--label_noise=0.1"}));
}

TEST(FlagNamesTest, ValuesPositionalsAndAfterDoubleDashAreUntouched) {
  EXPECT_EQ(NormalizeFlagDashes({"x", "--note=two-words", "-v", "my-file.yaml", "--", "--keep-me"}),
            (std::vector<std::string>{"x", "--note=two-words", "-v", "my-file.yaml", "--", "--keep-me"}));
}

}  // namespace
}  // namespace foldstack::cli
