// The audit log search (journal des accès, security.md S3): filters by account, action,
// resource and dates, newest first, paged by entry id (keyset: "avant" = older than this id).
#include <chrono>
#include <span>

#include "core/text.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

constexpr int kPageSize = 50;

struct Label {
  std::string_view code;
  std::string_view label;
};

constexpr Label kActionLabels[] = {
    {"sign_in", "Connexion"},
    {"sign_out", "Déconnexion"},
    {"second_factor", "Vérification du second facteur"},
    {"second_factor_enrolled", "Activation du second facteur"},
    {"second_factor_reset", "Réinitialisation du second facteur"},
    {"recovery_code_used", "Code de secours utilisé"},
    {"password_changed", "Changement de mot de passe"},
    {"password_reset", "Mot de passe provisoire"},
    {"session_closed", "Fermeture d'une session"},
    {"create", "Création"},
    {"read", "Consultation"},
    {"update", "Modification"},
    {"delete", "Suppression"},
    {"disable", "Désactivation"},
    {"enable", "Réactivation"},
};

constexpr Label kResourceLabels[] = {
    {"user", "Compte"},     {"organisation", "Organisation"}, {"site", "Lieu"},
    {"session", "Session"}, {"person", "Personne"},
};

std::string LabelOf(std::span<const Label> labels, std::string_view code) {
  for (const Label& l : labels) {
    if (l.code == code) return std::string(l.label);
  }
  return std::string(code);
}

std::string OutcomeLabel(audit::Outcome outcome) {
  switch (outcome) {
    case audit::Outcome::kSuccess:
      return "Réussi";
    case audit::Outcome::kDenied:
      return "Refusé";
    case audit::Outcome::kFailure:
      return "Échec";
  }
  return "";
}

// "31/12/2026" → "2026-12-31"; other text is returned as is (date inputs send ISO dates).
std::string IsoDate(std::string_view text) {
  if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
    return std::string(text.substr(6, 4)) + "-" + std::string(text.substr(3, 2)) + "-" +
           std::string(text.substr(0, 2));
  }
  return std::string(text);
}

// The filters as typed, kept to refill the form and to build the next page's link.
struct Filters {
  std::string user;
  std::string action;
  std::string type;
  std::string resource;
  std::string from;
  std::string to;

  std::string QueryString() const {
    std::string q;
    auto add = [&q](std::string_view name, const std::string& value) {
      if (value.empty()) return;
      q += (q.empty() ? "?" : "&") + std::string(name) + "=" + UrlEncode(value);
    };
    add("utilisateur", user);
    add("action", action);
    add("type", type);
    add("ressource", resource);
    add("du", from);
    add("au", to);
    return q;
  }
};

Response AuditSearch(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  Filters f;
  f.user = std::string(text::Trim(request.query.GetOr("utilisateur")));
  f.action = std::string(text::Trim(request.query.GetOr("action")));
  f.type = std::string(text::Trim(request.query.GetOr("type")));
  f.resource = std::string(text::Trim(request.query.GetOr("ressource")));
  f.from = std::string(text::Trim(request.query.GetOr("du")));
  f.to = std::string(text::Trim(request.query.GetOr("au")));

  FormErrors errors;
  audit::Query query;
  query.limit = kPageSize + 1;
  query.action = f.action;
  query.resource_type = f.type;
  query.resource_id = f.resource;
  if (!f.user.empty()) {
    if (f.user == "0") {
      query.user_id = 0;
    } else if (auto id = ParseId(f.user)) {
      query.user_id = *id;
    } else {
      errors.Add("utilisateur", "Le numéro de compte est un nombre, par exemple 12.");
    }
  }
  if (!f.from.empty()) {
    query.from = ParisMidnight(IsoDate(f.from));
    if (!query.from) errors.Add("du", "La date de début n'est pas valide (format JJ/MM/AAAA).");
  }
  if (!f.to.empty()) {
    // Up to the end of that day: the store's upper bound is exclusive, so take the next
    // day's midnight (computed on the calendar, as days around a time change are not 24 h).
    const auto day = ParseIso(IsoDate(f.to));
    const auto next = day ? ParisMidnight(FormatIsoUtc(*day + std::chrono::hours(24)).substr(0, 10))
                          : std::nullopt;
    if (next) {
      query.to = *next;
    } else {
      errors.Add("au", "La date de fin n'est pas valide (format JJ/MM/AAAA).");
    }
  }
  if (auto before = ParseId(request.query.GetOr("avant"))) query.before_id = *before;

  Data d = Object();
  Data list = List();
  bool has_more = false;
  std::int64_t last_id = 0;
  if (errors.empty()) {
    auto entries = c.services.audit.Search(query);
    if (!entries) return ErrorResponse(c, request, entries.error());
    has_more = static_cast<int>(entries->size()) > kPageSize;
    if (has_more) entries->resize(kPageSize);
    for (const audit::Entry& e : *entries) {
      Data item = Object();
      item.set("id", std::to_string(e.id));
      item.set("at", FormatParis(e.at));
      item.set("iso", FormatIsoUtc(e.at));
      item.set("has_user", e.user_id != 0);
      item.set("user_id", std::to_string(e.user_id));
      item.set("action", LabelOf(kActionLabels, e.action));
      item.set("action_code", e.action);
      item.set("resource_type", LabelOf(kResourceLabels, e.resource_type));
      item.set("resource_id", e.resource_id);
      item.set("outcome", OutcomeLabel(e.outcome));
      item.set("request_id", e.request_id);
      list.push_back(item);
      last_id = e.id;
    }
    d.set("empty", entries->empty());
  } else {
    d.set("empty", false);
  }
  d.set("form", errors.Summary());
  d.set("show_results", errors.empty());
  d.set("entries", list);
  d.set("can_read_users", Allowed(caller, identity::Action::kUsersRead));
  d.set("has_more", has_more);
  const std::string base = "/admin/journal" + f.QueryString();
  d.set("next_href", base + (base.find('?') == std::string::npos ? "?" : "&") +
                         "avant=" + std::to_string(last_id));
  d.set("paged", query.before_id.has_value());
  d.set("has_pages", has_more || query.before_id.has_value());
  d.set("first_href", base);

  d.set("user", Field({.name = "utilisateur",
                       .label = "Numéro du compte",
                       .value = f.user,
                       .hint = "Le numéro affiché dans l'adresse de la page du compte ; 0 pour "
                               "les actions sans compte connecté.",
                       .inputmode = "numeric"},
                      errors));
  d.set("action", Field({.name = "action",
                         .label = "Action",
                         .value = f.action,
                         .hint = "Le code de l'action, par exemple sign_in, create, update, read."},
                        errors));
  d.set("type", Field({.name = "type",
                       .label = "Type de ressource",
                       .value = f.type,
                       .hint = "Par exemple user, organisation, site, person."},
                      errors));
  d.set(
      "resource",
      Field({.name = "ressource", .label = "Numéro de la ressource", .value = f.resource}, errors));
  d.set("from", Field({.name = "du", .label = "Du", .value = f.from, .type = "date"}, errors));
  d.set("to", Field({.name = "au", .label = "Au (inclus)", .value = f.to, .type = "date"}, errors));
  d.set("filtered", !f.QueryString().empty());
  return c.renderer.Page(errors.empty() ? 200 : 422, caller, {"Journal d'audit", request.path, {}},
                         "audit", std::move(d));
}

}  // namespace

void RegisterAuditPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  router.Add(Method::kGet, "/admin/journal", RouteKind::kPage, "audit.read",
             Bind(context, AuditSearch));
}

}  // namespace pasip::web
