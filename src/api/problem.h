// Error answers of the JSON API (RFC 9457 application/problem+json), and the one table
// that maps protocol-neutral error codes to HTTP statuses.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "http/message.h"

namespace pasip::api {

// kInvalidArgument → 422, kNotFound → 404, kAlreadyExists → 409, kFailedPrecondition →
// 409, kPermissionDenied → 403, kUnauthenticated → 401, kResourceExhausted → 429,
// kUnavailable → 503, kInternal → 500.
int HttpStatus(ErrorCode code);

// {"type":"about:blank","title":…,"status":…,"detail":<French message>,"code":…,
//  "champ":<field, when any>,"request_id":…}
http::Response Problem(const Error& error, std::string_view request_id);
http::Response Problem(int status, std::string_view detail, std::string_view request_id);

}  // namespace pasip::api
