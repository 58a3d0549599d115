#include "app/application.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/api.h"
#include "api/problem.h"
#include "app/archive.h"
#include "core/crypto.h"
#include "core/text.h"
#include "domain/identity/caller.h"
#include "http/cookie.h"
#include "mail/smtp_transport.h"
#include "storage/audit_repository.h"
#include "storage/directory_repository.h"
#include "storage/identity_repository.h"
#include "storage/job_repository.h"
#include "storage/migrations.h"
#include "storage/orientation_repository.h"
#include "storage/outbox_repository.h"
#include "storage/reception_repository.h"
#include "storage/territory_repository.h"

namespace pasip::app {

using identity::Caller;
using identity::Decision;

// Stores and services, kept together so that references given out stay valid.
struct Application::Parts {
  explicit Parts(storage::Database& db, storage::Database& audit_db, const Clock& clock,
                 identity::SessionPolicy policy, reception::Catalogue reception_catalogue,
                 orientation::Settings orientation_settings, mail::SmtpSettings smtp)
      : catalogue(std::move(reception_catalogue)),
        identity(db),
        sessions(db),
        throttle(db),
        audit_store(audit_db),
        jobs(db),
        audit(audit_store, clock),
        accounts(identity, sessions, throttle, audit, clock, policy),
        organisations(identity, audit),
        territory(db),
        directory_store(db, clock),
        directory(directory_store, territory, audit, clock),
        reception_store(db),
        reception(reception_store, identity, audit, clock, catalogue),
        outbox(db),
        orientation_store(db),
        orientation(orientation_store, outbox, reception, directory, identity, audit, clock,
                    std::move(orientation_settings)),
        transport(smtp),
        delivery(outbox, transport, clock, smtp.from) {}
  // The deployment's motive and act lists; first, as the reception service refers to it.
  reception::Catalogue catalogue;
  storage::SqlIdentityStore identity;
  storage::SqlSessionStore sessions;
  storage::SqlLoginThrottleStore throttle;
  storage::SqlAuditStore audit_store;
  storage::SqlJobQueue jobs;
  audit::AuditLog audit;
  identity::AccountService accounts;
  identity::OrganisationService organisations;
  storage::SqlTerritoryStore territory;
  storage::SqlDirectoryStore directory_store;
  directory::DirectoryService directory;
  storage::SqlReceptionStore reception_store;
  reception::ReceptionService reception;
  storage::SqlOutboxStore outbox;
  storage::SqlOrientationStore orientation_store;
  orientation::OrientationService orientation;
  mail::SmtpTransport transport;
  mail::Delivery delivery;
};

namespace {

constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'";

}  // namespace

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"},
  };
  return headers;
}

namespace {

// The motive and act lists: the defaults, or the TSV file named by `reception.catalogue`.
Result<reception::Catalogue> LoadCatalogue(const std::string& path) {
  if (path.empty()) return reception::Catalogue::Default();
  const auto bad = [&path](const std::string& what) {
    return InvalidArgument(
        "Configuration : la clé « reception.catalogue » désigne un fichier " + what,
        "reception.catalogue");
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(bad("illisible : « " + path + " »."));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Fail(bad("illisible : « " + path + " »."));
  auto catalogue = reception::ParseCatalogue(content.str());
  if (!catalogue) {
    const Error& e = catalogue.error();
    return Fail(bad("incorrect (« " + path + " »" + (e.field.empty() ? "" : ", " + e.field) +
                    ") : " + e.message));
  }
  return std::move(*catalogue);
}

bool IsJsonContentType(std::string_view value) { return value.substr(0, 16) == "application/json"; }

// A local path to come back to after signing in: one leading '/', no scheme or host.
bool IsSafeReturnPath(std::string_view path) {
  return !path.empty() && path[0] == '/' &&
         (path.size() == 1 || (path[1] != '/' && path[1] != '\\'));
}

// Percent-encodes everything but unreserved characters and '/', for a query value.
std::string PercentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The deployment's colours over Pico's light theme. The selector outweighs Pico's own
// (`:root:not([data-theme=dark])`), and the layout pins the light theme so that the
// configured colours, checked for contrast on white, are the ones shown.
std::string ThemeCss(const Config& c) {
  const std::string& p = c.color_primary;
  const std::string& h = c.color_primary_hover;
  return "html:root:not([data-theme=dark]),\nhtml[data-theme=light] {\n"
         "  --pico-primary: " +
         p + ";\n  --pico-primary-background: " + p + ";\n  --pico-primary-border: " + p +
         ";\n  --pico-primary-underline: " + p + ";\n  --pico-primary-hover: " + h +
         ";\n  --pico-primary-hover-background: " + h + ";\n  --pico-primary-hover-border: " + h +
         ";\n  --pico-primary-hover-underline: " + h +
         ";\n  --pico-primary-inverse: #fff;\n  --pasip-primary: " + p + ";\n}\n";
}

}  // namespace

std::string DefaultAuditUrl(const std::string& url) {
  if (url.rfind("sqlite:", 0) != 0) return "";
  if (url == "sqlite::memory:") return url;
  const std::size_t dot = url.rfind('.');
  const std::size_t slash = url.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return url + "-audit";
  }
  return url.substr(0, dot) + "-audit" + url.substr(dot);
}

std::string StaticDirectory(const Config& config) {
  if (!config.static_dir.empty()) return config.static_dir;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "share/pasip/web";
  return (exe.parent_path().parent_path() / "share" / "pasip" / "web").string();
}

Application::Application(Config config, const Clock& clock)
    : config_(std::move(config)), clock_(clock) {}

Application::~Application() {
  if (worker_) worker_->Stop();
}

Result<std::unique_ptr<Application>> Application::Open(const Config& config, const Clock& clock) {
  crypto::InitCrypto();
  std::unique_ptr<Application> app(new Application(config, clock));
  PASIP_TRY(app->Init());
  return app;
}

Status Application::Init() {
  storage::PoolOptions pool;
  pool.max_connections = config_.database_pool;
  PASIP_ASSIGN_OR_RETURN(db, storage::OpenDatabase(config_.database_url, pool));
  database_ = std::move(db);
  PASIP_TRY(storage::Migrate(*database_, storage::Series::kMain));
  if (database_->dialect() == storage::Dialect::kSqlite) {
    const std::string audit_url = config_.audit_database_url.empty()
                                      ? DefaultAuditUrl(config_.database_url)
                                      : config_.audit_database_url;
    PASIP_ASSIGN_OR_RETURN(adb, storage::OpenDatabase(audit_url, pool));
    audit_database_ = std::move(adb);
  }
  PASIP_TRY(storage::Migrate(audit_database(), storage::Series::kAudit));

  identity::SessionPolicy policy;
  policy.idle_timeout = config_.session_idle;
  policy.absolute_timeout = config_.session_absolute;
  PASIP_ASSIGN_OR_RETURN(catalogue, LoadCatalogue(config_.reception_catalogue));
  orientation::Settings orientation_settings;
  orientation_settings.reminder_days = config_.orientation_reminder_days;
  orientation_settings.expiry_days = config_.orientation_expiry_days;
  orientation_settings.link_days = config_.orientation_link_days;
  orientation_settings.public_url = config_.PublicUrl();
  orientation_settings.deployment_name = config_.deployment_name;
  mail::SmtpSettings smtp;
  smtp.host = config_.smtp_host;
  smtp.port = config_.smtp_port;
  smtp.starttls = config_.smtp_starttls;
  smtp.username = config_.smtp_username;
  smtp.password = config_.smtp_password;
  smtp.from = config_.smtp_from;
  parts_ = std::make_unique<Parts>(*database_, audit_database(), clock_, policy,
                                   std::move(catalogue), std::move(orientation_settings), smtp);
  services_ = std::unique_ptr<Services>(
      new Services{clock_, parts_->audit, parts_->identity, parts_->accounts, parts_->organisations,
                   parts_->jobs, parts_->territory, parts_->directory, parts_->reception,
                   parts_->orientation, parts_->outbox});
  worker_ = std::make_unique<jobs::Worker>(
      parts_->jobs, clock_, "pasip-" + std::to_string(::getpid()) + "-" + crypto::RandomToken(4));
  RegisterJobs();

  // Static assets are optional for the command line; the server checks they are there.
  auto assets = http::StaticFiles::Load(StaticDirectory(config_));
  if (assets) assets_ = std::move(*assets);
  assets_.Add("theme.css", ThemeCss(config_));

  web_options_.deployment_name = config_.deployment_name;
  web_options_.deployment_logo_url = config_.deployment_logo_url;
  web_options_.public_base_url = config_.PublicUrl();
  web_options_.demo = config_.demo;
  web_options_.secure_cookies = config_.secure_cookies;
  web_options_.assets = &assets_;

  RegisterSystemRoutes();
  api::RegisterRoutes(router_, *services_, api::Options{config_.secure_cookies});
  web::RegisterPages(router_, *services_, web_options_);
  return Ok();
}

void Application::RegisterJobs() {
  worker_->Register("sessions.cleanup", [this](const jobs::Job&) -> Status {
    PASIP_ASSIGN_OR_RETURN(removed, parts_->accounts.CleanUpSessions());
    spdlog::info("sessions.cleanup: {} sessions expirées supprimées", removed);
    return Ok();
  });
  worker_->Register("audit.retention", [this](const jobs::Job&) -> Status {
    const auto retention = std::chrono::hours(24) * 30 * config_.audit_retention_months;
    PASIP_ASSIGN_OR_RETURN(
        removed,
        parts_->audit.ApplyRetention(std::chrono::duration_cast<std::chrono::seconds>(retention)));
    spdlog::info("audit.retention: {} entrées de plus de {} mois supprimées", removed,
                 config_.audit_retention_months);
    return Ok();
  });
  worker_->Register("jobs.prune", [this](const jobs::Job&) -> Status {
    PASIP_TRY(parts_->jobs.Prune(clock_.Now() - std::chrono::hours(24 * 30)));
    return Ok();
  });
  // Retention of person files (security.md S4): anonymise or archive the files without
  // contact for longer than their organisations keep them.
  worker_->Register("reception.purge", [this](const jobs::Job& job) -> Status {
    PASIP_ASSIGN_OR_RETURN(report, PurgePersons(parts_->reception, config_.reception_archives_dir,
                                                clock_, "job-" + std::to_string(job.id)));
    spdlog::info("reception.purge: {}", PurgeSummary(report, config_.reception_archives_dir));
    return Ok();
  });
  // Outgoing e-mail (the outbox is filled in the same transactions as the changes it tells),
  // at every poll of the worker: the outbox's own leases keep instances apart, and a partner's
  // one-time code must not wait for a periodic slot.
  worker_->AddTicker("mail.send", [this]() -> Status {
    PASIP_ASSIGN_OR_RETURN(report, parts_->delivery.RunOnce());
    if (report.sent + report.retried + report.failed > 0) {
      spdlog::info("mail.send: {} envoyés, {} à réessayer, {} abandonnés", report.sent,
                   report.retried, report.failed);
    }
    return Ok();
  });
  // Sent and failed messages hold links: kept 30 days for the history, then removed.
  worker_->Register("mail.prune", [this](const jobs::Job&) -> Status {
    PASIP_TRY(parts_->outbox.Prune(clock_.Now() - std::chrono::hours(24 * 30)));
    return Ok();
  });
  // Reminders and expiries of unanswered orientations.
  worker_->Register("orientations.sweep", [this](const jobs::Job& job) -> Status {
    audit::Context ctx{0, "job-" + std::to_string(job.id)};
    PASIP_ASSIGN_OR_RETURN(report, parts_->orientation.Sweep(ctx));
    if (report.rappels + report.expirees > 0) {
      spdlog::info("orientations.sweep: {} rappels, {} expirées", report.rappels, report.expirees);
    }
    return Ok();
  });
  worker_->Register("orientations.digest", [this](const jobs::Job&) -> Status {
    PASIP_ASSIGN_OR_RETURN(queued, parts_->orientation.SendDigests());
    spdlog::info("orientations.digest: {} résumés quotidiens", queued);
    return Ok();
  });
  worker_->Schedule({"mail.prune", std::chrono::hours(24)});
  worker_->Schedule({"orientations.sweep", std::chrono::hours(1)});
  worker_->Schedule({"orientations.digest", std::chrono::hours(24)});
  worker_->Schedule({"sessions.cleanup", std::chrono::hours(1)});
  worker_->Schedule({"reception.purge", std::chrono::hours(24)});
  worker_->Schedule({"audit.retention", std::chrono::hours(24)});
  worker_->Schedule({"jobs.prune", std::chrono::hours(24)});
}

void Application::RegisterSystemRoutes() {
  using http::Method;
  using http::RouteKind;
  router_.Add(Method::kGet, "/healthz", RouteKind::kSystem, "public",
              [](http::Request&) { return http::Response::Text(200, "ok\n"); });
  router_.Add(Method::kGet, "/readyz", RouteKind::kSystem, "public", [this](http::Request&) {
    Status main = database_->Ping();
    Status audit = audit_database().Ping();
    if (!main || !audit) {
      return http::Response::Text(503, "base de données injoignable\n");
    }
    return http::Response::Text(200, "prêt\n");
  });
  router_.Add(Method::kGet, "/metrics", RouteKind::kSystem, "public", [this](http::Request&) {
    std::map<std::string, storage::PoolStats> pools{{"principal", database_->Stats()}};
    if (audit_database_) pools["audit"] = audit_database_->Stats();
    return http::Response::Text(200, metrics_.Render(pools),
                                "text/plain; version=0.0.4; charset=utf-8");
  });
  router_.Add(
      Method::kGet, "/static/{chemin}", RouteKind::kStatic, "public", [this](http::Request& req) {
        return assets_.Serve(std::string_view(req.path).substr(8), req.Header("If-None-Match"));
      });
}

std::string Application::ClientAddress(const http::Request& req) const {
  const auto trusted = [this](std::string_view address) {
    return std::find(config_.trusted_proxies.begin(), config_.trusted_proxies.end(), address) !=
           config_.trusted_proxies.end();
  };
  if (!trusted(req.remote_address)) return req.remote_address;
  // From the right: the first address that is not one of our proxies is the client's.
  const std::vector<std::string> hops = text::Split(req.Header("X-Forwarded-For"), ',');
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const std::string_view hop = text::Trim(*it);
    if (hop.empty() || hop.size() > 45) break;  // malformed: keep the peer
    if (!trusted(hop)) return std::string(hop);
  }
  return req.remote_address;
}

http::ServerOptions Application::ServerOptions() const {
  http::ServerOptions o;
  o.host = config_.listen_host;
  o.port = config_.listen_port;
  o.threads = config_.threads;
  o.max_body_bytes = config_.max_body_bytes;
  o.max_connections = config_.max_connections;
  return o;
}

http::Response Application::ErrorResponse(const http::Request& request, const Caller* caller,
                                          int status, const std::string& detail) {
  if (request.WantsJson()) return api::Problem(status, detail, request.request_id);
  return web::ErrorPage(status, caller, web_options_, request.request_id);
}

http::Response Application::Refuse(const http::Request& request, const http::Route& route,
                                   const Caller& caller, Decision decision) {
  const bool api = route.kind == http::RouteKind::kApi;
  switch (decision) {
    case Decision::kUnauthenticated: {
      if (api) return api::Problem(Unauthenticated(), request.request_id);
      std::string target = "/connexion";
      if (request.method == http::Method::kGet && IsSafeReturnPath(request.path)) {
        target += "?retour=" + PercentEncode(request.target);
      }
      return http::Response::Redirect(target);
    }
    case Decision::kSecondFactorMissing: {
      if (api) {
        return api::Problem(
            PermissionDenied("Validez d'abord votre second facteur (code à 6 chiffres)."),
            request.request_id);
      }
      return http::Response::Redirect(caller.auth && caller.auth->user.HasTotp()
                                          ? "/connexion/second-facteur"
                                          : "/compte/second-facteur/activation");
    }
    case Decision::kDeny:
    case Decision::kAllow:
      break;
  }
  // Refusals of signed-in users are traced (the route pattern, never the path's values).
  (void)services_->audit.Record(caller.audit, "access", "route",
                                std::string(http::MethodName(request.method)) + " " + route.pattern,
                                audit::Outcome::kDenied);
  return ErrorResponse(
      request, &caller, 403,
      api ? "Vous n'avez pas accès à cette ressource." : "Vous n'avez pas accès à cette page.");
}

http::Response Application::Handle(http::Request& req) {
  req.remote_address = ClientAddress(req);
  http::Response response = Route(req);
  // Anything answered to a signed-in user may carry personal data or its CSRF token.
  if (!req.Cookie(http::kSessionCookie).empty() && req.route.rfind("/static/", 0) != 0) {
    response.SetHeader("Cache-Control", "no-store");
  }
  for (const auto& [name, value] : SecurityHeaders()) {
    if (response.Header(name).empty()) response.SetHeader(name, value);
  }
  return response;
}

http::Response Application::Route(http::Request& req) {
  // Static assets live under one pattern whose parameter spans several segments.
  http::Match match;
  if (req.path.rfind("/static/", 0) == 0 &&
      (req.method == http::Method::kGet || req.method == http::Method::kHead)) {
    match = router_.Find(http::Method::kGet, "/static/x");
  } else {
    match = router_.Find(req.method, req.path);
  }
  if (!match.route) {
    if (match.path_exists) {
      http::Response r = ErrorResponse(req, nullptr, 405, "Méthode non permise sur cette adresse.");
      std::string allow;
      for (http::Method m : router_.AllowedMethods(req.path)) {
        if (!allow.empty()) allow += ", ";
        allow += http::MethodName(m);
      }
      r.SetHeader("Allow", allow);
      return r;
    }
    return ErrorResponse(req, nullptr, 404, "Cette adresse n'existe pas.");
  }
  const http::Route& route = *match.route;
  req.path_params = std::move(match.params);
  req.route = route.pattern;

  Caller caller;
  caller.audit.request_id = req.request_id;
  bool clear_session_cookie = false;
  std::string new_csrf_cookie;
  const bool needs_session =
      route.kind == http::RouteKind::kApi || route.kind == http::RouteKind::kPage;
  if (needs_session) {
    const std::string token = req.Cookie(http::kSessionCookie);
    if (!token.empty()) {
      auto auth = services_->accounts.Authenticate(token);
      if (auth) {
        caller.principal = auth->ToPrincipal();
        caller.audit.user_id = auth->user.id;
        caller.csrf_token = auth->session.csrf_token;
        caller.token = token;
        caller.auth = std::move(*auth);
      } else if (auth.error().code == ErrorCode::kUnavailable) {
        return ErrorResponse(req, nullptr, 503, auth.error().message);
      } else {
        clear_session_cookie = true;
      }
    }
  }

  const auto action = identity::ParseAction(route.action);
  if (!action) {
    spdlog::error("route {} {} sans action de politique d'accès déclarée",
                  http::MethodName(route.method), route.pattern);
    return ErrorResponse(req, &caller, 500, "Erreur interne.");
  }
  const Decision decision = identity::Authorize(caller.principal, *action);
  if (decision != Decision::kAllow) {
    http::Response r = Refuse(req, route, caller, decision);
    if (clear_session_cookie) {
      r.headers.emplace("Set-Cookie",
                        http::ExpireCookieValue(http::kSessionCookie, config_.secure_cookies));
    }
    return r;
  }

  // Anti-CSRF. Pages: the form's `csrf` field must match the session's token, or for a
  // visitor not signed in, the pre-session cookie (double submit). API: state-changing
  // requests must be JSON, which a cross-site form cannot send.
  if (route.kind == http::RouteKind::kPage) {
    if (!caller.signed_in()) {
      caller.csrf_token = req.Cookie(http::kCsrfCookie);
      if (caller.csrf_token.empty() && req.IsSafeMethod()) {
        new_csrf_cookie = caller.csrf_token = crypto::RandomToken(24);
      }
    }
    if (!req.IsSafeMethod()) {
      // htmx requests send the token in a header (web/js/pasip.js); forms in a field.
      std::string sent(req.Header("X-CSRF-Token"));
      if (sent.empty()) {
        auto form = req.Form();
        sent = form ? form->GetOr("csrf") : "";
      }
      if (caller.csrf_token.empty() || !crypto::ConstantTimeEqual(sent, caller.csrf_token)) {
        return ErrorResponse(req, &caller, 403,
                             "Le formulaire a expiré. Rechargez la page et recommencez.");
      }
    }
  } else if (route.kind == http::RouteKind::kApi && !req.IsSafeMethod() &&
             (!req.body.empty() || req.method != http::Method::kDelete) &&
             !IsJsonContentType(req.Header("Content-Type"))) {
    return api::Problem(415, "Le corps de la requête doit être en application/json.",
                        req.request_id);
  }

  req.context = std::move(caller);
  http::Response response;
  try {
    response = route.handler(req);
  } catch (const std::exception& e) {
    spdlog::error("request {}: exception: {}", req.request_id, e.what());
    response = ErrorResponse(req, std::any_cast<Caller>(&req.context), 500, "Erreur interne.");
  }

  // A stale cookie is expired, unless the handler just set a new session (sign-in).
  const std::string session_prefix = std::string(http::kSessionCookie) + "=";
  const auto [first, last] = response.headers.equal_range("Set-Cookie");
  const bool sets_session = std::any_of(
      first, last, [&](const auto& header) { return header.second.rfind(session_prefix, 0) == 0; });
  if (clear_session_cookie && !sets_session) {
    response.headers.emplace("Set-Cookie",
                             http::ExpireCookieValue(http::kSessionCookie, config_.secure_cookies));
  }
  if (!new_csrf_cookie.empty()) {
    response.headers.emplace(
        "Set-Cookie",
        http::SetCookieValue(
            {http::kCsrfCookie, new_csrf_cookie, true, config_.secure_cookies, "Lax", {}}));
  }
  if (route.kind == http::RouteKind::kApi && response.Header("Cache-Control").empty()) {
    response.SetHeader("Cache-Control", "no-store");
  }
  return response;
}

void Application::Observe(const http::Exchange& exchange) {
  const http::Request& req = *exchange.request;
  const std::string route = req.route.empty() ? "(aucune)" : req.route;
  metrics_.Observe(route, std::string(http::MethodName(req.method)), exchange.status,
                   exchange.duration);
  if (req.route == "/healthz" || req.route == "/metrics") return;  // keep the log readable
  // Every value is safe JSON as it is: request ids are [A-Za-z0-9_.-], routes come from the
  // code, addresses are numeric, methods are letters. No personal data, no raw path.
  spdlog::info(
      R"({{"t":"{}","rid":"{}","ip":"{}","m":"{}","route":"{}","status":{},"octets":{},"us":{}}})",
      FormatIsoUtc(req.received_at), req.request_id, req.remote_address,
      http::MethodName(req.method), route, exchange.status, exchange.response_bytes,
      exchange.duration.count());
}

}  // namespace pasip::app
