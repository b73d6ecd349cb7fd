// What the dashboard's routes share: the managers they call, the auth, and the small conversions
// between httplib's requests/responses and absl::Status. Routes hold no SQL; they call managers.
#ifndef FOLDSTACK_COORDINATOR_HTTP_ROUTES_H_
#define FOLDSTACK_COORDINATOR_HTTP_ROUTES_H_

#include <httplib.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "coordinator/http/http_auth.h"
#include "coordinator/managers/analysis_manager.h"
#include "coordinator/managers/audit_manager.h"
#include "coordinator/managers/label_review_manager.h"
#include "coordinator/managers/photo_manager.h"
#include "coordinator/managers/sweep_manager.h"
#include "nlohmann/json.hpp"

namespace foldstack::http {

struct RouteContext {
  HttpAuth* auth;
  coordinator::SweepManager* sweeps;
  coordinator::AuditManager* audit;
  coordinator::AnalysisManager* analysis;
  coordinator::PhotoManager* photos;
  coordinator::LabelReviewManager* review;
  bool secure_cookie = false;  // served over HTTPS: the session cookie is marked Secure
};

// GET /api/... and POST /api/... (api_routes.cc).
void AddApiRoutes(httplib::Server& server, RouteContext context);
// /login, /logout, the pages and /static/ (page_routes.cc).
void AddPageRoutes(httplib::Server& server, RouteContext context);

// The credentials `request` presents (cookie, Authorization, CSRF header or form field).
Presented PresentedBy(const httplib::Request& request);

// 400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND,
// 409 FAILED_PRECONDITION, 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, else 500.
int HttpStatus(const absl::Status& status);

using Handler = std::function<void(const Caller&, const httplib::Request&, httplib::Response&)>;

// Checks the caller against `rpc`'s scope (so a reader token reads and only a lead token writes,
// exactly as over gRPC), then runs `handler`; refusals as JSON errors.
httplib::Server::Handler Guarded(RouteContext context, const char* rpc, Handler handler);

// The id in the path (the route's first group), a positive integer; INVALID_ARGUMENT naming
// `what` ("sweep id", "trial id", ...) otherwise.
absl::StatusOr<int64_t> PathId(const httplib::Request& request, const char* what);

// A JSON body, not cached (results change as the sweep runs).
void SendJson(httplib::Response& response, const nlohmann::json& body, int status = 200);
// {"error": message} with the status's HTTP code.
void SendError(httplib::Response& response, const absl::Status& status);

// A page of rows as a JSON array; the next page's cursor, if any, in X-Next-Cursor.
template <typename Rows, typename ToJson>
void SendRows(httplib::Response& response, const Rows& rows, ToJson to_json, const std::string& next) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows) out.push_back(to_json(row));
  if (!next.empty()) response.set_header("X-Next-Cursor", next);
  SendJson(response, out);
}

}  // namespace foldstack::http

#endif  // FOLDSTACK_COORDINATOR_HTTP_ROUTES_H_
