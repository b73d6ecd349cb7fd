#include "worker/trainer/input/batch_pipeline.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include <ATen/ATen.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "worker/trainer/image_source_provider.h"

namespace foldstack::trainer {
namespace {

using namespace std::chrono_literals;

// "img/<n>": a 12x10 image whose pixels are (n % 256, 7n % 256, 3).
// "bad/<n>": fails naming the key; "slowbad/<n>" fails after 30 ms;
// "throw/<n>": an image the test transform throws on.
class NumberedImages : public ImageProvider {
 public:
  absl::StatusOr<data::DecodedImage> Decode(const std::string& key, const data::DecodeTarget&) const override {
    const size_t slash = key.find('/');
    int n = 0;
    if (slash == std::string::npos || !absl::SimpleAtoi(key.substr(slash + 1), &n)) {
      return absl::NotFoundError(absl::StrCat("no image ", key));
    }
    const std::string kind = key.substr(0, slash);
    if (kind == "slowbad") std::this_thread::sleep_for(30ms);
    if (kind == "bad" || kind == "slowbad") return absl::DataLossError(absl::StrCat("cannot decode image ", key));
    return data::DecodedImage{cv::Mat(10, 12, CV_8UC3, cv::Scalar(n % 256, (7 * n) % 256, 3)),
                              kind == "throw" ? -1.0 : 1.0};
  }
};

constexpr int kSize = 4;

// Resize + /255, plus noise drawn from the item's seed (so a transform that
// depended on anything but its item would show up as differing outputs).
void NoisyTransform(const data::DecodedImage& image, const PipelineItem& item, float* out) {
  if (image.scale < 0) throw std::runtime_error("negative scale");
  cv::Mat small;
  cv::resize(image.rgb, small, cv::Size(kSize, kSize), 0, 0, cv::INTER_AREA);
  std::mt19937_64 rng(item.seed);
  std::uniform_real_distribution<float> noise(0, 0.001f);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < kSize; ++y)
      for (int x = 0; x < kSize; ++x) {
        *out++ = small.at<cv::Vec3b>(y, x)[c] / 255.0f + noise(rng);
      }
}

std::vector<PipelineItem> Items(int count) {
  std::vector<PipelineItem> items;
  for (int i = 0; i < count; ++i) items.push_back({100 + i, absl::StrCat("img/", i), uint64_t(i) * 7919});
  return items;
}

PipelineOptions Options(int batch_size, int threads) {
  PipelineOptions options;
  options.batch_size = batch_size;
  options.image_size = kSize;
  options.threads = threads;
  return options;
}

std::vector<InputBatch> Drain(BatchPipeline& pipeline) {
  std::vector<InputBatch> batches;
  while (true) {
    absl::StatusOr<std::optional<InputBatch>> batch = pipeline.Next();
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok() || !batch->has_value()) return batches;
    batches.push_back(**batch);
  }
}

TEST(BatchPipelineTest, BatchesComeOutInItemOrder) {
  NumberedImages images;
  BatchPipeline pipeline(images, Items(10), Options(4, 3), NoisyTransform);
  EXPECT_EQ(pipeline.batch_count(), 3);
  std::vector<InputBatch> batches = Drain(pipeline);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].samples, (std::vector<int64_t>{100, 101, 102, 103}));
  EXPECT_EQ(batches[2].samples, (std::vector<int64_t>{108, 109}));
  for (int b = 0; b < 3; ++b) {
    const at::Tensor& t = batches[b].images;
    ASSERT_EQ(t.sizes(), (at::IntArrayRef{b == 2 ? 2 : 4, 3, kSize, kSize}));
    EXPECT_EQ(t.scalar_type(), at::kFloat);
    for (int row = 0; row < t.size(0); ++row) {
      const int n = b * 4 + row;  // item n's red is n / 255, its green 7n / 255 (+ < 0.001 noise)
      EXPECT_NEAR(t[row][0][1][2].item<float>(), n / 255.0f, 0.001) << n;
      EXPECT_NEAR(t[row][1][3][0].item<float>(), 7 * n / 255.0f, 0.001) << n;
    }
  }
  EXPECT_FALSE(pipeline.Next()->has_value());  // and stays finished
}

TEST(BatchPipelineTest, DropLastDropsOnlyAShortLastBatch) {
  NumberedImages images;
  PipelineOptions options = Options(4, 2);
  options.drop_last = true;
  BatchPipeline ten(images, Items(10), options, NoisyTransform);
  std::vector<InputBatch> batches = Drain(ten);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1].samples, (std::vector<int64_t>{104, 105, 106, 107}));
  BatchPipeline eight(images, Items(8), options, NoisyTransform);
  EXPECT_EQ(Drain(eight).size(), 2u);
  BatchPipeline three(images, Items(3), options, NoisyTransform);
  EXPECT_EQ(three.batch_count(), 0);
  EXPECT_FALSE(three.Next()->has_value());
  BatchPipeline none(images, {}, Options(4, 2), NoisyTransform);
  EXPECT_FALSE(none.Next()->has_value());
}

TEST(BatchPipelineTest, OutputDoesNotDependOnTheThreadCount) {
  NumberedImages images;
  BatchPipeline one(images, Items(23), Options(5, 1), NoisyTransform);
  BatchPipeline three(images, Items(23), Options(5, 3), NoisyTransform);
  std::vector<InputBatch> a = Drain(one), b = Drain(three);
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(at::equal(a[i].images, b[i].images)) << "batch " << i;
    EXPECT_EQ(a[i].samples, b[i].samples);
  }
  // The seeds matter: the same images with other seeds differ.
  std::vector<PipelineItem> reseeded = Items(23);
  for (PipelineItem& item : reseeded) item.seed += 1;
  BatchPipeline other(images, reseeded, Options(5, 3), NoisyTransform);
  EXPECT_FALSE(at::equal(Drain(other)[0].images, a[0].images));
}

TEST(BatchPipelineTest, TheEarliestFailingItemEndsThePipeline) {
  NumberedImages images;
  for (int threads : {1, 3}) {
    std::vector<PipelineItem> items = Items(40);
    items[11].key = "slowbad/11";  // fails last in time, first in order
    items[13].key = "bad/13";
    items[30].key = "bad/30";
    BatchPipeline pipeline(images, items, Options(8, threads), NoisyTransform);
    auto first = pipeline.Next();
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(first->has_value());
    for (int call = 0; call < 2; ++call) {
      auto failed = pipeline.Next();
      ASSERT_FALSE(failed.ok()) << threads;
      EXPECT_EQ(failed.status().message(), "cannot decode image slowbad/11") << threads;
      EXPECT_EQ(failed.status().code(), absl::StatusCode::kDataLoss);
    }
  }
}

TEST(BatchPipelineTest, TransformExceptionsAndBadOptionsAreErrors) {
  NumberedImages images;
  std::vector<PipelineItem> items = Items(6);
  items[4].key = "throw/4";
  BatchPipeline throwing(images, items, Options(3, 2), NoisyTransform);
  ASSERT_TRUE(throwing.Next().ok());
  EXPECT_EQ(throwing.Next().status().message(), "throw/4: image transform failed: negative scale");
  PipelineOptions options = Options(0, 2);
  BatchPipeline bad(images, items, options, NoisyTransform);
  EXPECT_EQ(bad.Next().status().message(), "pipeline options: batch_size: expected >= 1, got 0");
  options = Options(2, 2);
  options.prefetch_batches = 0;
  BatchPipeline no_prefetch(images, items, options, NoisyTransform);
  EXPECT_EQ(no_prefetch.Next().status().message(), "pipeline options: prefetch_batches: expected >= 1, got 0");
}

// Waits up to 5 s for `count` to reach `target`, then a little longer to see it stays there.
int SettledCount(const std::atomic<int>& count, int target) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (count.load() < target && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(40ms);
  return count.load();
}

TEST(BatchPipelineTest, ASlowConsumerNeverHasMoreThanPrefetchBatchesMadeAhead) {
  NumberedImages images;
  std::atomic<int> transformed{0};
  auto counting = [&](const data::DecodedImage& image, const PipelineItem& item, float* out) {
    NoisyTransform(image, item, out);
    ++transformed;
  };
  constexpr int kItems = 40, kBatch = 4, kPrefetch = 2;
  PipelineOptions options = Options(kBatch, 3);
  options.prefetch_batches = kPrefetch;
  BatchPipeline pipeline(images, Items(kItems), options, counting);
  // Before any Next() and after each: exactly the batches allowed ahead are made, no more.
  for (int delivered = 0; delivered <= kItems / kBatch; ++delivered) {
    const int bound = std::min(kItems, (delivered + kPrefetch) * kBatch);
    EXPECT_EQ(SettledCount(transformed, bound), bound) << "after " << delivered << " batches";
    auto batch = pipeline.Next();
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(batch->has_value(), delivered < kItems / kBatch);
  }
}

TEST(BatchPipelineTest, BatchBuffersAreReusedOnlyOnceTheConsumerDropsThem) {
  NumberedImages images;
  PipelineOptions options = Options(2, 3);
  options.prefetch_batches = 2;
  // A consumer that drops each batch: prefetch_batches in work plus the one it holds.
  BatchPipeline dropping(images, Items(60), options, NoisyTransform);
  std::set<const void*> buffers;
  for (int b = 0; b < 30; ++b) {
    auto batch = dropping.Next();
    ASSERT_TRUE(batch.ok() && batch->has_value());
    buffers.insert((*batch)->images.data_ptr());
  }
  EXPECT_LE(buffers.size(), 3u);
  // A consumer that keeps a copy of one batch and a view of another: neither is written again.
  BatchPipeline keeping(images, Items(60), options, NoisyTransform);
  auto first = keeping.Next();
  auto second = keeping.Next();
  ASSERT_TRUE(first.ok() && first->has_value() && second.ok() && second->has_value());
  const at::Tensor copy = (*first)->images, copy_before = copy.clone();
  const at::Tensor view = (*second)->images.narrow(0, 1, 1), view_before = view.clone();
  first->reset();
  second->reset();
  for (int b = 2; b < 30; ++b) ASSERT_TRUE(keeping.Next().ok());
  EXPECT_TRUE(at::equal(copy, copy_before));
  EXPECT_TRUE(at::equal(view, view_before));
}

TEST(BatchPipelineTest, DestroyingMidEpochStopsPromptly) {
  NumberedImages images;
  std::atomic<int> transformed{0};
  auto slow = [&](const data::DecodedImage& image, const PipelineItem& item, float* out) {
    std::this_thread::sleep_for(2ms);
    NoisyTransform(image, item, out);
    ++transformed;
  };
  auto start = std::chrono::steady_clock::now();
  {
    BatchPipeline pipeline(images, Items(5000), Options(8, 3), slow);
    ASSERT_TRUE(pipeline.Next().ok());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  const int at_destruction = transformed.load();
  EXPECT_LT(at_destruction, 5000);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(transformed.load(), at_destruction);  // every worker has stopped
}

TEST(BatchPipelineTest, AMissingOrCorruptFileIsNamedByItsPath) {
  namespace fs = std::filesystem;
  const std::string root = std::string(std::getenv("TEST_TMPDIR")) + "/files";
  fs::create_directories(root);
  for (int i = 0; i < 6; ++i) {
    cv::imwrite(absl::StrCat(root, "/", i, ".jpg"), cv::Mat(64, 48, CV_8UC3, cv::Scalar(i * 40, 90, 10)));
  }
  fs::remove(root + "/4.jpg");
  auto provider = OpenImageSourceProvider("mask", root);
  ASSERT_TRUE(provider.ok()) << provider.status();
  std::vector<PipelineItem> items;
  for (int i = 0; i < 6; ++i) items.push_back({i, absl::StrCat(i, ".jpg"), 0});
  PipelineOptions options = Options(2, 2);
  options.decode = {.min_width = kSize, .min_height = kSize};
  BatchPipeline pipeline(**provider, items, options, NoisyTransform);
  auto first = pipeline.Next();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_NEAR((*first)->images[1][2][0][0].item<float>(), 40 / 255.0f, 0.03);  // blue of 1.jpg
  ASSERT_TRUE(pipeline.Next().ok());
  auto missing = pipeline.Next();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "cannot read image " + fs::absolute(root).string() + "/4.jpg: No such file or directory");
}

}  // namespace
}  // namespace foldstack::trainer
