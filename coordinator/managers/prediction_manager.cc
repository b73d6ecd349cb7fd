#include "coordinator/managers/prediction_manager.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/analysis/composite.h"
#include "coordinator/managers/candidate_library.h"
#include "coordinator/managers/prediction_average.h"
#include "coordinator/store/prediction_run_store.h"
#include "common/status_macros.h"
#include "data/eval_set.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

using MemberTrials = std::map<int64_t, TrialModels>;

// A member: one trial, or a composite of trials' heads (analysis/composite.h).
struct Member {
  int64_t trial_id = 0;
  std::optional<analysis::CompositeSpec> composite;
  double weight = 0;

  std::string Name() const { return composite ? composite->ToString() : absl::StrCat(trial_id); }
  std::vector<int64_t> Trials() const {
    if (!composite) return {trial_id};
    std::vector<int64_t> trials;
    for (int64_t id : {composite->base, composite->heads[0], composite->heads[1], composite->heads[2]}) {
      if (id != 0 && std::find(trials.begin(), trials.end(), id) == trials.end()) trials.push_back(id);
    }
    return trials;
  }
};

// Members in first-mention order, a repeated trial's (or composite's) weights summed (ensemble
// selection with replacement names a trial once per pick).
absl::StatusOr<std::vector<Member>> MergeMembers(const foldstack::v1::SubmitPredictionRequest& request) {
  if (request.members().empty()) return absl::InvalidArgumentError("predict: no member trials");
  std::vector<Member> members;
  std::map<std::string, size_t> index;
  for (const auto& m : request.members()) {
    Member member{m.trial_id(), std::nullopt, 0};
    if (!m.composite().empty()) {
      FS_ASSIGN_OR_RETURN(member.composite, analysis::ParseCompositeSpec(m.composite()));
      member.trial_id = 0;
    } else if (m.trial_id() <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("predict: trial id ", m.trial_id()));
    }
    const std::string what = member.composite ? absl::StrCat("composite ", member.Name()) : absl::StrCat("trial ", member.Name());
    if (!(m.weight() > 0) || !std::isfinite(m.weight())) {
      return absl::InvalidArgumentError(
          absl::StrCat("predict: ", what, ": weight ", m.weight(), ", expected a positive number"));
    }
    auto [it, inserted] = index.emplace(member.Name(), members.size());
    if (inserted) members.push_back(member);
    members[it->second].weight += m.weight();
  }
  return members;
}

// Each member trial's source for a composite: its task, and rows of its width.
std::function<absl::StatusOr<analysis::HeadSourceTrial>(int64_t)> Sources(
    const std::map<int64_t, TrialModels>& trials, const std::map<int64_t, analysis::ProbMatrix>& probs) {
  return [&trials, &probs](int64_t id) -> absl::StatusOr<analysis::HeadSourceTrial> {
    return SourceTrial(id, trials.at(id).task, probs.at(id));
  };
}

// The member's probabilities from its trials' (each the mean of its fold models).
absl::StatusOr<std::vector<float>> MemberProbs(const Member& member, const std::map<int64_t, TrialModels>& trials,
                                               const std::map<int64_t, analysis::ProbMatrix>& probs) {
  if (!member.composite) return probs.at(member.trial_id).values;
  FS_ASSIGN_OR_RETURN(analysis::ProbMatrix composite, analysis::BuildComposite(*member.composite, Sources(trials, probs)));
  return std::move(composite.values);
}

// Loads every member's trials' fold models and checks the members: a plain member predicts the
// dataset's classes (a head trial joins through a composite), a composite is well formed.
absl::StatusOr<std::map<int64_t, TrialModels>> LoadMemberTrials(Transaction& txn, const std::vector<Member>& members) {
  std::map<int64_t, TrialModels> trials;
  for (const Member& member : members) {
    for (int64_t id : member.Trials()) {
      if (trials.count(id) > 0) continue;
      FS_ASSIGN_OR_RETURN(trials[id], LoadTrialModels(txn, id));
      const TrialModels& first = trials.begin()->second;
      if (trials[id].num_classes != first.num_classes) {
        return absl::InvalidArgumentError(absl::StrCat("trial ", id, ": ", trials[id].num_classes,
                                                       " classes, but trial ", trials.begin()->first, " has ",
                                                       first.num_classes));
      }
    }
    if (!member.composite && trials[member.trial_id].width != trials[member.trial_id].num_classes) {
      return absl::InvalidArgumentError(absl::StrCat("predict: trial ", member.trial_id, " predicts one head (task ",
                                                     trials[member.trial_id].task, "); name it in a composite, e.g. ",
                                                     "--composite base=TRIAL,age=", member.trial_id));
    }
  }
  // A dry run of every composite on one uniform row per trial checks its trials' tasks.
  std::map<int64_t, analysis::ProbMatrix> uniform;
  for (const auto& [id, models] : trials) uniform[id] = {1, models.width, std::vector<float>(models.width, 1.0f / models.width)};
  for (const Member& member : members) FS_RETURN_IF_ERROR(MemberProbs(member, trials, uniform).status());
  return trials;
}

std::string MembersJson(const std::vector<Member>& members) {
  nlohmann::json json = nlohmann::json::array();
  for (const Member& m : members) {
    json.push_back(m.composite ? nlohmann::json{{"composite", m.Name()}, {"weight", m.weight}}
                               : nlohmann::json{{"trial_id", m.trial_id}, {"weight", m.weight}});
  }
  return json.dump();
}

// One job per fold model of every trial the members use; a job's weight is its trial's as a plain
// member (0 when it only serves composites): the members' weights are applied from members_json.
absl::StatusOr<int64_t> InsertRun(Transaction& txn, const data::EvalSet& eval, const std::vector<Member>& members,
                                  const std::map<int64_t, TrialModels>& trials, const std::string& submitted_by,
                                  int64_t now_ms) {
  NewPredictionRun run;
  run.eval_root = eval.root;
  run.members_json = MembersJson(members);
  run.num_classes = trials.begin()->second.num_classes;
  run.submitted_by = submitted_by;
  for (const auto& image : eval.images) run.images.emplace_back(image.image_id, image.key);
  for (const auto& [id, models] : trials) {
    double weight = 0;
    for (const Member& m : members) weight += m.composite || m.trial_id != id ? 0 : m.weight;
    for (const FoldModelRef& fold : models.folds) run.jobs.push_back({fold.train_job_id, weight, fold.worker_id});
  }
  run.max_attempts = PredictionManager::kMaxAttempts;
  return InsertPredictionRun(txn, run, now_ms);
}

// The members stored with a run (members_json), as submitted.
std::vector<Member> StoredMembers(const std::string& members_json) {
  const nlohmann::json members = nlohmann::json::parse(members_json, nullptr, /*allow_exceptions=*/false);
  std::vector<Member> out;
  for (const auto& m : members.is_array() ? members : nlohmann::json::array()) {
    if (!m.is_object()) continue;
    Member member{m.value("trial_id", int64_t{0}), std::nullopt, m.value("weight", 0.0)};
    if (absl::StatusOr<analysis::CompositeSpec> spec = analysis::ParseCompositeSpec(m.value("composite", ""));
        m.contains("composite") && spec.ok()) {
      member.composite = *spec;
    }
    out.push_back(member);
  }
  return out;
}

// Fills the probabilities of a done run: each trial's fold models averaged, each member built from
// its trials, the members mixed by their weights.
absl::Status LoadAveragedProbs(Transaction& txn, int64_t run_id, const std::vector<Member>& members,
                               foldstack::v1::GetPredictionResponse* response) {
  const int64_t images = response->image_ids_size();
  FS_ASSIGN_OR_RETURN(MemberTrials trials, LoadMemberTrials(txn, members));
  std::map<int64_t, FoldModelProbs> by_job;
  FS_RETURN_IF_ERROR(ForEachEvalRow(txn, run_id, [&](const StoredEvalRow& row) -> absl::Status {
    const int width = trials.count(row.trial_id) > 0 ? trials.at(row.trial_id).width : 0;
    FoldModelProbs& model = by_job[row.prediction_job_id];
    if (model.probs.empty()) model = {row.trial_id, 1.0, std::vector<float>(static_cast<size_t>(images) * width, 0.0f)};
    if (row.idx < 0 || row.idx >= images || static_cast<int>(row.probs.size()) != width) {
      return absl::DataLossError(absl::StrCat("prediction run ", run_id, ": bad stored row ", row.idx));
    }
    std::copy(row.probs.begin(), row.probs.end(), model.probs.begin() + row.idx * width);
    return absl::OkStatus();
  }));
  std::map<int64_t, std::vector<FoldModelProbs>> folds_of;
  for (auto& [job, model] : by_job) folds_of[model.trial_id].push_back(std::move(model));
  std::map<int64_t, analysis::ProbMatrix> trial_probs;
  for (const auto& [id, models] : trials) {
    FS_ASSIGN_OR_RETURN(std::vector<float> mean, AverageMemberProbs(folds_of[id], images, models.width));
    trial_probs[id] = {static_cast<int>(images), models.width, std::move(mean)};
  }
  std::vector<FoldModelProbs> mixed;  // one "model" per member: AverageMemberProbs mixes them by weight
  for (size_t m = 0; m < members.size(); ++m) {
    FS_ASSIGN_OR_RETURN(std::vector<float> probs, MemberProbs(members[m], trials, trial_probs));
    mixed.push_back({static_cast<int64_t>(m) + 1, members[m].weight, std::move(probs)});
  }
  FS_ASSIGN_OR_RETURN(std::vector<float> out, AverageMemberProbs(mixed, images, response->num_classes()));
  response->mutable_probs()->Add(out.begin(), out.end());
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
  FS_ASSIGN_OR_RETURN(MemberTrials trials, LoadMemberTrials(*txn, members));
  int jobs = 0;
  for (const auto& [id, models] : trials) jobs += static_cast<int>(models.folds.size());
  FS_ASSIGN_OR_RETURN(int64_t run_id, InsertRun(*txn, eval, members, trials, submitted_by, now));
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
  const std::vector<Member> members = StoredMembers(run.members_json);
  for (const Member& m : members) {
    auto* member = response.add_members();
    member->set_trial_id(m.trial_id);
    member->set_weight(m.weight);
    if (m.composite) member->set_composite(m.Name());
  }
  response.set_num_classes(run.num_classes);
  response.set_created_unix_ms(run.created_ms);
  response.set_jobs_total(run.jobs_total);
  response.set_jobs_done(run.jobs_done);
  response.set_jobs_failed(run.jobs_failed);
  if (run.error.has_value()) response.set_error(*run.error);
  for (std::string& id : run.image_ids) response.add_image_ids(std::move(id));
  if (response.state() == foldstack::v1::RUN_STATE_DONE) {
    FS_RETURN_IF_ERROR(LoadAveragedProbs(*txn, request.run_id(), members, &response));
  }
  return response;
}

}  // namespace foldstack::coordinator
