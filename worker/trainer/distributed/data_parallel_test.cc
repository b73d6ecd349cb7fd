#include "worker/trainer/distributed/data_parallel.h"

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "worker/trainer/distributed/loopback_port.h"

namespace foldstack::trainer::distributed {
namespace {

using std::chrono::milliseconds;

// Runs `body` as every rank of a `world`-rank group, each rank a thread with
// its own ProcessGroupGloo over one loopback TCPStore (as separate processes
// would), and returns each rank's result.
std::vector<absl::Status> RunRanks(int world, const std::function<absl::Status(DataParallel&)>& body) {
  absl::StatusOr<int> port = PickFreeLoopbackPort();
  std::vector<absl::Status> results(world, port.status());
  if (!port.ok()) return results;
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r) {
    threads.emplace_back([&, r] {
      const RankInfo info{r, world, "127.0.0.1", *port};
      absl::StatusOr<std::unique_ptr<DataParallel>> group = DataParallel::Connect(info, torch::kCPU, milliseconds(30000));
      results[r] = group.ok() ? body(**group) : group.status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  return results;
}

void ExpectAllOk(const std::vector<absl::Status>& results) {
  for (size_t r = 0; r < results.size(); ++r) EXPECT_TRUE(results[r].ok()) << "rank " << r << ": " << results[r];
}

// No BatchNorm on purpose: with it, each rank would normalize with its own
// half-batch statistics, which differ from the full batch's (PyTorch DDP
// without SyncBatchNorm behaves the same), so the weights could not match.
// LayerNorm normalizes per sample and is fine.
struct SmallNet : torch::nn::Module {
  SmallNet() {
    fc1 = register_module("fc1", torch::nn::Linear(8, 16));
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({16})));
    fc2 = register_module("fc2", torch::nn::Linear(16, 4));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2(torch::tanh(norm(fc1(x)))); }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};

constexpr int kSteps = 3;
constexpr int kBatch = 8;

// The global batches of kSteps SGD steps: inputs [kSteps, kBatch, 8], labels [kSteps, kBatch].
struct Batches {
  torch::Tensor inputs;
  torch::Tensor labels;
};

Batches MakeBatches() {
  torch::manual_seed(42);
  return {torch::randn({kSteps, kBatch, 8}), torch::randint(0, 4, {kSteps, kBatch})};
}

// kSteps SGD steps (momentum 0.9) on rows [begin, end) of each batch; with a
// group, gradients are averaged over the ranks before each step.
absl::Status TrainSteps(SmallNet& net, const Batches& batches, int64_t begin, int64_t end, DataParallel* group) {
  torch::optim::SGD sgd(net.parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step < kSteps; ++step) {
    sgd.zero_grad();
    torch::Tensor x = batches.inputs[step].slice(0, begin, end);
    torch::Tensor y = batches.labels[step].slice(0, begin, end);
    torch::nn::functional::cross_entropy(net.forward(x), y).backward();
    if (group != nullptr) {
      absl::Status averaged = group->AverageGradients(net);
      if (!averaged.ok()) return averaged;
    }
    sgd.step();
  }
  return absl::OkStatus();
}

double MaxAbsDiff(SmallNet& a, SmallNet& b) {
  double worst = 0;
  auto pa = a.parameters();
  auto pb = b.parameters();
  for (size_t i = 0; i < pa.size(); ++i) worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  return worst;
}

std::shared_ptr<SmallNet> NetFromSeed(uint64_t seed) {
  torch::manual_seed(seed);
  return std::make_shared<SmallNet>();
}

TEST(DataParallelTest, TwoRanksWithHalfBatchesMatchOneRankWithTheFullBatch) {
  torch::set_num_threads(1);
  const Batches batches = MakeBatches();
  std::shared_ptr<SmallNet> initial = NetFromSeed(7);
  std::shared_ptr<SmallNet> reference = NetFromSeed(7);
  ASSERT_TRUE(TrainSteps(*reference, batches, 0, kBatch, nullptr).ok());
  ASSERT_GT(MaxAbsDiff(*reference, *initial), 1e-2);  // training moved the weights

  // Rank 0 starts from the reference's seed, rank 1 from another: BroadcastModel must fix that.
  std::vector<std::shared_ptr<SmallNet>> nets = {NetFromSeed(7), NetFromSeed(8)};
  ASSERT_GT(MaxAbsDiff(*nets[0], *nets[1]), 1e-2);
  ExpectAllOk(RunRanks(2, [&](DataParallel& group) {
    SmallNet& net = *nets[group.rank()];
    absl::Status broadcast = group.BroadcastModel(net);
    if (!broadcast.ok()) return broadcast;
    auto [begin, end] = ShardRange(kBatch, group.rank(), group.world_size());
    return TrainSteps(net, batches, begin, end, &group);
  }));
  EXPECT_LE(MaxAbsDiff(*nets[0], *reference), 1e-5);
  EXPECT_LE(MaxAbsDiff(*nets[1], *reference), 1e-5);

  // The averaging is what makes them equal: half the batch alone ends elsewhere.
  std::shared_ptr<SmallNet> half_alone = NetFromSeed(7);
  ASSERT_TRUE(TrainSteps(*half_alone, batches, 0, kBatch / 2, nullptr).ok());
  EXPECT_GT(MaxAbsDiff(*half_alone, *reference), 1e-3);
}

TEST(DataParallelTest, AllGatherRowsConcatenatesUnevenRowsInRankOrder) {
  std::vector<torch::Tensor> gathered(3);
  ExpectAllOk(RunRanks(3, [&](DataParallel& group) {
    const int r = group.rank();  // rank r sends r rows [r*10 + i, -(r*10 + i)]
    torch::Tensor rows = torch::empty({r, 2});
    for (int i = 0; i < r; ++i) {
      rows[i][0] = r * 10 + i;
      rows[i][1] = -(r * 10 + i);
    }
    absl::StatusOr<torch::Tensor> all = group.AllGatherRows(rows);
    if (!all.ok()) return all.status();
    gathered[r] = *all;
    return absl::OkStatus();
  }));
  const torch::Tensor expected = torch::tensor({{10.f, -10.f}, {20.f, -20.f}, {21.f, -21.f}});
  for (int r = 0; r < 3; ++r) {
    ASSERT_TRUE(gathered[r].defined()) << r;
    EXPECT_TRUE(torch::equal(gathered[r], expected)) << "rank " << r << ": " << gathered[r];
  }
}

TEST(DataParallelTest, AverageScalarAndBarrier) {
  std::vector<double> means(3, -1);
  ExpectAllOk(RunRanks(3, [&](DataParallel& group) {
    EXPECT_EQ(group.backend(), "gloo");
    absl::StatusOr<double> mean = group.AverageScalar(1.0 + group.rank());
    if (!mean.ok()) return mean.status();
    means[group.rank()] = *mean;
    return group.Barrier();
  }));
  for (double mean : means) EXPECT_DOUBLE_EQ(mean, 2.0);
}

TEST(DataParallelTest, DifferentDefinedGradientsAreAnErrorOnEveryRank) {
  std::vector<std::shared_ptr<SmallNet>> nets = {NetFromSeed(1), NetFromSeed(1)};
  std::vector<absl::Status> results = RunRanks(2, [&](DataParallel& group) {
    SmallNet& net = *nets[group.rank()];
    torch::Tensor out = group.rank() == 0 ? net.forward(torch::ones({2, 8})) : net.fc1(torch::ones({2, 8}));
    out.sum().backward();  // rank 1 leaves norm's and fc2's gradients undefined
    return group.AverageGradients(net);
  });
  for (const absl::Status& status : results) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), "different numbers of defined gradients")) << status;
  }
}

TEST(DataParallelTest, ConnectFailsWithAClearMessageWhenNoPeerComes) {
  absl::StatusOr<int> port = PickFreeLoopbackPort();
  ASSERT_TRUE(port.ok());
  for (int rank : {0, 1}) {  // rank 0 waits for a worker; rank 1 finds no store
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<std::unique_ptr<DataParallel>> group =
        DataParallel::Connect(RankInfo{rank, 2, "127.0.0.1", *port}, torch::kCPU, milliseconds(1000));
    ASSERT_FALSE(group.ok()) << rank;
    EXPECT_EQ(group.status().code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_TRUE(absl::StartsWith(group.status().message(),
                                 absl::StrCat("rank ", rank, " of 2: the ranks did not all meet (gloo) at 127.0.0.1:",
                                              *port, " within 1000 ms: ")))
        << group.status();
    EXPECT_EQ(group.status().message().find('\n'), absl::string_view::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  }
}

TEST(DataParallelTest, AWorldOfOneNeedsNoNetwork) {
  absl::StatusOr<std::unique_ptr<DataParallel>> group = DataParallel::Connect(RankInfo{}, torch::kCPU, milliseconds(1));
  ASSERT_TRUE(group.ok()) << group.status();
  EXPECT_EQ((*group)->world_size(), 1);
  absl::StatusOr<double> mean = (*group)->AverageScalar(3.5);
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ(*mean, 3.5);
  const torch::Tensor rows = torch::arange(6).reshape({3, 2});
  absl::StatusOr<torch::Tensor> gathered = (*group)->AllGatherRows(rows);
  ASSERT_TRUE(gathered.ok());
  EXPECT_TRUE(torch::equal(*gathered, rows));
  SmallNet net;
  EXPECT_TRUE((*group)->AverageGradients(net).ok());
  EXPECT_TRUE((*group)->Barrier().ok());
}

#ifndef FOLDSTACK_WITH_CUDA
TEST(DataParallelTest, ACudaDeviceNeedsTheCudaBuild) {
  absl::StatusOr<std::unique_ptr<DataParallel>> group =
      DataParallel::Connect(RankInfo{0, 2, "127.0.0.1", 29500}, torch::Device("cuda:0"), milliseconds(100));
  ASSERT_FALSE(group.ok());
  EXPECT_EQ(group.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(group.status().message(), "--config=cuda")) << group.status();
}
#endif

TEST(DeviceForRankTest, OneGpuPerRankCpuStaysCpu) {
  EXPECT_EQ(DeviceForRank(torch::kCPU, RankInfo{3, 4}), torch::Device(torch::kCPU));
  EXPECT_EQ(DeviceForRank(torch::Device("cuda"), RankInfo{2, 4}), torch::Device("cuda:2"));
  EXPECT_EQ(DeviceForRank(torch::Device("cuda:1"), RankInfo{2, 4}), torch::Device("cuda:3"));
}

}  // namespace
}  // namespace foldstack::trainer::distributed
