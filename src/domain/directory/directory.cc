// DirectoryService: the index every record carries, search, reads in two views, and the
// audited writes under the access policy.
#include "domain/directory/directory.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "core/crypto.h"
#include "core/french.h"
#include "core/geo.h"
#include "core/text.h"
#include "domain/openinghours/holidays.h"
#include "domain/openinghours/opening_hours.h"

namespace pasip::directory {
namespace {

using identity::Action;
using identity::Decision;
using identity::Principal;
using identity::Role;
using openinghours::OpeningHours;

// The tag kinds counted in facets, in the order they are answered.
constexpr std::string_view kFacetKinds[] = {"thematique", "categorie",    "public", "type",
                                            "frais",      "mode_accueil", "langue"};

constexpr int kMaxLimit = 100;
constexpr double kMaxRadiusKm = 200;
constexpr std::size_t kMaxQueryLength = 200;
constexpr std::size_t kMaxCursorLength = 1024;
constexpr int kListPage = 1000;

std::string Tag(std::string_view kind, std::string_view value) {
  std::string tag;
  tag.reserve(kind.size() + 1 + value.size());
  tag.append(kind).append(":").append(value);
  return tag;
}

void SortUnique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

openinghours::Date ParisDate(TimePoint t) {
  const CivilTime c = ToParisCivil(t);
  return {static_cast<int>(c.year), static_cast<int>(c.month), static_cast<int>(c.day)};
}

TimePoint ParisMidnight(const openinghours::Date& d) {
  CivilTime c;
  c.year = d.year;
  c.month = static_cast<unsigned>(d.month);
  c.day = static_cast<unsigned>(d.day);
  return FromParisCivil(c);
}

openinghours::Date NextDay(const openinghours::Date& d) {
  return openinghours::DateFromDayNumber(openinghours::DayNumber(d) + 1);
}

bool Covers(const Notice& notice, std::string_view date) {
  return notice.fermeture && notice.debut <= date && date <= notice.fin;
}

bool ClosedOn(std::span<const Notice> closures, std::string_view date) {
  return std::any_of(closures.begin(), closures.end(),
                     [&](const Notice& n) { return Covers(n, date); });
}

std::string_view StateWord(openinghours::State state) {
  switch (state) {
    case openinghours::State::kOpen:
      return "ouvert";
    case openinghours::State::kClosed:
      return "ferme";
    case openinghours::State::kUnknown:
      break;
  }
  return "inconnu";
}

// The département part of a commune code, as openinghours::DepartmentOfCommune reads it,
// without a copy.
std::string_view DepartmentView(std::string_view commune_code) {
  if (commune_code.size() < 2) return {};
  return commune_code.substr(0, commune_code.starts_with("97") ? 3 : 2);
}

// FormatDayFr writes "lundi : 9 h – 12 h"; the search answers today's hours without the day.
std::string WithoutDayName(std::string line) {
  const std::size_t colon = line.find(" : ");
  return colon == std::string::npos ? line : line.substr(colon + 3);
}

// ---------------------------------------------------------------------------------------
// The page cursor: the sort key of the last item shown, "d|<distance>|<id>" when sorted by
// distance or "n|<folded name>|<id>" when sorted by name, in URL-safe base64. Distances are
// written in the shortest form that reads back to the same double, so the comparison with
// the next page's recomputed distances is exact.

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Url[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kBase64Url[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '-') {
      value = 62;
    } else if (c == '_') {
      value = 63;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // Leftover bits must be zero padding, so that each cursor has one spelling.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

struct Cursor {
  bool by_distance = false;
  double distance = 0;
  std::string name;
  std::int64_t id = 0;
};

std::string EncodeCursor(bool by_distance, double distance, std::string_view name,
                         std::int64_t id) {
  std::string plain = by_distance ? "d|" : "n|";
  if (by_distance) {
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, distance);
    plain.append(buffer, end);
  } else {
    plain.append(name);
  }
  plain.append("|").append(std::to_string(id));
  return Base64UrlEncode(plain);
}

std::optional<Cursor> DecodeCursor(std::string_view text) {
  if (text.size() > kMaxCursorLength) return std::nullopt;
  const auto plain = Base64UrlDecode(text);
  if (!plain || plain->size() < 5 || (*plain)[1] != '|') return std::nullopt;
  const char kind = (*plain)[0];
  if (kind != 'd' && kind != 'n') return std::nullopt;
  const std::size_t last = plain->rfind('|');
  if (last <= 1) return std::nullopt;
  Cursor cursor;
  cursor.by_distance = kind == 'd';
  const std::string_view key = std::string_view(*plain).substr(2, last - 2);
  const std::string_view id = std::string_view(*plain).substr(last + 1);
  auto [id_end, id_ec] = std::from_chars(id.data(), id.data() + id.size(), cursor.id);
  if (id.empty() || id_ec != std::errc() || id_end != id.data() + id.size() || cursor.id <= 0) {
    return std::nullopt;
  }
  if (cursor.by_distance) {
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), cursor.distance);
    if (key.empty() || ec != std::errc() || end != key.data() + key.size() ||
        !std::isfinite(cursor.distance) || cursor.distance < 0) {
      return std::nullopt;
    }
  } else {
    if (!text::IsValidUtf8(key)) return std::nullopt;
    cursor.name = std::string(key);
  }
  return cursor;
}

// ---------------------------------------------------------------------------------------
// Parameters.

Status InvalidParameter(std::string message, std::string field) {
  return Fail(InvalidArgument(std::move(message), std::move(field)));
}

Status CheckFilterValues(Referentiel r, const std::vector<std::string>& values,
                         std::string_view parameter, std::string_view noun) {
  for (const std::string& v : values) {
    if (!IsValid(r, v)) {
      return InvalidParameter("« " + v + " » n'est pas " + std::string(noun) + " connu(e).",
                              std::string(parameter));
    }
  }
  return Ok();
}

Status ValidateQuery(const SearchQuery& q) {
  if (q.limite < 1 || q.limite > kMaxLimit) {
    return InvalidParameter("Le nombre de résultats par page doit être compris entre 1 et 100.",
                            "limite");
  }
  if (!std::isfinite(q.rayon_km) || q.rayon_km <= 0 || q.rayon_km > kMaxRadiusKm) {
    return InvalidParameter("Le rayon doit être compris entre 0 et 200 km (0 exclu).", "rayon_km");
  }
  if (q.latitude.has_value() != q.longitude.has_value()) {
    return InvalidParameter("La latitude et la longitude vont ensemble : indiquez les deux.",
                            q.latitude ? "lon" : "lat");
  }
  if (q.latitude && (!std::isfinite(*q.latitude) || *q.latitude < -90 || *q.latitude > 90)) {
    return InvalidParameter("La latitude doit être comprise entre -90 et 90.", "lat");
  }
  if (q.longitude && (!std::isfinite(*q.longitude) || *q.longitude < -180 || *q.longitude > 180)) {
    return InvalidParameter("La longitude doit être comprise entre -180 et 180.", "lon");
  }
  if (q.commune && q.latitude) {
    return InvalidParameter("Indiquez une commune ou des coordonnées, pas les deux.", "commune");
  }
  if (q.commune && !territory::IsInseeCode(*q.commune)) {
    return InvalidParameter(
        "Le code de la commune n'est pas valide (code INSEE à 5 caractères, par exemple 35238).",
        "commune");
  }
  if (!text::IsValidUtf8(q.q) || text::Utf8Length(q.q) > kMaxQueryLength) {
    return InvalidParameter("La recherche doit être un texte de 200 caractères au plus.", "q");
  }
  PASIP_TRY(
      CheckFilterValues(Referentiel::kThematique, q.thematiques, "thematiques", "une thématique"));
  PASIP_TRY(
      CheckFilterValues(Referentiel::kCategorie, q.categories, "categories", "une catégorie"));
  PASIP_TRY(CheckFilterValues(Referentiel::kPublic, q.publics, "publics", "un public"));
  PASIP_TRY(CheckFilterValues(Referentiel::kTypeService, q.types, "types", "un type de service"));
  PASIP_TRY(CheckFilterValues(Referentiel::kFrais, q.frais, "frais", "une valeur de frais"));
  PASIP_TRY(CheckFilterValues(Referentiel::kModeAccueil, q.modes_accueil, "modes_accueil",
                              "un mode d'accueil"));
  for (const std::string& code : q.langues) {
    if (!IsLanguageCode(code)) {
      return InvalidParameter("« " + code + " » n'est pas un code de langue connu.", "langues");
    }
  }
  if (q.organisation_id && *q.organisation_id <= 0) {
    return InvalidParameter("L'organisation n'est pas valide.", "organisation_id");
  }
  return Ok();
}

void AddGroup(std::vector<std::vector<std::string>>& groups, std::string_view kind,
              const std::vector<std::string>& values) {
  if (values.empty()) return;
  std::vector<std::string> group;
  group.reserve(values.size());
  for (const std::string& v : values) group.push_back(Tag(kind, v));
  groups.push_back(std::move(group));
}

// ---------------------------------------------------------------------------------------
// Views.

void RedactStructure(Structure& s) { s.referents.clear(); }

void RedactService(Service& s) {
  if (!s.contacts_publics) {
    s.telephone.reset();
    s.courriel.reset();
    s.contact_nom_prenom.reset();
  }
}

Error Refusal(const Principal& who) {
  if (!who.authenticated()) return Unauthenticated();
  return PermissionDenied("Vous ne pouvez pas modifier cette fiche de l'annuaire.");
}

std::string NewSourceId() {
  crypto::InitCrypto();
  return crypto::ToHex(crypto::RandomBytes(8));
}

// Content tags of a service (what it offers, to whom, how), shared with its structure's.
void AddContentTags(const Service& s, std::vector<std::string>& tags) {
  for (const std::string& t : s.thematiques) {
    tags.push_back(Tag("thematique", t));
    tags.push_back(Tag("categorie", CategoryOf(t)));
  }
  for (const std::string& p : s.publics) tags.push_back(Tag("public", p));
  if (s.type) tags.push_back(Tag("type", *s.type));
  if (s.frais) tags.push_back(Tag("frais", *s.frais));
  for (const std::string& m : s.modes_accueil) tags.push_back(Tag("mode_accueil", m));
}

// Tags a structure gives to itself and to each of its services.
void AddStructureTags(const Structure& s, std::vector<std::string>& tags) {
  for (const std::string& l : s.accessibilite.langues) tags.push_back(Tag("langue", l));
  if (s.label.Complete()) tags.emplace_back("label:pasip");
  if (s.accessibilite.pmr.value_or(false)) tags.emplace_back("pmr:oui");
  if (!s.arrets.empty()) tags.emplace_back("itinerant:oui");
  if (s.organisation_id) tags.push_back(Tag("organisation", std::to_string(*s.organisation_id)));
}

void AddDepartementTags(const std::vector<Location>& locations,
                        const std::optional<territory::Commune>& commune,
                        std::vector<std::string>& tags) {
  if (commune && !commune->departement.empty()) {
    tags.push_back(Tag("departement", commune->departement));
  }
  for (const Location& l : locations) {
    if (!l.code_insee.empty()) {
      tags.push_back(Tag("departement", openinghours::DepartmentOfCommune(l.code_insee)));
    }
  }
}

// Appends a piece of text to the search text, one piece per line.
void AddText(std::string& text, std::string_view piece) {
  if (piece.empty()) return;
  if (!text.empty()) text.push_back('\n');
  text.append(piece);
}

void AddLabelText(std::string& text, std::set<std::string_view>& seen, std::string_view label) {
  if (seen.insert(label).second) AddText(text, label);
}

// The labels of what a service offers: thématiques, their catégories, type and publics.
void AddServiceLabels(const Service& s, std::string& text, std::set<std::string_view>& seen) {
  for (const std::string& t : s.thematiques) {
    AddLabelText(text, seen, Label(Referentiel::kThematique, t));
    AddLabelText(text, seen, Label(Referentiel::kCategorie, CategoryOf(t)));
  }
  if (s.type) AddLabelText(text, seen, Label(Referentiel::kTypeService, *s.type));
  for (const std::string& p : s.publics) AddLabelText(text, seen, Label(Referentiel::kPublic, p));
}

std::string SortNameOf(std::string_view nom) { return text::FoldAccents(text::Trim(nom)); }

std::vector<Notice> ClosuresOf(const Structure& s) {
  std::vector<Notice> closures;
  for (const Notice& n : s.avis) {
    if (n.fermeture) closures.push_back(n);
  }
  return closures;
}

std::vector<StructureId> HostIdsOf(std::span<const Service> services) {
  std::vector<StructureId> ids;
  for (const Service& s : services) {
    for (const Permanence& p : s.permanences) ids.push_back(p.host_structure_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

View ViewFor(const identity::Principal& principal) {
  if (principal.authenticated() && !principal.memberships.empty() &&
      !principal.SecondFactorPending()) {
    return View::kProfessional;
  }
  return View::kPublic;
}

// ---------------------------------------------------------------------------------------
// Index.

std::optional<territory::Commune> DirectoryService::CommuneOf(std::string_view code) {
  if (code.empty()) return std::nullopt;
  auto found = territory_.FindCommune(code);
  if (!found) return std::nullopt;
  return *found;
}

std::optional<Location> DirectoryService::PlaceOf(const std::optional<double>& latitude,
                                                  const std::optional<double>& longitude,
                                                  std::string_view code_insee,
                                                  const std::optional<territory::Commune>* known) {
  Location l;
  l.code_insee = std::string(code_insee);
  if (latitude && longitude) {
    l.latitude = *latitude;
    l.longitude = *longitude;
    return l;
  }
  std::optional<territory::Commune> looked_up;
  const std::optional<territory::Commune>* commune = known;
  if (!commune || !*commune || (*commune)->code != code_insee) {
    looked_up = CommuneOf(code_insee);
    commune = &looked_up;
  }
  if (!*commune || !(*commune)->latitude || !(*commune)->longitude) return std::nullopt;
  l.latitude = *(*commune)->latitude;
  l.longitude = *(*commune)->longitude;
  return l;
}

void DirectoryService::AddStopLocations(const Structure& s, std::vector<Location>& out) {
  for (const ItinerantStop& stop : s.arrets) {
    auto place = PlaceOf(stop.latitude, stop.longitude, stop.code_insee, nullptr);
    if (!place) continue;
    place->horaires = stop.horaires;
    place->lieu = stop.lieu;
    place->itinerant = true;
    out.push_back(std::move(*place));
  }
}

void DirectoryService::AddPermanenceLocations(const Service& s, std::span<const Structure> hosts,
                                              std::vector<Location>& out) {
  for (const Permanence& p : s.permanences) {
    const auto host = std::find_if(hosts.begin(), hosts.end(),
                                   [&](const Structure& h) { return h.id == p.host_structure_id; });
    if (host == hosts.end()) continue;
    auto place = PlaceOf(host->latitude, host->longitude, host->code_insee.value_or(""), nullptr);
    if (!place) continue;
    place->horaires = p.horaires;
    place->lieu = host->nom;
    out.push_back(std::move(*place));
  }
}

IndexData DirectoryService::IndexOfService(const Service& s, const Structure& structure,
                                           std::span<const Structure> hosts,
                                           const std::optional<territory::Commune>& commune) {
  IndexData index;
  index.publie = s.publie && structure.publie;
  index.sort_name = SortNameOf(s.nom);
  index.closures = ClosuresOf(structure);

  // The service's own place: its coordinates; else its structure's, unless the service
  // names another commune; else the centre of its commune.
  const std::string code = s.code_insee.value_or(structure.code_insee.value_or(""));
  std::optional<Location> own;
  if (s.latitude && s.longitude) {
    own = PlaceOf(s.latitude, s.longitude, code, &commune);
  } else if (structure.latitude && structure.longitude &&
             (!s.code_insee || s.code_insee == structure.code_insee)) {
    own = PlaceOf(structure.latitude, structure.longitude, code, &commune);
  } else {
    own = PlaceOf(std::nullopt, std::nullopt, code, &commune);
  }
  if (own) {
    own->horaires = s.horaires_accueil.value_or(structure.horaires_accueil.value_or(""));
    index.locations.push_back(std::move(*own));
  }
  AddStopLocations(structure, index.locations);
  AddPermanenceLocations(s, hosts, index.locations);

  AddContentTags(s, index.tags);
  AddStructureTags(structure, index.tags);
  AddDepartementTags(index.locations, commune, index.tags);
  for (const Permanence& p : s.permanences) {
    index.tags.push_back(Tag("hote", std::to_string(p.host_structure_id)));
  }
  SortUnique(index.tags);

  std::set<std::string_view> seen;
  AddText(index.search_text, s.nom);
  AddText(index.search_text, s.description);
  AddServiceLabels(s, index.search_text, seen);
  AddText(index.search_text, structure.nom);
  if (commune) {
    AddText(index.search_text, commune->name);
  } else if (s.commune || structure.commune) {
    AddText(index.search_text, s.commune ? *s.commune : *structure.commune);
  }
  return index;
}

IndexData DirectoryService::IndexOfStructure(const Structure& s, std::span<const Service> services,
                                             const std::optional<territory::Commune>& commune) {
  IndexData index;
  index.publie = s.publie;
  index.sort_name = SortNameOf(s.nom);
  index.closures = ClosuresOf(s);

  if (auto own = PlaceOf(s.latitude, s.longitude, s.code_insee.value_or(""), &commune)) {
    own->horaires = s.horaires_accueil.value_or("");
    index.locations.push_back(std::move(*own));
  }
  AddStopLocations(s, index.locations);

  std::vector<Service> published;
  for (const Service& service : services) {
    if (service.publie) published.push_back(service);
  }
  // Partner permanences: the structure is also met where its services are held.
  const std::vector<StructureId> host_ids = HostIdsOf(published);
  if (!host_ids.empty()) {
    auto hosts = store_.LoadStructures(host_ids);
    if (hosts) {
      for (const Service& service : published) {
        AddPermanenceLocations(service, *hosts, index.locations);
      }
    }
  }

  AddStructureTags(s, index.tags);
  for (const Service& service : published) AddContentTags(service, index.tags);
  AddDepartementTags(index.locations, commune, index.tags);
  SortUnique(index.tags);

  std::set<std::string_view> seen;
  AddText(index.search_text, s.nom);
  if (s.description) AddText(index.search_text, *s.description);
  if (commune) {
    AddText(index.search_text, commune->name);
  } else if (s.commune) {
    AddText(index.search_text, *s.commune);
  }
  for (const Service& service : published) {
    AddLabelText(index.search_text, seen, service.nom);
    AddServiceLabels(service, index.search_text, seen);
  }
  return index;
}

// ---------------------------------------------------------------------------------------
// Search.

namespace {

// One result before its page is loaded.
struct Match {
  double distance = 0;
  std::int64_t id = 0;
  std::uint32_t candidate = 0;
  std::int32_t location = -1;  // the nearest eligible location, -1 when none
};

}  // namespace

OpenState DirectoryService::StateAt(const Location* location, std::span<const Notice> closures,
                                    TimePoint at) {
  OpenState state{"inconnu", "", ""};
  const openinghours::Date today = ParisDate(at);
  const std::string today_text = openinghours::FormatDate(today);
  const auto hours = location ? hours_->Get(location->horaires) : nullptr;
  const openinghours::Place place =
      openinghours::Place::FromCommune(location ? location->code_insee : std::string_view());

  // The first day, from `date` on, that no closure covers; nullopt beyond a year.
  auto reopening = [&](openinghours::Date date) -> std::optional<openinghours::Date> {
    for (int days = 0; days <= 366; ++days, date = NextDay(date)) {
      if (!ClosedOn(closures, openinghours::FormatDate(date))) return date;
    }
    return std::nullopt;
  };
  auto next_opening_after_closure =
      [&](std::optional<openinghours::Date> first_open_day) -> std::string {
    if (!hours || !first_open_day) return "";
    const TimePoint from = ParisMidnight(*first_open_day);
    if (hours->StateAt(from, place) == openinghours::State::kOpen) return FormatIsoUtc(from);
    const auto change = hours->NextChange(from, place);
    return change ? FormatIsoUtc(*change) : "";
  };

  if (ClosedOn(closures, today_text)) {
    state.etat = "ferme";
    state.aujourdhui = "fermé exceptionnellement";
    state.prochain = next_opening_after_closure(reopening(today));
    return state;
  }
  if (!hours) return state;
  const openinghours::State now = hours->StateAt(at, place);
  state.etat = std::string(StateWord(now));
  state.aujourdhui = WithoutDayName(openinghours::FormatDayFr(hours->Day(today, place)));
  std::optional<TimePoint> next = hours->NextChange(at, place);
  if (now == openinghours::State::kOpen) {
    // A closure starting before the hours' own next change closes the place at its midnight.
    for (const Notice& n : closures) {
      openinghours::Date start;
      if (!n.fermeture || n.debut <= today_text || !openinghours::ParseDate(n.debut, start)) {
        continue;
      }
      const TimePoint closing = ParisMidnight(start);
      if (!next || closing < *next) next = closing;
    }
  } else if (next && ClosedOn(closures, openinghours::FormatDate(ParisDate(*next)))) {
    // The next opening falls in a closure: the place opens again after it.
    state.prochain = next_opening_after_closure(reopening(ParisDate(*next)));
    return state;
  }
  if (next) state.prochain = FormatIsoUtc(*next);
  return state;
}

OpenState DirectoryService::OpenStateOf(std::string_view horaires, std::string_view code_insee,
                                        std::span<const Notice> notices, TimePoint at) {
  Location place;
  place.horaires = std::string(horaires);
  place.code_insee = std::string(code_insee);
  std::vector<Notice> closures;
  for (const Notice& n : notices) {
    if (n.fermeture) closures.push_back(n);
  }
  return StateAt(&place, closures, at);
}

Result<SearchPage> DirectoryService::Search(const SearchQuery& query, View view) {
  PASIP_TRY(ValidateQuery(query));
  SearchPage page;

  std::optional<std::pair<double, double>> centre;
  if (query.commune) {
    PASIP_ASSIGN_OR_RETURN(commune, territory_.FindCommune(*query.commune));
    if (!commune) {
      return Fail(InvalidArgument("Commune inconnue : " + *query.commune + ".", "commune"));
    }
    if (!commune->latitude || !commune->longitude) {
      return Fail(InvalidArgument("La position de la commune " + commune->name +
                                      " n'est pas connue : indiquez-en une autre.",
                                  "commune"));
    }
    centre.emplace(*commune->latitude, *commune->longitude);
    page.commune = std::move(*commune);
  } else if (query.latitude) {
    centre.emplace(*query.latitude, *query.longitude);
  }

  std::optional<Cursor> after;
  if (!query.apres.empty()) {
    after = DecodeCursor(query.apres);
    if (!after || after->by_distance != centre.has_value()) {
      return Fail(InvalidArgument(
          "Le repère de page « apres » n'est pas valide : recommencez la recherche depuis la "
          "première page.",
          "apres"));
    }
  }

  CandidateFilter filter;
  filter.lexemes = text::QueryLexemes(query.q);
  {
    std::vector<std::string> themes;
    for (const std::string& t : query.thematiques) themes.push_back(Tag("thematique", t));
    for (const std::string& c : query.categories) themes.push_back(Tag("categorie", c));
    if (!themes.empty()) filter.tag_groups.push_back(std::move(themes));
  }
  AddGroup(filter.tag_groups, "public", query.publics);
  AddGroup(filter.tag_groups, "type", query.types);
  AddGroup(filter.tag_groups, "frais", query.frais);
  AddGroup(filter.tag_groups, "mode_accueil", query.modes_accueil);
  AddGroup(filter.tag_groups, "langue", query.langues);
  if (query.label_pasip) filter.tag_groups.push_back({"label:pasip"});
  if (query.pmr) filter.tag_groups.push_back({"pmr:oui"});
  if (query.organisation_id) {
    filter.tag_groups.push_back({Tag("organisation", std::to_string(*query.organisation_id))});
  }
  if (centre) {
    const geo::BoundingBox box = geo::BoxAround(centre->first, centre->second, query.rayon_km);
    filter.box = CandidateFilter::Box{box.min_lat, box.max_lat, box.min_lon, box.max_lon};
  }
  filter.include_unpublished = view == View::kProfessional;

  PASIP_ASSIGN_OR_RETURN(candidates, store_.FindCandidates(query.entity, filter));

  // Distance, radius and "open at": the eligible locations of each candidate.
  std::string open_date;
  if (query.ouvert_a) open_date = openinghours::FormatDate(ParisDate(*query.ouvert_a));
  // The state at `ouvert_a` of each hours string met during this search, per département
  // (the public holidays differ): candidates share a few hundred strings at most. Keys are
  // views into `candidates`.
  struct SeenHours {
    std::shared_ptr<const OpeningHours> hours;
    std::vector<std::pair<std::string_view, bool>> open_in;  // département → open
  };
  std::unordered_map<std::string_view, SeenHours> hours_seen;
  auto open_at = [&](const Location& l) {
    auto it = hours_seen.find(l.horaires);
    if (it == hours_seen.end()) {
      it = hours_seen.emplace(l.horaires, SeenHours{hours_->Get(l.horaires), {}}).first;
    }
    SeenHours& seen = it->second;
    if (!seen.hours) return false;  // unknown hours never count as open
    const std::string_view department = DepartmentView(l.code_insee);
    for (const auto& [code, open] : seen.open_in) {
      if (code == department) return open;
    }
    const bool open =
        seen.hours->StateAt(*query.ouvert_a, openinghours::Place{std::string(department)}) ==
        openinghours::State::kOpen;
    seen.open_in.emplace_back(department, open);
    return open;
  };

  std::vector<Match> matches;
  matches.reserve(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    if (query.ouvert_a && ClosedOn(c.closures, open_date)) continue;
    Match m;
    m.id = c.id;
    m.candidate = static_cast<std::uint32_t>(i);
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < c.locations.size(); ++j) {
      const Location& l = c.locations[j];
      if (l.itinerant && !query.itinerants) continue;
      double d = 0;
      if (centre) {
        d = geo::DistanceKm(centre->first, centre->second, l.latitude, l.longitude);
        if (d > query.rayon_km || d >= best) continue;
      }
      if (query.ouvert_a && !open_at(l)) continue;
      best = d;
      m.location = static_cast<std::int32_t>(j);
      if (!centre) break;  // unsorted by distance: the first eligible location will do
    }
    if ((centre || query.ouvert_a) && m.location < 0) continue;
    m.distance = centre ? best : 0;
    matches.push_back(m);
  }
  page.total = static_cast<std::int64_t>(matches.size());

  if (query.facettes) {
    std::unordered_map<std::string_view, std::int64_t> counts;
    for (const Match& m : matches) {
      for (const std::string& tag : candidates[m.candidate].tags) ++counts[tag];
    }
    for (std::string_view kind : kFacetKinds) {
      const std::size_t first = page.facettes.size();
      for (const auto& [tag, count] : counts) {
        if (tag.size() > kind.size() && tag[kind.size()] == ':' && text::StartsWith(tag, kind)) {
          page.facettes.push_back(
              {std::string(kind), std::string(tag.substr(kind.size() + 1)), count});
        }
      }
      std::sort(page.facettes.begin() + static_cast<std::ptrdiff_t>(first), page.facettes.end(),
                [](const FacetCount& a, const FacetCount& b) {
                  return a.count != b.count ? a.count > b.count : a.value < b.value;
                });
    }
  }

  // Order and page: only the items after the cursor, and only the page's worth sorted.
  auto less = [&](const Match& a, const Match& b) {
    if (centre) {
      if (a.distance != b.distance) return a.distance < b.distance;
    } else {
      const int cmp = candidates[a.candidate].sort_name.compare(candidates[b.candidate].sort_name);
      if (cmp != 0) return cmp < 0;
    }
    return a.id < b.id;
  };
  auto after_cursor = [&](const Match& m) {
    if (!after) return true;
    if (centre) {
      if (m.distance != after->distance) return m.distance > after->distance;
    } else {
      const int cmp = candidates[m.candidate].sort_name.compare(after->name);
      if (cmp != 0) return cmp > 0;
    }
    return m.id > after->id;
  };
  const auto rest_end = std::partition(matches.begin(), matches.end(), after_cursor);
  const std::size_t rest = static_cast<std::size_t>(rest_end - matches.begin());
  const std::size_t shown = std::min(rest, static_cast<std::size_t>(query.limite));
  std::partial_sort(matches.begin(), matches.begin() + static_cast<std::ptrdiff_t>(shown), rest_end,
                    less);
  if (rest > shown && shown > 0) {
    const Match& last = matches[shown - 1];
    page.suivant = EncodeCursor(centre.has_value(), last.distance,
                                candidates[last.candidate].sort_name, last.id);
  }

  // Load the page's records.
  std::vector<std::int64_t> ids;
  std::vector<StructureId> structure_ids;
  for (std::size_t i = 0; i < shown; ++i) {
    ids.push_back(matches[i].id);
    structure_ids.push_back(candidates[matches[i].candidate].structure_id);
  }
  std::vector<Service> services;
  if (query.entity == Entity::kService) {
    PASIP_ASSIGN_OR_RETURN(loaded, store_.LoadServices(ids));
    services = std::move(loaded);
  }
  std::sort(structure_ids.begin(), structure_ids.end());
  structure_ids.erase(std::unique(structure_ids.begin(), structure_ids.end()), structure_ids.end());
  PASIP_ASSIGN_OR_RETURN(structures, store_.LoadStructures(structure_ids));
  std::unordered_map<std::int64_t, const Service*> service_by_id;
  for (const Service& s : services) service_by_id.emplace(s.id, &s);
  std::unordered_map<StructureId, const Structure*> structure_by_id;
  for (const Structure& s : structures) structure_by_id.emplace(s.id, &s);

  const TimePoint at = query.ouvert_a.value_or(clock_.Now());
  page.items.reserve(shown);
  for (std::size_t i = 0; i < shown; ++i) {
    const Match& m = matches[i];
    const Candidate& c = candidates[m.candidate];
    const auto structure = structure_by_id.find(c.structure_id);
    if (structure == structure_by_id.end()) continue;  // removed since the candidates were read
    Hit hit;
    hit.id = m.id;
    if (query.entity == Entity::kService) {
      const auto service = service_by_id.find(m.id);
      if (service == service_by_id.end()) continue;
      hit.service = *service->second;
      if (view == View::kPublic) RedactService(*hit.service);
    }
    hit.structure = *structure->second;
    if (view == View::kPublic) RedactStructure(*hit.structure);
    const Location* location = m.location >= 0 ? &c.locations[m.location] : nullptr;
    if (location) hit.lieu = *location;
    if (centre) hit.distance_km = m.distance;
    hit.ouverture = StateAt(location, c.closures, at);
    page.items.push_back(std::move(hit));
  }
  return page;
}

// ---------------------------------------------------------------------------------------
// Reads.

Result<StructureDetail> DirectoryService::GetStructure(StructureId id, View view) {
  PASIP_ASSIGN_OR_RETURN(found, store_.FindStructure(id));
  if (!found || (view == View::kPublic && !found->publie)) {
    return Fail(NotFound("Cette structure n'existe pas ou n'est plus publiée."));
  }
  StructureDetail detail;
  detail.structure = std::move(*found);
  PASIP_ASSIGN_OR_RETURN(services, store_.ServicesOf(id));
  detail.freshness = ScoreStructure(detail.structure, services, Today());
  for (Service& s : services) {
    if (view == View::kPublic && !s.publie) continue;
    if (view == View::kPublic) RedactService(s);
    detail.services.push_back(std::move(s));
  }
  const std::vector<StructureId> host_ids = HostIdsOf(detail.services);
  if (!host_ids.empty()) {
    PASIP_ASSIGN_OR_RETURN(hosts, store_.LoadStructures(host_ids));
    for (Structure& h : hosts) {
      if (view == View::kPublic && !h.publie) continue;
      if (view == View::kPublic) RedactStructure(h);
      detail.hosts.push_back(std::move(h));
    }
  }
  PASIP_ASSIGN_OR_RETURN(accueillies, HostedAt(id, view));
  detail.accueillies = std::move(accueillies);
  if (view == View::kPublic) RedactStructure(detail.structure);
  return detail;
}

Result<std::vector<HostedPermanence>> DirectoryService::HostedAt(StructureId id, View view) {
  CandidateFilter hosted;
  hosted.tag_groups.push_back({Tag("hote", std::to_string(id))});
  hosted.include_unpublished = true;
  PASIP_ASSIGN_OR_RETURN(candidates, store_.FindCandidates(Entity::kService, hosted));
  std::vector<ServiceId> service_ids;
  std::vector<StructureId> partner_ids;
  for (const Candidate& c : candidates) {
    if (c.structure_id == id) continue;
    service_ids.push_back(c.id);
    partner_ids.push_back(c.structure_id);
  }
  std::vector<HostedPermanence> out;
  if (service_ids.empty()) return out;
  std::sort(partner_ids.begin(), partner_ids.end());
  partner_ids.erase(std::unique(partner_ids.begin(), partner_ids.end()), partner_ids.end());
  PASIP_ASSIGN_OR_RETURN(services, store_.LoadServices(service_ids));
  PASIP_ASSIGN_OR_RETURN(partners, store_.LoadStructures(partner_ids));
  for (Service& s : services) {
    const auto partner = std::find_if(partners.begin(), partners.end(),
                                      [&](const Structure& p) { return p.id == s.structure_id; });
    if (partner == partners.end()) continue;
    if (view == View::kPublic && (!s.publie || !partner->publie)) continue;
    Structure holder = *partner;
    if (view == View::kPublic) {
      RedactService(s);
      RedactStructure(holder);
    }
    // The index may lag behind the record: the service's own permanences decide.
    for (const Permanence& p : s.permanences) {
      if (p.host_structure_id != id) continue;
      out.push_back(HostedPermanence{s, holder, p});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const HostedPermanence& a, const HostedPermanence& b) {
                     if (a.partner.nom != b.partner.nom) return a.partner.nom < b.partner.nom;
                     if (a.service.nom != b.service.nom) return a.service.nom < b.service.nom;
                     return a.service.id < b.service.id;
                   });
  return out;
}

Result<Service> DirectoryService::GetService(ServiceId id, View view) {
  PASIP_ASSIGN_OR_RETURN(found, store_.FindService(id));
  if (!found) return Fail(NotFound("Ce service n'existe pas ou n'est plus publié."));
  if (view == View::kPublic) {
    PASIP_ASSIGN_OR_RETURN(structure, store_.FindStructure(found->structure_id));
    if (!found->publie || !structure || !structure->publie) {
      return Fail(NotFound("Ce service n'existe pas ou n'est plus publié."));
    }
    RedactService(*found);
  }
  return std::move(*found);
}

// ---------------------------------------------------------------------------------------
// Writes.

bool DirectoryService::CanEdit(const identity::Principal& who, const Structure& s) const {
  if (!s.organisation_id) {
    // A structure no organisation runs belongs to the network: the coordination's to edit.
    return Authorize(who, Action::kDirectoryWrite) == Decision::kAllow &&
           (who.HasRole(Role::kCoordination) || who.HasRole(Role::kAdmin));
  }
  return Authorize(who, Action::kDirectoryWrite, identity::ResourceScope{s.organisation_id}) ==
         Decision::kAllow;
}

std::string DirectoryService::Today() const {
  return openinghours::FormatDate(ParisDate(clock_.Now()));
}

Status DirectoryService::Refuse(const identity::Principal& who, const audit::Context& ctx,
                                std::string_view action, std::string_view type, std::int64_t id) {
  PASIP_TRY(audit_.Record(ctx, action, type, id > 0 ? std::to_string(id) : std::string(),
                          audit::Outcome::kDenied));
  return Fail(Refusal(who));
}

Status DirectoryService::CheckSite(const Structure& s) {
  if (!s.site_id) return Ok();
  PASIP_ASSIGN_OR_RETURN(other, store_.FindStructureBySite(*s.site_id));
  if (other && other->id != s.id) {
    return Fail(
        AlreadyExists("Ce site est déjà relié à la structure « " + other->nom + " ».", "site_id"));
  }
  return Ok();
}

Result<std::vector<Structure>> DirectoryService::HostsOf(const Service& s) {
  std::vector<StructureId> ids;
  for (const Permanence& p : s.permanences) ids.push_back(p.host_structure_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return std::vector<Structure>();
  PASIP_ASSIGN_OR_RETURN(hosts, store_.LoadStructures(ids));
  for (std::size_t i = 0; i < s.permanences.size(); ++i) {
    const StructureId host = s.permanences[i].host_structure_id;
    if (std::none_of(hosts.begin(), hosts.end(),
                     [&](const Structure& h) { return h.id == host; })) {
      return Fail(InvalidArgument("La structure qui accueille la permanence n'existe pas.",
                                  "permanences[" + std::to_string(i) + "].host_structure_id"));
    }
  }
  return hosts;
}

std::optional<territory::Commune> DirectoryService::CommuneOfService(const Service& s,
                                                                     const Structure& structure) {
  return CommuneOf(s.code_insee.value_or(structure.code_insee.value_or("")));
}

Status DirectoryService::SaveServiceIndex(const Service& s, const Structure& structure) {
  PASIP_ASSIGN_OR_RETURN(hosts, HostsOf(s));
  PASIP_TRY(
      store_.SaveService(s, IndexOfService(s, structure, hosts, CommuneOfService(s, structure))));
  return Ok();
}

Status DirectoryService::RefreshStructureIndex(StructureId id) {
  PASIP_ASSIGN_OR_RETURN(structure, store_.FindStructure(id));
  if (!structure) return Ok();
  PASIP_ASSIGN_OR_RETURN(services, store_.ServicesOf(id));
  return store_.ReindexStructure(
      id, IndexOfStructure(*structure, services, CommuneOf(structure->code_insee.value_or(""))));
}

Status DirectoryService::RefreshDependants(const Structure& structure,
                                           std::span<const Service> own) {
  for (const Service& s : own) PASIP_TRY(SaveServiceIndex(s, structure));
  // Services of other structures holding a permanence here are met at this address.
  CandidateFilter hosted;
  hosted.tag_groups.push_back({Tag("hote", std::to_string(structure.id))});
  hosted.include_unpublished = true;
  PASIP_ASSIGN_OR_RETURN(candidates, store_.FindCandidates(Entity::kService, hosted));
  std::set<StructureId> partners;
  for (const Candidate& c : candidates) {
    if (c.structure_id == structure.id) continue;
    PASIP_ASSIGN_OR_RETURN(service, store_.FindService(c.id));
    PASIP_ASSIGN_OR_RETURN(partner, store_.FindStructure(c.structure_id));
    if (!service || !partner) continue;
    PASIP_TRY(SaveServiceIndex(*service, *partner));
    partners.insert(partner->id);
  }
  for (StructureId id : partners) PASIP_TRY(RefreshStructureIndex(id));
  return Ok();
}

Result<Structure> DirectoryService::CreateStructure(Structure s, const identity::Principal& who,
                                                    const audit::Context& ctx) {
  const WriteDone done{*generation_};
  constexpr std::string_view kAction = "directory.structure.create";
  if (!CanEdit(who, s)) return Fail(Refuse(who, ctx, kAction, "structure", 0).error());
  s.id = 0;
  s.source = "pasip";
  s.source_id = NewSourceId();
  s.date_maj = Today();
  PASIP_TRY(ValidateStructure(s));
  PASIP_TRY(CheckSite(s));
  const auto commune = CommuneOf(s.code_insee.value_or(""));
  PASIP_ASSIGN_OR_RETURN(saved, store_.SaveStructure(s, IndexOfStructure(s, {}, commune)));
  PASIP_TRY(audit_.Record(ctx, kAction, "structure", saved.id));
  return saved;
}

Result<Structure> DirectoryService::UpdateStructure(Structure s, const identity::Principal& who,
                                                    const audit::Context& ctx) {
  const WriteDone done{*generation_};
  constexpr std::string_view kAction = "directory.structure.update";
  PASIP_ASSIGN_OR_RETURN(existing, store_.FindStructure(s.id));
  if (!existing) return Fail(NotFound("Cette structure n'existe pas."));
  if (!CanEdit(who, *existing) || !CanEdit(who, s)) {
    return Fail(Refuse(who, ctx, kAction, "structure", s.id).error());
  }
  s.source = existing->source;
  s.source_id = existing->source_id;
  s.date_maj = Today();
  PASIP_TRY(ValidateStructure(s));
  PASIP_TRY(CheckSite(s));
  PASIP_ASSIGN_OR_RETURN(services, store_.ServicesOf(s.id));
  const auto commune = CommuneOf(s.code_insee.value_or(""));
  PASIP_ASSIGN_OR_RETURN(saved, store_.SaveStructure(s, IndexOfStructure(s, services, commune)));
  PASIP_TRY(RefreshDependants(saved, services));
  PASIP_TRY(audit_.Record(ctx, kAction, "structure", saved.id));
  return saved;
}

Result<Service> DirectoryService::CreateService(Service s, const identity::Principal& who,
                                                const audit::Context& ctx) {
  const WriteDone done{*generation_};
  constexpr std::string_view kAction = "directory.service.create";
  PASIP_ASSIGN_OR_RETURN(structure, store_.FindStructure(s.structure_id));
  if (!structure) {
    return Fail(InvalidArgument("La structure de ce service n'existe pas.", "structure_id"));
  }
  if (!CanEdit(who, *structure)) return Fail(Refuse(who, ctx, kAction, "service", 0).error());
  s.id = 0;
  s.source = "pasip";
  s.source_id = NewSourceId();
  s.date_maj = Today();
  PASIP_TRY(ValidateService(s));
  PASIP_ASSIGN_OR_RETURN(hosts, HostsOf(s));
  PASIP_ASSIGN_OR_RETURN(
      saved,
      store_.SaveService(s, IndexOfService(s, *structure, hosts, CommuneOfService(s, *structure))));
  PASIP_TRY(RefreshStructureIndex(structure->id));
  PASIP_TRY(audit_.Record(ctx, kAction, "service", saved.id));
  return saved;
}

Result<Service> DirectoryService::UpdateService(Service s, const identity::Principal& who,
                                                const audit::Context& ctx) {
  const WriteDone done{*generation_};
  constexpr std::string_view kAction = "directory.service.update";
  PASIP_ASSIGN_OR_RETURN(existing, store_.FindService(s.id));
  if (!existing) return Fail(NotFound("Ce service n'existe pas."));
  PASIP_ASSIGN_OR_RETURN(previous_structure, store_.FindStructure(existing->structure_id));
  if (!previous_structure || !CanEdit(who, *previous_structure)) {
    return Fail(Refuse(who, ctx, kAction, "service", s.id).error());
  }
  std::optional<Structure> structure = previous_structure;
  if (s.structure_id != existing->structure_id) {
    PASIP_ASSIGN_OR_RETURN(target, store_.FindStructure(s.structure_id));
    if (!target) {
      return Fail(InvalidArgument("La structure de ce service n'existe pas.", "structure_id"));
    }
    if (!CanEdit(who, *target)) return Fail(Refuse(who, ctx, kAction, "service", s.id).error());
    structure = std::move(target);
  }
  s.source = existing->source;
  s.source_id = existing->source_id;
  s.date_maj = Today();
  PASIP_TRY(ValidateService(s));
  PASIP_ASSIGN_OR_RETURN(hosts, HostsOf(s));
  PASIP_ASSIGN_OR_RETURN(
      saved,
      store_.SaveService(s, IndexOfService(s, *structure, hosts, CommuneOfService(s, *structure))));
  PASIP_TRY(RefreshStructureIndex(structure->id));
  if (structure->id != previous_structure->id) {
    PASIP_TRY(RefreshStructureIndex(previous_structure->id));
  }
  PASIP_TRY(audit_.Record(ctx, kAction, "service", saved.id));
  return saved;
}

Status DirectoryService::DeleteService(ServiceId id, const identity::Principal& who,
                                       const audit::Context& ctx) {
  const WriteDone done{*generation_};
  constexpr std::string_view kAction = "directory.service.delete";
  PASIP_ASSIGN_OR_RETURN(existing, store_.FindService(id));
  if (!existing) return Fail(NotFound("Ce service n'existe pas."));
  PASIP_ASSIGN_OR_RETURN(structure, store_.FindStructure(existing->structure_id));
  if (!structure || !CanEdit(who, *structure)) return Refuse(who, ctx, kAction, "service", id);
  PASIP_TRY(store_.DeleteService(id));
  PASIP_TRY(RefreshStructureIndex(structure->id));
  return audit_.Record(ctx, kAction, "service", id);
}

Result<std::vector<ToUpdateItem>> DirectoryService::ToUpdate(const identity::Principal& who,
                                                             int limit) {
  const Decision decision = Authorize(who, Action::kDirectoryWrite);
  if (decision != Decision::kAllow) return Fail(Refusal(who));
  if (limit < 1 || limit > 1000) {
    return Fail(
        InvalidArgument("Le nombre de fiches doit être compris entre 1 et 1000.", "limite"));
  }
  std::vector<std::optional<std::int64_t>> scopes;
  if (who.HasRole(Role::kCoordination) || who.HasRole(Role::kAdmin)) {
    scopes.emplace_back();
  } else {
    for (identity::OrganisationId id : who.OrganisationsWithRole(Role::kPartenaire)) {
      scopes.emplace_back(id);
    }
  }

  std::map<StructureId, Structure> structures;
  std::map<StructureId, std::vector<Service>> services;
  for (const auto& scope : scopes) {
    for (StructureId after = 0;;) {
      PASIP_ASSIGN_OR_RETURN(batch, store_.ListStructures(after, kListPage, scope));
      for (Structure& s : batch) {
        after = s.id;
        structures.emplace(s.id, std::move(s));
      }
      if (static_cast<int>(batch.size()) < kListPage) break;
    }
    for (ServiceId after = 0;;) {
      PASIP_ASSIGN_OR_RETURN(batch, store_.ListServices(after, kListPage, scope));
      for (Service& s : batch) {
        after = s.id;
        services[s.structure_id].push_back(std::move(s));
      }
      if (static_cast<int>(batch.size()) < kListPage) break;
    }
  }

  const std::string today = Today();
  std::vector<ToUpdateItem> items;
  items.reserve(structures.size());
  for (auto& [id, s] : structures) {
    const auto it = services.find(id);
    const std::span<const Service> own =
        it == services.end() ? std::span<const Service>() : std::span<const Service>(it->second);
    Freshness f = ScoreStructure(s, own, today);
    items.push_back({std::move(s), std::move(f)});
  }
  std::sort(items.begin(), items.end(), [](const ToUpdateItem& a, const ToUpdateItem& b) {
    if (a.freshness.score != b.freshness.score) return a.freshness.score < b.freshness.score;
    if (a.freshness.age_days != b.freshness.age_days) {
      return a.freshness.age_days > b.freshness.age_days;
    }
    return a.structure.id < b.structure.id;
  });
  if (items.size() > static_cast<std::size_t>(limit)) items.resize(limit);
  return items;
}

Status DirectoryService::Reindex(std::span<const StructureId> ids) {
  const WriteDone done{*generation_};
  // Written through UpsertBulk, a few hundred structures per transaction: one commit per
  // record made a 2,845-site import take 50 s. Unchanged records keep their updated_at.
  constexpr std::size_t kChunk = 500;
  for (std::size_t begin = 0; begin < ids.size(); begin += kChunk) {
    const auto chunk = ids.subspan(begin, std::min(kChunk, ids.size() - begin));
    PASIP_ASSIGN_OR_RETURN(structures, store_.LoadStructures(chunk));
    std::vector<StructureRecord> structure_records;
    std::vector<ServiceRecord> service_records;
    structure_records.reserve(structures.size());
    for (Structure& structure : structures) {
      PASIP_ASSIGN_OR_RETURN(services, store_.ServicesOf(structure.id));
      for (const Service& service : services) {
        PASIP_ASSIGN_OR_RETURN(hosts, HostsOf(service));
        ServiceRecord record{service, structure.source_id, {}};
        record.index =
            IndexOfService(service, structure, hosts, CommuneOfService(service, structure));
        service_records.push_back(std::move(record));
      }
      IndexData index =
          IndexOfStructure(structure, services, CommuneOf(structure.code_insee.value_or("")));
      structure_records.push_back({std::move(structure), std::move(index)});
    }
    PASIP_TRY(store_.UpsertBulk(structure_records, service_records));
  }
  return Ok();
}

Status DirectoryService::SiteSaved(const identity::Site& site,
                                   const identity::Organisation& organisation,
                                   const audit::Context& context) {
  const WriteDone done{*generation_};
  PASIP_ASSIGN_OR_RETURN(existing, store_.FindStructureBySite(site.id));
  Structure s;
  if (existing) {
    s = *existing;
  } else {
    s.source = "pasip";
    s.source_id = "lieu-" + std::to_string(site.id);
    s.site_id = site.id;
    s.organisation_id = organisation.id;
    if (IsValid(Referentiel::kReseauPorteur, organisation.kind)) {
      s.reseaux_porteurs = {organisation.kind};
    }
  }
  const std::optional<territory::Commune> commune = CommuneOf(site.commune_code);
  s.nom = site.name;
  s.adresse = site.address.empty() ? std::nullopt : std::optional<std::string>(site.address);
  s.code_insee = site.commune_code;
  if (commune) s.commune = commune->name;
  s.latitude = site.latitude;
  s.longitude = site.longitude;
  s.publie = site.active;
  s.date_maj = Today();
  if (!ValidateStructure(s)) return Ok();
  PASIP_ASSIGN_OR_RETURN(services, store_.ServicesOf(s.id));
  PASIP_ASSIGN_OR_RETURN(saved, store_.SaveStructure(s, IndexOfStructure(s, services, commune)));
  PASIP_TRY(audit_.Record(context,
                          existing ? "directory.structure.update" : "directory.structure.create",
                          "structure", saved.id));
  return RefreshDependants(saved, services);
}

}  // namespace pasip::directory
