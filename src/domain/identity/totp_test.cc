#include "domain/identity/totp.h"

#include <gtest/gtest.h>

#include <set>

#include "core/crypto.h"

namespace pasip::identity {
namespace {

// RFC 6238 appendix B, SHA-1 key "12345678901234567890", truncated to 6 digits. (The vector
// for T = 20000000000 is left out: year 2603 overflows the nanosecond system clock.)
const std::string kRfcSecret = crypto::Base32Encode("12345678901234567890");

TEST(Totp, MatchesRfc6238Vectors) {
  EXPECT_EQ(TotpCode(kRfcSecret, FromUnixSeconds(59)), "287082");
  EXPECT_EQ(TotpCode(kRfcSecret, FromUnixSeconds(1111111109)), "081804");
  EXPECT_EQ(TotpCode(kRfcSecret, FromUnixSeconds(1111111111)), "050471");
  EXPECT_EQ(TotpCode(kRfcSecret, FromUnixSeconds(1234567890)), "005924");
  EXPECT_EQ(TotpCode(kRfcSecret, FromUnixSeconds(2000000000)), "279037");
}

TEST(Totp, AcceptsOneStepOfDriftOnly) {
  const TimePoint now = FromUnixSeconds(1111111111);
  const std::string previous = TotpCode(kRfcSecret, now - std::chrono::seconds(30));
  const std::string next = TotpCode(kRfcSecret, now + std::chrono::seconds(30));
  const std::string old = TotpCode(kRfcSecret, now - std::chrono::seconds(90));
  EXPECT_TRUE(VerifyTotp(kRfcSecret, previous, now));
  EXPECT_TRUE(VerifyTotp(kRfcSecret, next, now));
  EXPECT_FALSE(VerifyTotp(kRfcSecret, old, now));
  EXPECT_EQ(VerifyTotp(kRfcSecret, "050 471", now), 1111111111 / 30);
}

TEST(Totp, RejectsMalformedCodesAndSecrets) {
  const TimePoint now = FromUnixSeconds(1111111111);
  for (const char* bad : {"", "12345", "1234567", "abcdef", "05047a"}) {
    EXPECT_FALSE(VerifyTotp(kRfcSecret, bad, now)) << bad;
  }
  EXPECT_FALSE(VerifyTotp("", "050471", now));
  EXPECT_FALSE(VerifyTotp("!!!!", "050471", now));
}

TEST(Totp, UriAndSecrets) {
  crypto::InitCrypto();
  const std::string secret = NewTotpSecret();
  EXPECT_EQ(secret.size(), 32u);
  EXPECT_EQ(TotpUri("Accueil social 35", "agent@exemple.fr", secret),
            "otpauth://totp/Accueil%20social%2035:agent@exemple.fr?secret=" + secret +
                "&issuer=Accueil%20social%2035&algorithm=SHA1&digits=6&period=30");
}

TEST(Totp, RecoveryCodesAreDistinctAndNormalisedWhenHashed) {
  crypto::InitCrypto();
  const auto codes = NewRecoveryCodes();
  ASSERT_EQ(codes.size(), 10u);
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 10u);
  for (const auto& c : codes) EXPECT_EQ(c.size(), 9u);
  EXPECT_EQ(HashRecoveryCode("abcd-efgh"), HashRecoveryCode("ABCDEFGH"));
  EXPECT_NE(HashRecoveryCode("abcd-efgh"), HashRecoveryCode("abcd-efgj"));
}

}  // namespace
}  // namespace pasip::identity
