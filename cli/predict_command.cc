#include "cli/predict_command.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "cli/render.h"
#include "cli/state_names.h"
#include "cli/submission.h"
#include "data/eval_set.h"
#include "proto/foldstack.grpc.pb.h"
#include "cli/coordinator_call.h"
#include "proto/rpc_util.h"

ABSL_FLAG(std::string, trial, "", "predict: member trial ids, weight 1 each (ID[,ID...])");
ABSL_FLAG(std::string, members, "", "predict: weighted member trials (TRIAL:WEIGHT,...)");
ABSL_FLAG(std::string, eval, "", "predict: root holding eval/info.csv and eval/images/");
ABSL_FLAG(std::string, probs, "", "predict: also write the averaged probabilities to this CSV");
ABSL_FLAG(int64_t, ensemble, 0, "predict: a stored ensemble's members and weights (see foldstack ensemble list)");
ABSL_DECLARE_FLAG(std::string, composite);
ABSL_FLAG(bool, wait, false, "predict: wait for the run to finish, then write --out/--probs");

namespace foldstack::cli {
namespace {

using foldstack::v1::Coordinator;

class PredictCommand {
 public:
  explicit PredictCommand(const PredictCommandOptions& options)
      : options_(options), stub_(Coordinator::NewStub(CoordinatorChannel())) {}

  int Submit() {
    absl::StatusOr<std::vector<v1::PredictionMember>> members = Members();
    if (!members.ok()) return Fail(std::string(members.status().message()));
    if (absl::GetFlag(FLAGS_eval).empty()) return Fail("predict: --eval ROOT is required (the folder holding eval/)");
    v1::SubmitPredictionRequest request;
    for (v1::PredictionMember& member : *members) *request.add_members() = std::move(member);
    // The coordinator reads the eval set: send a path that does not depend on our working directory.
    request.set_eval_root(std::filesystem::absolute(absl::GetFlag(FLAGS_eval)).lexically_normal().string());
    v1::SubmitPredictionResponse response;
    if (absl::Status status = Call(&Coordinator::Stub::SubmitPrediction, request, &response); !status.ok()) {
      return Fail(std::string(status.message()));
    }
    std::cerr << "prediction run " << response.run_id() << " queued: " << response.jobs() << " fold models x "
              << response.images() << " images" << std::endl;
    if (!absl::GetFlag(FLAGS_wait)) {
      std::cout << (options_.json ? ToJson(response) : absl::StrCat(response.run_id())) << "\n";
      if (!options_.out.empty()) {
        std::cerr << "not waiting: write it later with `foldstack predict get " << response.run_id() << " --out "
                  << options_.out << " --wait`" << std::endl;
      }
      return 0;
    }
    return Get(response.run_id());
  }

  int Get(int64_t run_id) {
    v1::GetPredictionRequest request;
    request.set_run_id(run_id);
    v1::GetPredictionResponse run;
    while (true) {
      if (absl::Status status = Call(&Coordinator::Stub::GetPrediction, request, &run); !status.ok()) {
        return Fail(std::string(status.message()));
      }
      if (run.state() != v1::RUN_STATE_RUNNING || !absl::GetFlag(FLAGS_wait)) break;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    const std::string progress = absl::StrCat("prediction run ", run_id, " ", Name(run.state()), ": ", run.jobs_done(), "/",
                                              run.jobs_total(), " fold models done, ", run.image_ids_size(), " images");
    if (run.state() == v1::RUN_STATE_FAILED) return Fail(absl::StrCat(progress, "; ", run.error()));
    if (options_.json) {
      v1::GetPredictionResponse summary = run;
      summary.clear_probs();  // the files carry them
      std::cout << ToJson(summary) << "\n";
    } else {
      std::cout << progress << "\n";
    }
    if (run.state() != v1::RUN_STATE_DONE) return 0;
    return WriteFiles(run);
  }

 private:
  // --trial/--members and --composite (weight 1 each), or --ensemble ID resolved to its stored
  // members (composites included).
  absl::StatusOr<std::vector<v1::PredictionMember>> Members() {
    const int64_t ensemble = absl::GetFlag(FLAGS_ensemble);
    const std::string composites = absl::GetFlag(FLAGS_composite);
    std::vector<v1::PredictionMember> members;
    if (ensemble <= 0) {
      const std::string trials = absl::GetFlag(FLAGS_trial), weighted = absl::GetFlag(FLAGS_members);
      if (!composites.empty() && trials.empty() && weighted.empty()) return CompositeMembers(composites);
      FS_ASSIGN_OR_RETURN(auto parsed, ParseMembers(trials, weighted));
      for (const auto& [trial, weight] : parsed) {
        members.emplace_back().set_trial_id(trial);
        members.back().set_weight(weight);
      }
      for (v1::PredictionMember& m : CompositeMembers(composites)) members.push_back(std::move(m));
      return members;
    }
    if (!absl::GetFlag(FLAGS_trial).empty() || !absl::GetFlag(FLAGS_members).empty() || !composites.empty()) {
      return absl::InvalidArgumentError("predict: give --ensemble or --trial/--members/--composite, not both");
    }
    v1::ShowEnsembleRequest request;
    request.set_ensemble_id(ensemble);
    v1::ShowEnsembleResponse response;
    if (absl::Status status = Call(&Coordinator::Stub::ShowEnsemble, request, &response); !status.ok()) return status;
    for (const v1::EnsembleMemberRow& m : response.ensemble().members()) {
      members.emplace_back().set_trial_id(m.trial_id());
      members.back().set_weight(m.weight());
      members.back().set_composite(m.composite());
    }
    return members;
  }

  // "base=12,age=31;base=5,gender=9": one member of weight 1 each (the coordinator checks them).
  static std::vector<v1::PredictionMember> CompositeMembers(const std::string& text) {
    std::vector<v1::PredictionMember> members;
    for (absl::string_view spec : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
      members.emplace_back().set_composite(std::string(absl::StripAsciiWhitespace(spec)));
      members.back().set_weight(1);
    }
    return members;
  }

  int WriteFiles(const v1::GetPredictionResponse& run) {
    const std::string probs_path = absl::GetFlag(FLAGS_probs);
    if (options_.out.empty() && probs_path.empty()) return 0;
    // Rows follow info.csv as it is now; a changed file is refused rather than misaligned.
    absl::StatusOr<data::EvalSet> eval = data::LoadEvalSet(run.eval_root());
    if (!eval.ok()) return Fail(std::string(eval.status().message()));
    struct Output {
      std::string path;
      absl::StatusOr<std::string> (*make)(const data::EvalSet&, const v1::GetPredictionResponse&);
    };
    for (const Output& output : {Output{options_.out, &SubmissionCsv}, Output{probs_path, &ProbabilitiesCsv}}) {
      if (output.path.empty()) continue;
      absl::StatusOr<std::string> csv = output.make(*eval, run);
      if (!csv.ok()) return Fail(std::string(csv.status().message()));
      if (absl::Status written = WriteFileAtomically(output.path, *csv); !written.ok()) {
        return Fail(std::string(written.message()));
      }
      std::cerr << "wrote " << output.path << " (" << eval->images.size() << " rows)" << std::endl;
    }
    return 0;
  }

  template <typename Request, typename Response>
  absl::Status Call(grpc::Status (Coordinator::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    auto context = rpc::MakeContext(options_.token, std::chrono::seconds(60));
    absl::Status status = rpc::FromGrpcStatus((stub_.get()->*method)(context.get(), request, response));
    if (status.code() == absl::StatusCode::kUnavailable) {
      return absl::UnavailableError(
          absl::StrCat("cannot reach the coordinator at ", options_.address, ": ", status.message()));
    }
    return status;
  }

  PredictCommandOptions options_;
  std::unique_ptr<Coordinator::Stub> stub_;
};

}  // namespace

int RunPredictCommand(const std::vector<std::string>& args, const PredictCommandOptions& options) {
  PredictCommand command(options);
  if (args.empty()) return command.Submit();
  int64_t run_id = 0;
  if (args.size() == 2 && args[0] == "get" && absl::SimpleAtoi(args[1], &run_id) && run_id > 0) {
    return command.Get(run_id);
  }
  return Fail("predict: expected `predict --trial ID --eval ROOT ...` or `predict get RUN_ID`");
}

}  // namespace foldstack::cli
