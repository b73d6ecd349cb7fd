#ifndef FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_DATA_PARALLEL_H_
#define FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_DATA_PARALLEL_H_

#include <chrono>
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <torch/nn/module.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "worker/trainer/distributed/rank_info.h"

namespace foldstack::trainer::distributed {

namespace internal {
class Collectives;  // the c10d process group, kept out of this header
}  // namespace internal

// Data-parallel training over c10d, the way PyTorch's DDP does it by hand:
// every rank holds a full model, trains on its shard of each batch (see
// ShardRange) and, after backward, AverageGradients makes every rank's
// gradients the mean over all ranks, so the optimizer steps stay identical.
// With equal shards and a per-rank mean loss that is exactly the full-batch
// gradient. BatchNorm statistics stay per rank (no SyncBatchNorm), as in DDP.
//
// Every rank must make the same calls in the same order (collectives). All
// methods return errors instead of throwing; after a failed collective the
// group is unusable (a peer died or timed out) and the job should fail.
// A world of one needs no network: every call is then a cheap no-op.
class DataParallel {
 public:
  // Rank 0 hosts the TCPStore at rank.master_addr:master_port and waits for
  // the other ranks; all ranks then create a ProcessGroupGloo (CPU device) or,
  // in a build with FOLDSTACK_WITH_CUDA (bazel --config=cuda) and a CUDA
  // device, a ProcessGroupNCCL. Fails with a one-line message when the ranks
  // do not all meet within `timeout`, which also bounds every collective
  // (c10d counts it in whole seconds: below 1 s it fails at once).
  static absl::StatusOr<std::unique_ptr<DataParallel>> Connect(const RankInfo& rank, const c10::Device& device,
                                                               std::chrono::milliseconds timeout);
  ~DataParallel();

  int rank() const { return rank_.rank; }
  int world_size() const { return rank_.world_size; }
  std::string backend() const { return backend_; }  // "gloo" | "nccl"

  // Copies rank 0's parameters and buffers into every rank's model.
  absl::Status BroadcastModel(torch::nn::Module& model);
  // Replaces every defined gradient with its mean over the ranks (all-reduce
  // sum / world size, flattened into buckets of at most 25 MiB). The ranks must
  // have the same gradients defined; a mismatch is an error, not a hang.
  absl::Status AverageGradients(torch::nn::Module& model);
  // The mean of `value` over the ranks, e.g. the training loss for logging.
  absl::StatusOr<double> AverageScalar(double value);
  // Every rank's `rows` concatenated along dim 0 in rank order, on every rank.
  // Ranks may have different row counts (0 included) but must agree on dtype
  // and on the size of the other dimensions. The result is on rows' device.
  absl::StatusOr<at::Tensor> AllGatherRows(const at::Tensor& rows);
  // Returns once every rank has called Barrier.
  absl::Status Barrier();

 private:
  DataParallel(RankInfo rank, c10::Device device, std::string backend,
               std::unique_ptr<internal::Collectives> collectives);

  RankInfo rank_;
  c10::Device device_;
  std::string backend_;
  std::unique_ptr<internal::Collectives> collectives_;  // null in a world of one
};

// The device rank `rank` trains on for a job's device: CPU stays CPU; "cuda"
// or "cuda:K" becomes cuda:(K + rank), one GPU per rank.
c10::Device DeviceForRank(const c10::Device& job_device, const RankInfo& rank);

}  // namespace foldstack::trainer::distributed

#endif  // FOLDSTACK_WORKER_TRAINER_DISTRIBUTED_DATA_PARALLEL_H_
