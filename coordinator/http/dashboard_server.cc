#include "coordinator/http/dashboard_server.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "coordinator/http/routes.h"

namespace foldstack::http {

namespace {

std::unique_ptr<httplib::Server> MakeServer(const DashboardTls& tls) {
  if (tls.cert_path.empty()) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>(tls.cert_path.c_str(), tls.key_path.c_str());
}

}  // namespace

DashboardServer::DashboardServer(DashboardDeps deps, DashboardTls tls)
    : deps_(deps), tls_(std::move(tls)), sessions_(*deps.clock), auth_(deps.tokens, deps.limiter, &sessions_),
      server_(MakeServer(tls_)) {
  // Over HTTPS the session cookie is Secure: a browser never sends it over plain HTTP.
  RouteContext context{&auth_, deps_.sweeps, deps_.audit, deps_.analysis, deps_.photos, deps_.review,
                       /*secure_cookie=*/!tls_.cert_path.empty()};
  AddApiRoutes(*server_, context);
  AddPageRoutes(*server_, context);
  // No logger is set: request lines are not logged, so nothing a form or header carried is.
  server_->set_payload_max_length(64 * 1024);
}

DashboardServer::~DashboardServer() { Stop(); }

absl::StatusOr<int> DashboardServer::Start(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(host_port.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--http: expected HOST:PORT (e.g. 127.0.0.1:8080), got \"",
                                                   host_port, "\""));
  }
  if (!server_->is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat("--tls_cert ", tls_.cert_path, " / --tls_key ", tls_.key_path,
                                                   ": the dashboard cannot serve HTTPS with them (OpenSSL refused the pair)"));
  }
  absl::string_view host = absl::string_view(host_port).substr(0, colon);
  if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
  const std::string bind_host(host);
  const int bound = port == 0 ? server_->bind_to_any_port(bind_host) : (server_->bind_to_port(bind_host, port) ? port : -1);
  if (bound <= 0) return absl::UnavailableError(absl::StrCat("--http: cannot listen on ", host_port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return bound;
}

void DashboardServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace foldstack::http
