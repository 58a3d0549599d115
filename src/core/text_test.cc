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
  EXPECT_FALSE(IsValidUtf8("\xc3"));       // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));   // overlong
  EXPECT_FALSE(IsValidUtf8("a\xe2\x82"));  // truncated 3-byte
}

}  // namespace
}  // namespace pasip::text
