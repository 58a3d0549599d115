#include "core/crypto.h"

#include <gtest/gtest.h>

#include <set>

namespace pasip::crypto {
namespace {

class CryptoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InitCrypto(); }
};

TEST_F(CryptoTest, PasswordsUseArgon2idWithUniqueSalts) {
  const auto a = HashPassword("correct horse battery staple");
  const auto b = HashPassword("correct horse battery staple");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->rfind("$argon2id$", 0), 0u);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(*a, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*a, "correct horse battery stapl"));
  EXPECT_FALSE(VerifyPassword("not a hash", "x"));
}

TEST_F(CryptoTest, Base32RoundTripsAndMatchesRfc4648) {
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Decode("MZXW6YTBOI"), "foobar");
  EXPECT_EQ(Base32Decode("mzxw 6ytb-oi======"), "foobar");
  EXPECT_FALSE(Base32Decode("MZXW1"));  // '1' is not in the alphabet
  const std::string bytes = RandomBytes(20);
  EXPECT_EQ(Base32Decode(Base32Encode(bytes)), bytes);
}

TEST_F(CryptoTest, HmacMatchesRfc4231AndRfc2202) {
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(ToHex(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_F(CryptoTest, TokensAreRandomAndUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = RandomToken(32);
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST_F(CryptoTest, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abcd"));
}

}  // namespace
}  // namespace pasip::crypto
