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

bool Router::MatchPattern(std::string_view pattern, std::string_view path,
                          std::map<std::string, std::string, std::less<>>* params) {
  std::vector<std::string_view> pattern_segments;
  std::vector<std::string_view> path_segments;
  if (!SplitSegments(pattern, &pattern_segments) || !SplitSegments(path, &path_segments)) {
    return false;
  }
  if (pattern_segments.size() != path_segments.size()) return false;
  for (std::size_t i = 0; i < pattern_segments.size(); ++i) {
    const std::string_view expected = pattern_segments[i];
    const std::string_view actual = path_segments[i];
    if (IsParam(expected)) {
      if (actual.empty()) return false;
    } else if (expected != actual) {
      return false;
    }
  }
  if (params != nullptr) {
    params->clear();
    for (std::size_t i = 0; i < pattern_segments.size(); ++i) {
      const std::string_view expected = pattern_segments[i];
      if (IsParam(expected)) {
        (*params)[std::string(expected.substr(1, expected.size() - 2))] =
            std::string(path_segments[i]);
      }
    }
  }
  return true;
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
