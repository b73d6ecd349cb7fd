#ifndef FOLDSTACK_WORKER_TRAINER_TESTING_PATTERN_IMAGES_H_
#define FOLDSTACK_WORKER_TRAINER_TESTING_PATTERN_IMAGES_H_

#include <string>
#include <vector>

#include "worker/trainer/image_provider.h"
#include "worker/trainer/job_config.h"

namespace foldstack::trainer::testing {

// An in-memory, learnable 4-class image set for trainer tests. Key
// "pattern/<class>/<n>" is a noisy image whose class is readable from
//   bit 0: which colour dominates (red vs green),
//   bit 1: whether the top or the bottom half is brighter,
// both invariant to horizontal flips. Pixels are a pure function of the key.
// Any other key is NotFound with the key in the message. Decode() draws a
// square image of side max(min_width, min_height) (kPatternDefaultSize when
// both are 0) at scale 1, so a decode for `size` draws it at exactly `size`.
class PatternImageProvider : public ImageProvider {
 public:
  absl::StatusOr<data::DecodedImage> Decode(const std::string& key,
                                            const data::DecodeTarget& target) const override;
};

inline constexpr int kPatternClasses = 4;
inline constexpr int kPatternDefaultSize = 32;

// `per_class` samples of each class, ids 1.., folds assigned round-robin over
// `folds` (so every fold holds every class).
std::vector<JobSample> PatternSamples(int per_class, int folds);

}  // namespace foldstack::trainer::testing

#endif  // FOLDSTACK_WORKER_TRAINER_TESTING_PATTERN_IMAGES_H_
