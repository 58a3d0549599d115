#include "domain/openinghours/holidays.h"

#include <algorithm>
#include <cstdio>

#include "core/clock.h"

namespace pasip::openinghours {

std::int64_t DayNumber(const Date& date) {
  return DaysFromCivilDate(date.year, static_cast<unsigned>(date.month),
                           static_cast<unsigned>(date.day));
}

Date DateFromDayNumber(std::int64_t days) {
  const CivilTime c = CivilFromUnixSeconds(days * 86400);
  return {static_cast<int>(c.year), static_cast<int>(c.month), static_cast<int>(c.day)};
}

int Weekday(const Date& date) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  const std::int64_t n = DayNumber(date);
  return static_cast<int>(((n % 7) + 7 + 3) % 7);
}

std::string FormatDate(const Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date.year, date.month, date.day);
  return buf;
}

bool ParseDate(std::string_view text, Date& out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      parts[p] = parts[p] * 10 + (text[i] - '0');
    }
  }
  const Date date{parts[0], parts[1], parts[2]};
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return false;
  if (DateFromDayNumber(DayNumber(date)) != date) return false;
  out = date;
  return true;
}

std::string DepartmentOfCommune(std::string_view commune_code) {
  if (commune_code.size() < 2) return {};
  if (commune_code.substr(0, 2) == "97" && commune_code.size() >= 3) {
    return std::string(commune_code.substr(0, 3));
  }
  return std::string(commune_code.substr(0, 2));
}

Date EasterSunday(int year) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return {year, month, day};
}

std::vector<PublicHoliday> PublicHolidays(int year, std::string_view department) {
  const std::int64_t easter = DayNumber(EasterSunday(year));
  auto after_easter = [&](int offset) { return DateFromDayNumber(easter + offset); };
  std::vector<PublicHoliday> days = {
      {{year, 1, 1}, "Jour de l'an"},    {after_easter(1), "Lundi de Pâques"},
      {{year, 5, 1}, "Fête du Travail"}, {{year, 5, 8}, "Victoire 1945"},
      {after_easter(39), "Ascension"},   {after_easter(50), "Lundi de Pentecôte"},
      {{year, 7, 14}, "Fête nationale"}, {{year, 8, 15}, "Assomption"},
      {{year, 11, 1}, "Toussaint"},      {{year, 11, 11}, "Armistice 1918"},
      {{year, 12, 25}, "Noël"},
  };
  if (department == "57" || department == "67" || department == "68") {
    days.push_back({after_easter(-2), "Vendredi saint"});
    days.push_back({{year, 12, 26}, "Saint-Étienne"});
  }
  // Abolition of slavery (law of 30 June 1983 and its decrees), per overseas département.
  if (department == "971") days.push_back({{year, 5, 27}, "Abolition de l'esclavage"});
  if (department == "972") days.push_back({{year, 5, 22}, "Abolition de l'esclavage"});
  if (department == "973") days.push_back({{year, 6, 10}, "Abolition de l'esclavage"});
  if (department == "974") days.push_back({{year, 12, 20}, "Abolition de l'esclavage"});
  if (department == "976") days.push_back({{year, 4, 27}, "Abolition de l'esclavage"});
  std::sort(days.begin(), days.end(),
            [](const PublicHoliday& a, const PublicHoliday& b) { return a.date < b.date; });
  return days;
}

bool IsPublicHoliday(const Date& date, std::string_view department) {
  // Fixed dates first: most calls are answered without computing Easter.
  const int md = date.month * 100 + date.day;
  switch (md) {
    case 101:
    case 501:
    case 508:
    case 714:
    case 815:
    case 1101:
    case 1111:
    case 1225:
      return true;
    default:
      break;
  }
  const bool alsace_moselle = department == "57" || department == "67" || department == "68";
  if (alsace_moselle && md == 1226) return true;
  if ((department == "971" && md == 527) || (department == "972" && md == 522) ||
      (department == "973" && md == 610) || (department == "974" && md == 1220) ||
      (department == "976" && md == 427)) {
    return true;
  }
  if (date.month < 3 || date.month > 6) return false;
  const std::int64_t offset = DayNumber(date) - DayNumber(EasterSunday(date.year));
  return offset == 1 || offset == 39 || offset == 50 || (alsace_moselle && offset == -2);
}

bool SchoolHolidays::Contains(const Date& date) const {
  for (const Period& p : periods) {
    if (p.first <= date && date <= p.last) return true;
  }
  return false;
}

}  // namespace pasip::openinghours
