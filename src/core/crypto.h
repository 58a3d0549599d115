// Cryptographic primitives (libsodium, and OpenSSL for HMAC-SHA1 which TOTP apps expect).
//
// Call InitCrypto() once before any other function (it is idempotent and thread-safe).
// Tokens are URL-safe base64 without padding. All functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pasip::crypto {

void InitCrypto();

// `bytes` random bytes, as URL-safe base64 (no padding).
std::string RandomToken(std::size_t bytes = 32);
std::string RandomBytes(std::size_t bytes);
// Uniform integer in [0, upper).
std::uint32_t RandomBelow(std::uint32_t upper);

// Argon2id (libsodium's crypto_pwhash_str, "interactive" limits): "$argon2id$v=19$…".
// Fails only when the machine is out of memory.
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);

std::string HmacSha256(std::string_view key, std::string_view message);
std::string HmacSha1(std::string_view key, std::string_view message);
std::string Sha256(std::string_view data);
std::string ToHex(std::string_view bytes);
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// RFC 4648 base32 (upper case, no padding), the format of TOTP secrets.
std::string Base32Encode(std::string_view bytes);
std::optional<std::string> Base32Decode(std::string_view text);
std::string Base64UrlEncode(std::string_view bytes);
// Strict: URL-safe alphabet, no padding, no other character, canonical trailing bits.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace pasip::crypto
