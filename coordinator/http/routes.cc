#include "coordinator/http/routes.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace foldstack::http {

Presented PresentedBy(const httplib::Request& request) {
  Presented presented;
  presented.cookie_header = request.get_header_value("Cookie");
  presented.authorization = request.get_header_value("Authorization");
  presented.csrf = request.has_header("X-CSRF-Token") ? request.get_header_value("X-CSRF-Token")
                                                      : request.get_param_value("csrf");
  presented.post = request.method == "POST";
  presented.peer = request.remote_addr;
  return presented;
}

httplib::Server::Handler Guarded(RouteContext context, const char* rpc, Handler handler) {
  return [context, rpc, handler](const httplib::Request& request, httplib::Response& response) {
    absl::StatusOr<Caller> caller = context.auth->Check(PresentedBy(request), rpc);
    if (!caller.ok()) return SendError(response, caller.status());
    handler(*caller, request, response);
  };
}

absl::StatusOr<int64_t> PathId(const httplib::Request& request, const char* what) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(request.matches[1].str(), &id) || id < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": expected a positive integer, got \"", request.matches[1].str().substr(0, 40), "\""));
  }
  return id;
}

int HttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kFailedPrecondition: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

void SendJson(httplib::Response& response, const nlohmann::json& body, int status) {
  response.status = status;
  response.set_header("Cache-Control", "no-store");
  // With the charset, Debian's libcpp-httplib does not compress it: brotli at its slowest setting
  // (which browsers get) would cost more than the whole request.
  response.set_content(body.dump(), "application/json; charset=utf-8");
}

void SendError(httplib::Response& response, const absl::Status& status) {
  SendJson(response, {{"error", std::string(status.message())}}, HttpStatus(status));
}

}  // namespace foldstack::http
