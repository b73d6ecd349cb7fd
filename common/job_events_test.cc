#include "common/job_events.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace foldstack::common {
namespace {

JobEvent RoundTrip(const JobEvent& event) {
  const std::string line = FormatJobEvent(event);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  absl::StatusOr<JobEvent> parsed = ParseJobEvent(line);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << " in " << line;
  return parsed.ok() ? *parsed : JobEvent{};
}

TEST(JobEvents, EveryEventRoundTrips) {
  const EpochEvent epoch{3, {{"train_loss", 1.5}, {"val_loss", 0.75}, {"val_macro_f1", 0.25}, {"weird name", -2}}};
  const auto epoch_back = std::get<EpochEvent>(RoundTrip(epoch));
  EXPECT_EQ(epoch_back.epoch, 3);
  EXPECT_EQ(epoch_back.metrics, epoch.metrics);

  const PredictionsEvent predictions{2, {4, 9}, {0.25f, 0.75f, 1.0f, 0.0f}};
  const auto predictions_back = std::get<PredictionsEvent>(RoundTrip(predictions));
  EXPECT_EQ(predictions_back.num_classes, 2);
  EXPECT_EQ(predictions_back.sample_ids, predictions.sample_ids);
  EXPECT_EQ(predictions_back.probs, predictions.probs);

  const PredictionsEvent by_key{2, {}, {0.5f, 0.5f}, {"person/mask1.jpg"}};
  const auto by_key_back = std::get<PredictionsEvent>(RoundTrip(by_key));
  EXPECT_EQ(by_key_back.sample_keys, by_key.sample_keys);
  EXPECT_TRUE(by_key_back.sample_ids.empty());
  const auto nan = std::get<PredictionsEvent>(
      *ParseJobEvent(R"({"v":1,"event":"predictions","num_classes":2,"sample_keys":["a"],"probs":[null,1]})"));
  EXPECT_TRUE(std::isnan(nan.probs[0]));

  const DoneEvent done{2, 0.5, 0.625, 0.875, 12.5};
  const auto done_back = std::get<DoneEvent>(RoundTrip(done));
  EXPECT_EQ(done_back.best_epoch, 2);
  EXPECT_DOUBLE_EQ(done_back.macro_f1, 0.5);
  EXPECT_DOUBLE_EQ(done_back.accuracy, 0.625);
  EXPECT_DOUBLE_EQ(done_back.val_loss, 0.875);
  EXPECT_DOUBLE_EQ(done_back.seconds, 12.5);

  const CheckpointEvent checkpoint{2, "/out/job 7/resume.ckpt"};
  const std::string line = FormatJobEvent(checkpoint);
  EXPECT_EQ(line, R"({"epoch":2,"event":"checkpoint","path":"/out/job 7/resume.ckpt","v":1})");
  const auto checkpoint_back = std::get<CheckpointEvent>(RoundTrip(checkpoint));
  EXPECT_EQ(checkpoint_back.epoch, 2);
  EXPECT_EQ(checkpoint_back.path, checkpoint.path);
}

TEST(JobEvents, LinesCarryTheVersionAndANonFiniteMetricIsDropped) {
  const std::string line =
      FormatJobEvent(EpochEvent{1, {{"val_loss", std::numeric_limits<double>::quiet_NaN()}, {"val_macro_f1", 0.5}}});
  EXPECT_NE(line.find("\"v\":1"), std::string::npos) << line;
  EXPECT_NE(line.find("\"val_loss\":null"), std::string::npos) << line;
  const auto back = std::get<EpochEvent>(*ParseJobEvent(line));
  ASSERT_EQ(back.metrics.size(), 1u);
  EXPECT_EQ(back.metrics[0].first, "val_macro_f1");
}

TEST(JobEvents, ReadsTheUnversionedLinesOfEarlierTrainers) {
  auto event = ParseJobEvent(R"({"event":"epoch","epoch":2,"train_loss":1.5,"val_macro_f1":0.25})");
  ASSERT_TRUE(event.ok()) << event.status();
  const auto& epoch = std::get<EpochEvent>(*event);
  EXPECT_EQ(epoch.epoch, 2);
  ASSERT_EQ(epoch.metrics.size(), 2u);
  EXPECT_EQ(epoch.metrics[0].first, "train_loss");
  EXPECT_DOUBLE_EQ(epoch.metrics[1].second, 0.25);
}

TEST(JobEvents, RefusesMalformedLinesWithTheReason) {
  EXPECT_EQ(ParseJobEvent(R"({"v":1,"event":"predictions","num_classes":2,"sample_ids":[4],"probs":[1]})")
                .status()
                .message(),
            "predictions event: 1 probabilities for 1 samples of 2 classes");
  EXPECT_EQ(ParseJobEvent(R"({"v":2,"event":"done"})").status().message(),
            "job event protocol version 2 is not this worker's version 1");
  EXPECT_EQ(ParseJobEvent(R"({"v":1,"event":"party"})").status().message(), "unknown job event \"party\"");
  EXPECT_EQ(ParseJobEvent(R"({"v":1,"event":"epoch","epoch":0,"metrics":{}})").status().message(),
            "epoch event: epoch 0 is not an integer in [1, 2147483647]");
  EXPECT_EQ(ParseJobEvent(R"({"v":1,"event":"checkpoint","epoch":0,"path":"/a"})").status().message(),
            "checkpoint event: epoch 0 is not an integer in [1, 2147483647]");
  EXPECT_EQ(ParseJobEvent(R"({"v":1,"event":"checkpoint","epoch":1,"path":""})").status().message(),
            "checkpoint event: empty path");
  EXPECT_FALSE(ParseJobEvent(R"({"v":1,"event":"checkpoint","epoch":1})").ok());
  EXPECT_FALSE(ParseJobEvent("not json").ok());
  EXPECT_FALSE(ParseJobEvent(R"({"epoch":1})").ok());
}

// Found by fuzzing (tests/fuzz:job_events): numbers were cast without a range check (undefined
// behaviour for 1e300 as an int or a float), and quoted input could break the line.
TEST(JobEvents, NumbersAreRangeCheckedAndRefusalsAreOneLine) {
  EXPECT_EQ(ParseJobEvent(R"({"event":"epoch","epoch":1e300})").status().message(),
            "epoch event: epoch 1e+300 is not an integer in [1, 2147483647]");
  EXPECT_EQ(ParseJobEvent(R"({"event":"done","best_epoch":4294967297,"macro_f1":0,"accuracy":0})").status().message(),
            "done event: best_epoch 4294967297 is not an integer in [0, 2147483647]");
  EXPECT_EQ(ParseJobEvent(R"({"event":"predictions","num_classes":1,"sample_ids":[1.5],"probs":[1]})")
                .status()
                .message(),
            "predictions event: sample_ids[0] 1.5 is not an integer in [0, 9223372036854775807]");
  EXPECT_EQ(ParseJobEvent(R"({"event":"predictions","num_classes":1,"sample_ids":[1],"probs":[1e300]})")
                .status()
                .message(),
            "predictions event: probability 1e+300 at 0 is beyond float's range");
  EXPECT_EQ(ParseJobEvent(R"({"v":1e300,"event":"done"})").status().message(),
            "job event protocol version 1e+300 is not this worker's version 1");
  EXPECT_EQ(ParseJobEvent(R"({"event":"a\nb"})").status().message(), "unknown job event \"a\\x0ab\"");
  EXPECT_EQ(ParseJobEvent("[1]").status().message(), "bad job event line: not a JSON object");
  const std::string bad_bytes(ParseJobEvent("\xff\n").status().message());
  EXPECT_EQ(bad_bytes.find('\n'), std::string::npos) << bad_bytes;
  EXPECT_NE(bad_bytes.find("last read: '\\xff'"), std::string::npos) << bad_bytes;
}

}  // namespace
}  // namespace foldstack::common
