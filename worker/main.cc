// foldstack-worker: the agent a worker operator starts on any node, CPU or GPU.
//   foldstack-worker --coordinator HOST:PORT [--token T] [--slots N] [--threads N] [--work-dir DIR]
// It also holds the trainer: `foldstack-worker train --job FILE` is what the agent runs in a child
// process for every job, so a node needs this one binary.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "proto/rpc_util.h"
#include "proto/tls.h"
#include "worker/agent/agent.h"
#include "worker/tools/models_command.h"
#include "worker/trainer/trainer_main.h"

ABSL_FLAG(std::string, coordinator, "", "coordinator address HOST:PORT (default $FOLDSTACK_COORDINATOR or 127.0.0.1:50051)");
ABSL_FLAG(std::string, token, "", "access token (default $FOLDSTACK_TOKEN)");
ABSL_FLAG(std::string, tls_ca, "", "CA certificate (PEM) to check a TLS coordinator against (default $FOLDSTACK_TLS_CA)");
ABSL_FLAG(int, slots, 1, "jobs to run at once");
ABSL_FLAG(int, threads, 0, "CPU threads per job (0: cores / slots)");
ABSL_FLAG(std::string, work_dir, "", "folder for job files and checkpoints (default /tmp/foldstack-worker-PID)");
ABSL_FLAG(std::string, trainer, "", "trainer program to run per job (default: this binary's train mode)");
ABSL_FLAG(int, max_jobs, 0, "exit after this many jobs (0: run until stopped)");
ABSL_FLAG(double, exit_when_idle, 0,
          "exit after this many seconds with no job to run (0: never; for batch schedulers such as Slurm)");
ABSL_FLAG(bool, json, false, "models list: print JSON instead of a table");
ABSL_FLAG(double, stop_grace, 10,
          "seconds a sweep program stopped by the pruner has to end after SIGTERM before it is killed");
ABSL_FLAG(int, poll_ms, 500, "how often an idle worker asks for work, in milliseconds");

namespace {

std::string SelfPath() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "";
  path[n] = '\0';
  return path;
}

// `foldstack-worker models list|forward ...`: the local model tool (the CLI's `foldstack models`).
int ModelsMode(int argc, char** argv) {
  absl::SetProgramUsageMessage("foldstack-worker models list [--family F] [--num_classes N] [--json] | "
                               "models forward --model NAME --input X.safetensors --output Y.safetensors");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  return foldstack::worker::tools::RunModelsCommand(std::vector<std::string>(positional.begin() + 2, positional.end()),
                                                    absl::GetFlag(FLAGS_json));
}

int TrainMode(int argc, char** argv) {
  // The trainer must not outlive its agent: a killed agent's jobs are re-run elsewhere.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 3;
  return foldstack::trainer::TrainerMain(argc - 1, argv + 1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "train") == 0) return TrainMode(argc, argv);
  if (argc > 1 && std::strcmp(argv[1], "models") == 0) return ModelsMode(argc, argv);
  absl::SetProgramUsageMessage("foldstack-worker --coordinator HOST:PORT [--token T] [--tls_ca PEM] [--slots N]");
  absl::ParseCommandLine(argc, argv);

  foldstack::worker::AgentOptions options;
  options.coordinator = foldstack::rpc::CoordinatorAddress(absl::GetFlag(FLAGS_coordinator));
  options.token = foldstack::rpc::ClientToken(absl::GetFlag(FLAGS_token));
  options.tls_ca = foldstack::rpc::ClientTlsCa(absl::GetFlag(FLAGS_tls_ca));
  if (auto tls = foldstack::rpc::ClientCredentials(options.tls_ca); !tls.ok()) {
    std::cerr << "foldstack-worker: " << tls.status().message() << std::endl;
    return 2;
  }
  options.slots = absl::GetFlag(FLAGS_slots);
  options.threads_per_job = absl::GetFlag(FLAGS_threads);
  options.work_dir = absl::GetFlag(FLAGS_work_dir);
  options.max_jobs = absl::GetFlag(FLAGS_max_jobs);
  options.poll_interval_ms = absl::GetFlag(FLAGS_poll_ms);
  options.exit_when_idle_ms = static_cast<int>(absl::GetFlag(FLAGS_exit_when_idle) * 1000);
  options.stop_grace_ms = static_cast<int>(absl::GetFlag(FLAGS_stop_grace) * 1000);
  std::string trainer = absl::GetFlag(FLAGS_trainer);
  if (trainer.empty()) {
    options.trainer_command = {SelfPath(), "train"};
  } else {
    options.trainer_command = {trainer};
  }
  if (options.token.empty()) {
    std::cerr << "foldstack-worker: no token: pass --token or set FOLDSTACK_TOKEN" << std::endl;
    return 2;
  }

  // SIGTERM / Ctrl-C: stop leasing, end running trainers and hand their jobs back.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  foldstack::worker::Agent agent(options);
  std::thread signal_waiter([&] {
    int received = 0;
    sigwait(&stop_signals, &received);
    std::cerr << "[worker] " << strsignal(received) << ": stopping" << std::endl;
    agent.Stop();
  });
  signal_waiter.detach();
  absl::Status status = agent.Run();
  if (!status.ok()) {
    std::cerr << "foldstack-worker: " << status.message() << std::endl;
    return 1;
  }
  return 0;
}
