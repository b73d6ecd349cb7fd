#include "worker/trainer/event_sink.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "common/job_events.h"

namespace foldstack::trainer {
namespace {

// The sink's lines, read back through the agent's parser.
std::vector<common::JobEvent> Lines(std::FILE* file) {
  std::rewind(file);
  std::vector<common::JobEvent> events;
  std::string line;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) {
    if (c == '\n') {
      absl::StatusOr<common::JobEvent> event = common::ParseJobEvent(line);
      EXPECT_TRUE(event.ok()) << event.status() << " in " << line;
      if (event.ok()) events.push_back(*event);
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  EXPECT_TRUE(line.empty()) << "unterminated last line";
  return events;
}

TEST(JsonLinesEventSinkTest, WritesTheJobEventsProtocolOneLineEach) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  JsonLinesEventSink sink(file);
  sink.OnEpoch({1, 2.5, 1.25, 0.5, 0.75, 3.0});
  sink.OnPredictions({2, {11, 12}, {0.25f, 0.75f, 1.0f, 0.0f}});
  sink.OnDone({1, 0.5, 0.75, 1.25, 9.0});
  sink.OnEpoch({2, NAN, 1, 1, 1, 1});
  sink.OnCheckpoint({2, "/out/resume.ckpt"});

  std::vector<common::JobEvent> events = Lines(file);
  std::fclose(file);
  ASSERT_EQ(events.size(), 5u);
  const auto& epoch = std::get<common::EpochEvent>(events[0]);
  EXPECT_EQ(epoch.epoch, 1);
  EXPECT_EQ(epoch.metrics, (std::vector<std::pair<std::string, double>>{
                               {"seconds", 3.0}, {"train_loss", 2.5}, {"val_accuracy", 0.75}, {"val_loss", 1.25},
                               {"val_macro_f1", 0.5}}));
  const auto& predictions = std::get<common::PredictionsEvent>(events[1]);
  EXPECT_EQ(predictions.sample_ids, (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(predictions.probs, (std::vector<float>{0.25f, 0.75f, 1.0f, 0.0f}));
  EXPECT_EQ(std::get<common::DoneEvent>(events[2]).best_epoch, 1);
  EXPECT_DOUBLE_EQ(std::get<common::DoneEvent>(events[2]).val_loss, 1.25);
  // NaN stays valid JSON (null) and is read as absent.
  EXPECT_EQ(std::get<common::EpochEvent>(events[3]).metrics.size(), 4u);
  EXPECT_EQ(std::get<common::CheckpointEvent>(events[4]).path, "/out/resume.ckpt");
}

TEST(CollectingEventSinkTest, KeepsEvents) {
  CollectingEventSink sink;
  sink.OnEpoch({1, 0, 0, 0, 0, 0});
  sink.OnEpoch({2, 0, 0, 0, 0, 0});
  sink.OnDone({2, 0, 0, 0, 0});
  sink.OnCheckpoint({2, "/r.ckpt"});
  EXPECT_EQ(sink.checkpoints.size(), 1u);
  ASSERT_EQ(sink.epochs.size(), 2u);
  EXPECT_EQ(sink.epochs[1].epoch, 2);
  EXPECT_EQ(sink.done.size(), 1u);
  EXPECT_TRUE(sink.predictions.empty());
}

}  // namespace
}  // namespace foldstack::trainer
