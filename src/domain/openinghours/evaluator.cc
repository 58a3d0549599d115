// Evaluation of parsed rules, per civil day and rule after rule, in the order written (as the
// OSM opening_hours specification and the reference implementation do):
// - a normal rule (`;`) that selects a day replaces everything earlier rules said about that
//   day, including the hours spilling over from the previous day's spans past midnight, so
//   "Fr 22:00-02:00; Sa off" is closed on Saturday 01:00;
// - an additional rule (`,`) only paints its own spans over what is there ("Fr 22:00-02:00,
//   Sa 10:00-12:00" stays open on Saturday 01:00, "Fr 22:00-02:00, Sa off" does not);
// - a fallback rule (`||`) fills only the minutes no rule covered.
// A rule whose spans run past midnight paints the part past midnight on the next day, at its
// place in the rule order, when it selects the previous day.
// The display schedule (Day, Week) keeps each day's own spans, past midnight included.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

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

using DayStates = std::array<std::uint8_t, kDay>;

void PaintStates(DayStates& out, int from, int to, State state, bool only_unset) {
  const std::uint8_t code = Code(state);
  from = std::max(from, 0);
  to = std::min(to, kDay);
  for (int m = from; m < to; ++m) {
    if (!only_unset || out[m] == kUnset) out[m] = code;
  }
}

bool RuleSpills(const Rule& rule) {
  for (const auto& span : rule.times) {
    if (span.end > kDay) return true;
  }
  return false;
}

bool UsesPublicHolidays(const RuleSet& set) {
  for (const Rule& rule : set.rules) {
    if (rule.public_holiday) return true;
  }
  return false;
}

// Whether the schedule is the same every week: no rule depends on dates, months, years,
// ISO weeks, the n-th weekday of a month, public or school holidays.
bool RepeatsWeekly(const RuleSet& set) {
  for (const Rule& rule : set.rules) {
    if (!rule.years.empty() || !rule.monthdays.empty() || !rule.weeks.empty() ||
        rule.public_holiday || rule.school_holiday) {
      return false;
    }
    for (const auto& w : rule.weekdays) {
      if (!w.nth.empty()) return false;
    }
  }
  return true;
}

// The state of each minute of the civil day `d` (see the header comment for the rule order).
void EvalDay(const RuleSet& set, const Date& d, const Place& place, bool uses_ph, DayStates& out) {
  out.fill(kUnset);
  const int weekday = Weekday(d);
  const bool ph = uses_ph && IsPublicHoliday(d, place.department);
  const Date prev = AddDays(d, -1);
  const int prev_weekday = Weekday(prev);
  int prev_ph = -1;  // computed when first needed
  bool fallback = false;
  for (const Rule& rule : set.rules) {
    if (rule.kind == RuleKind::kFallback) fallback = true;
    const Match own = RuleMatches(rule, d, weekday, ph, place);
    Match spill = Match::kNo;
    if (RuleSpills(rule)) {
      if (prev_ph < 0) prev_ph = uses_ph && IsPublicHoliday(prev, place.department) ? 1 : 0;
      spill = RuleMatches(rule, prev, prev_weekday, prev_ph == 1, place);
    }
    if (own == Match::kNo && spill == Match::kNo) continue;
    if (own != Match::kNo && !fallback && rule.kind == RuleKind::kNormal) out.fill(kUnset);
    if (own == Match::kUnknownSchoolHoliday) {
      // Whether the day is a school holiday is not known, so neither is the rule's effect.
      PaintStates(out, 0, kDay, State::kUnknown, fallback);
    } else if (own == Match::kYes) {
      if (rule.times.empty()) PaintStates(out, 0, kDay, rule.state, fallback);
      for (const auto& span : rule.times) {
        if (span.end > span.start) PaintStates(out, span.start, span.end, rule.state, fallback);
        if (span.open_end && rule.state != State::kClosed) {
          // "18:00+": open until an unknown time; counted as unknown until the day's end.
          const int from = span.end > span.start ? span.end : span.start;
          PaintStates(out, from, kDay, State::kUnknown, fallback);
        }
      }
    }
    if (spill != Match::kNo) {
      const State state = spill == Match::kYes ? rule.state : State::kUnknown;
      for (const auto& span : rule.times) {
        if (span.end > kDay) {
          PaintStates(out, std::max(span.start, kDay) - kDay, span.end - kDay, state, fallback);
        }
      }
    }
  }
  // Minutes no rule covered are closed; one code per state makes the days comparable bytewise.
  for (auto& c : out) c = c == kUnset ? Code(State::kClosed) : c;
}

namespace {

// A whole day in the state of `code`.
const DayStates& Uniform(std::uint8_t code) {
  static const std::array<DayStates, 4> kDays = [] {
    std::array<DayStates, 4> days;
    for (std::size_t i = 0; i < days.size(); ++i) days[i].fill(static_cast<std::uint8_t>(i));
    return days;
  }();
  return kDays[code & 3];
}

Date NextDate(const Date& d) {
  if (d.day < DaysInMonth(d.year, d.month)) return {d.year, d.month, d.day + 1};
  if (d.month < 12) return {d.year, d.month + 1, 1};
  return {d.year + 1, 1, 1};
}

Date LocalDate(const CivilTime& local) {
  return {static_cast<int>(local.year), static_cast<int>(local.month), static_cast<int>(local.day)};
}

// The instants whose Paris wall time is `minute` of the day `d`: none in the spring gap, two
// in the repeated autumn hour, one otherwise.
void AddWallInstants(const Date& d, int minute, std::vector<TimePoint>& out) {
  const std::int64_t wall = DayNumber(d) * 86400 + std::int64_t{minute} * 60;
  for (const std::int64_t offset : {7200, 3600}) {
    const TimePoint t = FromUnixSeconds(wall - offset);
    if (ParisUtcOffsetSeconds(t) == offset) out.push_back(t);
  }
}

// The instant of a change of UTC offset during the civil day `d`, if any (the end of the
// spring gap, or the start of the repeated autumn hour).
std::optional<TimePoint> OffsetChange(const Date& d) {
  // Europe/Paris changes its offset only in March and October (see core/clock.h).
  if (d.month != 3 && d.month != 10) return std::nullopt;
  const std::int64_t midnight = DayNumber(d) * 86400 - 7200;  // at or before local midnight
  const std::int64_t first = ParisUtcOffsetSeconds(FromUnixSeconds(midnight));
  if (ParisUtcOffsetSeconds(FromUnixSeconds(midnight + 26 * 3600)) == first) return std::nullopt;
  for (int h = 1; h <= 26; ++h) {
    const TimePoint t = FromUnixSeconds(midnight + std::int64_t{h} * 3600);
    if (ParisUtcOffsetSeconds(t) != first) {
      if (LocalDate(ToParisCivil(t)) == d) return t;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

State OpeningHours::StateAt(TimePoint instant, const Place& place) const {
  const CivilTime local = ToParisCivil(instant);
  DayStates states;
  EvalDay(*rules_, LocalDate(local), place, UsesPublicHolidays(*rules_), states);
  return FromCode(states[local.hour * 60 + local.minute]);
}

// Every instant is read through its Paris wall time (as StateAt does): in the repeated autumn
// hour both occurrences have the state of that wall time, and a change written at a wall time
// of the spring gap happens at the end of the gap. Candidates are the instants of the wall
// times where a day's state changes, plus the offset change itself; the first candidate whose
// state really differs from the current one is the answer.
std::optional<TimePoint> OpeningHours::NextChange(TimePoint instant, const Place& place) const {
  const RuleSet& set = *rules_;
  const bool uses_ph = UsesPublicHolidays(set);
  const bool weekly = RepeatsWeekly(set);
  const CivilTime local = ToParisCivil(instant);
  Date day = LocalDate(local);
  const TimePoint limit = instant + std::chrono::hours(24 * 366);
  DayStates previous, current;
  EvalDay(set, AddDays(day, -1), place, uses_ph, previous);
  EvalDay(set, day, place, uses_ph, current);
  const State now = FromCode(current[local.hour * 60 + local.minute]);
  std::vector<TimePoint> candidates;
  for (int i = 0; i <= 367; ++i) {
    if (i > 0) EvalDay(set, day, place, uses_ph, current);
    candidates.clear();
    std::uint8_t before = previous[kDay - 1];
    // Most days hold one state all day long: compare them wholesale first.
    if (std::memcmp(current.data(), Uniform(before).data(), kDay) != 0) {
      for (int m = 0; m < kDay; ++m) {
        if (current[m] != before) AddWallInstants(day, m, candidates);
        before = current[m];
      }
    }
    if (const auto shift = OffsetChange(day)) candidates.push_back(*shift);
    std::sort(candidates.begin(), candidates.end());
    for (const TimePoint t : candidates) {
      if (t <= instant) continue;
      if (t > limit) return std::nullopt;
      const CivilTime at = ToParisCivil(t);
      const int minute = static_cast<int>(at.hour * 60 + at.minute);
      State state;
      if (LocalDate(at) == day) {
        state = FromCode(current[minute]);
      } else {
        state = StateAt(t, place);
      }
      if (state != now) return t;
    }
    // A weekly schedule with no change in eight whole days never changes.
    if (weekly && i >= 8) return std::nullopt;
    std::swap(previous, current);
    day = NextDate(day);
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
