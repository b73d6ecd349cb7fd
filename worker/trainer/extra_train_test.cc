#include "worker/trainer/extra_train.h"

#include <cstdlib>
#include <string>

#include "data/dataset.h"
#include "data/synth.h"
#include "gtest/gtest.h"

namespace foldstack::trainer {
namespace {

// A synthetic set of `people` (7 photos each) at TEST_TMPDIR/name, ids from first_id.
std::string Synth(const std::string& name, int people, int first_id, int min_age) {
  data::SynthOptions options;
  options.out_dir = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  options.people = people;
  options.seed = static_cast<uint64_t>(first_id);
  options.width = options.height = 16;
  options.eval_people = 0;
  options.first_id = first_id;
  options.min_age = min_age;
  EXPECT_TRUE(data::WriteSynthDataset(options).ok());
  return options.out_dir;
}

JobConfig MaskJob() {
  JobConfig job;
  job.job_id = 4;
  job.dataset_kind = "mask";
  job.dataset_root = Synth("main", 2, 1, 0);
  job.num_classes = 18;
  job.samples.push_back({1, "train/images/x/mask1.jpg", 0, 0});
  return job;
}

TEST(ExtraTrainTest, AddsEverySampleOfEachSetForTrainingOnly) {
  JobConfig job = MaskJob();
  job.extra_train = {{Synth("old", 3, 1001, 60), 0.5}, {Synth("more", 2, 2001, 0), 1.0}};
  absl::StatusOr<int64_t> added = AddExtraTrainSamples(job);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 5 * 7);
  ASSERT_EQ(job.samples.size(), 1u + 35u);
  EXPECT_EQ(job.samples[0].extra_set, -1);  // the split's sample is untouched
  for (size_t i = 1; i < job.samples.size(); ++i) {
    const JobSample& s = job.samples[i];
    EXPECT_EQ(s.fold, -1) << s.key;  // never a held-out fold
    EXPECT_LT(s.id, 0) << s.key;     // never one of the split's sample ids
    EXPECT_EQ(s.extra_set, i <= 21 ? 0 : 1) << s.key;
    if (s.extra_set == 0) {
      EXPECT_EQ(s.key.rfind("extra_train[0]/train/images/001", 0), 0u) << s.key;
      EXPECT_EQ(s.label % 3, 2) << s.key;  // >= 60
    } else {
      EXPECT_EQ(s.key.rfind("extra_train[1]/train/images/002", 0), 0u) << s.key;
    }
  }
}

TEST(ExtraTrainTest, ImagesAreReadFromTheirSetsRoot) {
  JobConfig job = MaskJob();
  job.extra_train = {{Synth("old2", 1, 3001, 60), 1.0}};
  ASSERT_TRUE(AddExtraTrainSamples(job).ok());
  absl::StatusOr<std::unique_ptr<ImageProvider>> images = OpenJobImages(job);
  ASSERT_TRUE(images.ok()) << images.status();
  absl::StatusOr<data::DecodedImage> extra = (*images)->Decode(job.samples.back().key, {16, 16, 0});
  ASSERT_TRUE(extra.ok()) << extra.status();
  EXPECT_EQ(extra->rgb.cols, 16);
  absl::StatusOr<data::DatasetIndex> main = data::LoadDatasetIndex(data::DatasetKind::kMask, job.dataset_root);
  ASSERT_TRUE(main.ok());
  EXPECT_TRUE((*images)->Decode(main->samples[0].key, {}).ok());
  // The extra key's path is not under the main root, and an unknown set is refused.
  EXPECT_FALSE((*images)->Decode(job.samples.back().key.substr(std::string("extra_train[0]/").size()), {}).ok());
  absl::StatusOr<data::DecodedImage> unknown = (*images)->Decode("extra_train[7]/train/images/a/mask1.jpg", {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "extra_train[7]/train/images/a/mask1.jpg: no such extra training set");
}

TEST(ExtraTrainTest, ErrorsNameTheSet) {
  JobConfig job = MaskJob();
  job.extra_train = {{job.dataset_root, 1.0}, {"/no/such/extra", 1.0}};
  absl::StatusOr<int64_t> added = AddExtraTrainSamples(job);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.status().message(), "dataset.extra_train[1]: dataset root /no/such/extra: no such directory");
  JobConfig few_classes = MaskJob();
  few_classes.num_classes = 2;
  few_classes.extra_train = {{Synth("old3", 1, 4001, 60), 1.0}};
  added = AddExtraTrainSamples(few_classes);
  ASSERT_FALSE(added.ok());
  EXPECT_NE(added.status().message().find("dataset.extra_train[0]: "), std::string::npos) << added.status();
  EXPECT_NE(added.status().message().find("outside 0..1"), std::string::npos) << added.status();
}

}  // namespace
}  // namespace foldstack::trainer
