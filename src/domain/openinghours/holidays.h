// French public holidays (jours fériés), computed for any year, and the school-holiday
// calendar a caller may provide.
//
// The national list applies everywhere; Alsace-Moselle (départements 57, 67, 68) adds Good
// Friday and 26 December; each overseas département adds its abolition-of-slavery day. The
// département comes from the commune's INSEE code. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pasip::openinghours {

// A civil date; days are counted from 1970-01-01 where arithmetic is needed.
struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  friend bool operator==(const Date&, const Date&) = default;
  friend auto operator<=>(const Date&, const Date&) = default;
};

std::int64_t DayNumber(const Date& date);
Date DateFromDayNumber(std::int64_t days);
// 0 = Monday … 6 = Sunday.
int Weekday(const Date& date);
// "2026-03-02"; ParseDate accepts only that shape and returns false otherwise.
std::string FormatDate(const Date& date);
bool ParseDate(std::string_view text, Date& out);

// The département of a commune INSEE code ("57463" → "57", "97411" → "974", "2A004" →
// "2A"); empty when the code is too short.
std::string DepartmentOfCommune(std::string_view commune_code);

// Easter Sunday (Gregorian computus).
Date EasterSunday(int year);

struct PublicHoliday {
  Date date;
  std::string name;  // French, e.g. "Lundi de Pâques"
};

// The public holidays of `year` in `department` (empty: the national list only), by date.
std::vector<PublicHoliday> PublicHolidays(int year, std::string_view department);
bool IsPublicHoliday(const Date& date, std::string_view department);

// School holidays (vacances scolaires) as inclusive date ranges, for the zone of the place.
// Known only when the caller provides it; without it, `SH` rules evaluate to "unknown".
struct SchoolHolidays {
  struct Period {
    Date first;
    Date last;
  };
  std::vector<Period> periods;

  bool Contains(const Date& date) const;
};

}  // namespace pasip::openinghours
