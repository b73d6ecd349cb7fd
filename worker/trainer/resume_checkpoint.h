// The resumable checkpoint of a training job: everything a job killed between
// epochs needs to continue so that, on CPU, it ends with exactly the events
// and best.safetensors of an uninterrupted run (as Determined AI's trial
// checkpoints hold the model, optimizer, scheduler and RNG state, the
// workload position and the searcher's metrics).
//
// File format (resume.ckpt):
//   "FOLDSTACK-RESUME 1\n"                      the magic line, format version 1
//   8 bytes  little-endian payload length L
//   8 bytes  little-endian checksum of the payload: FNV-1a-64 over its 64-bit little-endian
//            words, the last zero-padded (a torn or corrupt file is refused)
//   L bytes  payload: a LibTorch archive (torch::serialize::OutputArchive, a zip)
//            with the keys ResumeCheckpoint's fields name (see resume_checkpoint.cc).
// Streamed to "<path>.tmp-<pid>" in the same directory, fsync'ed and renamed
// over <path> (then the directory is fsync'ed): a reader sees the previous
// checkpoint or the new one, never half of one.
//
// What is NOT in it, because it is derived from (seed, epoch) rather than
// carried across epochs: the sampler's order, the per-image augmentation draws
// and the mixup/cutmix draws (worker/trainer/input_plan.h, trainer.cc). The only
// random stream that runs across epochs is torch's default CPU generator
// (dropout, drop path), which is saved. CUDA generators are not: a resumed
// CUDA job continues correctly but not bitwise.
#ifndef FOLDSTACK_WORKER_TRAINER_RESUME_CHECKPOINT_H_
#define FOLDSTACK_WORKER_TRAINER_RESUME_CHECKPOINT_H_

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "worker/trainer/event_sink.h"
#include "worker/trainer/job_config.h"
#include "worker/trainer/recipes/early_stopping.h"
#include "worker/trainer/safetensors.h"

namespace foldstack::trainer {

inline constexpr char kResumeFileName[] = "resume.ckpt";
inline constexpr char kResumeSidecarName[] = "resume.json";

// What makes two runs the same run: a checkpoint is only resumed by a job
// with the same identity. Not part of it: job_id, out_dir, device, threads,
// dataset root (the data may live elsewhere on another machine) and the
// resume keys themselves.
struct ResumeIdentity {
  std::string model;
  std::string dataset_kind;
  int num_classes = 0;
  int fold = 0;
  std::string objective;     // "<metric> min|max"
  std::string settings;      // the complete params.settings, dumped (sorted keys)
  int64_t samples = 0;
  uint64_t samples_hash = 0;  // FNV-1a over every sample's id, key, label and fold, in order
};

ResumeIdentity JobIdentity(const JobConfig& job);

// "" when equal; otherwise the first difference, e.g.
//   params.lr is 0.02 in this job, 0.01 in the checkpoint
std::string IdentityMismatch(const ResumeIdentity& job, const ResumeIdentity& checkpoint);

struct ResumeCheckpoint {
  ResumeIdentity identity;
  int epoch = 0;                 // the last finished epoch (from 1)
  int phase = 0;                 // 0: the training phase, 1: the finetune phase
  bool phase_done = false;       // that phase ended with this epoch (its last, or early stopping)
  int training_last_epoch = 0;   // phase 1: the epoch the training phase ended with
  std::vector<EpochEvent> epochs;  // every finished epoch's event, seconds included
  int best_epoch = 0;            // 0: none yet
  double best_score = -std::numeric_limits<double>::infinity();  // the objective, signed so larger is better
  recipes::EarlyStopping::State stopping;  // the current phase's
  std::string best_weights;      // best.safetensors' bytes, so it is re-created byte for byte anywhere
  NamedTensors model;            // parameters and buffers after `epoch` (state-dict order)
  std::string optimization;      // the current phase's Optimization::Save archive, as bytes
  torch::Tensor rng;             // torch's default CPU generator state (uint8)
};

// Writes `checkpoint` atomically (see the file comment). Errors name the path.
absl::Status WriteResumeCheckpoint(const std::string& path, const ResumeCheckpoint& checkpoint);

// Reads and checks a checkpoint for a job of identity `expected`. Every error
// is one line naming the file and what was wrong: missing, not a resume
// checkpoint, truncated, corrupt (checksum), unreadable archive, or written
// for a different job (IdentityMismatch).
absl::StatusOr<ResumeCheckpoint> ReadResumeCheckpoint(const std::string& path, const ResumeIdentity& expected);

// <out_dir>/resume.json = {"v":1,"epoch":N,"file":"resume.ckpt"}, atomically:
// the epoch of the checkpoint beside it, readable without LibTorch.
absl::Status WriteResumeSidecar(const std::string& out_dir, int epoch);

// Writes `bytes` to a temporary file beside `path`, fsyncs it, renames it over
// `path` and fsyncs the directory; on failure the temporary file is removed
// and `path` is left as it was.
absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes);
// The same with the content written by `fill` to the temporary file's descriptor.
absl::Status WriteFileAtomically(const std::string& path, const std::function<absl::Status(int fd)>& fill);

}  // namespace foldstack::trainer

#endif  // FOLDSTACK_WORKER_TRAINER_RESUME_CHECKPOINT_H_
