#include "web/page.h"

#include <charconv>
#include <stdexcept>

#include "core/clock.h"
#include "core/embedded.h"
#include "core/text.h"
#include "domain/identity/model.h"
#include "http/cookie.h"
#include "http/status.h"

namespace pasip::web::embedded_templates {
const std::vector<pasip::EmbeddedFile>& Files();
}

namespace pasip::web {
namespace {

constexpr std::string_view kTemplateSuffix = ".mustache";

struct NavLink {
  std::string_view label;
  std::string_view href;
};

constexpr std::string_view kNotificationsLabel = "Notifications";

struct Notice {
  std::string_view code;
  std::string_view message;
};

// Confirmations after a successful form, named in the redirect's `fait` parameter (no
// personal data in URLs, security S11).
constexpr Notice kNotices[] = {
    {"mot-de-passe", "Votre mot de passe a été changé. Vos autres sessions ont été fermées."},
    {"session-fermee", "La session a été fermée."},
    {"cree", "C'est enregistré : la fiche a été créée."},
    {"enregistre", "Les modifications ont été enregistrées."},
    {"desactive", "Le compte a été désactivé et ses sessions fermées."},
    {"reactive", "Le compte a été réactivé : la personne peut de nouveau se connecter."},
    {"mot-de-passe-provisoire",
     "Le mot de passe provisoire est enregistré. Transmettez-le à la personne par un moyen sûr."},
    {"second-facteur-reinitialise",
     "Le second facteur a été réinitialisé : la personne en activera un nouveau à sa prochaine "
     "connexion."},
};

std::string_view TemplateText(std::string_view name) {
  for (const EmbeddedFile& file : embedded_templates::Files()) {
    if (file.path.size() == name.size() + kTemplateSuffix.size() &&
        file.path.substr(0, name.size()) == name &&
        file.path.substr(name.size()) == kTemplateSuffix) {
      return file.content;
    }
  }
  throw std::logic_error("modèle de page introuvable : " + std::string(name));
}

void AddPartials(Data& data) {
  for (const EmbeddedFile& file : embedded_templates::Files()) {
    if (file.path.empty() || file.path.front() != '_') continue;
    if (file.path.size() <= kTemplateSuffix.size()) continue;
    const std::string_view name = file.path.substr(0, file.path.size() - kTemplateSuffix.size());
    data.set(std::string(name), std::string(file.content));
  }
}

std::string AssetUrl(const Options& options, std::string_view name) {
  if (options.assets != nullptr) return options.assets->Url(name);
  return "/static/" + std::string(name);
}

// The navigation of a signed-in person whose second factor is settled, by role.
std::vector<NavLink> NavigationFor(const identity::Principal& principal) {
  std::vector<NavLink> links = {{"Tableau de bord", "/tableau-de-bord"},
                                {"Annuaire", "/annuaire"},
                                {"Mon compte", "/compte"}};
  auto allowed = [&](identity::Action action) {
    return identity::Authorize(principal, action) == identity::Decision::kAllow;
  };
  // Person files: the roles that may search them (accueil, social).
  if (allowed(identity::Action::kPersonsRead)) {
    links.insert(links.begin() + 2, {"Personnes", "/personnes"});
  }
  // Orientations: the orienting agents' list; the partners' inbox; the notifications.
  const auto before_account = [&] { return links.end() - 1; };
  if (allowed(identity::Action::kOrientationsWrite)) {
    links.insert(before_account(), {"Orientations", "/orientations"});
  }
  if (principal.HasRole(identity::Role::kPartenaire) &&
      allowed(identity::Action::kOrientationsRead)) {
    links.insert(before_account(), {"Orientations reçues", "/orientations/recues"});
  }
  if (allowed(identity::Action::kOrientationsRead)) {
    links.insert(before_account(), {kNotificationsLabel, "/notifications"});
  } else if (allowed(identity::Action::kOrientationsMeasures)) {
    links.insert(before_account(), {"Mesures des orientations", "/orientations/mesures"});
  }
  const bool admin = principal.HasRole(identity::Role::kAdmin);
  const bool coordination = principal.HasRole(identity::Role::kCoordination);
  if (admin || coordination) {
    links.push_back({"Organisations", "/admin/organisations"});
    links.push_back({"Lieux", "/admin/sites"});
  }
  if (admin) {
    links.push_back({"Comptes", "/admin/utilisateurs"});
    links.push_back({"Journal d'audit", "/admin/journal"});
    links.push_back({"Conservation", "/admin/conservation"});
  }
  return links;
}

bool PathUnder(std::string_view path, std::string_view href) {
  if (path == href) return true;
  return path.size() > href.size() && path.substr(0, href.size()) == href &&
         path[href.size()] == '/';
}

}  // namespace

Data Object() { return Data(Data::type::object); }
Data List() { return Data(Data::type::list); }
Data Text(std::string_view value) { return Data(std::string(value)); }

std::string Renderer::Render(std::string_view name, Data data) const {
  AddPartials(data);
  kainjow::mustache::mustache tmpl{std::string(TemplateText(name))};
  if (!tmpl.is_valid()) {
    throw std::logic_error("modèle " + std::string(name) + " invalide : " + tmpl.error_message());
  }
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    throw std::logic_error("modèle " + std::string(name) + " : " + tmpl.error_message());
  }
  return out;
}

std::string Renderer::Document(const identity::Caller* caller, const Frame& frame,
                               std::string_view content) const {
  Data d = Object();
  d.set("title", frame.title);
  d.set("deployment_name", options_.deployment_name);
  d.set("has_logo", !options_.deployment_logo_url.empty());
  d.set("logo_url", options_.deployment_logo_url);
  d.set("demo", options_.demo);
  d.set("css_pico", AssetUrl(options_, "vendor/pico.min.css"));
  d.set("css_pasip", AssetUrl(options_, "css/pasip.css"));
  d.set("css_theme", AssetUrl(options_, "theme.css"));
  d.set("js_htmx", AssetUrl(options_, "vendor/htmx.min.js"));
  d.set("js_pasip", AssetUrl(options_, "js/pasip.js"));
  d.set("has_notice", !frame.notice.empty());
  d.set("notice", frame.notice);
  d.set("content", std::string(content));

  const bool signed_in = caller != nullptr && caller->signed_in();
  const std::string csrf = caller != nullptr ? caller->csrf_token : std::string();
  d.set("has_csrf", !csrf.empty());
  d.set("csrf", csrf);
  d.set("signed_in", signed_in);
  d.set("user_name", signed_in ? caller->auth->user.display_name : std::string());
  d.set("home_href", signed_in ? "/tableau-de-bord" : "/");
  d.set("finder_current", PathUnder(frame.path, "/annuaire"));

  Data nav = List();
  if (signed_in && !caller->principal.SecondFactorPending()) {
    const std::vector<NavLink> links = NavigationFor(caller->principal);
    // The most specific link containing the path is the current one.
    std::string_view current;
    for (const NavLink& link : links) {
      if (PathUnder(frame.path, link.href) && link.href.size() > current.size()) {
        current = link.href;
      }
    }
    for (const NavLink& link : links) {
      Data item = Object();
      item.set("label", std::string(link.label));
      item.set("href", std::string(link.href));
      item.set("current", link.href == current);
      std::optional<std::int64_t> count;
      if (link.label == kNotificationsLabel && unread_) count = unread_(caller->principal);
      item.set("has_count", count.has_value() && *count > 0);
      item.set("count", count ? std::to_string(*count) : std::string());
      nav.push_back(item);
    }
  }
  d.set("nav", nav);
  return Render("layout", std::move(d));
}

http::Response Renderer::Page(int status, const identity::Caller& caller, const Frame& frame,
                              std::string_view template_name, Data data) const {
  data.set("csrf", caller.csrf_token);
  data.set("title", frame.title);
  const std::string content = Render(template_name, std::move(data));
  return http::Response::Html(status, Document(&caller, frame, content));
}

void FormErrors::Add(std::string field, std::string message) {
  errors_.push_back({std::move(field), std::move(message)});
}

std::string FormErrors::For(std::string_view field) const {
  for (const Entry& e : errors_) {
    if (!field.empty() && e.field == field) return e.message;
  }
  return {};
}

Data FormErrors::Summary() const {
  Data d = Object();
  d.set("has_errors", !errors_.empty());
  d.set("error_title", errors_.size() > 1 ? "Le formulaire contient des erreurs"
                                          : "Le formulaire contient une erreur");
  Data list = List();
  for (const Entry& e : errors_) {
    Data item = Object();
    item.set("message", e.message);
    item.set("has_href", !e.field.empty());
    item.set("href", "#" + FieldId(e.field));
    list.push_back(item);
  }
  d.set("errors", list);
  return d;
}

std::string FieldId(std::string_view name) { return "f-" + std::string(name); }

Data Field(const FieldSpec& spec, const FormErrors& errors) {
  const std::string id = spec.id.empty() ? FieldId(spec.name) : spec.id;
  const std::string error = errors.For(spec.name);
  std::string described_by;
  if (!spec.hint.empty()) described_by = id + "-aide";
  if (!error.empty()) described_by += (described_by.empty() ? "" : " ") + id + "-erreur";
  Data d = Object();
  d.set("id", id);
  d.set("name", spec.name);
  d.set("label", spec.label);
  d.set("value", spec.value);
  d.set("type", spec.type);
  d.set("has_autocomplete", !spec.autocomplete.empty());
  d.set("autocomplete", spec.autocomplete);
  d.set("has_inputmode", !spec.inputmode.empty());
  d.set("inputmode", spec.inputmode);
  d.set("required", spec.required);
  d.set("has_hint", !spec.hint.empty());
  d.set("hint", spec.hint);
  d.set("has_error", !error.empty());
  d.set("error", error);
  d.set("has_describedby", !described_by.empty());
  d.set("describedby", described_by);
  return d;
}

Data Select(const SelectSpec& spec, const FormErrors& errors) {
  FieldSpec base;
  base.name = spec.name;
  base.label = spec.label;
  base.hint = spec.hint;
  base.required = spec.required;
  base.id = spec.id;
  Data d = Field(base, errors);
  d.set("multiple", spec.multiple);
  Data options = List();
  if (!spec.empty_label.empty()) {
    Data o = Object();
    o.set("value", "");
    o.set("label", spec.empty_label);
    o.set("selected", spec.selected.empty() || spec.selected.front().empty());
    options.push_back(o);
  }
  for (const Option& option : spec.options) {
    Data o = Object();
    o.set("value", option.value);
    o.set("label", option.label);
    bool selected = false;
    for (const std::string& s : spec.selected) selected = selected || s == option.value;
    o.set("selected", selected);
    options.push_back(o);
  }
  d.set("options", options);
  return d;
}

Data Checkbox(std::string_view name, std::string_view label, bool checked) {
  Data d = Object();
  d.set("id", FieldId(name));
  d.set("name", std::string(name));
  d.set("label", std::string(label));
  d.set("checked", checked);
  return d;
}

const identity::Caller& CallerOf(const http::Request& request) {
  static const identity::Caller kAnonymous;
  const auto* caller = std::any_cast<identity::Caller>(&request.context);
  return caller != nullptr ? *caller : kAnonymous;
}

bool Allowed(const identity::Caller& caller, identity::Action action) {
  return identity::Authorize(caller.principal, action) == identity::Decision::kAllow;
}

std::optional<std::string> SafeReturnPath(std::string_view candidate) {
  if (candidate.empty() || candidate.size() > 512) return std::nullopt;
  if (candidate.front() != '/') return std::nullopt;
  if (candidate.size() > 1 && (candidate[1] == '/' || candidate[1] == '\\')) return std::nullopt;
  for (char c : candidate) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') return std::nullopt;
  }
  // Going back to the sign-in or sign-out pages would loop.
  if (candidate == "/connexion" || text::StartsWith(candidate, "/connexion?") ||
      text::StartsWith(candidate, "/deconnexion")) {
    return std::nullopt;
  }
  return std::string(candidate);
}

std::string UrlEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0f]);
    }
  }
  return out;
}

std::optional<std::int64_t> ParseId(std::string_view text) {
  text = text::Trim(text);
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

int FormErrorStatus(const Error& error) { return http::StatusFor(error.code); }

bool IsFormError(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

http::Response ErrorResponse(const PageContext& context, const http::Request& request,
                             const Error& error) {
  return ErrorPage(http::StatusFor(error.code), &CallerOf(request), context.renderer.options(),
                   request.request_id);
}

http::Response SignedOutRedirect(const PageContext& context) {
  http::Response response = http::Response::Redirect("/");
  response.headers.emplace(
      "Set-Cookie",
      http::ExpireCookieValue(kSessionCookie, context.renderer.options().secure_cookies));
  return response;
}

ListSearch ListSearchOf(const http::Request& request) {
  ListSearch search;
  search.text = std::string(text::Trim(request.query.GetOr("q")));
  search.organisation = request.query.GetOr("organisation_id");
  search.organisation_id = ParseId(search.organisation);
  return search;
}

Data OrganisationFilter(const ListSearch& search, std::vector<Option> organisations) {
  return Select({.name = "organisation_id",
                 .label = "Organisation",
                 .options = std::move(organisations),
                 .selected = {search.organisation_id ? search.organisation : std::string()},
                 .empty_label = "Toutes les organisations"},
                {});
}

Option OrganisationOption(const identity::Organisation& organisation) {
  return {std::to_string(organisation.id),
          organisation.active ? organisation.name : organisation.name + " (inactive)"};
}

void SetMemberships(Data& data, Services& services, const identity::User& user) {
  Data memberships = List();
  for (const identity::Membership& m : user.memberships) {
    auto organisation = services.identity.FindOrganisation(m.organisation_id);
    Data item = Object();
    item.set("organisation", organisation && *organisation ? (*organisation)->name
                                                           : std::string("Organisation inconnue"));
    item.set("role", std::string(identity::RoleLabel(m.role)));
    memberships.push_back(item);
  }
  data.set("has_memberships", !user.memberships.empty());
  data.set("memberships", memberships);
}

std::string NoticeFromQuery(const http::Request& request) {
  const std::string code = request.query.GetOr("fait");
  for (const Notice& n : kNotices) {
    if (n.code == code) return std::string(n.message);
  }
  return {};
}

std::optional<TimePoint> ParisMidnight(std::string_view date) {
  if (date.size() != 10) return std::nullopt;
  // Paris is UTC+2 in summer and UTC+1 in winter: keep the offset that lands on midnight.
  for (const char* offset : {"+02:00", "+01:00"}) {
    const auto t = ParseIso(std::string(date) + "T00:00:00" + offset);
    if (!t) return std::nullopt;
    if (FormatParis(*t).ends_with(" à 0 h 00")) return t;
  }
  return ParseIso(std::string(date) + "T00:00:00+01:00");
}

}  // namespace pasip::web
