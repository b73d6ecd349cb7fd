#include "data/synth.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
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

// With min_age > 0 the bin is raised to min_age's and the age to at least min_age; min_age 0
// draws exactly what earlier releases drew.
Person DrawPerson(std::mt19937_64& rng, int number, int min_age) {
  Person p;
  p.id = absl::StrFormat("%06d", number);
  p.gender = Chance(rng, 0.6) ? kFemale : kMale;  // about 60% women
  double r = static_cast<double>(rng() >> 11) * 0x1p-53;
  int bin = r < 0.45 ? 0 : r < 0.9 ? 1 : 2;  // 45% / 45% / 10%
  bin = std::max(bin, AgeBin(min_age));
  p.age = std::max(DrawAgeInBin(rng, bin), min_age);
  p.given_gender = p.gender;
  p.given_age = p.age;
  p.look_seed = rng();
  return p;
}

std::vector<Person> DrawPeople(const SynthOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::vector<Person> people;
  for (int i = 0; i < options.people; ++i) people.push_back(DrawPerson(rng, options.first_id + i, options.min_age));
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

// One photo of the eval set: whose, which of the 7, and its competition-style file name.
struct EvalPhoto {
  int person = 0;  // index into the eval people
  int photo = 0;   // index into kMaskPhotoNames
  std::string image_id;
};

// The eval people come from their own random stream, so adding an eval set leaves the training
// files of a seed unchanged; they are numbered after the training people.
std::vector<Person> DrawEvalPeople(const SynthOptions& options, std::mt19937_64& rng) {
  std::vector<Person> people;
  for (int i = 0; i < EvalPeople(options); ++i) {
    people.push_back(DrawPerson(rng, options.first_id + options.people + i, options.min_age));
  }
  return people;
}

// Every photo of every eval person under a unique 40-hex-digit name, in a seeded shuffled order.
std::vector<EvalPhoto> PlanEvalPhotos(int eval_people, std::mt19937_64& rng) {
  std::vector<EvalPhoto> photos;
  std::set<std::string> used;
  for (int person = 0; person < eval_people; ++person) {
    for (int photo = 0; photo < kPhotosPerPerson; ++photo) {
      std::string id;
      do {
        id = absl::StrFormat("%016x%016x%08x.jpg", rng(), rng(), static_cast<uint32_t>(rng() >> 32));
      } while (!used.insert(id).second);
      photos.push_back({person, photo, id});
    }
  }
  for (size_t i = photos.size(); i > 1; --i) std::swap(photos[i - 1], photos[Below(rng, i)]);
  return photos;
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

// Salt of the eval set's random stream ("eval" in ASCII).
constexpr uint64_t kEvalStream = 0x6576616c;

struct PhotoToDraw {
  std::string path;
  size_t look = 0;  // index into the looks
  int photo = 0;    // index into kMaskPhotoNames: what the photo shows
};

// Draws and encodes the photos on options.threads threads. Each photo depends only on its look
// and index, so which thread draws it does not matter. The first failure stops every thread.
absl::Status WritePhotos(const std::vector<PersonLook>& looks, const std::vector<PhotoToDraw>& photos,
                         const SynthOptions& options) {
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  absl::Status first_error;
  auto work = [&] {
    for (size_t i = next++; i < photos.size(); i = next++) {
      const PhotoToDraw& todo = photos[i];
      cv::Mat image =
          DrawPhoto(looks[todo.look], todo.photo, MaskStateOfPhoto(todo.photo), options.width, options.height);
      std::string problem;
      try {
        if (!cv::imwrite(todo.path, image, {cv::IMWRITE_JPEG_QUALITY, 90})) problem = "write failed";
      } catch (const cv::Exception& e) {
        problem = e.what();
      }
      if (!problem.empty()) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (first_error.ok()) first_error = absl::InternalError(absl::StrCat("cannot write ", todo.path, ": ", problem));
        next = photos.size();  // stop the other threads too
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options.threads); ++t) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();
  return first_error;
}

constexpr char kReadme[] =
    "This is a synthetic stand-in for the mask-classification competition data, written by "
    "`foldstack data synth`. It has the competition's layout (train/train.csv with id,gender,race,age,path "
    "and train/images/<path>/{mask1..mask5,incorrect_mask,normal}.jpg), 18 classes (mask worn / incorrect / "
    "not worn x male / female x age <30 / 30-59 / >=60) and the real data's imbalance, but the photos are "
    "drawn cartoon faces: the mask band's position shows the mask state, hair length the gender, hair colour "
    "and forehead wrinkles the age bin. label_noise.csv lists the errors planted on purpose (gender or age "
    "wrong in train.csv, or incorrect_mask and normal swapped), so label-cleaning tools can be checked. "
    "eval/ is the competition's test layout (info.csv with ImageID,ans and ans 0; images/<ImageID>) of people "
    "not in train; their true classes are in eval_answers.csv, to score a submission. "
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
  if (options.min_age < 0 || options.min_age > 100) {
    return absl::InvalidArgumentError(absl::StrCat("synth: --min_age ", options.min_age, ", expected 0..100"));
  }
  if (options.first_id < 1 || options.first_id + options.people + EvalPeople(options) > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("synth: --first_id ", options.first_id, ", expected >= 1 with every id below 1000000"));
  }
  if (options.eval_people < -1) {
    return absl::InvalidArgumentError(
        absl::StrCat("synth: --eval_people ", options.eval_people, ", expected >= 0 (or -1 for the default)"));
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

  std::vector<PersonLook> looks;
  std::vector<PhotoToDraw> photos;
  for (size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    const fs::path folder = images_dir / p.Folder();
    std::error_code dir_ec;
    fs::create_directories(folder, dir_ec);
    looks.push_back(MakePersonLook(p.gender, AgeBin(p.age), p.look_seed));
    for (int photo = 0; photo < kPhotosPerPerson; ++photo) {
      // A mask swap files the incorrect_mask photo (index 5) as normal (6) and vice versa.
      int file_index = p.noise == NoiseKind::kMaskSwap && photo >= 5 ? 11 - photo : photo;
      photos.push_back({(folder / absl::StrCat(kMaskPhotoNames[file_index], ".jpg")).string(), i, photo});
    }
  }

  std::mt19937_64 eval_rng(options.seed ^ kEvalStream);
  const std::vector<Person> eval_people = DrawEvalPeople(options, eval_rng);
  const std::vector<EvalPhoto> eval_photos = PlanEvalPhotos(static_cast<int>(eval_people.size()), eval_rng);
  if (!eval_people.empty()) {
    const fs::path eval_images = out / "eval" / "images";
    fs::create_directories(eval_images, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", eval_images.string(), ": ", ec.message()));
    std::string info = "ImageID,ans\n", answers = "ImageID,ans\n";
    const size_t first_look = looks.size();
    for (const Person& p : eval_people) looks.push_back(MakePersonLook(p.gender, AgeBin(p.age), p.look_seed));
    for (const EvalPhoto& e : eval_photos) {
      const Person& p = eval_people[e.person];
      absl::StrAppend(&info, e.image_id, ",0\n");
      absl::StrAppend(&answers, e.image_id, ",", MaskClass(MaskStateOfPhoto(e.photo), p.gender, AgeBin(p.age)), "\n");
      photos.push_back({(eval_images / e.image_id).string(), first_look + e.person, e.photo});
    }
    if (auto s = WriteText(out / "eval" / "info.csv", info); !s.ok()) return s;
    if (auto s = WriteText(out / "eval_answers.csv", answers); !s.ok()) return s;
  }
  if (auto s = WritePhotos(looks, photos, options); !s.ok()) return s;

  SynthReport report;
  report.people = options.people;
  report.images = options.people * kPhotosPerPerson;
  for (const Person& p : people) report.noisy_people += p.noise != NoiseKind::kNone;
  report.eval_images = static_cast<int>(eval_photos.size());
  return report;
}

int EvalPeople(const SynthOptions& options) {
  if (options.eval_people >= 0) return options.eval_people;
  return std::max(1, static_cast<int>(std::lround(options.people * 2.0 / 3.0)));
}

}  // namespace foldstack::data
