#include "api/support.h"

#include <charconv>
#include <cstdio>
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

Result<std::optional<std::int64_t>> IntegerParam(const http::FormData& q, const char* name) {
  const auto v = NonEmpty(q, name);
  if (!v) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), value);
  if (ec != std::errc() || end != v->data() + v->size()) {
    return Fail(InvalidArgument(
        std::string("Le paramètre « ") + name + " » doit être un nombre entier.", name));
  }
  return std::optional<std::int64_t>(value);
}

Result<std::optional<std::int64_t>> IdParam(const http::FormData& q, const char* name) {
  PASIP_ASSIGN_OR_RETURN(value, IntegerParam(q, name));
  if (value && *value <= 0) {
    return Fail(InvalidArgument(
        std::string("Le paramètre « ") + name + " » doit être un numéro (entier positif).", name));
  }
  return value;
}

bool IsDay(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return ParseIso(s).has_value();
}

std::string ParisDay(TimePoint t, int shift) {
  const CivilTime c = ToParisCivil(t);
  const std::int64_t days = DaysFromCivilDate(c.year, c.month, c.day) + shift;
  const CivilTime d = CivilFromUnixSeconds(days * 86400);
  char out[16];
  std::snprintf(out, sizeof out, "%04lld-%02u-%02u", static_cast<long long>(d.year), d.month,
                d.day);
  return out;
}

Result<std::string> DayParam(const http::FormData& q, const char* name, std::string fallback) {
  const auto v = NonEmpty(q, name);
  if (!v) return fallback;
  if (!IsDay(*v)) {
    return Fail(InvalidArgument(
        std::string("Le paramètre « ") + name + " » doit être une date (2026-03-04).", name));
  }
  return *v;
}

Result<nlohmann::json> OptionalBody(const http::Request& req) {
  if (text::Trim(req.body).empty()) return nlohmann::json::object();
  return ParseBody(req);
}

std::string QuotedParameter(std::string_view name) {
  constexpr std::size_t kMaxEchoedName = 60;  // a parameter name quoted back, in bytes
  if (name.size() > kMaxEchoedName) {
    return "« " + std::string(name.substr(0, kMaxEchoedName)) + "… »";
  }
  return "« " + std::string(name) + " »";
}

Status RejectUnknownParameters(const http::FormData& q,
                               std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : q.pairs()) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string accepted;
    for (std::string_view a : allowed) accepted += (accepted.empty() ? "" : ", ") + std::string(a);
    return Fail(InvalidArgument(
        "Paramètre inconnu : " + QuotedParameter(name) +
            (allowed.size() == 0 ? std::string(". Cette adresse n'en accepte aucun.")
                                 : ". Paramètres acceptés : " + accepted + "."),
        name));
  }
  return Ok();
}

}  // namespace pasip::api
