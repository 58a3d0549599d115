// The directory's editing pages, for directory.write users: create and edit a structure and
// its services (every field of data·inclusion and pasip's extensions), delete a service after
// a confirmation, check opening hours as they are typed (an htmx fragment, or a page without
// script), and the "à mettre à jour" list. Whether a person may edit a given structure is the
// domain's answer (DirectoryService::CanEdit): coordination and admin everywhere, partenaire
// for their organisation's.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "core/text.h"
#include "domain/directory/directory.h"
#include "domain/openinghours/normaliser.h"
#include "domain/openinghours/opening_hours.h"
#include "web/directory_format.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

using directory::Referentiel;
using identity::Action;

constexpr int kBlankStops = 2;
constexpr int kBlankReferents = 2;
constexpr int kBlankNotices = 2;
constexpr int kBlankPermanences = 2;
constexpr int kMaxRows = 100;
constexpr int kToUpdateLimit = 200;
constexpr char kHoursCheckPath[] = "/annuaire/horaires/verifier";
constexpr char kHoursHint[] =
    "Par exemple « Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00 » (format OpenStreetMap). Vous "
    "pouvez aussi écrire « du lundi au vendredi 9h-12h et 13h30-17h » : il sera converti.";

std::string StructureHref(directory::StructureId id) {
  return "/annuaire/structures/" + std::to_string(id);
}

// ---- Reading the form ----

std::string Trimmed(const http::FormData& form, std::string_view name) {
  return std::string(text::Trim(form.GetOr(name)));
}

std::optional<std::string> Optional(const http::FormData& form, std::string_view name) {
  std::string value = Trimmed(form, name);
  if (value.empty()) return std::nullopt;
  return value;
}

// A decimal number with a point or a French comma; `errors` gets `message` when unreadable.
std::optional<double> Number(const http::FormData& form, const std::string& name,
                             std::string_view message, FormErrors& errors) {
  std::string s = Trimmed(form, name);
  if (s.empty()) return std::nullopt;
  std::replace(s.begin(), s.end(), ',', '.');
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
    errors.Add(name, std::string(message));
    return std::nullopt;
  }
  return value;
}

std::string NumberText(const std::optional<double>& value) {
  if (!value) return {};
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *value);
  if (ec != std::errc()) return {};
  std::string s(buf, end);
  std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

// Whether the form has any field of row `prefix` ("arrets[3].").
bool HasRow(const http::FormData& form, const std::string& prefix) {
  return std::any_of(form.pairs().begin(), form.pairs().end(),
                     [&](const auto& pair) { return pair.first.starts_with(prefix); });
}

// The values chosen for a multiple choice, those of the référentiel only, in its order.
std::vector<std::string> Chosen(const http::FormData& form, std::string_view name,
                                Referentiel referentiel) {
  const std::vector<std::string> sent = form.GetAll(name);
  std::vector<std::string> out;
  for (const directory::RefValue& v : directory::Values(referentiel)) {
    if (std::find(sent.begin(), sent.end(), v.value) != sent.end()) out.emplace_back(v.value);
  }
  return out;
}

// An opening-hours field: the French habits rewritten (Normalise); when the result still
// does not parse, the error (with its position) goes next to the field and the text is kept
// as typed.
std::string HoursFromForm(const http::FormData& form, const std::string& name, FormErrors& errors) {
  const std::string typed = Trimmed(form, name);
  if (typed.empty()) return {};
  const openinghours::Normalised normalised = openinghours::Normalise(typed);
  auto parsed = openinghours::OpeningHours::Parse(normalised.text);
  if (!parsed) {
    errors.Add(name, parsed.error().message);
    return typed;
  }
  return normalised.text;
}

// ---- Opening-hours feedback ----

// The feedback shown under an opening-hours field (partial _hours_feedback): the string
// understood, the corrections made, the week in French; or the error with its position.
Data HoursFeedback(std::string_view typed, std::string_view code_insee, TimePoint now) {
  Data d = Object();
  const std::string input(text::Trim(typed));
  d.set("has_input", !input.empty());
  d.set("valid", false);
  d.set("normalised", "");
  d.set("has_changes", false);
  d.set("changes", List());
  d.set("week", List());
  d.set("error", "");
  d.set("has_position", false);
  d.set("before", "");
  d.set("at", "");
  d.set("after", "");
  if (input.empty()) return d;
  const openinghours::Normalised normalised = openinghours::Normalise(input);
  d.set("normalised", normalised.text);
  Data changes = List();
  for (const std::string& change : normalised.changes) changes.push_back(Text(change));
  d.set("has_changes", !normalised.changes.empty());
  d.set("changes", changes);
  auto parsed = openinghours::OpeningHours::Parse(normalised.text);
  if (parsed) {
    d.set("valid", true);
    const CivilTime civil = ToParisCivil(now);
    const openinghours::Date date{static_cast<int>(civil.year), static_cast<int>(civil.month),
                                  static_cast<int>(civil.day)};
    Data week = List();
    for (const std::string& day : openinghours::FormatWeekFr(
             parsed->Week(date, openinghours::Place::FromCommune(code_insee)))) {
      week.push_back(Text(day));
    }
    d.set("week", week);
    return d;
  }
  d.set("error", parsed.error().message);
  const int position = openinghours::ParseErrorPosition(parsed.error());
  if (position > 0) {
    // Split the normalised text at the code point in error (1-based).
    const std::string& s = normalised.text;
    std::size_t at = 0;
    int count = 1;
    while (at < s.size() && count < position) {
      ++at;
      while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xc0) == 0x80) ++at;
      ++count;
    }
    std::size_t end = at;
    if (end < s.size()) {
      ++end;
      while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80) ++end;
    }
    d.set("has_position", true);
    d.set("before", s.substr(0, at));
    d.set("at", at < s.size() ? s.substr(at, end - at) : std::string("…"));
    d.set("after", s.substr(end));
  }
  return d;
}

// Data for the _hours_field partial: a text input checked live by htmx.
Data HoursField(const std::string& name, const std::string& label, const std::string& value,
                std::string_view code_insee, const FormErrors& errors, TimePoint now) {
  Data d = Field({.name = name, .label = label, .value = value, .hint = kHoursHint}, errors);
  d.set("check_path", kHoursCheckPath);
  d.set("feedback", HoursFeedback(value, code_insee, now));
  return d;
}

// GET /annuaire/horaires/verifier?<name>=…[&code_insee=…]: the feedback fragment for htmx
// (the field's name ends with "horaires" or "horaires_accueil"), or without script a page
// with a form to check opening hours.
Response HoursCheck(PageContext& c, Request& request) {
  std::string typed;
  for (const auto& [name, value] : request.query.pairs()) {
    if (name == "horaires" || name.ends_with(".horaires") || name == "horaires_accueil") {
      typed = value;
      break;
    }
  }
  if (typed.size() > 2000) typed.resize(2000);
  const std::string code_insee = Trimmed(request.query, "code_insee");
  Data feedback = HoursFeedback(typed, code_insee, c.services.clock.Now());
  if (request.Header("HX-Request") == "true") {
    Response response = Response::Html(200, c.renderer.Render("_hours_feedback", feedback));
    response.SetHeader("Vary", "HX-Request");
    return response;
  }
  Data d = Object();
  FormErrors none;
  Data field = Field(
      {.name = "horaires", .label = "Horaires à vérifier", .value = typed, .hint = kHoursHint},
      none);
  field.set("check_path", kHoursCheckPath);
  field.set("feedback", feedback);
  d.set("hours", field);
  Response response =
      c.renderer.Page(200, CallerOf(request), {"Vérifier des horaires", request.path, {}},
                      "hours_check", std::move(d));
  response.SetHeader("Vary", "HX-Request");
  return response;
}

// ---- Form fields shared by both forms ----

// Errors of the domain name list items ("thematiques[2]", "accessibilite.langues[0]"): they
// belong to the group's field.
Error OnFormField(Error error, const std::set<std::string>& groups) {
  std::string field = error.field;
  const std::size_t bracket = field.find('[');
  if (bracket != std::string::npos && groups.contains(field.substr(0, bracket))) {
    error.field = field.substr(0, bracket);
  }
  return error;
}

Data Textarea(const FieldSpec& spec, const FormErrors& errors, int rows = 4) {
  Data d = Field(spec, errors);
  d.set("rows", std::to_string(rows));
  return d;
}

struct GroupOption {
  std::string value;
  std::string label;
};

// Data for the _checkbox_group partial.
Data CheckboxGroup(const std::string& name, const std::string& legend,
                   const std::vector<GroupOption>& options, const std::vector<std::string>& chosen,
                   const FormErrors& errors, const std::string& hint = {}) {
  Data d = Object();
  const std::string id = FieldId(name);
  const std::string error = errors.For(name);
  d.set("id", id);
  d.set("legend", legend);
  d.set("has_hint", !hint.empty());
  d.set("hint", hint);
  d.set("has_error", !error.empty());
  d.set("error", error);
  std::string described_by;
  if (!hint.empty()) described_by = id + "-aide";
  if (!error.empty()) described_by += (described_by.empty() ? "" : " ") + id + "-erreur";
  d.set("has_describedby", !described_by.empty());
  d.set("describedby", described_by);
  Data list = List();
  int selected = 0;
  for (const GroupOption& option : options) {
    Data o = Object();
    o.set("id", id + "-" + option.value);
    o.set("name", name);
    o.set("value", option.value);
    o.set("label", option.label);
    const bool checked = std::find(chosen.begin(), chosen.end(), option.value) != chosen.end();
    selected += checked ? 1 : 0;
    o.set("checked", checked);
    list.push_back(o);
  }
  d.set("options", list);
  d.set("has_selected", selected > 0);
  d.set("selected", std::to_string(selected));
  return d;
}

std::vector<GroupOption> ReferentielOptions(Referentiel r) {
  std::vector<GroupOption> out;
  for (const directory::RefValue& v : directory::Values(r)) {
    out.push_back({std::string(v.value), std::string(v.label)});
  }
  return out;
}

std::vector<Option> SelectOptions(Referentiel r) {
  std::vector<Option> out;
  for (const directory::RefValue& v : directory::Values(r)) {
    out.push_back({std::string(v.value), std::string(v.label)});
  }
  return out;
}

// The thématiques as one checkbox group per catégorie, each in a disclosure that is open
// when something in it is chosen (partial _themes).
Data ThemeGroups(const std::vector<std::string>& chosen, const FormErrors& errors) {
  Data d = Object();
  const std::string error = errors.For("thematiques");
  d.set("id", FieldId("thematiques"));
  d.set("has_error", !error.empty());
  d.set("error", error);
  Data groups = List();
  for (const directory::RefValue& category : directory::Values(Referentiel::kCategorie)) {
    std::vector<GroupOption> options;
    for (const directory::RefValue& theme : directory::Values(Referentiel::kThematique)) {
      if (directory::CategoryOf(theme.value) == category.value) {
        options.push_back({std::string(theme.value), std::string(theme.label)});
      }
    }
    Data group = CheckboxGroup("thematiques", std::string(category.label), options, chosen, {});
    group.set("id", FieldId("thematiques") + "-" + std::string(category.value));
    groups.push_back(group);
  }
  d.set("groups", groups);
  return d;
}

Data RadioGroup(const std::string& name, const std::string& legend,
                const std::vector<Option>& options, const std::string& chosen) {
  Data d = Object();
  d.set("id", FieldId(name));
  d.set("legend", legend);
  Data list = List();
  for (const Option& option : options) {
    Data o = Object();
    o.set("id", FieldId(name) + "-" + (option.value.empty() ? "inconnu" : option.value));
    o.set("name", name);
    o.set("value", option.value);
    o.set("label", option.label);
    o.set("checked", option.value == chosen);
    list.push_back(o);
  }
  d.set("options", list);
  return d;
}

// ---- Structures ----

const std::set<std::string>& StructureGroups() {
  static const std::set<std::string> groups = {"accessibilite.langues", "reseaux_porteurs"};
  return groups;
}

directory::Structure StructureFromForm(const http::FormData& form, directory::Structure s,
                                       FormErrors& errors) {
  s.nom = Trimmed(form, "nom");
  s.description = Optional(form, "description");
  s.siret = Optional(form, "siret");
  if (s.siret) s.siret->erase(std::remove(s.siret->begin(), s.siret->end(), ' '), s.siret->end());
  s.adresse = Optional(form, "adresse");
  s.complement_adresse = Optional(form, "complement_adresse");
  s.code_postal = Optional(form, "code_postal");
  s.commune = Optional(form, "commune");
  s.code_insee = Optional(form, "code_insee");
  if (s.code_insee) {
    for (char& ch : *s.code_insee) ch = static_cast<char>(std::toupper(ch));
  }
  s.telephone = Optional(form, "telephone");
  s.courriel = Optional(form, "courriel");
  s.site_web = Optional(form, "site_web");
  s.lien_source = Optional(form, "lien_source");
  s.accessibilite_lieu = Optional(form, "accessibilite_lieu");
  s.latitude =
      Number(form, "latitude", "La latitude doit être un nombre, par exemple 48,1113.", errors);
  s.longitude =
      Number(form, "longitude", "La longitude doit être un nombre, par exemple -1,68.", errors);
  const std::string hours = HoursFromForm(form, "horaires_accueil", errors);
  s.horaires_accueil = hours.empty() ? std::nullopt : std::optional<std::string>(hours);
  s.reseaux_porteurs = Chosen(form, "reseaux_porteurs", Referentiel::kReseauPorteur);
  s.organisation_id = ParseId(form.GetOr("organisation_id"));
  s.site_id = ParseId(form.GetOr("site_id"));
  s.publie = form.Has("publie");
  for (const directory::RefValue& criterion : directory::PasipCriteria()) {
    directory::SetCriterion(s.label, criterion.value,
                            form.Has("label." + std::string(criterion.value)));
  }
  const std::string pmr = form.GetOr("accessibilite.pmr");
  s.accessibilite.pmr = pmr == "oui"   ? std::optional<bool>(true)
                        : pmr == "non" ? std::optional<bool>(false)
                                       : std::nullopt;
  s.accessibilite.langues.clear();
  for (const std::string& code : form.GetAll("accessibilite.langues")) {
    if (directory::IsLanguageCode(code)) s.accessibilite.langues.push_back(code);
  }
  s.accessibilite.langue_des_signes = form.Has("accessibilite.langue_des_signes");
  s.accessibilite.interpretariat = form.Has("accessibilite.interpretariat");

  // Repeated groups: rows left blank are dropped, the others renumbered from 0.
  s.arrets.clear();
  for (int i = 0; i < kMaxRows; ++i) {
    const std::string row = "arrets[" + std::to_string(i) + "].";
    if (!HasRow(form, row)) break;
    directory::ItinerantStop stop;
    stop.lieu = Trimmed(form, row + "lieu");
    stop.code_insee = Trimmed(form, row + "code_insee");
    const std::string lat = Trimmed(form, row + "latitude");
    const std::string lon = Trimmed(form, row + "longitude");
    const std::string horaires = Trimmed(form, row + "horaires");
    if (stop.lieu.empty() && stop.code_insee.empty() && lat.empty() && lon.empty() &&
        horaires.empty()) {
      continue;
    }
    const std::string to = "arrets[" + std::to_string(s.arrets.size()) + "].";
    FormErrors row_errors;
    stop.latitude = Number(form, row + "latitude", "La latitude doit être un nombre.", row_errors);
    stop.longitude =
        Number(form, row + "longitude", "La longitude doit être un nombre.", row_errors);
    if (!row_errors.empty()) {
      errors.Add(to + "latitude", "Les coordonnées de l'arrêt doivent être des nombres.");
    }
    FormErrors hours_errors;
    stop.horaires = HoursFromForm(form, row + "horaires", hours_errors);
    if (!hours_errors.empty()) errors.Add(to + "horaires", hours_errors.For(row + "horaires"));
    s.arrets.push_back(std::move(stop));
  }
  s.referents.clear();
  for (int i = 0; i < kMaxRows; ++i) {
    const std::string row = "referents[" + std::to_string(i) + "].";
    if (!HasRow(form, row)) break;
    directory::Referent r{Trimmed(form, row + "nom"), Trimmed(form, row + "fonction"),
                          Trimmed(form, row + "telephone"), Trimmed(form, row + "courriel")};
    if (r.nom.empty() && r.fonction.empty() && r.telephone.empty() && r.courriel.empty()) continue;
    s.referents.push_back(std::move(r));
  }
  s.avis.clear();
  for (int i = 0; i < kMaxRows; ++i) {
    const std::string row = "avis[" + std::to_string(i) + "].";
    if (!HasRow(form, row)) break;
    directory::Notice n{Trimmed(form, row + "debut"), Trimmed(form, row + "fin"),
                        Trimmed(form, row + "message"), form.Has(row + "fermeture")};
    if (n.debut.empty() && n.fin.empty() && n.message.empty()) continue;
    if (n.fin.empty()) n.fin = n.debut;
    s.avis.push_back(std::move(n));
  }
  return s;
}

Result<std::vector<Option>> OrganisationChoices(Services& services,
                                                const identity::Principal& who) {
  PASIP_ASSIGN_OR_RETURN(organisations, services.identity.ListOrganisations({}));
  const bool network =
      who.HasRole(identity::Role::kCoordination) || who.HasRole(identity::Role::kAdmin);
  const std::vector<identity::OrganisationId> own =
      who.OrganisationsWithRole(identity::Role::kPartenaire);
  std::vector<Option> options;
  for (const identity::Organisation& o : organisations) {
    if (network || std::find(own.begin(), own.end(), o.id) != own.end()) {
      options.push_back(OrganisationOption(o));
    }
  }
  return options;
}

Result<std::vector<Option>> SiteChoices(Services& services) {
  PASIP_ASSIGN_OR_RETURN(sites, services.identity.ListSites({}));
  std::vector<Option> options;
  for (const identity::Site& site : sites) {
    options.push_back({std::to_string(site.id), site.name});
  }
  return options;
}

Data StopRow(int index, const directory::ItinerantStop& stop, const FormErrors& errors,
             TimePoint now) {
  const std::string row = "arrets[" + std::to_string(index) + "].";
  Data d = Object();
  d.set("legend", "Arrêt " + std::to_string(index + 1));
  d.set("lieu",
        Field({.name = row + "lieu", .label = "Lieu de l'arrêt", .value = stop.lieu}, errors));
  d.set("code_insee", Field({.name = row + "code_insee",
                             .label = "Code commune INSEE",
                             .value = stop.code_insee,
                             .hint = "5 caractères, par exemple 35188."},
                            errors));
  d.set("latitude", Field({.name = row + "latitude",
                           .label = "Latitude (facultatif)",
                           .value = NumberText(stop.latitude),
                           .inputmode = "decimal"},
                          errors));
  d.set("longitude", Field({.name = row + "longitude",
                            .label = "Longitude (facultatif)",
                            .value = NumberText(stop.longitude),
                            .inputmode = "decimal"},
                           errors));
  d.set("horaires", HoursField(row + "horaires", "Jours et heures de passage", stop.horaires,
                               stop.code_insee, errors, now));
  return d;
}

Data ReferentRow(int index, const directory::Referent& r, const FormErrors& errors) {
  const std::string row = "referents[" + std::to_string(index) + "].";
  Data d = Object();
  d.set("legend", "Référent " + std::to_string(index + 1));
  d.set("nom", Field({.name = row + "nom", .label = "Nom et prénom", .value = r.nom}, errors));
  d.set("fonction",
        Field({.name = row + "fonction", .label = "Fonction", .value = r.fonction}, errors));
  d.set(
      "telephone",
      Field({.name = row + "telephone", .label = "Téléphone", .value = r.telephone, .type = "tel"},
            errors));
  d.set("courriel", Field({.name = row + "courriel",
                           .label = "Adresse e-mail",
                           .value = r.courriel,
                           .type = "email"},
                          errors));
  return d;
}

Data NoticeRow(int index, const directory::Notice& n, const FormErrors& errors) {
  const std::string row = "avis[" + std::to_string(index) + "].";
  Data d = Object();
  d.set("legend", "Avis " + std::to_string(index + 1));
  d.set("debut",
        Field({.name = row + "debut", .label = "Du", .value = n.debut, .type = "date"}, errors));
  d.set("fin", Field({.name = row + "fin",
                      .label = "Au",
                      .value = n.fin,
                      .type = "date",
                      .hint = "Laisser vide pour un seul jour."},
                     errors));
  d.set("message",
        Textarea({.name = row + "message", .label = "Message", .value = n.message}, errors, 2));
  d.set("fermeture",
        Checkbox(row + "fermeture", "Le lieu est fermé pendant cette période", n.fermeture));
  return d;
}

Response StructureForm(PageContext& c, const Request& request, int status,
                       const directory::Structure& s, const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  const TimePoint now = c.services.clock.Now();
  const bool is_new = s.id == 0;
  auto organisations = OrganisationChoices(c.services, caller.principal);
  if (!organisations) return ErrorResponse(c, request, organisations.error());
  auto sites = SiteChoices(c.services);
  if (!sites) return ErrorResponse(c, request, sites.error());
  const bool network = caller.principal.HasRole(identity::Role::kCoordination) ||
                       caller.principal.HasRole(identity::Role::kAdmin);

  Data d = Object();
  d.set("form", errors.Summary());
  d.set("is_new", is_new);
  d.set("action", is_new ? std::string("/annuaire/structures") : StructureHref(s.id) + "/modifier");
  d.set("cancel_href", is_new ? std::string("/annuaire") : StructureHref(s.id));
  d.set("nom",
        Field({.name = "nom", .label = "Nom du lieu", .value = s.nom, .required = true}, errors));
  d.set("description", Textarea({.name = "description",
                                 .label = "Présentation (facultatif)",
                                 .value = s.description.value_or(""),
                                 .hint = "Ce que le lieu propose, en quelques phrases simples."},
                                errors, 5));
  d.set("siret", Field({.name = "siret",
                        .label = "SIRET (facultatif)",
                        .value = s.siret.value_or(""),
                        .hint = "14 chiffres.",
                        .inputmode = "numeric"},
                       errors));
  const std::string organisation = s.organisation_id ? std::to_string(*s.organisation_id) : "";
  d.set("organisation", Select({.name = "organisation_id",
                                .label = network ? "Organisation (facultatif)" : "Organisation",
                                .options = *organisations,
                                .selected = {organisation},
                                .empty_label = network ? "Aucune : lieu du réseau" : "",
                                .hint = "L'organisation qui gère ce lieu.",
                                .required = !network},
                               errors));
  const std::string site = s.site_id ? std::to_string(*s.site_id) : "";
  d.set("site", Select({.name = "site_id",
                        .label = "Lieu d'accueil du réseau (facultatif)",
                        .options = *sites,
                        .selected = {site},
                        .empty_label = "Aucun",
                        .hint = "Si cette fiche décrit un lieu d'accueil déjà déclaré dans "
                                "l'administration."},
                       errors));
  d.set("publie", Checkbox("publie", "Visible du public dans la recherche", s.publie));

  d.set("adresse", Field({.name = "adresse",
                          .label = "Adresse (facultatif)",
                          .value = s.adresse.value_or(""),
                          .autocomplete = "street-address"},
                         errors));
  d.set("complement_adresse", Field({.name = "complement_adresse",
                                     .label = "Complément d'adresse (facultatif)",
                                     .value = s.complement_adresse.value_or("")},
                                    errors));
  d.set("code_postal", Field({.name = "code_postal",
                              .label = "Code postal (facultatif)",
                              .value = s.code_postal.value_or(""),
                              .autocomplete = "postal-code",
                              .inputmode = "numeric"},
                             errors));
  d.set("commune", Field({.name = "commune",
                          .label = "Commune (facultatif)",
                          .value = s.commune.value_or(""),
                          .autocomplete = "address-level2"},
                         errors));
  d.set("code_insee", Field({.name = "code_insee",
                             .label = "Code commune INSEE (facultatif)",
                             .value = s.code_insee.value_or(""),
                             .hint = "5 caractères, par exemple 35238 pour Rennes (ce n'est pas "
                                     "le code postal). Il sert à la recherche par distance et "
                                     "aux jours fériés."},
                            errors));
  d.set("latitude", Field({.name = "latitude",
                           .label = "Latitude (facultatif)",
                           .value = NumberText(s.latitude),
                           .hint = "En degrés décimaux, par exemple 48,1113.",
                           .inputmode = "decimal"},
                          errors));
  d.set("longitude", Field({.name = "longitude",
                            .label = "Longitude (facultatif)",
                            .value = NumberText(s.longitude),
                            .hint = "En degrés décimaux, par exemple -1,68.",
                            .inputmode = "decimal"},
                           errors));
  d.set("telephone", Field({.name = "telephone",
                            .label = "Téléphone (facultatif)",
                            .value = s.telephone.value_or(""),
                            .type = "tel"},
                           errors));
  d.set("courriel", Field({.name = "courriel",
                           .label = "Adresse e-mail (facultatif)",
                           .value = s.courriel.value_or(""),
                           .type = "email"},
                          errors));
  d.set("site_web", Field({.name = "site_web",
                           .label = "Site internet (facultatif)",
                           .value = s.site_web.value_or(""),
                           .type = "url",
                           .hint = "Commence par https://"},
                          errors));
  d.set("horaires",
        HoursField("horaires_accueil", "Horaires d'ouverture (facultatif)",
                   s.horaires_accueil.value_or(""), s.code_insee.value_or(""), errors, now));

  std::vector<GroupOption> criteria;
  std::vector<std::string> met;
  for (const directory::RefValue& criterion : directory::PasipCriteria()) {
    criteria.push_back({"label." + std::string(criterion.value), std::string(criterion.label)});
    if (directory::GetCriterion(s.label, criterion.value).value_or(false)) {
      met.push_back("label." + std::string(criterion.value));
    }
  }
  // Each criterion is its own field (name = value), so the group is built by hand.
  Data label = CheckboxGroup("label", "Engagements de l'accueil social inconditionnel", criteria,
                             met, errors,
                             "Cochez ce que le lieu assure. Un lieu qui les assure tous est "
                             "signalé « accueil PASIP » dans la recherche.");
  Data label_options = List();
  for (const GroupOption& option : criteria) {
    Data o = Object();
    o.set("id", FieldId(option.value));
    o.set("name", option.value);
    o.set("value", "1");
    o.set("label", option.label);
    o.set("checked", std::find(met.begin(), met.end(), option.value) != met.end());
    label_options.push_back(o);
  }
  label.set("options", label_options);
  d.set("label", label);

  const std::string pmr = s.accessibilite.pmr ? (*s.accessibilite.pmr ? "oui" : "non") : "";
  d.set("pmr", RadioGroup("accessibilite.pmr", "Accès en fauteuil roulant",
                          {{"", "Non renseigné"}, {"oui", "Oui"}, {"non", "Non"}}, pmr));
  d.set("accessibilite_lieu", Field({.name = "accessibilite_lieu",
                                     .label = "Page décrivant l'accessibilité (facultatif)",
                                     .value = s.accessibilite_lieu.value_or(""),
                                     .type = "url",
                                     .hint = "Par exemple la fiche Acceslibre du lieu."},
                                    errors));
  d.set("langue_des_signes",
        Checkbox("accessibilite.langue_des_signes", "Accueil en langue des signes française",
                 s.accessibilite.langue_des_signes));
  d.set("interpretariat", Checkbox("accessibilite.interpretariat", "Interprétariat possible",
                                   s.accessibilite.interpretariat));
  std::vector<GroupOption> languages;
  for (const directory::RefValue& v : directory::Languages()) {
    languages.push_back({std::string(v.value), std::string(v.label)});
  }
  d.set("langues", CheckboxGroup("accessibilite.langues", "Langues parlées à l'accueil", languages,
                                 s.accessibilite.langues, errors));

  Data stops = List();
  int index = 0;
  for (const directory::ItinerantStop& stop : s.arrets) {
    stops.push_back(StopRow(index++, stop, errors, now));
  }
  for (int i = 0; i < kBlankStops; ++i) stops.push_back(StopRow(index++, {}, errors, now));
  d.set("stops", stops);
  Data referents = List();
  index = 0;
  for (const directory::Referent& r : s.referents)
    referents.push_back(ReferentRow(index++, r, errors));
  for (int i = 0; i < kBlankReferents; ++i) referents.push_back(ReferentRow(index++, {}, errors));
  d.set("referents", referents);
  Data notices = List();
  index = 0;
  for (const directory::Notice& n : s.avis) notices.push_back(NoticeRow(index++, n, errors));
  for (int i = 0; i < kBlankNotices; ++i) notices.push_back(NoticeRow(index++, {}, errors));
  d.set("notices", notices);
  d.set("reseaux",
        CheckboxGroup("reseaux_porteurs", "Réseaux dont le lieu fait partie",
                      ReferentielOptions(Referentiel::kReseauPorteur), s.reseaux_porteurs, errors));
  d.set("lien_source", Field({.name = "lien_source",
                              .label = "Page d'origine de ces informations (facultatif)",
                              .value = s.lien_source.value_or(""),
                              .type = "url"},
                             errors));
  const std::string title = is_new ? "Nouveau lieu dans l'annuaire" : "Modifier : " + s.nom;
  return c.renderer.Page(status, caller, {title, request.path, {}}, "structure_form", std::move(d));
}

// The structure named by {id}, if the caller may edit it (403 otherwise, 404 when absent).
Result<directory::Structure> EditableStructure(PageContext& c, const Request& request,
                                               std::string_view parameter = "id") {
  const auto id = ParseId(request.PathParam(parameter));
  if (!id) return Fail(NotFound("Cette fiche n'existe pas."));
  PASIP_ASSIGN_OR_RETURN(found, c.services.directory.store().FindStructure(*id));
  if (!found) return Fail(NotFound("Cette fiche n'existe pas."));
  if (!c.services.directory.CanEdit(CallerOf(request).principal, *found)) {
    return Fail(PermissionDenied("Vous ne pouvez pas modifier la fiche de ce lieu."));
  }
  return std::move(*found);
}

// The answer to a refused save: on the form when it is about the input, else an error page.
template <typename Render>
Response Refused(PageContext& c, const Request& request, const Error& error,
                 const std::set<std::string>& groups, FormErrors errors, Render render) {
  if (!IsFormError(error)) return ErrorResponse(c, request, error);
  errors.Add(OnFormField(error, groups));
  return render(FormErrorStatus(error), errors);
}

Response StructureNew(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  directory::Structure s;
  const std::vector<identity::OrganisationId> own =
      caller.principal.OrganisationsWithRole(identity::Role::kPartenaire);
  if (!own.empty() && !caller.principal.HasRole(identity::Role::kCoordination) &&
      !caller.principal.HasRole(identity::Role::kAdmin)) {
    s.organisation_id = own.front();
  }
  return StructureForm(c, request, 200, s, {});
}

Response StructureCreate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  FormErrors errors;
  directory::Structure s = StructureFromForm(*form, {}, errors);
  const bool network = caller.principal.HasRole(identity::Role::kCoordination) ||
                       caller.principal.HasRole(identity::Role::kAdmin);
  if (!network && !s.organisation_id) {
    errors.Add("organisation_id", "Choisissez l'organisation qui gère ce lieu.");
  }
  if (!errors.empty()) return StructureForm(c, request, 422, s, errors);
  auto created = c.services.directory.CreateStructure(s, caller.principal, caller.audit);
  if (!created) {
    return Refused(c, request, created.error(), StructureGroups(), errors,
                   [&](int status, const FormErrors& all) {
                     return StructureForm(c, request, status, s, all);
                   });
  }
  return Response::Redirect(StructureHref(created->id) + "?fait=cree");
}

Response StructureEdit(PageContext& c, Request& request) {
  auto s = EditableStructure(c, request);
  if (!s) return ErrorResponse(c, request, s.error());
  return StructureForm(c, request, 200, *s, {});
}

Response StructureUpdate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto existing = EditableStructure(c, request);
  if (!existing) return ErrorResponse(c, request, existing.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  FormErrors errors;
  directory::Structure s = StructureFromForm(*form, *existing, errors);
  if (!errors.empty()) return StructureForm(c, request, 422, s, errors);
  auto updated = c.services.directory.UpdateStructure(s, caller.principal, caller.audit);
  if (!updated) {
    return Refused(c, request, updated.error(), StructureGroups(), errors,
                   [&](int status, const FormErrors& all) {
                     return StructureForm(c, request, status, s, all);
                   });
  }
  return Response::Redirect(StructureHref(s.id) + "?fait=enregistre");
}

// ---- Services ----

const std::set<std::string>& ServiceGroups() {
  static const std::set<std::string> groups = {"thematiques",     "publics",
                                               "modes_accueil",   "modes_mobilisation",
                                               "mobilisable_par", "zone_eligibilite"};
  return groups;
}

directory::Service ServiceFromForm(const http::FormData& form, directory::Service s,
                                   FormErrors& errors) {
  s.nom = Trimmed(form, "nom");
  s.description = Trimmed(form, "description");
  s.type = Optional(form, "type");
  s.frais = Optional(form, "frais");
  s.frais_precisions = Optional(form, "frais_precisions");
  s.publics_precisions = Optional(form, "publics_precisions");
  s.conditions_acces = Optional(form, "conditions_acces");
  s.adresse = Optional(form, "adresse");
  s.complement_adresse = Optional(form, "complement_adresse");
  s.code_postal = Optional(form, "code_postal");
  s.commune = Optional(form, "commune");
  s.code_insee = Optional(form, "code_insee");
  if (s.code_insee) {
    for (char& ch : *s.code_insee) ch = static_cast<char>(std::toupper(ch));
  }
  s.telephone = Optional(form, "telephone");
  s.courriel = Optional(form, "courriel");
  s.contact_nom_prenom = Optional(form, "contact_nom_prenom");
  s.lien_mobilisation = Optional(form, "lien_mobilisation");
  s.lien_source = Optional(form, "lien_source");
  s.mobilisation_precisions = Optional(form, "mobilisation_precisions");
  const std::string hours = HoursFromForm(form, "horaires_accueil", errors);
  s.horaires_accueil = hours.empty() ? std::nullopt : std::optional<std::string>(hours);
  s.latitude =
      Number(form, "latitude", "La latitude doit être un nombre, par exemple 48,1113.", errors);
  s.longitude =
      Number(form, "longitude", "La longitude doit être un nombre, par exemple -1,68.", errors);
  s.volume_horaire_hebdomadaire =
      Number(form, "volume_horaire_hebdomadaire",
             "Le volume horaire doit être un nombre d'heures, par exemple 3,5.", errors);
  const std::string weeks = Trimmed(form, "nombre_semaines");
  s.nombre_semaines.reset();
  if (!weeks.empty()) {
    if (auto n = ParseId(weeks)) {
      s.nombre_semaines = *n;
    } else {
      errors.Add("nombre_semaines",
                 "Le nombre de semaines doit être un nombre entier, par "
                 "exemple 12.");
    }
  }
  s.thematiques = Chosen(form, "thematiques", Referentiel::kThematique);
  s.publics = Chosen(form, "publics", Referentiel::kPublic);
  s.modes_accueil = Chosen(form, "modes_accueil", Referentiel::kModeAccueil);
  s.modes_mobilisation = Chosen(form, "modes_mobilisation", Referentiel::kModeMobilisation);
  s.mobilisable_par = Chosen(form, "mobilisable_par", Referentiel::kPersonneMobilisatrice);
  s.zone_eligibilite.clear();
  std::string zones = Trimmed(form, "zone_eligibilite");
  std::replace(zones.begin(), zones.end(), ',', ' ');
  std::replace(zones.begin(), zones.end(), ';', ' ');
  for (const std::string& part : text::Split(zones, ' ')) {
    std::string code(text::Trim(part));
    if (code.empty()) continue;
    if (text::AsciiLower(code) == "france") code = "france";
    for (char& ch : code) {
      if (code != "france") ch = static_cast<char>(std::toupper(ch));
    }
    s.zone_eligibilite.push_back(code);
  }
  s.contacts_publics = form.Has("contacts_publics");
  s.publie = form.Has("publie");
  s.permanences.clear();
  for (int i = 0; i < kMaxRows; ++i) {
    const std::string row = "permanences[" + std::to_string(i) + "].";
    if (!HasRow(form, row)) break;
    const std::string host = Trimmed(form, row + "host_structure_id");
    const std::string horaires = Trimmed(form, row + "horaires");
    const std::string precisions = Trimmed(form, row + "precisions");
    if (host.empty() && horaires.empty() && precisions.empty()) continue;
    const std::string to = "permanences[" + std::to_string(s.permanences.size()) + "].";
    directory::Permanence p;
    if (auto id = ParseId(host)) {
      p.host_structure_id = *id;
    } else {
      errors.Add(to + "host_structure_id",
                 "Indiquez le numéro de la fiche du lieu qui accueille la permanence.");
    }
    FormErrors hours_errors;
    p.horaires = HoursFromForm(form, row + "horaires", hours_errors);
    if (!hours_errors.empty()) errors.Add(to + "horaires", hours_errors.For(row + "horaires"));
    p.precisions = precisions;
    s.permanences.push_back(std::move(p));
  }
  return s;
}

Data PermanenceRow(PageContext& c, int index, const directory::Permanence& p,
                   const FormErrors& errors, TimePoint now) {
  const std::string row = "permanences[" + std::to_string(index) + "].";
  std::string hint =
      "Le numéro à la fin de l'adresse de la fiche du lieu, par exemple 12 pour "
      "/annuaire/structures/12.";
  std::string host_commune;
  if (p.host_structure_id > 0) {
    auto host = c.services.directory.store().FindStructure(p.host_structure_id);
    if (host && *host) {
      hint = "Actuellement : " + (*host)->nom + ".";
      host_commune = (*host)->code_insee.value_or("");
    }
  }
  Data d = Object();
  d.set("legend", "Permanence " + std::to_string(index + 1));
  d.set("host", Field({.name = row + "host_structure_id",
                       .label = "Numéro de la fiche du lieu qui l'accueille",
                       .value = p.host_structure_id > 0 ? std::to_string(p.host_structure_id)
                                                        : std::string(),
                       .hint = hint,
                       .inputmode = "numeric"},
                      errors));
  d.set("horaires", HoursField(row + "horaires", "Jours et heures de la permanence", p.horaires,
                               host_commune, errors, now));
  d.set("precisions", Field({.name = row + "precisions",
                             .label = "Précisions (facultatif)",
                             .value = p.precisions,
                             .hint = "Par exemple : sur rendez-vous auprès du CCAS."},
                            errors));
  return d;
}

Response ServiceForm(PageContext& c, const Request& request, int status,
                     const directory::Structure& structure, const directory::Service& s,
                     const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  const TimePoint now = c.services.clock.Now();
  const bool is_new = s.id == 0;
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("is_new", is_new);
  d.set("structure_name", structure.nom);
  d.set("structure_href", StructureHref(structure.id));
  d.set("action", is_new ? StructureHref(structure.id) + "/services"
                         : "/annuaire/services/" + std::to_string(s.id) + "/modifier");
  d.set("delete_href", "/annuaire/services/" + std::to_string(s.id) + "/supprimer");
  d.set("nom", Field({.name = "nom", .label = "Nom du service", .value = s.nom, .required = true},
                     errors));
  d.set("description", Textarea({.name = "description",
                                 .label = "Description",
                                 .value = s.description,
                                 .hint = "Ce que le service apporte, en phrases simples.",
                                 .required = true},
                                errors, 5));
  d.set("type", Select({.name = "type",
                        .label = "Type de service (facultatif)",
                        .options = SelectOptions(Referentiel::kTypeService),
                        .selected = {s.type.value_or("")},
                        .empty_label = "Non précisé"},
                       errors));
  d.set("thematiques", ThemeGroups(s.thematiques, errors));
  d.set("publics", CheckboxGroup("publics", "Publics", ReferentielOptions(Referentiel::kPublic),
                                 s.publics, errors));
  d.set("publics_precisions", Field({.name = "publics_precisions",
                                     .label = "Précisions sur les publics (facultatif)",
                                     .value = s.publics_precisions.value_or("")},
                                    errors));
  d.set("conditions_acces", Textarea({.name = "conditions_acces",
                                      .label = "Conditions d'accès (facultatif)",
                                      .value = s.conditions_acces.value_or("")},
                                     errors, 3));
  d.set("frais", Select({.name = "frais",
                         .label = "Frais (facultatif)",
                         .options = SelectOptions(Referentiel::kFrais),
                         .selected = {s.frais.value_or("")},
                         .empty_label = "Non précisé"},
                        errors));
  d.set("frais_precisions", Field({.name = "frais_precisions",
                                   .label = "Précisions sur les frais (facultatif)",
                                   .value = s.frais_precisions.value_or("")},
                                  errors));
  d.set("modes_accueil",
        CheckboxGroup("modes_accueil", "Modes d'accueil",
                      ReferentielOptions(Referentiel::kModeAccueil), s.modes_accueil, errors));
  d.set("modes_mobilisation", CheckboxGroup("modes_mobilisation", "Comment mobiliser le service",
                                            ReferentielOptions(Referentiel::kModeMobilisation),
                                            s.modes_mobilisation, errors));
  d.set("mobilisable_par", CheckboxGroup("mobilisable_par", "Qui peut le mobiliser",
                                         ReferentielOptions(Referentiel::kPersonneMobilisatrice),
                                         s.mobilisable_par, errors));
  d.set("lien_mobilisation", Field({.name = "lien_mobilisation",
                                    .label = "Lien pour mobiliser le service (facultatif)",
                                    .value = s.lien_mobilisation.value_or(""),
                                    .type = "url"},
                                   errors));
  d.set("mobilisation_precisions", Textarea({.name = "mobilisation_precisions",
                                             .label = "Précisions pour le mobiliser (facultatif)",
                                             .value = s.mobilisation_precisions.value_or("")},
                                            errors, 3));
  d.set("horaires",
        HoursField("horaires_accueil", "Horaires du service (facultatif)",
                   s.horaires_accueil.value_or(""),
                   s.code_insee.value_or(structure.code_insee.value_or("")), errors, now));
  d.set("adresse", Field({.name = "adresse",
                          .label = "Adresse, si différente du lieu (facultatif)",
                          .value = s.adresse.value_or("")},
                         errors));
  d.set("complement_adresse", Field({.name = "complement_adresse",
                                     .label = "Complément d'adresse (facultatif)",
                                     .value = s.complement_adresse.value_or("")},
                                    errors));
  d.set("code_postal", Field({.name = "code_postal",
                              .label = "Code postal (facultatif)",
                              .value = s.code_postal.value_or(""),
                              .inputmode = "numeric"},
                             errors));
  d.set("commune",
        Field({.name = "commune", .label = "Commune (facultatif)", .value = s.commune.value_or("")},
              errors));
  d.set("code_insee", Field({.name = "code_insee",
                             .label = "Code commune INSEE (facultatif)",
                             .value = s.code_insee.value_or(""),
                             .hint = "5 caractères, par exemple 35238 pour Rennes."},
                            errors));
  d.set("latitude", Field({.name = "latitude",
                           .label = "Latitude (facultatif)",
                           .value = NumberText(s.latitude),
                           .inputmode = "decimal"},
                          errors));
  d.set("longitude", Field({.name = "longitude",
                            .label = "Longitude (facultatif)",
                            .value = NumberText(s.longitude),
                            .inputmode = "decimal"},
                           errors));
  d.set("telephone", Field({.name = "telephone",
                            .label = "Téléphone (facultatif)",
                            .value = s.telephone.value_or(""),
                            .type = "tel"},
                           errors));
  d.set("courriel", Field({.name = "courriel",
                           .label = "Adresse e-mail (facultatif)",
                           .value = s.courriel.value_or(""),
                           .type = "email"},
                          errors));
  d.set("contact_nom_prenom", Field({.name = "contact_nom_prenom",
                                     .label = "Personne à contacter (facultatif)",
                                     .value = s.contact_nom_prenom.value_or("")},
                                    errors));
  d.set("contacts_publics",
        Checkbox("contacts_publics", "Montrer ces contacts au public", s.contacts_publics));
  std::string zones;
  for (const std::string& z : s.zone_eligibilite) zones += (zones.empty() ? "" : " ") + z;
  d.set("zone_eligibilite",
        Field({.name = "zone_eligibilite",
               .label = "Zone d'éligibilité (facultatif)",
               .value = zones,
               .hint = "Codes INSEE de communes (35238), de départements (35), d'EPCI (9 "
                       "chiffres), ou « france », séparés par des espaces."},
              errors));
  d.set("nombre_semaines",
        Field({.name = "nombre_semaines",
               .label = "Durée en semaines (facultatif)",
               .value = s.nombre_semaines ? std::to_string(*s.nombre_semaines) : std::string(),
               .inputmode = "numeric"},
              errors));
  d.set("volume_horaire_hebdomadaire", Field({.name = "volume_horaire_hebdomadaire",
                                              .label = "Heures par semaine (facultatif)",
                                              .value = NumberText(s.volume_horaire_hebdomadaire),
                                              .inputmode = "decimal"},
                                             errors));
  d.set("lien_source", Field({.name = "lien_source",
                              .label = "Page d'origine de ces informations (facultatif)",
                              .value = s.lien_source.value_or(""),
                              .type = "url"},
                             errors));
  Data permanences = List();
  int index = 0;
  for (const directory::Permanence& p : s.permanences) {
    permanences.push_back(PermanenceRow(c, index++, p, errors, now));
  }
  for (int i = 0; i < kBlankPermanences; ++i) {
    permanences.push_back(PermanenceRow(c, index++, {}, errors, now));
  }
  d.set("permanences", permanences);
  d.set("publie", Checkbox("publie", "Visible du public", s.publie));
  const std::string title = is_new ? "Nouveau service : " + structure.nom : "Modifier : " + s.nom;
  return c.renderer.Page(status, caller, {title, request.path, {}}, "service_form", std::move(d));
}

Result<directory::Service> FindService(PageContext& c, const Request& request) {
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return Fail(NotFound("Ce service n'existe pas."));
  PASIP_ASSIGN_OR_RETURN(found, c.services.directory.store().FindService(*id));
  if (!found) return Fail(NotFound("Ce service n'existe pas."));
  return std::move(*found);
}

// The service named by {id} and its structure, if the caller may edit it.
Result<std::pair<directory::Structure, directory::Service>> EditableService(
    PageContext& c, const Request& request) {
  PASIP_ASSIGN_OR_RETURN(service, FindService(c, request));
  PASIP_ASSIGN_OR_RETURN(structure,
                         c.services.directory.store().FindStructure(service.structure_id));
  if (!structure) return Fail(NotFound("Ce service n'existe pas."));
  if (!c.services.directory.CanEdit(CallerOf(request).principal, *structure)) {
    return Fail(PermissionDenied("Vous ne pouvez pas modifier les services de ce lieu."));
  }
  return std::make_pair(std::move(*structure), std::move(service));
}

Response ServiceNew(PageContext& c, Request& request) {
  auto structure = EditableStructure(c, request);
  if (!structure) return ErrorResponse(c, request, structure.error());
  directory::Service s;
  s.structure_id = structure->id;
  s.modes_accueil = {"en-presentiel"};
  return ServiceForm(c, request, 200, *structure, s, {});
}

Response ServiceCreate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto structure = EditableStructure(c, request);
  if (!structure) return ErrorResponse(c, request, structure.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  FormErrors errors;
  directory::Service s;
  s.structure_id = structure->id;
  s = ServiceFromForm(*form, s, errors);
  if (!errors.empty()) return ServiceForm(c, request, 422, *structure, s, errors);
  auto created = c.services.directory.CreateService(s, caller.principal, caller.audit);
  if (!created) {
    return Refused(c, request, created.error(), ServiceGroups(), errors,
                   [&](int status, const FormErrors& all) {
                     return ServiceForm(c, request, status, *structure, s, all);
                   });
  }
  return Response::Redirect(StructureHref(structure->id) + "?fait=service-cree#service-" +
                            std::to_string(created->id));
}

Response ServiceEdit(PageContext& c, Request& request) {
  auto found = EditableService(c, request);
  if (!found) return ErrorResponse(c, request, found.error());
  return ServiceForm(c, request, 200, found->first, found->second, {});
}

Response ServiceUpdate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto found = EditableService(c, request);
  if (!found) return ErrorResponse(c, request, found.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  const directory::Structure& structure = found->first;
  FormErrors errors;
  directory::Service s = ServiceFromForm(*form, found->second, errors);
  if (!errors.empty()) return ServiceForm(c, request, 422, structure, s, errors);
  auto updated = c.services.directory.UpdateService(s, caller.principal, caller.audit);
  if (!updated) {
    return Refused(c, request, updated.error(), ServiceGroups(), errors,
                   [&](int status, const FormErrors& all) {
                     return ServiceForm(c, request, status, structure, s, all);
                   });
  }
  return Response::Redirect(StructureHref(structure.id) + "?fait=enregistre#service-" +
                            std::to_string(s.id));
}

Response ServiceDeleteConfirm(PageContext& c, Request& request) {
  auto found = EditableService(c, request);
  if (!found) return ErrorResponse(c, request, found.error());
  Data d = Object();
  d.set("service", found->second.nom);
  d.set("structure", found->first.nom);
  d.set("structure_href", StructureHref(found->first.id));
  d.set("action", "/annuaire/services/" + std::to_string(found->second.id) + "/supprimer");
  return c.renderer.Page(200, CallerOf(request),
                         {"Supprimer le service « " + found->second.nom + " » ?", request.path, {}},
                         "service_delete", std::move(d));
}

Response ServiceDelete(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto found = EditableService(c, request);
  if (!found) return ErrorResponse(c, request, found.error());
  auto deleted =
      c.services.directory.DeleteService(found->second.id, caller.principal, caller.audit);
  if (!deleted) return ErrorResponse(c, request, deleted.error());
  return Response::Redirect(StructureHref(found->first.id) + "?fait=service-supprime");
}

// ---- À mettre à jour ----

Response ToUpdate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto items = c.services.directory.ToUpdate(caller.principal, kToUpdateLimit);
  if (!items) return ErrorResponse(c, request, items.error());
  Data d = Object();
  Data list = List();
  for (const directory::ToUpdateItem& item : *items) {
    Data row = Object();
    row.set("name", item.structure.nom);
    row.set("href", StructureHref(item.structure.id));
    row.set("edit_href", StructureHref(item.structure.id) + "/modifier");
    row.set("score", std::to_string(static_cast<int>(std::lround(item.freshness.score * 100))));
    row.set("date", FormatDateFr(item.structure.date_maj));
    const std::int64_t days = item.freshness.age_days;
    row.set("age", days <= 0   ? std::string("aujourd'hui")
                   : days == 1 ? std::string("il y a 1 jour")
                               : "il y a " + std::to_string(days) + " jours");
    Data missing = List();
    for (const std::string& m : item.freshness.manques) missing.push_back(Text(m));
    row.set("has_missing", !item.freshness.manques.empty());
    row.set("missing", missing);
    row.set("unpublished", !item.structure.publie);
    list.push_back(row);
  }
  d.set("items", list);
  d.set("empty", items->empty());
  d.set("count", std::to_string(items->size()));
  d.set("plural", items->size() > 1);
  return c.renderer.Page(200, caller, {"Fiches à mettre à jour", request.path, {}}, "to_update",
                         std::move(d));
}

}  // namespace

void RegisterDirectoryFormPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  constexpr char kWrite[] = "directory.write";
  router.Add(Method::kGet, "/annuaire/structures/nouvelle", RouteKind::kPage, kWrite,
             Bind(context, StructureNew));
  router.Add(Method::kPost, "/annuaire/structures", RouteKind::kPage, kWrite,
             Bind(context, StructureCreate));
  router.Add(Method::kGet, "/annuaire/structures/{id}/modifier", RouteKind::kPage, kWrite,
             Bind(context, StructureEdit));
  router.Add(Method::kPost, "/annuaire/structures/{id}/modifier", RouteKind::kPage, kWrite,
             Bind(context, StructureUpdate));
  router.Add(Method::kGet, "/annuaire/structures/{id}/services/nouveau", RouteKind::kPage, kWrite,
             Bind(context, ServiceNew));
  router.Add(Method::kPost, "/annuaire/structures/{id}/services", RouteKind::kPage, kWrite,
             Bind(context, ServiceCreate));
  router.Add(Method::kGet, "/annuaire/services/{id}/modifier", RouteKind::kPage, kWrite,
             Bind(context, ServiceEdit));
  router.Add(Method::kPost, "/annuaire/services/{id}/modifier", RouteKind::kPage, kWrite,
             Bind(context, ServiceUpdate));
  router.Add(Method::kGet, "/annuaire/services/{id}/supprimer", RouteKind::kPage, kWrite,
             Bind(context, ServiceDeleteConfirm));
  router.Add(Method::kPost, "/annuaire/services/{id}/supprimer", RouteKind::kPage, kWrite,
             Bind(context, ServiceDelete));
  router.Add(Method::kGet, kHoursCheckPath, RouteKind::kPage, kWrite, Bind(context, HoursCheck));
  router.Add(Method::kGet, "/annuaire/a-mettre-a-jour", RouteKind::kPage, kWrite,
             Bind(context, ToUpdate));
}

}  // namespace pasip::web
