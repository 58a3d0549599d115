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
// StateAt and NextChange hold a day as a short sorted list of constant-state segments (not
// one value per minute) and NextChange walks their boundaries; Paris offsets are derived from
// day numbers (same rule as core/clock.h); rule-set flags are computed once at parse time.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
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

namespace internal {

void Finalise(RuleSet& set) {
  set.uses_public_holidays = false;
  set.repeats_weekly = true;
  set.any_spills = false;
  for (Rule& rule : set.rules) {
    rule.spills = false;
    for (const auto& span : rule.times) rule.spills = rule.spills || span.end > kDay;
    set.any_spills = set.any_spills || rule.spills;
    set.uses_public_holidays = set.uses_public_holidays || rule.public_holiday;
    // The same every week: no rule depends on dates, months, years, ISO weeks, the n-th
    // weekday of a month, public or school holidays.
    if (!rule.years.empty() || !rule.monthdays.empty() || !rule.weeks.empty() ||
        rule.public_holiday || rule.school_holiday) {
      set.repeats_weekly = false;
    }
    for (const auto& w : rule.weekdays) {
      if (!w.nth.empty()) set.repeats_weekly = false;
    }
  }
}

}  // namespace internal

namespace {

// A day's states as a piecewise-constant function of the minute: segment i covers the
// minutes [segs[i].start, segs[i + 1].start) (the last one up to the day's end); the first
// starts at 0 and two neighbours never hold the same code.
struct Segment {
  std::int16_t start;  // no initialisers: the inline buffers stay uninitialised
  std::uint8_t code;
};

// A list of segments, inline up to a size most days never reach (no allocation then).
class Segments {
 public:
  Segments() = default;
  Segments(const Segments&) = delete;
  Segments& operator=(const Segments&) = delete;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Segment& operator[](std::size_t i) const { return data_[i]; }
  const Segment& back() const { return data_[size_ - 1]; }
  const Segment* begin() const { return data_; }
  const Segment* end() const { return data_ + size_; }
  void clear() { size_ = 0; }
  void push_back(Segment s) {
    if (size_ == capacity_) Grow();
    data_[size_++] = s;
  }

 private:
  void Grow() {
    std::vector<Segment> bigger(capacity_ * 2);
    std::copy(data_, data_ + size_, bigger.begin());
    heap_.swap(bigger);
    data_ = heap_.data();
    capacity_ = heap_.size();
  }

  static constexpr std::size_t kInline = 32;
  Segment inline_[kInline];
  std::vector<Segment> heap_;
  Segment* data_ = inline_;
  std::size_t size_ = 0;
  std::size_t capacity_ = kInline;
};

class DayStates {
 public:
  const Segments& segs() const { return buf_[cur_]; }
  Segments& segs() { return buf_[cur_]; }
  Segments& scratch() { return buf_[1 - cur_]; }
  void Flip() { cur_ = 1 - cur_; }  // the scratch becomes the segments
  void Fill(std::uint8_t code) {
    segs().clear();
    segs().push_back({0, code});
  }
  std::uint8_t At(int minute) const {
    const Segments& s = segs();
    std::size_t i = s.size() - 1;
    while (s[i].start > minute) --i;
    return s[i].code;
  }

 private:
  Segments buf_[2];
  int cur_ = 0;
};

void Append(Segments& out, int start, std::uint8_t code) {
  if (!out.empty() && out.back().code == code) return;
  out.push_back({static_cast<std::int16_t>(start), code});
}

// Paints the minutes [from, to) of the day (clamped to it) with `state`; with `only_unset`,
// only those no rule covered yet.
void PaintStates(DayStates& out, int from, int to, State state, bool only_unset) {
  from = std::max(from, 0);
  to = std::min(to, kDay);
  if (from >= to) return;
  const std::uint8_t code = Code(state);
  const Segments& segs = out.segs();
  Segments& next = out.scratch();
  next.clear();
  const std::size_t n = segs.size();
  for (std::size_t i = 0; i < n; ++i) {
    const int s = segs[i].start;
    const int e = i + 1 < n ? segs[i + 1].start : kDay;
    const std::uint8_t c = segs[i].code;
    if (e <= from || s >= to) {
      Append(next, s, c);
      continue;
    }
    if (s < from) Append(next, s, c);
    Append(next, std::max(s, from), only_unset && c != kUnset ? c : code);
    if (e > to) Append(next, to, c);
  }
  out.Flip();
}

// A civil day with what the rules ask of it, computed once.
struct DayInfo {
  Date date;
  std::int64_t number = 0;  // DayNumber(date)
  int weekday = 0;
  bool public_holiday = false;
};

DayInfo MakeDayInfo(const RuleSet& set, const Date& d, std::int64_t number, const Place& place) {
  // 1970-01-01 was a Thursday (3 with Monday = 0), as in Weekday.
  const int weekday = static_cast<int>(((number % 7) + 7 + 3) % 7);
  return {d, number, weekday, set.uses_public_holidays && IsPublicHoliday(d, place.department)};
}

Date PrevDate(const Date& d) {
  if (d.day > 1) return {d.year, d.month, d.day - 1};
  if (d.month > 1) return {d.year, d.month - 1, DaysInMonth(d.year, d.month - 1)};
  return {d.year - 1, 12, 31};
}

Date NextDate(const Date& d) {
  if (d.day < DaysInMonth(d.year, d.month)) return {d.year, d.month, d.day + 1};
  if (d.month < 12) return {d.year, d.month + 1, 1};
  return {d.year + 1, 1, 1};
}

DayInfo PrevDay(const RuleSet& set, const DayInfo& d, const Place& place) {
  return MakeDayInfo(set, PrevDate(d.date), d.number - 1, place);
}

DayInfo NextDay(const RuleSet& set, const DayInfo& d, const Place& place) {
  return MakeDayInfo(set, NextDate(d.date), d.number + 1, place);
}

// The state of each minute of the civil day `day` (see the header comment for the rule
// order); `prev` is the day before (its date and weekday, public holiday or not).
void EvalDay(const RuleSet& set, const DayInfo& day, const DayInfo& prev, const Place& place,
             DayStates& out) {
  out.Fill(kUnset);
  bool fallback = false;
  for (const Rule& rule : set.rules) {
    if (rule.kind == RuleKind::kFallback) fallback = true;
    const Match own = RuleMatches(rule, day.date, day.weekday, day.public_holiday, place);
    Match spill = Match::kNo;
    if (rule.spills) {
      spill = RuleMatches(rule, prev.date, prev.weekday, prev.public_holiday, place);
    }
    if (own == Match::kNo && spill == Match::kNo) continue;
    if (own != Match::kNo && !fallback && rule.kind == RuleKind::kNormal) out.Fill(kUnset);
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
  // Minutes no rule covered are closed.
  Segments& merged = out.scratch();
  merged.clear();
  for (const Segment& s : out.segs()) {
    Append(merged, s.start, s.code == kUnset ? Code(State::kClosed) : s.code);
  }
  out.Flip();
}

// Evaluates the civil day `day` alone (its previous day only as far as spans spill over).
void EvalDate(const RuleSet& set, const DayInfo& day, const Place& place, DayStates& out) {
  DayInfo prev;
  if (set.any_spills) prev = PrevDay(set, day, place);
  EvalDay(set, day, prev, place, out);
}

// Europe/Paris time, as core/clock.h defines it (ParisUtcOffsetSeconds): summer time (UTC+2)
// from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October, the
// year being the UTC one; winter time (UTC+1) otherwise. Computed here from day numbers,
// without the civil conversions of the general functions.

// The day of the month of the last Sunday of March or October (31-day months) of `year`.
int LastSunday(int year, int month) { return 31 - (Weekday({year, month, 31}) + 1) % 7; }

// The instant (Unix seconds) of the offset change on the civil day `d`, an offset change day.
std::int64_t ChangeSeconds(std::int64_t day_number) { return day_number * 86400 + 3600; }

// Whether the civil day `d` (whose weekday is `weekday`) is one where Europe/Paris changes
// its UTC offset: the last Sunday of March or of October.
bool IsOffsetChangeDay(const Date& d, int weekday) {
  return (d.month == 3 || d.month == 10) && d.day >= 25 && weekday == 6;
}

// The UTC offset of every instant of the civil day `d`, which is not an offset change day:
// summer time from the day after the last Sunday of March to the last Sunday of October.
std::int64_t DayOffsetSeconds(const Date& d) {
  if (d.month > 3 && d.month < 10) return 7200;
  if (d.month != 3 && d.month != 10) return 3600;
  const int last = LastSunday(d.year, d.month);
  if (d.month == 3) return d.day > last ? 7200 : 3600;
  return d.day < last ? 7200 : 3600;
}

// The UTC offset at `utc` seconds, which lies within two hours of the offset change day `d`.
std::int64_t ChangeDayOffsetSeconds(const DayInfo& d, std::int64_t utc) {
  const bool after = utc >= ChangeSeconds(d.number);
  return (d.date.month == 3) == after ? 7200 : 3600;
}

// Paris civil date and minute of the day of `instant` (ToParisCivil, one civil conversion).
struct ParisLocal {
  Date date;
  std::int64_t number = 0;  // DayNumber(date)
  int minute = 0;
};

ParisLocal ToParisLocal(TimePoint instant) {
  const std::int64_t utc = ToUnixSeconds(instant);
  const std::int64_t days = utc >= 0 ? utc / 86400 : (utc - 86399) / 86400;
  Date date = DateFromDayNumber(days);
  std::int64_t offset = 3600;
  if (date.month > 3 && date.month < 10) {
    offset = 7200;
  } else if (date.month == 3 || date.month == 10) {
    const std::int64_t change =
        (DayNumber({date.year, date.month, LastSunday(date.year, date.month)})) * 86400 + 3600;
    offset = (date.month == 3) == (utc >= change) ? 7200 : 3600;
  }
  std::int64_t seconds = utc - days * 86400 + offset;
  if (seconds >= 86400) {
    seconds -= 86400;
    date = NextDate(date);
    return {date, days + 1, static_cast<int>(seconds / 60)};
  }
  return {date, days, static_cast<int>(seconds / 60)};
}

// A candidate instant of the day being searched and its Paris wall-clock minute.
struct Candidate {
  TimePoint at;
  int minute = 0;
  friend bool operator<(const Candidate& a, const Candidate& b) { return a.at < b.at; }
};

// The instants whose Paris wall time is `minute` of the day `d`: none in the spring gap, two
// in the repeated autumn hour, one otherwise. `offset` is the day's UTC offset, or 0 on an
// offset change day.
void AddWallInstants(const DayInfo& d, std::int64_t offset, int minute,
                     std::vector<Candidate>& out) {
  const std::int64_t wall = d.number * 86400 + std::int64_t{minute} * 60;
  if (offset != 0) {
    out.push_back({FromUnixSeconds(wall - offset), minute});
    return;
  }
  for (const std::int64_t o : {7200, 3600}) {
    if (ChangeDayOffsetSeconds(d, wall - o) == o)
      out.push_back({FromUnixSeconds(wall - o), minute});
  }
}

State StateOf(const RuleSet& set, TimePoint instant, const Place& place, DayStates& scratch) {
  const ParisLocal local = ToParisLocal(instant);
  EvalDate(set, MakeDayInfo(set, local.date, local.number, place), place, scratch);
  return FromCode(scratch.At(local.minute));
}

}  // namespace

State OpeningHours::StateAt(TimePoint instant, const Place& place) const {
  DayStates states;
  return StateOf(*rules_, instant, place, states);
}

// Every instant is read through its Paris wall time (as StateAt does): in the repeated autumn
// hour both occurrences have the state of that wall time, and a change written at a wall time
// of the spring gap happens at the end of the gap. Candidates are the instants of the wall
// times where a day's state changes, plus the offset change itself; the first candidate whose
// state really differs from the current one is the answer.
std::optional<TimePoint> OpeningHours::NextChange(TimePoint instant, const Place& place) const {
  const RuleSet& set = *rules_;
  const ParisLocal local = ToParisLocal(instant);
  DayInfo day = MakeDayInfo(set, local.date, local.number, place);
  DayInfo prev = PrevDay(set, day, place);
  const TimePoint limit = instant + std::chrono::hours(24 * 366);
  DayStates states[2];
  DayStates* previous = &states[0];
  DayStates* current = &states[1];
  {
    DayInfo before_prev;
    if (set.any_spills) before_prev = PrevDay(set, prev, place);
    EvalDay(set, prev, before_prev, place, *previous);
  }
  EvalDay(set, day, prev, place, *current);
  const State now = FromCode(current->At(local.minute));
  // Reused from call to call on this thread (NextChange does not call itself).
  thread_local std::vector<Candidate> candidates;
  for (int i = 0; i <= 367; ++i) {
    if (i > 0) EvalDay(set, day, prev, place, *current);
    candidates.clear();
    const bool change_day = IsOffsetChangeDay(day.date, day.weekday);
    const std::int64_t offset = change_day ? 0 : DayOffsetSeconds(day.date);
    std::uint8_t before = previous->segs().back().code;
    for (const Segment& s : current->segs()) {
      if (s.code != before) AddWallInstants(day, offset, s.start, candidates);
      before = s.code;
    }
    if (change_day) {
      // The offset change itself: the end of the spring gap (03:00), or the start of the
      // repeated autumn hour (02:00).
      candidates.push_back(
          {FromUnixSeconds(ChangeSeconds(day.number)), day.date.month == 3 ? 180 : 120});
    }
    std::sort(candidates.begin(), candidates.end());
    for (const Candidate& c : candidates) {
      if (c.at <= instant) continue;
      if (c.at > limit) return std::nullopt;
      // Every candidate's wall time falls on `day` (a wall time of that day, or the offset
      // change, checked to be on it).
      if (FromCode(current->At(c.minute)) != now) return c.at;
    }
    // A weekly schedule with no change in eight whole days never changes.
    if (set.repeats_weekly && i >= 8) return std::nullopt;
    std::swap(previous, current);
    prev = day;
    day = NextDay(set, day, place);
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
