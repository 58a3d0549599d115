// HTTP tests of the whole application against the real server on 127.0.0.1 (free port):
// headers, problem+json, session cookie, sign-out, timeouts with an injected clock,
// throttling, CSRF, second factor, route-policy completeness and the OpenAPI description.
#include "app/application.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "api/api.h"
#include "app/demo.h"
#include "core/crypto.h"
#include "domain/identity/totp.h"
#include "http/server.h"
#include "tests/support/http_client.h"

namespace pasip::app {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResponse;

class ApplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::InitCrypto();
    dir_ = std::filesystem::temp_directory_path() / ("pasip-app-" + crypto::RandomToken(6));
    std::filesystem::create_directories(dir_ / "web" / "css");
    std::ofstream(dir_ / "web" / "css" / "pasip.css") << "body { margin: 0; }\n";
    Config config;
    config.database_url = "sqlite://" + (dir_ / "pasip.db").string();
    config.static_dir = (dir_ / "web").string();
    config.listen_port = 0;
    config.threads = 2;
    config.max_body_bytes = 64 * 1024;
    auto app = Application::Open(config, clock_);
    ASSERT_TRUE(app) << app.error().ToString();
    app_ = std::move(*app);
    auto accounts = CreateDemoTerritory(*app_);
    ASSERT_TRUE(accounts) << accounts.error().ToString();
    for (const auto& a : *accounts) accounts_[a.role] = a;

    http::ServerOptions options = app_->ServerOptions();
    options.default_headers = SecurityHeaders();
    server_ = std::make_unique<http::Server>(
        options, [this](http::Request& r) { return app_->Handle(r); },
        [this](const http::Exchange& e) { app_->Observe(e); });
    ASSERT_TRUE(server_->Start());
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResponse Send(std::string_view method, std::string_view target,
                    const testing::HeaderList& headers = {}, std::string_view body = {}) {
    auto r = client_->Send(method, target, headers, body);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : HttpResponse{};
  }

  HttpResponse PostJson(std::string_view target, const json& body, const std::string& cookie = "") {
    testing::HeaderList h{{"Content-Type", "application/json"}};
    if (!cookie.empty()) h.emplace_back("Cookie", cookie);
    return Send("POST", target, h, body.dump());
  }

  // Signs in through the API; returns "__Host-pasip=<token>".
  std::string SignIn(const std::string& role, bool with_totp = true) {
    const DemoAccount& a = accounts_.at(role);
    json body = {{"email", a.email}, {"password", a.password}};
    if (with_totp && !a.totp_secret.empty()) {
      body["totp"] = identity::TotpCode(a.totp_secret, clock_.Now());
      clock_.Advance(std::chrono::seconds(30));  // the next sign-in needs a fresh code
    }
    const HttpResponse r = PostJson("/api/v1/session", body);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set_cookie = r.Header("Set-Cookie");
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  static json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  ManualClock clock_{SystemClock().Now()};
  std::filesystem::path dir_;
  std::unique_ptr<Application> app_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<HttpClient> client_;
  std::map<std::string, DemoAccount> accounts_;
};

TEST_F(ApplicationTest, HealthReadinessAndSecurityHeaders) {
  for (const char* path :
       {"/healthz", "/readyz", "/", "/connexion", "/nulle-part", "/api/v1/nulle-part"}) {
    const HttpResponse r = Send("GET", path);
    const std::string csp = r.Header("Content-Security-Policy");
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_FALSE(r.Header("Referrer-Policy").empty()) << path;
    EXPECT_FALSE(r.Header("X-Request-Id").empty()) << path;
  }
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
  EXPECT_EQ(Send("GET", "/readyz").status, 200);
}

TEST_F(ApplicationTest, NotFoundIsFrenchHtmlForPagesAndProblemJsonForTheApi) {
  const HttpResponse page = Send("GET", "/nulle-part");
  EXPECT_EQ(page.status, 404);
  EXPECT_NE(page.Header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("lang=\"fr\""), std::string::npos);
  const HttpResponse api = Send("GET", "/api/v1/nulle-part");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(Body(api)["status"], 404);
  const HttpResponse method =
      Send("PUT", "/api/v1/moi", {{"Content-Type", "application/json"}}, "{}");
  EXPECT_EQ(method.status, 405);
  EXPECT_NE(method.Header("Allow").find("GET"), std::string::npos);
}

TEST_F(ApplicationTest, SignInSetsAHostOnlySecureCookieAndSignOutInvalidatesIt) {
  const DemoAccount& a = accounts_.at("accueil");
  const HttpResponse r =
      PostJson("/api/v1/session", {{"email", a.email}, {"password", a.password}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = r.Header("Set-Cookie");
  EXPECT_EQ(cookie.rfind("__Host-pasip=", 0), 0u);
  for (const char* flag : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Lax"}) {
    EXPECT_NE(cookie.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(cookie.find("Domain"), std::string::npos);
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  const std::string session = cookie.substr(0, cookie.find(';'));

  const HttpResponse me = Send("GET", "/api/v1/moi", {{"Cookie", session}});
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(Body(me)["email"], a.email);
  EXPECT_EQ(me.Header("Cache-Control"), "no-store");

  EXPECT_EQ(Send("DELETE", "/api/v1/session", {{"Cookie", session}}).status, 204);
  const HttpResponse replay = Send("GET", "/api/v1/moi", {{"Cookie", session}});
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(replay.Header("Content-Type"), "application/problem+json");
}

TEST_F(ApplicationTest, BadCredentialsAnswer401InFrenchAndThrottle) {
  const DemoAccount& a = accounts_.at("accueil");
  for (int i = 0; i < 5; ++i) {
    const HttpResponse r =
        PostJson("/api/v1/session", {{"email", a.email}, {"password", "mauvais mot de passe"}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(Body(r)["detail"], "Adresse e-mail ou mot de passe incorrect.");
  }
  const HttpResponse throttled =
      PostJson("/api/v1/session", {{"email", a.email}, {"password", a.password}});
  EXPECT_EQ(throttled.status, 429);
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_EQ(PostJson("/api/v1/session", {{"email", a.email}, {"password", a.password}}).status,
            200);
}

TEST_F(ApplicationTest, ClientAddressComesFromTheTrustedProxyHeader) {
  // The test client connects from 127.0.0.1, a trusted proxy by default: the address in
  // X-Forwarded-For is the client's, so one client's failures do not lock out another.
  const DemoAccount& a = accounts_.at("accueil");
  for (int i = 0; i < 60; ++i) {
    const HttpResponse r =
        Send("POST", "/api/v1/session",
             {{"Content-Type", "application/json"}, {"X-Forwarded-For", "203.0.113.7, 127.0.0.1"}},
             json({{"email", "x" + std::to_string(i) + "@exemple.fr"},
                   {"password", "mauvais mot de passe"}})
                 .dump());
    if (r.status == 429) break;
  }
  const json ok_body = {{"email", a.email}, {"password", a.password}};
  EXPECT_EQ(Send("POST", "/api/v1/session",
                 {{"Content-Type", "application/json"}, {"X-Forwarded-For", "203.0.113.7"}},
                 ok_body.dump())
                .status,
            429);
  EXPECT_EQ(Send("POST", "/api/v1/session",
                 {{"Content-Type", "application/json"}, {"X-Forwarded-For", "198.51.100.2"}},
                 ok_body.dump())
                .status,
            200);
}

TEST_F(ApplicationTest, SigningInWithAStaleCookieKeepsTheNewSession) {
  const DemoAccount& a = accounts_.at("accueil");
  const HttpResponse r =
      Send("POST", "/api/v1/session",
           {{"Content-Type", "application/json"}, {"Cookie", "__Host-pasip=perime"}},
           json({{"email", a.email}, {"password", a.password}}).dump());
  ASSERT_EQ(r.status, 200);
  const auto cookies = r.HeaderValues("Set-Cookie");
  ASSERT_EQ(cookies.size(), 1u);
  EXPECT_EQ(cookies[0].find("Max-Age=0"), std::string::npos);
}

TEST_F(ApplicationTest, RefusalsToSignedInUsersAreNotCached) {
  const std::string partner = SignIn("partenaire");
  const HttpResponse page = Send("GET", "/admin/utilisateurs", {{"Cookie", partner}});
  EXPECT_EQ(page.status, 403);
  EXPECT_EQ(page.Header("Cache-Control"), "no-store");
}

TEST_F(ApplicationTest, IdleTimeoutWithInjectedClock) {
  const std::string session = SignIn("accueil");
  EXPECT_EQ(Send("GET", "/api/v1/moi", {{"Cookie", session}}).status, 200);
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_EQ(Send("GET", "/api/v1/moi", {{"Cookie", session}}).status, 401);
}

TEST_F(ApplicationTest, AdminRoutesNeedTheSecondFactor) {
  const std::string without = SignIn("admin", /*with_totp=*/false);
  const HttpResponse refused = Send("GET", "/api/v1/utilisateurs", {{"Cookie", without}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(Body(refused)["detail"].get<std::string>().find("second facteur"), std::string::npos);
  // A page answers with a redirection to the second-factor check.
  const HttpResponse page = Send("GET", "/admin/utilisateurs", {{"Cookie", without}});
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.Header("Location"), "/connexion/second-facteur");

  const std::string with = SignIn("admin");
  EXPECT_EQ(Send("GET", "/api/v1/utilisateurs", {{"Cookie", with}}).status, 200);
}

TEST_F(ApplicationTest, RolesSeeOnlyWhatThePolicyAllows) {
  const std::string partner = SignIn("partenaire");
  const std::string coordination = SignIn("coordination");
  EXPECT_EQ(Send("GET", "/api/v1/utilisateurs", {{"Cookie", partner}}).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/organisations", {{"Cookie", partner}}).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/organisations", {{"Cookie", coordination}}).status, 200);
  EXPECT_EQ(PostJson("/api/v1/organisations", {{"nom", "X"}, {"type", "caf"}}, coordination).status,
            403);
  EXPECT_EQ(Send("GET", "/api/v1/journal", {{"Cookie", coordination}}).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/moi").status, 401);
  const HttpResponse anonymous_page = Send("GET", "/admin/journal");
  EXPECT_EQ(anonymous_page.status, 303);
  EXPECT_EQ(anonymous_page.Header("Location"), "/connexion?retour=/admin/journal");
}

TEST_F(ApplicationTest, ApiValidationErrorsNameTheField) {
  const std::string admin = SignIn("admin");
  HttpResponse r =
      PostJson("/api/v1/organisations", {{"nom", "Centre social"}, {"type", "x"}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "type");
  r = PostJson("/api/v1/organisations", {{"nom", 12}}, admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "nom");
  r = Send("POST", "/api/v1/organisations",
           {{"Content-Type", "application/json"}, {"Cookie", admin}}, "{pas du json");
  EXPECT_EQ(r.status, 422);
  r = Send("POST", "/api/v1/organisations",
           {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", admin}}, "nom=x");
  EXPECT_EQ(r.status, 415);
  r = PostJson("/api/v1/organisations", {{"nom", "Centre social"}, {"type", "associations"}},
               admin);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = Body(r)["id"].get<std::int64_t>();
  EXPECT_EQ(Send("GET", "/api/v1/organisations/" + std::to_string(id), {{"Cookie", admin}}).status,
            200);
  EXPECT_EQ(Send("GET", "/api/v1/organisations/99999", {{"Cookie", admin}}).status, 404);
  EXPECT_EQ(Send("GET", "/api/v1/organisations/abc", {{"Cookie", admin}}).status, 404);
  r = PostJson("/api/v1/utilisateurs",
               {{"email", "nouveau@exemple.fr"},
                {"nom", "Nouveau"},
                {"mot_de_passe", "court"},
                {"roles", json::array({{{"organisation_id", id}, {"role", "accueil"}}})}},
               admin);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "mot_de_passe");
}

TEST_F(ApplicationTest, ARefusedAccountChangeWritesNothing) {
  const std::string admin = SignIn("admin");
  const json me = Body(Send("GET", "/api/v1/moi", {{"Cookie", admin}}));
  const std::string path = "/api/v1/utilisateurs/" + std::to_string(me["id"].get<std::int64_t>());
  const HttpResponse r =
      Send("PATCH", path, {{"Content-Type", "application/json"}, {"Cookie", admin}},
           json({{"nom", "Autre nom"}, {"desactive", true}}).dump());
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Body(Send("GET", path, {{"Cookie", admin}}))["nom"], me["nom"]);
}

TEST_F(ApplicationTest, FormsWithoutAValidCsrfTokenAreRefused) {
  const HttpResponse anonymous =
      Send("POST", "/connexion", {{"Content-Type", "application/x-www-form-urlencoded"}},
           "email=accueil%40demo.pasip.fr&password=demo-accueil-pasip");
  EXPECT_EQ(anonymous.status, 403);
  const std::string session = SignIn("accueil");
  const HttpResponse forged = Send(
      "POST", "/deconnexion",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", session}}, "csrf=faux");
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/moi", {{"Cookie", session}}).status, 200);  // still signed in

  // With the pre-session cookie echoed in the form, the sign-in form is accepted.
  const HttpResponse form = Send("GET", "/connexion");
  const std::string set_cookie = form.Header("Set-Cookie");
  ASSERT_EQ(set_cookie.rfind("__Host-pasip-csrf=", 0), 0u) << set_cookie;
  const std::string token = set_cookie.substr(18, set_cookie.find(';') - 18);
  const HttpResponse ok =
      Send("POST", "/connexion",
           {{"Content-Type", "application/x-www-form-urlencoded"},
            {"Cookie", "__Host-pasip-csrf=" + token}},
           "csrf=" + token + "&email=accueil%40demo.pasip.fr&password=demo-accueil-pasip");
  EXPECT_EQ(ok.status, 303);
  EXPECT_EQ(ok.Header("Location"), "/tableau-de-bord");
}

TEST_F(ApplicationTest, WritesAndRefusalsAreAuditedWithoutNames) {
  const std::string admin = SignIn("admin");
  const HttpResponse r = PostJson("/api/v1/organisations",
                                  {{"nom", "Mission locale"}, {"type", "mission-locale"}}, admin);
  ASSERT_EQ(r.status, 201);
  const HttpResponse log =
      Send("GET", "/api/v1/journal?type=organisation&action=create", {{"Cookie", admin}});
  ASSERT_EQ(log.status, 200);
  const json items = Body(log)["items"];
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0]["ressource"], std::to_string(Body(r)["id"].get<std::int64_t>()));
  EXPECT_EQ(log.body.find("Mission locale"), std::string::npos);  // no names in the log

  const std::string partner = SignIn("partenaire");
  EXPECT_EQ(Send("GET", "/api/v1/utilisateurs", {{"Cookie", partner}}).status, 403);
  const HttpResponse refusals =
      Send("GET", "/api/v1/journal?action=access&type=route", {{"Cookie", admin}});
  ASSERT_EQ(refusals.status, 200);
  const json denied = Body(refusals)["items"];
  ASSERT_FALSE(denied.empty());
  EXPECT_EQ(denied[0]["ressource"], "GET /api/v1/utilisateurs");
  EXPECT_EQ(denied[0]["resultat"], "refus");
}

TEST_F(ApplicationTest, DemoIsIdempotentAndRefusesANonEmptyDatabase) {
  auto again = CreateDemoTerritory(*app_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size(), 5u);
  Config config;
  config.database_url = "sqlite://" + (dir_ / "autre.db").string();
  config.static_dir = (dir_ / "web").string();
  auto other = Application::Open(config, clock_);
  ASSERT_TRUE(other);
  identity::Organisation real;
  real.name = "CCAS réel";
  real.kind = "ccas-cias";
  ASSERT_TRUE((*other)->services().organisations.Create(real, {}));
  const auto refused = CreateDemoTerritory(**other);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(ApplicationTest, SignInRedirectKeepsTheEncodedTarget) {
  const HttpResponse r = Send("GET", "/admin/utilisateurs?q=a%20b");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("Location"), "/connexion?retour=/admin/utilisateurs%3Fq%3Da%2520b");
}

TEST_F(ApplicationTest, MetricsCountRequestsByRoute) {
  Send("GET", "/healthz");
  Send("GET", "/api/v1/organisations/12");
  const HttpResponse m = Send("GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(
      m.body.find("pasip_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}"),
      std::string::npos);
  EXPECT_NE(m.body.find("route=\"/api/v1/organisations/{id}\""), std::string::npos);
  EXPECT_NE(m.body.find("pasip_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("pasip_db_pool_capacity{pool=\"principal\"}"), std::string::npos);
}

TEST_F(ApplicationTest, StaticFilesHaveEtagsAndFingerprintedUrlsAreImmutable) {
  const HttpResponse plain = Send("GET", "/static/css/pasip.css");
  ASSERT_EQ(plain.status, 200);
  const std::string etag = plain.Header("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(Send("GET", "/static/css/pasip.css", {{"If-None-Match", etag}}).status, 304);
  const std::string hash = etag.substr(1, etag.size() - 2);
  const HttpResponse pinned = Send("GET", "/static/" + hash + "/css/pasip.css");
  EXPECT_EQ(pinned.status, 200);
  EXPECT_NE(pinned.Header("Cache-Control").find("immutable"), std::string::npos);
  const HttpResponse theme = Send("GET", "/static/theme.css");
  EXPECT_EQ(theme.status, 200);
  EXPECT_NE(theme.body.find("--pico-primary: #1d4e89;"), std::string::npos);
  EXPECT_NE(theme.body.find("html:root:not([data-theme=dark])"), std::string::npos);
  EXPECT_EQ(Send("GET", "/static/absent.css").status, 404);
  EXPECT_EQ(Send("GET", "/static/../pasip.db").status, 404);
}

TEST_F(ApplicationTest, OversizedBodiesAreRefusedWith413) {
  const std::string big(100 * 1024, 'x');
  const HttpResponse r =
      Send("POST", "/api/v1/session", {{"Content-Type", "application/json"}}, big);
  EXPECT_EQ(r.status, 413);
  // Transport errors carry the security headers too.
  EXPECT_NE(r.Header("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
}

// Every route declares a known policy action (the pipeline refuses the others).
TEST_F(ApplicationTest, EveryRouteDeclaresAPolicyAction) {
  ASSERT_GT(app_->router().routes().size(), 20u);
  for (const http::Route& route : app_->router().routes()) {
    EXPECT_TRUE(identity::ParseAction(route.action))
        << http::MethodName(route.method) << " " << route.pattern << " : action « " << route.action
        << " » inconnue";
  }
}

// Every API route is described in openapi.json, and every described operation exists.
TEST_F(ApplicationTest, OpenApiDescribesExactlyTheApiRoutes) {
  const json doc = json::parse(api::OpenApiDocument());
  ASSERT_EQ(doc["openapi"], "3.1.0");
  std::set<std::string> described;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(c));
      described.insert(m + " " + path);
      EXPECT_TRUE(op.contains("summary")) << m << " " << path;
    }
  }
  std::set<std::string> registered;
  for (const http::Route& route : app_->router().routes()) {
    if (route.kind != http::RouteKind::kApi) continue;
    registered.insert(std::string(http::MethodName(route.method)) + " " + route.pattern);
    EXPECT_FALSE(route.summary.empty()) << route.pattern;
  }
  EXPECT_EQ(described, registered);
  const HttpResponse served = Send("GET", "/api/v1/openapi.json");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(json::parse(served.body), doc);
}

}  // namespace
}  // namespace pasip::app
