// Small writers shared by the API's JSON mappings of records (reception_json.cc,
// orientation_json.cc): what is unset is written null, never as an empty or zero value.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "core/clock.h"

namespace pasip::api {

// Empty text is null.
inline nlohmann::json Text(std::string_view value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}
// An unset instant (the epoch, or nullopt) is null; otherwise ISO 8601 UTC.
inline nlohmann::json Instant(TimePoint t) {
  return t == TimePoint{} ? nlohmann::json(nullptr) : nlohmann::json(FormatIsoUtc(t));
}
inline nlohmann::json Instant(const std::optional<TimePoint>& t) {
  return t ? Instant(*t) : nlohmann::json(nullptr);
}
// A record number; 0 (not yet saved, or unknown) is null.
inline nlohmann::json Id(std::int64_t id) {
  return id > 0 ? nlohmann::json(id) : nlohmann::json(nullptr);
}
template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace pasip::api
