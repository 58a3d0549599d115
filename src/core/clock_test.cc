#include "core/clock.h"

#include <gtest/gtest.h>

namespace pasip {
namespace {

TEST(Clock, FormatsAndParsesUtc) {
  const auto t = ParseIso("2026-11-22T10:47:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(ToUnixSeconds(*t), 1795344420);
  EXPECT_EQ(FormatIsoUtc(*t), "2026-11-22T10:47:00Z");
}

TEST(Clock, ParsesOffsetsDatesAndFractions) {
  EXPECT_EQ(ParseIso("2026-11-22T11:47:00+01:00"), ParseIso("2026-11-22T10:47:00Z"));
  EXPECT_EQ(ParseIso("2026-11-22T10:47:00.123Z"), ParseIso("2026-11-22T10:47:00Z"));
  EXPECT_EQ(ParseIso("2026-11-22"), ParseIso("2026-11-22T00:00:00Z"));
  EXPECT_EQ(FormatIsoUtc(*ParseIso("1969-12-31T23:59:59Z")), "1969-12-31T23:59:59Z");
}

TEST(Clock, RejectsMalformedInstants) {
  for (const char* bad :
       {"", "2026", "2026-13-01", "2026-02-30", "2026-11-22T25:00:00Z", "2026-11-22T10:47:00",
        "2026-11-22T10:47:00+0100", "22/11/2026", "2026-11-22T10:47:00Zjunk",
        "2026-11-22T10:47:00.", "1113-01-01", "9999-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseIso(bad)) << bad;
  }
}

TEST(Clock, FormatsParisTimeAcrossDaylightSaving) {
  // Winter: UTC+1.
  EXPECT_EQ(FormatParis(*ParseIso("2026-01-15T08:30:00Z")), "15/01/2026 à 9 h 30");
  // Summer: UTC+2.
  EXPECT_EQ(FormatParis(*ParseIso("2026-07-14T08:30:00Z")), "14/07/2026 à 10 h 30");
  // 2026-03-29 is the last Sunday of March: the switch happens at 01:00 UTC.
  EXPECT_EQ(FormatParis(*ParseIso("2026-03-29T00:59:59Z")), "29/03/2026 à 1 h 59");
  EXPECT_EQ(FormatParis(*ParseIso("2026-03-29T01:00:00Z")), "29/03/2026 à 3 h 00");
  // 2026-10-25 is the last Sunday of October.
  EXPECT_EQ(FormatParis(*ParseIso("2026-10-25T00:59:59Z")), "25/10/2026 à 2 h 59");
  EXPECT_EQ(FormatParis(*ParseIso("2026-10-25T01:00:00Z")), "25/10/2026 à 2 h 00");
}

TEST(Clock, ManualClockMoves) {
  ManualClock clock(*ParseIso("2026-01-01T00:00:00Z"));
  clock.Advance(std::chrono::minutes(31));
  EXPECT_EQ(FormatIsoUtc(clock.Now()), "2026-01-01T00:31:00Z");
  clock.Set(*ParseIso("2030-05-05T05:05:05Z"));
  EXPECT_EQ(FormatIsoUtc(clock.Now()), "2030-05-05T05:05:05Z");
}

TEST(Clock, ConvertsParisCivilTime) {
  // Winter +01:00, summer +02:00; switches on the last Sundays of March and October, 01:00 UTC.
  const CivilTime winter = ToParisCivil(*ParseIso("2026-01-15T12:00:00Z"));
  EXPECT_EQ(winter.hour, 13u);
  const CivilTime summer = ToParisCivil(*ParseIso("2026-07-15T12:00:00Z"));
  EXPECT_EQ(summer.hour, 14u);
  EXPECT_EQ(ParisUtcOffsetSeconds(*ParseIso("2026-03-29T00:59:59Z")), 3600);
  EXPECT_EQ(ParisUtcOffsetSeconds(*ParseIso("2026-03-29T01:00:00Z")), 7200);
  EXPECT_EQ(ParisUtcOffsetSeconds(*ParseIso("2026-10-25T00:59:59Z")), 7200);
  EXPECT_EQ(ParisUtcOffsetSeconds(*ParseIso("2026-10-25T01:00:00Z")), 3600);
  EXPECT_EQ(FromParisCivil({2026, 7, 15, 14, 0, 0}), *ParseIso("2026-07-15T12:00:00Z"));
  // Skipped spring time: read with the winter offset; repeated autumn time: the first one.
  EXPECT_EQ(FromParisCivil({2026, 3, 29, 2, 30, 0}), *ParseIso("2026-03-29T01:30:00Z"));
  EXPECT_EQ(FromParisCivil({2026, 10, 25, 2, 30, 0}), *ParseIso("2026-10-25T00:30:00Z"));
  EXPECT_EQ(DaysFromCivilDate(1970, 1, 1), 0);
  EXPECT_EQ(CivilFromUnixSeconds(86400 * 365).year, 1971);
}

}  // namespace
}  // namespace pasip
