// Fashion-MNIST with training labels flipped at random (`foldstack data flip-labels`), to measure
// how well relabel candidates find label errors: a copy of the first N training images whose labels
// have a seeded fraction changed to another class, and label_noise.csv listing the changes.
#ifndef FOLDSTACK_DATA_LABEL_FLIPS_H_
#define FOLDSTACK_DATA_LABEL_FLIPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace foldstack::data {

struct LabelFlip {
  int64_t index = 0;  // the sample (dataset key "train/<index>")
  int given = 0;      // the label written
  int truth = 0;      // the original label
};

// round(rate * labels.size()) distinct samples chosen by a seeded shuffle, each given a class drawn
// uniformly from the num_classes - 1 others; sorted by index. The same arguments give the same flips.
std::vector<LabelFlip> PlanLabelFlips(const std::vector<uint8_t>& labels, int num_classes, double rate,
                                      uint64_t seed);

// label_noise.csv: header `sample,given,truth`, one row per flip (sample = "train/<index>").
std::string LabelFlipsCsv(const std::vector<LabelFlip>& flips);
absl::StatusOr<std::vector<LabelFlip>> ParseLabelFlipsCsv(absl::string_view text);

struct FlipOptions {
  std::string from_dir;     // a Fashion-MNIST root (IDX files, plain or .gz)
  std::string out_dir;
  double rate = 0.05;       // fraction of the kept samples flipped, in [0, 1]
  uint64_t seed = 0;
  int64_t max_samples = 0;  // keep the first N samples (0: all)
};

struct FlipReport {
  int64_t samples = 0;
  int64_t flipped = 0;
};

// Writes out_dir/train-images-idx3-ubyte (the kept images), out_dir/train-labels-idx1-ubyte (their
// labels, flipped as planned) and out_dir/label_noise.csv; out_dir is then a fashion_mnist root.
absl::StatusOr<FlipReport> WriteFlippedFashionMnist(const FlipOptions& options);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_LABEL_FLIPS_H_
