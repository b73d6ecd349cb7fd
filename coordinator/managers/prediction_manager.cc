#include "coordinator/managers/prediction_manager.h"

#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/managers/prediction_average.h"
#include "coordinator/store/probs_json.h"
#include "common/status_macros.h"
#include "data/eval_set.h"
#include "nlohmann/json.hpp"

namespace foldstack::coordinator {
namespace {

using TxnPtr = std::unique_ptr<Transaction>;

struct FoldModel {
  int64_t train_job_id = 0;
  std::string worker_id;
};

struct Member {
  int64_t trial_id = 0;
  double weight = 0;
  int32_t num_classes = 0;
  std::vector<FoldModel> folds;
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
  int32_t k = 0;
  {
    FS_ASSIGN_OR_RETURN(Statement trial, txn.Prepare(
        "SELECT sp.k, d.num_classes FROM trials t JOIN sweeps s ON s.id = t.sweep_id "
        "JOIN splits sp ON sp.id = s.split_id JOIN datasets d ON d.id = s.dataset_id WHERE t.id = ?"));
    trial.Bind(1, member.trial_id);
    FS_ASSIGN_OR_RETURN(bool found, trial.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("trial ", member.trial_id, ": no such trial"));
    k = static_cast<int32_t>(trial.Int(0));
    member.num_classes = static_cast<int32_t>(trial.Int(1));
  }
  FS_ASSIGN_OR_RETURN(Statement jobs, txn.Prepare(
      "SELECT fold, id, state, checkpoint_path, COALESCE(worker_id, '') FROM jobs WHERE trial_id = ? ORDER BY fold"));
  jobs.Bind(1, member.trial_id);
  for (int32_t fold = 0; fold < k; ++fold) {
    FS_ASSIGN_OR_RETURN(bool row, jobs.Step());
    if (!row || jobs.Int(0) != fold) {
      return absl::FailedPreconditionError(absl::StrCat("trial ", member.trial_id, ": fold ", fold, " has no job"));
    }
    if (jobs.Text(2) != "done") {
      return absl::FailedPreconditionError(
          absl::StrCat("trial ", member.trial_id, ": fold ", fold, " is ", jobs.Text(2), ", not done"));
    }
    if (jobs.IsNull(3)) {
      return absl::FailedPreconditionError(absl::StrCat("trial ", member.trial_id, ": fold ", fold,
                                                        " has no checkpoint recorded (trained before v4?)"));
    }
    member.folds.push_back({jobs.Int(1), jobs.Text(4)});
  }
  return absl::OkStatus();
}

std::string MembersJson(const std::vector<Member>& members) {
  nlohmann::json json = nlohmann::json::array();
  for (const Member& m : members) json.push_back({{"trial_id", m.trial_id}, {"weight", m.weight}});
  return json.dump();
}

absl::Status InsertRun(Transaction& txn, const data::EvalSet& eval, const std::vector<Member>& members,
                       const std::string& submitted_by, int64_t now_ms, int64_t* run_id) {
  {
    FS_ASSIGN_OR_RETURN(Statement insert, txn.Prepare(
        "INSERT INTO prediction_runs(eval_root, members_json, num_classes, state, created_ms, submitted_by) "
        "VALUES(?, ?, ?, 'running', ?, ?) RETURNING id"));
    insert.Bind(1, eval.root).Bind(2, MembersJson(members)).Bind(3, members[0].num_classes).Bind(4, now_ms)
        .Bind(5, submitted_by);
    FS_ASSIGN_OR_RETURN(bool row, insert.Step());
    if (!row) return absl::InternalError("prediction run insert returned no id");
    *run_id = insert.Int(0);
    FS_RETURN_IF_ERROR(insert.Step().status());
  }
  FS_ASSIGN_OR_RETURN(Statement image, txn.Prepare(
      "INSERT INTO prediction_images(run_id, idx, image_id, image_key) VALUES(?, ?, ?, ?)"));
  for (size_t i = 0; i < eval.images.size(); ++i) {
    image.Reset();
    image.Bind(1, *run_id).Bind(2, static_cast<int64_t>(i)).Bind(3, eval.images[i].image_id)
        .Bind(4, eval.images[i].key);
    FS_RETURN_IF_ERROR(image.Run().status());
  }
  image.Reset();
  FS_ASSIGN_OR_RETURN(Statement job, txn.Prepare(
      "INSERT INTO prediction_jobs(run_id, train_job_id, weight, preferred_worker_id, max_attempts, queued_ms) "
      "VALUES(?, ?, ?, NULLIF(?, ''), ?, ?)"));
  for (const Member& m : members) {
    for (const FoldModel& fold : m.folds) {
      job.Reset();
      job.Bind(1, *run_id).Bind(2, fold.train_job_id).Bind(3, m.weight).Bind(4, fold.worker_id)
          .Bind(5, PredictionManager::kMaxAttempts).Bind(6, now_ms);
      FS_RETURN_IF_ERROR(job.Run().status());
    }
  }
  return absl::OkStatus();
}

// Fills the averaged probabilities of a done run.
absl::Status LoadAveragedProbs(Transaction& txn, int64_t run_id, foldstack::v1::GetPredictionResponse* response) {
  const int64_t images = response->image_ids_size();
  const int classes = response->num_classes();
  std::map<int64_t, FoldModelProbs> by_job;
  FS_ASSIGN_OR_RETURN(Statement rows, txn.Prepare(
      "SELECT pj.id, j.trial_id, pj.weight, ep.idx, ep.probs FROM prediction_jobs pj "
      "JOIN jobs j ON j.id = pj.train_job_id JOIN eval_probs ep ON ep.prediction_job_id = pj.id "
      "WHERE pj.run_id = ?"));
  rows.Bind(1, run_id);
  while (true) {
    FS_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    FoldModelProbs& model = by_job[rows.Int(0)];
    if (model.probs.empty()) {
      model = {rows.Int(1), rows.Double(2), std::vector<float>(static_cast<size_t>(images) * classes, 0.0f)};
    }
    const int64_t idx = rows.Int(3);
    FS_ASSIGN_OR_RETURN(std::vector<float> probs, ParseProbsJson(rows.Text(4)));
    if (idx < 0 || idx >= images || static_cast<int>(probs.size()) != classes) {
      return absl::DataLossError(absl::StrCat("prediction run ", run_id, ": bad stored row ", idx));
    }
    std::copy(probs.begin(), probs.end(), model.probs.begin() + idx * classes);
  }
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
  int64_t run_id = 0;
  FS_RETURN_IF_ERROR(InsertRun(*txn, eval, members, submitted_by, now, &run_id));
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
  {
    FS_ASSIGN_OR_RETURN(Statement run, txn->Prepare(
        "SELECT r.state, r.eval_root, r.members_json, r.num_classes, r.created_ms, COUNT(pj.id), "
        "COALESCE(SUM(pj.state = 'done'), 0), COALESCE(SUM(pj.state = 'failed'), 0), "
        "(SELECT error FROM prediction_jobs f WHERE f.run_id = r.id AND f.state = 'failed' ORDER BY f.id LIMIT 1) "
        "FROM prediction_runs r LEFT JOIN prediction_jobs pj ON pj.run_id = r.id WHERE r.id = ? GROUP BY r.id"));
    run.Bind(1, request.run_id());
    FS_ASSIGN_OR_RETURN(bool found, run.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("prediction run ", request.run_id(), " not found"));
    response.set_run_id(request.run_id());
    const std::string state = run.Text(0);
    response.set_state(state == "done"     ? foldstack::v1::RUN_STATE_DONE
                       : state == "failed" ? foldstack::v1::RUN_STATE_FAILED
                                           : foldstack::v1::RUN_STATE_RUNNING);
    response.set_eval_root(run.Text(1));
    const nlohmann::json members = nlohmann::json::parse(run.Text(2), nullptr, /*allow_exceptions=*/false);
    for (const auto& m : members.is_array() ? members : nlohmann::json::array()) {
      if (!m.is_object()) continue;
      auto* member = response.add_members();
      member->set_trial_id(m.value("trial_id", int64_t{0}));
      member->set_weight(m.value("weight", 0.0));
    }
    response.set_num_classes(static_cast<int32_t>(run.Int(3)));
    response.set_created_unix_ms(run.Int(4));
    response.set_jobs_total(static_cast<int32_t>(run.Int(5)));
    response.set_jobs_done(static_cast<int32_t>(run.Int(6)));
    response.set_jobs_failed(static_cast<int32_t>(run.Int(7)));
    if (!run.IsNull(8)) response.set_error(run.Text(8));
  }
  {
    FS_ASSIGN_OR_RETURN(Statement images, txn->Prepare(
        "SELECT image_id FROM prediction_images WHERE run_id = ? ORDER BY idx"));
    images.Bind(1, request.run_id());
    while (true) {
      FS_ASSIGN_OR_RETURN(bool row, images.Step());
      if (!row) break;
      response.add_image_ids(images.Text(0));
    }
  }
  if (response.state() == foldstack::v1::RUN_STATE_DONE) FS_RETURN_IF_ERROR(LoadAveragedProbs(*txn, request.run_id(), &response));
  return response;
}

}  // namespace foldstack::coordinator
