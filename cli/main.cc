// foldstack: the command a team lead types.
//   foldstack sweep submit FILE.yaml | list | show ID | watch ID | cancel ID
//   foldstack sweep pause ID | resume ID | extend ID --count N | set ID --max-concurrent N
//   foldstack trials SWEEP_ID | trial stop TRIAL_ID
//   foldstack workers [drain WORKER_ID] | leaderboard SWEEP_ID | audit [--limit N] | data synth --out DIR --people N --seed S [--label-noise R]
//   foldstack data flip-labels --from FASHION_MNIST_DIR --out DIR --rate R --seed S [--max-samples N]
//   foldstack models list | models forward --model NAME --input X --output Y
//   foldstack predict ... (cli/predict_command.h)
//   foldstack artifacts list SWEEP | --trial ID; artifacts get ID --out FILE; artifacts prune SWEEP --keep-top N [--dry-run]
// Coordinator from --coordinator or $FOLDSTACK_COORDINATOR (default 127.0.0.1:50051); token from
// --token or $FOLDSTACK_TOKEN. Every read command takes --json.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/artifact_args.h"
#include "cli/artifact_commands.h"
#include "cli/flag_names.h"
#include "cli/worker_tool.h"
#include "cli/analysis_commands.h"
#include "cli/predict_command.h"
#include "cli/relabel_commands.h"
#include "cli/render.h"
#include "cli/state_names.h"
#include "data/label_flips.h"
#include "data/synth.h"
#include "proto/foldstack.grpc.pb.h"
#include "cli/coordinator_call.h"
#include "proto/rpc_util.h"
#include "proto/tls.h"

ABSL_FLAG(std::string, coordinator, "", "coordinator HOST:PORT (default $FOLDSTACK_COORDINATOR or 127.0.0.1:50051)");
ABSL_FLAG(std::string, token, "", "access token (default $FOLDSTACK_TOKEN)");
ABSL_FLAG(std::string, tls_ca, "", "CA certificate (PEM) to check a TLS coordinator against (default $FOLDSTACK_TLS_CA)");
ABSL_FLAG(bool, json, false, "print JSON instead of tables (read commands)");
ABSL_FLAG(int, limit, 50, "audit: how many of the newest rows");
ABSL_FLAG(int, count, 0, "sweep extend: how many more trials");
ABSL_FLAG(int, max_concurrent, -1, "sweep set: trials in flight at once (0: unlimited)");
ABSL_FLAG(std::string, out, "", "data synth: output folder");
ABSL_FLAG(int, people, 60, "data synth: number of people (7 photos each)");
ABSL_FLAG(uint64_t, seed, 0, "data synth: random seed");
ABSL_FLAG(double, label_noise, 0.0, "data synth: fraction of people given a planted label error");
ABSL_FLAG(int, width, 384, "data synth: image width");
ABSL_FLAG(int, height, 512, "data synth: image height");
ABSL_FLAG(int, eval_people, -1, "data synth: people in the eval set (-1: 2 per 3 training people; 0: none)");
ABSL_FLAG(int, min_age, 0, "data synth: only people this old or older (an extra training set, e.g. 60)");
ABSL_FLAG(int, first_id, 1, "data synth: the first person id (keep an extra set's ids apart from the main set's)");
ABSL_FLAG(std::string, from, "/usr/share/datasets/fashion-mnist", "data flip-labels: the Fashion-MNIST root to copy");
ABSL_FLAG(double, rate, 0.05, "data flip-labels: fraction of the training labels flipped");
ABSL_FLAG(int64_t, max_samples, 0, "data flip-labels: keep the first N training samples (0: all)");

namespace {

using foldstack::v1::Coordinator;

constexpr char kUsage[] =
    "usage: foldstack COMMAND [ARGS] [--coordinator HOST:PORT] [--token T] [--json]\n"
    "  sweep submit FILE.yaml   queue a sweep; prints its id\n"
    "  sweep list               all sweeps with progress\n"
    "  sweep show ID            one sweep and its jobs\n"
    "  sweep watch ID           live progress until the sweep ends\n"
    "  sweep cancel ID          cancel queued and running jobs\n"
    "  sweep pause ID | resume ID\n"
    "                           stop leasing the sweep's jobs (running ones finish) | go on\n"
    "  sweep extend ID --count N          N more trials\n"
    "  sweep set ID --max-concurrent N    trials in flight at once (0: unlimited)\n"
    "  trials SWEEP_ID          every trial: state, folds done, value, where it was pruned\n"
    "  trial stop TRIAL_ID      end a trial by hand: running jobs pruned, queued ones cancelled\n"
    "  workers                  registered workers\n"
    "  workers drain WORKER_ID  the worker finishes its running jobs, takes no new ones, then exits\n"
    "  leaderboard SWEEP_ID     trials ranked by the sweep's metric (mean over done folds)\n"
    "  audit [--limit N]        who changed what, newest first (lead or reader token)\n"
    "  models list [--num-classes N] [--family F]\n"
    "                           the timm backbones: parameters, input size, normalization\n"
    "  models forward --model NAME [--num-classes N] [--weights W.safetensors] --input X.safetensors\n"
    "                 --output Y.safetensors   eval-mode logits of tensor \"input\" (float32 NCHW)\n"
    "  data synth --out DIR --people N --seed S [--label-noise RATE]\n"
    "                           write a synthetic dataset in the mask-competition layout\n"
    "                           (and an eval set: --eval_people N, default 2 per 3 training people)\n"
    "                           [--min_age 60 --first_id 5001]: an extra training set of older people\n"
    "                           whose ids do not collide with the main set's (dataset.extra_train)\n"
    "  data flip-labels --out DIR [--from FASHION_MNIST_DIR] [--rate 0.05] [--seed S] [--max-samples N]\n"
    "                           copy Fashion-MNIST's training set with a seeded fraction of labels flipped\n"
    "                           to another class, listed in DIR/label_noise.csv (sample,given,truth)\n"
    "  predict (--trial ID[,ID...] | --members TRIAL:WEIGHT,... | --ensemble ID) --eval ROOT [--out submission.csv]\n"
    "          [--composite \"base=12,age=31;...\"] [--probs probs.csv] [--wait]\n"
    "                           predict eval/info.csv's images with every fold model (hflip TTA)\n"
    "  predict get RUN_ID [--out submission.csv] [--probs probs.csv] [--wait]\n";

int Fail(const std::string& message) {
  std::cerr << "foldstack: " << message << std::endl;
  return 1;
}

class Cli {
 public:
  Cli()
      : token_(foldstack::rpc::ClientToken(absl::GetFlag(FLAGS_token))),
        address_(foldstack::rpc::CoordinatorAddress(absl::GetFlag(FLAGS_coordinator))),
        stub_(Coordinator::NewStub(foldstack::cli::CoordinatorChannel())),
        json_(absl::GetFlag(FLAGS_json)) {}

  // Calls `method` and prints the response with `render` (or as JSON).
  template <typename Request, typename Response, typename Render>
  int Read(grpc::Status (Coordinator::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
           const Request& request, Render render) {
    Response response;
    if (int rc = Call(method, request, &response); rc != 0) return rc;
    std::cout << (json_ ? foldstack::cli::ToJson(response) + "\n" : render(response));
    return 0;
  }

  template <typename Request, typename Response>
  int Call(grpc::Status (Coordinator::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
           const Request& request, Response* response) {
    auto context = foldstack::rpc::MakeContext(token_, std::chrono::seconds(60));
    grpc::Status status = (stub_.get()->*method)(context.get(), request, response);
    if (status.ok()) return 0;
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return Fail(absl::StrCat("cannot reach the coordinator at ", address_, ": ", status.error_message()));
    }
    return Fail(status.error_message());
  }

  int Submit(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Fail(absl::StrCat(path, ": cannot read the sweep file"));
    std::stringstream text;
    text << in.rdbuf();
    foldstack::v1::SubmitSweepRequest request;
    request.set_file_name(path);
    request.set_yaml(text.str());
    request.set_base_dir(std::filesystem::absolute(path).parent_path().string());
    foldstack::v1::SubmitSweepResponse response;
    if (int rc = Call(&Coordinator::Stub::SubmitSweep, request, &response); rc != 0) return rc;
    if (json_) {
      std::cout << foldstack::cli::ToJson(response) << "\n";
    } else {
      std::cout << response.sweep_id() << "\n";
      std::cerr << "sweep " << response.sweep_id() << " queued: " << response.trials() << " trials, "
                << response.jobs() << " jobs" << std::endl;
    }
    return 0;
  }

  // Follows the coordinator's WatchSweep stream: one line per change, until the sweep ends.
  int Watch(int64_t sweep_id) {
    foldstack::v1::WatchSweepRequest request;
    request.set_sweep_id(sweep_id);
    const bool tty = isatty(STDOUT_FILENO);
    auto context = foldstack::rpc::MakeContext(token_, std::chrono::hours(24 * 365));
    std::unique_ptr<grpc::ClientReader<foldstack::v1::SweepSummary>> stream = stub_->WatchSweep(context.get(), request);
    foldstack::v1::SweepSummary summary;
    while (stream->Read(&summary)) {
      const std::string line = json_ ? foldstack::cli::ToJson(summary) : foldstack::cli::RenderProgress(summary);
      std::cout << (tty && !json_ ? "\r\033[K" : "") << line << (tty && !json_ ? "" : "\n") << std::flush;
    }
    grpc::Status status = stream->Finish();
    if (!status.ok()) return Fail(status.error_message());
    if (tty && !json_) std::cout << "\n";
    if (!json_) std::cout << "sweep " << sweep_id << " " << foldstack::cli::Name(summary.state()) << "\n";
    return summary.state() == foldstack::v1::SWEEP_STATE_DONE ? 0 : 1;
  }

  // Every page of a paginated list, merged into one response and printed like Read does.
  template <typename Request, typename Response, typename Items, typename Render>
  int ReadAll(grpc::Status (Coordinator::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
              Request request, Items items, Render render) {
    Response all;
    bool first = true;
    do {
      Response page;
      if (int rc = Call(method, request, &page); rc != 0) return rc;
      request.set_page_token(page.next_page_token());
      if (first) {
        all = std::move(page);  // keeps the fields beside the list (e.g. a sweep's metric)
        first = false;
      } else {
        for (auto& item : *items(page)) *items(all)->Add() = std::move(item);
      }
    } while (!request.page_token().empty());
    all.clear_next_page_token();
    std::cout << (json_ ? foldstack::cli::ToJson(all) + "\n" : render(all));
    return 0;
  }

 private:
  std::string token_;
  std::string address_;
  std::unique_ptr<Coordinator::Stub> stub_;
  bool json_;
};

bool ParseId(const std::vector<char*>& args, size_t index, int64_t* id) {
  return args.size() > index && absl::SimpleAtoi(args[index], id) && *id > 0;
}

int Synth() {
  foldstack::data::SynthOptions options;
  options.out_dir = absl::GetFlag(FLAGS_out);
  options.people = absl::GetFlag(FLAGS_people);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.label_noise = absl::GetFlag(FLAGS_label_noise);
  options.width = absl::GetFlag(FLAGS_width);
  options.height = absl::GetFlag(FLAGS_height);
  options.eval_people = absl::GetFlag(FLAGS_eval_people);
  options.min_age = absl::GetFlag(FLAGS_min_age);
  options.first_id = absl::GetFlag(FLAGS_first_id);
  if (options.out_dir.empty()) return Fail("data synth: --out DIR is required");
  auto report = foldstack::data::WriteSynthDataset(options);
  if (!report.ok()) return Fail(std::string(report.status().message()));
  std::cout << "wrote " << report->images << " images of " << report->people << " people to " << options.out_dir
            << " (" << report->noisy_people << " with planted label errors) and " << report->eval_images
            << " eval images" << std::endl;
  return 0;
}

int FlipLabels() {
  foldstack::data::FlipOptions options;
  options.from_dir = absl::GetFlag(FLAGS_from);
  options.out_dir = absl::GetFlag(FLAGS_out);
  options.rate = absl::GetFlag(FLAGS_rate);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.max_samples = absl::GetFlag(FLAGS_max_samples);
  if (options.out_dir.empty()) return Fail("data flip-labels: --out DIR is required");
  auto report = foldstack::data::WriteFlippedFashionMnist(options);
  if (!report.ok()) return Fail(std::string(report.status().message()));
  std::cout << "wrote " << report->samples << " Fashion-MNIST training samples to " << options.out_dir << " ("
            << report->flipped << " labels flipped, listed in label_noise.csv)" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(absl::StrCat(kUsage, foldstack::cli::kRelabelUsage, foldstack::cli::kEnsembleUsage,
                                            foldstack::cli::kArtifactsUsage));
  std::vector<std::string> typed = foldstack::cli::RenameRelabelFlags(
      foldstack::cli::NormalizeFlagDashes(std::vector<std::string>(argv, argv + argc)));
  std::vector<char*> typed_argv;
  for (std::string& arg : typed) typed_argv.push_back(arg.data());
  if (typed.size() > 1 && typed[1] == "models") {
    return foldstack::cli::ExecWorkerModelTool(static_cast<int>(typed_argv.size()), typed_argv.data());
  }
  std::vector<char*> args = absl::ParseCommandLine(static_cast<int>(typed_argv.size()), typed_argv.data());
  auto arg = [&](size_t i) { return args.size() > i ? std::string(args[i]) : std::string(); };
  const std::string command = arg(1), sub = arg(2);
  int64_t id = 0;

  if (command == "data" && sub == "synth") return Synth();
  if (command == "data" && sub == "flip-labels") return FlipLabels();
  if (auto tls = foldstack::rpc::ClientCredentials(foldstack::rpc::ClientTlsCa(absl::GetFlag(FLAGS_tls_ca)));
      !tls.ok()) {
    return Fail(std::string(tls.status().message()));
  }
  if (command == "predict") {
    return foldstack::cli::RunPredictCommand(
        std::vector<std::string>(args.begin() + 2, args.end()),
        {foldstack::rpc::CoordinatorAddress(absl::GetFlag(FLAGS_coordinator)),
         foldstack::rpc::ClientToken(absl::GetFlag(FLAGS_token)), absl::GetFlag(FLAGS_out), absl::GetFlag(FLAGS_json)});
  }
  if (command == "relabel") return foldstack::cli::RunRelabel(std::vector<std::string>(args.begin(), args.end()));
  if (command == "ensemble") return foldstack::cli::RunEnsemble(std::vector<std::string>(args.begin(), args.end()));
  if (command == "artifacts") return foldstack::cli::RunArtifacts(std::vector<std::string>(args.begin(), args.end()));
  Cli cli;
  if (command == "sweep" && sub == "submit" && args.size() == 4) return cli.Submit(arg(3));
  if (command == "sweep" && sub == "list") {
    return cli.ReadAll(&Coordinator::Stub::ListSweeps, foldstack::v1::ListSweepsRequest(),
                       [](auto& r) { return r.mutable_sweeps(); },
                       [](const auto& r) { return foldstack::cli::RenderSweeps(r); });
  }
  if (command == "sweep" && (sub == "show" || sub == "watch" || sub == "cancel")) {
    if (!ParseId(args, 3, &id)) return Fail(absl::StrCat("sweep ", sub, ": expected a sweep id, e.g. foldstack sweep ", sub, " 1"));
    if (sub == "watch") return cli.Watch(id);
    if (sub == "show") {
      foldstack::v1::ShowSweepRequest request;
      request.set_sweep_id(id);
      return cli.Read(&Coordinator::Stub::ShowSweep, request, [](const auto& r) { return foldstack::cli::RenderSweep(r); });
    }
    foldstack::v1::CancelSweepRequest request;
    request.set_sweep_id(id);
    return cli.Read(&Coordinator::Stub::CancelSweep, request, [id](const auto& r) {
      return absl::StrCat("sweep ", id, " cancelled (", r.jobs_cancelled(), " jobs)\n");
    });
  }
  if (command == "sweep" && (sub == "pause" || sub == "resume" || sub == "extend" || sub == "set")) {
    if (!ParseId(args, 3, &id)) return Fail(absl::StrCat("sweep ", sub, ": expected a sweep id, e.g. foldstack sweep ", sub, " 1"));
    foldstack::v1::UpdateSweepRequest request;
    request.set_sweep_id(id);
    if (sub == "pause" || sub == "resume") request.set_paused(sub == "pause");
    if (sub == "extend") {
      if (absl::GetFlag(FLAGS_count) < 1) return Fail("sweep extend: --count N: expected a number of trials >= 1");
      request.set_extend_by(absl::GetFlag(FLAGS_count));
    }
    if (sub == "set") {
      if (absl::GetFlag(FLAGS_max_concurrent) < 0) {
        return Fail("sweep set: --max-concurrent N: expected 0 (unlimited) or more trials in flight");
      }
      request.set_max_concurrent_trials(absl::GetFlag(FLAGS_max_concurrent));
    }
    return cli.Read(&Coordinator::Stub::UpdateSweep, request, [](const auto& r) {
      return foldstack::cli::RenderProgress(r.summary()) + "\n";
    });
  }
  if (command == "trials") {
    if (!ParseId(args, 2, &id)) return Fail("trials: expected a sweep id, e.g. foldstack trials 1");
    foldstack::v1::ListTrialsRequest request;
    request.set_sweep_id(id);
    request.set_page_size(1000);
    return cli.ReadAll(&Coordinator::Stub::ListTrials, request, [](auto& r) { return r.mutable_trials(); },
                       [](const auto& r) { return foldstack::cli::RenderTrials(r); });
  }
  if (command == "trial" && sub == "stop") {
    if (!ParseId(args, 3, &id)) return Fail("trial stop: expected a trial id, e.g. foldstack trial stop 7");
    foldstack::v1::StopTrialRequest request;
    request.set_trial_id(id);
    return cli.Read(&Coordinator::Stub::StopTrial, request, [id](const auto& r) {
      return absl::StrCat("trial ", id, " stopped (", r.jobs_ended(), " jobs ended)\n");
    });
  }
  if (command == "workers" && sub == "drain") {
    if (arg(3).empty()) return Fail("workers drain: expected a worker id, e.g. foldstack workers drain w-node1-1a2b3c4d");
    foldstack::v1::DrainWorkerRequest request;
    request.set_worker_id(arg(3));
    return cli.Read(&Coordinator::Stub::DrainWorker, request, [&request](const auto& r) {
      return absl::StrCat("worker ", request.worker_id(), " draining: it finishes ", r.running_jobs(),
                          " running jobs, takes no new ones, then exits\n");
    });
  }
  if (command == "workers") {
    return cli.ReadAll(&Coordinator::Stub::ListWorkers, foldstack::v1::ListWorkersRequest(),
                       [](auto& r) { return r.mutable_workers(); }, [](const auto& r) {
      return foldstack::cli::RenderWorkers(r, absl::ToUnixMillis(absl::Now()));
    });
  }
  if (command == "audit") {
    foldstack::v1::ListAuditRequest request;
    request.set_limit(absl::GetFlag(FLAGS_limit));
    return cli.Read(&Coordinator::Stub::ListAudit, request,
                    [](const auto& r) { return foldstack::cli::RenderAudit(r); });
  }
  if (command == "leaderboard") {
    if (!ParseId(args, 2, &id)) return Fail("leaderboard: expected a sweep id, e.g. foldstack leaderboard 1");
    foldstack::v1::LeaderboardRequest request;
    request.set_sweep_id(id);
    return cli.Read(&Coordinator::Stub::Leaderboard, request,
                    [](const auto& r) { return foldstack::cli::RenderLeaderboard(r); });
  }
  std::cerr << kUsage << foldstack::cli::kRelabelUsage << foldstack::cli::kEnsembleUsage
            << foldstack::cli::kArtifactsUsage;
  return 2;
}
