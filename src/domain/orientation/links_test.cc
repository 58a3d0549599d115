// Signed partner links: round trip, tampering, another key, another purpose, expiry, and
// malformed tokens that must fail cleanly.
#include "domain/orientation/links.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/crypto.h"

namespace pasip::orientation {
namespace {

const TimePoint kNow = *ParseIso("2026-11-23T09:00:00Z");
const std::string kKey(32, 'k');

TEST(LinksTest, RoundTrip) {
  std::string token = SignLink(kKey, 42, "Accueil@Asso.example.org", kNow + std::chrono::hours(1));
  auto claim = VerifyLink(kKey, token, kNow);
  ASSERT_TRUE(claim) << claim.error().ToString();
  EXPECT_EQ(claim->orientation_id, 42);
  EXPECT_EQ(claim->address_hash, AddressHash("accueil@asso.example.org"));
  EXPECT_EQ(claim->expires_at, kNow + std::chrono::hours(1));
}

TEST(LinksTest, RefusesTamperedForeignAndExpiredTokens) {
  std::string token = SignLink(kKey, 42, "a@b.fr", kNow + std::chrono::hours(1));
  // Any changed character breaks it.
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    auto r = VerifyLink(kKey, t, kNow);
    ASSERT_FALSE(r) << i;
    EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  }
  EXPECT_FALSE(VerifyLink(std::string(32, 'x'), token, kNow));
  // Another orientation's id with this one's signature.
  std::string forged_payload = crypto::Base64UrlEncode(
      "o1.43." + std::to_string(ToUnixSeconds(kNow) + 3600) + "." + AddressHash("a@b.fr"));
  EXPECT_FALSE(VerifyLink(kKey, forged_payload + token.substr(token.find('.')), kNow));
  // A correctly signed payload of another purpose.
  std::string other =
      "x1.42." + std::to_string(ToUnixSeconds(kNow) + 3600) + "." + AddressHash("a@b.fr");
  EXPECT_FALSE(VerifyLink(kKey,
                          crypto::Base64UrlEncode(other) + "." +
                              crypto::Base64UrlEncode(crypto::HmacSha256(kKey, other)),
                          kNow));
  auto expired = VerifyLink(kKey, token, kNow + std::chrono::hours(1));
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("expiré"), std::string::npos);
}

TEST(LinksTest, MalformedTokensFailCleanly) {
  for (const std::string& bad : std::vector<std::string>{
           "", ".", "..", "a.b", "a.b.c", "====.====", "o1.42.1.x",
           std::string(600, 'A') + "." + std::string(10, 'A'), "é.é", std::string("\0.\0", 3)}) {
    auto r = VerifyLink(kKey, bad, kNow);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  }
  // Correctly signed but badly formed payloads.
  for (const std::string& payload : std::vector<std::string>{
           "o1.042.99999999999.0123456789abcdef", "o1.-1.9999999999.0123456789abcdef",
           "o1.0.9999999999.0123456789abcdef", "o1.42.9999999999.short", "o1.42.x.0123456789abcdef",
           "o1.42.9999999999", ""}) {
    std::string token = crypto::Base64UrlEncode(payload) + "." +
                        crypto::Base64UrlEncode(crypto::HmacSha256(kKey, payload));
    EXPECT_FALSE(VerifyLink(kKey, token, kNow)) << payload;
  }
  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(random() % 80, '\0');
    for (char& c : junk) c = static_cast<char>(random() % 256);
    EXPECT_FALSE(VerifyLink(kKey, junk, kNow));
  }
}

TEST(LinksTest, CodesAreSixDigitsAndHashedWithTheKey) {
  for (int i = 0; i < 100; ++i) {
    std::string code = NewCode();
    ASSERT_EQ(code.size(), 6u);
    EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos);
  }
  EXPECT_EQ(CodeHash(kKey, "123456"), CodeHash(kKey, "123456"));
  EXPECT_NE(CodeHash(kKey, "123456"), CodeHash("autre", "123456"));
  EXPECT_EQ(CodeHash(kKey, "123456").find("123456"), std::string::npos);
}

}  // namespace
}  // namespace pasip::orientation
