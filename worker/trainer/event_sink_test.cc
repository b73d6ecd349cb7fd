#include "worker/trainer/event_sink.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace foldstack::trainer {
namespace {

using json = nlohmann::json;

std::vector<json> Lines(std::FILE* file) {
  std::rewind(file);
  std::vector<json> lines;
  std::string line;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) {
    if (c == '\n') {
      lines.push_back(json::parse(line));
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  EXPECT_TRUE(line.empty()) << "unterminated last line";
  return lines;
}

TEST(JsonLinesEventSinkTest, WritesOneObjectPerLine) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  JsonLinesEventSink sink(file);
  sink.OnEpoch({1, 2.5, 1.25, 0.5, 0.75, 3.0});
  sink.OnPredictions({2, {11, 12}, {0.25f, 0.75f, 1.0f, 0.0f}});
  sink.OnDone({1, 0.5, 0.75, 1.25, 9.0});
  sink.OnEpoch({2, NAN, 1, 1, 1, 1});

  std::vector<json> lines = Lines(file);
  std::fclose(file);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], json::parse(R"({"event":"epoch","epoch":1,"train_loss":2.5,"val_loss":1.25,
                                     "val_macro_f1":0.5,"val_accuracy":0.75,"seconds":3.0})"));
  EXPECT_EQ(lines[1], json::parse(R"({"event":"predictions","num_classes":2,"sample_ids":[11,12],
                                     "probs":[0.25,0.75,1.0,0.0]})"));
  EXPECT_EQ(lines[2], json::parse(R"({"event":"done","best_epoch":1,"macro_f1":0.5,"accuracy":0.75,
                                     "val_loss":1.25,"seconds":9.0})"));
  EXPECT_TRUE(lines[3]["train_loss"].is_null());  // NaN stays valid JSON
}

TEST(CollectingEventSinkTest, KeepsEvents) {
  CollectingEventSink sink;
  sink.OnEpoch({1, 0, 0, 0, 0, 0});
  sink.OnEpoch({2, 0, 0, 0, 0, 0});
  sink.OnDone({2, 0, 0, 0, 0});
  ASSERT_EQ(sink.epochs.size(), 2u);
  EXPECT_EQ(sink.epochs[1].epoch, 2);
  EXPECT_EQ(sink.done.size(), 1u);
  EXPECT_TRUE(sink.predictions.empty());
}

}  // namespace
}  // namespace foldstack::trainer
