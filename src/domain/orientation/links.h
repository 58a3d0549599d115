// Signed, expiring, single-purpose links for partners without an account (security.md S2):
// an e-mail carries only a link; before any personal data is shown, the partner asks for a
// one-time code sent to the address registered for the service or referent, and types it.
//
// A token is "<payload>.<mac>", both base64url: payload "o1.<orientation id>.<expiry unix
// seconds>.<first 16 hex digits of Sha256(address)>", mac = HMAC-SHA-256(deployment key,
// payload). "o1" names the purpose: a token signed for anything else does not verify here.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "domain/orientation/model.h"

namespace pasip::orientation {

struct LinkClaim {
  OrientationId orientation_id = 0;
  TimePoint expires_at{};
  std::string address_hash;  // 16 hex digits
};

// The 16 hex digits of Sha256 of the lower-cased address.
std::string AddressHash(std::string_view courriel);
std::string SignLink(std::string_view key, OrientationId id, std::string_view courriel,
                     TimePoint expires_at);
// kPermissionDenied ("Ce lien n'est pas valide." / "Ce lien a expiré.") for a malformed,
// tampered, foreign-purpose or expired token. Never throws, whatever the input.
Result<LinkClaim> VerifyLink(std::string_view key, std::string_view token, TimePoint now);

// One-time codes: six digits; their stored hash is Sha256 hex of key + ":" + code.
std::string NewCode();
std::string CodeHash(std::string_view key, std::string_view code);

}  // namespace pasip::orientation
