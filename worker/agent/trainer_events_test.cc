#include "worker/agent/trainer_events.h"

#include <gtest/gtest.h>

namespace foldstack::worker {
namespace {

TEST(TrainerEvents, ParsesEpoch) {
  auto event = ParseTrainerEvent(R"({"event":"epoch","epoch":2,"train_loss":1.5,"val_macro_f1":0.25})");
  ASSERT_TRUE(event.ok()) << event.status();
  const auto& epoch = std::get<EpochEvent>(*event);
  EXPECT_EQ(epoch.epoch, 2);
  ASSERT_EQ(epoch.metrics.size(), 2u);
  EXPECT_EQ(epoch.metrics[0].first, "train_loss");
  EXPECT_DOUBLE_EQ(epoch.metrics[1].second, 0.25);
}

TEST(TrainerEvents, ParsesPredictionsAndChecksShape) {
  auto event = ParseTrainerEvent(
      R"({"event":"predictions","num_classes":2,"sample_ids":[4,9],"probs":[0.25,0.75,1,0]})");
  ASSERT_TRUE(event.ok()) << event.status();
  const auto& predictions = std::get<PredictionsEvent>(*event);
  EXPECT_EQ(predictions.sample_ids, (std::vector<int64_t>{4, 9}));
  EXPECT_FLOAT_EQ(predictions.probs[1], 0.75f);
  auto bad = ParseTrainerEvent(R"({"event":"predictions","num_classes":2,"sample_ids":[4],"probs":[1]})");
  EXPECT_FALSE(bad.ok());
}

TEST(TrainerEvents, ParsesDone) {
  auto event = ParseTrainerEvent(
      R"({"event":"done","best_epoch":3,"macro_f1":0.5,"accuracy":0.75,"val_loss":0.9,"seconds":12})");
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(std::get<DoneEvent>(*event).best_epoch, 3);
  EXPECT_DOUBLE_EQ(std::get<DoneEvent>(*event).accuracy, 0.75);
}

TEST(TrainerEvents, RefusesGarbage) {
  EXPECT_FALSE(ParseTrainerEvent("not json").ok());
  EXPECT_FALSE(ParseTrainerEvent(R"({"event":"party"})").ok());
  EXPECT_FALSE(ParseTrainerEvent(R"({"epoch":1})").ok());
}

}  // namespace
}  // namespace foldstack::worker
