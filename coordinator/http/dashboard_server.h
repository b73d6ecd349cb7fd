// The dashboard's HTTP server (cpp-httplib): the pages, their JSON API and the login, served on
// its own threads beside the gRPC server and calling the same managers (coordinator --http).
#ifndef FOLDSTACK_COORDINATOR_HTTP_DASHBOARD_SERVER_H_
#define FOLDSTACK_COORDINATOR_HTTP_DASHBOARD_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "coordinator/auth/failure_limiter.h"
#include "coordinator/auth/token_registry.h"
#include "coordinator/http/http_auth.h"
#include "coordinator/http/session_store.h"
#include "coordinator/managers/analysis_manager.h"
#include "coordinator/managers/audit_manager.h"
#include "coordinator/managers/clock.h"
#include "coordinator/managers/label_review_manager.h"
#include "coordinator/managers/photo_manager.h"
#include "coordinator/managers/sweep_manager.h"

namespace httplib {
class Server;
}

namespace foldstack::http {

struct DashboardDeps {
  auth::TokenRegistry* tokens;
  auth::FailureLimiter* limiter;  // shared with gRPC: failures on either count for both
  coordinator::Clock* clock;
  coordinator::SweepManager* sweeps;
  coordinator::AuditManager* audit;
  coordinator::AnalysisManager* analysis;
  coordinator::PhotoManager* photos;
  coordinator::LabelReviewManager* review;
};

// PEM files to serve HTTPS with: the gRPC server's --tls_cert and --tls_key. Empty: plain HTTP.
struct DashboardTls {
  std::string cert_path;
  std::string key_path;
};

class DashboardServer {
 public:
  explicit DashboardServer(DashboardDeps deps, DashboardTls tls = {});
  ~DashboardServer();

  // Binds `host_port` (HOST:PORT, [V6]:PORT; port 0 picks a free one) and serves on a thread of
  // its own. Returns the bound port; INVALID_ARGUMENT (also for TLS files OpenSSL refuses) /
  // UNAVAILABLE in one line otherwise.
  absl::StatusOr<int> Start(const std::string& host_port);
  void Stop();

 private:
  DashboardDeps deps_;
  DashboardTls tls_;
  SessionStore sessions_;
  HttpAuth auth_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace foldstack::http

#endif  // FOLDSTACK_COORDINATOR_HTTP_DASHBOARD_SERVER_H_
