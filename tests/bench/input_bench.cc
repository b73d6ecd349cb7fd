// Input-pipeline throughput: JPEG files -> decode -> hflip + shift_scale_rotate +
// brightness_contrast (each p = 0.5) -> S x S normalized float batches, through
// BatchPipeline with T threads. tests/bench/input_peer.py does the same with PIL +
// torchvision in a DataLoader with T workers and prints the same JSON line;
// tests/bench/run_input_bench.sh runs both on the same files and prints the ratio.
//
// --generate=DIR writes the synthetic 384x512 JPEG data set (`foldstack data
// synth`'s generator) there and exits, so both sides can read the same files.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "tests/bench/bench_output.h"
#include "data/synth.h"
#include "worker/trainer/augment/augment_config.h"
#include "worker/trainer/augment/image_transforms.h"
#include "worker/trainer/image_source_provider.h"
#include "worker/trainer/input/batch_pipeline.h"

ABSL_FLAG(std::string, images, "", "folder of JPEGs (searched recursively, sorted by path)");
ABSL_FLAG(int, count, 1024, "images per timed pass (the first files in path order, cycled if fewer)");
ABSL_FLAG(int, threads, 2, "pipeline threads");
ABSL_FLAG(int, batch, 32, "images per batch");
ABSL_FLAG(int, size, 224, "output height and width");
ABSL_FLAG(int, prefetch, 2, "batches made ahead");
ABSL_FLAG(int, warmup, 64, "images of an untimed pass first (page cache)");
ABSL_FLAG(uint64_t, seed, 0, "augmentation seed");
ABSL_FLAG(std::string, generate, "", "write a synthetic 384x512 JPEG data set to this folder and exit");
ABSL_FLAG(int, people, 150, "--generate: people (7 photos each, plus an eval set)");

namespace {

using foldstack::bench::FailJson;
using foldstack::trainer::BatchPipeline;
using foldstack::trainer::PipelineItem;
using foldstack::trainer::PipelineOptions;

double CpuSeconds(const struct rusage& usage) {
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Keys (paths relative to `root`) of the JPEGs under it, in byte order, cycled to `count`.
std::vector<std::string> ImageKeys(const std::string& root, int count) {
  namespace fs = std::filesystem;
  std::vector<std::string> keys;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    const std::string ext = absl::AsciiStrToLower(entry.path().extension().string());
    if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg")) {
      keys.push_back(fs::relative(entry.path(), root).string());
    }
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::string> cycled;
  for (int i = 0; i < count && !keys.empty(); ++i) cycled.push_back(keys[i % keys.size()]);
  return cycled;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (const std::string out = absl::GetFlag(FLAGS_generate); !out.empty()) {
    auto report = foldstack::data::WriteSynthDataset({.out_dir = out, .people = absl::GetFlag(FLAGS_people)});
    if (!report.ok()) return FailJson(std::string(report.status().message()));
    std::cerr << "wrote " << report->images << " images to " << out << "\n";
    return 0;
  }
  const std::string root = absl::GetFlag(FLAGS_images);
  const int size = absl::GetFlag(FLAGS_size);
  auto provider = foldstack::trainer::OpenImageSourceProvider("mask", root);
  if (!provider.ok()) return FailJson(std::string(provider.status().message()));

  foldstack::augment::AugmentConfig config;
  config.image_size = size;
  config.hflip = 0.5;
  config.shift_scale_rotate = 0.5;  // shift 0.0625, scale 0.1, rotate 45: the defaults
  config.brightness_contrast = 0.5;  // brightness 0.2, contrast 0.2: the defaults
  PipelineOptions options;
  options.batch_size = absl::GetFlag(FLAGS_batch);
  options.image_size = size;
  options.threads = absl::GetFlag(FLAGS_threads);
  options.prefetch_batches = absl::GetFlag(FLAGS_prefetch);
  options.decode = {.min_width = size, .min_height = size};
  auto transform = [&config](const foldstack::data::DecodedImage& image, const PipelineItem& item, float* out) {
    std::mt19937_64 rng(item.seed);
    foldstack::augment::TrainTransform(image.rgb, image.scale, config, rng, out);
  };

  // One pass over `count` images; returns the images delivered or an error.
  auto run_pass = [&](int count) -> absl::StatusOr<int64_t> {
    std::vector<PipelineItem> items;
    for (const std::string& key : ImageKeys(root, count)) {
      const int64_t i = static_cast<int64_t>(items.size());
      items.push_back({i, key, absl::GetFlag(FLAGS_seed) * 1000003 + i});
    }
    if (items.empty()) return absl::NotFoundError("no JPEG files under " + root);
    BatchPipeline pipeline(**provider, std::move(items), options, transform);
    int64_t images = 0;
    while (true) {
      auto batch = pipeline.Next();
      if (!batch.ok()) return batch.status();
      if (!batch->has_value()) return images;
      images += (*batch)->images.size(0);
    }
  };

  if (const int warmup = absl::GetFlag(FLAGS_warmup); warmup > 0) {
    if (auto warm = run_pass(warmup); !warm.ok()) return FailJson(std::string(warm.status().message()));
  }
  struct rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<int64_t> images = run_pass(absl::GetFlag(FLAGS_count));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  getrusage(RUSAGE_SELF, &after);
  if (!images.ok()) return FailJson(std::string(images.status().message()));
  std::cout << absl::StrFormat(
                   "{\"side\": \"foldstack\", \"images\": %d, \"threads\": %d, \"batch\": %d, \"size\": %d, "
                   "\"seconds\": %.3f, \"images_per_s\": %.2f, \"cpu_seconds\": %.3f, \"peak_rss_mb\": %.1f}",
                   *images, options.threads, options.batch_size, size, seconds, *images / seconds,
                   CpuSeconds(after) - CpuSeconds(before), after.ru_maxrss / 1024.0)
            << std::endl;
  return 0;
}
