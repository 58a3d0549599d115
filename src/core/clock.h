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

}  // namespace pasip
