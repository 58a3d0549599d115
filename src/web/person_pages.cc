// Person files (premier accueil "neutre mais pas anonyme"): the search, the creation and
// edition of a file with the duplicate proposal, the file itself (sharing status first,
// identity, household, timeline of passages, notes by visibility, consents), the merge of two
// files, the printable right-of-access export, and the administrators' retention page.
//
// Access is the domain's answer (ReceptionService checks need-to-know and audits every read
// and write); a file the caller may not see is the 404 page. Names never go into URLs
// (security.md S11): searches are posted forms, and the links carry file numbers only.
#include <algorithm>
#include <charconv>
#include <map>

#include "core/french.h"
#include "core/text.h"
#include "domain/directory/model.h"
#include "domain/reception/reception.h"
#include "web/directory_format.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

using reception::Person;
using reception::PersonId;

constexpr int kBlankHouseholdRows = 2;
constexpr int kMinHouseholdRows = 3;
constexpr int kMaxHouseholdRows = 30;
constexpr int kSearchLimit = 30;
constexpr int kPurgeLogLimit = 100;
constexpr std::size_t kMaxCommuneText = 100;

// Confirmations after a redirect, named by `fait` (no personal data in URLs).
struct PersonNotice {
  std::string_view code;
  std::string_view message;
};
constexpr PersonNotice kPersonNotices[] = {
    {"dossier-cree", "C'est enregistré : le dossier a été créé."},
    {"note", "La note a été ajoutée au dossier."},
    {"partage", "L'information sur le partage a été enregistrée."},
    {"fusion", "Les deux dossiers ont été fusionnés : leurs historiques sont réunis ici."},
    {"conservation", "La durée de conservation a été enregistrée."},
};

std::string NoticeOf(const Request& request) {
  const std::string code = request.query.GetOr("fait");
  for (const PersonNotice& n : kPersonNotices) {
    if (n.code == code) return std::string(n.message);
  }
  return NoticeFromQuery(request);
}

std::string PersonHref(PersonId id) { return "/personnes/" + std::to_string(id); }

std::string Trimmed(const http::FormData& form, std::string_view name) {
  return std::string(text::Trim(form.GetOr(name)));
}

Data Strings(const std::vector<std::string>& values) {
  Data list = List();
  for (const std::string& v : values) list.push_back(Text(v));
  return list;
}

std::string Join(const std::vector<std::string>& values, std::string_view separator = ", ") {
  std::string out;
  for (const std::string& v : values) {
    if (v.empty()) continue;
    if (!out.empty()) out += separator;
    out += v;
  }
  return out;
}

void SetText(Data& d, const std::string& key, const std::string& value) {
  d.set("has_" + key, !value.empty());
  d.set(key, value);
}

std::vector<Option> ChoiceOptions(std::span<const reception::Choice> choices) {
  std::vector<Option> out;
  for (const reception::Choice& c : choices) {
    out.push_back({std::string(c.code), std::string(c.label)});
  }
  return out;
}

std::string LanguageLabel(std::string_view code) {
  for (const directory::RefValue& v : directory::Languages()) {
    if (v.value == code) return std::string(v.label);
  }
  return std::string(code);
}

const FormErrors kNoErrors;

// A field whose id and errors use one name and which is sent under another (several forms
// on one page with the same field names).
Data Renamed(Data field, const std::string& name) {
  field.set("name", name);
  return field;
}

Data Textarea(const FieldSpec& spec, const FormErrors& errors, int rows) {
  Data d = Field(spec, errors);
  d.set("rows", std::to_string(rows));
  return d;
}

// ---- Dates ----

// A date typed as "AAAA-MM-JJ" (date inputs) or "JJ/MM/AAAA" (French habit), as
// "YYYY-MM-DD"; nullopt when it is not a real date.
std::optional<std::string> ParseDate(std::string_view typed) {
  typed = text::Trim(typed);
  std::string iso;
  if (typed.size() == 10 && typed[2] == '/' && typed[5] == '/') {
    iso = std::string(typed.substr(6, 4)) + "-" + std::string(typed.substr(3, 2)) + "-" +
          std::string(typed.substr(0, 2));
  } else if (typed.size() == 10 && typed[4] == '-' && typed[7] == '-') {
    iso = std::string(typed);
  } else {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < iso.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (iso[i] < '0' || iso[i] > '9') return std::nullopt;
  }
  const auto t = ParseIso(iso);
  // ParseIso normalises impossible days ("1980-02-30"): the round trip must give the same day.
  if (!t || FormatIsoUtc(*t).substr(0, 10) != iso) return std::nullopt;
  return iso;
}

// A birth date field: empty, or a real date not after today; `errors` gets a French message.
std::string BirthDate(std::string_view typed, const std::string& field, TimePoint now,
                      FormErrors& errors) {
  const std::string text(text::Trim(typed));
  if (text.empty()) return {};
  const auto date = ParseDate(text);
  if (!date) {
    errors.Add(field, "La date de naissance doit être une vraie date, par exemple 14/07/1980.");
    return text;
  }
  if (*date > ParisDate(now)) {
    errors.Add(field, "La date de naissance ne peut pas être dans le futur.");
    return text;
  }
  return *date;
}

// "14 juillet 1980", or the text itself when it is not a date.
std::string DateFr(const std::string& iso) { return iso.empty() ? iso : FormatDateFr(iso); }

// "14/07/1980" for the form.
std::string DateForForm(const std::string& iso) {
  if (ParseDate(iso) && iso[4] == '-') {
    return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4);
  }
  return iso;
}

// ---- Names of users, sites, organisations and communes, looked up once per page ----

class Names {
 public:
  explicit Names(Services& services) : services_(services) {}

  std::string User(identity::UserId id) {
    if (id == 0) return "Système";
    return Cached(users_, id, [&] {
      auto found = services_.identity.FindUser(id);
      return found && *found ? (*found)->display_name : "Compte n° " + std::to_string(id);
    });
  }
  std::string Site(identity::SiteId id) {
    return Cached(sites_, id, [&] {
      auto found = services_.identity.FindSite(id);
      return found && *found ? (*found)->name : "Lieu n° " + std::to_string(id);
    });
  }
  std::string Organisation(identity::OrganisationId id) {
    return Cached(organisations_, id, [&] {
      auto found = services_.identity.FindOrganisation(id);
      return found && *found ? (*found)->name : "Organisation n° " + std::to_string(id);
    });
  }
  // "Rennes (35238)", or the code when unknown.
  std::string Commune(const std::string& code) {
    if (code.empty()) return {};
    return Cached(communes_, code, [&] {
      auto found = services_.territory.FindCommune(code);
      return found && *found ? (*found)->name + " (" + code + ")" : code;
    });
  }

 private:
  // The name under `key`, computed by `look_up` the first time only.
  template <typename Key, typename LookUp>
  static std::string Cached(std::map<Key, std::string>& cache, const Key& key, LookUp look_up) {
    auto [it, inserted] = cache.try_emplace(key);
    if (inserted) it->second = look_up();
    return it->second;
  }

  Services& services_;
  std::map<identity::UserId, std::string> users_;
  std::map<identity::SiteId, std::string> sites_;
  std::map<identity::OrganisationId, std::string> organisations_;
  std::map<std::string, std::string> communes_;
};

// What was typed in the commune field ("Rennes", "Rennes (35238)", "35238", "35000") as an
// INSEE code. Empty text gives an empty code; anything not naming exactly one commune is an
// error on the field.
std::string CommuneCode(Services& services, std::string_view typed, FormErrors& errors) {
  std::string name(text::Trim(typed));
  if (name.empty()) return {};
  if (name.size() > kMaxCommuneText) {
    errors.Add("commune", "Le nom de la commune est trop long.");
    return {};
  }
  std::string hint;  // in parentheses: an INSEE code, a postcode or a département
  if (const std::size_t open = name.rfind('('); open != std::string::npos && name.back() == ')') {
    hint = std::string(text::Trim(std::string_view(name).substr(open + 1, name.size() - open - 2)));
    name = std::string(text::Trim(std::string_view(name).substr(0, open)));
  }
  auto candidates = services.territory.SearchCommunes(name, 60);
  if (!candidates) {
    errors.Add("commune", "La liste des communes est indisponible : réessayez plus tard.");
    return {};
  }
  // Five characters may also be an INSEE code ("35238", "2A004").
  if (name.size() == 5) {
    std::string code = name;
    for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto found = services.territory.FindCommune(code);
    if (found && *found &&
        std::none_of(candidates->begin(), candidates->end(),
                     [&](const territory::Commune& c) { return c.code == code; })) {
      candidates->push_back(std::move(**found));
    }
  }
  const std::string folded = text::FoldForPrefix(name);
  std::vector<const territory::Commune*> exact;
  for (const territory::Commune& c : *candidates) {
    const bool postcode =
        std::find(c.codes_postaux.begin(), c.codes_postaux.end(), name) != c.codes_postaux.end();
    bool match = postcode || c.code == name || text::FoldForPrefix(c.name) == folded;
    if (match && !hint.empty()) {
      match =
          c.code == hint || c.departement == hint ||
          std::find(c.codes_postaux.begin(), c.codes_postaux.end(), hint) != c.codes_postaux.end();
    }
    if (match) exact.push_back(&c);
  }
  if (exact.size() == 1) return exact.front()->code;
  if (exact.empty() && candidates->size() == 1) return candidates->front().code;
  errors.Add("commune", exact.size() > 1
                            ? "Plusieurs communes portent ce nom : ajoutez le code postal, par "
                              "exemple « Saint-Jacques (35136) »."
                            : "Commune introuvable : vérifiez l'orthographe ou indiquez le code "
                              "postal.");
  return {};
}

// ---- Reading the identity form ----

bool HasRow(const http::FormData& form, const std::string& prefix) {
  return std::any_of(form.pairs().begin(), form.pairs().end(),
                     [&](const auto& pair) { return pair.first.starts_with(prefix); });
}

// The form's fields on top of `p` (an existing file keeps its id and dates). Household rows
// left blank are dropped and the others renumbered from 0, so that the errors name the rows
// as they are shown again. `commune_typed` gets the commune as typed, to show it back.
Person PersonFromForm(Services& services, const http::FormData& form, Person p,
                      std::string& commune_typed, FormErrors& errors) {
  const TimePoint now = services.clock.Now();
  p.nom_affiche = Trimmed(form, "nom_affiche");
  if (p.nom_affiche.empty()) {
    errors.Add("nom_affiche", "Indiquez le nom affiché : un nom ou un pseudonyme.");
  }
  p.nom_naissance = Trimmed(form, "nom_naissance");
  p.nom_usage = Trimmed(form, "nom_usage");
  p.prenoms = Trimmed(form, "prenoms");
  p.date_naissance = BirthDate(form.GetOr("date_naissance"), "date_naissance", now, errors);
  p.sexe = Trimmed(form, "sexe");
  if (!p.sexe.empty() && !reception::IsChoice(reception::Sexes(), p.sexe)) {
    errors.Add("sexe", "Choisissez le sexe dans la liste.");
    p.sexe.clear();
  }
  p.nationalite = Trimmed(form, "nationalite");
  if (!p.nationalite.empty() && !reception::IsChoice(reception::Nationalites(), p.nationalite)) {
    errors.Add("nationalite", "Choisissez la nationalité dans la liste.");
    p.nationalite.clear();
  }
  p.telephone = Trimmed(form, "telephone");
  p.courriel = Trimmed(form, "courriel");
  if (!p.courriel.empty() && !text::LooksLikeEmail(p.courriel)) {
    errors.Add("courriel", "L'adresse e-mail doit être de la forme nom@exemple.fr.");
  }
  p.adresse = Trimmed(form, "adresse");
  commune_typed = Trimmed(form, "commune");
  p.commune_code = CommuneCode(services, commune_typed, errors);
  p.langues.clear();
  for (const std::string& code : form.GetAll("langues")) {
    if (directory::IsLanguageCode(code) &&
        std::find(p.langues.begin(), p.langues.end(), code) == p.langues.end()) {
      p.langues.push_back(code);
    }
  }
  p.besoins_accessibilite = Trimmed(form, "besoins_accessibilite");
  const std::string referent = Trimmed(form, "referent_id");
  p.referent_id.reset();
  if (!referent.empty()) {
    p.referent_id = ParseId(referent);
    if (!p.referent_id) errors.Add("referent_id", "Choisissez le référent dans la liste.");
  }

  p.foyer.clear();
  for (int i = 0; i < kMaxHouseholdRows; ++i) {
    const std::string row = "foyer[" + std::to_string(i) + "].";
    if (!HasRow(form, row)) break;
    reception::HouseholdMember m;
    m.relation = Trimmed(form, row + "relation");
    m.prenom = Trimmed(form, row + "prenom");
    const std::string date = Trimmed(form, row + "date_naissance");
    if (m.relation.empty() && m.prenom.empty() && date.empty()) continue;
    const std::string to = "foyer[" + std::to_string(p.foyer.size()) + "].";
    const std::string which = " (membre du foyer n° " + std::to_string(p.foyer.size() + 1) + ")";
    if (m.relation.empty()) {
      errors.Add(to + "relation", "Précisez le lien avec la personne" + which + ".");
    } else if (!reception::IsChoice(reception::Relations(), m.relation)) {
      errors.Add(to + "relation", "Choisissez le lien dans la liste" + which + ".");
      m.relation.clear();
    }
    FormErrors date_errors;
    m.date_naissance = BirthDate(date, to + "date_naissance", now, date_errors);
    if (!date_errors.empty()) {
      errors.Add(to + "date_naissance", date_errors.For(to + "date_naissance") + which);
    }
    p.foyer.push_back(std::move(m));
  }
  return p;
}

// ---- The identity form ----

// The organisations where the caller works on persons, as options.
std::vector<Option> PersonOrganisationOptions(Names& names, const identity::Principal& who) {
  std::vector<Option> out;
  for (identity::OrganisationId id : reception::PersonOrganisations(who)) {
    out.push_back({std::to_string(id), names.Organisation(id)});
  }
  return out;
}

// The active users of `organisations`, for the référent de parcours; `current` stays offered
// when it is not among them.
std::vector<Option> ReferentOptions(Services& services, Names& names,
                                    const std::vector<identity::OrganisationId>& organisations,
                                    std::optional<identity::UserId> current) {
  std::vector<Option> out;
  std::vector<identity::UserId> seen;
  for (identity::OrganisationId organisation : organisations) {
    identity::UserQuery query;
    query.organisation_id = organisation;
    query.include_disabled = false;
    auto users = services.identity.ListUsers(query);
    if (!users) continue;
    for (const identity::User& u : *users) {
      const bool member = std::any_of(
          u.memberships.begin(), u.memberships.end(),
          [&](const identity::Membership& m) { return m.organisation_id == organisation; });
      if (!member || u.disabled) continue;
      if (std::find(seen.begin(), seen.end(), u.id) != seen.end()) continue;
      seen.push_back(u.id);
      out.push_back(
          {std::to_string(u.id), organisations.size() > 1
                                     ? u.display_name + " — " + names.Organisation(organisation)
                                     : u.display_name});
    }
  }
  if (current && std::find(seen.begin(), seen.end(), *current) == seen.end()) {
    out.push_back({std::to_string(*current), names.User(*current)});
  }
  return out;
}

Data HouseholdRow(int index, const reception::HouseholdMember& m, const FormErrors& errors) {
  const std::string row = "foyer[" + std::to_string(index) + "].";
  Data d = Object();
  d.set("legend", "Membre du foyer n° " + std::to_string(index + 1));
  d.set("relation", Select({.name = row + "relation",
                            .label = "Lien avec la personne",
                            .options = ChoiceOptions(reception::Relations()),
                            .selected = {m.relation},
                            .empty_label = "Choisir…"},
                           errors));
  d.set("prenom",
        Field({.name = row + "prenom", .label = "Son prénom (facultatif)", .value = m.prenom},
              errors));
  d.set("date_naissance", Field({.name = row + "date_naissance",
                                 .label = "Sa date de naissance (facultatif)",
                                 .value = DateForForm(m.date_naissance),
                                 .hint = "Par exemple 03/09/2015."},
                                errors));
  return d;
}

// A candidate of the duplicate proposal, or of the merge page.
Data CandidateData(Names& names, const Person& p, const std::vector<std::string>& raisons) {
  Data d = Object();
  d.set("id", std::to_string(p.id));
  d.set("href", PersonHref(p.id));
  d.set("nom", p.nom_affiche);
  SetText(d, "autres_noms", Join({p.prenoms, p.nom_naissance, p.nom_usage}, " "));
  SetText(d, "date_naissance", DateFr(p.date_naissance));
  SetText(d, "commune", names.Commune(p.commune_code));
  d.set("has_raisons", !raisons.empty());
  d.set("raisons", Strings(raisons));
  return d;
}

struct PersonFormState {
  Person person;
  std::string commune_typed;
  bool has_commune_typed = false;
  std::string organisation;  // creation: the organisation chosen, as sent
  std::vector<reception::DuplicateProposal> doublons;
  // The form as sent, repeated in hidden fields by the "save anyway" button of the proposal.
  std::vector<std::pair<std::string, std::string>> sent;
};

// What the "save anyway" form sends again: every field but the token and the confirmation.
std::vector<std::pair<std::string, std::string>> Resent(const http::FormData& form) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : form.pairs()) {
    if (name == "csrf" || name == "confirmer_doublon" || name == "etape") continue;
    out.emplace_back(name, value);
  }
  return out;
}

// The creation (person.id == 0) or edition form, with the duplicate proposal when
// `state.doublons` is not empty.
Response PersonForm(PageContext& c, const Request& request, int status,
                    const PersonFormState& state, const FormErrors& errors,
                    identity::OrganisationId acting_organisation = 0) {
  const identity::Caller& caller = CallerOf(request);
  Names names(c.services);
  const Person& p = state.person;
  const bool is_new = p.id == 0;
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("is_new", is_new);
  d.set("action", is_new ? std::string("/personnes/nouveau") : PersonHref(p.id) + "/modifier");
  d.set("cancel_href", is_new ? std::string("/personnes") : PersonHref(p.id));
  d.set("submit", is_new ? "Créer le dossier" : "Enregistrer les modifications");
  d.set("confirm_label", is_new ? "Créer quand même" : "Enregistrer quand même");

  Data doublons = List();
  for (const reception::DuplicateProposal& proposal : state.doublons) {
    doublons.push_back(CandidateData(names, proposal.person, proposal.similarity.raisons));
  }
  Data hidden = List();
  for (const auto& [name, value] : state.sent) {
    Data h = Object();
    h.set("name", name);
    h.set("value", value);
    hidden.push_back(h);
  }
  d.set("resend", hidden);
  d.set("has_doublons", !state.doublons.empty());
  d.set("doublons", doublons);
  d.set("several", state.doublons.size() > 1);

  d.set("nom_affiche", Field({.name = "nom_affiche",
                              .label = "Nom affiché",
                              .value = p.nom_affiche,
                              .hint = "Le nom sous lequel la personne souhaite être appelée, ou un "
                                      "pseudonyme. C'est le seul champ obligatoire.",
                              .required = true},
                             errors));
  d.set("nom_naissance", Field({.name = "nom_naissance",
                                .label = "Nom de naissance (facultatif)",
                                .value = p.nom_naissance},
                               errors));
  d.set("nom_usage",
        Field({.name = "nom_usage", .label = "Nom d'usage (facultatif)", .value = p.nom_usage},
              errors));
  d.set("prenoms",
        Field({.name = "prenoms", .label = "Prénoms (facultatif)", .value = p.prenoms}, errors));
  d.set("date_naissance", Field({.name = "date_naissance",
                                 .label = "Date de naissance (facultatif)",
                                 .value = DateForForm(p.date_naissance),
                                 .hint = "Par exemple 14/07/1980."},
                                errors));
  d.set("sexe", Select({.name = "sexe",
                        .label = "Sexe (facultatif)",
                        .options = ChoiceOptions(reception::Sexes()),
                        .selected = {p.sexe},
                        .empty_label = "Non renseigné"},
                       errors));
  d.set("nationalite", Select({.name = "nationalite",
                               .label = "Nationalité (facultatif)",
                               .options = ChoiceOptions(reception::Nationalites()),
                               .selected = {p.nationalite},
                               .empty_label = "Non renseignée",
                               .hint = "Seulement la catégorie, pas le pays."},
                              errors));
  d.set("telephone", Field({.name = "telephone",
                            .label = "Téléphone (facultatif)",
                            .value = p.telephone,
                            .type = "tel"},
                           errors));
  d.set("courriel", Field({.name = "courriel",
                           .label = "Adresse e-mail (facultatif)",
                           .value = p.courriel,
                           .type = "email"},
                          errors));
  d.set("adresse",
        Field({.name = "adresse", .label = "Adresse (facultatif)", .value = p.adresse}, errors));
  d.set("commune", Field({.name = "commune",
                          .label = "Commune de résidence (facultatif)",
                          .value = state.has_commune_typed ? state.commune_typed
                                                           : names.Commune(p.commune_code),
                          .hint = "Le nom de la commune, son code postal ou son code INSEE."},
                         errors));

  Data langues = Object();
  {
    const std::string id = FieldId("langues");
    langues.set("id", id);
    langues.set("legend", "Langues parlées");
    langues.set("has_hint", false);
    langues.set("hint", "");
    const std::string error = errors.For("langues");
    langues.set("has_error", !error.empty());
    langues.set("error", error);
    langues.set("has_describedby", !error.empty());
    langues.set("describedby", id + "-erreur");
    Data options = List();
    for (const directory::RefValue& v : directory::Languages()) {
      Data o = Object();
      o.set("id", id + "-" + std::string(v.value));
      o.set("name", "langues");
      o.set("value", std::string(v.value));
      o.set("label", std::string(v.label));
      o.set("checked", std::find(p.langues.begin(), p.langues.end(), v.value) != p.langues.end());
      options.push_back(o);
    }
    langues.set("options", options);
    langues.set("has_selected", !p.langues.empty());
    langues.set("selected", std::to_string(p.langues.size()));
  }
  d.set("langues", langues);
  d.set("besoins_accessibilite",
        Textarea({.name = "besoins_accessibilite",
                  .label = "Besoins d'accessibilité (facultatif)",
                  .value = p.besoins_accessibilite,
                  .hint = "Par exemple : malvoyance, aide pour lire, interprète en langue des "
                          "signes."},
                 errors, 3));

  Data foyer = List();
  int index = 0;
  for (const reception::HouseholdMember& m : p.foyer)
    foyer.push_back(HouseholdRow(index++, m, errors));
  for (int i = 0; i < kBlankHouseholdRows || index < kMinHouseholdRows; ++i) {
    foyer.push_back(HouseholdRow(index++, {}, errors));
  }
  d.set("foyer", foyer);

  std::vector<identity::OrganisationId> organisations;
  if (acting_organisation != 0) {
    organisations.push_back(acting_organisation);
  } else {
    organisations = reception::PersonOrganisations(caller.principal);
  }
  d.set("referent",
        Select({.name = "referent_id",
                .label = "Référent de parcours (facultatif)",
                .options = ReferentOptions(c.services, names, organisations, p.referent_id),
                .selected = {p.referent_id ? std::to_string(*p.referent_id) : ""},
                .empty_label = "Aucun"},
               errors));
  const std::vector<Option> own = PersonOrganisationOptions(names, caller.principal);
  d.set("choose_organisation", is_new && own.size() > 1);
  d.set("organisation", Select({.name = "organisation_id",
                                .label = "Organisation qui ouvre le dossier",
                                .options = own,
                                .selected = {state.organisation},
                                .hint = "Elle suivra la personne et verra le dossier."},
                               errors));

  const std::string title =
      is_new ? std::string("Créer un dossier") : "Modifier le dossier : " + p.nom_affiche;
  return c.renderer.Page(status, caller, {title, request.path, {}}, "person_form", std::move(d));
}

// An error of the domain on the identity form: the field names are the form's.
Response PersonRefused(PageContext& c, const Request& request, const Error& error,
                       const PersonFormState& state, FormErrors errors,
                       identity::OrganisationId acting_organisation = 0) {
  return FormFailure(
      c, request, error,
      [&](int status, const FormErrors& all) {
        return PersonForm(c, request, status, state, all, acting_organisation);
      },
      std::move(errors));
}

// ---- Search ----

// Both searches (the persons page, the other file of a merge) take a name and/or a birth
// date. Reads them as typed (kept to show them again) and returns the date in ISO form,
// empty when none was given or it is not a date (then an error is added).
std::string ReadSearchTerms(const http::FormData& form, std::string& nom,
                            std::string& date_naissance, FormErrors& errors) {
  nom = Trimmed(form, "nom");
  date_naissance = Trimmed(form, "date_naissance");
  std::string date;
  if (!date_naissance.empty()) {
    const auto parsed = ParseDate(date_naissance);
    if (!parsed) {
      errors.Add("date_naissance",
                 "La date de naissance doit être une vraie date, par exemple 14/07/1980.");
    } else {
      date = *parsed;
    }
  }
  if (nom.empty() && date_naissance.empty()) {
    errors.Add("nom", "Indiquez un nom ou une date de naissance.");
  }
  return date;
}

// The birth date field of both search forms.
Data SearchDateField(const std::string& value, const FormErrors& errors) {
  return Field({.name = "date_naissance",
                .label = "Date de naissance (facultatif)",
                .value = value,
                .hint = "Par exemple 14/07/1980."},
               errors);
}

struct SearchForm {
  std::string nom;
  std::string date_naissance;
  bool searched = false;
  std::vector<reception::SearchHit> hits;
};

Response SearchPage(PageContext& c, const Request& request, int status, const SearchForm& s,
                    const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  Names names(c.services);
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("nom", Field({.name = "nom",
                      .label = "Nom ou prénom",
                      .value = s.nom,
                      .type = "search",
                      .hint = "Nom de naissance, nom d'usage, prénom ou pseudonyme. Les accents et "
                              "petites fautes de frappe sont tolérés."},
                     errors));
  d.set("date_naissance", SearchDateField(s.date_naissance, errors));
  d.set("can_create", Allowed(caller, identity::Action::kPersonsWrite));
  d.set("searched", s.searched && errors.empty());
  Data hits = List();
  for (const reception::SearchHit& hit : s.hits) {
    const Person& p = hit.person;
    Data h = Object();
    h.set("href", PersonHref(p.id));
    h.set("nom", p.nom_affiche);
    SetText(h, "autres_noms", Join({p.prenoms, p.nom_naissance, p.nom_usage}, " "));
    h.set("date_naissance",
          p.date_naissance.empty() ? std::string("Non renseignée") : DateFr(p.date_naissance));
    h.set("commune",
          p.commune_code.empty() ? std::string("Non renseignée") : names.Commune(p.commune_code));
    hits.push_back(h);
  }
  d.set("hits", hits);
  d.set("empty", s.hits.empty());
  d.set("count", std::to_string(s.hits.size()));
  d.set("limited", s.hits.size() >= static_cast<std::size_t>(kSearchLimit));
  // Carry what was typed into the creation form, without putting it in a URL.
  d.set("prefill_nom", s.nom);
  d.set("prefill_date", s.date_naissance);
  Response response = c.renderer.Page(
      status, caller, {"Personnes", request.path, NoticeOf(request)}, "persons", std::move(d));
  return response;
}

Response Persons(PageContext& c, Request& request) { return SearchPage(c, request, 200, {}, {}); }

// POST /personnes: the search (names stay out of the URL).
Response PersonsSearch(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  SearchForm s;
  FormErrors errors;
  const std::string date = ReadSearchTerms(*form, s.nom, s.date_naissance, errors);
  s.searched = true;
  if (!errors.empty()) return SearchPage(c, request, 422, s, errors);
  auto hits =
      c.services.reception.SearchPersons(s.nom, date, caller.principal, caller.audit, kSearchLimit);
  if (!hits) {
    return FormFailure(c, request, hits.error(), [&](int status, const FormErrors& all) {
      return SearchPage(c, request, status, s, all);
    });
  }
  s.hits = std::move(*hits);
  return SearchPage(c, request, 200, s, {});
}

// ---- Creation and edition ----

Response PersonNew(PageContext& c, Request& request) { return PersonForm(c, request, 200, {}, {}); }

Response PersonCreate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  PersonFormState state;
  state.organisation = Trimmed(*form, "organisation_id");
  // From the search page: the creation form filled with what was searched, nothing saved.
  if (form->GetOr("etape") == "preremplir") {
    state.person.nom_affiche = Trimmed(*form, "nom_affiche");
    if (const auto date = ParseDate(form->GetOr("date_naissance"))) {
      state.person.date_naissance = *date;
    }
    return PersonForm(c, request, 200, state, {});
  }
  FormErrors errors;
  state.person = PersonFromForm(c.services, *form, {}, state.commune_typed, errors);
  state.has_commune_typed = true;
  if (!errors.empty()) return PersonForm(c, request, 422, state, errors);
  const identity::OrganisationId organisation = ParseId(state.organisation).value_or(0);
  const bool confirmed = form->GetOr("confirmer_doublon") == "1";
  auto outcome = c.services.reception.CreatePerson(state.person, organisation, confirmed,
                                                   caller.principal, caller.audit);
  if (!outcome) return PersonRefused(c, request, outcome.error(), state, errors);
  if (!outcome->person) {
    state.doublons = std::move(outcome->doublons);
    state.sent = Resent(*form);
    return PersonForm(c, request, 200, state, errors);
  }
  return Response::Redirect(PersonHref(outcome->person->id) + "?fait=dossier-cree");
}

Response PersonEdit(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound("Ce dossier n'existe pas."));
  auto file = c.services.reception.GetPerson(*id, caller.principal, caller.audit);
  if (!file) return ErrorResponse(c, request, file.error());
  if (file->person.id != *id) return Response::Redirect(PersonHref(file->person.id) + "/modifier");
  PersonFormState state;
  state.person = file->person;
  return PersonForm(c, request, 200, state, {}, file->acting_organisation);
}

Response PersonUpdate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound("Ce dossier n'existe pas."));
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  auto file = c.services.reception.GetPerson(*id, caller.principal, caller.audit);
  if (!file) return ErrorResponse(c, request, file.error());
  if (file->person.id != *id)
    return ErrorResponse(c, request, NotFound("Ce dossier a été fusionné."));
  FormErrors errors;
  PersonFormState state;
  state.person = PersonFromForm(c.services, *form, file->person, state.commune_typed, errors);
  state.has_commune_typed = true;
  const identity::OrganisationId acting = file->acting_organisation;
  if (!errors.empty()) return PersonForm(c, request, 422, state, errors, acting);
  const bool confirmed = form->GetOr("confirmer_doublon") == "1";
  auto outcome =
      c.services.reception.UpdatePerson(state.person, confirmed, caller.principal, caller.audit);
  if (!outcome) return PersonRefused(c, request, outcome.error(), state, errors, acting);
  if (!outcome->person) {
    state.doublons = std::move(outcome->doublons);
    state.sent = Resent(*form);
    return PersonForm(c, request, 200, state, errors, acting);
  }
  return Response::Redirect(PersonHref(*id) + "?fait=enregistre");
}

// ---- The file ----

std::string FollowMotif(std::string_view motif) {
  if (motif == "passage") return "passage";
  if (motif == "creation") return "création du dossier";
  if (motif == "fusion") return "fusion de dossiers";
  if (motif == "suivi") return "suivi";
  return std::string(motif);
}

std::vector<std::string> MotifLabels(const reception::Catalogue& catalogue,
                                     const std::vector<std::string>& codes) {
  std::vector<std::string> out;
  for (const std::string& code : codes) {
    const reception::Item* item = catalogue.Motif(code);
    out.push_back(item != nullptr ? item->label : code);
  }
  return out;
}

std::vector<std::string> ActLabels(const reception::Catalogue& catalogue,
                                   const std::vector<std::string>& codes) {
  std::vector<std::string> out;
  for (const std::string& code : codes) {
    const reception::Item* item = catalogue.Acte(code);
    out.push_back(item != nullptr ? item->label : code);
  }
  return out;
}

// Identity, contacts, languages, household and référent, for the file and the export.
Data IdentityData(Names& names, const Person& p) {
  Data d = Object();
  d.set("numero", std::to_string(p.id));
  d.set("nom_affiche", p.nom_affiche);
  SetText(d, "nom_naissance", p.nom_naissance);
  SetText(d, "nom_usage", p.nom_usage);
  SetText(d, "prenoms", p.prenoms);
  SetText(d, "date_naissance", DateFr(p.date_naissance));
  SetText(d, "sexe", std::string(reception::LabelOf(reception::Sexes(), p.sexe)));
  SetText(d, "nationalite",
          std::string(reception::LabelOf(reception::Nationalites(), p.nationalite)));
  SetText(d, "telephone", p.telephone);
  d.set("tel_href", TelHref(p.telephone));
  SetText(d, "courriel", p.courriel);
  SetText(d, "adresse", p.adresse);
  SetText(d, "commune", names.Commune(p.commune_code));
  std::vector<std::string> langues;
  for (const std::string& code : p.langues) langues.push_back(LanguageLabel(code));
  SetText(d, "langues", Join(langues));
  SetText(d, "besoins_accessibilite", p.besoins_accessibilite);
  SetText(d, "referent", p.referent_id ? names.User(*p.referent_id) : std::string());
  Data foyer = List();
  for (const reception::HouseholdMember& m : p.foyer) {
    Data row = Object();
    const std::string_view relation = reception::LabelOf(reception::Relations(), m.relation);
    row.set("relation", relation.empty() ? m.relation : std::string(relation));
    row.set("prenom", m.prenom.empty() ? std::string("—") : m.prenom);
    row.set("date_naissance",
            m.date_naissance.empty() ? std::string("—") : DateFr(m.date_naissance));
    foyer.push_back(row);
  }
  d.set("has_foyer", !p.foyer.empty());
  d.set("foyer", foyer);
  d.set("created_at", FormatParis(p.created_at));
  d.set("dernier_contact", FormatParis(p.dernier_contact));
  return d;
}

// Which organisations follow the person (file page and export).
Data FollowRows(Names& names, const std::vector<reception::Follow>& follows) {
  Data rows = List();
  for (const reception::Follow& f : follows) {
    Data item = Object();
    item.set("organisation", names.Organisation(f.organisation_id));
    item.set("motif", FollowMotif(f.motif));
    item.set("since", FormatParis(f.since));
    rows.push_back(item);
  }
  return rows;
}

Data PassageRows(Names& names, const reception::Catalogue& catalogue,
                 const std::vector<reception::Passage>& passages) {
  Data rows = List();
  for (const reception::Passage& passage : passages) {
    Data row = Object();
    row.set("date", FormatParis(passage.debut));
    row.set("site", names.Site(passage.site_id));
    const std::string_view canal = reception::LabelOf(reception::Canaux(), passage.canal);
    row.set("canal", canal.empty() ? passage.canal : std::string(canal));
    row.set("motifs", Join(MotifLabels(catalogue, passage.motifs)));
    const std::string actes = Join(ActLabels(catalogue, passage.actes));
    row.set("actes", actes.empty() ? std::string("—") : actes);
    const std::string_view resultat = reception::LabelOf(reception::Resultats(), passage.resultat);
    row.set("resultat", resultat.empty() ? std::string("Non précisé") : std::string(resultat));
    const bool urgent = !passage.urgence.empty() && passage.urgence != "aucune";
    row.set("urgent", urgent);
    row.set("urgence", std::string(reception::LabelOf(reception::Urgences(), passage.urgence)));
    SetText(row, "note", passage.note);
    rows.push_back(row);
  }
  return rows;
}

Data NoteData(Names& names, const reception::Note& note) {
  Data d = Object();
  d.set("texte", note.texte);
  d.set("auteur", names.User(note.author_id));
  d.set("date", FormatParis(note.created_at));
  d.set("organisation", names.Organisation(note.organisation_id));
  d.set("visibilite", std::string(reception::LabelOf(reception::Visibilites(), note.visibilite)));
  return d;
}

Data ConsentData(Names& names, const reception::Consent& consent) {
  Data d = Object();
  d.set("opposition", consent.opposition);
  d.set("date", FormatParis(consent.date));
  d.set("agent", names.User(consent.agent_id));
  d.set("organisation", names.Organisation(consent.organisation_id));
  SetText(d, "objet", consent.objet);
  SetText(d, "destinataires", consent.destinataires);
  SetText(d, "portee", consent.portee);
  return d;
}

// The person's orientations sent by the caller's organisations, newest first (the list
// carries no shared data).
Data OrientationRows(PageContext& c, const identity::Caller& caller, PersonId person) {
  Data d = Object();
  Data rows = List();
  orientation::ListFilter filter;
  filter.box = orientation::Box::kSent;
  filter.person_id = person;
  filter.limite = 20;
  auto page = Allowed(caller, identity::Action::kOrientationsRead)
                  ? c.services.orientation.List(filter, caller.principal, caller.audit)
                  : Result<orientation::Page>(orientation::Page{});
  if (page) {
    for (const orientation::View& v : page->items) {
      const orientation::Orientation& o = v.orientation;
      Data row = Object();
      row.set("numero", std::to_string(o.id));
      row.set("href", "/orientations/" + std::to_string(o.id));
      row.set("date", FormatParis(o.sent_at.value_or(o.created_at)));
      row.set("service", o.service_nom + " — " + o.structure_nom);
      row.set("statut", std::string(orientation::StatusLabel(o.status)));
      rows.push_back(row);
    }
  }
  d.set("rows", rows);
  d.set("empty", !page || page->items.empty());
  d.set("unavailable", !page);
  return d;
}

struct FileForms {
  reception::Note note;
  reception::Consent consent;
  FormErrors errors;
};

Response FilePage(PageContext& c, const Request& request, int status,
                  const reception::PersonFile& file, const FileForms& forms) {
  const identity::Caller& caller = CallerOf(request);
  Names names(c.services);
  const Person& p = file.person;
  const std::string href = PersonHref(p.id);
  Data d = Object();
  d.set("form", forms.errors.Summary());
  d.set("identity", IdentityData(names, p));
  d.set("href", href);
  d.set("edit_href", href + "/modifier");
  d.set("merge_href", href + "/fusion");
  d.set("export_href", href + "/export");
  d.set("json_href", "/api/v1/personnes/" + std::to_string(p.id) + "/export");
  d.set("can_write", Allowed(caller, identity::Action::kPersonsWrite));
  d.set("can_export", Allowed(caller, identity::Action::kPersonsExport));
  d.set("redirected", file.redirected_from.has_value());
  d.set("redirected_from", file.redirected_from ? std::to_string(*file.redirected_from) : "");

  // The sharing status: the last consent (consents are newest first).
  const bool has_consent = !file.consents.empty();
  d.set("has_consent", has_consent);
  d.set("last_consent", has_consent ? ConsentData(names, file.consents.front()) : Object());
  d.set("opposition", file.opposition());
  Data history = List();
  for (std::size_t i = 1; i < file.consents.size(); ++i) {
    history.push_back(ConsentData(names, file.consents[i]));
  }
  d.set("has_consent_history", file.consents.size() > 1);
  d.set("consent_history", history);

  d.set("follows", FollowRows(names, file.follows));
  d.set("has_merged", !file.merged_from.empty());
  std::vector<std::string> merged;
  for (PersonId id : file.merged_from) merged.push_back("n° " + std::to_string(id));
  d.set("merged", Join(merged));

  // Orientations of the person sent by the caller's organisations, and the way to orient.
  d.set("can_orient", Allowed(caller, identity::Action::kOrientationsWrite));
  d.set("orient_href", "/orientations/nouvelle?personne=" + std::to_string(p.id));
  d.set("orientations", OrientationRows(c, caller, p.id));

  d.set("passages", PassageRows(names, c.services.reception.catalogue(), file.passages));
  d.set("has_passages", !file.passages.empty());
  d.set("passage_count", std::to_string(file.passages.size()));

  // Notes by visibility; the confidential group exists only for those who may read it.
  const bool confidential = file.level == reception::Level::kConfidential;
  Data groups = List();
  for (const reception::Choice& visibility : reception::Visibilites()) {
    if (visibility.code == "confidentielle" && !confidential) continue;
    Data group = Object();
    group.set("id", "notes-" + std::string(visibility.code));
    std::string title;
    std::string hint;
    if (visibility.code == "generale") {
      title = "Notes générales";
      hint =
          "Visibles des agents d'accueil et des travailleurs sociaux des organisations qui "
          "suivent la personne.";
    } else if (visibility.code == "confidentielle") {
      title = "Notes confidentielles";
      hint = "Visibles des seuls travailleurs sociaux des organisations qui suivent la personne.";
    } else {
      title = "Notes privées";
      hint = "Visibles de leur seul auteur.";
    }
    group.set("title", title);
    group.set("hint", hint);
    Data notes = List();
    for (const reception::Note& note : file.notes) {
      if (note.visibilite == visibility.code) notes.push_back(NoteData(names, note));
    }
    group.set("empty", notes.is_empty_list());
    group.set("notes", notes);
    groups.push_back(group);
  }
  d.set("note_groups", groups);

  d.set("note_texte", Renamed(Textarea({.name = "note-texte",
                                        .label = "Texte de la note",
                                        .value = forms.note.texte,
                                        .hint = "Des faits utiles au suivi, en termes neutres. "
                                                "5 000 caractères au plus."},
                                       forms.errors, 4),
                              "texte"));
  Data visibilities = Object();
  visibilities.set("id", FieldId("visibilite"));
  visibilities.set("legend", "Qui pourra lire cette note ?");
  Data options = List();
  const std::string chosen = forms.note.visibilite.empty() ? "generale" : forms.note.visibilite;
  for (const reception::Choice& visibility : reception::Visibilites()) {
    if (!reception::CanWriteNote(file.level, visibility.code)) continue;
    Data o = Object();
    o.set("id", FieldId("visibilite") + "-" + std::string(visibility.code));
    o.set("name", "visibilite");
    o.set("value", std::string(visibility.code));
    const std::string label(visibility.label);
    o.set("label", label);
    o.set("checked", visibility.code == chosen);
    options.push_back(o);
  }
  visibilities.set("options", options);
  d.set("note_visibilite", visibilities);

  d.set("consent_objet",
        Renamed(Field({.name = "consent-objet",
                       .label = "Ce qui est partagé",
                       .value = forms.consent.objet,
                       .hint = "Par exemple : la situation, pour la demande de RSA."},
                      forms.errors),
                "objet"));
  d.set("consent_destinataires", Renamed(Field({.name = "consent-destinataires",
                                                .label = "Avec qui",
                                                .value = forms.consent.destinataires,
                                                .hint = "Par exemple : la CAF, le CCAS de Rennes."},
                                               forms.errors),
                                         "destinataires"));
  d.set("consent_portee", Renamed(Field({.name = "consent-portee",
                                         .label = "Portée (facultatif)",
                                         .value = forms.consent.portee,
                                         .hint = "Par exemple : cette démarche seulement, tout le "
                                                 "parcours."},
                                        forms.errors),
                                  "portee"));
  Data opposition = Checkbox("opposition", "La personne s'oppose au partage de ses informations",
                             forms.consent.opposition);
  opposition.set("id", "f-consent-opposition");
  d.set("consent_opposition", opposition);

  Frame frame{p.nom_affiche, request.path, NoticeOf(request)};
  Response response = c.renderer.Page(status, caller, frame, "person", std::move(d));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

Result<reception::PersonFile> FileOf(PageContext& c, const Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return Fail(NotFound("Ce dossier n'existe pas."));
  return c.services.reception.GetPerson(*id, caller.principal, caller.audit);
}

Response PersonShow(PageContext& c, Request& request) {
  auto file = FileOf(c, request);
  if (!file) return ErrorResponse(c, request, file.error());
  return FilePage(c, request, 200, *file, {});
}

// The field of the file page an error of the note or consent forms belongs to.
Error OnFileForm(Error error, std::string_view form) {
  if (form == "note") {
    error.field = error.field == "visibilite" ? "visibilite" : "note-texte";
  } else if (error.field == "destinataires" || error.field == "objet" || error.field == "portee" ||
             error.field == "opposition") {
    error.field = "consent-" + error.field;
  } else {
    error.field = "consent-objet";
  }
  return error;
}

// A refused note or consent: a form error shows again on the file page, beside its field;
// anything else is an error page.
Response FileFormRefused(PageContext& c, const Request& request, const Error& error,
                         const reception::PersonFile& file, FileForms& forms,
                         std::string_view form) {
  if (!IsFormError(error)) return ErrorResponse(c, request, error);
  forms.errors.Add(OnFileForm(error, form));
  return FilePage(c, request, FormErrorStatus(error), file, forms);
}

Response NoteAdd(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  auto file = FileOf(c, request);
  if (!file) return ErrorResponse(c, request, file.error());
  FileForms forms;
  forms.note.person_id = file->person.id;
  forms.note.texte = Trimmed(*form, "texte");
  forms.note.visibilite = Trimmed(*form, "visibilite");
  if (forms.note.texte.empty()) forms.errors.Add("note-texte", "Écrivez le texte de la note.");
  if (!reception::CanWriteNote(file->level, forms.note.visibilite)) {
    forms.errors.Add("visibilite", "Choisissez qui pourra lire la note.");
    forms.note.visibilite.clear();
  }
  if (!forms.errors.empty()) return FilePage(c, request, 422, *file, forms);
  auto note = c.services.reception.AddNote(forms.note, caller.principal, caller.audit);
  if (!note) return FileFormRefused(c, request, note.error(), *file, forms, "note");
  return Response::Redirect(PersonHref(file->person.id) + "?fait=note#notes");
}

Response ConsentAdd(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  auto file = FileOf(c, request);
  if (!file) return ErrorResponse(c, request, file.error());
  FileForms forms;
  forms.consent.person_id = file->person.id;
  forms.consent.objet = Trimmed(*form, "objet");
  forms.consent.destinataires = Trimmed(*form, "destinataires");
  forms.consent.portee = Trimmed(*form, "portee");
  forms.consent.opposition = form->Has("opposition");
  if (!forms.consent.opposition && forms.consent.objet.empty()) {
    forms.errors.Add("consent-objet", "Indiquez ce qui est partagé.");
  }
  if (!forms.consent.opposition && forms.consent.destinataires.empty()) {
    forms.errors.Add("consent-destinataires", "Indiquez avec qui les informations sont partagées.");
  }
  if (!forms.errors.empty()) return FilePage(c, request, 422, *file, forms);
  auto consent = c.services.reception.AddConsent(forms.consent, caller.principal, caller.audit);
  if (!consent) return FileFormRefused(c, request, consent.error(), *file, forms, "consent");
  return Response::Redirect(PersonHref(file->person.id) + "?fait=partage");
}

// ---- Merge ----

struct MergeSearch {
  std::string nom;
  std::string date_naissance;
  bool searched = false;
  std::vector<Person> found;
};

Response MergeChoose(PageContext& c, const Request& request, int status,
                     const reception::PersonFile& file, const MergeSearch& search,
                     const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  Names names(c.services);
  const std::string href = PersonHref(file.person.id);
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("href", href);
  d.set("nom_dossier", file.person.nom_affiche);
  d.set("search_action", href + "/fusion/chercher");
  auto proposals = c.services.reception.FindDuplicates(file.person, caller.principal);
  if (!proposals) return ErrorResponse(c, request, proposals.error());
  Data doublons = List();
  for (const reception::DuplicateProposal& proposal : *proposals) {
    if (proposal.person.id == file.person.id) continue;
    Data item = CandidateData(names, proposal.person, proposal.similarity.raisons);
    item.set("choose_href", href + "/fusion?avec=" + std::to_string(proposal.person.id));
    doublons.push_back(item);
  }
  d.set("has_doublons", !doublons.is_empty_list());
  d.set("doublons", doublons);
  d.set("nom",
        Field({.name = "nom", .label = "Nom ou prénom", .value = search.nom, .type = "search"},
              errors));
  d.set("date_naissance", SearchDateField(search.date_naissance, errors));
  d.set("searched", search.searched && errors.empty());
  Data found = List();
  for (const Person& p : search.found) {
    if (p.id == file.person.id) continue;
    Data item = CandidateData(names, p, {});
    item.set("choose_href", href + "/fusion?avec=" + std::to_string(p.id));
    found.push_back(item);
  }
  d.set("found_empty", found.is_empty_list());
  d.set("found", found);
  return c.renderer.Page(status, caller,
                         {"Fusionner le dossier de " + file.person.nom_affiche, request.path, {}},
                         "person_merge", std::move(d));
}

Data MergeSide(Names& names, const reception::PersonFile& file) {
  Data d = IdentityData(names, file.person);
  d.set("passage_count", std::to_string(file.passages.size()));
  d.set("note_count", std::to_string(file.notes.size()));
  d.set("consent_count", std::to_string(file.consents.size()));
  return d;
}

Response MergeConfirm(PageContext& c, const Request& request, int status,
                      const reception::PersonFile& file, const reception::PersonFile& other,
                      const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  Names names(c.services);
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("href", PersonHref(file.person.id));
  d.set("choose_href", PersonHref(file.person.id) + "/fusion");
  d.set("action", PersonHref(file.person.id) + "/fusion");
  d.set("avec", std::to_string(other.person.id));
  Data current = MergeSide(names, file);
  current.set("heading", "Ce dossier");
  Data second = MergeSide(names, other);
  second.set("heading", "L'autre dossier");
  Data sides = List();
  sides.push_back(current);
  sides.push_back(second);
  d.set("sides", sides);
  Data keep = Object();
  keep.set("id", FieldId("garder"));
  keep.set("legend", "Quel dossier garder ?");
  Data options = List();
  for (const reception::PersonFile* f : {&file, &other}) {
    Data o = Object();
    o.set("id", FieldId("garder") + "-" + std::to_string(f->person.id));
    o.set("name", "garder");
    o.set("value", std::to_string(f->person.id));
    o.set("label", f->person.nom_affiche + " (dossier n° " + std::to_string(f->person.id) + ")");
    o.set("checked", f == &file);
    options.push_back(o);
  }
  keep.set("options", options);
  d.set("garder", keep);
  return c.renderer.Page(status, caller, {"Fusionner ces deux dossiers ?", request.path, {}},
                         "person_merge_confirm", std::move(d));
}

// GET /personnes/{id}/fusion[?avec=N]: choose the other file, or confirm with both shown.
Response PersonMerge(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto file = FileOf(c, request);
  if (!file) return ErrorResponse(c, request, file.error());
  if (request.query.Has("avec")) {
    const auto other_id = ParseId(request.query.GetOr("avec"));
    if (!other_id) return ErrorResponse(c, request, NotFound("Ce dossier n'existe pas."));
    if (*other_id == file->person.id) {
      FormErrors errors;
      errors.Add("nom", "Choisissez un autre dossier que celui-ci.");
      return MergeChoose(c, request, 422, *file, {}, errors);
    }
    auto other = c.services.reception.GetPerson(*other_id, caller.principal, caller.audit);
    if (!other) return ErrorResponse(c, request, other.error());
    return MergeConfirm(c, request, 200, *file, *other, {});
  }
  return MergeChoose(c, request, 200, *file, {}, {});
}

// POST /personnes/{id}/fusion/chercher: the search of the other file (names not in URLs).
Response PersonMergeSearch(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  auto file = FileOf(c, request);
  if (!file) return ErrorResponse(c, request, file.error());
  MergeSearch search;
  FormErrors errors;
  const std::string date = ReadSearchTerms(*form, search.nom, search.date_naissance, errors);
  search.searched = true;
  if (!errors.empty()) return MergeChoose(c, request, 422, *file, search, errors);
  auto hits = c.services.reception.SearchPersons(search.nom, date, caller.principal, caller.audit,
                                                 kSearchLimit);
  if (!hits) {
    return FormFailure(c, request, hits.error(), [&](int status, const FormErrors& all) {
      return MergeChoose(c, request, status, *file, search, all);
    });
  }
  for (const reception::SearchHit& hit : *hits) search.found.push_back(hit.person);
  return MergeChoose(c, request, 200, *file, search, {});
}

// POST /personnes/{id}/fusion: garder (the file kept), avec (the other one).
Response PersonMergeDo(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  auto file = FileOf(c, request);
  if (!file) return ErrorResponse(c, request, file.error());
  const auto other_id = ParseId(form->GetOr("avec"));
  if (!other_id || *other_id == file->person.id) {
    return ErrorResponse(c, request, NotFound("Ce dossier n'existe pas."));
  }
  const auto kept = ParseId(form->GetOr("garder"));
  if (!kept || (*kept != file->person.id && *kept != *other_id)) {
    auto other = c.services.reception.GetPerson(*other_id, caller.principal, caller.audit);
    if (!other) return ErrorResponse(c, request, other.error());
    FormErrors errors;
    errors.Add("garder", "Choisissez le dossier à garder.");
    return MergeConfirm(c, request, 422, *file, *other, errors);
  }
  const PersonId absorbed = *kept == file->person.id ? *other_id : file->person.id;
  auto merged = c.services.reception.MergePersons(*kept, absorbed, caller.principal, caller.audit);
  if (!merged) {
    if (!IsFormError(merged.error())) return ErrorResponse(c, request, merged.error());
    auto other = c.services.reception.GetPerson(*other_id, caller.principal, caller.audit);
    if (!other) return ErrorResponse(c, request, other.error());
    FormErrors errors;
    errors.Add("garder", merged.error().message);
    return MergeConfirm(c, request, FormErrorStatus(merged.error()), *file, *other, errors);
  }
  return Response::Redirect(PersonHref(merged->id) + "?fait=fusion");
}

// ---- Right of access: the printable export ----

std::string TicketStateLabelOf(reception::TicketState state) {
  return std::string(reception::TicketStateLabel(state));
}

// The French label of a member of another module's record (PersonExport::autres).
std::string RecordFieldLabel(const std::string& name) {
  static const std::map<std::string, std::string, std::less<>> labels = {
      {"statut", "Statut"},
      {"service", "Service"},
      {"structure", "Structure"},
      {"referent", "Référent"},
      {"motifs", "Motifs"},
      {"demande", "Demande"},
      {"urgence", "Urgence"},
      {"mode", "Mode"},
      {"accompagnement", "Accompagnement"},
      {"echeance", "Échéance"},
      {"champs_partages", "Informations partagées"},
      {"consentement", "Consentement"},
      {"creee_le", "Créée le"},
      {"envoyee_le", "Envoyée le"},
      {"recue_le", "Ouverte par le destinataire le"},
      {"repondue_le", "Réponse le"},
      {"issue_le", "Issue enregistrée le"},
      {"cloturee_le", "Clôturée le"},
      {"rdv_date", "Rendez-vous le"},
      {"rdv_lieu", "Lieu du rendez-vous"},
      {"motif", "Motif"},
      {"commentaire", "Commentaire"},
      {"origine", "Réorientée depuis"},
      {"reorientee_vers", "Réorientée vers"},
      {"historique", "Historique"},
  };
  const auto found = labels.find(name);
  if (found != labels.end()) return found->second;
  constexpr std::string_view kShared = "partage.";
  if (name.starts_with(kShared)) {
    std::string field = name.substr(kShared.size());
    std::replace(field.begin(), field.end(), '_', ' ');
    return "Valeur partagée : " + field;
  }
  return name;
}

std::string RecordTitle(const reception::PersonExport::Record& r) {
  const std::string kind = r.kind == "orientation" ? "Orientation" : r.kind;
  return kind + " n° " + std::to_string(r.id);
}

Response PersonExportPage(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound("Ce dossier n'existe pas."));
  auto exported = c.services.reception.ExportPerson(*id, caller.principal, caller.audit);
  if (!exported) return ErrorResponse(c, request, exported.error());
  Names names(c.services);
  const reception::Catalogue& catalogue = c.services.reception.catalogue();
  const reception::PersonExport& e = *exported;
  Data d = Object();
  d.set("identity", IdentityData(names, e.person));
  d.set("href", PersonHref(e.person.id));
  d.set("can_read", Allowed(caller, identity::Action::kPersonsRead));
  d.set("json_href", "/api/v1/personnes/" + std::to_string(e.person.id) + "/export");
  d.set("edited_at", FormatParis(c.services.clock.Now()));
  SetText(d, "edited_by", caller.auth ? caller.auth->user.display_name : std::string());
  d.set("merged_away", e.person.fusionnee_dans.has_value());
  d.set("merged_into", e.person.fusionnee_dans ? std::to_string(*e.person.fusionnee_dans) : "");

  d.set("has_follows", !e.follows.empty());
  d.set("follows", FollowRows(names, e.follows));
  d.set("has_passages", !e.passages.empty());
  d.set("passages", PassageRows(names, catalogue, e.passages));
  Data notes = List();
  for (const reception::Note& note : e.notes) notes.push_back(NoteData(names, note));
  d.set("has_notes", !e.notes.empty());
  d.set("notes", notes);
  Data consents = List();
  for (const reception::Consent& consent : e.consents)
    consents.push_back(ConsentData(names, consent));
  d.set("has_consents", !e.consents.empty());
  d.set("consents", consents);
  Data tickets = List();
  for (const reception::Ticket& t : e.tickets) {
    Data item = Object();
    item.set("jour", DateFr(t.jour));
    item.set("numero", std::to_string(t.numero));
    item.set("site", names.Site(t.site_id));
    const reception::Item* motif = catalogue.Motif(t.motif);
    item.set("motif",
             motif != nullptr ? motif->label : (t.motif.empty() ? std::string("—") : t.motif));
    item.set("etat", TicketStateLabelOf(t.etat));
    SetText(item, "note", t.note_transmission);
    tickets.push_back(item);
  }
  d.set("has_tickets", !e.tickets.empty());
  d.set("tickets", tickets);
  std::vector<std::string> merged;
  for (PersonId m : e.merged_from) merged.push_back("n° " + std::to_string(m));
  SetText(d, "merged_from", Join(merged));
  Data accesses = List();
  for (const reception::PersonExport::Access& a : e.accesses) {
    Data item = Object();
    item.set("date", FormatParis(a.at));
    item.set("user", names.User(a.user_id));
    item.set("action", a.action);
    accesses.push_back(item);
  }
  d.set("has_accesses", !e.accesses.empty());
  d.set("accesses", accesses);
  Data others = List();
  for (const reception::PersonExport::Record& r : e.autres) {
    Data item = Object();
    item.set("title", RecordTitle(r));
    Data fields = List();
    for (const auto& [name, value] : r.fields) {
      Data field = Object();
      field.set("label", RecordFieldLabel(name));
      field.set("value", value);
      fields.push_back(field);
    }
    item.set("fields", fields);
    others.push_back(item);
  }
  d.set("has_autres", !e.autres.empty());
  d.set("autres", others);
  Response response =
      c.renderer.Page(200, caller, {"Données détenues : " + e.person.nom_affiche, request.path, {}},
                      "person_export", std::move(d));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

// ---- Administration: retention and purge log ----

struct RetentionForm {
  identity::OrganisationId organisation = 0;
  std::string days;
  std::string mode;
  std::string export_numero;
};

std::string RetentionField(identity::OrganisationId id, std::string_view name) {
  return "conservation-" + std::to_string(id) + "-" + std::string(name);
}

Response RetentionPage(PageContext& c, const Request& request, int status,
                       const RetentionForm& sent, const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  auto organisations = c.services.identity.ListOrganisations({});
  if (!organisations) return ErrorResponse(c, request, organisations.error());
  Data d = Object();
  d.set("form", errors.Summary());
  Data list = List();
  for (const identity::Organisation& o : *organisations) {
    auto settings = c.services.reception.RetentionOf(o.id);
    if (!settings) return ErrorResponse(c, request, settings.error());
    const bool this_one = sent.organisation == o.id;
    Data item = Object();
    item.set("name", OrganisationOption(o).label);
    item.set("action", "/admin/conservation/" + std::to_string(o.id));
    const FormErrors& own = this_one ? errors : kNoErrors;
    // Each organisation has its own form: the fields are named "jours" and "mode", their ids
    // and errors are the organisation's.
    item.set("days", Renamed(Field({.name = RetentionField(o.id, "jours"),
                                    .label = "Durée sans contact avant la purge, en jours",
                                    .value = this_one ? sent.days : std::to_string(settings->days),
                                    .hint = "De 30 à 730 jours (2 ans, le maximum).",
                                    .inputmode = "numeric"},
                                   own),
                             "jours"));
    const std::string mode =
        this_one ? sent.mode : std::string(reception::PurgeModeName(settings->mode));
    Data select = Renamed(Select({.name = RetentionField(o.id, "mode"),
                                  .label = "À l'échéance",
                                  .options = {{"anonymisation", "Anonymiser le dossier"},
                                              {"export",
                                               "Exporter pour le service d'archives, "
                                               "puis supprimer"}},
                                  .selected = {mode}},
                                 own),
                          "mode");
    item.set("mode", select);
    list.push_back(item);
  }
  d.set("organisations", list);

  auto log = c.services.reception.PurgeLog(caller.principal, kPurgeLogLimit);
  if (!log) return ErrorResponse(c, request, log.error());
  Data entries = List();
  for (const reception::PurgeLogEntry& entry : *log) {
    Data item = Object();
    item.set("date", FormatParis(entry.at));
    item.set("dossier", std::to_string(entry.person_id));
    item.set("mode", entry.mode == reception::PurgeMode::kExport
                         ? std::string("Exporté puis supprimé")
                         : std::string("Anonymisé"));
    item.set("bundle", entry.bundle.empty() ? std::string("—") : entry.bundle);
    entries.push_back(item);
  }
  d.set("log_empty", log->empty());
  d.set("log", entries);
  d.set("log_count", std::to_string(log->size()));
  d.set("export_numero", Field({.name = "numero",
                                .label = "Numéro du dossier",
                                .value = sent.export_numero,
                                .hint = "Il figure en haut du dossier de la personne.",
                                .inputmode = "numeric"},
                               errors));
  return c.renderer.Page(status, caller,
                         {"Conservation des données personnelles", request.path, NoticeOf(request)},
                         "retention", std::move(d));
}

Response Retention(PageContext& c, Request& request) {
  return RetentionPage(c, request, 200, {}, {});
}

Response RetentionSave(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound("Cette organisation n'existe pas."));
  auto organisation = c.services.identity.FindOrganisation(*id);
  if (!organisation) return ErrorResponse(c, request, organisation.error());
  if (!*organisation)
    return ErrorResponse(c, request, NotFound("Cette organisation n'existe pas."));
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  RetentionForm sent;
  sent.organisation = *id;
  sent.days = Trimmed(*form, "jours");
  sent.mode = Trimmed(*form, "mode");
  FormErrors errors;
  reception::RetentionSettings settings;
  settings.organisation_id = *id;
  int days = 0;
  const auto [end, ec] =
      std::from_chars(sent.days.data(), sent.days.data() + sent.days.size(), days);
  if (sent.days.empty() || ec != std::errc() || end != sent.days.data() + sent.days.size() ||
      days <= 0) {
    errors.Add(RetentionField(*id, "jours"),
               "La durée doit être un nombre entier de jours, par "
               "exemple 730.");
  }
  settings.days = days;
  const auto mode = reception::ParsePurgeMode(sent.mode);
  if (!mode) {
    errors.Add(RetentionField(*id, "mode"), "Choisissez ce qui arrive au dossier à l'échéance.");
  } else {
    settings.mode = *mode;
  }
  if (!errors.empty()) return RetentionPage(c, request, 422, sent, errors);
  auto saved = c.services.reception.SetRetention(settings, caller.principal, caller.audit);
  if (!saved) {
    if (!IsFormError(saved.error())) return ErrorResponse(c, request, saved.error());
    errors.Add(RetentionField(*id, saved.error().field == "mode" ? "mode" : "jours"),
               saved.error().message);
    return RetentionPage(c, request, FormErrorStatus(saved.error()), sent, errors);
  }
  return Response::Redirect("/admin/conservation?fait=conservation");
}

// GET /admin/conservation/export?numero=N: the printable export of file N.
Response RetentionExport(PageContext& c, Request& request) {
  RetentionForm sent;
  sent.export_numero = Trimmed(request.query, "numero");
  const auto id = ParseId(sent.export_numero);
  if (!id) {
    FormErrors errors;
    errors.Add("numero", "Indiquez le numéro du dossier : des chiffres seulement.");
    return RetentionPage(c, request, 422, sent, errors);
  }
  return Response::Redirect(PersonHref(*id) + "/export");
}

}  // namespace

void RegisterPersonPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  constexpr char kRead[] = "persons.read";
  constexpr char kWrite[] = "persons.write";
  constexpr char kExport[] = "persons.export";
  constexpr char kAdmin[] = "persons.admin";
  router.Add(Method::kGet, "/personnes", RouteKind::kPage, kRead, Bind(context, Persons));
  router.Add(Method::kPost, "/personnes", RouteKind::kPage, kRead, Bind(context, PersonsSearch));
  router.Add(Method::kGet, "/personnes/nouveau", RouteKind::kPage, kWrite,
             Bind(context, PersonNew));
  router.Add(Method::kPost, "/personnes/nouveau", RouteKind::kPage, kWrite,
             Bind(context, PersonCreate));
  router.Add(Method::kGet, "/personnes/{id}", RouteKind::kPage, kRead, Bind(context, PersonShow));
  router.Add(Method::kGet, "/personnes/{id}/modifier", RouteKind::kPage, kWrite,
             Bind(context, PersonEdit));
  router.Add(Method::kPost, "/personnes/{id}/modifier", RouteKind::kPage, kWrite,
             Bind(context, PersonUpdate));
  router.Add(Method::kPost, "/personnes/{id}/notes", RouteKind::kPage, kWrite,
             Bind(context, NoteAdd));
  router.Add(Method::kPost, "/personnes/{id}/partage", RouteKind::kPage, kWrite,
             Bind(context, ConsentAdd));
  router.Add(Method::kGet, "/personnes/{id}/fusion", RouteKind::kPage, kWrite,
             Bind(context, PersonMerge));
  router.Add(Method::kPost, "/personnes/{id}/fusion/chercher", RouteKind::kPage, kWrite,
             Bind(context, PersonMergeSearch));
  router.Add(Method::kPost, "/personnes/{id}/fusion", RouteKind::kPage, kWrite,
             Bind(context, PersonMergeDo));
  router.Add(Method::kGet, "/personnes/{id}/export", RouteKind::kPage, kExport,
             Bind(context, PersonExportPage));
  router.Add(Method::kGet, "/admin/conservation", RouteKind::kPage, kAdmin,
             Bind(context, Retention));
  router.Add(Method::kPost, "/admin/conservation/{id}", RouteKind::kPage, kAdmin,
             Bind(context, RetentionSave));
  router.Add(Method::kGet, "/admin/conservation/export", RouteKind::kPage, kAdmin,
             Bind(context, RetentionExport));
}

}  // namespace pasip::web
