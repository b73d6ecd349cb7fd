// The JSON API (README.md, "Dashboard"). Each route names the RPC whose scope it needs, so a
// reader token reads and only a lead token pauses, exactly as over gRPC.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "coordinator/http/api_json.h"
#include "coordinator/http/routes.h"

namespace foldstack::http {
namespace {

void ListSweeps(RouteContext context, const Caller&, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<int> limit = ParseLimit(request.get_param_value("limit"));
  if (!limit.ok()) return SendError(response, limit.status());
  foldstack::v1::ListSweepsRequest list;
  list.set_page_size(*limit);
  list.set_page_token(request.get_param_value("cursor"));
  auto page = context.sweeps->ListSweeps(list);
  if (!page.ok()) return SendError(response, page.status());
  SendRows(response, page->sweeps(), SweepJson, page->next_page_token());
}

void ShowSweep(RouteContext context, const Caller&, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<int64_t> id = PathId(request, "sweep id");
  if (!id.ok()) return SendError(response, id.status());
  auto summary = context.sweeps->Summary(*id);
  if (!summary.ok()) return SendError(response, summary.status());
  auto swept = context.sweeps->SweptParams(*id);
  if (!swept.ok()) return SendError(response, swept.status());
  nlohmann::json sweep = SweepJson(*summary);
  sweep["swept_params"] = *swept;
  SendJson(response, sweep);
}

void ListTrials(RouteContext context, const Caller&, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<int64_t> id = PathId(request, "sweep id");
  if (!id.ok()) return SendError(response, id.status());
  absl::StatusOr<int> limit = ParseLimit(request.get_param_value("limit"));
  if (!limit.ok()) return SendError(response, limit.status());
  foldstack::v1::ListTrialsRequest list;
  list.set_sweep_id(*id);
  list.set_page_size(*limit);
  list.set_page_token(request.get_param_value("cursor"));
  auto page = context.sweeps->ListTrials(list);
  if (!page.ok()) return SendError(response, page.status());
  const std::string wanted = request.get_param_value("params");
  const std::vector<std::string> names = absl::StrSplit(wanted, ',', absl::SkipEmpty());
  SendRows(
      response, page->trials(),
      [&](const foldstack::v1::TrialRow& trial) { return TrialJson(trial, names); }, page->next_page_token());
}

void Curves(RouteContext context, const Caller&, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<int64_t> id = PathId(request, "sweep id");
  if (!id.ok()) return SendError(response, id.status());
  absl::StatusOr<int> points = ParsePositive("points", request.get_param_value("points"), 50, 1000);
  if (!points.ok()) return SendError(response, points.status());
  absl::StatusOr<int> limit = ParseLimit(request.get_param_value("limit"));
  if (!limit.ok()) return SendError(response, limit.status());
  auto page = context.sweeps->Curves(*id, *points, request.get_param_value("cursor"), *limit);
  if (!page.ok()) return SendError(response, page.status());
  if (!page->next_cursor.empty()) response.set_header("X-Next-Cursor", page->next_cursor);
  SendJson(response, CurvesJson(page->curves));
}

void Confusion(RouteContext context, const Caller&, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<int64_t> id = PathId(request, "trial id");
  if (!id.ok()) return SendError(response, id.status());
  auto matrix = context.analysis->Confusion(*id);
  if (!matrix.ok()) return SendError(response, matrix.status());
  SendJson(response, ConfusionJson(*matrix));
}

// A photo the database names, as a thumbnail (?key= the sample's key, ?size= its longer side).
void Photo(RouteContext context, const Caller&, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<int64_t> id = PathId(request, "dataset id");
  if (!id.ok()) return SendError(response, id.status());
  absl::StatusOr<int> size = ParsePositive("size", request.get_param_value("size"), 160, 1024);
  if (!size.ok()) return SendError(response, size.status());
  auto jpeg = context.photos->Thumbnail(*id, request.get_param_value("key"), *size);
  if (!jpeg.ok()) return SendError(response, jpeg.status());
  response.set_header("Cache-Control", "private, max-age=3600");
  response.set_content(*jpeg, "image/jpeg");
}

// The sweep's relabel candidates, best score first; ?kind=photo|person keeps one kind; paged by
// ?limit= and ?cursor= (the offset of the next row in that ranking).
void ListRelabel(RouteContext context, const Caller&, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<int64_t> id = PathId(request, "sweep id");
  if (!id.ok()) return SendError(response, id.status());
  absl::StatusOr<int> limit = ParseLimit(request.get_param_value("limit"));
  if (!limit.ok()) return SendError(response, limit.status());
  const std::string kind = request.get_param_value("kind");
  if (!kind.empty() && kind != "photo" && kind != "person") {
    return SendError(response, absl::InvalidArgumentError(absl::StrCat(
                                   "?kind=: expected photo or person, got \"", kind.substr(0, 40), "\"")));
  }
  int64_t offset = 0;
  const std::string cursor = request.get_param_value("cursor");
  if (!cursor.empty() && (!absl::SimpleAtoi(cursor, &offset) || offset < 0)) {
    return SendError(response, absl::InvalidArgumentError("?cursor=: expected the X-Next-Cursor of a previous page"));
  }
  foldstack::v1::ListRelabelCandidatesRequest list;
  list.set_sweep_id(*id);
  auto all = context.review->ListRelabelCandidates(list);
  if (!all.ok()) return SendError(response, all.status());
  std::vector<const foldstack::v1::RelabelCandidateRow*> ranked;
  for (const auto& row : all->candidates()) {
    if (kind.empty() || (kind == "photo") == !row.sample_key().empty()) ranked.push_back(&row);
  }
  const size_t begin = std::min<size_t>(offset, ranked.size());
  const size_t end = std::min<size_t>(begin + *limit, ranked.size());
  std::set<std::string> persons;
  for (size_t i = begin; i < end; ++i) {
    if (ranked[i]->sample_key().empty()) persons.insert(ranked[i]->person());
  }
  auto keys = context.review->PersonPhotoKeys(all->dataset_id(), persons);
  if (!keys.ok()) return SendError(response, keys.status());
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = begin; i < end; ++i) {
    const auto& row = *ranked[i];
    rows.push_back(CandidateJson(row, all->dataset_id(),
                                 row.sample_key().empty() ? (*keys)[row.person()]
                                                          : std::vector<std::string>{row.sample_key()}));
  }
  if (end < ranked.size()) response.set_header("X-Next-Cursor", absl::StrCat(end));
  SendJson(response, rows);
}

// The class names of a dataset: {"class_names": [...]}, the labels the review page offers.
void Classes(RouteContext context, const Caller&, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<int64_t> id = PathId(request, "dataset id");
  if (!id.ok()) return SendError(response, id.status());
  auto names = context.review->ClassNames(*id);
  if (!names.ok()) return SendError(response, names.status());
  SendJson(response, {{"class_names", *names}});
}

// POST /api/relabel/decisions, a JSON object {target, decision: accept|reject, label?, note?,
// dataset?}: ReviewLabels through the audit, as `foldstack relabel accept/reject` does.
void Decide(RouteContext context, const Caller& caller, const httplib::Request& request, httplib::Response& response) {
  const nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return SendError(response, absl::InvalidArgumentError("request body: expected a JSON object {target, decision}"));
  }
  foldstack::v1::ReviewLabelsRequest review;
  foldstack::v1::LabelDecision& decision = *review.add_decisions();
  for (const char* field : {"target", "decision", "label", "note", "dataset"}) {
    if (body.contains(field) && !body[field].is_string()) {
      return SendError(response,
                       absl::InvalidArgumentError(absl::StrCat("request body: \"", field, "\": expected a string")));
    }
  }
  decision.set_target(body.value("target", ""));
  decision.set_decision(body.value("decision", ""));
  decision.set_label(body.value("label", ""));
  decision.set_note(body.value("note", ""));
  review.set_dataset(body.value("dataset", ""));
  const std::string& who = caller.identity.name;
  auto reviewed = context.audit->Run(
      who, coordinator::AuditAction::kReviewLabels, [&] { return context.review->ReviewLabels(review, who); },
      [](const auto& r) { return absl::StrCat(r.dataset_id(), "@v", r.label_version()); });
  if (!reviewed.ok()) return SendError(response, reviewed.status());
  SendJson(response, ReviewedJson(*reviewed));
}

// POST .../pause and .../resume: UpdateSweep through the audit, as `foldstack sweep pause` does.
void SetPaused(RouteContext context, bool paused, const Caller& caller, const httplib::Request& request,
               httplib::Response& response) {
  absl::StatusOr<int64_t> id = PathId(request, "sweep id");
  if (!id.ok()) return SendError(response, id.status());
  foldstack::v1::UpdateSweepRequest update;
  update.set_sweep_id(*id);
  update.set_paused(paused);
  auto updated = context.audit->Run(
      caller.identity.name, coordinator::AuditAction::kUpdateSweep,
      [&] { return context.sweeps->UpdateSweep(update); }, [&](const auto&) { return absl::StrCat(*id); });
  if (!updated.ok()) return SendError(response, updated.status());
  SendJson(response, SweepJson(updated->summary()));
}

}  // namespace

void AddApiRoutes(httplib::Server& server, RouteContext context) {
  using std::placeholders::_1, std::placeholders::_2, std::placeholders::_3;
  server.Get("/api/session", Guarded(context, "ListSweeps", [](const Caller& caller, const httplib::Request&,
                                                               httplib::Response& response) {
               SendJson(response, {{"name", caller.identity.name},
                                   {"scope", std::string(auth::ScopeName(caller.identity.scope))},
                                   {"csrf", caller.csrf}});
             }));
  server.Get("/api/sweeps", Guarded(context, "ListSweeps", std::bind(ListSweeps, context, _1, _2, _3)));
  server.Get(R"(/api/sweeps/(\d+))", Guarded(context, "ShowSweep", std::bind(ShowSweep, context, _1, _2, _3)));
  server.Get(R"(/api/sweeps/(\d+)/trials)",
             Guarded(context, "ListTrials", std::bind(ListTrials, context, _1, _2, _3)));
  server.Get(R"(/api/sweeps/(\d+)/curves)", Guarded(context, "ShowSweep", std::bind(Curves, context, _1, _2, _3)));
  server.Get(R"(/api/datasets/(\d+)/photo)", Guarded(context, "ShowSweep", std::bind(Photo, context, _1, _2, _3)));
  server.Get(R"(/api/trials/(\d+)/confusion)",
             Guarded(context, "ShowSweep", std::bind(Confusion, context, _1, _2, _3)));
  server.Get(R"(/api/sweeps/(\d+)/relabel)",
             Guarded(context, "ListRelabelCandidates", std::bind(ListRelabel, context, _1, _2, _3)));
  server.Get(R"(/api/datasets/(\d+)/classes)",
             Guarded(context, "ListRelabelCandidates", std::bind(Classes, context, _1, _2, _3)));
  server.Post("/api/relabel/decisions", Guarded(context, "ReviewLabels", std::bind(Decide, context, _1, _2, _3)));
  server.Post(R"(/api/sweeps/(\d+)/pause)",
              Guarded(context, "UpdateSweep", std::bind(SetPaused, context, true, _1, _2, _3)));
  server.Post(R"(/api/sweeps/(\d+)/resume)",
              Guarded(context, "UpdateSweep", std::bind(SetPaused, context, false, _1, _2, _3)));
}

}  // namespace foldstack::http
