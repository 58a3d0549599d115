#include "core/text.h"

#include <gtest/gtest.h>

namespace pasip::text {
namespace {

TEST(Text, TrimLowerSplit) {
  EXPECT_EQ(Trim("  a b \t\n"), "a b");
  EXPECT_EQ(AsciiLower("Camille.DUPONT@Exemple.FR"), "camille.dupont@exemple.fr");
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
}

TEST(Text, Emails) {
  EXPECT_TRUE(LooksLikeEmail("a.b@exemple.fr"));
  for (const char* bad :
       {"", "a", "a@", "@b.fr", "a@b", "a@b.", "a b@c.fr", "a@@b.fr", "a@.fr", "<a@b.fr>"}) {
    EXPECT_FALSE(LooksLikeEmail(bad)) << bad;
  }
  EXPECT_EQ(NormaliseEmail("  Agent@CCAS.fr "), "agent@ccas.fr");
}

TEST(Text, Utf8) {
  EXPECT_EQ(Utf8Length("éàü"), 3u);
  EXPECT_EQ(Utf8Length("hébergement"), 11u);
  EXPECT_TRUE(IsValidUtf8("Prime d'activité 😀"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("a\xe2\x82"));         // truncated 3-byte
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x99\x82"));   // emoji
}

}  // namespace
}  // namespace pasip::text
