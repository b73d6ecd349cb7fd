#include "coordinator/managers/prediction_manager.h"

#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/managers/prediction_average.h"
#include "coordinator/store/prediction_run_store.h"
#include "common/status_macros.h"
#include "data/eval_set.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

struct Member {
  int64_t trial_id = 0;
  double weight = 0;
  int32_t num_classes = 0;
  std::vector<FoldModelRef> folds;
};

// Members in first-mention order, a repeated trial's weights summed (ensemble selection with
// replacement names a trial once per pick).
absl::StatusOr<std::vector<Member>> MergeMembers(const foldstack::v1::SubmitPredictionRequest& request) {
  if (request.members().empty()) return absl::InvalidArgumentError("predict: no member trials");
  std::vector<Member> members;
  std::map<int64_t, size_t> index;
  for (const auto& m : request.members()) {
    if (m.trial_id() <= 0) return absl::InvalidArgumentError(absl::StrCat("predict: trial id ", m.trial_id()));
    if (!(m.weight() > 0) || !std::isfinite(m.weight())) {
      return absl::InvalidArgumentError(
          absl::StrCat("predict: trial ", m.trial_id(), ": weight ", m.weight(), ", expected a positive number"));
    }
    auto [it, inserted] = index.emplace(m.trial_id(), members.size());
    if (inserted) members.push_back({m.trial_id(), 0, 0, {}});
    members[it->second].weight += m.weight();
  }
  return members;
}

// Fills the member's fold models; every fold of the trial's split must be done with a checkpoint.
absl::Status LoadFoldModels(Transaction& txn, Member& member) {
  FS_ASSIGN_OR_RETURN(TrialModels models, LoadTrialModels(txn, member.trial_id));
  member.num_classes = models.num_classes;
  member.folds = std::move(models.folds);
  return absl::OkStatus();
}

std::string MembersJson(const std::vector<Member>& members) {
  nlohmann::json json = nlohmann::json::array();
  for (const Member& m : members) json.push_back({{"trial_id", m.trial_id}, {"weight", m.weight}});
  return json.dump();
}

absl::StatusOr<int64_t> InsertRun(Transaction& txn, const data::EvalSet& eval, const std::vector<Member>& members,
                                  const std::string& submitted_by, int64_t now_ms) {
  NewPredictionRun run;
  run.eval_root = eval.root;
  run.members_json = MembersJson(members);
  run.num_classes = members[0].num_classes;
  run.submitted_by = submitted_by;
  for (const auto& image : eval.images) run.images.emplace_back(image.image_id, image.key);
  for (const Member& m : members) {
    for (const FoldModelRef& fold : m.folds) run.jobs.push_back({fold.train_job_id, m.weight, fold.worker_id});
  }
  run.max_attempts = PredictionManager::kMaxAttempts;
  return InsertPredictionRun(txn, run, now_ms);
}

// Fills the averaged probabilities of a done run.
absl::Status LoadAveragedProbs(Transaction& txn, int64_t run_id, foldstack::v1::GetPredictionResponse* response) {
  const int64_t images = response->image_ids_size();
  const int classes = response->num_classes();
  std::map<int64_t, FoldModelProbs> by_job;
  FS_RETURN_IF_ERROR(ForEachEvalRow(txn, run_id, [&](const StoredEvalRow& row) -> absl::Status {
    FoldModelProbs& model = by_job[row.prediction_job_id];
    if (model.probs.empty()) {
      model = {row.trial_id, row.weight, std::vector<float>(static_cast<size_t>(images) * classes, 0.0f)};
    }
    if (row.idx < 0 || row.idx >= images || static_cast<int>(row.probs.size()) != classes) {
      return absl::DataLossError(absl::StrCat("prediction run ", run_id, ": bad stored row ", row.idx));
    }
    std::copy(row.probs.begin(), row.probs.end(), model.probs.begin() + row.idx * classes);
    return absl::OkStatus();
  }));
  std::vector<FoldModelProbs> models;
  for (auto& [id, model] : by_job) models.push_back(std::move(model));
  FS_ASSIGN_OR_RETURN(std::vector<float> mixed, AverageMemberProbs(models, images, classes));
  response->mutable_probs()->Add(mixed.begin(), mixed.end());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<foldstack::v1::SubmitPredictionResponse> PredictionManager::SubmitPrediction(
    const foldstack::v1::SubmitPredictionRequest& request, const std::string& submitted_by) {
  FS_ASSIGN_OR_RETURN(std::vector<Member> members, MergeMembers(request));
  if (request.eval_root().empty()) return absl::InvalidArgumentError("predict: no eval root");
  FS_ASSIGN_OR_RETURN(data::EvalSet eval, data::LoadEvalSet(request.eval_root()));
  const int64_t now = clock_.NowMs();
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_));
  int jobs = 0;
  for (Member& member : members) {
    FS_RETURN_IF_ERROR(LoadFoldModels(*txn, member));
    if (member.num_classes != members[0].num_classes) {
      return absl::InvalidArgumentError(absl::StrCat("trial ", member.trial_id, ": ", member.num_classes,
                                                     " classes, but trial ", members[0].trial_id, " has ",
                                                     members[0].num_classes));
    }
    jobs += static_cast<int>(member.folds.size());
  }
  FS_ASSIGN_OR_RETURN(int64_t run_id, InsertRun(*txn, eval, members, submitted_by, now));
  FS_RETURN_IF_ERROR(txn->Commit());
  foldstack::v1::SubmitPredictionResponse response;
  response.set_run_id(run_id);
  response.set_jobs(jobs);
  response.set_images(static_cast<int32_t>(eval.images.size()));
  return response;
}

absl::StatusOr<foldstack::v1::GetPredictionResponse> PredictionManager::GetPrediction(
    const foldstack::v1::GetPredictionRequest& request) {
  FS_ASSIGN_OR_RETURN(TxnPtr txn, Transaction::Begin(db_, Transaction::Mode::kDeferred));
  foldstack::v1::GetPredictionResponse response;
  FS_ASSIGN_OR_RETURN(PredictionRunRow run, LoadPredictionRun(*txn, request.run_id()));
  response.set_run_id(request.run_id());
  response.set_state(run.state == "done"     ? foldstack::v1::RUN_STATE_DONE
                     : run.state == "failed" ? foldstack::v1::RUN_STATE_FAILED
                                             : foldstack::v1::RUN_STATE_RUNNING);
  response.set_eval_root(run.eval_root);
  const nlohmann::json members = nlohmann::json::parse(run.members_json, nullptr, /*allow_exceptions=*/false);
  for (const auto& m : members.is_array() ? members : nlohmann::json::array()) {
    if (!m.is_object()) continue;
    auto* member = response.add_members();
    member->set_trial_id(m.value("trial_id", int64_t{0}));
    member->set_weight(m.value("weight", 0.0));
  }
  response.set_num_classes(run.num_classes);
  response.set_created_unix_ms(run.created_ms);
  response.set_jobs_total(run.jobs_total);
  response.set_jobs_done(run.jobs_done);
  response.set_jobs_failed(run.jobs_failed);
  if (run.error.has_value()) response.set_error(*run.error);
  for (std::string& id : run.image_ids) response.add_image_ids(std::move(id));
  if (response.state() == foldstack::v1::RUN_STATE_DONE) FS_RETURN_IF_ERROR(LoadAveragedProbs(*txn, request.run_id(), &response));
  return response;
}

}  // namespace foldstack::coordinator
