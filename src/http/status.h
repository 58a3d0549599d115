// The one table from protocol-neutral error codes to HTTP statuses, used by the JSON API
// (problem+json) and the pages alike.
#pragma once

#include "core/error.h"

namespace pasip::http {

// kInvalidArgument → 422, kNotFound → 404, kAlreadyExists → 409, kFailedPrecondition →
// 409, kPermissionDenied → 403, kUnauthenticated → 401, kResourceExhausted → 429,
// kUnavailable → 503, kInternal → 500.
int StatusFor(ErrorCode code);

}  // namespace pasip::http
