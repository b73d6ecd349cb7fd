#include "worker/trainer/event_sink.h"

#include "nlohmann/json.hpp"

namespace foldstack::trainer {

using json = nlohmann::json;

void JsonLinesEventSink::OnEpoch(const EpochEvent& event) {
  WriteLine(json{{"event", "epoch"},
                 {"epoch", event.epoch},
                 {"train_loss", event.train_loss},
                 {"val_loss", event.val_loss},
                 {"val_macro_f1", event.val_macro_f1},
                 {"val_accuracy", event.val_accuracy},
                 {"seconds", event.seconds}}
                .dump());
}

void JsonLinesEventSink::OnPredictions(const PredictionsEvent& event) {
  WriteLine(json{{"event", "predictions"},
                 {"num_classes", event.num_classes},
                 {"sample_ids", event.sample_ids},
                 {"probs", event.probs}}
                .dump());
}

void JsonLinesEventSink::OnDone(const DoneEvent& event) {
  WriteLine(json{{"event", "done"},
                 {"best_epoch", event.best_epoch},
                 {"macro_f1", event.macro_f1},
                 {"accuracy", event.accuracy},
                 {"val_loss", event.val_loss},
                 {"seconds", event.seconds}}
                .dump());
}

void JsonLinesEventSink::WriteLine(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace foldstack::trainer
