// How the directory's pages say things in French (internal to src/web/): distances, times
// and dates, the open/closed state of an opening-hours string at an instant with the next
// change, the week's schedule, the reception channels and accessibility. Pure functions,
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "domain/directory/model.h"

namespace pasip::web {

// "350 m", "3,2 km", "12 km".
std::string FormatDistanceFr(double km);
// "9 h", "13 h 30": the Paris wall time of `instant`.
std::string FormatParisTimeFr(TimePoint instant);
// "24 décembre 2026" for "2026-12-24"; the text itself when it is not a date.
std::string FormatDateFr(std::string_view iso_date);
// "2026-11-22": the Paris civil date of `instant`.
std::string ParisDate(TimePoint instant);

// When the state changes next, said from `now`: "jusqu'à 12 h" (closing today), "ouvre à
// 14 h", "ouvre demain à 9 h", "ouvre lundi à 9 h", "ouvre le 2 janvier à 9 h". `opening` is
// true when the change opens the place.
std::string NextChangeFr(TimePoint now, TimePoint change, bool opening);

// What the pages show of opening hours at an instant.
struct HoursState {
  enum class Kind { kOpen, kClosed, kUnknown } kind = Kind::kUnknown;
  std::string label;  // "Ouvert maintenant", "Fermé maintenant", "Horaires non renseignés"
  std::string next;   // NextChangeFr, or empty
  std::string today;  // "9 h – 12 h, 13 h 30 – 17 h", "fermé", or empty when unknown
  std::vector<std::string> week;  // FormatWeekFr of the current week; empty when unknown
  std::string closure;            // a closure notice covering now ("Fermé du … au … : …")
};
// The state of `horaires` (opening_hours syntax, may be empty) at `now` in the commune
// `code_insee` (its département's public holidays); a closure notice among `notices`
// covering today wins. An unreadable string is "Horaires non renseignés".
HoursState StateOfHours(std::string_view horaires, std::string_view code_insee,
                        const std::vector<directory::Notice>& notices, TimePoint now);

// The state the search computed ("ouvert", "ferme", "inconnu" and the next change's ISO
// instant), said the same way.
HoursState StateOfSearch(std::string_view etat, std::string_view prochain,
                         std::string_view aujourdhui, TimePoint now);

// The notices shown today (debut <= today <= fin), in their order.
std::vector<directory::Notice> CurrentNotices(const std::vector<directory::Notice>& notices,
                                              std::string_view today);

// How a person can reach the place: "Sur place", "Par téléphone", "En ligne" (from the PASIP
// label's channels, and a service's modes d'accueil when given).
std::vector<std::string> ChannelsFr(const directory::PasipLabel& label,
                                    const std::vector<std::string>& modes_accueil = {});
// "Accessible aux personnes en fauteuil roulant", "Langues parlées : anglais, arabe",
// "Langue des signes française", "Interprétariat possible"; "Accès en fauteuil roulant
// difficile" when known not to be accessible.
std::vector<std::string> AccessibilityFr(const directory::Accessibility& accessibility);

// A telephone number for a tel: link ("+33299000000" from "02 99 00 00 00").
std::string TelHref(std::string_view telephone);

}  // namespace pasip::web
