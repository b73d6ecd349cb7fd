#include "worker/agent/held_out_predictions.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace foldstack::worker {
namespace {

// Four samples, two classes; fold 1 (ids 11 and 13) is held out.
struct Fixture {
  foldstack::v1::JobSpec job;
  foldstack::v1::GetSplitResponse split;
  Fixture() {
    job.set_num_classes(2);
    job.set_fold(1);
    for (int i = 0; i < 4; ++i) {
      auto* s = split.add_samples();
      s->set_sample_id(10 + i);
      s->set_sample_key("p" + std::to_string(i) + "/a.jpg");
      s->set_label(i % 2);
      s->set_fold(i % 2);
    }
  }
};

common::PredictionsEvent ByKey(std::vector<std::string> keys, std::vector<float> probs, int classes = 2) {
  common::PredictionsEvent event;
  event.num_classes = classes;
  event.sample_keys = std::move(keys);
  event.probs = std::move(probs);
  return event;
}

std::string Error(HeldOutPredictions& held_out, common::PredictionsEvent event) {
  return std::string(held_out.Add(std::move(event)).message());
}

TEST(HeldOutPredictions, KeysBecomeIdsAndTheScoreIsComputed) {
  Fixture f;
  HeldOutPredictions held_out(f.job, &f.split);
  ASSERT_TRUE(held_out.Add(ByKey({"p1/a.jpg"}, {0.2f, 0.8f})).ok());
  EXPECT_FALSE(held_out.CheckComplete().ok());
  ASSERT_TRUE(held_out.Add(ByKey({"p3/a.jpg"}, {0.6f, 0.4f})).ok());
  EXPECT_TRUE(held_out.CheckComplete().ok());
  EXPECT_EQ(held_out.batches()[1].sample_ids, (std::vector<int64_t>{13}));
  const HeldOutScore score = held_out.Score();
  EXPECT_DOUBLE_EQ(score.accuracy, 0.5);  // both labelled 1; one predicted 1
  EXPECT_NEAR(score.log_loss, -(std::log(0.8) + std::log(0.4)) / 2, 1e-6);
  EXPECT_NEAR(score.macro_f1, (0.0 + 2.0 / 3.0) / 2, 1e-9);
}

TEST(HeldOutPredictions, EveryBadPredictionIsNamed) {
  Fixture f;
  HeldOutPredictions held_out(f.job, &f.split);
  EXPECT_EQ(Error(held_out, ByKey({"nobody.jpg"}, {0.5f, 0.5f})),
            "predictions name an unknown sample key 'nobody.jpg'");
  EXPECT_EQ(Error(held_out, ByKey({"p0/a.jpg"}, {0.5f, 0.5f})),
            "predictions cover sample 'p0/a.jpg', a training sample of this job (only fold 1, held out, may be "
            "predicted)");
  EXPECT_EQ(Error(held_out, ByKey({"p1/a.jpg"}, {0.2f, 0.3f, 0.5f}, 3)),
            "predictions have rows of 3 values; expected one per class (2)");
  EXPECT_EQ(Error(held_out, ByKey({"p1/a.jpg"}, {std::numeric_limits<float>::quiet_NaN(), 1.0f})),
            "predictions for sample 'p1/a.jpg' hold nan; expected probabilities in [0, 1]");
  EXPECT_EQ(Error(held_out, ByKey({"p1/a.jpg"}, {2.0f, 3.0f})),
            "predictions for sample 'p1/a.jpg' sum to 5; expected probabilities that sum to 1 (apply softmax)");
  ASSERT_TRUE(held_out.Add(ByKey({"p1/a.jpg"}, {0.5f, 0.5f})).ok());
  EXPECT_EQ(Error(held_out, ByKey({"p1/a.jpg"}, {0.5f, 0.5f})), "predictions give sample 'p1/a.jpg' twice");
  EXPECT_EQ(held_out.CheckComplete().message(),
            "predictions cover 1 of the 2 held-out samples; 'p3/a.jpg' has none");
}

// A trial of task gender on 18-class mask labels: rows of 2 values, scored on the gender part.
TEST(HeldOutPredictions, HeadTaskRowsHaveTheHeadsWidthAndLabels) {
  foldstack::v1::JobSpec job;
  job.set_num_classes(18);
  job.set_fold(0);
  job.set_params_json(R"({"task": "gender", "lr": 0.1})");
  foldstack::v1::GetSplitResponse split;
  const int labels[2] = {6 * 2 + 3 * 1 + 2, 6 * 1 + 3 * 0 + 1};  // female, male
  for (int i = 0; i < 2; ++i) {
    auto* s = split.add_samples();
    s->set_sample_id(i);
    s->set_sample_key("p" + std::to_string(i) + "/a.jpg");
    s->set_label(labels[i]);
    s->set_fold(0);
  }
  HeldOutPredictions held_out(job, &split);
  EXPECT_EQ(Error(held_out, ByKey({"p0/a.jpg"}, std::vector<float>(18, 1.0f / 18), 18)),
            "predictions have rows of 18 values; expected one per class (2)");
  ASSERT_TRUE(held_out.Add(ByKey({"p0/a.jpg", "p1/a.jpg"}, {0.1f, 0.9f, 0.3f, 0.7f})).ok());
  EXPECT_DOUBLE_EQ(held_out.Score().accuracy, 0.5);  // p0 female (1) right, p1 male (0) wrong
}

}  // namespace
}  // namespace foldstack::worker
