// Reading the members of one JSON object with French errors that name the field, for the
// modules' JSON readers (directory_json.cc, reception_json.cc, orientation_json.cc), which derive
// their own `Members` from it with the member kinds they need. `prefix` places the object in the
// document ("arrets[0].", "foyer[0].") so that errors name the full field.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/text.h"

namespace pasip::api {

class JsonMembers {
 public:
  JsonMembers(const nlohmann::json& object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  std::string Field(std::string_view name) const { return prefix_ + std::string(name); }

  // The member, or nullptr when absent.
  const nlohmann::json* Find(std::string_view name) const {
    const auto it = object_.find(name);
    return it == object_.end() ? nullptr : &*it;
  }

  Error Expected(std::string_view name, std::string_view what) const {
    const std::string field = Field(name);
    return InvalidArgument("Le champ « " + field + " » doit être " + std::string(what) + ".",
                           field);
  }

  // Text: absent leaves `out`; null is ""; trimmed.
  Status Text(std::string_view name, std::string& out) const {
    const nlohmann::json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out.clear();
      return Ok();
    }
    if (!v->is_string()) return Fail(Expected(name, "un texte"));
    out = std::string(text::Trim(v->get_ref<const std::string&>()));
    return Ok();
  }

  // A list of texts: absent leaves `out`; null is empty; items trimmed, blanks and repeats
  // dropped.
  Status Strings(std::string_view name, std::vector<std::string>& out) const {
    const nlohmann::json* v = Find(name);
    if (!v) return Ok();
    out.clear();
    if (v->is_null()) return Ok();
    if (!v->is_array()) return Fail(Expected(name, "une liste de textes"));
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < v->size(); ++i) {
      const nlohmann::json& item = (*v)[i];
      if (item.is_null()) continue;
      if (!item.is_string()) {
        return Fail(Expected(std::string(name) + "[" + std::to_string(i) + "]", "un texte"));
      }
      std::string value(text::Trim(item.get_ref<const std::string&>()));
      if (!value.empty() && seen.insert(value).second) out.push_back(std::move(value));
    }
    return Ok();
  }

  // Instants the API accepts: 2000 to 2100 (anything else is a typing mistake, and the bound
  // keeps every instant read writable and readable again).
  static constexpr std::int64_t kEarliestUnix = 946'684'800;  // 2000-01-01T00:00:00Z
  static constexpr std::int64_t kLatestUnix = 4'102'444'800;  // 2100-01-01T00:00:00Z
  inline static const TimePoint kEarliestInstant = FromUnixSeconds(kEarliestUnix);
  inline static const TimePoint kLatestInstant = FromUnixSeconds(kLatestUnix);

  Status Bool(std::string_view name, bool& out) const {
    const nlohmann::json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out = false;
      return Ok();
    }
    if (!v->is_boolean()) return Fail(Expected(name, "vrai ou faux (true ou false)"));
    out = v->get<bool>();
    return Ok();
  }

  // An instant: absent leaves `out`; null resets it.
  Status OptInstant(std::string_view name, std::optional<TimePoint>& out) const {
    const nlohmann::json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out.reset();
      return Ok();
    }
    const auto bad = [&] {
      return Expected(name, "une date et heure ISO 8601 (2026-03-04T09:30:00+01:00)");
    };
    if (!v->is_string()) return Fail(bad());
    const auto at = ParseIso(text::Trim(v->get_ref<const std::string&>()));
    if (!at || *at < kEarliestInstant || *at >= kLatestInstant) return Fail(bad());
    out = *at;
    return Ok();
  }

 protected:
  // `v` (member `name`) as an integer; 4.0 is accepted (tools that know only doubles).
  Result<std::int64_t> IntegerValue(const nlohmann::json& v, std::string_view name) const {
    if (v.is_number_unsigned()) {
      if (v.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return Fail(Expected(name, "un nombre entier"));
      }
      return static_cast<std::int64_t>(v.get<std::uint64_t>());
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
        return static_cast<std::int64_t>(d);
      }
    }
    return Fail(Expected(name, "un nombre entier"));
  }

 private:
  const nlohmann::json& object_;
  std::string prefix_;
};

}  // namespace pasip::api
