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
  // People in the eval set (new people, 7 photos each); -1: the competition's proportion,
  // 2 eval photos for every 3 training photos (at least 1 person); 0: no eval set.
  int eval_people = -1;
  // An extra training set (a sweep's dataset.extra_train): only people aged >= min_age (0: the
  // real data's ages), numbered from first_id so that they do not collide with another set's.
  int min_age = 0;
  int first_id = 1;
};

struct SynthReport {
  int people = 0;
  int images = 0;
  int noisy_people = 0;
  int eval_images = 0;
};

// The eval set's size for `options` (resolves eval_people = -1).
int EvalPeople(const SynthOptions& options);

// Writes out_dir/train/train.csv, out_dir/train/images/<id>_<gender>_Asian_<age>/
// {mask1..mask5,incorrect_mask,normal}.jpg, out_dir/label_noise.csv (header
// `person,kind,given,truth`, kind gender|age|mask_swap), out_dir/README.txt and the
// competition's eval layout: out_dir/eval/info.csv (`ImageID,ans`, ans 0, rows shuffled),
// out_dir/eval/images/<ImageID> (ImageID is 40 hex digits + ".jpg", as in the competition) of
// people not in train, and the hidden answers in out_dir/eval_answers.csv (`ImageID,ans`, the true
// class, same row order; never planted noise).
// The same options give a byte-identical csv and identically drawn images.
absl::StatusOr<SynthReport> WriteSynthDataset(const SynthOptions& options);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_SYNTH_H_
