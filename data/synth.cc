#include "data/synth.h"

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "data/mask_labels.h"
#include "data/synth_face.h"
#include "opencv2/imgcodecs.hpp"

namespace fs = std::filesystem;

namespace foldstack::data {
namespace {

enum class NoiseKind { kNone, kGender, kAge, kMaskSwap };

struct Person {
  std::string id;            // "000001"
  int gender = 0;            // truth (drawn)
  int age = 0;               // truth
  int given_gender = 0;      // as written in train.csv / the folder name
  int given_age = 0;
  NoiseKind noise = NoiseKind::kNone;
  uint64_t look_seed = 0;
  std::string Folder() const {
    return absl::StrCat(id, "_", given_gender == kMale ? "male" : "female", "_Asian_", given_age);
  }
};

// Raw-draw helpers: std distributions differ across standard libraries.
uint64_t Below(std::mt19937_64& rng, uint64_t n) { return rng() % n; }  // bias < 2^-50 for small n
bool Chance(std::mt19937_64& rng, double p) { return static_cast<double>(rng() >> 11) * 0x1p-53 < p; }

int DrawAgeInBin(std::mt19937_64& rng, int bin) {
  if (bin == 0) return 18 + static_cast<int>(Below(rng, 12));   // 18..29
  if (bin == 1) return 30 + static_cast<int>(Below(rng, 30));   // 30..59
  // The real data's >=60 people are mostly exactly 60.
  return Chance(rng, 0.7) ? 60 : 61 + static_cast<int>(Below(rng, 20));
}

std::vector<Person> DrawPeople(const SynthOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::vector<Person> people(options.people);
  for (int i = 0; i < options.people; ++i) {
    Person& p = people[i];
    p.id = absl::StrFormat("%06d", i + 1);
    p.gender = Chance(rng, 0.6) ? kFemale : kMale;  // about 60% women
    double r = static_cast<double>(rng() >> 11) * 0x1p-53;
    int bin = r < 0.45 ? 0 : r < 0.9 ? 1 : 2;  // 45% / 45% / 10%
    p.age = DrawAgeInBin(rng, bin);
    p.given_gender = p.gender;
    p.given_age = p.age;
    p.look_seed = rng();
  }
  // Plant errors in round(rate * people) people chosen by a seeded shuffle.
  int noisy = static_cast<int>(std::lround(options.label_noise * options.people));
  std::vector<int> order(options.people);
  for (int i = 0; i < options.people; ++i) order[i] = i;
  for (int i = options.people - 1; i > 0; --i) std::swap(order[i], order[Below(rng, i + 1)]);
  for (int n = 0; n < noisy; ++n) {
    Person& p = people[order[n]];
    switch (Below(rng, 3)) {
      case 0:
        p.noise = NoiseKind::kGender;
        p.given_gender = 1 - p.gender;
        break;
      case 1:
        p.noise = NoiseKind::kAge;
        p.given_age = DrawAgeInBin(rng, (AgeBin(p.age) + 1 + static_cast<int>(Below(rng, 2))) % 3);
        break;
      default:
        p.noise = NoiseKind::kMaskSwap;
    }
  }
  return people;
}

absl::Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

std::string NoiseCsv(const std::vector<Person>& people) {
  std::string csv = "person,kind,given,truth\n";
  for (const Person& p : people) {
    switch (p.noise) {
      case NoiseKind::kGender:
        absl::StrAppend(&csv, p.Folder(), ",gender,", p.given_gender == kMale ? "male" : "female", ",",
                        p.gender == kMale ? "male" : "female", "\n");
        break;
      case NoiseKind::kAge:
        absl::StrAppend(&csv, p.Folder(), ",age,", p.given_age, ",", p.age, "\n");
        break;
      case NoiseKind::kMaskSwap:
        absl::StrAppend(&csv, p.Folder(), ",mask_swap,incorrect_mask<->normal,incorrect_mask<->normal\n");
        break;
      case NoiseKind::kNone:
        break;
    }
  }
  return csv;
}

constexpr char kReadme[] =
    "This is a synthetic stand-in for the mask-classification competition data, written by "
    "`foldstack data synth`. It has the competition's layout (train/train.csv with id,gender,race,age,path "
    "and train/images/<path>/{mask1..mask5,incorrect_mask,normal}.jpg), 18 classes (mask worn / incorrect / "
    "not worn x male / female x age <30 / 30-59 / >=60) and the real data's imbalance, but the photos are "
    "drawn cartoon faces: the mask band's position shows the mask state, hair length the gender, hair colour "
    "and forehead wrinkles the age bin. label_noise.csv lists the errors planted on purpose (gender or age "
    "wrong in train.csv, or incorrect_mask and normal swapped), so label-cleaning tools can be checked. "
    "Regenerating with the same people, seed and label noise rate gives the same files.\n";

}  // namespace

absl::StatusOr<SynthReport> WriteSynthDataset(const SynthOptions& options) {
  if (options.out_dir.empty()) return absl::InvalidArgumentError("synth: --out is required");
  if (options.people < 1) {
    return absl::InvalidArgumentError(absl::StrCat("synth: --people ", options.people, ", expected >= 1"));
  }
  if (options.label_noise < 0 || options.label_noise > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("synth: --label-noise ", options.label_noise, ", expected a rate in [0, 1]"));
  }
  if (options.width < 16 || options.height < 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("synth: image size ", options.width, "x", options.height, ", expected at least 16x16"));
  }
  const fs::path out(options.out_dir);
  const fs::path images_dir = out / "train" / "images";
  std::error_code ec;
  fs::create_directories(images_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", images_dir.string(), ": ", ec.message()));

  const std::vector<Person> people = DrawPeople(options);
  std::string csv = "id,gender,race,age,path\n";
  for (const Person& p : people) {
    absl::StrAppend(&csv, p.id, ",", p.given_gender == kMale ? "male" : "female", ",Asian,", p.given_age, ",",
                    p.Folder(), "\n");
  }
  if (auto s = WriteText(out / "train" / "train.csv", csv); !s.ok()) return s;
  if (auto s = WriteText(out / "label_noise.csv", NoiseCsv(people)); !s.ok()) return s;
  if (auto s = WriteText(out / "README.txt", kReadme); !s.ok()) return s;

  // Each person is drawn from its own seed, so which thread draws it does not matter.
  std::atomic<int> next{0};
  std::mutex error_mutex;
  absl::Status first_error;
  auto work = [&] {
    for (int i = next++; i < static_cast<int>(people.size()); i = next++) {
      const Person& p = people[i];
      const fs::path folder = images_dir / p.Folder();
      std::error_code dir_ec;
      fs::create_directories(folder, dir_ec);
      PersonLook look = MakePersonLook(p.gender, AgeBin(p.age), p.look_seed);
      for (int photo = 0; photo < kPhotosPerPerson; ++photo) {
        cv::Mat image = DrawPhoto(look, photo, MaskStateOfPhoto(photo), options.width, options.height);
        // A mask swap files the incorrect_mask photo (index 5) as normal (6) and vice versa.
        int file_index = p.noise == NoiseKind::kMaskSwap && photo >= 5 ? 11 - photo : photo;
        std::string path = (folder / absl::StrCat(kMaskPhotoNames[file_index], ".jpg")).string();
        bool written = false;
        try {
          written = cv::imwrite(path, image, {cv::IMWRITE_JPEG_QUALITY, 90});
        } catch (const cv::Exception& e) {
          written = false;
        }
        if (!written) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (first_error.ok()) first_error = absl::InternalError(absl::StrCat("cannot write ", path));
          return;
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options.threads); ++t) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();
  if (!first_error.ok()) return first_error;

  SynthReport report;
  report.people = options.people;
  report.images = options.people * kPhotosPerPerson;
  for (const Person& p : people) report.noisy_people += p.noise != NoiseKind::kNone;
  return report;
}

}  // namespace foldstack::data
