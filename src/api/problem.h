// Error answers of the JSON API (RFC 9457 application/problem+json). The status comes from
// the one table of http/status.h.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "http/message.h"

namespace pasip::api {

// {"type":"about:blank","title":…,"status":…,"detail":<French message>,"code":…,
//  "champ":<field, when any>,"request_id":…}
http::Response Problem(const Error& error, std::string_view request_id);
http::Response Problem(int status, std::string_view detail, std::string_view request_id);

}  // namespace pasip::api
