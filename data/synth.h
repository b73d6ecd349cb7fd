// A synthetic mask-competition data set (`foldstack data synth`): the same
// layout as the real data, drawn faces whose classes are learnable, the real
// data's imbalance, and optionally planted label noise of the kinds real data has.
#ifndef FOLDSTACK_DATA_SYNTH_H_
#define FOLDSTACK_DATA_SYNTH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace foldstack::data {

struct SynthOptions {
  std::string out_dir;
  int people = 60;
  uint64_t seed = 0;
  double label_noise = 0.0;  // fraction of people given one planted error
  int width = 384;
  int height = 512;
  int threads = 2;  // JPEG drawing/encoding threads
};

struct SynthReport {
  int people = 0;
  int images = 0;
  int noisy_people = 0;
};

// Writes out_dir/train/train.csv, out_dir/train/images/<id>_<gender>_Asian_<age>/
// {mask1..mask5,incorrect_mask,normal}.jpg, out_dir/label_noise.csv (header
// `person,kind,given,truth`, kind gender|age|mask_swap) and out_dir/README.txt.
// The same options give a byte-identical csv and identically drawn images.
absl::StatusOr<SynthReport> WriteSynthDataset(const SynthOptions& options);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_SYNTH_H_
