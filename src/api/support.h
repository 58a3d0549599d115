// Building blocks of JSON API handlers, shared by every module's routes: the caller of a
// request, body parsing with typed member readers that name the field in French errors,
// the {id} path parameter, and Wrap(), which turns a Result-returning handler into one
// that answers problem+json on error (with the domain's field names in API terms).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace pasip::api
