// A job's predictions as the child reports them, checked before anything is sent: the agent
// buffers them and streams them to the coordinator only when the job completes, so a program that
// goes wrong halfway stores nothing partial.
#ifndef FOLDSTACK_WORKER_AGENT_HELD_OUT_PREDICTIONS_H_
#define FOLDSTACK_WORKER_AGENT_HELD_OUT_PREDICTIONS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/job_events.h"
#include "proto/foldstack.pb.h"

namespace foldstack::worker {

// Figures of the held-out predictions against their labels.
struct HeldOutScore {
  double macro_f1 = 0;
  double accuracy = 0;
  double log_loss = 0;
};

class HeldOutPredictions {
 public:
  // A training job: the samples of its fold, by id and key. A prediction job (split null): eval
  // rows 0..image_keys-1, unlabelled.
  HeldOutPredictions(const foldstack::v1::JobSpec& job, const foldstack::v1::GetSplitResponse* split);

  // Checks a predictions event and keeps it, keys turned into sample ids. INVALID_ARGUMENT saying
  // what is wrong: an unknown key, a training sample, a row of the wrong width, a NaN, a row that
  // does not sum to 1, a sample predicted twice.
  absl::Status Add(common::PredictionsEvent event);
  // OK when every held-out sample of a training job has its row.
  absl::Status CheckComplete() const;
  const std::vector<common::PredictionsEvent>& batches() const { return batches_; }
  HeldOutScore Score() const;

 private:
  struct Sample {
    std::string key;
    int32_t label = -1;
    bool held_out = false;
  };
  absl::Status CheckRows(const common::PredictionsEvent& event) const;
  absl::Status CheckSample(int64_t id, const std::string& name) const;

  bool training_;
  int num_classes_;
  int fold_;
  std::map<int64_t, Sample> samples_;
  std::map<std::string, int64_t> ids_by_key_;
  size_t held_out_count_ = 0;
  std::set<int64_t> seen_;
  std::vector<common::PredictionsEvent> batches_;
};

}  // namespace foldstack::worker

#endif  // FOLDSTACK_WORKER_AGENT_HELD_OUT_PREDICTIONS_H_
