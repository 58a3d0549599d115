#include "web/directory_format.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/text.h"
#include "domain/openinghours/opening_hours.h"

namespace pasip::web {
namespace {

constexpr std::string_view kWeekdays[] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                          "vendredi", "samedi", "dimanche"};
constexpr std::string_view kMonths[] = {"janvier",   "février", "mars",     "avril",
                                        "mai",       "juin",    "juillet",  "août",
                                        "septembre", "octobre", "novembre", "décembre"};

openinghours::Date DateOf(const CivilTime& civil) {
  return {static_cast<int>(civil.year), static_cast<int>(civil.month), static_cast<int>(civil.day)};
}

std::int64_t DayIndex(const CivilTime& civil) {
  return DaysFromCivilDate(civil.year, civil.month, civil.day);
}

// "2 janvier" (and the year when it is not the year of `now`).
std::string DayMonthFr(const CivilTime& civil, const CivilTime& now) {
  std::string out = (civil.day == 1 ? std::string("1er") : std::to_string(civil.day)) + " " +
                    std::string(kMonths[civil.month - 1]);
  if (civil.year != now.year) out += " " + std::to_string(civil.year);
  return out;
}

// "9 h – 12 h" from "lundi : 9 h – 12 h".
std::string WithoutDayName(const std::string& day) {
  const std::size_t colon = day.find(" : ");
  return colon == std::string::npos ? day : day.substr(colon + 3);
}

}  // namespace

std::string FormatDistanceFr(double km) {
  if (km < 0) km = 0;
  if (km < 1) {
    const long metres = std::lround(km * 100) * 10;
    return std::to_string(metres < 10 ? 10 : metres) + " m";
  }
  if (km < 10) {
    const long tenths = std::lround(km * 10);
    std::string out = std::to_string(tenths / 10);
    if (tenths % 10 != 0) out += "," + std::to_string(tenths % 10);
    return out + " km";
  }
  return std::to_string(std::lround(km)) + " km";
}

std::string FormatParisTimeFr(TimePoint instant) {
  const CivilTime civil = ToParisCivil(instant);
  return openinghours::FormatTimeFr(static_cast<int>(civil.hour * 60 + civil.minute));
}

std::string FormatDateFr(std::string_view iso_date) {
  openinghours::Date date;
  if (!openinghours::ParseDate(iso_date, date) || date.month < 1 || date.month > 12) {
    return std::string(iso_date);
  }
  return (date.day == 1 ? std::string("1er") : std::to_string(date.day)) + " " +
         std::string(kMonths[date.month - 1]) + " " + std::to_string(date.year);
}

std::string ParisDate(TimePoint instant) {
  return openinghours::FormatDate(DateOf(ToParisCivil(instant)));
}

std::string NextChangeFr(TimePoint now, TimePoint change, bool opening) {
  const CivilTime here = ToParisCivil(now);
  const CivilTime then = ToParisCivil(change);
  const std::int64_t days = DayIndex(then) - DayIndex(here);
  const std::string time = FormatParisTimeFr(change);
  const std::string weekday(kWeekdays[openinghours::Weekday(DateOf(then))]);
  if (!opening) {
    if (days <= 0) return "jusqu'à " + time;
    if (days == 1) return "jusqu'à demain " + time;
    if (days < 7) return "jusqu'à " + weekday + " " + time;
    return "jusqu'au " + DayMonthFr(then, here) + " à " + time;
  }
  if (days <= 0) return "ouvre à " + time;
  if (days == 1) return "ouvre demain à " + time;
  if (days < 7) return "ouvre " + weekday + " à " + time;
  return "ouvre le " + DayMonthFr(then, here) + " à " + time;
}

std::vector<directory::Notice> CurrentNotices(const std::vector<directory::Notice>& notices,
                                              std::string_view today) {
  std::vector<directory::Notice> out;
  for (const directory::Notice& n : notices) {
    if (n.debut <= today && today <= n.fin) out.push_back(n);
  }
  return out;
}

HoursState StateOfHours(std::string_view horaires, std::string_view code_insee,
                        const std::vector<directory::Notice>& notices, TimePoint now) {
  HoursState out;
  out.label = "Horaires non renseignés";
  const std::string today = ParisDate(now);
  auto parsed = openinghours::OpeningHours::Parse(text::Trim(horaires));
  if (!text::Trim(horaires).empty() && parsed) {
    const openinghours::Place place = openinghours::Place::FromCommune(code_insee);
    const openinghours::Date date = DateOf(ToParisCivil(now));
    out.week = openinghours::FormatWeekFr(parsed->Week(date, place));
    const openinghours::DaySchedule day = parsed->Day(date, place);
    out.today = WithoutDayName(openinghours::FormatDayFr(day));
    const openinghours::State state = parsed->StateAt(now, place);
    if (state != openinghours::State::kUnknown) {
      const bool open = state == openinghours::State::kOpen;
      out.kind = open ? HoursState::Kind::kOpen : HoursState::Kind::kClosed;
      out.label = open ? "Ouvert maintenant" : "Fermé maintenant";
      if (auto next = parsed->NextChange(now, place)) {
        out.next = NextChangeFr(now, *next, !open);
      }
    } else {
      out.label = "Horaires à confirmer";
    }
  }
  for (const directory::Notice& n : CurrentNotices(notices, today)) {
    if (!n.fermeture) continue;
    out.kind = HoursState::Kind::kClosed;
    out.label = "Fermé exceptionnellement";
    out.next.clear();
    out.closure = "Fermé du " + FormatDateFr(n.debut) + " au " + FormatDateFr(n.fin) +
                  (n.message.empty() ? std::string() : " : " + n.message);
    break;
  }
  return out;
}

HoursState StateOfSearch(std::string_view etat, std::string_view prochain,
                         std::string_view aujourdhui, TimePoint now) {
  HoursState out;
  if (etat == "ouvert") {
    out.kind = HoursState::Kind::kOpen;
    out.label = "Ouvert maintenant";
  } else if (etat == "ferme") {
    out.kind = HoursState::Kind::kClosed;
    out.label = "Fermé maintenant";
  } else {
    out.label = "Horaires non renseignés";
  }
  if (out.kind != HoursState::Kind::kUnknown) {
    if (auto next = ParseIso(prochain)) {
      out.next = NextChangeFr(now, *next, out.kind == HoursState::Kind::kClosed);
    }
    out.today = aujourdhui.empty() ? std::string("fermé") : std::string(aujourdhui);
  } else if (!aujourdhui.empty()) {
    out.label = "Horaires à confirmer";
    out.today = std::string(aujourdhui);
  }
  return out;
}

std::vector<std::string> ChannelsFr(const directory::PasipLabel& label,
                                    const std::vector<std::string>& modes_accueil) {
  bool physical = label.accueil_physique;
  bool remote = label.accueil_numerique;
  for (const std::string& mode : modes_accueil) {
    if (mode == "en-presentiel") physical = true;
    if (mode == "a-distance") remote = true;
  }
  std::vector<std::string> out;
  if (physical) out.emplace_back("Sur place");
  if (label.accueil_telephonique) out.emplace_back("Par téléphone");
  if (remote) out.emplace_back("À distance (en ligne, courriel ou visio)");
  return out;
}

std::vector<std::string> AccessibilityFr(const directory::Accessibility& a) {
  std::vector<std::string> out;
  if (a.pmr.has_value()) {
    out.emplace_back(*a.pmr ? "Accessible aux personnes en fauteuil roulant"
                            : "Accès difficile en fauteuil roulant");
  }
  if (!a.langues.empty()) {
    std::string langues;
    for (const std::string& code : a.langues) {
      if (!langues.empty()) langues += ", ";
      langues += directory::LanguageLabel(code);
    }
    out.push_back("Langues parlées : " + langues);
  }
  if (a.langue_des_signes) out.emplace_back("Langue des signes française");
  if (a.interpretariat) out.emplace_back("Interprétariat possible");
  return out;
}

std::string TelHref(std::string_view telephone) {
  std::string digits;
  for (char c : telephone) {
    if ((c >= '0' && c <= '9') || (c == '+' && digits.empty())) digits.push_back(c);
  }
  if (digits.size() == 10 && digits[0] == '0') return "+33" + digits.substr(1);
  return digits;
}

}  // namespace pasip::web
