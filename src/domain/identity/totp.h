// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the
// format every authenticator application understands, and single-use recovery codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace pasip::identity {

// A new random secret (20 bytes), base32-encoded.
std::string NewTotpSecret();
// The code for the time step containing `at`, zero-padded to 6 digits.
std::string TotpCode(std::string_view secret_base32, TimePoint at);
// True when `code` matches the step of `now` or one step before or after (clock drift).
// Returns the matched step so that callers can refuse a replay of the same step.
std::optional<std::int64_t> VerifyTotp(std::string_view secret_base32, std::string_view code,
                                       TimePoint now);
// otpauth://totp/<issuer>:<email>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
std::string TotpUri(std::string_view issuer, std::string_view email, std::string_view secret);

// Ten recovery codes "xxxx-xxxx" (lower-case letters and digits, no look-alikes).
std::vector<std::string> NewRecoveryCodes();
// The form in which a recovery code is stored (SHA-256 hex of the normalised code).
std::string HashRecoveryCode(std::string_view code);

}  // namespace pasip::identity
