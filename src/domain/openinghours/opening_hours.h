// Opening hours in the OpenStreetMap `opening_hours` syntax (horaires d'ouverture): parsed
// once into rules, then evaluated in Europe/Paris civil time.
//
// Covered: weekdays and ranges (Mo-Fr, Mo,We, Su[-1]), several time spans, spans past
// midnight (22:00-02:00), open ends (18:00+), off/closed/open/unknown, years, months and
// dates (Jan-Jun, Dec 24-26, 2026 Jan 01-2026 Feb 15), ISO weeks (week 01-10/2), 24/7,
// quoted comments, the separators `;` (normal), `,` (additional) and `||` (fallback), PH
// (French public holidays of the place's département) and SH (school holidays, only known
// when the place provides a calendar; otherwise SH rules evaluate to "unknown").
// An OpeningHours is an immutable value: safe to share between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/openinghours/holidays.h"

namespace pasip::openinghours {

enum class State { kClosed, kOpen, kUnknown };

// "open", "closed", "unknown".
std::string_view StateName(State state);

// Where the hours apply: the département chooses the public holidays; school holidays are
// optional (not owned: must outlive the calls that use it).
struct Place {
  std::string department;  // "75", "57", "974"…; empty: national holidays only
  const SchoolHolidays* school_holidays = nullptr;

  static Place FromCommune(std::string_view commune_code) {
    return Place{DepartmentOfCommune(commune_code), nullptr};
  }
};

// One stretch of a day's display schedule, in minutes from the day's midnight (end may
// pass 24 h for a span past midnight).
struct Span {
  int start = 0;
  int end = 0;
  State state = State::kOpen;
};

struct DaySchedule {
  Date date;
  std::vector<Span> spans;  // open or unknown stretches only, in order
  bool public_holiday = false;
  std::vector<std::string> comments;
};

namespace internal {
struct RuleSet;
}

class OpeningHours {
 public:
  // Parses a strict opening_hours string. Fails with kInvalidArgument whose message says the
  // character position (1-based) and what was expected, in French; see ParseErrorPosition.
  static Result<OpeningHours> Parse(std::string_view text);

  // Instants are read through their Paris wall time: in the repeated autumn hour both
  // occurrences of 02:00-02:59 have the state of that wall time; wall times skipped in spring
  // do not occur (a change written at 02:30 that day happens at 03:00 CEST, the gap's end).
  // A comment without a state ("Mo-Fr 08:00-18:00 \"sur rendez-vous\"") gives unknown.
  State StateAt(TimePoint instant, const Place& place) const;
  // The first instant after `instant` where StateAt really differs, looking one year ahead at
  // most (consistent with StateAt across both DST changes); nullopt when it never changes in
  // that year. A schedule that repeats weekly (no dates, weeks, n-th weekdays, PH or SH) is
  // searched for eight days only.
  std::optional<TimePoint> NextChange(TimePoint instant, const Place& place) const;
  // The schedule of the civil day `date` (what is open on that day, from its midnight).
  DaySchedule Day(const Date& date, const Place& place) const;
  // The seven days (Monday to Sunday) of the week containing `date`.
  std::vector<DaySchedule> Week(const Date& date, const Place& place) const;

 private:
  explicit OpeningHours(std::shared_ptr<const internal::RuleSet> rules)
      : rules_(std::move(rules)) {}
  // Shared and immutable: copies are cheap; the rule model stays out of this header.
  std::shared_ptr<const internal::RuleSet> rules_;
};

// The 1-based character position stated in a Parse error message, or 0.
int ParseErrorPosition(const Error& error);

// "9 h", "13 h 30", "24 h".
std::string FormatTimeFr(int minutes);
// "lundi : 9 h – 12 h, 13 h 30 – 17 h", "dimanche : fermé", "lundi : fermé (jour férié)".
std::string FormatDayFr(const DaySchedule& day);
std::vector<std::string> FormatWeekFr(const std::vector<DaySchedule>& week);

}  // namespace pasip::openinghours
