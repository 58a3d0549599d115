// The parsed form of an opening_hours string (internal to the module): a list of rules,
// each with its selectors, time spans and state, in the order written.
#pragma once

#include <string>
#include <vector>

#include "domain/openinghours/opening_hours.h"

namespace pasip::openinghours::internal {

enum class RuleKind { kNormal, kAdditional, kFallback };

struct TimeSpan {
  int start = 0;  // minutes from the day's midnight
  int end = 0;    // exclusive; above 1440 when the span runs past midnight
  bool open_end = false;
};

struct WeekdayRange {
  int first = 0;  // 0 = Monday
  int last = 0;
  std::vector<int> nth;  // occurrences in the month (1..5, or -1..-5 from the end); empty: all
};

struct YearRange {
  int first = 0;
  int last = 0;  // equal to first for one year; 9999 when open-ended ("2026+")
  int step = 1;
};

struct MonthdayPoint {
  int year = 0;   // 0: every year
  int month = 1;  // 1..12
  int day = 0;    // 0: the start (or end) of the month
};

struct MonthdayRange {
  MonthdayPoint from;
  MonthdayPoint to;
};

struct WeekRange {
  int first = 1;
  int last = 1;
  int step = 1;
};

struct Rule {
  RuleKind kind = RuleKind::kNormal;
  std::vector<YearRange> years;
  std::vector<MonthdayRange> monthdays;
  std::vector<WeekRange> weeks;
  std::vector<WeekdayRange> weekdays;
  bool public_holiday = false;
  bool school_holiday = false;
  bool holiday_and_weekday = false;  // "SH Mo-Fr": both must hold (otherwise either)
  std::vector<TimeSpan> times;       // empty: the whole day
  State state = State::kOpen;
  std::string comment;
  bool spills = false;  // derived (Finalise): a span runs past midnight
};

struct RuleSet {
  std::vector<Rule> rules;
  // Derived once after parsing (Finalise), read by every evaluation.
  bool uses_public_holidays = false;  // some rule names PH
  bool repeats_weekly = false;        // no dates, years, weeks, n-th weekdays, PH or SH
  bool any_spills = false;            // some rule has a span past midnight
};

// Computes the derived fields of `set` and of its rules.
void Finalise(RuleSet& set);

}  // namespace pasip::openinghours::internal
