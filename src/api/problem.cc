#include "api/problem.h"

#include <nlohmann/json.hpp>

#include "http/status.h"

namespace pasip::api {

namespace {
http::Response Build(int status, std::string_view detail, std::string_view code,
                     std::string_view field, std::string_view request_id) {
  nlohmann::json body = {{"type", "about:blank"},
                         {"title", std::string(http::ReasonPhrase(status))},
                         {"status", status},
                         {"detail", std::string(detail)},
                         {"request_id", std::string(request_id)}};
  if (!code.empty()) body["code"] = std::string(code);
  if (!field.empty()) body["champ"] = std::string(field);
  http::Response r = http::Response::Json(status, body.dump());
  r.SetHeader("Content-Type", "application/problem+json");
  return r;
}
}  // namespace

http::Response Problem(const Error& error, std::string_view request_id) {
  // Internal details never reach the caller.
  const std::string detail = error.code == ErrorCode::kInternal
                                 ? "Une erreur interne est survenue. Réessayez plus tard."
                                 : error.message;
  return Build(http::StatusFor(error.code), detail, ErrorCodeName(error.code), error.field,
               request_id);
}

http::Response Problem(int status, std::string_view detail, std::string_view request_id) {
  return Build(status, detail, "", "", request_id);
}

}  // namespace pasip::api
