// The dashboard over a real loopback HTTP server, a real SQLite file and the real managers:
// login, sessions, bearer tokens, CSRF, scopes, the failure limiter, paging and the audit.
#include "coordinator/http/dashboard_server.h"

#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "coordinator/store/dataset_store.h"
#include "coordinator/store/relabel_candidate_store.h"
#include "coordinator/store/test_util.h"
#include "tests/testing/test_certificates.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace foldstack::http {
namespace {

using coordinator::testing::MakeToySweep;
using coordinator::testing::QueryInt;

constexpr char kLead[] = "lead-token-0123456789abcdef";
constexpr char kReader[] = "reader-token-0123456789abcdef";
constexpr char kWorker[] = "worker-token-0123456789abcdef";

std::string WriteTokens() {
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/tokens");
  std::ofstream(path) << "ana lead " << kLead << "\nci reader " << kReader << "\npool worker " << kWorker << "\n";
  return path;
}

class DashboardServerTest : public ::testing::Test {
 protected:
  DashboardServerTest()
      : db_(coordinator::testing::OpenFreshDb("dashboard")), tokens_(*auth::TokenRegistry::Load(WriteTokens())),
        limiter_(clock_), sweeps_(*db_, clock_), audit_(*db_, clock_), review_(*db_, clock_),
        analysis_(*db_, clock_, review_), photos_(*db_),
        server_(Deps()) {
    auto port = server_.Start("127.0.0.1:0");
    EXPECT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port.value_or(0));
  }

  DashboardDeps Deps() { return {tokens_.get(), &limiter_, &clock_, &sweeps_, &audit_, &analysis_, &photos_, &review_}; }

  // Logs in with `token`; returns the cookie ("name=id") or "".
  std::string Login(const std::string& token) {
    auto response = client_->Post("/login", httplib::Params{{"token", token}});
    if (!response || response->status != 303) return "";
    const std::string set_cookie = response->get_header_value("Set-Cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  nlohmann::json Session(const std::string& cookie) {
    auto response = client_->Get("/api/session", {{"Cookie", cookie}});
    EXPECT_TRUE(response && response->status == 200);
    return response ? nlohmann::json::parse(response->body) : nlohmann::json();
  }

  coordinator::ManualClock clock_;
  std::unique_ptr<coordinator::SqliteDb> db_;
  std::unique_ptr<auth::TokenRegistry> tokens_;
  auth::FailureLimiter limiter_;
  coordinator::SweepManager sweeps_;
  coordinator::AuditManager audit_;
  coordinator::LabelReviewManager review_;
  coordinator::AnalysisManager analysis_;
  coordinator::PhotoManager photos_;
  DashboardServer server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DashboardServerTest, LoginSetsAStrictHttpOnlyCookieAndRefusesWrongAndWorkerTokens) {
  auto response = client_->Post("/login", httplib::Params{{"token", kReader}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 303);
  EXPECT_EQ(response->get_header_value("Location"), "/");
  const std::string set_cookie = response->get_header_value("Set-Cookie");
  EXPECT_TRUE(absl::StrContains(set_cookie, "HttpOnly")) << set_cookie;
  EXPECT_TRUE(absl::StrContains(set_cookie, "SameSite=Strict")) << set_cookie;
  EXPECT_TRUE(absl::StrContains(set_cookie, "Max-Age=43200")) << set_cookie;
  EXPECT_FALSE(absl::StrContains(set_cookie, kReader));
  const nlohmann::json session = Session(set_cookie.substr(0, set_cookie.find(';')));
  EXPECT_EQ(session["name"], "ci");
  EXPECT_EQ(session["scope"], "reader");
  EXPECT_EQ(session["csrf"].get<std::string>().size(), 64u);

  auto wrong = client_->Post("/login", httplib::Params{{"token", "not-a-token"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_TRUE(absl::StrContains(wrong->body, "wrong token"));
  EXPECT_FALSE(wrong->has_header("Set-Cookie"));
  auto worker = client_->Post("/login", httplib::Params{{"token", kWorker}});
  ASSERT_TRUE(worker);
  EXPECT_EQ(worker->status, 403);
  EXPECT_TRUE(absl::StrContains(worker->body, "worker token"));
}

TEST_F(DashboardServerTest, PagesAndApiNeedASessionOrABearerToken) {
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
  EXPECT_EQ(page->get_header_value("Location"), "/login");
  auto forged = client_->Get("/api/sweeps", {{"Cookie", "foldstack_session=deadbeef"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto bearer = client_->Get("/api/sweeps", {{"Authorization", absl::StrCat("Bearer ", kReader)}});
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 200);
  EXPECT_EQ(bearer->body, "[]");
  auto worker = client_->Get("/api/sweeps", {{"Authorization", absl::StrCat("Bearer ", kWorker)}});
  ASSERT_TRUE(worker);
  EXPECT_EQ(worker->status, 403);
  const std::string cookie = Login(kLead);
  auto sweep_page = client_->Get("/sweep?id=1", {{"Cookie", cookie}});
  ASSERT_TRUE(sweep_page);
  EXPECT_EQ(sweep_page->status, 200);
  EXPECT_TRUE(absl::StrContains(sweep_page->body, "/static/echarts.min.js"));
  // Served as they are: the library's on-the-fly brotli would take seconds for these.
  auto echarts = client_->Get("/static/echarts.min.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(echarts);
  EXPECT_GT(echarts->body.size(), 500000u);
  EXPECT_FALSE(echarts->has_header("Content-Encoding"));
  auto json = client_->Get("/api/sweeps", {{"Cookie", cookie}, {"Accept-Encoding", "br"}});
  ASSERT_TRUE(json);
  EXPECT_FALSE(json->has_header("Content-Encoding"));
}

TEST_F(DashboardServerTest, PostsOnASessionNeedItsCsrfTokenAndALeadScope) {
  const int64_t sweep_id = MakeToySweep(*db_, 2, 2).sweep_id;
  const std::string path = absl::StrCat("/api/sweeps/", sweep_id, "/pause");
  const std::string lead = Login(kLead);
  auto missing = client_->Post(path, {{"Cookie", lead}}, "", "text/plain");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_TRUE(absl::StrContains(missing->body, "CSRF"));
  auto wrong = client_->Post(path, {{"Cookie", lead}, {"X-CSRF-Token", std::string(64, 'a')}}, "", "text/plain");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  // Another session's CSRF token is no good either.
  const std::string reader = Login(kReader);
  auto crossed = client_->Post(path, {{"Cookie", lead}, {"X-CSRF-Token", Session(reader)["csrf"]}}, "", "text/plain");
  ASSERT_TRUE(crossed);
  EXPECT_EQ(crossed->status, 403);
  EXPECT_FALSE(sweeps_.Summary(sweep_id)->paused());
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM audit"), 0);

  auto by_reader = client_->Post(path, {{"Cookie", reader}, {"X-CSRF-Token", Session(reader)["csrf"]}}, "", "text/plain");
  ASSERT_TRUE(by_reader);
  EXPECT_EQ(by_reader->status, 403);
  EXPECT_TRUE(absl::StrContains(by_reader->body, "may not call UpdateSweep")) << by_reader->body;

  auto paused = client_->Post(path, {{"Cookie", lead}, {"X-CSRF-Token", Session(lead)["csrf"]}}, "", "text/plain");
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->status, 200) << paused->body;
  EXPECT_TRUE(nlohmann::json::parse(paused->body)["paused"].get<bool>());
  EXPECT_TRUE(sweeps_.Summary(sweep_id)->paused());
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM audit WHERE who = 'ana' AND action = 'update_sweep'"), 1);
  // A form field serves as well as the header; a bearer call needs no CSRF token.
  auto resumed = client_->Post(absl::StrCat("/api/sweeps/", sweep_id, "/resume"), {{"Cookie", lead}},
                               httplib::Params{{"csrf", Session(lead)["csrf"]}});
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, 200) << resumed->body;
  EXPECT_FALSE(sweeps_.Summary(sweep_id)->paused());
  auto bearer = client_->Post(path, {{"Authorization", absl::StrCat("Bearer ", kLead)}}, "", "text/plain");
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 200);
}

TEST_F(DashboardServerTest, ListsArePagedWithACursor) {
  std::set<int64_t> made;
  for (int i = 0; i < 5; ++i) made.insert(MakeToySweep(*db_, 3, 2).sweep_id);
  const httplib::Headers auth = {{"Authorization", absl::StrCat("Bearer ", kReader)}};
  std::set<int64_t> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = client_->Get(absl::StrCat("/api/sweeps?limit=2", cursor.empty() ? "" : "&cursor=" + cursor), auth);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200) << page->body;
    const nlohmann::json rows = nlohmann::json::parse(page->body);
    EXPECT_LE(rows.size(), 2u);
    for (const auto& row : rows) seen.insert(row["id"].get<int64_t>());
    cursor = page->get_header_value("X-Next-Cursor");
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen, made);
  EXPECT_EQ(pages, 3);

  auto trials = client_->Get(absl::StrCat("/api/sweeps/", *made.begin(), "/trials?limit=2"), auth);
  ASSERT_TRUE(trials);
  const nlohmann::json rows = nlohmann::json::parse(trials->body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[1]["params"]["lr"].get<double>(), 0.2);
  EXPECT_FALSE(trials->get_header_value("X-Next-Cursor").empty());

  for (const char* bad : {"0", "1001", "x"}) {
    auto refused = client_->Get(absl::StrCat("/api/sweeps?limit=", bad), auth);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << bad;
    EXPECT_TRUE(absl::StrContains(refused->body, "?limit=: expected an integer from 1 to 1000")) << refused->body;
  }
  auto no_trial = client_->Get("/api/trials/999999/confusion", auth);
  ASSERT_TRUE(no_trial);
  EXPECT_EQ(no_trial->status, 404);
  auto unknown = client_->Get("/api/sweeps/999", auth);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto curves = client_->Get(absl::StrCat("/api/sweeps/", *made.begin(), "/curves?points=10&limit=2"), auth);
  ASSERT_TRUE(curves);
  EXPECT_EQ(nlohmann::json::parse(curves->body).size(), 4u);  // 2 trials x 2 folds
  EXPECT_EQ(curves->get_header_value("X-Next-Cursor"), "1");  // after trial index 1
  auto sweep = client_->Get(absl::StrCat("/api/sweeps/", *made.begin()), auth);
  ASSERT_TRUE(sweep);
  EXPECT_EQ(nlohmann::json::parse(sweep->body)["swept_params"], nlohmann::json::array({"lr"}));
  auto only_lr = client_->Get(absl::StrCat("/api/sweeps/", *made.begin(), "/trials?params=lr"), auth);
  ASSERT_TRUE(only_lr);
  EXPECT_EQ(nlohmann::json::parse(only_lr->body)[0]["params"].size(), 1u);
}

TEST_F(DashboardServerTest, RevokingATokenEndsItsSessions) {
  const std::string cookie = Login(kReader);
  Session(cookie);
  // The file without the reader's line, as an operator revokes a token.
  std::ofstream(tokens_->path()) << "ana lead " << kLead << "\n";
  ASSERT_TRUE(tokens_->Reload().ok());
  auto revoked = client_->Get("/api/session", {{"Cookie", cookie}});
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 401);
  EXPECT_TRUE(absl::StrContains(revoked->body, "revoked")) << revoked->body;
  auto page = client_->Get("/", {{"Cookie", cookie}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 303);
}

TEST_F(DashboardServerTest, PhotosOnlyThoseTheDatabaseNamesAsThumbnails) {
  const std::string root = absl::StrCat(std::getenv("TEST_TMPDIR"), "/photos");
  std::filesystem::create_directories(root + "/person");
  cv::imwrite(root + "/person/mask1.jpg", cv::Mat(120, 80, CV_8UC3, cv::Scalar(50, 60, 70)));
  auto dataset = coordinator::EnsureDataset(*db_, {"mask", root, 18, {{"person/mask1.jpg", 0, "person"}}}, 1000);
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  const httplib::Headers auth = {{"Authorization", absl::StrCat("Bearer ", kReader)}};
  const std::string base = absl::StrCat("/api/datasets/", *dataset, "/photo?size=40&key=");
  auto photo = client_->Get(base + "person/mask1.jpg", auth);
  ASSERT_TRUE(photo);
  ASSERT_EQ(photo->status, 200) << photo->body;
  EXPECT_EQ(photo->get_header_value("Content-Type"), "image/jpeg");
  const cv::Mat decoded = cv::imdecode(std::vector<unsigned char>(photo->body.begin(), photo->body.end()), cv::IMREAD_COLOR);
  EXPECT_EQ(decoded.rows, 40);
  // Traversal, plain and percent-encoded, and absolute paths: not named by the database.
  for (const char* key : {"../../../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/etc/passwd",
                          "person/../person/mask1.jpg", "..%2f..%2ftokens"}) {
    auto refused = client_->Get(base + key, auth);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 404) << key;
    EXPECT_FALSE(absl::StrContains(refused->body, "root:")) << key;
  }
  auto anonymous = client_->Get(base + "person/mask1.jpg");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_F(DashboardServerTest, RelabelCandidatesAreListedRankedAndALeadsAcceptIsStoredAndAudited) {
  const auto toy = coordinator::testing::MakeMaskSweep(*db_, {"{}"}, 2, 18);
  const int64_t photo_id = QueryInt(*db_, "SELECT id FROM samples WHERE sample_key = 'img/3.jpg'");
  ASSERT_TRUE(coordinator::ReplaceRelabelCandidates(*db_, toy.sweep_id, "fold_vote",
                                                    {{photo_id, "p1", "mask", 3, 9, 0.6, R"({"votes": 2})"},
                                                     {0, "p2", "gender", 4, 1, 0.9, R"({"share": 0.9})"}},
                                                    clock_.NowMs())
                  .ok());
  const httplib::Headers reader = {{"Authorization", absl::StrCat("Bearer ", kReader)}};
  const std::string list = absl::StrCat("/api/sweeps/", toy.sweep_id, "/relabel");
  auto first = client_->Get(list + "?limit=1", reader);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  const nlohmann::json person = nlohmann::json::parse(first->body);
  ASSERT_EQ(person.size(), 1u);
  EXPECT_EQ(person[0]["kind"], "person");  // the higher score first
  EXPECT_EQ(person[0]["target"], "p2");
  EXPECT_EQ(person[0]["dataset_id"], toy.dataset_id);
  EXPECT_EQ(person[0]["photo_keys"], nlohmann::json::array({"img/4.jpg", "img/5.jpg"}));
  EXPECT_DOUBLE_EQ(person[0]["evidence"]["share"].get<double>(), 0.9);
  EXPECT_EQ(person[0]["review_status"], "pending");
  ASSERT_EQ(first->get_header_value("X-Next-Cursor"), "1");
  auto second = client_->Get(list + "?limit=1&cursor=1", reader);
  ASSERT_TRUE(second);
  const nlohmann::json photo = nlohmann::json::parse(second->body);
  ASSERT_EQ(photo.size(), 1u);
  EXPECT_EQ(photo[0]["target"], "img/3.jpg");
  EXPECT_EQ(photo[0]["photo_keys"], nlohmann::json::array({"img/3.jpg"}));
  EXPECT_FALSE(second->has_header("X-Next-Cursor"));
  auto photos_only = client_->Get(list + "?kind=photo", reader);
  ASSERT_TRUE(photos_only);
  EXPECT_EQ(nlohmann::json::parse(photos_only->body).size(), 1u);
  auto classes = client_->Get(absl::StrCat("/api/datasets/", toy.dataset_id, "/classes"), reader);
  ASSERT_TRUE(classes);
  const nlohmann::json names = nlohmann::json::parse(classes->body)["class_names"];
  ASSERT_EQ(names.size(), 18u);
  EXPECT_EQ(names[9], "incorrect/female/<30");
  auto bad_kind = client_->Get(list + "?kind=face", reader);
  ASSERT_TRUE(bad_kind);
  EXPECT_EQ(bad_kind->status, 400);

  const std::string body = R"({"target": "img/3.jpg", "decision": "accept", "label": "9", "note": "looked"})";
  const std::string reader_cookie = Login(kReader);
  auto by_reader = client_->Post("/api/relabel/decisions",
                                 {{"Cookie", reader_cookie}, {"X-CSRF-Token", Session(reader_cookie)["csrf"]}}, body,
                                 "application/json");
  ASSERT_TRUE(by_reader);
  EXPECT_EQ(by_reader->status, 403);
  const std::string lead = Login(kLead);
  auto no_csrf = client_->Post("/api/relabel/decisions", {{"Cookie", lead}}, body, "application/json");
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  auto not_json = client_->Post("/api/relabel/decisions", {{"Cookie", lead}, {"X-CSRF-Token", Session(lead)["csrf"]}},
                                "accept", "application/json");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM label_overrides"), 0);

  auto accepted = client_->Post("/api/relabel/decisions", {{"Cookie", lead}, {"X-CSRF-Token", Session(lead)["csrf"]}},
                                body, "application/json");
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 200) << accepted->body;
  const nlohmann::json result = nlohmann::json::parse(accepted->body);
  EXPECT_EQ(result["label_version"], 1);
  EXPECT_EQ(result["reviewed"][0]["label"], 9);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM label_overrides WHERE note = 'looked' AND new_label = 9 "
                           "AND status = 'accepted' AND decided_by = 'ana'"), 1);
  EXPECT_EQ(QueryInt(*db_, "SELECT COUNT(*) FROM audit WHERE who = 'ana' AND action = 'review_labels'"), 1);
  auto page = client_->Get(absl::StrCat("/review?sweep=", toy.sweep_id), {{"Cookie", lead}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(absl::StrContains(page->body, "/static/review.js"));
  auto relisted = client_->Get(list + "?kind=photo", reader);
  ASSERT_TRUE(relisted);
  EXPECT_EQ(nlohmann::json::parse(relisted->body)[0]["review_status"], "accepted");
}

TEST_F(DashboardServerTest, FailedLoginsLockThePeerOutAsOverGrpc) {
  for (int i = 0; i < 10; ++i) {
    auto wrong = client_->Post("/login", httplib::Params{{"token", "guess"}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401);
  }
  auto locked = client_->Post("/login", httplib::Params{{"token", kLead}});
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429);
  auto bearer = client_->Get("/api/sweeps", {{"Authorization", absl::StrCat("Bearer ", kLead)}});
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 429);
  clock_.AdvanceMs(61'000);
  EXPECT_FALSE(Login(kLead).empty());
}

TEST_F(DashboardServerTest, ServesHttpsWithTheCoordinatorsCertificate) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  absl::StatusOr<foldstack::testing::TestCertificates> certs = foldstack::testing::MakeTestCertificates(dir, "dash");
  ASSERT_TRUE(certs.ok()) << certs.status();
  DashboardServer https(Deps(), {certs->cert, certs->key});
  absl::StatusOr<int> port = https.Start("127.0.0.1:0");
  ASSERT_TRUE(port.ok()) << port.status();

  // A client that trusts the CA logs in; the session cookie is Secure, so no browser sends it over HTTP.
  httplib::SSLClient trusting("127.0.0.1", *port);
  trusting.set_ca_cert_path(certs->ca.c_str());
  trusting.enable_server_certificate_verification(true);
  auto login = trusting.Post("/login", httplib::Params{{"token", kReader}});
  ASSERT_TRUE(login) << httplib::to_string(login.error());
  EXPECT_EQ(login->status, 303);
  const std::string set_cookie = login->get_header_value("Set-Cookie");
  EXPECT_TRUE(absl::StrContains(set_cookie, "; Secure")) << set_cookie;
  auto session = trusting.Get("/api/session", {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}});
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 200);
  // The plain-HTTP server's cookie is not Secure (it would never be sent back).
  auto plain_login = client_->Post("/login", httplib::Params{{"token", kReader}});
  ASSERT_TRUE(plain_login);
  EXPECT_FALSE(absl::StrContains(plain_login->get_header_value("Set-Cookie"), "Secure"));

  // Plain HTTP to the HTTPS port gets no answer; a client without the CA refuses the certificate.
  httplib::Client plain("127.0.0.1", *port);
  plain.set_connection_timeout(2);
  plain.set_read_timeout(2);
  auto refused = plain.Get("/api/session", {{"Authorization", std::string("Bearer ") + kReader}});
  EXPECT_TRUE(!refused || refused->status == 400) << refused->status;
  httplib::SSLClient untrusting("127.0.0.1", *port);
  untrusting.enable_server_certificate_verification(true);
  untrusting.set_ca_cert_path((dir + "/missing-ca.pem").c_str());
  EXPECT_FALSE(untrusting.Get("/api/session"));

  // Files OpenSSL cannot use are refused in one line naming them.
  DashboardServer bad(Deps(), {certs->key, certs->cert});
  absl::StatusOr<int> refused_start = bad.Start("127.0.0.1:0");
  EXPECT_EQ(refused_start.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(refused_start.status().message(), "--tls_cert " + certs->key)) << refused_start.status();
  EXPECT_FALSE(absl::StrContains(refused_start.status().message(), "\n"));
}

}  // namespace
}  // namespace foldstack::http
