// Time: the injectable Clock and conversions between instants and their ISO 8601 text.
//
// Every use case that depends on "now" (session timeouts, reminders, retention) takes a
// Clock so that tests move time instead of waiting. Instants are UTC; Europe/Paris civil
// time is for display only. ManualClock is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pasip {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock tests set and advance by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void Advance(TimePoint::duration d) { now_ += d.count(); }
  void Set(TimePoint t) { now_ = t.time_since_epoch().count(); }

 private:
  std::atomic<TimePoint::duration::rep> now_;
};

// Whole seconds since 1970-01-01T00:00:00Z: the storage format of instants.
std::int64_t ToUnixSeconds(TimePoint t);
TimePoint FromUnixSeconds(std::int64_t s);

// "2026-11-22T10:47:00Z".
std::string FormatIsoUtc(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS" with "Z" or "+HH:MM"/"-HH:MM", or a date "YYYY-MM-DD"
// (midnight UTC), for years 1900 to 2200. Returns nullopt on anything else.
std::optional<TimePoint> ParseIso(std::string_view text);
// "22/11/2026 à 11 h 47" in Europe/Paris civil time (for pages).
std::string FormatParis(TimePoint t);

// Civil (wall-clock) date and time, without a zone, in the proleptic Gregorian calendar.
struct CivilTime {
  std::int64_t year = 1970;
  unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

// Days since 1970-01-01 of a civil date (no validation: 31 February is 3 March).
std::int64_t DaysFromCivilDate(std::int64_t year, unsigned month, unsigned day);
// The UTC civil time of Unix seconds.
CivilTime CivilFromUnixSeconds(std::int64_t seconds);
// Europe/Paris: CET (+01:00), or CEST (+02:00) from the last Sunday of March to the last
// Sunday of October, switching at 01:00 UTC. Pure: no tz database.
std::int64_t ParisUtcOffsetSeconds(TimePoint t);
CivilTime ToParisCivil(TimePoint t);
// The instant of a Paris wall-clock time. A time skipped in spring (02:30) is read with the
// winter offset (so it lands at 03:30 CEST); a time repeated in autumn gives the first one.
TimePoint FromParisCivil(const CivilTime& local);

}  // namespace pasip
