#ifndef FOLDSTACK_WORKER_TRAINER_TESTING_SYNTH_MASK_H_
#define FOLDSTACK_WORKER_TRAINER_TESTING_SYNTH_MASK_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace foldstack::trainer::testing {

// Writes a small synthetic mask data set (data/synth.h) at `root` for end-to-end trainer tests:
// `people` people of 7 photos of width x height, drawn from `seed` (2 drawing threads).
// `eval_people` as data::SynthOptions (-1: the competition's proportion, 0: no eval set).
absl::Status WriteSynthMask(const std::string& root, int people, uint64_t seed, int width, int height,
                            int eval_people = -1);

struct SynthMaskSamples {
  int num_classes = 0;
  nlohmann::json samples;  // the job JSON's "samples": ids from 100 (then 101, ...), key, label, fold
};

// The training images of the data set at `root`, folds assigned round-robin over people in
// `folds` folds (so a fold holds whole people).
absl::StatusOr<SynthMaskSamples> LoadSynthMaskSamples(const std::string& root, int folds);

}  // namespace foldstack::trainer::testing

#endif  // FOLDSTACK_WORKER_TRAINER_TESTING_SYNTH_MASK_H_
