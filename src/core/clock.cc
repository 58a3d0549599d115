#include "core/clock.h"

#include <cstdio>

namespace pasip {
namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second;
};

Civil CivilFromSeconds(std::int64_t s) {
  std::int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  std::int64_t rem = s - days * 86400;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  return {y,
          m,
          d,
          static_cast<unsigned>(rem / 3600),
          static_cast<unsigned>(rem % 3600 / 60),
          static_cast<unsigned>(rem % 60)};
}

// Unix seconds of the last Sunday of `month` in `year`, at 01:00 UTC (EU DST switch).
std::int64_t LastSundayOneUtc(std::int64_t year, unsigned month) {
  const unsigned last_day = month == 3 ? 31 : 31;  // March and October both have 31 days
  std::int64_t days = DaysFromCivil(year, month, last_day);
  const std::int64_t weekday = ((days % 7) + 11) % 7;  // 0 = Sunday; 1970-01-01 was a Thursday
  days -= weekday;
  return days * 86400 + 3600;
}

bool ParseDigits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::int64_t ToUnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count();
}

TimePoint FromUnixSeconds(std::int64_t s) { return TimePoint(Seconds(s)); }

std::string FormatIsoUtc(TimePoint t) {
  const Civil c = CivilFromSeconds(ToUnixSeconds(t));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(c.year),
                c.month, c.day, c.hour, c.minute, c.second);
  return buf;
}

std::optional<TimePoint> ParseIso(std::string_view text) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (!ParseDigits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' ||
      !ParseDigits(text, 5, 2, mo) || text[7] != '-' || !ParseDigits(text, 8, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  // Instants are nanoseconds in 64 bits (until 2262): keep to years a social file can mean.
  if (y < 1900 || y > 2200) return std::nullopt;
  std::int64_t offset = 0;
  if (text.size() > 10) {
    if ((text[10] != 'T' && text[10] != ' ') || text.size() < 19 || !ParseDigits(text, 11, 2, h) ||
        text[13] != ':' || !ParseDigits(text, 14, 2, mi) || text[16] != ':' ||
        !ParseDigits(text, 17, 2, s)) {
      return std::nullopt;
    }
    if (h > 23 || mi > 59 || s > 60) return std::nullopt;
    std::string_view zone = text.substr(19);
    if (!zone.empty() && zone[0] == '.') {  // fractional seconds are ignored
      std::size_t i = 1;
      while (i < zone.size() && zone[i] >= '0' && zone[i] <= '9') ++i;
      if (i == 1) return std::nullopt;
      zone = zone.substr(i);
    }
    if (zone == "Z") {
      offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
      int oh, om;
      if (!ParseDigits(zone, 1, 2, oh) || !ParseDigits(zone, 4, 2, om)) return std::nullopt;
      offset = (oh * 3600 + om * 60) * (zone[0] == '+' ? 1 : -1);
    } else {
      return std::nullopt;
    }
  }
  const std::int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  // Reject dates such as 31 February that would roll over.
  const Civil check = CivilFromSeconds(days * 86400);
  if (check.month != static_cast<unsigned>(mo) || check.day != static_cast<unsigned>(d)) {
    return std::nullopt;
  }
  return FromUnixSeconds(days * 86400 + h * 3600 + mi * 60 + s - offset);
}

std::int64_t DaysFromCivilDate(std::int64_t year, unsigned month, unsigned day) {
  return DaysFromCivil(year, month, day);
}

CivilTime CivilFromUnixSeconds(std::int64_t seconds) {
  const Civil c = CivilFromSeconds(seconds);
  return {c.year, c.month, c.day, c.hour, c.minute, c.second};
}

std::int64_t ParisUtcOffsetSeconds(TimePoint t) {
  const std::int64_t utc = ToUnixSeconds(t);
  const std::int64_t year = CivilFromSeconds(utc).year;
  const bool summer = utc >= LastSundayOneUtc(year, 3) && utc < LastSundayOneUtc(year, 10);
  return summer ? 7200 : 3600;
}

CivilTime ToParisCivil(TimePoint t) {
  return CivilFromUnixSeconds(ToUnixSeconds(t) + ParisUtcOffsetSeconds(t));
}

TimePoint FromParisCivil(const CivilTime& local) {
  const std::int64_t wall = DaysFromCivil(local.year, local.month, local.day) * 86400 +
                            local.hour * 3600 + local.minute * 60 + local.second;
  // Try summer time first so that a repeated autumn hour gives its first occurrence.
  for (const std::int64_t offset : {7200, 3600}) {
    const TimePoint candidate = FromUnixSeconds(wall - offset);
    if (ParisUtcOffsetSeconds(candidate) == offset) return candidate;
  }
  return FromUnixSeconds(wall - 3600);
}

std::string FormatParis(TimePoint t) {
  const CivilTime c = ToParisCivil(t);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04lld à %u h %02u", c.day, c.month,
                static_cast<long long>(c.year), c.hour, c.minute);
  return buf;
}

}  // namespace pasip
