#include "http/router.h"

#include <algorithm>

namespace pasip::http {
namespace {

// Splits "/a/b" into {"a", "b"}; "/" gives {""} and "/a/" gives {"a", ""}, so that a
// trailing slash is a distinct path. A path without its leading slash matches nothing.
bool SplitSegments(std::string_view path, std::vector<std::string_view>* segments) {
  segments->clear();
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    segments->push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Lower is more specific: at the first segment where two matching patterns differ, a literal
// beats a parameter ("/users/new" over "/users/{id}").
std::vector<bool> ParamMask(std::string_view pattern) {
  std::vector<std::string_view> segments;
  SplitSegments(pattern, &segments);
  std::vector<bool> mask;
  mask.reserve(segments.size());
  for (std::string_view segment : segments) mask.push_back(IsParam(segment));
  return mask;
}

bool MethodServes(Method route_method, Method requested) {
  return route_method == requested || (requested == Method::kHead && route_method == Method::kGet);
}

}  // namespace

Route& Router::Add(Method method, std::string pattern, RouteKind kind, std::string action,
                   Handler handler) {
  Route route;
  route.method = method;
  route.pattern = std::move(pattern);
  route.kind = kind;
  route.action = std::move(action);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
  return routes_.back();
}

// Compares segment by segment without allocating: this runs for every route on every request.
bool Router::MatchPattern(std::string_view pattern, std::string_view path,
                          std::map<std::string, std::string, std::less<>>* params) {
  if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') {
    return false;
  }
  if (params != nullptr) params->clear();
  std::size_t p = 1;
  std::size_t x = 1;
  while (true) {
    const std::size_t p_end = pattern.find('/', p);
    const std::size_t x_end = path.find('/', x);
    const std::string_view expected =
        pattern.substr(p, p_end == std::string_view::npos ? p_end : p_end - p);
    const std::string_view actual =
        path.substr(x, x_end == std::string_view::npos ? x_end : x_end - x);
    if (IsParam(expected)) {
      if (actual.empty()) return false;
      if (params != nullptr) {
        (*params)[std::string(expected.substr(1, expected.size() - 2))] = std::string(actual);
      }
    } else if (expected != actual) {
      return false;
    }
    if ((p_end == std::string_view::npos) != (x_end == std::string_view::npos)) return false;
    if (p_end == std::string_view::npos) return true;
    p = p_end + 1;
    x = x_end + 1;
  }
}

Match Router::Find(Method method, std::string_view path) const {
  Match best;
  std::vector<bool> best_mask;
  bool best_is_exact_method = false;
  for (const Route& route : routes_) {
    if (!MatchPattern(route.pattern, path, nullptr)) continue;
    best.path_exists = true;
    if (!MethodServes(route.method, method)) continue;
    std::vector<bool> mask = ParamMask(route.pattern);
    const bool exact_method = route.method == method;
    // More specific pattern first; for HEAD, a declared HEAD route beats the GET one.
    const bool better = best.route == nullptr || mask < best_mask ||
                        (mask == best_mask && exact_method && !best_is_exact_method);
    if (better) {
      best.route = &route;
      best_mask = std::move(mask);
      best_is_exact_method = exact_method;
    }
  }
  if (best.route != nullptr) MatchPattern(best.route->pattern, path, &best.params);
  return best;
}

std::vector<Method> Router::AllowedMethods(std::string_view path) const {
  std::vector<Method> methods;
  for (const Route& route : routes_) {
    if (!MatchPattern(route.pattern, path, nullptr)) continue;
    methods.push_back(route.method);
    if (route.method == Method::kGet) methods.push_back(Method::kHead);
  }
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  return methods;
}

}  // namespace pasip::http
