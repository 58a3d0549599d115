// QR codes drawn as inline SVG (libqrencode), for the second-factor enrolment page.
//
// The SVG uses presentation attributes only (no style attribute: the Content-Security-Policy
// forbids inline styles), carries role="img" and an aria-label, and keeps the 4-module quiet
// zone scanners need. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace pasip::web {

// Encodes `text` (error correction level M) and returns an <svg> element described by
// `label`. Fails with kInternal when libqrencode cannot encode it (too long, out of memory).
Result<std::string> QrCodeSvg(std::string_view text, std::string_view label);

}  // namespace pasip::web
