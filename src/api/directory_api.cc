#include "api/directory_api.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/directory_json.h"
#include "api/problem.h"
#include "api/support.h"
#include "core/clock.h"
#include "core/text.h"
#include "domain/directory/directory.h"
#include "domain/directory/model.h"
#include "domain/identity/caller.h"
#include "domain/openinghours/holidays.h"
#include "domain/openinghours/normaliser.h"
#include "domain/openinghours/opening_hours.h"
#include "domain/territory/model.h"

namespace pasip::api {
namespace {

using directory::Entity;
using directory::Referentiel;
using directory::View;
using nlohmann::json;

constexpr int kSearchDefaultLimit = 20;
constexpr int kSearchMaxLimit = 100;
constexpr int kCommunesDefaultLimit = 10;
constexpr int kCommunesMaxLimit = 50;
constexpr int kExportDefaultLimit = 100;
constexpr int kExportMaxLimit = 1000;
constexpr double kMaxRadiusKm = 200;
constexpr std::size_t kMaxTextLength = 200;    // q, apres (code points)
constexpr std::size_t kMaxHoursLength = 1000;  // horaires to check
constexpr std::size_t kMaxEchoedValue = 80;    // a wrong value quoted back, in bytes

// ---------------------------------------------------------------------------------------
// Errors.

// The domain's directory fields are already the API's members, except a service's
// structure (structure_id in the model, `structure` in the API) and a permanence's host.
Error InDirectoryTerms(Error error) {
  static constexpr std::string_view kHost = "host_structure_id";  // permanences[i].…
  if (error.field == "structure_id") error.field = "structure";
  if (error.field.size() > kHost.size() && error.field.ends_with(kHost)) {
    error.field.replace(error.field.size() - kHost.size(), kHost.size(), "structure_hote");
  }
  return InApiTerms(std::move(error));
}

http::Handler Handle(Input input, std::function<Result<http::Response>(http::Request&)> f) {
  return WrapInput(input, InDirectoryTerms, std::move(f));
}

// "La valeur « x »", or "Une valeur" when it is too long to quote back.
std::string Quoted(std::string_view value) {
  if (value.size() > kMaxEchoedValue) return "Une valeur";
  return "La valeur « " + std::string(value) + " »";
}

// ---------------------------------------------------------------------------------------
// Query-string parameters. An empty value counts as absent.

// Values repeated (?a=x&a=y) and/or comma-separated (?a=x,y), trimmed, without duplicates.
std::vector<std::string> ListParam(const http::FormData& q, std::string_view name) {
  std::vector<std::string> out;
  for (const std::string& raw : q.GetAll(name)) {
    for (const std::string& part : text::Split(raw, ',')) {
      const std::string_view value = text::Trim(part);
      if (value.empty()) continue;
      if (std::find(out.begin(), out.end(), value) == out.end()) out.emplace_back(value);
    }
  }
  return out;
}

// A list whose values must belong to a référentiel; `noun` names one value in French.
Result<std::vector<std::string>> ReferentielParam(const http::FormData& q, const char* name,
                                                  Referentiel referentiel, const char* noun) {
  std::vector<std::string> values = ListParam(q, name);
  for (const std::string& v : values) {
    if (!directory::IsValid(referentiel, v)) {
      return Fail(InvalidArgument(
          Quoted(v) + " n'est pas " + noun + " (paramètre « " + name + " »).", name));
    }
  }
  return values;
}

Result<std::vector<std::string>> LanguagesParam(const http::FormData& q) {
  std::vector<std::string> values = ListParam(q, "langues");
  for (std::string& v : values) {
    v = text::AsciiLower(v);
    if (!directory::IsLanguageCode(v)) {
      return Fail(InvalidArgument(Quoted(v) +
                                      " n'est pas un code de langue ISO 639-1 (« fr », « en », "
                                      "« ar »…) (paramètre « langues »).",
                                  "langues"));
    }
  }
  return values;
}

Result<std::optional<bool>> BoolParam(const http::FormData& q, const char* name) {
  const auto v = NonEmpty(q, name);
  if (!v) return std::optional<bool>();
  const std::string lower = text::AsciiLower(*v);
  if (lower == "true" || lower == "1") return std::optional<bool>(true);
  if (lower == "false" || lower == "0") return std::optional<bool>(false);
  return Fail(InvalidArgument(
      std::string("Le paramètre « ") + name + " » doit valoir true ou false.", name));
}

Result<std::optional<double>> NumberParam(const http::FormData& q, const char* name) {
  const auto v = NonEmpty(q, name);
  if (!v) return std::optional<double>();
  double value = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), value);
  if (ec != std::errc() || end != v->data() + v->size() || !std::isfinite(value)) {
    return Fail(InvalidArgument(std::string("Le paramètre « ") + name +
                                    " » doit être un nombre, avec un point décimal (48.11).",
                                name));
  }
  return std::optional<double>(value);
}

Result<int> LimitParam(const http::FormData& q, int fallback, int max) {
  PASIP_ASSIGN_OR_RETURN(limit, IntegerParam(q, "limite"));
  if (!limit) return fallback;
  if (*limit < 1 || *limit > max) {
    return Fail(InvalidArgument(
        "Le paramètre « limite » doit être un nombre entre 1 et " + std::to_string(max) + ".",
        "limite"));
  }
  return static_cast<int>(*limit);
}

Result<std::optional<std::string>> CommuneParam(const http::FormData& q) {
  auto code = NonEmpty(q, "commune");
  if (code && !territory::IsInseeCode(*code)) {
    return Fail(InvalidArgument(
        "Le paramètre « commune » doit être un code INSEE de commune à 5 caractères (35238).",
        "commune"));
  }
  return code;
}

Result<std::string> TextParam(const http::FormData& q, const char* name) {
  std::string value(text::Trim(q.GetOr(name)));
  if (text::Utf8Length(value) > kMaxTextLength) {
    return Fail(InvalidArgument(std::string("Le paramètre « ") + name + " » dépasse " +
                                    std::to_string(kMaxTextLength) + " caractères.",
                                name));
  }
  return value;
}

// The organisation a partenaire writes for when the body does not say: their only one.
// Territory-wide roles choose explicitly.
std::optional<std::int64_t> OwnOrganisation(const identity::Principal& who) {
  if (who.HasRole(identity::Role::kAdmin) || who.HasRole(identity::Role::kCoordination)) {
    return std::nullopt;
  }
  const auto orgs = who.OrganisationsWithRole(identity::Role::kPartenaire);
  if (orgs.size() == 1) return orgs.front();
  return std::nullopt;
}

Result<directory::SearchQuery> ParseSearch(const http::Request& req, Entity entity, View view,
                                           const Clock& clock) {
  const http::FormData& q = req.query;
  directory::SearchQuery s;
  s.entity = entity;
  PASIP_ASSIGN_OR_RETURN(text_query, TextParam(q, "q"));
  s.q = std::move(text_query);

  PASIP_ASSIGN_OR_RETURN(thematiques, ReferentielParam(q, "thematiques", Referentiel::kThematique,
                                                       "une thématique connue"));
  PASIP_ASSIGN_OR_RETURN(categories, ReferentielParam(q, "categories", Referentiel::kCategorie,
                                                      "une catégorie connue"));
  PASIP_ASSIGN_OR_RETURN(publics,
                         ReferentielParam(q, "publics", Referentiel::kPublic, "un public connu"));
  PASIP_ASSIGN_OR_RETURN(
      types, ReferentielParam(q, "types", Referentiel::kTypeService, "un type de service connu"));
  PASIP_ASSIGN_OR_RETURN(frais, ReferentielParam(q, "frais", Referentiel::kFrais,
                                                 "une valeur de frais connue (gratuit, payant)"));
  PASIP_ASSIGN_OR_RETURN(modes,
                         ReferentielParam(q, "modes_accueil", Referentiel::kModeAccueil,
                                          "un mode d'accueil connu (en-presentiel, a-distance)"));
  PASIP_ASSIGN_OR_RETURN(langues, LanguagesParam(q));
  s.thematiques = std::move(thematiques);
  s.categories = std::move(categories);
  s.publics = std::move(publics);
  s.types = std::move(types);
  s.frais = std::move(frais);
  s.modes_accueil = std::move(modes);
  s.langues = std::move(langues);

  PASIP_ASSIGN_OR_RETURN(label, BoolParam(q, "label_pasip"));
  PASIP_ASSIGN_OR_RETURN(pmr, BoolParam(q, "pmr"));
  PASIP_ASSIGN_OR_RETURN(itinerants, BoolParam(q, "itinerants"));
  PASIP_ASSIGN_OR_RETURN(facettes, BoolParam(q, "facettes"));
  PASIP_ASSIGN_OR_RETURN(now, BoolParam(q, "ouvert_maintenant"));
  s.label_pasip = label.value_or(false);
  s.pmr = pmr.value_or(false);
  s.itinerants = itinerants.value_or(true);
  s.facettes = facettes.value_or(false);

  // ouvert_a wins over ouvert_maintenant when both are given.
  if (const auto at = NonEmpty(q, "ouvert_a")) {
    s.ouvert_a = ParseIso(*at);
    if (!s.ouvert_a) {
      return Fail(
          InvalidArgument("Le paramètre « ouvert_a » doit être une date et heure ISO 8601 "
                          "(2026-11-23T10:00:00+01:00).",
                          "ouvert_a"));
    }
  } else if (now.value_or(false)) {
    s.ouvert_a = clock.Now();
  }

  PASIP_ASSIGN_OR_RETURN(commune, CommuneParam(q));
  s.commune = std::move(commune);
  PASIP_ASSIGN_OR_RETURN(lat, NumberParam(q, "lat"));
  PASIP_ASSIGN_OR_RETURN(lon, NumberParam(q, "lon"));
  if (lat && !lon) {
    return Fail(InvalidArgument("Indiquez aussi la longitude « lon » avec « lat ».", "lon"));
  }
  if (lon && !lat) {
    return Fail(InvalidArgument("Indiquez aussi la latitude « lat » avec « lon ».", "lat"));
  }
  if (lat && (*lat < -90 || *lat > 90)) {
    return Fail(InvalidArgument("« lat » doit être comprise entre -90 et 90.", "lat"));
  }
  if (lon && (*lon < -180 || *lon > 180)) {
    return Fail(InvalidArgument("« lon » doit être comprise entre -180 et 180.", "lon"));
  }
  s.latitude = lat;
  s.longitude = lon;
  PASIP_ASSIGN_OR_RETURN(radius, NumberParam(q, "rayon_km"));
  if (radius) {
    if (*radius <= 0 || *radius > kMaxRadiusKm) {
      return Fail(InvalidArgument("Le paramètre « rayon_km » doit être compris entre 0 et " +
                                      std::to_string(static_cast<int>(kMaxRadiusKm)) + " km.",
                                  "rayon_km"));
    }
    s.rayon_km = *radius;
  }

  PASIP_ASSIGN_OR_RETURN(organisation, IntegerParam(q, "organisation"));
  if (organisation) {
    if (view != View::kProfessional) {
      return Fail(
          PermissionDenied("Le filtre « organisation » est réservé aux professionnels connectés."));
    }
    if (*organisation < 1) {
      return Fail(
          InvalidArgument("« organisation » doit être un numéro d'organisation.", "organisation"));
    }
    s.organisation_id = *organisation;
  }

  PASIP_ASSIGN_OR_RETURN(limit, LimitParam(q, kSearchDefaultLimit, kSearchMaxLimit));
  s.limite = limit;
  PASIP_ASSIGN_OR_RETURN(after, TextParam(q, "apres"));
  s.apres = std::move(after);
  return s;
}

// ---------------------------------------------------------------------------------------
// Rendering.

json OrNull(std::string_view s) { return s.empty() ? json(nullptr) : json(std::string(s)); }

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

double RoundKm(double km) { return std::round(km * 10) / 10; }

json LocationJson(const directory::Location& l) {
  return {{"lieu", OrNull(l.lieu)},         {"code_insee", OrNull(l.code_insee)},
          {"latitude", l.latitude},         {"longitude", l.longitude},
          {"horaires", OrNull(l.horaires)}, {"itinerant", l.itinerant}};
}

json OpenStateJson(const directory::OpenState& o) {
  return {{"etat", o.etat}, {"prochain", OrNull(o.prochain)}, {"aujourdhui", OrNull(o.aujourdhui)}};
}

// What a service's reader needs of its structure.
json StructureEssentials(const directory::Structure& s) {
  return {{"pasip_id", s.id},
          {"nom", s.nom},
          {"commune", OrNull(s.commune)},
          {"code_insee", OrNull(s.code_insee)},
          {"telephone", OrNull(s.telephone)}};
}

json CommuneJson(const territory::Commune& c) {
  return {{"code", c.code},
          {"nom", c.name},
          {"departement", c.departement},
          {"departement_nom", OrNull(territory::DepartementName(c.departement))},
          {"codes_postaux", c.codes_postaux},
          {"latitude", OrNull(c.latitude)},
          {"longitude", OrNull(c.longitude)},
          {"population", OrNull(c.population)}};
}

std::string FacetLabel(std::string_view kind, std::string_view value) {
  static const std::map<std::string_view, Referentiel> kKinds = {
      {"thematique", Referentiel::kThematique}, {"categorie", Referentiel::kCategorie},
      {"public", Referentiel::kPublic},         {"type", Referentiel::kTypeService},
      {"frais", Referentiel::kFrais},           {"mode_accueil", Referentiel::kModeAccueil},
  };
  if (kind == "langue") return std::string(directory::LanguageLabel(value));
  if (const auto it = kKinds.find(kind); it != kKinds.end()) {
    return std::string(directory::Label(it->second, value));
  }
  return std::string(value);
}

json FacetsJson(const std::vector<directory::FacetCount>& facets) {
  json out = json::object();
  for (const auto& f : facets) {
    out[f.kind].push_back(
        {{"valeur", f.value}, {"libelle", FacetLabel(f.kind, f.value)}, {"nombre", f.count}});
  }
  return out;
}

json HitJson(const directory::Hit& hit, Entity entity, View view) {
  json item;
  if (entity == Entity::kService && hit.service) {
    item = ToJson(*hit.service, view);
    if (hit.structure) item["structure"] = StructureEssentials(*hit.structure);
  } else if (hit.structure) {
    item = ToJson(*hit.structure, view);
  } else {
    item = {{"pasip_id", hit.id}};
  }
  if (hit.distance_km) item["distance_km"] = RoundKm(*hit.distance_km);
  item["lieu"] = hit.lieu ? LocationJson(*hit.lieu) : json(nullptr);
  item["ouverture"] = OpenStateJson(hit.ouverture);
  return item;
}

openinghours::Date ParisDate(TimePoint t) {
  const CivilTime c = ToParisCivil(t);
  return {static_cast<int>(c.year), static_cast<int>(c.month), static_cast<int>(c.day)};
}

// The state now (as searches answer it: DirectoryService::OpenStateOf, temporary closures
// included) and the week in French of a record's hours, at its commune:
// {"ouverture": {etat, prochain, aujourdhui}, "semaine": [...]}.
json HoursJson(directory::DirectoryService& directory, const std::optional<std::string>& horaires,
               std::string_view code_insee, std::span<const directory::Notice> notices,
               TimePoint now) {
  const directory::OpenState state =
      directory.OpenStateOf(horaires.value_or(""), code_insee, notices, now);
  json semaine = json::array();
  if (horaires && !text::Trim(*horaires).empty()) {
    if (auto hours = openinghours::OpeningHours::Parse(*horaires)) {
      const openinghours::Place place = openinghours::Place::FromCommune(code_insee);
      for (const std::string& line :
           openinghours::FormatWeekFr(hours->Week(ParisDate(now), place))) {
        semaine.push_back(line);
      }
    }
  }
  return {{"ouverture", OpenStateJson(state)}, {"semaine", std::move(semaine)}};
}

json StructureDetailJson(directory::DirectoryService& directory,
                         const directory::StructureDetail& d, View view, TimePoint now) {
  json j = ToJson(d.structure, view);
  json services = json::array();
  for (const directory::Service& service : d.services) {
    if (view == View::kPublic && !service.publie) continue;
    services.push_back(ToJson(service, view));
  }
  j["services"] = std::move(services);
  json hosts = json::array();
  for (const directory::Structure& host : d.hosts) {
    if (view == View::kPublic && !host.publie) continue;
    json h = StructureEssentials(host);
    h["adresse"] = OrNull(host.adresse);
    hosts.push_back(std::move(h));
  }
  j["lieux_de_permanence"] = std::move(hosts);
  // Partners' permanences held here: their week, at this place (its public holidays).
  json accueillies = json::array();
  const std::vector<directory::Notice> no_notice;
  for (const directory::HostedPermanence& held : d.accueillies) {
    json week = HoursJson(directory, held.permanence.horaires, d.structure.code_insee.value_or(""),
                          no_notice, now)["semaine"];
    accueillies.push_back(
        {{"service",
          {{"pasip_id", held.service.id},
           {"nom", held.service.nom},
           {"thematiques", held.service.thematiques}}},
         {"structure",
          {{"pasip_id", held.partner.id},
           {"nom", held.partner.nom},
           {"telephone", OrNull(held.partner.telephone)}}},
         {"horaires", held.permanence.horaires},
         {"semaine", std::move(week)},
         {"precisions",
          held.permanence.precisions.empty() ? json(nullptr) : json(held.permanence.precisions)}});
  }
  j["permanences_accueillies"] = std::move(accueillies);
  json hours = HoursJson(directory, d.structure.horaires_accueil,
                         d.structure.code_insee.value_or(""), d.structure.avis, now);
  j["ouverture"] = std::move(hours["ouverture"]);
  j["semaine"] = std::move(hours["semaine"]);
  if (view == View::kProfessional) {
    j["fraicheur"] = {{"score", std::round(d.freshness.score * 100) / 100},
                      {"age_jours", d.freshness.age_days},
                      {"manques", d.freshness.manques}};
  }
  return j;
}

// A service with its structure's essentials and its hours (its own, else its structure's).
json ServiceDetailJson(directory::DirectoryService& directory, const directory::Service& service,
                       const std::optional<directory::Structure>& structure, View view,
                       TimePoint now) {
  json j = ToJson(service, view);
  if (structure) j["structure"] = StructureEssentials(*structure);
  std::optional<std::string> horaires = service.horaires_accueil;
  if ((!horaires || text::Trim(*horaires).empty()) && structure) {
    horaires = structure->horaires_accueil;
  }
  std::string code_insee = service.code_insee.value_or("");
  if (code_insee.empty() && structure) code_insee = structure->code_insee.value_or("");
  const std::vector<directory::Notice> none;
  json hours = HoursJson(directory, horaires, code_insee, structure ? structure->avis : none, now);
  j["ouverture"] = std::move(hours["ouverture"]);
  j["semaine"] = std::move(hours["semaine"]);
  return j;
}

// A service body may carry `structure` as the object the API answers with (GET, then PATCH
// back): only its pasip_id is read.
void FlattenStructureMember(json& body) {
  const auto it = body.find("structure");
  if (it != body.end() && it->is_object() && it->contains("pasip_id")) {
    *it = json((*it)["pasip_id"]);
  }
}

std::string ResourcePath(std::string_view collection, std::int64_t id) {
  return "/api/v1/" + std::string(collection) + "/" + std::to_string(id);
}

// Answers of recent searches, rendered. The finder's searches repeat (the same commune, the
// same need) and computing one costs milliseconds, while its JSON changes only when the
// directory does or when an opening state changes. An answer is reused while the directory's
// generation is the same (no write through this process since) and for at most
// kSearchCacheSeconds, never past the earliest next change of opening state it shows; the
// bound also covers writes made by another process or instance. Keyed by the collection, the
// view and the request's target (path and query string, as sent).
constexpr auto kSearchCacheTtl = std::chrono::seconds(30);
constexpr std::size_t kSearchCacheEntries = 4096;

class SearchCache {
 public:
  std::optional<std::string> Get(const std::string& key, std::uint64_t generation, TimePoint now) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (it->second.generation != generation || now >= it->second.expires) {
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.body;
  }

  void Put(std::string key, std::string body, std::uint64_t generation, TimePoint expires) {
    std::lock_guard lock(mutex_);
    // A full cache starts again: cheaper than tracking use, and searches refill it at once.
    if (entries_.size() >= kSearchCacheEntries) entries_.clear();
    entries_.insert_or_assign(std::move(key), Entry{std::move(body), generation, expires});
  }

 private:
  struct Entry {
    std::string body;
    std::uint64_t generation;
    TimePoint expires;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

// ---------------------------------------------------------------------------------------
// Handlers.

Result<http::Response> Search(Services& s, SearchCache& cache, Entity entity, http::Request& req) {
  const View view = directory::ViewFor(CallerOf(req).principal);
  const TimePoint now = s.clock.Now();
  const std::uint64_t generation = s.directory.generation();
  std::string key = entity == Entity::kService ? "v" : "s";
  key += view == View::kPublic ? "p" : "r";
  key += req.target;
  if (auto body = cache.Get(key, generation, now)) {
    return http::Response::Json(200, std::move(*body));
  }
  PASIP_ASSIGN_OR_RETURN(query, ParseSearch(req, entity, view, s.clock));
  PASIP_ASSIGN_OR_RETURN(page, s.directory.Search(query, view));
  TimePoint expires = now + kSearchCacheTtl;
  json items = json::array();
  for (const directory::Hit& hit : page.items) {
    if (auto next = ParseIso(hit.ouverture.prochain); next && *next < expires) expires = *next;
    items.push_back(HitJson(hit, entity, view));
  }
  json out = {
      {"items", std::move(items)}, {"suivant", OrNull(page.suivant)}, {"total", page.total}};
  if (query.facettes) out["facettes"] = FacetsJson(page.facettes);
  if (page.commune) out["commune"] = CommuneJson(*page.commune);
  std::string body = out.dump();
  cache.Put(std::move(key), body, generation, expires);
  return http::Response::Json(200, std::move(body));
}

Result<http::Response> GetStructure(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  const View view = directory::ViewFor(CallerOf(req).principal);
  PASIP_ASSIGN_OR_RETURN(detail, s.directory.GetStructure(id, view));
  return JsonOk(StructureDetailJson(s.directory, detail, view, s.clock.Now()));
}

Result<http::Response> GetService(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  const View view = directory::ViewFor(CallerOf(req).principal);
  PASIP_ASSIGN_OR_RETURN(service, s.directory.GetService(id, view));
  PASIP_ASSIGN_OR_RETURN(structure, s.directory.store().FindStructure(service.structure_id));
  return JsonOk(ServiceDetailJson(s.directory, service, structure, view, s.clock.Now()));
}

Result<http::Response> CreateStructure(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(structure, StructureFromJson(body));
  if (!structure.organisation_id) structure.organisation_id = OwnOrganisation(caller.principal);
  PASIP_ASSIGN_OR_RETURN(
      created, s.directory.CreateStructure(std::move(structure), caller.principal, caller.audit));
  http::Response r = JsonOk(ToJson(created, directory::ViewFor(caller.principal)), 201);
  r.SetHeader("Location", ResourcePath("structures", created.id));
  return r;
}

Result<http::Response> UpdateStructure(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(found, s.directory.store().FindStructure(id));
  if (!found) return Fail(NotFound("Cette structure n'existe pas."));
  // The service checks (and audits a refusal) against the stored and the new organisation.
  PASIP_ASSIGN_OR_RETURN(structure, StructureFromJson(body, *found));
  structure.id = id;
  PASIP_ASSIGN_OR_RETURN(
      updated, s.directory.UpdateStructure(std::move(structure), caller.principal, caller.audit));
  return JsonOk(ToJson(updated, directory::ViewFor(caller.principal)));
}

Result<http::Response> CreateService(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  FlattenStructureMember(body);
  PASIP_ASSIGN_OR_RETURN(service, ServiceFromJson(body));
  if (service.structure_id <= 0) {
    return Fail(InvalidArgument(
        "Indiquez la structure qui propose le service : son numéro pasip dans « structure ».",
        "structure"));
  }
  PASIP_ASSIGN_OR_RETURN(
      created, s.directory.CreateService(std::move(service), caller.principal, caller.audit));
  PASIP_ASSIGN_OR_RETURN(structure, s.directory.store().FindStructure(created.structure_id));
  const View view = directory::ViewFor(caller.principal);
  http::Response r =
      JsonOk(ServiceDetailJson(s.directory, created, structure, view, s.clock.Now()), 201);
  r.SetHeader("Location", ResourcePath("services", created.id));
  return r;
}

Result<http::Response> UpdateService(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  FlattenStructureMember(body);
  PASIP_ASSIGN_OR_RETURN(found, s.directory.store().FindService(id));
  if (!found) return Fail(NotFound("Ce service n'existe pas."));
  PASIP_ASSIGN_OR_RETURN(service, ServiceFromJson(body, *found));
  service.id = id;
  PASIP_ASSIGN_OR_RETURN(
      updated, s.directory.UpdateService(std::move(service), caller.principal, caller.audit));
  PASIP_ASSIGN_OR_RETURN(structure, s.directory.store().FindStructure(updated.structure_id));
  return JsonOk(ServiceDetailJson(s.directory, updated, structure,
                                  directory::ViewFor(caller.principal), s.clock.Now()));
}

Result<http::Response> DeleteService(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_TRY(s.directory.DeleteService(id, caller.principal, caller.audit));
  return http::Response::NoContent();
}

Result<http::Response> SearchCommunes(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(text_query, TextParam(req.query, "q"));
  PASIP_ASSIGN_OR_RETURN(limit, LimitParam(req.query, kCommunesDefaultLimit, kCommunesMaxLimit));
  json items = json::array();
  if (!text_query.empty()) {
    PASIP_ASSIGN_OR_RETURN(communes, s.territory.SearchCommunes(text_query, limit));
    for (const territory::Commune& c : communes) items.push_back(CommuneJson(c));
  }
  return JsonOk({{"items", std::move(items)}});
}

struct ExportPage {
  std::int64_t after = 0;
  int limit = kExportDefaultLimit;
};

Result<ExportPage> ParseExportPage(const http::FormData& q) {
  ExportPage page;
  PASIP_ASSIGN_OR_RETURN(after, IntegerParam(q, "apres"));
  if (after && *after < 0) {
    return Fail(
        InvalidArgument("Le paramètre « apres » doit être un numéro pasip positif.", "apres"));
  }
  page.after = after.value_or(0);
  PASIP_ASSIGN_OR_RETURN(limit, LimitParam(q, kExportDefaultLimit, kExportMaxLimit));
  page.limit = limit;
  return page;
}

// Published records after `page.after`, `page.limit` at most. Unpublished ones are skipped,
// so the store is read by batches until the page is full; one record beyond it tells that
// another page exists.
Result<http::Response> ExportStructures(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(page, ParseExportPage(req.query));
  json items = json::array();
  std::int64_t cursor = page.after;
  std::int64_t last = 0;
  bool more = false;
  while (!more) {
    PASIP_ASSIGN_OR_RETURN(batch, s.directory.store().ListStructures(cursor, page.limit + 1));
    for (const directory::Structure& structure : batch) {
      cursor = structure.id;
      if (!structure.publie) continue;
      if (static_cast<int>(items.size()) == page.limit) {
        more = true;
        break;
      }
      items.push_back(ToDataInclusion(structure));
      last = structure.id;
    }
    if (static_cast<int>(batch.size()) < page.limit + 1) break;
  }
  return JsonOk({{"items", std::move(items)},
                 {"suivant", more ? json(std::to_string(last)) : json(nullptr)}});
}

Result<http::Response> ExportServices(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(page, ParseExportPage(req.query));
  json items = json::array();
  std::int64_t cursor = page.after;
  std::int64_t last = 0;
  bool more = false;
  while (!more) {
    PASIP_ASSIGN_OR_RETURN(batch, s.directory.store().ListServices(cursor, page.limit + 1));
    std::vector<directory::StructureId> ids;
    for (const directory::Service& service : batch) {
      if (std::find(ids.begin(), ids.end(), service.structure_id) == ids.end()) {
        ids.push_back(service.structure_id);
      }
    }
    PASIP_ASSIGN_OR_RETURN(structures, s.directory.store().LoadStructures(ids));
    std::map<directory::StructureId, const directory::Structure*> by_id;
    for (const directory::Structure& structure : structures) by_id[structure.id] = &structure;
    for (const directory::Service& service : batch) {
      cursor = service.id;
      const auto it = by_id.find(service.structure_id);
      // A service is published only with its structure.
      if (!service.publie || it == by_id.end() || !it->second->publie) continue;
      if (static_cast<int>(items.size()) == page.limit) {
        more = true;
        break;
      }
      items.push_back(ToDataInclusion(
          service, directory::DataInclusionId(it->second->source, it->second->source_id)));
      last = service.id;
    }
    if (static_cast<int>(batch.size()) < page.limit + 1) break;
  }
  return JsonOk({{"items", std::move(items)},
                 {"suivant", more ? json(std::to_string(last)) : json(nullptr)}});
}

Result<http::Response> CheckHours(Services& s, http::Request& req) {
  const auto raw = req.query.Get("horaires");
  if (!raw) {
    return Fail(InvalidArgument("Indiquez les horaires à vérifier dans « horaires ».", "horaires"));
  }
  if (text::Utf8Length(*raw) > kMaxHoursLength) {
    return Fail(InvalidArgument(
        "Le paramètre « horaires » dépasse " + std::to_string(kMaxHoursLength) + " caractères.",
        "horaires"));
  }
  PASIP_ASSIGN_OR_RETURN(commune, CommuneParam(req.query));
  const openinghours::Normalised normalised = openinghours::Normalise(*raw);
  json out = {{"valide", false},
              {"normalise", normalised.text},
              {"corrections", normalised.changes},
              {"erreur", nullptr},
              {"semaine", json::array()}};
  if (text::Trim(normalised.text).empty()) {
    out["erreur"] = {{"message", "Aucun horaire saisi."}, {"position", 0}};
    return JsonOk(out);
  }
  auto hours = openinghours::OpeningHours::Parse(normalised.text);
  if (!hours) {
    out["erreur"] = {{"message", hours.error().message},
                     {"position", openinghours::ParseErrorPosition(hours.error())}};
    return JsonOk(out);
  }
  out["valide"] = true;
  const openinghours::Place place = openinghours::Place::FromCommune(commune.value_or(""));
  out["semaine"] = openinghours::FormatWeekFr(hours->Week(ParisDate(s.clock.Now()), place));
  return JsonOk(out);
}

}  // namespace

void RegisterDirectoryRoutes(http::Router& router, Services& services) {
  using http::Method;
  using http::RouteKind;
  Services& s = services;
  // Shared by the two search routes, alive as long as the router's handlers.
  auto cache = std::make_shared<SearchCache>();
  const auto bind = [&s](Result<http::Response> (*f)(Services&, http::Request&)) {
    return [&s, f](http::Request& req) { return f(s, req); };
  };

  router
      .Add(Method::kGet, "/api/v1/structures", RouteKind::kApi, "public",
           Handle(Input::kQuery,
                  [&s, cache](http::Request& req) {
                    return Search(s, *cache, Entity::kStructure, req);
                  }))
      .summary = "Rechercher des structures de l'annuaire";
  router
      .Add(Method::kPost, "/api/v1/structures", RouteKind::kApi, "directory.write",
           Handle(Input::kBody, bind(CreateStructure)))
      .summary = "Créer une structure de l'annuaire";
  router
      .Add(Method::kGet, "/api/v1/structures/{id}", RouteKind::kApi, "public",
           Handle(Input::kQuery, bind(GetStructure)))
      .summary = "Lire une structure, ses services et ses horaires";
  router
      .Add(Method::kPatch, "/api/v1/structures/{id}", RouteKind::kApi, "directory.write",
           Handle(Input::kBody, bind(UpdateStructure)))
      .summary = "Modifier une structure de l'annuaire";

  router
      .Add(Method::kGet, "/api/v1/services", RouteKind::kApi, "public",
           Handle(Input::kQuery,
                  [&s, cache](http::Request& req) {
                    return Search(s, *cache, Entity::kService, req);
                  }))
      .summary = "Rechercher des services de l'annuaire";
  router
      .Add(Method::kPost, "/api/v1/services", RouteKind::kApi, "directory.write",
           Handle(Input::kBody, bind(CreateService)))
      .summary = "Créer un service dans une structure";
  router
      .Add(Method::kGet, "/api/v1/services/{id}", RouteKind::kApi, "public",
           Handle(Input::kQuery, bind(GetService)))
      .summary = "Lire un service";
  router
      .Add(Method::kPatch, "/api/v1/services/{id}", RouteKind::kApi, "directory.write",
           Handle(Input::kBody, bind(UpdateService)))
      .summary = "Modifier un service";
  router
      .Add(Method::kDelete, "/api/v1/services/{id}", RouteKind::kApi, "directory.write",
           Handle(Input::kBody, bind(DeleteService)))
      .summary = "Supprimer un service";

  router
      .Add(Method::kGet, "/api/v1/communes", RouteKind::kApi, "public",
           Handle(Input::kQuery, bind(SearchCommunes)))
      .summary = "Chercher une commune (nom, code INSEE ou code postal)";
  router
      .Add(Method::kGet, "/api/v1/data-inclusion/structures", RouteKind::kApi, "public",
           Handle(Input::kQuery, bind(ExportStructures)))
      .summary = "Structures publiées au format data·inclusion v1";
  router
      .Add(Method::kGet, "/api/v1/data-inclusion/services", RouteKind::kApi, "public",
           Handle(Input::kQuery, bind(ExportServices)))
      .summary = "Services publiés au format data·inclusion v1";
  router
      .Add(Method::kGet, "/api/v1/horaires/verifier", RouteKind::kApi, "public",
           Handle(Input::kQuery, bind(CheckHours)))
      .summary = "Vérifier des horaires d'ouverture (syntaxe OpenStreetMap)";
}

}  // namespace pasip::api
