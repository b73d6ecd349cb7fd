#include "worker/trainer/distributed/data_parallel.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef FOLDSTACK_WITH_CUDA
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"

namespace foldstack::trainer::distributed {
namespace internal {

// The four collectives DataParallel needs, over one c10d process group. They
// throw (c10::Error, gloo errors) on failure; DataParallel turns that into Status.
class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual void AllReduceSum(const at::Tensor& tensor) = 0;
  virtual void BroadcastFromRank0(const at::Tensor& tensor) = 0;
  virtual std::vector<at::Tensor> AllGather(const at::Tensor& tensor) = 0;  // one tensor per rank
  virtual void Barrier() = 0;
};

}  // namespace internal
namespace {

using internal::Collectives;

// DDP's default bucket size: large enough to amortize a collective's latency.
constexpr int64_t kBucketBytes = 25 << 20;

// A template rather than c10d::ProcessGroup: LibTorch 2.x derives its
// backends from c10d::Backend, with the same method names.
template <typename Group>
class GroupCollectives final : public Collectives {
 public:
  GroupCollectives(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<Group> group, int world_size)
      : store_(std::move(store)), group_(std::move(group)), world_size_(world_size) {}

  void AllReduceSum(const at::Tensor& tensor) override {
    std::vector<at::Tensor> tensors{tensor};
    group_->allreduce(tensors)->wait();
  }
  void BroadcastFromRank0(const at::Tensor& tensor) override {
    std::vector<at::Tensor> tensors{tensor};
    group_->broadcast(tensors)->wait();  // BroadcastOptions' root is rank 0
  }
  std::vector<at::Tensor> AllGather(const at::Tensor& tensor) override {
    std::vector<std::vector<at::Tensor>> outputs(1);
    for (int r = 0; r < world_size_; ++r) outputs[0].push_back(at::empty_like(tensor));
    std::vector<at::Tensor> inputs{tensor};
    group_->allgather(outputs, inputs)->wait();
    return outputs[0];
  }
  void Barrier() override { group_->barrier()->wait(); }

 private:
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<Group> group_;
  int world_size_;
};

// c10::Error::what() carries a multi-line C++ backtrace; errors here are one line.
std::string OneLine(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  std::string text = torch_error != nullptr ? torch_error->msg() : e.what();
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

std::unique_ptr<Collectives> ConnectGroup(const RankInfo& rank, const c10::Device& device,
                                          std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<uint16_t>(rank.master_port);
  store_options.isServer = rank.rank == 0;
  store_options.numWorkers = rank.world_size;
  store_options.waitWorkers = true;
  store_options.timeout = timeout;
  auto store = c10::make_intrusive<c10d::TCPStore>(rank.master_addr, store_options);
#ifdef FOLDSTACK_WITH_CUDA
  if (device.is_cuda()) {
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank.rank, rank.world_size, options);
    return std::make_unique<GroupCollectives<c10d::ProcessGroupNCCL>>(store, group, rank.world_size);
  }
#endif
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  // All ranks of a job run on one machine and reach each other where they reach the store.
  options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(rank.master_addr));
  auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank.rank, rank.world_size, options);
  return std::make_unique<GroupCollectives<c10d::ProcessGroupGloo>>(store, group, rank.world_size);
}

// Runs `collective` on flat copies of `tensors`, grouped by dtype and device
// into buckets of at most kBucketBytes (a lone larger tensor gets its own),
// and writes the results back. The grouping is deterministic, so equal tensor
// lists give every rank the same sequence of collectives.
void ForEachBucket(const std::vector<at::Tensor>& tensors, const std::function<void(const at::Tensor&)>& collective) {
  std::map<std::tuple<int, int, int>, std::vector<at::Tensor>> groups;
  for (const at::Tensor& tensor : tensors) {
    const auto key = std::make_tuple(static_cast<int>(tensor.scalar_type()), static_cast<int>(tensor.device().type()),
                                     static_cast<int>(tensor.device().index()));
    groups[key].push_back(tensor);
  }
  auto run = [&collective](const std::vector<at::Tensor>& bucket) {
    if (bucket.empty()) return;
    std::vector<at::Tensor> flat_parts;
    for (const at::Tensor& tensor : bucket) flat_parts.push_back(tensor.reshape({-1}));
    at::Tensor flat = at::cat(flat_parts);
    collective(flat);
    int64_t offset = 0;
    for (const at::Tensor& tensor : bucket) {
      tensor.copy_(flat.narrow(0, offset, tensor.numel()).view(tensor.sizes()));
      offset += tensor.numel();
    }
  };
  for (const auto& [key, group] : groups) {
    std::vector<at::Tensor> bucket;
    int64_t bytes = 0;
    for (const at::Tensor& tensor : group) {
      const int64_t size = tensor.numel() * static_cast<int64_t>(tensor.element_size());
      if (!bucket.empty() && bytes + size > kBucketBytes) {
        run(bucket);
        bucket.clear();
        bytes = 0;
      }
      bucket.push_back(tensor);
      bytes += size;
    }
    run(bucket);
  }
}

}  // namespace

DataParallel::DataParallel(RankInfo rank, c10::Device device, std::string backend,
                           std::unique_ptr<Collectives> collectives)
    : rank_(std::move(rank)), device_(device), backend_(std::move(backend)), collectives_(std::move(collectives)) {}

DataParallel::~DataParallel() = default;

absl::StatusOr<std::unique_ptr<DataParallel>> DataParallel::Connect(const RankInfo& rank, const c10::Device& device,
                                                                    std::chrono::milliseconds timeout) {
  if (rank.world_size < 1 || rank.rank < 0 || rank.rank >= rank.world_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("data-parallel: rank ", rank.rank, " is outside a world of ", rank.world_size));
  }
  const std::string backend = device.is_cuda() ? "nccl" : "gloo";
#ifndef FOLDSTACK_WITH_CUDA
  if (device.is_cuda()) {
    return absl::FailedPreconditionError(
        absl::StrCat("rank ", rank.rank, ": device ", device.str(),
                     " needs NCCL, which this CPU build lacks; build with bazel --config=cuda (README.md, section GPU workers)"));
  }
#endif
  if (rank.world_size == 1) return absl::WrapUnique(new DataParallel(rank, device, backend, nullptr));
  if (rank.master_port < 1 || rank.master_port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("data-parallel: master port ", rank.master_port,
                                                   " is not in [1, 65535]"));
  }
  try {
    return absl::WrapUnique(new DataParallel(rank, device, backend, ConnectGroup(rank, device, timeout)));
  } catch (const std::exception& e) {
    return absl::DeadlineExceededError(absl::StrCat(
        "rank ", rank.rank, " of ", rank.world_size, ": the ranks did not all meet (", backend, ") at ",
        rank.master_addr, ":", rank.master_port, " within ", timeout.count(), " ms: ", OneLine(e)));
  }
}

namespace {

// Runs `body`, turning an exception from a collective into one error line.
absl::Status Guarded(int rank, const char* what, const std::function<absl::Status()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("rank ", rank, ": ", what, " failed: ", OneLine(e)));
  }
}

}  // namespace

absl::Status DataParallel::BroadcastModel(torch::nn::Module& model) {
  if (collectives_ == nullptr) return absl::OkStatus();
  return Guarded(rank(), "broadcasting the model", [&] {
    c10::AutoGradMode no_grad(false);
    std::vector<at::Tensor> tensors = model.parameters();
    for (const at::Tensor& buffer : model.buffers()) tensors.push_back(buffer);
    ForEachBucket(tensors, [this](const at::Tensor& flat) { collectives_->BroadcastFromRank0(flat); });
    return absl::OkStatus();
  });
}

absl::Status DataParallel::AverageGradients(torch::nn::Module& model) {
  if (collectives_ == nullptr) return absl::OkStatus();
  return Guarded(rank(), "averaging gradients", [&] {
    c10::AutoGradMode no_grad(false);
    std::vector<at::Tensor> grads;
    for (const at::Tensor& parameter : model.parameters()) {
      if (parameter.grad().defined()) grads.push_back(parameter.grad());
    }
    // Sum of c and of c^2 over the ranks equal W*c and W*c^2 only if every
    // rank has the same count c: a mismatch would otherwise mix up buckets.
    const double count = static_cast<double>(grads.size());
    at::Tensor counts = at::tensor({count, count * count}, at::TensorOptions().dtype(at::kDouble)).to(device_);
    collectives_->AllReduceSum(counts);
    counts = counts.cpu();
    const double world = world_size();
    if (counts[0].item<double>() != world * count || counts[1].item<double>() != world * count * count) {
      return absl::FailedPreconditionError(absl::StrCat(
          "rank ", rank(), ": the ranks have different numbers of defined gradients (this rank: ", grads.size(),
          ", mean: ", counts[0].item<double>() / world, ")"));
    }
    ForEachBucket(grads, [this, world](const at::Tensor& flat) {
      collectives_->AllReduceSum(flat);
      flat.div_(world);
    });
    return absl::OkStatus();
  });
}

absl::StatusOr<double> DataParallel::AverageScalar(double value) {
  if (collectives_ == nullptr) return value;
  double mean = 0;
  absl::Status status = Guarded(rank(), "averaging a scalar", [&] {
    at::Tensor tensor = at::tensor({value}, at::TensorOptions().dtype(at::kDouble)).to(device_);
    collectives_->AllReduceSum(tensor);
    mean = tensor.cpu().item<double>() / world_size();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return mean;
}

absl::StatusOr<at::Tensor> DataParallel::AllGatherRows(const at::Tensor& rows) {
  if (rows.dim() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("rank ", rank(), ": AllGatherRows needs rows (a tensor of dim >= 1)"));
  }
  if (collectives_ == nullptr) return rows;
  at::Tensor gathered;
  absl::Status status = Guarded(rank(), "gathering rows", [&] {
    const int64_t row_count = rows.size(0);
    int64_t row_numel = 1;
    for (int64_t d = 1; d < rows.dim(); ++d) row_numel *= rows.size(d);
    at::Tensor shape = at::tensor({row_count, row_numel}, at::TensorOptions().dtype(at::kLong)).to(device_);
    std::vector<int64_t> counts;
    int64_t max_rows = 0;
    for (const at::Tensor& other : collectives_->AllGather(shape)) {
      at::Tensor other_cpu = other.cpu();
      if (other_cpu[1].item<int64_t>() != row_numel) {
        throw std::runtime_error(absl::StrCat("ranks disagree on the row size (", row_numel, " vs ",
                                              other_cpu[1].item<int64_t>(), " elements)"));
      }
      counts.push_back(other_cpu[0].item<int64_t>());
      max_rows = std::max(max_rows, counts.back());
    }
    std::vector<int64_t> padded_sizes = rows.sizes().vec();
    padded_sizes[0] = max_rows;
    if (max_rows == 0) {  // nothing to send; a zero-byte collective is not worth the risk
      gathered = at::empty(padded_sizes, rows.options());
      return absl::OkStatus();
    }
    // All-gather needs equal shapes: pad every rank's rows to the longest.
    at::Tensor padded = at::zeros(padded_sizes, rows.options().device(device_));
    padded.narrow(0, 0, row_count).copy_(rows);
    std::vector<at::Tensor> parts = collectives_->AllGather(padded);
    for (size_t r = 0; r < parts.size(); ++r) parts[r] = parts[r].narrow(0, 0, counts[r]);
    gathered = at::cat(parts).to(rows.device());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return gathered;
}

absl::Status DataParallel::Barrier() {
  if (collectives_ == nullptr) return absl::OkStatus();
  return Guarded(rank(), "barrier", [&] {
    collectives_->Barrier();
    return absl::OkStatus();
  });
}

c10::Device DeviceForRank(const c10::Device& job_device, const RankInfo& rank) {
  if (!job_device.is_cuda()) return job_device;
  const int first = job_device.has_index() ? job_device.index() : 0;
  return c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(first + rank.rank));
}

}  // namespace foldstack::trainer::distributed
