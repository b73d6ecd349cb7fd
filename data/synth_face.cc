#include "data/synth_face.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "data/mask_labels.h"
#include "opencv2/imgproc.hpp"

namespace foldstack::data {
namespace {

// std::mt19937_64's output is fixed by the standard; std distributions are not,
// so values are derived from raw draws here.
double Uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

cv::Scalar Mix(const cv::Scalar& a, const cv::Scalar& b, double t) { return a * (1 - t) + b * t; }

// One draw per channel, in channel order (a loop, because the evaluation order
// of constructor arguments differs between compilers).
cv::Scalar RandomColour(std::mt19937_64& rng, double lo, double hi) {
  cv::Scalar c;
  for (int i = 0; i < 3; ++i) c[i] = Uniform(rng, lo, hi);
  return c;
}

cv::Scalar Jitter(std::mt19937_64& rng, const cv::Scalar& c, double amount) {
  cv::Scalar out;
  for (int i = 0; i < 3; ++i) out[i] = std::clamp(c[i] + Uniform(rng, -amount, amount), 0.0, 255.0);
  return out;
}

// Mask colours (BGR): surgical blue, sky blue, navy, teal, purple, white. All
// far from skin tones (high blue, low red) so even a nearest-centroid
// classifier on 16x16 pixels can see where the mask is.
const cv::Scalar kMaskColours[] = {{230, 190, 110}, {245, 210, 150}, {140, 60, 30},
                                   {190, 170, 60},  {200, 90, 120},  {245, 245, 245}};
constexpr int kNumMaskColours = sizeof(kMaskColours) / sizeof(kMaskColours[0]);

}  // namespace

PersonLook MakePersonLook(int gender, int age_bin, uint64_t seed) {
  std::mt19937_64 rng(seed);
  PersonLook look;
  look.gender = gender;
  look.age_bin = age_bin;
  look.seed = seed;
  look.skin = Jitter(rng, Mix(cv::Scalar(185, 205, 240), cv::Scalar(70, 100, 150), Uniform(rng, 0, 1)), 8);
  look.background = RandomColour(rng, 60, 230);
  look.shirt = RandomColour(rng, 0, 255);
  // Hair: dark for <30, salt-and-pepper grey-brown for 30-59, white for >=60.
  static const cv::Scalar kHair[] = {{25, 30, 40}, {115, 120, 125}, {225, 228, 230}};
  look.hair = Jitter(rng, kHair[age_bin], 12);
  look.face_width = Uniform(rng, 0.9, 1.1);
  look.face_height = Uniform(rng, 0.92, 1.08);
  return look;
}

cv::Mat DrawPhoto(const PersonLook& look, int photo_index, int mask_state, int width, int height) {
  std::mt19937_64 rng(look.seed ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(photo_index + 1)));
  const double W = width, H = height;
  const int line = std::max(1, static_cast<int>(std::lround(W / 128)));
  auto P = [](double x, double y) { return cv::Point(static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y))); };
  auto Axes = [](double a, double b) { return cv::Size(std::max(1L, std::lround(a)), std::max(1L, std::lround(b))); };

  // Per-photo pose and light: small shift and scale here, rotation and brightness below.
  const double scale = Uniform(rng, 0.95, 1.05);
  const double cx = W * (0.5 + Uniform(rng, -0.03, 0.03));
  const double cy = H * (0.42 + Uniform(rng, -0.02, 0.02));
  const double a = 0.27 * W * look.face_width * scale;   // face half-width
  const double b = 0.25 * H * look.face_height * scale;  // face half-height
  // Drawn up front so that the mask state changes nothing but the mask.
  const cv::Scalar mask_colour = Jitter(rng, kMaskColours[(look.seed + photo_index) % kNumMaskColours], 10);
  const double incorrect_drop = Uniform(rng, 0.45, 0.6);
  const double angle = Uniform(rng, -5, 5);
  const double brightness = Uniform(rng, -15, 15);
  const uint64_t noise_seed = rng();

  cv::Mat img(height, width, CV_8UC3, look.background);
  // Shirt and neck.
  cv::ellipse(img, P(cx, H * 1.02), Axes(0.48 * W, 0.2 * H), 0, 0, 360, look.shirt, cv::FILLED, cv::LINE_AA);
  cv::rectangle(img, P(cx - 0.35 * a, cy + 0.6 * b), P(cx + 0.35 * a, H * 0.88), look.skin, cv::FILLED);
  // Long hair behind the face, down to the shoulders, for women.
  if (look.gender == kFemale) {
    cv::ellipse(img, P(cx, cy - 0.05 * b), Axes(1.3 * a, 1.2 * b), 0, 180, 360, look.hair, cv::FILLED, cv::LINE_AA);
    cv::rectangle(img, P(cx - 1.3 * a, cy - 0.1 * b), P(cx + 1.3 * a, cy + 1.45 * b), look.hair, cv::FILLED);
  }
  cv::ellipse(img, P(cx, cy), Axes(a, b), 0, 0, 360, look.skin, cv::FILLED, cv::LINE_AA);
  // Hair on top: a fringe for women, a short cap for men.
  if (look.gender == kFemale) {
    cv::ellipse(img, P(cx, cy - 0.45 * b), Axes(1.05 * a, 0.65 * b), 0, 180, 360, look.hair, cv::FILLED, cv::LINE_AA);
  } else {
    cv::ellipse(img, P(cx, cy - 0.6 * b), Axes(1.02 * a, 0.45 * b), 0, 180, 360, look.hair, cv::FILLED, cv::LINE_AA);
  }
  // Forehead wrinkles: none under 30, two for 30-59, four thick ones from 60.
  const cv::Scalar wrinkle = look.skin * 0.55;
  const int wrinkles = look.age_bin * 2;
  for (int i = 0; i < wrinkles; ++i) {
    double y = cy - 0.5 * b + i * 0.09 * b;
    cv::ellipse(img, P(cx, y + 0.15 * b), Axes(0.5 * a, 0.15 * b), 0, 200, 340, wrinkle, line * look.age_bin, cv::LINE_AA);
  }
  // Eyes, brows, nose, mouth.
  for (double side : {-1.0, 1.0}) {
    cv::Point eye = P(cx + side * 0.4 * a, cy - 0.12 * b);
    cv::ellipse(img, eye, Axes(0.17 * a, 0.09 * b), 0, 0, 360, cv::Scalar(245, 245, 245), cv::FILLED, cv::LINE_AA);
    cv::circle(img, eye, std::max(1, static_cast<int>(0.07 * a)), cv::Scalar(40, 30, 20), cv::FILLED, cv::LINE_AA);
    cv::line(img, P(cx + side * 0.22 * a, cy - 0.27 * b), P(cx + side * 0.6 * a, cy - 0.3 * b), look.hair, 2 * line, cv::LINE_AA);
  }
  std::vector<cv::Point> nose = {P(cx, cy - 0.05 * b), P(cx - 0.13 * a, cy + 0.25 * b), P(cx + 0.13 * a, cy + 0.25 * b)};
  cv::fillConvexPoly(img, nose, look.skin * 0.75, cv::LINE_AA);
  cv::ellipse(img, P(cx, cy + 0.5 * b), Axes(0.32 * a, 0.09 * b), 0, 0, 360, cv::Scalar(60, 50, 200), cv::FILLED, cv::LINE_AA);

  // The mask: a band over nose and mouth when worn, pushed below the nose onto
  // mouth and chin when worn incorrectly.
  if (mask_state != kMaskNotWorn) {
    const cv::Scalar& colour = mask_colour;
    const double top = mask_state == kMaskWear ? cy - 0.02 * b : cy + incorrect_drop * b;
    const double h = 0.95 * b;
    std::vector<cv::Point> band = {P(cx - 0.95 * a, top),          P(cx + 0.95 * a, top),
                                   P(cx + 0.85 * a, top + 0.6 * h), P(cx + 0.35 * a, top + h),
                                   P(cx - 0.35 * a, top + h),       P(cx - 0.85 * a, top + 0.6 * h)};
    cv::fillConvexPoly(img, band, colour, cv::LINE_AA);
    for (int i = 1; i <= 3; ++i) {  // pleats
      double y = top + i * 0.18 * h;
      cv::line(img, P(cx - 0.8 * a, y), P(cx + 0.8 * a, y), colour * 0.7, line, cv::LINE_AA);
    }
    for (double side : {-1.0, 1.0}) {  // ear loops
      cv::line(img, P(cx + side * 0.95 * a, top), P(cx + side * a, cy - 0.2 * b), colour * 0.8, line, cv::LINE_AA);
    }
  }

  // Whole-photo jitter: small rotation, brightness, sensor noise.
  cv::Mat rotation = cv::getRotationMatrix2D(cv::Point2f(width / 2.f, height / 2.f), angle, 1.0);
  cv::Mat out;
  cv::warpAffine(img, out, rotation, img.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Mat noise(out.size(), CV_16SC3);
  cv::RNG cv_rng(noise_seed);
  cv_rng.fill(noise, cv::RNG::NORMAL, cv::Scalar::all(brightness), cv::Scalar::all(4));
  cv::Mat noisy;
  out.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(out, CV_8UC3);
  return out;
}

}  // namespace foldstack::data
