// HTTP requests and responses as plain values, free of Boost.Beast.
//
// The server (server.cc, the only Beast user) parses the wire into a Request, calls the
// application's handler and writes the Response back. Everything above the transport —
// api/, web/, app/ — works with these types only. Header names are matched without case.
#pragma once

#include <any>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace pasip::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };
std::string_view MethodName(Method m);
Method ParseMethod(std::string_view name);

// ASCII case-insensitive ordering; transparent, so lookups take string_views.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

// Decoded `name=value` pairs of a query string or an urlencoded form, in order.
class FormData {
 public:
  FormData() = default;
  explicit FormData(std::vector<std::pair<std::string, std::string>> pairs)
      : pairs_(std::move(pairs)) {}
  // Parses "a=1&b=x%20y" with uriparser ('+' is a space; "a" alone gives a=""; pairs with an
  // empty name are dropped). Fails with kInvalidArgument ("Paramètres mal formés.", with the
  // field when known) on malformed percent-encoding, %00, or invalid UTF-8.
  static Result<FormData> Parse(std::string_view encoded);

  std::optional<std::string> Get(std::string_view name) const;
  std::string GetOr(std::string_view name, std::string_view fallback = {}) const;
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  const std::vector<std::pair<std::string, std::string>>& pairs() const { return pairs_; }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

struct Request {
  Method method = Method::kGet;
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path
  FormData query;
  Headers headers;
  std::string body;
  std::string remote_address;
  std::string request_id;  // set by the server: incoming X-Request-Id if sane, else random
  TimePoint received_at{};
  // Filled by the router: {name} segments of the matched pattern.
  std::map<std::string, std::string, std::less<>> path_params;
  // The route pattern that matched ("/api/v1/users/{id}"), for metrics and logs.
  std::string route;
  // Set by the application's request pipeline before the handler runs (who is calling).
  std::any context;

  std::string_view Header(std::string_view name) const;
  std::string_view PathParam(std::string_view name) const;
  // The Cookie header's value for `name`, or empty.
  std::string Cookie(std::string_view name) const;
  // Parses an application/x-www-form-urlencoded body (kInvalidArgument if malformed).
  Result<FormData> Form() const { return FormData::Parse(body); }
  bool WantsJson() const;
  bool IsSafeMethod() const {
    return method == Method::kGet || method == Method::kHead || method == Method::kOptions;
  }
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response Html(int status, std::string body);
  static Response Json(int status, std::string body);
  static Response Redirect(std::string location, int status = 303);
  static Response NoContent();

  void SetHeader(std::string name, std::string value);
  std::string_view Header(std::string_view name) const;
};

// "Bad Request" etc., for the status line ("Unknown" for codes outside the table).
std::string_view ReasonPhrase(int status);

// Decodes the percent-encoding of a URL path ("/a%20b" → "/a b"; '+' stays '+'). Fails with
// kInvalidArgument on a truncated or non-hexadecimal escape, on %00 and on invalid UTF-8.
Result<std::string> DecodePath(std::string_view raw);

}  // namespace pasip::http
