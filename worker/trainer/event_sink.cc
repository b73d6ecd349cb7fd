#include "worker/trainer/event_sink.h"


namespace foldstack::trainer {

void JsonLinesEventSink::OnEpoch(const EpochEvent& event) {
  common::EpochEvent out{event.epoch,
                         {{"seconds", event.seconds},
                          {"train_loss", event.train_loss},
                          {"val_accuracy", event.val_accuracy}}};
  if (event.val_age_mae) out.metrics.emplace_back("val_age_mae", *event.val_age_mae);  // name order
  out.metrics.emplace_back("val_loss", event.val_loss);
  out.metrics.emplace_back("val_macro_f1", event.val_macro_f1);
  WriteLine(common::FormatJobEvent(out));
}

void JsonLinesEventSink::OnPredictions(const PredictionsEvent& event) { WriteLine(common::FormatJobEvent(event)); }

void JsonLinesEventSink::OnDone(const DoneEvent& event) { WriteLine(common::FormatJobEvent(event)); }

void JsonLinesEventSink::OnCheckpoint(const CheckpointEvent& event) { WriteLine(common::FormatJobEvent(event)); }

void JsonLinesEventSink::WriteLine(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace foldstack::trainer
