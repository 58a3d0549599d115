#include "api/orientation_api.h"

#include <algorithm>
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

#include "api/orientation_json.h"
#include "api/support.h"
#include "core/clock.h"
#include "core/text.h"
#include "domain/identity/caller.h"
#include "domain/orientation/orientation.h"
#include "domain/reception/model.h"

namespace pasip::api {
namespace {

using nlohmann::json;
namespace ot = orientation;

constexpr int kListDefaultLimit = 50;
constexpr int kListMaxLimit = 100;
constexpr int kNotificationsDefaultLimit = 50;
constexpr int kNotificationsMaxLimit = 200;
constexpr int kMaxAgeDays = 3650;
constexpr int kDefaultMeasureDays = 30;  // measures without dates: the last 30 days

// ---------------------------------------------------------------------------------------
// Errors.

// The domain names most fields as the API does; these are the exceptions.
Error InOrientationTerms(Error error) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"site_id", "site"},       {"passage_id", "passage"},           {"person_id", "personne"},
      {"service_id", "service"}, {"referent_nom", "referent"},        {"rdv_date", "date"},
      {"rdv_lieu", "lieu"},      {"organisation_id", "organisation"}, {"notification_id", "id"},
  };
  if (const auto it = kNames.find(error.field); it != kNames.end()) error.field = it->second;
  return InApiTerms(std::move(error));
}

http::Handler Handle(Input input, std::function<Result<http::Response>(http::Request&)> f) {
  return WrapInput(input, InOrientationTerms, std::move(f));
}

std::string OrientationPath(ot::OrientationId id) {
  return "/api/v1/orientations/" + std::to_string(id);
}

Error Unknown() { return NotFound("Orientation introuvable."); }

// ---------------------------------------------------------------------------------------
// Query-string parameters.

Result<int> BoundedParam(const http::FormData& q, const char* name, int fallback, int min,
                         int max) {
  PASIP_ASSIGN_OR_RETURN(value, IntegerParam(q, name));
  if (!value) return fallback;
  if (*value < min || *value > max) {
    return Fail(InvalidArgument(std::string("Le paramètre « ") + name +
                                    " » doit être un nombre entre " + std::to_string(min) + " et " +
                                    std::to_string(max) + ".",
                                name));
  }
  return static_cast<int>(*value);
}

Result<bool> BoolParam(const http::FormData& q, const char* name) {
  const auto v = NonEmpty(q, name);
  if (!v) return false;
  const std::string lower = text::AsciiLower(*v);
  if (lower == "true" || lower == "1" || lower == "oui") return true;
  if (lower == "false" || lower == "0" || lower == "non") return false;
  return Fail(InvalidArgument(
      std::string("Le paramètre « ") + name + " » doit valoir true ou false.", name));
}

// "statut=envoyee,recue" or "statut=envoyee&statut=recue".
Result<std::vector<ot::Status>> StatusesParam(const http::FormData& q) {
  std::vector<ot::Status> out;
  for (const std::string& raw : q.GetAll("statut")) {
    for (std::string_view part : text::Split(raw, ',')) {
      const std::string_view name = text::Trim(part);
      if (name.empty()) continue;
      const auto status = ot::ParseStatus(name);
      if (!status) {
        std::string known;
        for (const ot::Status s : ot::kAllStatuses) {
          known += (known.empty() ? "" : ", ") + std::string(ot::StatusName(s));
        }
        return Fail(InvalidArgument(
            "Statut inconnu : " + QuotedParameter(name) + ". Statuts possibles : " + known + ".",
            "statut"));
      }
      if (std::find(out.begin(), out.end(), *status) == out.end()) out.push_back(*status);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Bodies and relation.

bool HasMembership(const identity::Principal& who, ot::OrganisationId org,
                   std::initializer_list<identity::Role> roles) {
  for (const identity::Membership& m : who.memberships) {
    if (m.organisation_id != org) continue;
    if (std::find(roles.begin(), roles.end(), m.role) != roles.end()) return true;
  }
  return false;
}

// The stored orientation a write route changes, or 404 when the caller holds no relation to
// it (orienting: accueil or social of its organisation; recipient: partenaire, accueil or
// social of the recipient organisation, once sent) — checked before the body is read, so
// that a malformed body does not tell a hidden orientation exists. Not audited: the use
// case that follows is, and checks the relation again.
Result<ot::Orientation> RelatedBase(Services& s, const identity::Principal& who,
                                    ot::OrientationId id) {
  PASIP_ASSIGN_OR_RETURN(found, s.orientation.store().Find(id));
  if (!found) return Fail(Unknown());
  using identity::Role;
  const bool orienting =
      HasMembership(who, found->organisation_id, {Role::kAccueil, Role::kSocial});
  const bool recipient = found->status != ot::Status::kDraft && found->recipient_organisation_id &&
                         HasMembership(who, *found->recipient_organisation_id,
                                       {Role::kPartenaire, Role::kAccueil, Role::kSocial});
  if (!orienting && !recipient) return Fail(Unknown());
  return *found;
}

// ---------------------------------------------------------------------------------------
// Orientations.

Result<http::Response> Create(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(draft, DraftFromJson(body));
  PASIP_ASSIGN_OR_RETURN(view,
                         s.orientation.Create(std::move(draft), caller.principal, caller.audit));
  http::Response r = JsonOk(ToJson(view, true), 201);
  r.SetHeader("Location", OrientationPath(view.orientation.id));
  return r;
}

Result<http::Response> List(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  const http::FormData& q = req.query;
  PASIP_TRY(RejectUnknownParameters(q, {"boite", "statut", "urgence", "service", "personne",
                                        "anciennete_min_jours", "apres", "limite"}));
  ot::ListFilter filter;
  if (const auto box = NonEmpty(q, "boite")) {
    if (*box == "emises") {
      filter.box = ot::Box::kSent;
    } else if (*box == "recues") {
      filter.box = ot::Box::kInbox;
    } else {
      return Fail(InvalidArgument(
          "Le paramètre « boite » vaut « emises » (orientations envoyées) ou « recues » (boîte "
          "de réception).",
          "boite"));
    }
  } else {
    // A partner only receives: their default box is the inbox.
    const bool orients = caller.principal.HasRole(identity::Role::kAccueil) ||
                         caller.principal.HasRole(identity::Role::kSocial);
    filter.box = orients ? ot::Box::kSent : ot::Box::kInbox;
  }
  PASIP_ASSIGN_OR_RETURN(statuses, StatusesParam(q));
  filter.statuses = std::move(statuses);
  if (const auto urgence = NonEmpty(q, "urgence")) {
    if (!reception::IsChoice(reception::Urgences(), *urgence)) {
      std::string known;
      for (const reception::Choice& c : reception::Urgences()) {
        known += (known.empty() ? "" : ", ") + std::string(c.code);
      }
      return Fail(InvalidArgument(
          "Le paramètre « urgence » vaut l'une de ces valeurs : " + known + ".", "urgence"));
    }
    filter.urgence = *urgence;
  }
  PASIP_ASSIGN_OR_RETURN(service, IdParam(q, "service"));
  filter.service_id = service;
  PASIP_ASSIGN_OR_RETURN(person, IdParam(q, "personne"));
  filter.person_id = person;
  PASIP_ASSIGN_OR_RETURN(age, BoundedParam(q, "anciennete_min_jours", 0, 0, kMaxAgeDays));
  filter.anciennete_min_jours = age;
  PASIP_ASSIGN_OR_RETURN(after, IdParam(q, "apres"));
  filter.apres = after;
  PASIP_ASSIGN_OR_RETURN(limit, BoundedParam(q, "limite", kListDefaultLimit, 1, kListMaxLimit));
  filter.limite = limit;
  PASIP_ASSIGN_OR_RETURN(page, s.orientation.List(filter, caller.principal, caller.audit));
  json items = json::array();
  for (const ot::View& v : page.items) items.push_back(ToJson(v, false));
  return JsonOk({{"items", std::move(items)},
                 {"suivant", page.suivant ? json(*page.suivant) : json(nullptr)}});
}

Result<http::Response> Get(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_TRY(RejectUnknownParameters(req.query, {}));
  PASIP_ASSIGN_OR_RETURN(view, s.orientation.Get(id, caller.principal, caller.audit));
  return JsonOk(ToJson(view, true));
}

Result<http::Response> UpdateDraft(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(base, RelatedBase(s, caller.principal, id));
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(draft, DraftFromJson(body, DraftOf(base)));
  PASIP_ASSIGN_OR_RETURN(
      view, s.orientation.UpdateDraft(id, std::move(draft), caller.principal, caller.audit));
  return JsonOk(ToJson(view, true));
}

Result<http::Response> Form(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_TRY(RejectUnknownParameters(req.query, {}));
  PASIP_ASSIGN_OR_RETURN(form, s.orientation.Form(id, caller.principal, caller.audit));
  return JsonOk(ToJson(form));
}

// ---------------------------------------------------------------------------------------
// Steps. Each reads the common members (motif, commentaire, version) and its own.

Result<http::Response> TakeStep(Services& s, http::Request& req, ot::Step step, const json& body) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_ASSIGN_OR_RETURN(input, StepInputFromJson(body));
  PASIP_ASSIGN_OR_RETURN(view, s.orientation.Take(id, step, input, caller.principal, caller.audit));
  return JsonOk(ToJson(view, true));
}

// The body of a step route, once the caller's relation to the orientation is established.
Result<json> StepBody(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_TRY(RelatedBase(s, CallerOf(req).principal, id));
  return OptionalBody(req);
}

template <ot::Step kStep>
Result<http::Response> Simple(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(body, StepBody(s, req));
  return TakeStep(s, req, kStep, body);
}

// A step chosen by the text of one body member among `choices`; otherwise 422 with `message`.
Result<http::Response> ChosenStep(
    Services& s, http::Request& req, const char* member,
    std::initializer_list<std::pair<std::string_view, ot::Step>> choices, const char* message) {
  PASIP_ASSIGN_OR_RETURN(body, StepBody(s, req));
  PASIP_ASSIGN_OR_RETURN(value, OptString(body, member));
  const std::string_view chosen = text::Trim(value.value_or(""));
  for (const auto& [name, step] : choices) {
    if (chosen == name) return TakeStep(s, req, step, body);
  }
  return Fail(InvalidArgument(message, member));
}

// {"etat": "propose" | "fixe", "date", "lieu"}
Result<http::Response> Appointment(Services& s, http::Request& req) {
  return ChosenStep(
      s, req, "etat",
      {{"propose", ot::Step::kProposeAppointment}, {"fixe", ot::Step::kSetAppointment}},
      "Indiquez dans « etat » si le rendez-vous est « propose » ou « fixe ».");
}

// {"issue": "personne_recue" | "personne_non_venue", "commentaire"}
Result<http::Response> Outcome(Services& s, http::Request& req) {
  return ChosenStep(
      s, req, "issue",
      {{"personne_recue", ot::Step::kPersonReceived}, {"personne_non_venue", ot::Step::kNoShow}},
      "Indiquez dans « issue » « personne_recue » ou « personne_non_venue ».");
}

// ---------------------------------------------------------------------------------------
// Measures.

Result<http::Response> Measure(Services& s, http::Request& req) {
  const http::FormData& q = req.query;
  PASIP_TRY(RejectUnknownParameters(q, {"par", "du", "au"}));
  ot::GroupBy par = ot::GroupBy::kPartner;
  if (const auto v = NonEmpty(q, "par")) {
    if (*v == "partenaire") {
      par = ot::GroupBy::kPartner;
    } else if (*v == "service") {
      par = ot::GroupBy::kService;
    } else if (*v == "site") {
      par = ot::GroupBy::kSite;
    } else {
      return Fail(InvalidArgument(
          "Le paramètre « par » vaut « partenaire », « service » ou « site ».", "par"));
    }
  }
  PASIP_ASSIGN_OR_RETURN(au, DayParam(q, "au", ParisDay(s.clock.Now())));
  PASIP_ASSIGN_OR_RETURN(du, DayParam(q, "du", ""));
  if (du.empty()) du = ParisDay(*ParseIso(au), -(kDefaultMeasureDays - 1));
  if (du > au) return Fail(InvalidArgument("« du » doit précéder « au ».", "du"));
  PASIP_ASSIGN_OR_RETURN(measures, s.orientation.Measure(par, du, au, CallerOf(req).principal));
  return JsonOk(ToJson(measures));
}

// ---------------------------------------------------------------------------------------
// Notifications.

Result<http::Response> Notifications(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  const http::FormData& q = req.query;
  PASIP_TRY(RejectUnknownParameters(q, {"non_lues", "limite"}));
  PASIP_ASSIGN_OR_RETURN(unread_only, BoolParam(q, "non_lues"));
  PASIP_ASSIGN_OR_RETURN(
      limit, BoundedParam(q, "limite", kNotificationsDefaultLimit, 1, kNotificationsMaxLimit));
  PASIP_ASSIGN_OR_RETURN(list, s.orientation.Notifications(caller.principal, unread_only, limit));
  PASIP_ASSIGN_OR_RETURN(unread, s.orientation.UnreadCount(caller.principal));
  json items = json::array();
  for (const ot::Notification& n : list) items.push_back(ToJson(n));
  return JsonOk({{"items", std::move(items)}, {"non_lues", unread}});
}

Result<http::Response> MarkRead(Services& s, http::Request& req) {
  PASIP_ASSIGN_OR_RETURN(id, PathId(req));
  PASIP_TRY(s.orientation.MarkRead(id, CallerOf(req).principal));
  return http::Response::NoContent();
}

Result<http::Response> MarkAllRead(Services& s, http::Request& req) {
  PASIP_TRY(s.orientation.MarkAllRead(CallerOf(req).principal));
  return http::Response::NoContent();
}

Result<http::Response> GetPreferences(Services& s, http::Request& req) {
  PASIP_TRY(RejectUnknownParameters(req.query, {}));
  PASIP_ASSIGN_OR_RETURN(digest, s.orientation.WantsDigest(CallerOf(req).principal));
  return JsonOk({{"resume_quotidien", digest}});
}

Result<http::Response> SetPreferences(Services& s, http::Request& req) {
  const identity::Caller& caller = CallerOf(req);
  PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
  PASIP_ASSIGN_OR_RETURN(digest, OptBool(body, "resume_quotidien"));
  if (!digest) {
    return Fail(
        InvalidArgument("Indiquez « resume_quotidien » : true ou false.", "resume_quotidien"));
  }
  PASIP_TRY(s.orientation.SetDigest(*digest, caller.principal));
  PASIP_ASSIGN_OR_RETURN(saved, s.orientation.WantsDigest(caller.principal));
  return JsonOk({{"resume_quotidien", saved}});
}

}  // namespace

void RegisterOrientationRoutes(http::Router& router, Services& services) {
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
  constexpr char kWrite[] = "orientations.write";
  constexpr char kRead[] = "orientations.read";
  constexpr char kAnswer[] = "orientations.answer";

  // Orientations.
  add(Method::kPost, "/api/v1/orientations", kWrite, Input::kBody, Create,
      "Créer une orientation (brouillon, ou envoyée aussitôt)");
  add(Method::kGet, "/api/v1/orientations", kRead, Input::kQuery, List,
      "Lister les orientations envoyées, ou la boîte de réception d'un partenaire");
  add(Method::kGet, "/api/v1/orientations/mesures", "orientations.measures", Input::kQuery, Measure,
      "Mesures des orientations par partenaire, service ou lieu (effectifs seulement)");
  add(Method::kGet, "/api/v1/orientations/{id}", kRead, Input::kQuery, Get,
      "Lire une orientation et son historique");
  add(Method::kPatch, "/api/v1/orientations/{id}", kWrite, Input::kBody, UpdateDraft,
      "Modifier un brouillon d'orientation");
  add(Method::kGet, "/api/v1/orientations/{id}/fiche-de-liaison", kRead, Input::kQuery, Form,
      "La fiche de liaison d'une orientation");

  // Steps.
  add(Method::kPost, "/api/v1/orientations/{id}/envoyer", kWrite, Input::kBody,
      Simple<ot::Step::kSend>, "Envoyer une orientation au partenaire");
  add(Method::kPost, "/api/v1/orientations/{id}/accepter", kAnswer, Input::kBody,
      Simple<ot::Step::kAccept>, "Accepter une orientation");
  add(Method::kPost, "/api/v1/orientations/{id}/refuser", kAnswer, Input::kBody,
      Simple<ot::Step::kRefuse>, "Refuser une orientation (motif et commentaire)");
  add(Method::kPost, "/api/v1/orientations/{id}/reorienter", kAnswer, Input::kBody,
      Simple<ot::Step::kReorient>,
      "Réorienter vers un autre service (une nouvelle orientation suit)");
  add(Method::kPost, "/api/v1/orientations/{id}/rendez-vous", kAnswer, Input::kBody, Appointment,
      "Proposer ou fixer un rendez-vous");
  add(Method::kPost, "/api/v1/orientations/{id}/issue", kAnswer, Input::kBody, Outcome,
      "Enregistrer l'issue : personne reçue ou non venue");
  add(Method::kPost, "/api/v1/orientations/{id}/annuler", kWrite, Input::kBody,
      Simple<ot::Step::kCancel>, "Annuler une orientation");
  add(Method::kPost, "/api/v1/orientations/{id}/relancer", kWrite, Input::kBody,
      Simple<ot::Step::kRelaunch>, "Relancer une orientation sans réponse");
  add(Method::kPost, "/api/v1/orientations/{id}/cloturer", kWrite, Input::kBody,
      Simple<ot::Step::kClose>, "Clôturer une orientation");

  // Notifications of the caller.
  add(Method::kGet, "/api/v1/notifications", kRead, Input::kQuery, Notifications,
      "Mes notifications");
  add(Method::kPost, "/api/v1/notifications/lues", kRead, Input::kBody, MarkAllRead,
      "Marquer toutes mes notifications comme lues");
  add(Method::kPost, "/api/v1/notifications/{id}/lue", kRead, Input::kBody, MarkRead,
      "Marquer une notification comme lue");
  add(Method::kGet, "/api/v1/notifications/preferences", kRead, Input::kQuery, GetPreferences,
      "Mes préférences de notification");
  add(Method::kPut, "/api/v1/notifications/preferences", kRead, Input::kBody, SetPreferences,
      "Changer mes préférences de notification (résumé quotidien)");
}

}  // namespace pasip::api
