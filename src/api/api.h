// The JSON API (/api/v1/…): sessions, the signed-in user, organisations, sites, users and
// the audit log. Each service is parse → validate → call the domain → render; errors are
// problem+json (problem.h). Every route declares its policy action and a summary, and is
// described in openapi.json (a test checks both ways).
#pragma once

#include <string_view>

#include "domain/services.h"
#include "http/router.h"

namespace pasip::api {

struct Options {
  bool secure_cookies = true;
};

void RegisterRoutes(http::Router& router, Services& services, const Options& options);

// The OpenAPI 3.1 description served at /api/v1/openapi.json.
std::string_view OpenApiDocument();

}  // namespace pasip::api
