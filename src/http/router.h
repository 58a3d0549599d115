// Maps method + path to a handler, with `{name}` path parameters.
//
// Every route declares, besides its handler, the access-policy action it requires and its
// kind (API, page, static, system). The application's request pipeline reads that
// declaration to check access before calling the handler, and a test walks Routes() to
// fail on any route without a declared action. Thread-safety: build the router before the
// server starts; after that it is read-only and safe to share.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace pasip::http {

using Handler = std::function<Response(Request&)>;

enum class RouteKind { kApi, kPage, kStatic, kSystem };

struct Route {
  Method method;
  std::string pattern;  // "/api/v1/users/{id}"
  RouteKind kind;
  // Name of the access-policy action (see domain/identity/policy.h); empty = undeclared,
  // which the route-policy test rejects and the pipeline refuses with 500.
  std::string action;
  Handler handler;
  // For API routes: a one-line French summary, used to check the OpenAPI description.
  std::string summary;
};

struct Match {
  const Route* route = nullptr;
  std::map<std::string, std::string, std::less<>> params;
  bool path_exists = false;  // true when the path matched another method (→ 405)
};

class Router {
 public:
  Route& Add(Method method, std::string pattern, RouteKind kind, std::string action,
             Handler handler);
  // HEAD matches GET routes.
  Match Find(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }
  // Methods accepted on `path`, for the Allow header of a 405.
  std::vector<Method> AllowedMethods(std::string_view path) const;

 private:
  static bool MatchPattern(std::string_view pattern, std::string_view path,
                           std::map<std::string, std::string, std::less<>>* params);
  std::vector<Route> routes_;
};

}  // namespace pasip::http
