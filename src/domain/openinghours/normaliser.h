// Lenient input of opening hours: the habits of French venues rewritten into the strict
// opening_hours syntax, and the France services per-weekday columns converted to it.
//
// The normaliser never fails: it rewrites what it recognises (French day and month names,
// "9h30", "09h00", "de … à …", "et", "fermé", "jours fériés", spacing) and leaves the
// rest for OpeningHours::Parse to reject with a position. Pure functions, thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pasip::openinghours {

struct Normalised {
  std::string text;
  std::vector<std::string> changes;  // in French, one per kind of rewrite, in order
};

Normalised Normalise(std::string_view input);

// The France services columns h_lundi … h_samedi (and h_dimanche when present, else empty),
// Monday first, each "09:00 - 12:00 / 13:30 - 17:00" or empty for closed, into an
// opening_hours string ("Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00"). Fails with
// kInvalidArgument naming the column when a cell cannot be read, or when every day is empty.
Result<std::string> FromFranceServices(const std::array<std::string, 7>& days);

}  // namespace pasip::openinghours
