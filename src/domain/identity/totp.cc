#include "domain/identity/totp.h"

#include <cstdio>

#include "core/crypto.h"

namespace pasip::identity {
namespace {

constexpr std::int64_t kStepSeconds = 30;

std::string CodeForStep(std::string_view key, std::int64_t step) {
  std::string counter(8, '\0');
  for (int i = 7; i >= 0; --i) {
    counter[static_cast<std::size_t>(i)] = static_cast<char>(step & 0xff);
    step >>= 8;
  }
  const std::string mac = crypto::HmacSha1(key, counter);
  const int offset = mac.back() & 0x0f;
  const auto byte = [&](int i) {
    return static_cast<std::uint32_t>(
        static_cast<unsigned char>(mac[static_cast<std::size_t>(offset + i)]));
  };
  const std::uint32_t binary =
      ((byte(0) & 0x7f) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", binary % 1000000u);
  return buf;
}

std::string PercentEncode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '@') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string NewTotpSecret() { return crypto::Base32Encode(crypto::RandomBytes(20)); }

std::string TotpCode(std::string_view secret_base32, TimePoint at) {
  const auto key = crypto::Base32Decode(secret_base32);
  return CodeForStep(key.value_or(""), ToUnixSeconds(at) / kStepSeconds);
}

std::optional<std::int64_t> VerifyTotp(std::string_view secret_base32, std::string_view code,
                                       TimePoint now) {
  std::string digits;
  for (char c : code) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() != 6) return std::nullopt;
  const auto key = crypto::Base32Decode(secret_base32);
  if (!key || key->empty()) return std::nullopt;
  const std::int64_t step = ToUnixSeconds(now) / kStepSeconds;
  for (std::int64_t s = step - 1; s <= step + 1; ++s) {
    if (crypto::ConstantTimeEqual(CodeForStep(*key, s), digits)) return s;
  }
  return std::nullopt;
}

std::string TotpUri(std::string_view issuer, std::string_view email, std::string_view secret) {
  return "otpauth://totp/" + PercentEncode(issuer) + ":" + PercentEncode(email) +
         "?secret=" + std::string(secret) + "&issuer=" + PercentEncode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

std::vector<std::string> NewRecoveryCodes() {
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  std::vector<std::string> codes;
  for (int i = 0; i < 10; ++i) {
    std::string code;
    for (int k = 0; k < 8; ++k) {
      if (k == 4) code += '-';
      code += kAlphabet[crypto::RandomBelow(sizeof kAlphabet - 1)];
    }
    codes.push_back(code);
  }
  return codes;
}

std::string HashRecoveryCode(std::string_view code) {
  std::string normal;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    normal += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return crypto::ToHex(crypto::Sha256(normal));
}

}  // namespace pasip::identity
