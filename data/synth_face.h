// Drawing the synthetic faces behind `foldstack data synth`.
//
// The cues are deliberately big and colourful so a small CNN can learn them at
// 32-64 px: mask state = where the coloured band sits (over nose and mouth /
// on the chin below the nose / absent, mouth visible); gender = hair length
// (long hair framing the face down to the shoulders vs a short cap); age bin =
// hair colour (dark / salt-and-pepper / white) and forehead wrinkles.
#ifndef FOLDSTACK_DATA_SYNTH_FACE_H_
#define FOLDSTACK_DATA_SYNTH_FACE_H_

#include <cstdint>

#include "opencv2/core.hpp"

namespace foldstack::data {

// What stays fixed across one person's 7 photos.
struct PersonLook {
  int gender = 0;   // kMale / kFemale: drawn truth, not what the csv may claim
  int age_bin = 0;  // 0..2
  cv::Scalar skin, background, shirt, hair;  // BGR
  double face_width = 1.0, face_height = 1.0;  // face shape factors around 1
  uint64_t seed = 0;  // per-photo jitter and mask colours derive from it
};

// Derives a person's look (skin tone, face shape, colours) from `seed`.
PersonLook MakePersonLook(int gender, int age_bin, uint64_t seed);

// One BGR photo (CV_8UC3, width x height). `photo_index` (0..6) picks the mask
// colour and the jitter; `mask_state` (kMaskWear / kMaskIncorrect / kMaskNotWorn)
// is what is drawn.
cv::Mat DrawPhoto(const PersonLook& look, int photo_index, int mask_state, int width, int height);

}  // namespace foldstack::data

#endif  // FOLDSTACK_DATA_SYNTH_FACE_H_
