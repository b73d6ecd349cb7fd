// A job's extra training sets (JobConfig::extra_train, a sweep's dataset.extra_train): the trainer
// scans them itself and adds their samples to the training set only, so the coordinator's split,
// folds and OOF rows cover the main dataset alone. Their keys are the set's own keys behind a
// prefix naming the set ("extra_train[0]/train/images/..."), and OpenJobImages routes them.
#ifndef FOLDSTACK_WORKER_TRAINER_EXTRA_TRAIN_H_
#define FOLDSTACK_WORKER_TRAINER_EXTRA_TRAIN_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "worker/trainer/image_provider.h"
#include "worker/trainer/job_config.h"

namespace foldstack::trainer {

// "extra_train[<set>]/<key>".
std::string ExtraTrainKey(int set, const std::string& key);

// Appends every sample of each of job.extra_train's datasets (of job.dataset_kind) to job.samples
// with fold -1, extra_set = its set, a negative id and an ExtraTrainKey; returns how many. Errors
// name the set: "dataset.extra_train[0]: dataset root /x: no such directory".
absl::StatusOr<int64_t> AddExtraTrainSamples(JobConfig& job);

// The job's images: the main dataset's keys from dataset_root, ExtraTrainKeys from their set's root.
absl::StatusOr<std::unique_ptr<ImageProvider>> OpenJobImages(const JobConfig& job);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_EXTRA_TRAIN_H_
