#include "data/label_flips.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/fashion_mnist.h"
#include "data/idx_file.h"

namespace foldstack::data {
namespace {

// A raw draw below n: std distributions differ across standard libraries.
uint64_t Below(std::mt19937_64& rng, uint64_t n) { return rng() % n; }

constexpr char kFlipsHeader[] = "sample,given,truth";

}  // namespace

std::vector<LabelFlip> PlanLabelFlips(const std::vector<uint8_t>& labels, int num_classes, double rate,
                                      uint64_t seed) {
  const int64_t n = static_cast<int64_t>(labels.size());
  const int64_t count = std::min<int64_t>(n, std::llround(rate * n));
  std::mt19937_64 rng(seed);
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  for (int64_t i = n - 1; i > 0; --i) std::swap(order[i], order[Below(rng, i + 1)]);
  order.resize(count);
  std::sort(order.begin(), order.end());
  std::vector<LabelFlip> flips;
  for (int64_t i : order) {
    const int truth = labels[i];
    flips.push_back({i, (truth + 1 + static_cast<int>(Below(rng, num_classes - 1))) % num_classes, truth});
  }
  return flips;
}

std::string LabelFlipsCsv(const std::vector<LabelFlip>& flips) {
  std::string csv = absl::StrCat(kFlipsHeader, "\n");
  for (const LabelFlip& f : flips) absl::StrAppend(&csv, "train/", f.index, ",", f.given, ",", f.truth, "\n");
  return csv;
}

absl::StatusOr<std::vector<LabelFlip>> ParseLabelFlipsCsv(absl::string_view text) {
  std::vector<LabelFlip> out;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripSuffix(line, "\r");
    if (line_number == 1) {
      if (line != kFlipsHeader) {
        return absl::InvalidArgumentError(
            absl::StrCat("label_noise.csv:1: header \"", line, "\", expected \"", kFlipsHeader, "\""));
      }
      continue;
    }
    if (line.empty()) continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
    LabelFlip f;
    if (fields.size() != 3 || !absl::ConsumePrefix(&fields[0], "train/") || !absl::SimpleAtoi(fields[0], &f.index) ||
        !absl::SimpleAtoi(fields[1], &f.given) || !absl::SimpleAtoi(fields[2], &f.truth)) {
      return absl::InvalidArgumentError(
          absl::StrCat("label_noise.csv:", line_number, ": \"", line, "\", expected train/<index>,<given>,<truth>"));
    }
    out.push_back(f);
  }
  return out;
}

absl::StatusOr<FlipReport> WriteFlippedFashionMnist(const FlipOptions& options) {
  if (options.from_dir.empty() || options.out_dir.empty()) {
    return absl::InvalidArgumentError("flip-labels: --from and --out are required");
  }
  if (!(options.rate >= 0 && options.rate <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("flip-labels: --rate ", options.rate, ", expected a rate in [0, 1]"));
  }
  if (options.max_samples < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("flip-labels: --max_samples ", options.max_samples, ", expected >= 0 (0: all)"));
  }
  absl::StatusOr<std::string> labels_path = FindIdxFile(options.from_dir, kFashionLabelsFile);
  if (!labels_path.ok()) return labels_path.status();
  absl::StatusOr<IdxArray> labels = ReadIdxFile(*labels_path, kIdxLabelsMagic);
  if (!labels.ok()) return labels.status();
  absl::StatusOr<IdxArray> images = ReadFashionMnistImages(options.from_dir);
  if (!images.ok()) return images.status();
  if (images->dims[0] != labels->dims[0]) {
    return absl::InvalidArgumentError(absl::StrCat(options.from_dir, ": ", images->dims[0], " images but ",
                                                   labels->dims[0], " labels; expected the same count"));
  }
  uint32_t n = labels->dims[0];
  if (options.max_samples > 0 && options.max_samples < n) n = static_cast<uint32_t>(options.max_samples);
  const size_t image_bytes = static_cast<size_t>(images->dims[1]) * images->dims[2];
  images->dims[0] = labels->dims[0] = n;
  images->data.resize(n * image_bytes);
  labels->data.resize(n);
  const std::vector<LabelFlip> flips = PlanLabelFlips(labels->data, kFashionNumClasses, options.rate, options.seed);
  for (const LabelFlip& f : flips) labels->data[f.index] = static_cast<uint8_t>(f.given);

  const std::filesystem::path out(options.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", out.string(), ": ", ec.message()));
  if (auto s = WriteIdxFile((out / kFashionImagesFile).string(), kIdxImagesMagic, *images); !s.ok()) return s;
  if (auto s = WriteIdxFile((out / kFashionLabelsFile).string(), kIdxLabelsMagic, *labels); !s.ok()) return s;
  std::ofstream csv(out / "label_noise.csv", std::ios::binary);
  csv << LabelFlipsCsv(flips);
  csv.close();
  if (!csv) return absl::InternalError(absl::StrCat("cannot write ", (out / "label_noise.csv").string()));
  return FlipReport{n, static_cast<int64_t>(flips.size())};
}

}  // namespace foldstack::data
