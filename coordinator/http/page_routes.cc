// The login form and the pages: HTML shells whose scripts (embedded assets) call the JSON API.
// A page without a live session (or bearer token) sends the browser to /login.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "coordinator/http/assets.h"
#include "coordinator/http/routes.h"

namespace foldstack::http {
namespace {

// Headers every page gets: nothing from other origins, no framing, no sniffing.
void SecureHeaders(httplib::Response& response) {
  response.set_header("Content-Security-Policy",
                      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                      "frame-ancestors 'none'; form-action 'self'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
}

void SendAsset(httplib::Response& response, const std::string& url, int status = 200) {
  const Asset* asset = FindAsset(url);
  if (asset == nullptr) {
    response.status = 404;
    return response.set_content("not found", "text/plain");
  }
  SecureHeaders(response);
  response.status = status;
  response.set_content(asset->data, asset->size, std::string(asset->content_type).c_str());
}

// The login page, with `error` (escaped) in place of its placeholder.
void SendLogin(httplib::Response& response, int status, const std::string& error) {
  const Asset* asset = FindAsset("/login.html");
  const std::string escaped = absl::StrReplaceAll(error, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
  const std::string html = absl::StrReplaceAll(
      std::string(asset->data, asset->size),
      {{"<!--error-->", error.empty() ? "" : absl::StrCat("<p class=\"error\" id=\"error\">", escaped, "</p>")}});
  SecureHeaders(response);
  response.status = status;
  response.set_content(html, "text/html; charset=utf-8");
}

// The session cookie's attributes up to "Max-Age=".
std::string CookieAttributes(const RouteContext& context) {
  return absl::StrCat("; Path=/; HttpOnly; SameSite=Strict", context.secure_cookie ? "; Secure" : "", "; Max-Age=");
}

void Login(RouteContext context, const httplib::Request& request, httplib::Response& response) {
  absl::StatusOr<Session> session = context.auth->Login(request.get_param_value("token"), request.remote_addr);
  if (!session.ok()) return SendLogin(response, HttpStatus(session.status()), std::string(session.status().message()));
  response.set_header("Set-Cookie", absl::StrCat(kSessionCookie, "=", session->id, CookieAttributes(context),
                                                 SessionStore::kLifetimeMs / 1000));
  response.set_redirect("/", 303);
}

void Logout(RouteContext context, const httplib::Request& request, httplib::Response& response) {
  const Presented presented = PresentedBy(request);
  absl::StatusOr<Caller> caller = context.auth->Check(presented, "ListSweeps");
  if (!caller.ok()) return SendError(response, caller.status());
  context.auth->Logout(presented);
  response.set_header("Set-Cookie", absl::StrCat(kSessionCookie, "=", CookieAttributes(context), 0));
  response.set_redirect("/login", 303);
}

struct PageSpec {
  std::string title;
  std::vector<std::string> scripts;  // URLs under /static/
  std::string main;                  // the asset holding the page's <main> content
};

// The shell (header, logout form) around the page's own content and scripts.
std::string RenderPage(const PageSpec& page) {
  const Asset* shell = FindAsset("/shell.html");
  const Asset* main = FindAsset(page.main);
  std::string scripts;
  for (const std::string& script : page.scripts) absl::StrAppend(&scripts, "<script src=\"", script, "\" defer></script>\n");
  return absl::StrReplaceAll(std::string(shell->data, shell->size),
                             {{"<!--title-->", page.title},
                              {"<!--scripts-->", scripts},
                              {"<!--main-->", absl::string_view(main->data, main->size)}});
}

// A page for callers who may read sweeps; others go to /login.
httplib::Server::Handler Page(RouteContext context, PageSpec spec) {
  const std::string html = RenderPage(spec);
  return [context, html](const httplib::Request& request, httplib::Response& response) {
    if (!context.auth->Check(PresentedBy(request), "ListSweeps").ok()) return response.set_redirect("/login", 303);
    response.set_header("Cache-Control", "no-store");
    SecureHeaders(response);
    response.set_content(html, "text/html; charset=utf-8");
  };
}

}  // namespace

void AddPageRoutes(httplib::Server& server, RouteContext context) {
  server.Get("/login", [](const httplib::Request&, httplib::Response& response) { SendLogin(response, 200, ""); });
  server.Post("/login", [context](const httplib::Request& request, httplib::Response& response) {
    Login(context, request, response);
  });
  server.Post("/logout", [context](const httplib::Request& request, httplib::Response& response) {
    Logout(context, request, response);
  });
  server.Get("/", Page(context, {"sweeps", {"/static/common.js", "/static/sweeps.js"}, "/sweeps.main.html"}));
  server.Get("/sweep", Page(context, {"sweep", {"/static/echarts.min.js", "/static/common.js", "/static/sweep.js"},
                                      "/sweep.main.html"}));
  server.Get("/trial", Page(context, {"trial", {"/static/echarts.min.js", "/static/common.js", "/static/trial.js"},
                                      "/trial.main.html"}));
  server.Get("/review", Page(context, {"label review", {"/static/common.js", "/static/review.js"}, "/review.main.html"}));
  // Scripts and styles hold no results, so they need no session (the login page uses them).
  server.Get(R"(/static/[A-Za-z0-9_.-]+)", [](const httplib::Request& request, httplib::Response& response) {
    response.set_header("Cache-Control", "max-age=3600");
    SendAsset(response, request.path);
  });
}

}  // namespace foldstack::http
