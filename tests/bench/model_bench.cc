// Training-step and inference throughput of one registry model on CPU, in LibTorch.
// tests/bench/model_peer.py measures the same architecture in Python PyTorch and
// prints the same JSON line; tests/bench/run_model_bench.sh runs both sides in
// separate processes (so max RSS is per process) and prints the ratio.
//
// train: forward + cross-entropy + backward + SGD(momentum 0.9) step, model.train().
// infer: forward only, model.eval(), no grad.
// Input: torch::manual_seed(seed), then randn images and randint labels — the same
// generator calls as the peer, so both sides see identical float32 tensors.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <torch/nn/functional/loss.h>
#include <torch/optim/sgd.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "tests/bench/bench_output.h"
#include "worker/trainer/model_registry.h"

ABSL_FLAG(std::string, model, "resnet18", "registry (timm) model name");
ABSL_FLAG(std::string, mode, "train", "train | infer");
ABSL_FLAG(int, batch, 32, "images per step");
ABSL_FLAG(int, size, 224, "image height and width");
ABSL_FLAG(int, steps, 3, "timed steps");
ABSL_FLAG(int, warmup, 2, "untimed steps before the timed ones");
ABSL_FLAG(int, threads, 2, "torch intra-op threads");
ABSL_FLAG(int, classes, 1000, "classifier outputs");
ABSL_FLAG(double, drop_rate, 0.0, "dropout before the classifier");
ABSL_FLAG(double, drop_path_rate, 0.0, "stochastic depth rate");
ABSL_FLAG(uint64_t, seed, 0, "seed for weights and input");
ABSL_FLAG(int, profile, 0,
          "after the timed steps, profile one more step and print the N ops with the most self CPU "
          "time to stderr (model_peer.py --profile prints the same table for Python)");

namespace {

using foldstack::bench::FailJson;

double MaxRssMb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // Linux reports KiB
}

// Runs `step` once under the autograd profiler and prints the `top` ops by self time:
// name, calls, self ms, total ms. Self time = an op's span less the spans of the ops it called.
template <typename Step>
void PrintProfile(Step step, int top) {
  namespace profiler = torch::autograd::profiler;
  profiler::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
  step();
  const profiler::thread_event_lists threads = profiler::disableProfilerLegacy();
  struct Row {
    int calls = 0;
    double self_us = 0, total_us = 0;
  };
  std::map<std::string, Row> rows;
  double all_self_us = 0;
  for (const std::vector<profiler::LegacyEvent>& events : threads) {
    struct Open {
      const profiler::LegacyEvent* push;
      double child_us;
    };
    std::vector<Open> stack;
    for (const profiler::LegacyEvent& e : events) {
      if (e.kind() == profiler::EventKind::PushRange) {
        stack.push_back({&e, 0.0});
      } else if (e.kind() == profiler::EventKind::PopRange && !stack.empty()) {
        const Open open = stack.back();
        stack.pop_back();
        const double us = open.push->cpuElapsedUs(e);
        Row& row = rows[open.push->name()];
        ++row.calls;
        row.total_us += us;
        row.self_us += us - open.child_us;
        all_self_us += us - open.child_us;
        if (!stack.empty()) stack.back().child_us += us;
      }
    }
  }
  std::vector<std::pair<std::string, Row>> sorted(rows.begin(), rows.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.self_us > b.second.self_us; });
  std::cerr << absl::StrFormat("%-48s%8s%12s%12s\n", "op", "calls", "self ms", "total ms");
  for (int i = 0; i < top && i < static_cast<int>(sorted.size()); ++i) {
    const auto& [name, row] = sorted[i];
    std::cerr << absl::StrFormat("%-48s%8d%12.1f%12.1f\n", name.substr(0, 47), row.calls, row.self_us / 1e3,
                                 row.total_us / 1e3);
  }
  std::cerr << absl::StrFormat("self time of all ops: %.1f ms\n", all_self_us / 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string model_name = absl::GetFlag(FLAGS_model);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  const int batch = absl::GetFlag(FLAGS_batch), size = absl::GetFlag(FLAGS_size);
  const int steps = absl::GetFlag(FLAGS_steps), warmup = absl::GetFlag(FLAGS_warmup);
  const int threads = absl::GetFlag(FLAGS_threads);
  if (mode != "train" && mode != "infer") return FailJson("--mode: expected train or infer, got " + mode);
  if (batch <= 0 || size <= 0 || steps <= 0 || warmup < 0 || threads <= 0) {
    return FailJson("--batch, --size, --steps, --threads must be positive and --warmup >= 0");
  }

  torch::set_num_threads(threads);
  torch::manual_seed(absl::GetFlag(FLAGS_seed));
  foldstack::trainer::ModelOptions options;
  options.num_classes = absl::GetFlag(FLAGS_classes);
  options.drop_rate = absl::GetFlag(FLAGS_drop_rate);
  options.drop_path_rate = absl::GetFlag(FLAGS_drop_path_rate);
  auto created = foldstack::trainer::CreateModel(model_name, options);
  if (!created.ok()) return FailJson(std::string(created.status().message()));
  std::shared_ptr<foldstack::trainer::ImageClassifier> model = *created;

  torch::manual_seed(absl::GetFlag(FLAGS_seed));
  const torch::Tensor images = torch::randn({batch, 3, size, size});
  const torch::Tensor labels = torch::randint(options.num_classes, {batch}, torch::kLong);

  // Wall time is what the targets are about; process CPU time (all threads) is printed too,
  // since on a shared machine it is less disturbed by other processes than wall time.
  double seconds = 0, cpu_seconds = 0;
  std::clock_t cpu_start = 0;
  try {
    if (mode == "train") {
      model->train();
      torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
      auto step = [&] {
        sgd.zero_grad();
        torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(images), labels);
        loss.backward();
        sgd.step();
      };
      for (int i = 0; i < warmup; ++i) step();
      cpu_start = std::clock();
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < steps; ++i) step();
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
      if (absl::GetFlag(FLAGS_profile) > 0) PrintProfile(step, absl::GetFlag(FLAGS_profile));
    } else {
      model->eval();
      torch::NoGradGuard no_grad;
      for (int i = 0; i < warmup; ++i) model->forward(images);
      cpu_start = std::clock();
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < steps; ++i) model->forward(images);
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
      if (absl::GetFlag(FLAGS_profile) > 0) PrintProfile([&] { model->forward(images); }, absl::GetFlag(FLAGS_profile));
    }
  } catch (const c10::Error& e) {
    return FailJson(std::string("torch: ") + e.what_without_backtrace());
  }

  std::cout << absl::StrFormat(
                   "{\"side\": \"foldstack\", \"model\": \"%s\", \"mode\": \"%s\", \"batch\": %d, \"size\": %d, "
                   "\"steps\": %d, \"threads\": %d, \"seconds\": %.3f, \"cpu_seconds\": %.3f, \"images_per_s\": %.3f, "
                   "\"max_rss_mb\": %.1f}",
                   model_name, mode, batch, size, steps, threads, seconds, cpu_seconds, batch * steps / seconds,
                   MaxRssMb())
            << std::endl;
  return 0;
}
