#include "worker/agent/event_relay.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "proto/rpc_util.h"
#include "worker/agent/coordinator_calls.h"

namespace foldstack::worker {

using foldstack::v1::JobSpec;

EventRelay::EventRelay(foldstack::v1::Coordinator::Stub& stub, std::string token, const JobSpec& job,
                       HeldOutPredictions& predictions, Hooks hooks)
    : stub_(stub), token_(std::move(token)), job_(job), predictions_(predictions), hooks_(std::move(hooks)) {}

void EventRelay::Fail(const absl::Status& status) {
  if (!state_.bad_output.ok() || !state_.report_error.ok()) return;
  state_.bad_output = status;
  hooks_.kill();  // no point going on: the job has failed
}

void EventRelay::OnLine(const std::string& line) {
  if (!state_.report_error.ok() || !state_.bad_output.ok() || state_.pruned.has_value()) return;
  absl::StatusOr<common::JobEvent> event = common::ParseJobEvent(line);
  if (!event.ok()) return Fail(event.status());
  if (auto* epoch = std::get_if<common::EpochEvent>(&*event)) {
    OnEpoch(*epoch);
  } else if (auto* batch = std::get_if<common::PredictionsEvent>(&*event)) {
    if (absl::Status checked = predictions_.Add(std::move(*batch)); !checked.ok()) Fail(checked);
  } else if (auto* done = std::get_if<common::DoneEvent>(&*event)) {
    state_.done = *done;
  } else if (auto* checkpoint = std::get_if<common::CheckpointEvent>(&*event)) {
    if (hooks_.checkpoint) hooks_.checkpoint(*checkpoint);
  }
}

void EventRelay::OnEpoch(const common::EpochEvent& epoch) {
  foldstack::v1::ReportMetricsRequest request;
  request.set_job_id(job_.job_id());
  request.set_lease_id(job_.lease_id());
  for (const auto& [name, value] : epoch.metrics) {
    state_.epochs[epoch.epoch][name] = value;
    auto* metric = request.add_metrics();
    metric->set_epoch(epoch.epoch);
    metric->set_name(name);
    metric->set_value(value);
  }
  foldstack::v1::ReportMetricsResponse response;
  absl::Status status =
      CallWithRetry(token_, [&](grpc::ClientContext* c) { return stub_.ReportMetrics(c, request, &response); });
  if (!status.ok()) {
    state_.report_error = status;
    state_.lease_lost = IsLeaseLost(status);
    hooks_.kill();  // the coordinator will not take the results
    return;
  }
  if (response.directive() == foldstack::v1::JOB_DIRECTIVE_STOP) {
    // The coordinator has already ended the job as pruned, metrics kept.
    state_.pruned = response.reason();
    hooks_.stop(response.reason());
  }
}

common::DoneEvent EventRelay::Result(double seconds) const {
  if (state_.done.has_value()) return *state_.done;
  common::DoneEvent done;
  const std::string& metric = job_.objective_metric();
  std::optional<double> best;
  for (const auto& [epoch, metrics] : state_.epochs) {
    auto value = metrics.find(metric);
    if (value == metrics.end()) continue;
    const bool better = !best.has_value() || (job_.objective_minimize() ? value->second < *best : value->second > *best);
    if (better) best = value->second, done.best_epoch = epoch;
  }
  const HeldOutScore score = predictions_.Score();
  done.macro_f1 = score.macro_f1;
  done.accuracy = score.accuracy;
  done.val_loss = score.log_loss;
  done.seconds = seconds;
  return done;
}

absl::Status EventRelay::Complete(const common::DoneEvent& done, const std::string& checkpoint_path) {
  if (!predictions_.batches().empty()) {
    auto context = rpc::MakeContext(token_, std::chrono::milliseconds(600000));
    foldstack::v1::ReportPredictionsResponse response;
    std::unique_ptr<grpc::ClientWriter<foldstack::v1::PredictionBatch>> stream =
        stub_.ReportPredictions(context.get(), &response);
    for (const common::PredictionsEvent& event : predictions_.batches()) {
      foldstack::v1::PredictionBatch batch;
      batch.set_job_id(job_.job_id());
      batch.set_lease_id(job_.lease_id());
      batch.set_kind(job_.kind());
      batch.set_num_classes(event.num_classes);
      batch.mutable_sample_ids()->Add(event.sample_ids.begin(), event.sample_ids.end());
      batch.mutable_probs()->Add(event.probs.begin(), event.probs.end());
      if (!stream->Write(batch)) break;
    }
    stream->WritesDone();
    if (absl::Status sent = rpc::FromGrpcStatus(stream->Finish()); !sent.ok()) return sent;
  }
  foldstack::v1::CompleteJobRequest request;
  request.set_job_id(job_.job_id());
  request.set_lease_id(job_.lease_id());
  request.set_kind(job_.kind());
  request.set_checkpoint_path(checkpoint_path);
  request.set_best_epoch(done.best_epoch);
  request.set_macro_f1(done.macro_f1);
  request.set_accuracy(done.accuracy);
  request.set_val_loss(done.val_loss);
  request.set_seconds(done.seconds);
  foldstack::v1::CompleteJobResponse response;
  return CallWithRetry(token_, [&](grpc::ClientContext* c) { return stub_.CompleteJob(c, request, &response); });
}

}  // namespace foldstack::worker
