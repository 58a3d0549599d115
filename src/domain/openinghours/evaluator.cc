// Evaluation of parsed rules. A civil day is "painted" minute by minute, rule after rule:
// a normal rule that selects the day replaces what earlier rules said about it, an additional
// rule (`,`) adds to it, and a fallback rule (`||`) fills only the minutes no rule covered.
// Minutes 1440 to 2879 hold what the day's spans say past midnight; they take precedence over
// the next day's own closed minutes, so "Fr 22:00-02:00; Sa off" is open on Saturday 01:00.
#include <array>
#include <cstdint>
#include <cstdio>

#include "domain/openinghours/opening_hours.h"
#include "domain/openinghours/rules.h"

namespace pasip::openinghours {
namespace {

using internal::Rule;
using internal::RuleKind;
using internal::RuleSet;

constexpr int kDay = 1440;
// Painted minute values: no rule said anything, or a State plus one.
constexpr std::uint8_t kUnset = 0;

std::uint8_t Code(State s) { return static_cast<std::uint8_t>(static_cast<int>(s) + 1); }
State FromCode(std::uint8_t c) {
  return c == kUnset ? State::kClosed : static_cast<State>(static_cast<int>(c) - 1);
}

struct Painted {
  std::array<std::uint8_t, 2 * kDay> minutes{};
  bool public_holiday = false;
  std::vector<std::string> comments;
};

int DaysInMonth(int year, int month) {
  static constexpr int kLengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kLengths[month - 1];
}

int IsoWeek(const Date& date) {
  const std::int64_t n = DayNumber(date);
  const std::int64_t thursday = n - Weekday(date) + 3;
  const Date t = DateFromDayNumber(thursday);
  return static_cast<int>((thursday - DayNumber({t.year, 1, 1})) / 7 + 1);
}

bool InCyclicRange(int value, int first, int last, int step) {
  if (first <= last) return value >= first && value <= last && (value - first) % step == 0;
  // Wrapping range such as "week 50-02" or "Sa-Mo".
  return value >= first || value <= last;
}

bool MonthdayMatches(const internal::MonthdayRange& r, const Date& d) {
  const int from_day = r.from.day == 0 ? 1 : r.from.day;
  const int to_day = r.to.day == 0 ? 31 : r.to.day;
  const int key = d.month * 100 + d.day;
  const int from = r.from.month * 100 + from_day;
  const int to = r.to.month * 100 + to_day;
  if (r.from.year != 0) {
    const std::int64_t full = std::int64_t{d.year} * 10000 + key;
    return full >= std::int64_t{r.from.year} * 10000 + from &&
           full <= std::int64_t{r.to.year} * 10000 + to;
  }
  if (from <= to) return key >= from && key <= to;
  return key >= from || key <= to;
}

bool WeekdayMatches(const internal::WeekdayRange& r, const Date& d, int weekday) {
  if (!InCyclicRange(weekday, r.first, r.last, 1)) return false;
  if (r.nth.empty()) return true;
  const int from_start = (d.day - 1) / 7 + 1;
  const int from_end = -((DaysInMonth(d.year, d.month) - d.day) / 7 + 1);
  for (int n : r.nth) {
    if (n == from_start || n == from_end) return true;
  }
  return false;
}

enum class Match { kNo, kYes, kUnknownSchoolHoliday };

Match RuleMatches(const Rule& rule, const Date& d, int weekday, bool public_holiday,
                  const Place& place) {
  if (!rule.years.empty()) {
    bool any = false;
    for (const auto& y : rule.years) any = any || InCyclicRange(d.year, y.first, y.last, y.step);
    if (!any) return Match::kNo;
  }
  if (!rule.monthdays.empty()) {
    bool any = false;
    for (const auto& m : rule.monthdays) any = any || MonthdayMatches(m, d);
    if (!any) return Match::kNo;
  }
  if (!rule.weeks.empty()) {
    const int week = IsoWeek(d);
    bool any = false;
    for (const auto& w : rule.weeks) any = any || InCyclicRange(week, w.first, w.last, w.step);
    if (!any) return Match::kNo;
  }
  const bool has_holiday = rule.public_holiday || rule.school_holiday;
  if (rule.weekdays.empty() && !has_holiday) return Match::kYes;
  bool weekday_match = false;
  for (const auto& w : rule.weekdays)
    weekday_match = weekday_match || WeekdayMatches(w, d, weekday);
  const bool ph = rule.public_holiday && public_holiday;
  bool sh = false;
  bool sh_unknown = false;
  if (rule.school_holiday) {
    if (place.school_holidays != nullptr) {
      sh = place.school_holidays->Contains(d);
    } else {
      sh_unknown = true;
    }
  }
  if (rule.holiday_and_weekday) {
    if (!weekday_match) return Match::kNo;
    if (ph || sh) return Match::kYes;
    return sh_unknown ? Match::kUnknownSchoolHoliday : Match::kNo;
  }
  if (weekday_match || ph || sh) return Match::kYes;
  return sh_unknown ? Match::kUnknownSchoolHoliday : Match::kNo;
}

void Paint(Painted& out, int from, int to, State state, bool only_unset) {
  const std::uint8_t code = Code(state);
  if (to > 2 * kDay) to = 2 * kDay;
  for (int m = from; m < to; ++m) {
    if (!only_unset || out.minutes[m] == kUnset) out.minutes[m] = code;
  }
}

void PaintDay(const RuleSet& set, const Date& d, const Place& place, Painted& out) {
  out.minutes.fill(kUnset);
  out.comments.clear();
  const int weekday = Weekday(d);
  out.public_holiday = IsPublicHoliday(d, place.department);
  bool fallback = false;
  for (const Rule& rule : set.rules) {
    if (rule.kind == RuleKind::kFallback) fallback = true;
    const Match match = RuleMatches(rule, d, weekday, out.public_holiday, place);
    if (match == Match::kNo) continue;
    if (!fallback && rule.kind == RuleKind::kNormal) {
      out.minutes.fill(kUnset);
      out.comments.clear();
    }
    if (!rule.comment.empty()) out.comments.push_back(rule.comment);
    if (match == Match::kUnknownSchoolHoliday) {
      // Whether the day is a school holiday is not known, so neither is the rule's effect.
      Paint(out, 0, kDay, State::kUnknown, fallback);
      continue;
    }
    if (rule.times.empty()) {
      Paint(out, 0, kDay, rule.state, fallback);
      continue;
    }
    for (const auto& span : rule.times) {
      if (span.end > span.start) Paint(out, span.start, span.end, rule.state, fallback);
      if (span.open_end && rule.state != State::kClosed) {
        // "18:00+": open until an unknown time; counted as unknown until the day's end.
        const int from = span.end > span.start ? span.end : span.start;
        if (from < kDay) Paint(out, from, kDay, State::kUnknown, fallback);
      }
    }
  }
}

// A day's final state per minute, merging what the previous day's spans say past midnight.
void Combine(const Painted& previous, const Painted& today,
             std::array<std::uint8_t, kDay>& states) {
  for (int m = 0; m < kDay; ++m) {
    const std::uint8_t spill = previous.minutes[kDay + m];
    const bool spill_counts = spill == Code(State::kOpen) || spill == Code(State::kUnknown);
    states[m] = static_cast<std::uint8_t>(FromCode(spill_counts ? spill : today.minutes[m]));
  }
}

Date AddDays(const Date& d, std::int64_t n) { return DateFromDayNumber(DayNumber(d) + n); }

}  // namespace

std::string_view StateName(State state) {
  switch (state) {
    case State::kOpen:
      return "open";
    case State::kClosed:
      return "closed";
    case State::kUnknown:
      return "unknown";
  }
  return "unknown";
}

State OpeningHours::StateAt(TimePoint instant, const Place& place) const {
  const CivilTime local = ToParisCivil(instant);
  const Date today{static_cast<int>(local.year), static_cast<int>(local.month),
                   static_cast<int>(local.day)};
  const int minute = static_cast<int>(local.hour * 60 + local.minute);
  Painted previous, current;
  PaintDay(*rules_, AddDays(today, -1), place, previous);
  const std::uint8_t spill = previous.minutes[kDay + minute];
  if (spill == Code(State::kOpen) || spill == Code(State::kUnknown)) return FromCode(spill);
  PaintDay(*rules_, today, place, current);
  return FromCode(current.minutes[minute]);
}

std::optional<TimePoint> OpeningHours::NextChange(TimePoint instant, const Place& place) const {
  const CivilTime local = ToParisCivil(instant);
  Date day{static_cast<int>(local.year), static_cast<int>(local.month),
           static_cast<int>(local.day)};
  int from_minute = static_cast<int>(local.hour * 60 + local.minute) + 1;
  const State now = StateAt(instant, place);
  const TimePoint limit = instant + std::chrono::hours(24 * 366);
  Painted previous, current;
  PaintDay(*rules_, AddDays(day, -1), place, previous);
  std::array<std::uint8_t, kDay> states;
  for (int i = 0; i <= 367; ++i) {
    PaintDay(*rules_, day, place, current);
    Combine(previous, current, states);
    for (int m = from_minute; m < kDay; ++m) {
      if (static_cast<State>(states[m]) == now) continue;
      CivilTime at;
      at.year = day.year;
      at.month = static_cast<unsigned>(day.month);
      at.day = static_cast<unsigned>(day.day);
      at.hour = static_cast<unsigned>(m / 60);
      at.minute = static_cast<unsigned>(m % 60);
      TimePoint change = FromParisCivil(at);
      // In the repeated autumn hour the wall time may first map before `instant`.
      if (change <= instant) change += std::chrono::hours(1);
      if (change <= instant) continue;
      if (change > limit) return std::nullopt;
      return change;
    }
    from_minute = 0;
    std::swap(previous, current);
    day = AddDays(day, 1);
  }
  return std::nullopt;
}

DaySchedule OpeningHours::Day(const Date& date, const Place& place) const {
  Painted painted;
  PaintDay(*rules_, date, place, painted);
  DaySchedule out;
  out.date = date;
  out.public_holiday = painted.public_holiday;
  out.comments = painted.comments;
  int m = 0;
  while (m < 2 * kDay) {
    const State s = FromCode(painted.minutes[m]);
    int end = m + 1;
    while (end < 2 * kDay && FromCode(painted.minutes[end]) == s) ++end;
    if (s != State::kClosed && m < kDay) out.spans.push_back({m, end, s});
    m = end;
  }
  return out;
}

std::vector<DaySchedule> OpeningHours::Week(const Date& date, const Place& place) const {
  const Date monday = AddDays(date, -Weekday(date));
  std::vector<DaySchedule> week;
  for (int i = 0; i < 7; ++i) week.push_back(Day(AddDays(monday, i), place));
  return week;
}

std::string FormatTimeFr(int minutes) {
  if (minutes > kDay) minutes -= kDay;
  char buf[16];
  if (minutes % 60 == 0) {
    std::snprintf(buf, sizeof buf, "%d h", minutes / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%d h %02d", minutes / 60, minutes % 60);
  }
  return buf;
}

std::string FormatDayFr(const DaySchedule& day) {
  static constexpr const char* kNames[7] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                            "vendredi", "samedi", "dimanche"};
  std::string line = std::string(kNames[Weekday(day.date)]) + " : ";
  if (day.spans.empty()) {
    line += "fermé";
  } else if (day.spans.size() == 1 && day.spans[0].start == 0 && day.spans[0].end >= kDay) {
    line += day.spans[0].state == State::kOpen ? "ouvert 24 h sur 24" : "horaires à confirmer";
  } else {
    for (std::size_t i = 0; i < day.spans.size(); ++i) {
      if (i > 0) line += ", ";
      line += FormatTimeFr(day.spans[i].start) + " – " + FormatTimeFr(day.spans[i].end);
      if (day.spans[i].state == State::kUnknown) line += " (à confirmer)";
    }
  }
  if (day.public_holiday) line += " (jour férié)";
  for (const auto& comment : day.comments) line += " — " + comment;
  return line;
}

std::vector<std::string> FormatWeekFr(const std::vector<DaySchedule>& week) {
  std::vector<std::string> lines;
  for (const auto& day : week) lines.push_back(FormatDayFr(day));
  return lines;
}

}  // namespace pasip::openinghours
