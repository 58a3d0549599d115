#include "api/reception_api.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/problem.h"
#include "api/reception_json.h"
#include "api/support.h"
#include "core/clock.h"
#include "core/text.h"
#include "domain/identity/caller.h"
#include "domain/reception/access.h"
#include "domain/reception/reception.h"
#include "http/status.h"

namespace pasip::api {
namespace {

using nlohmann::json;
namespace rc = reception;

constexpr int kPassagesDefaultLimit = 100;
constexpr int kPassagesMaxLimit = 500;
constexpr int kPersonsDefaultLimit = 20;
constexpr int kPersonsMaxLimit = 100;
constexpr std::size_t kMaxSearchLength = 200;  // q (code points)
constexpr int kDefaultStatsDays = 7;           // statistics without dates: the last week

// security.md S7: people are never searched or filtered by what they came for when it is
// sensitive. Any parameter naming a motive, or one of these themes, is refused outright
// (rather than ignored) so that a client cannot believe it filtered.
constexpr std::string_view kSensitiveParameters[] = {
    "motif", "motifs", "sante", "santé", "violence", "violences", "justice", "handicap"};
constexpr char kSensitiveFilterMessage[] =
    "Filtrer des personnes selon un motif sensible (santé, violences, justice, handicap) est "
    "interdit.";

// ---------------------------------------------------------------------------------------
// Errors.

// The domain names most fields as the API does; these are the exceptions.
Error InReceptionTerms(Error error) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"person_id", "personne"},
      {"site_id", "site"},
      {"referent_id", "referent"},
      {"organisation_id", "organisation"},
      {"profil.commune_code", "profil.commune"},
      {"passage_id", "passage"},
      {"transmis_a", "a"},
      {"note_transmission", "note"},
  };
  if (const auto it = kNames.find(error.field); it != kNames.end()) error.field = it->second;
  return InApiTerms(std::move(error));
}

http::Handler Handle(Input input, std::function<Result<http::Response>(http::Request&)> f) {
  return WrapInput(input, InReceptionTerms, std::move(f));
}

std::string ResourcePath(std::string_view collection, std::int64_t id) {
  return "/api/v1/" + std::string(collection) + "/" + std::to_string(id);
}

// ---------------------------------------------------------------------------------------
// Query-string parameters.

// Refuses any parameter not in `allowed`: the sensitive ones with the S7 message, the others
// as unknown. A listing that silently ignored a filter would answer more than was asked.
Status CheckParameters(const http::FormData& q, std::initializer_list<std::string_view> allowed,
                       const rc::Catalogue& catalogue) {
  for (const auto& [raw_name, value] : q.pairs()) {
    if (std::find(allowed.begin(), allowed.end(), raw_name) != allowed.end()) continue;
    const std::string name = text::AsciiLower(text::Trim(raw_name));
    const bool sensitive =
        std::find(std::begin(kSensitiveParameters), std::end(kSensitiveParameters), name) !=
            std::end(kSensitiveParameters) ||
        name.starts_with("motif") || catalogue.IsSensitiveMotif(name) ||
        catalogue.IsSensitiveMotif(raw_name);
    if (sensitive) {
      return Fail(InvalidArgument(std::string(kSensitiveFilterMessage) +
                                      " Paramètre refusé : " + QuotedParameter(raw_name) + ".",
                                  raw_name));
    }
  }
  return RejectUnknownParameters(q, allowed);
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

// A bound of a period: a Paris day ("2026-03-04": its first instant, or with `end`, the
// first instant of the next day) or an ISO 8601 instant.
Result<std::optional<TimePoint>> BoundParam(const http::FormData& q, const char* name, bool end) {
  const auto v = NonEmpty(q, name);
  if (!v) return std::optional<TimePoint>();
  if (IsDay(*v)) {
    CivilTime c;
    c.year = std::stoll(v->substr(0, 4));
    c.month = static_cast<unsigned>(std::stoi(v->substr(5, 2)));
    c.day = static_cast<unsigned>(std::stoi(v->substr(8, 2)));
    const std::int64_t days = DaysFromCivilDate(c.year, c.month, c.day) + (end ? 1 : 0);
    const CivilTime d = CivilFromUnixSeconds(days * 86400);
    c.year = d.year;
    c.month = d.month;
    c.day = d.day;
    return std::optional<TimePoint>(FromParisCivil(c));
  }
  if (const auto at = ParseIso(*v)) return std::optional<TimePoint>(*at);
  return Fail(InvalidArgument(std::string("Le paramètre « ") + name +
                                  " » doit être une date (2026-03-04) ou une date et heure ISO "
                                  "8601 (2026-03-04T09:00:00+01:00).",
                              name));
}

// ---------------------------------------------------------------------------------------
// Bodies.

Result<bool> Flag(const json& body, const char* field) {
  PASIP_ASSIGN_OR_RETURN(value, OptBool(body, field));
  return value.value_or(false);
}

// ---------------------------------------------------------------------------------------
// Rendering.

std::string_view LevelName(rc::Level level) {
  switch (level) {
    case rc::Level::kConfidential:
      return "confidentiel";
    case rc::Level::kIdentity:
      return "identite";
    case rc::Level::kNone:
      break;
  }
  return "aucun";
}

template <typename T>
json List(const std::vector<T>& items) {
  json out = json::array();
  for (const T& item : items) out.push_back(ToJson(item));
  return out;
}

json FileJson(const rc::PersonFile& f) {
  json j = ToJson(f.person);
  j["niveau"] = std::string(LevelName(f.level));
  j["organisation"] = f.acting_organisation;
  j["opposition"] = f.opposition();
  j["suivis"] = List(f.follows);
  j["consentements"] = List(f.consents);
  j["notes"] = List(f.notes);
  j["passages"] = List(f.passages);
  j["dossiers_fusionnes"] = f.merged_from;
  j["redirige_depuis"] = f.redirected_from ? json(*f.redirected_from) : json(nullptr);
  return j;
}

// 409: the file may duplicate these; nothing was written.
http::Response DuplicatesResponse(const std::vector<rc::DuplicateProposal>& doublons,
                                  std::string_view request_id) {
  json items = json::array();
  for (const rc::DuplicateProposal& d : doublons) {
    items.push_back(
        {{"id", d.person.id},
         {"nom_affiche", d.person.nom_affiche},
         {"date_naissance",
          d.person.date_naissance.empty() ? json(nullptr) : json(d.person.date_naissance)},
         {"score", d.similarity.score},
         {"raisons", d.similarity.raisons}});
  }
  json body = {{"type", "about:blank"},
               {"title", std::string(http::ReasonPhrase(409))},
               {"status", 409},
               {"detail",
                "Ce dossier ressemble à un dossier existant. Ouvrez-le, ou confirmez qu'il "
                "s'agit d'une autre personne avec « confirmer_doublon »."},
               {"code", "doublon"},
               {"request_id", std::string(request_id)},
               {"doublons", std::move(items)}};
  http::Response r = http::Response::Json(409, body.dump());
  r.SetHeader("Content-Type", "application/problem+json");
  return r;
}

json QueueEntries(const std::vector<rc::QueueEntry>& entries) {
  json out = json::array();
  for (const rc::QueueEntry& e : entries) {
    json j = ToJson(e.ticket);
    j["attente_minutes"] = e.attente_minutes;
    out.push_back(std::move(j));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Passages.

Result<http::Response> RecordPassage(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(passage, PassageFromJson(body));
  PASIP_ASSIGN_OR_RETURN(
      saved, s.reception.RecordPassage(std::move(passage), caller.principal, caller.audit));
  http::Response r = JsonOk(ToJson(saved), 201);
  r.SetHeader("Location", ResourcePath("passages", saved.id));
  return r;
}

Result<http::Response> RecordBatch(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(site, OptId(body, "site"));
  PASIP_ASSIGN_OR_RETURN(jour, OptText(body, "jour"));
  PASIP_ASSIGN_OR_RETURN(motif, OptText(body, "motif"));
  PASIP_ASSIGN_OR_RETURN(canal, OptText(body, "canal"));
  PASIP_ASSIGN_OR_RETURN(nombre, OptInteger(body, "nombre"));
  if (!site) return Fail(InvalidArgument("Indiquez le lieu d'accueil dans « site ».", "site"));
  if (!nombre) {
    return Fail(InvalidArgument("Indiquez le nombre de passages dans « nombre ».", "nombre"));
  }
  if (*nombre < 1 || *nombre > rc::kMaxBatch) {
    return Fail(InvalidArgument(
        "« nombre » doit être compris entre 1 et " + std::to_string(rc::kMaxBatch) + ".",
        "nombre"));
  }
  PASIP_ASSIGN_OR_RETURN(
      saved,
      s.reception.RecordBatch(*site, jour.value_or(""), motif.value_or(""), canal.value_or(""),
                              static_cast<int>(*nombre), caller.principal, caller.audit));
  http::Response r = JsonOk(ToJson(saved), 201);
  r.SetHeader("Location", ResourcePath("passages", saved.id));
  return r;
}

Result<http::Response> ListPassages(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  const http::FormData& q = req.query;
  PASIP_TRY(CheckParameters(q, {"site", "du", "au", "personne", "limite", "apres"},
                            s.reception.catalogue()));
  rc::PassageQuery query;
  PASIP_ASSIGN_OR_RETURN(site, IdParam(q, "site"));
  if (site) query.site_ids = {*site};
  PASIP_ASSIGN_OR_RETURN(from, BoundParam(q, "du", false));
  PASIP_ASSIGN_OR_RETURN(to, BoundParam(q, "au", true));
  if (from && to && *to <= *from) {
    return Fail(InvalidArgument("« au » doit être après « du ».", "au"));
  }
  query.from = from;
  query.to = to;
  PASIP_ASSIGN_OR_RETURN(person, IdParam(q, "personne"));
  query.person_id = person;
  PASIP_ASSIGN_OR_RETURN(after, IdParam(q, "apres"));
  query.before_id = after;
  PASIP_ASSIGN_OR_RETURN(limit, LimitParam(q, kPassagesDefaultLimit, kPassagesMaxLimit));
  query.limit = limit;
  PASIP_ASSIGN_OR_RETURN(
      passages, s.reception.ListPassages(std::move(query), caller.principal, caller.audit));
  json next = static_cast<int>(passages.size()) == limit && !passages.empty()
                  ? json(passages.back().id)
                  : json(nullptr);
  return JsonOk({{"items", List(passages)}, {"suivant", std::move(next)}});
}

Result<http::Response> GetPassage(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(passage, s.reception.GetPassage(id, caller.principal, caller.audit));
  return JsonOk(ToJson(passage));
}

Result<http::Response> CorrectPassage(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  // The stored passage is the base the body changes; the service decides whether the caller
  // may correct it (within the correction window). A passage of a site the caller does not
  // work at answers 404 before the body is read, as one that does not exist: a malformed
  // body must not tell another organisation's passage exists (security.md S1).
  PASIP_ASSIGN_OR_RETURN(found, s.reception.store().FindPassage(id));
  if (!found) return Fail(NotFound("Passage introuvable."));
  PASIP_ASSIGN_OR_RETURN(sites, s.reception.DeskSites(caller.principal));
  if (std::none_of(sites.begin(), sites.end(),
                   [&](const identity::Site& site) { return site.id == found->site_id; })) {
    return Fail(NotFound("Passage introuvable."));
  }
  PASIP_ASSIGN_OR_RETURN(passage, PassageFromJson(body, *found));
  passage.id = id;
  PASIP_ASSIGN_OR_RETURN(
      saved, s.reception.CorrectPassage(std::move(passage), caller.principal, caller.audit));
  return JsonOk(ToJson(saved));
}

Result<http::Response> DeletePassage(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_TRY(s.reception.DeletePassage(id, caller.principal, caller.audit));
  return http::Response::NoContent();
}

// ---------------------------------------------------------------------------------------
// Person files.

Result<http::Response> SearchPersons(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  const http::FormData& q = req.query;
  PASIP_TRY(CheckParameters(q, {"q", "date_naissance", "limite"}, s.reception.catalogue()));
  const std::string text_query(text::Trim(q.GetOr("q")));
  if (text::Utf8Length(text_query) > kMaxSearchLength) {
    return Fail(InvalidArgument(
        "Le paramètre « q » dépasse " + std::to_string(kMaxSearchLength) + " caractères.", "q"));
  }
  PASIP_ASSIGN_OR_RETURN(birth, DayParam(q, "date_naissance", ""));
  PASIP_ASSIGN_OR_RETURN(limit, LimitParam(q, kPersonsDefaultLimit, kPersonsMaxLimit));
  json items = json::array();
  if (!text_query.empty() || !birth.empty()) {
    PASIP_ASSIGN_OR_RETURN(
        hits, s.reception.SearchPersons(text_query, birth, caller.principal, caller.audit, limit));
    for (const rc::SearchHit& hit : hits) {
      json j = ToJson(hit.person);
      j["pertinence"] = hit.relevance;
      items.push_back(std::move(j));
    }
  }
  return JsonOk({{"items", std::move(items)}});
}

Result<http::Response> CreatePerson(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(person, PersonFromJson(body));
  PASIP_ASSIGN_OR_RETURN(organisation, OptId(body, "organisation"));
  PASIP_ASSIGN_OR_RETURN(confirm, Flag(body, "confirmer_doublon"));
  PASIP_ASSIGN_OR_RETURN(
      outcome, s.reception.CreatePerson(std::move(person), organisation.value_or(0), confirm,
                                        caller.principal, caller.audit));
  if (!outcome.person) return DuplicatesResponse(outcome.doublons, req.request_id);
  http::Response r = JsonOk(ToJson(*outcome.person), 201);
  r.SetHeader("Location", ResourcePath("personnes", outcome.person->id));
  return r;
}

Result<http::Response> GetPerson(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(file, s.reception.GetPerson(id, caller.principal, caller.audit));
  return JsonOk(FileJson(file));
}

// The stored file a PATCH body changes, or 404 when the caller may not see it — checked
// before the body is read, so that a malformed body does not tell a hidden file exists.
// Not audited: the update that follows is.
Result<rc::Person> EditableBase(Services& s, const identity::Principal& who, rc::PersonId id) {
  PASIP_ASSIGN_OR_RETURN(found, s.reception.store().FindPerson(id));
  if (!found) return Fail(NotFound("Personne introuvable."));
  PASIP_ASSIGN_OR_RETURN(follows, s.reception.store().FollowsOf(id));
  if (rc::AccessLevel(who, follows) == rc::Level::kNone) {
    return Fail(NotFound("Personne introuvable."));
  }
  return *found;
}

Result<http::Response> UpdatePerson(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(base, EditableBase(s, caller.principal, id));
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(person, PersonFromJson(body, std::move(base)));
  person.id = id;
  PASIP_ASSIGN_OR_RETURN(confirm, Flag(body, "confirmer_doublon"));
  PASIP_ASSIGN_OR_RETURN(outcome, s.reception.UpdatePerson(std::move(person), confirm,
                                                           caller.principal, caller.audit));
  if (!outcome.person) return DuplicatesResponse(outcome.doublons, req.request_id);
  return JsonOk(ToJson(*outcome.person));
}

Result<http::Response> AddNote(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(note, NoteFromJson(body));
  note.person_id = id;
  PASIP_ASSIGN_OR_RETURN(saved,
                         s.reception.AddNote(std::move(note), caller.principal, caller.audit));
  return JsonOk(ToJson(saved), 201);
}

Result<http::Response> AddConsent(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(consent, ConsentFromJson(body));
  consent.person_id = id;
  PASIP_ASSIGN_OR_RETURN(
      saved, s.reception.AddConsent(std::move(consent), caller.principal, caller.audit));
  return JsonOk(ToJson(saved), 201);
}

Result<http::Response> MergePersons(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(absorbed, OptId(body, "absorbee"));
  if (!absorbed) {
    return Fail(InvalidArgument(
        "Indiquez dans « absorbee » le numéro du dossier à fusionner dans celui-ci.", "absorbee"));
  }
  if (*absorbed == id) {
    return Fail(InvalidArgument("Un dossier ne peut pas être fusionné avec lui-même.", "absorbee"));
  }
  PASIP_ASSIGN_OR_RETURN(kept,
                         s.reception.MergePersons(id, *absorbed, caller.principal, caller.audit));
  return JsonOk(ToJson(kept));
}

Result<http::Response> ExportPerson(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(bundle, s.reception.ExportPerson(id, caller.principal, caller.audit));
  json out = ToJson(bundle);
  out["genere_le"] = FormatIsoUtc(s.clock.Now());
  http::Response r = JsonOk(out);
  r.SetHeader("Content-Disposition",
              "attachment; filename=\"pasip-personne-" + std::to_string(id) + ".json\"");
  return r;
}

// ---------------------------------------------------------------------------------------
// Queue.

Result<http::Response> GetQueue(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(site, PathId(req));
  PASIP_ASSIGN_OR_RETURN(view, s.reception.QueueOf(site, CallerOf(req).principal));
  return JsonOk({{"site", {{"id", view.site.id}, {"nom", view.site.name}}},
                 {"attente", QueueEntries(view.attente)},
                 {"appeles", QueueEntries(view.appeles)},
                 {"transmis", QueueEntries(view.transmis)},
                 {"en_entretien", QueueEntries(view.en_entretien)},
                 {"termines", QueueEntries(view.termines)}});
}

Result<http::Response> TakeTicket(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(site, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, OptionalBody(req));
  PASIP_ASSIGN_OR_RETURN(motif, OptText(body, "motif"));
  PASIP_ASSIGN_OR_RETURN(person, OptId(body, "personne"));
  PASIP_ASSIGN_OR_RETURN(ticket, s.reception.TakeTicket(site, motif.value_or(""), person,
                                                        caller.principal, caller.audit));
  return JsonOk(ToJson(ticket), 201);
}

Result<http::Response> CallNext(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(site, PathId(req));
  PASIP_ASSIGN_OR_RETURN(ticket, s.reception.CallNext(site, caller.principal, caller.audit));
  return JsonOk(ToJson(ticket));
}

Result<http::Response> CallTicket(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(ticket, s.reception.CallTicket(id, caller.principal, caller.audit));
  return JsonOk(ToJson(ticket));
}

Result<http::Response> HandOff(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, OptionalBody(req));
  PASIP_ASSIGN_OR_RETURN(to, OptId(body, "a"));
  PASIP_ASSIGN_OR_RETURN(note, OptText(body, "note"));
  PASIP_ASSIGN_OR_RETURN(ticket, s.reception.HandOff(id, to.value_or(0), note.value_or(""),
                                                     caller.principal, caller.audit));
  return JsonOk(ToJson(ticket));
}

Result<http::Response> FinishTicket(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(body, OptionalBody(req));
  PASIP_ASSIGN_OR_RETURN(passage, OptId(body, "passage"));
  PASIP_ASSIGN_OR_RETURN(ticket,
                         s.reception.FinishTicket(id, passage, caller.principal, caller.audit));
  return JsonOk(ToJson(ticket));
}

Result<http::Response> NoShow(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(ticket, s.reception.NoShow(id, caller.principal, caller.audit));
  return JsonOk(ToJson(ticket));
}

Result<http::Response> WaitStats(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(site, PathId(req));
  const http::FormData& q = req.query;
  PASIP_TRY(CheckParameters(q, {"du", "au"}, s.reception.catalogue()));
  const TimePoint now = s.clock.Now();
  PASIP_ASSIGN_OR_RETURN(to, DayParam(q, "au", ParisDay(now)));
  PASIP_ASSIGN_OR_RETURN(from, DayParam(q, "du", ""));
  if (from.empty()) {
    from = ParisDay(*ParseIso(to), -(kDefaultStatsDays - 1));
  }
  if (from > to) return Fail(InvalidArgument("« du » doit précéder « au ».", "du"));
  PASIP_ASSIGN_OR_RETURN(stats, s.reception.WaitStatsOf(site, from, to, CallerOf(req).principal));
  json days = json::array();
  for (const rc::WaitStats& d : stats) {
    days.push_back({{"jour", d.jour},
                    {"tickets", d.tickets},
                    {"recus", d.recus},
                    {"absents", d.absents},
                    {"attente_moyenne", d.attente_moyenne},
                    {"attente_mediane", d.attente_mediane},
                    {"attente_max", d.attente_max}});
  }
  return JsonOk({{"site", site}, {"du", from}, {"au", to}, {"jours", std::move(days)}});
}

}  // namespace

void RegisterReceptionRoutes(http::Router& router, Services& services) {
  using http::Method;
  using http::RouteKind;
  Services& s = services;
  const auto bind = [&s](Result<http::Response> (*f)(Services&, http::Request&)) {
    return [&s, f](http::Request& req) { return f(s, req); };
  };
  const auto add = [&](Method method, std::string pattern, const char* action, Input input,
                       Result<http::Response> (*f)(Services&, http::Request&),
                       const char* summary) {
    router.Add(method, std::move(pattern), RouteKind::kApi, action, Handle(input, bind(f)))
        .summary = summary;
  };

  // Passages.
  add(Method::kPost, "/api/v1/passages", "reception.desk", Input::kBody, RecordPassage,
      "Enregistrer un passage (anonyme ou lié à un dossier)");
  add(Method::kPost, "/api/v1/passages/lot", "reception.desk", Input::kBody, RecordBatch,
      "Enregistrer un lot de passages anonymes (comptage papier)");
  add(Method::kGet, "/api/v1/passages", "passages.read", Input::kQuery, ListPassages,
      "Lister les passages par lieu et par dates");
  add(Method::kGet, "/api/v1/passages/{id}", "passages.read", Input::kQuery, GetPassage,
      "Lire un passage");
  add(Method::kPatch, "/api/v1/passages/{id}", "reception.desk", Input::kBody, CorrectPassage,
      "Corriger un passage (dans les 24 heures)");
  add(Method::kDelete, "/api/v1/passages/{id}", "reception.desk", Input::kBody, DeletePassage,
      "Supprimer un passage (dans les 24 heures)");

  // Person files.
  add(Method::kGet, "/api/v1/personnes", "persons.read", Input::kQuery, SearchPersons,
      "Chercher une personne par nom et date de naissance");
  add(Method::kPost, "/api/v1/personnes", "persons.write", Input::kBody, CreatePerson,
      "Créer un dossier de personne (avec détection des doublons)");
  add(Method::kGet, "/api/v1/personnes/{id}", "persons.read", Input::kQuery, GetPerson,
      "Lire un dossier : identité, consentements, notes, parcours");
  add(Method::kPatch, "/api/v1/personnes/{id}", "persons.write", Input::kBody, UpdatePerson,
      "Modifier un dossier (avec détection des doublons)");
  add(Method::kPost, "/api/v1/personnes/{id}/notes", "persons.write", Input::kBody, AddNote,
      "Ajouter une note à un dossier");
  add(Method::kPost, "/api/v1/personnes/{id}/consentements", "persons.write", Input::kBody,
      AddConsent, "Enregistrer l'information donnée sur le partage, ou une opposition");
  add(Method::kPost, "/api/v1/personnes/{id}/fusion", "persons.write", Input::kBody, MergePersons,
      "Fusionner un doublon dans ce dossier");
  add(Method::kGet, "/api/v1/personnes/{id}/export", "persons.export", Input::kQuery, ExportPerson,
      "Exporter tout ce qui est conservé sur une personne (droit d'accès)");

  // Pre-reception queue.
  add(Method::kGet, "/api/v1/sites/{id}/file-attente", "reception.desk", Input::kQuery, GetQueue,
      "La file d'attente d'un lieu");
  add(Method::kPost, "/api/v1/sites/{id}/file-attente", "reception.desk", Input::kBody, TakeTicket,
      "Prendre un ticket dans la file d'attente");
  add(Method::kPost, "/api/v1/sites/{id}/file-attente/appel-suivant", "reception.desk",
      Input::kBody, CallNext, "Appeler la personne suivante");
  add(Method::kGet, "/api/v1/sites/{id}/file-attente/statistiques", "passages.read", Input::kQuery,
      WaitStats, "Temps d'attente par jour d'un lieu");
  add(Method::kPost, "/api/v1/tickets/{id}/appel", "reception.desk", Input::kBody, CallTicket,
      "Appeler un ticket");
  add(Method::kPost, "/api/v1/tickets/{id}/transmission", "reception.desk", Input::kBody, HandOff,
      "Transmettre un ticket à un travailleur social");
  add(Method::kPost, "/api/v1/tickets/{id}/fin", "reception.desk", Input::kBody, FinishTicket,
      "Terminer l'accueil d'un ticket");
  add(Method::kPost, "/api/v1/tickets/{id}/absence", "reception.desk", Input::kBody, NoShow,
      "Marquer un ticket absent");
}

}  // namespace pasip::api
