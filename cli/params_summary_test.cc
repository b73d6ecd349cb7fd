#include "cli/params_summary.h"

#include <gtest/gtest.h>

#include "common/trainer_settings.h"
#include "nlohmann/json.hpp"

namespace foldstack::cli {
namespace {

using nlohmann::json;

// A trial's params_json as the coordinator stores it: every setting, defaults filled in.
std::string Trial(const json& params) { return common::CompleteSettings(params).value().dump(); }

TEST(DistinguishingParams, ShowsOnlyTheSettingsThatDifferBetweenTrials) {
  const std::vector<std::string> cells = DistinguishingParams({
      Trial({{"model", "efficientnet_b0"}, {"loss", "focal"}, {"lr", 0.01}}),
      Trial({{"model", "efficientnet_b0"}, {"loss", "ce"}, {"lr", 0.01}}),
      Trial({{"model", "efficientnet_b0"}, {"loss", "focal"}, {"lr", 0.0003}}),
  });
  // Settings-table order: model, then loss, then lr; the shared model is left out.
  EXPECT_EQ(cells, (std::vector<std::string>{"loss=focal lr=0.01", "loss=ce lr=0.01", "loss=focal lr=0.0003"}));
}

TEST(DistinguishingParams, OneTrialShowsItsNonDefaultSettings) {
  EXPECT_EQ(DistinguishingParams({Trial({{"epochs", 7}, {"model", "resnet34"}, {"mixup", 0.5}})}),
            (std::vector<std::string>{"model=resnet34 epochs=7 mixup=0.5"}));
  EXPECT_EQ(DistinguishingParams({Trial(json::object())}), (std::vector<std::string>{"-"}));
}

TEST(DistinguishingParams, KeysMissingFromOlderTrialsAndUnknownKeys) {
  const std::vector<std::string> cells = DistinguishingParams({
      R"({"lr":0.1,"zeta":1})",
      R"({"lr":0.1})",
  });
  EXPECT_EQ(cells, (std::vector<std::string>{"zeta=1", "-"}));
}

TEST(DistinguishingParams, TextThatIsNotAnObjectIsShownAsGiven) {
  const std::vector<std::string> cells = DistinguishingParams({"not json", R"({"lr":0.1})", R"({"lr":0.2})"});
  EXPECT_EQ(cells, (std::vector<std::string>{"not json", "lr=0.1", "lr=0.2"}));
}

}  // namespace
}  // namespace foldstack::cli
