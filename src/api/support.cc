#include "api/support.h"

#include <map>

#include "api/problem.h"
#include "core/text.h"
#include "http/status.h"

namespace pasip::api {

using identity::Caller;
using nlohmann::json;

const Caller& CallerOf(const http::Request& req) {
  static const Caller kAnonymous;
  const Caller* c = std::any_cast<Caller>(&req.context);
  return c ? *c : kAnonymous;
}

http::Response JsonOk(const json& body, int status) {
  return http::Response::Json(status, body.dump());
}

// Parses the request body as a JSON object.
Result<json> ParseBody(const http::Request& req) {
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return Fail(InvalidArgument("Le corps de la requête doit être un objet JSON valide."));
  }
  return body;
}

// Reads an optional string member; kInvalidArgument naming the field if it is not a string.
Result<std::optional<std::string>> OptString(const json& body, const char* field) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return Fail(
        InvalidArgument(std::string("Le champ « ") + field + " » doit être un texte.", field));
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<double>> OptNumber(const json& body, const char* field) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) {
    return Fail(
        InvalidArgument(std::string("Le champ « ") + field + " » doit être un nombre.", field));
  }
  return std::optional<double>(it->get<double>());
}

Result<std::optional<bool>> OptBool(const json& body, const char* field) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) {
    return Fail(InvalidArgument(
        std::string("Le champ « ") + field + " » doit valoir true ou false.", field));
  }
  return std::optional<bool>(it->get<bool>());
}

Result<std::int64_t> PathId(const http::Request& req) {
  const std::string_view raw = req.PathParam("id");
  std::int64_t id = 0;
  if (raw.empty() || raw.size() > 18) return Fail(NotFound("Ressource introuvable."));
  for (char c : raw) {
    if (c < '0' || c > '9') return Fail(NotFound("Ressource introuvable."));
    id = id * 10 + (c - '0');
  }
  return id;
}

// The domain names fields in English; the API's JSON members are French.
Error InApiTerms(Error error) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"name", "nom"},         {"kind", "type"},
      {"display_name", "nom"}, {"password", "mot_de_passe"},
      {"address", "adresse"},  {"commune_code", "commune"},
      {"site_ids", "roles"},   {"active", "actif"},
  };
  if (const auto it = kNames.find(error.field); it != kNames.end()) error.field = it->second;
  return error;
}

// Wraps a handler returning Result<Response> so that errors become problem+json.
http::Handler Wrap(std::function<Result<http::Response>(http::Request&)> f) {
  return [f = std::move(f)](http::Request& req) {
    auto r = f(req);
    if (!r) return Problem(InApiTerms(r.error()), req.request_id);
    return std::move(*r);
  };
}

http::Response BadParameter(const Error& error, std::string_view request_id) {
  nlohmann::json body = {{"type", "about:blank"},
                         {"title", std::string(http::ReasonPhrase(400))},
                         {"status", 400},
                         {"detail", error.message},
                         {"code", std::string(ErrorCodeName(error.code))},
                         {"request_id", std::string(request_id)}};
  if (!error.field.empty()) body["champ"] = error.field;
  http::Response r = http::Response::Json(400, body.dump());
  r.SetHeader("Content-Type", "application/problem+json");
  return r;
}

http::Handler WrapInput(Input input, Error (*terms)(Error),
                        std::function<Result<http::Response>(http::Request&)> f) {
  return [f = std::move(f), input, terms](http::Request& req) {
    auto r = f(req);
    if (r) return std::move(*r);
    const Error error = terms(r.error());
    if (input == Input::kQuery && error.code == ErrorCode::kInvalidArgument) {
      return BadParameter(error, req.request_id);
    }
    return Problem(error, req.request_id);
  };
}

std::optional<std::string> NonEmpty(const http::FormData& query, std::string_view name) {
  auto v = query.Get(name);
  if (!v) return std::nullopt;
  const std::string_view trimmed = text::Trim(*v);
  if (trimmed.empty()) return std::nullopt;
  return std::string(trimmed);
}

}  // namespace pasip::api
