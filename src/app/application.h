// The composition root: opens the databases, applies migrations, wires stores, services,
// routes, metrics and jobs, and runs the request pipeline every HTTP request goes through.
//
// The pipeline, in order: route matching (404/405), session authentication from the
// `__Host-pasip` cookie, the route's declared policy action (401/redirect, 403), the
// anti-CSRF check of state-changing requests, the handler (exceptions → 500), then
// security headers and Cache-Control. Thread-safe once built: Handle() is called from
// every server thread.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/config.h"
#include "app/metrics.h"
#include "core/clock.h"
#include "domain/services.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static_files.h"
#include "jobs/worker.h"
#include "storage/database.h"
#include "web/web.h"

namespace pasip::app {

class Application {
 public:
  // Opens (and migrates) the databases named by `config`. Fails with the storage error
  // (kInvalidArgument for a bad URL, kUnavailable, kFailedPrecondition for a schema newer
  // than this binary). `clock` must outlive the application.
  static Result<std::unique_ptr<Application>> Open(const Config& config, const Clock& clock);
  ~Application();

  // The request pipeline (see above).
  http::Response Handle(http::Request& request);
  // Access log line and metrics, called by the server after each answer.
  void Observe(const http::Exchange& exchange);

  const Config& config() const { return config_; }
  Services& services() { return *services_; }
  const http::Router& router() const { return router_; }
  storage::Database& database() { return *database_; }
  storage::Database& audit_database() { return audit_database_ ? *audit_database_ : *database_; }
  jobs::Worker& worker() { return *worker_; }
  http::ServerOptions ServerOptions() const;

 private:
  explicit Application(Config config, const Clock& clock);
  Status Init();
  void RegisterSystemRoutes();
  void RegisterJobs();
  http::Response Route(http::Request& request);
  // The client's address: the peer, or when the peer is a trusted proxy, the right-most
  // X-Forwarded-For entry that is not one (used for throttling and the access log).
  std::string ClientAddress(const http::Request& request) const;
  http::Response Refuse(const http::Request& request, const http::Route& route,
                        const identity::Caller& caller, identity::Decision decision);
  http::Response ErrorResponse(const http::Request& request, const identity::Caller* caller,
                               int status, const std::string& detail);

  struct Parts;
  Config config_;
  const Clock& clock_;
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<storage::Database> audit_database_;  // null on PostgreSQL (same database)
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<jobs::Worker> worker_;
  http::Router router_;
  http::StaticFiles assets_;
  web::Options web_options_;
  Metrics metrics_;
};

// Headers added to every response: strict Content-Security-Policy (no 'unsafe-inline',
// frame-ancestors 'none'), nosniff, Referrer-Policy…
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

// The SQLite URL of the audit file that goes with `database_url`
// ("sqlite://var/pasip.db" → "sqlite://var/pasip-audit.db"); empty for PostgreSQL.
std::string DefaultAuditUrl(const std::string& database_url);

// The folder of static assets: the configured one, else share/pasip/web beside the binary.
std::string StaticDirectory(const Config& config);

}  // namespace pasip::app
