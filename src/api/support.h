// Building blocks of JSON API handlers, shared by every module's routes: the caller of a
// request, body parsing with typed member readers that name the field in French errors,
// the {id} path parameter, and Wrap(), which turns a Result-returning handler into one
// that answers problem+json on error (with the domain's field names in API terms).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "domain/identity/caller.h"
#include "http/message.h"
#include "http/router.h"

namespace pasip::api {

// The caller set by the pipeline (an anonymous caller when there is none).
const identity::Caller& CallerOf(const http::Request& req);
http::Response JsonOk(const nlohmann::json& body, int status = 200);
// The body as a JSON object (kInvalidArgument otherwise).
Result<nlohmann::json> ParseBody(const http::Request& req);
// Optional members: absent or null → nullopt; wrong type → kInvalidArgument naming it.
Result<std::optional<std::string>> OptString(const nlohmann::json& body, const char* field);
Result<std::optional<double>> OptNumber(const nlohmann::json& body, const char* field);
Result<std::optional<bool>> OptBool(const nlohmann::json& body, const char* field);
// The {id} path parameter; kNotFound when it is not a positive number.
Result<std::int64_t> PathId(const http::Request& req);
// Renames a domain field ("display_name") to its API member ("nom").
Error InApiTerms(Error error);
http::Handler Wrap(std::function<Result<http::Response>(http::Request&)> handler);

// A mistake in the query string: 400 problem+json naming the parameter in `champ`, where a
// body's mistake is 422 (http/status.h).
http::Response BadParameter(const Error& error, std::string_view request_id);
// Where a route reads its input: the query string (invalid → 400) or a JSON body (→ 422).
enum class Input { kQuery, kBody };
// Like Wrap(), with the module's renaming of domain fields (`terms`, which ends with
// InApiTerms) and the 400/422 split of `input`.
http::Handler WrapInput(Input input, Error (*terms)(Error),
                        std::function<Result<http::Response>(http::Request&)> handler);
// A query-string parameter, trimmed; absent or blank is nullopt.
std::optional<std::string> NonEmpty(const http::FormData& query, std::string_view name);
// Typed query-string parameters (absent or blank → nullopt, or `fallback`); a malformed one
// is kInvalidArgument naming it: a whole number, a record number (positive), a Paris day
// "YYYY-MM-DD".
Result<std::optional<std::int64_t>> IntegerParam(const http::FormData& q, const char* name);
Result<std::optional<std::int64_t>> IdParam(const http::FormData& q, const char* name);
Result<std::string> DayParam(const http::FormData& q, const char* name, std::string fallback);
// "YYYY-MM-DD" and a real date.
bool IsDay(std::string_view s);
// The Paris day "YYYY-MM-DD" of an instant, `shift` days later.
std::string ParisDay(TimePoint t, int shift = 0);
// « name », cut after 60 bytes: a parameter name quoted back in a message.
std::string QuotedParameter(std::string_view name);
// Refuses any parameter not in `allowed` (kInvalidArgument naming it and listing the accepted
// ones): a listing that silently ignored a filter would answer more than was asked.
Status RejectUnknownParameters(const http::FormData& q,
                               std::initializer_list<std::string_view> allowed);
// The body as a JSON object; an empty body is an empty object (steps without parameters).
Result<nlohmann::json> OptionalBody(const http::Request& req);

}  // namespace pasip::api
