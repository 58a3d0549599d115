#include "api/api.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "api/directory_api.h"
#include "api/orientation_api.h"
#include "api/problem.h"
#include "api/reception_api.h"
#include "api/support.h"
#include "core/embedded.h"
#include "domain/identity/caller.h"
#include "http/cookie.h"

namespace pasip::api::embedded_openapi {
const std::vector<pasip::EmbeddedFile>& Files();
}

namespace pasip::api {
namespace {

using identity::Caller;
using nlohmann::json;

using http::kSessionCookie;

json ToJson(const identity::Organisation& o) {
  return {{"id", o.id},
          {"nom", o.name},
          {"type", o.kind},
          {"siret", o.siret.empty() ? json(nullptr) : json(o.siret)},
          {"actif", o.active}};
}

json ToJson(const identity::Site& s) {
  return {{"id", s.id},
          {"organisation_id", s.organisation_id},
          {"nom", s.name},
          {"adresse", s.address},
          {"commune", s.commune_code},
          {"latitude", s.latitude ? json(*s.latitude) : json(nullptr)},
          {"longitude", s.longitude ? json(*s.longitude) : json(nullptr)},
          {"actif", s.active}};
}

json ToJson(const identity::Membership& m) {
  return {{"organisation_id", m.organisation_id},
          {"role", std::string(identity::RoleName(m.role))},
          {"sites", m.site_ids}};
}

json ToJson(const identity::User& u) {
  json memberships = json::array();
  for (const auto& m : u.memberships) memberships.push_back(ToJson(m));
  return {{"id", u.id},
          {"email", u.email},
          {"nom", u.display_name},
          {"desactive", u.disabled},
          {"second_facteur", u.HasTotp()},
          {"roles", memberships}};
}

Result<std::vector<identity::Membership>> ParseMemberships(const json& body) {
  std::vector<identity::Membership> out;
  const auto it = body.find("roles");
  if (it == body.end()) return out;
  if (!it->is_array()) {
    return Fail(InvalidArgument("Le champ « roles » doit être une liste.", "roles"));
  }
  for (const json& item : *it) {
    if (!item.is_object() || !item.contains("organisation_id") ||
        !item["organisation_id"].is_number_integer() || !item.contains("role") ||
        !item["role"].is_string()) {
      return Fail(InvalidArgument(
          "Chaque rôle indique « organisation_id » (nombre) et « role » (texte).", "roles"));
    }
    identity::Membership m;
    m.organisation_id = item["organisation_id"].get<std::int64_t>();
    const auto role = identity::ParseRole(item["role"].get<std::string>());
    if (!role) {
      return Fail(InvalidArgument(
          "Rôle inconnu : choisissez accueil, social, partenaire, coordination ou admin.",
          "roles"));
    }
    m.role = *role;
    if (item.contains("sites")) {
      if (!item["sites"].is_array()) {
        return Fail(InvalidArgument("« sites » doit être une liste de numéros.", "roles"));
      }
      for (const json& s : item["sites"]) {
        if (!s.is_number_integer()) {
          return Fail(InvalidArgument("« sites » doit être une liste de numéros.", "roles"));
        }
        m.site_ids.push_back(s.get<std::int64_t>());
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

Status ApplyOrganisationFields(const json& body, identity::Organisation& o) {
  PASIP_ASSIGN_OR_RETURN(name, OptString(body, "nom"));
  PASIP_ASSIGN_OR_RETURN(kind, OptString(body, "type"));
  PASIP_ASSIGN_OR_RETURN(siret, OptString(body, "siret"));
  PASIP_ASSIGN_OR_RETURN(active, OptBool(body, "actif"));
  if (name) o.name = *name;
  if (kind) o.kind = *kind;
  if (siret) o.siret = *siret;
  if (active) o.active = *active;
  return Ok();
}

Status ApplySiteFields(const json& body, identity::Site& s) {
  PASIP_ASSIGN_OR_RETURN(name, OptString(body, "nom"));
  PASIP_ASSIGN_OR_RETURN(address, OptString(body, "adresse"));
  PASIP_ASSIGN_OR_RETURN(commune, OptString(body, "commune"));
  PASIP_ASSIGN_OR_RETURN(lat, OptNumber(body, "latitude"));
  PASIP_ASSIGN_OR_RETURN(lon, OptNumber(body, "longitude"));
  PASIP_ASSIGN_OR_RETURN(active, OptBool(body, "actif"));
  if (body.contains("organisation_id")) {
    if (!body["organisation_id"].is_number_integer()) {
      return Fail(InvalidArgument("« organisation_id » doit être un numéro.", "organisation_id"));
    }
    s.organisation_id = body["organisation_id"].get<std::int64_t>();
  }
  if (name) s.name = *name;
  if (address) s.address = *address;
  if (commune) s.commune_code = *commune;
  if (body.contains("latitude")) s.latitude = lat;
  if (body.contains("longitude")) s.longitude = lon;
  if (active) s.active = *active;
  return Ok();
}

}  // namespace

std::string_view OpenApiDocument() {
  for (const auto& f : embedded_openapi::Files()) {
    if (f.path == "openapi.json") return f.content;
  }
  return "{}";
}

void RegisterRoutes(http::Router& router, Services& services, const Options& options) {
  using http::Method;
  using http::RouteKind;
  Services& s = services;

  router
      .Add(Method::kGet, "/api/v1/openapi.json", RouteKind::kApi, "public",
           [](http::Request&) {
             http::Response r = http::Response::Json(200, std::string(OpenApiDocument()));
             return r;
           })
      .summary = "Description OpenAPI 3.1 de l'API";

  router
      .Add(Method::kPost, "/api/v1/session", RouteKind::kApi, "session.sign_in",
           Wrap([&s, options](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
             PASIP_ASSIGN_OR_RETURN(email, OptString(body, "email"));
             PASIP_ASSIGN_OR_RETURN(password, OptString(body, "password"));
             PASIP_ASSIGN_OR_RETURN(totp, OptString(body, "totp"));
             identity::SignInRequest sign_in{email.value_or(""), password.value_or(""), totp,
                                             req.remote_address,
                                             std::string(req.Header("User-Agent"))};
             PASIP_ASSIGN_OR_RETURN(result, s.accounts.SignIn(sign_in, CallerOf(req).audit));
             http::Response r =
                 JsonOk({{"utilisateur", ToJson(result.user)},
                         {"second_facteur_requis", result.second_factor_pending},
                         {"activation_second_facteur_requise", result.enrolment_pending},
                         {"csrf", result.session.csrf_token}});
             r.headers.emplace(
                 "Set-Cookie",
                 http::SetCookieValue(
                     {kSessionCookie, result.token, true, options.secure_cookies, "Lax", {}}));
             return r;
           }))
      .summary = "Ouvrir une session (e-mail, mot de passe, code TOTP facultatif)";

  router
      .Add(Method::kDelete, "/api/v1/session", RouteKind::kApi, "session.second_factor",
           Wrap([&s, options](http::Request& req) -> Result<http::Response> {
             const Caller& caller = CallerOf(req);
             PASIP_TRY(s.accounts.SignOut(caller.token, caller.audit));
             http::Response r = http::Response::NoContent();
             r.headers.emplace("Set-Cookie",
                               http::ExpireCookieValue(kSessionCookie, options.secure_cookies));
             return r;
           }))
      .summary = "Fermer la session";

  router
      .Add(Method::kGet, "/api/v1/moi", RouteKind::kApi, "dashboard",
           Wrap([](http::Request& req) -> Result<http::Response> {
             return JsonOk(ToJson(CallerOf(req).auth->user));
           }))
      .summary = "Le compte connecté";

  // Organisations.
  router
      .Add(Method::kGet, "/api/v1/organisations", RouteKind::kApi, "organisations.read",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(list, s.identity.ListOrganisations({req.query.GetOr("q")}));
             json items = json::array();
             for (const auto& o : list) items.push_back(ToJson(o));
             return JsonOk({{"items", items}});
           }))
      .summary = "Lister les organisations";
  router
      .Add(Method::kPost, "/api/v1/organisations", RouteKind::kApi, "organisations.write",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
             identity::Organisation o;
             PASIP_TRY(ApplyOrganisationFields(body, o));
             PASIP_ASSIGN_OR_RETURN(created, s.organisations.Create(o, CallerOf(req).audit));
             return JsonOk(ToJson(created), 201);
           }))
      .summary = "Créer une organisation";
  router
      .Add(Method::kGet, "/api/v1/organisations/{id}", RouteKind::kApi, "organisations.read",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(id, PathId(req));
             PASIP_ASSIGN_OR_RETURN(o, s.identity.FindOrganisation(id));
             if (!o) return Fail(NotFound("Cette organisation n'existe pas."));
             return JsonOk(ToJson(*o));
           }))
      .summary = "Lire une organisation";
  router
      .Add(Method::kPatch, "/api/v1/organisations/{id}", RouteKind::kApi, "organisations.write",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(id, PathId(req));
             PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
             PASIP_ASSIGN_OR_RETURN(o, s.identity.FindOrganisation(id));
             if (!o) return Fail(NotFound("Cette organisation n'existe pas."));
             PASIP_TRY(ApplyOrganisationFields(body, *o));
             PASIP_TRY(s.organisations.Update(*o, CallerOf(req).audit));
             return JsonOk(ToJson(*o));
           }))
      .summary = "Modifier une organisation";

  // Sites.
  router
      .Add(Method::kGet, "/api/v1/sites", RouteKind::kApi, "organisations.read",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             identity::SiteQuery q;
             q.text = req.query.GetOr("q");
             if (const auto org = req.query.Get("organisation_id")) {
               try {
                 q.organisation_id = std::stoll(*org);
               } catch (const std::exception&) {
                 return Fail(InvalidArgument("« organisation_id » doit être un numéro.",
                                             "organisation_id"));
               }
             }
             PASIP_ASSIGN_OR_RETURN(list, s.identity.ListSites(q));
             json items = json::array();
             for (const auto& site : list) items.push_back(ToJson(site));
             return JsonOk({{"items", items}});
           }))
      .summary = "Lister les lieux d'accueil";
  router
      .Add(Method::kPost, "/api/v1/sites", RouteKind::kApi, "organisations.write",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
             identity::Site site;
             PASIP_TRY(ApplySiteFields(body, site));
             PASIP_ASSIGN_OR_RETURN(created, s.organisations.CreateSite(site, CallerOf(req).audit));
             return JsonOk(ToJson(created), 201);
           }))
      .summary = "Créer un lieu d'accueil";
  router
      .Add(Method::kGet, "/api/v1/sites/{id}", RouteKind::kApi, "organisations.read",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(id, PathId(req));
             PASIP_ASSIGN_OR_RETURN(site, s.identity.FindSite(id));
             if (!site) return Fail(NotFound("Ce lieu n'existe pas."));
             return JsonOk(ToJson(*site));
           }))
      .summary = "Lire un lieu d'accueil";
  router
      .Add(Method::kPatch, "/api/v1/sites/{id}", RouteKind::kApi, "organisations.write",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(id, PathId(req));
             PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
             PASIP_ASSIGN_OR_RETURN(site, s.identity.FindSite(id));
             if (!site) return Fail(NotFound("Ce lieu n'existe pas."));
             PASIP_TRY(ApplySiteFields(body, *site));
             PASIP_TRY(s.organisations.UpdateSite(*site, CallerOf(req).audit));
             return JsonOk(ToJson(*site));
           }))
      .summary = "Modifier un lieu d'accueil";

  // Users.
  router
      .Add(Method::kGet, "/api/v1/utilisateurs", RouteKind::kApi, "users.read",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             identity::UserQuery q;
             q.text = req.query.GetOr("q");
             PASIP_ASSIGN_OR_RETURN(list, s.identity.ListUsers(q));
             json items = json::array();
             for (const auto& u : list) items.push_back(ToJson(u));
             return JsonOk({{"items", items}});
           }))
      .summary = "Lister les comptes";
  router
      .Add(Method::kPost, "/api/v1/utilisateurs", RouteKind::kApi, "users.write",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
             identity::NewUser u;
             PASIP_ASSIGN_OR_RETURN(email, OptString(body, "email"));
             PASIP_ASSIGN_OR_RETURN(name, OptString(body, "nom"));
             PASIP_ASSIGN_OR_RETURN(password, OptString(body, "mot_de_passe"));
             PASIP_ASSIGN_OR_RETURN(memberships, ParseMemberships(body));
             u.email = email.value_or("");
             u.display_name = name.value_or("");
             u.password = password.value_or("");
             u.memberships = std::move(memberships);
             PASIP_ASSIGN_OR_RETURN(created, s.accounts.CreateUser(u, CallerOf(req).audit));
             return JsonOk(ToJson(created), 201);
           }))
      .summary = "Créer un compte";
  router
      .Add(Method::kGet, "/api/v1/utilisateurs/{id}", RouteKind::kApi, "users.read",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(id, PathId(req));
             PASIP_ASSIGN_OR_RETURN(u, s.identity.FindUser(id));
             if (!u) return Fail(NotFound("Ce compte n'existe pas."));
             return JsonOk(ToJson(*u));
           }))
      .summary = "Lire un compte";
  router
      .Add(Method::kPatch, "/api/v1/utilisateurs/{id}", RouteKind::kApi, "users.write",
           Wrap([&s](http::Request& req) -> Result<http::Response> {
             PASIP_ASSIGN_OR_RETURN(id, PathId(req));
             PASIP_ASSIGN_OR_RETURN(body, ParseBody(req));
             identity::UserChanges changes;
             PASIP_ASSIGN_OR_RETURN(email, OptString(body, "email"));
             PASIP_ASSIGN_OR_RETURN(name, OptString(body, "nom"));
             PASIP_ASSIGN_OR_RETURN(disabled, OptBool(body, "desactive"));
             changes.email = std::move(email);
             changes.display_name = std::move(name);
             changes.disabled = disabled;
             if (body.contains("roles")) {
               PASIP_ASSIGN_OR_RETURN(parsed, ParseMemberships(body));
               changes.memberships = std::move(parsed);
             }
             PASIP_TRY(s.accounts.UpdateUser(id, changes, CallerOf(req).audit));
             PASIP_ASSIGN_OR_RETURN(updated, s.identity.FindUser(id));
             return JsonOk(ToJson(*updated));
           }))
      .summary = "Modifier un compte (e-mail, nom, rôles, désactivation)";

  // Audit log.
  router
      .Add(
          Method::kGet, "/api/v1/journal", RouteKind::kApi, "audit.read",
          Wrap([&s](http::Request& req) -> Result<http::Response> {
            audit::Query q;
            q.action = req.query.GetOr("action");
            q.resource_type = req.query.GetOr("type");
            q.resource_id = req.query.GetOr("ressource");
            try {
              if (auto u = req.query.Get("utilisateur"); u && !u->empty()) {
                q.user_id = std::stoll(*u);
              }
              if (auto b = req.query.Get("avant"); b && !b->empty()) q.before_id = std::stoll(*b);
              if (auto l = req.query.Get("limite"); l && !l->empty()) q.limit = std::stoi(*l);
            } catch (const std::exception&) {
              return Fail(InvalidArgument(
                  "« utilisateur », « avant » et « limite » doivent être des nombres."));
            }
            for (const auto& [name, target] : {std::pair{"du", &q.from}, std::pair{"au", &q.to}}) {
              if (auto v = req.query.Get(name); v && !v->empty()) {
                *target = ParseIso(*v);
                if (!*target) {
                  return Fail(InvalidArgument(
                      std::string("Date invalide (AAAA-MM-JJ attendu) : « ") + name + " ».", name));
                }
              }
            }
            PASIP_ASSIGN_OR_RETURN(entries, s.audit.Search(q));
            json items = json::array();
            for (const auto& e : entries) {
              items.push_back({{"id", e.id},
                               {"date", FormatIsoUtc(e.at)},
                               {"utilisateur", e.user_id},
                               {"action", e.action},
                               {"type", e.resource_type},
                               {"ressource", e.resource_id},
                               {"requete", e.request_id},
                               {"resultat", std::string(audit::OutcomeName(e.outcome))}});
            }
            json next = entries.size() == static_cast<std::size_t>(q.limit) && !entries.empty()
                            ? json(entries.back().id)
                            : json(nullptr);
            return JsonOk({{"items", items}, {"suivant", next}});
          }))
      .summary = "Rechercher dans le journal d'audit";

  RegisterDirectoryRoutes(router, s);
  RegisterReceptionRoutes(router, s);
  RegisterOrientationRoutes(router, s);
}

}  // namespace pasip::api
