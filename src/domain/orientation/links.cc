// Signed partner links and one-time codes.
#include "domain/orientation/links.h"

#include <charconv>

#include "core/crypto.h"
#include "core/text.h"

namespace pasip::orientation {
namespace {

constexpr std::string_view kPurpose = "o1";

Error Invalid() { return PermissionDenied("Ce lien n'est pas valide."); }

// Strict decimal: digits only, no sign, no leading zero (so one number has one spelling).
std::optional<std::int64_t> Number(std::string_view s) {
  if (s.empty() || s.size() > 18 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

std::string AddressHash(std::string_view courriel) {
  return crypto::ToHex(crypto::Sha256(text::NormaliseEmail(courriel))).substr(0, 16);
}

std::string SignLink(std::string_view key, OrientationId id, std::string_view courriel,
                     TimePoint expires_at) {
  std::string payload = std::string(kPurpose) + "." + std::to_string(id) + "." +
                        std::to_string(ToUnixSeconds(expires_at)) + "." + AddressHash(courriel);
  return crypto::Base64UrlEncode(payload) + "." +
         crypto::Base64UrlEncode(crypto::HmacSha256(key, payload));
}

Result<LinkClaim> VerifyLink(std::string_view key, std::string_view token, TimePoint now) {
  if (token.size() > 512) return Fail(Invalid());
  std::size_t dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos) {
    return Fail(Invalid());
  }
  auto payload = crypto::Base64UrlDecode(token.substr(0, dot));
  auto mac = crypto::Base64UrlDecode(token.substr(dot + 1));
  if (!payload || !mac) return Fail(Invalid());
  if (!crypto::ConstantTimeEqual(*mac, crypto::HmacSha256(key, *payload))) {
    return Fail(Invalid());
  }
  std::vector<std::string> parts = text::Split(*payload, '.');
  if (parts.size() != 4 || parts[0] != kPurpose || parts[3].size() != 16) {
    return Fail(Invalid());
  }
  auto id = Number(parts[1]);
  auto expiry = Number(parts[2]);
  if (!id || *id == 0 || !expiry) return Fail(Invalid());
  LinkClaim claim{*id, FromUnixSeconds(*expiry), parts[3]};
  if (claim.expires_at <= now) {
    return Fail(PermissionDenied(
        "Ce lien a expiré. Demandez à la structure qui a orienté la personne de vous en "
        "renvoyer un."));
  }
  return claim;
}

std::string NewCode() {
  std::string code = std::to_string(crypto::RandomBelow(1000000));
  return std::string(6 - code.size(), '0') + code;
}

std::string CodeHash(std::string_view key, std::string_view code) {
  return crypto::ToHex(crypto::Sha256(std::string(key) + ":" + std::string(code)));
}

}  // namespace pasip::orientation
