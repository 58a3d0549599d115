// Orientations (fiche de liaison unique): the creation form from a passage or a person file
// (services of the directory found by the passage's motives and the commune, what is shared
// field by field and the person's consent), the orienting agent's list with its alerts, the
// partner inbox, the detail with its history and one small form per step the caller may
// take, the printable liaison form, the measures (small cells masked), the in-app
// notifications; and the pages of partners without an account, reached by a signed link and
// a one-time code (/lien/…), whose session is the cookie __Host-pasip-lien.
//
// Access is the domain's answer (OrientationService checks the relation and audits); an
// orientation the caller may not see is the 404 page. URLs carry numbers only (security.md
// S11): the searches of services are posted with the form.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/text.h"
#include "domain/directory/directory.h"
#include "domain/orientation/orientation.h"
#include "http/cookie.h"
#include "web/directory_format.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

namespace ot = orientation;
using ot::OrientationId;
using ot::Status;
using ot::Step;

constexpr char kLinkCookie[] = "__Host-pasip-lien";
constexpr char kLinkBase[] = "/lien/orientation";
constexpr int kServiceResults = 20;
constexpr int kListLimit = 50;
constexpr int kNotificationLimit = 100;
constexpr int kMeasureDefaultDays = 365;
constexpr char kMissing[] = "Cette orientation n'existe pas, ou vous n'y avez pas accès.";

// ---- Small helpers ----

std::string Trimmed(const http::FormData& form, std::string_view name) {
  return std::string(text::Trim(form.GetOr(name)));
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

template <typename ChoiceT>
std::vector<Option> ChoiceOptions(std::span<const ChoiceT> choices) {
  std::vector<Option> out;
  for (const ChoiceT& c : choices) out.push_back({std::string(c.code), std::string(c.label)});
  return out;
}

std::string OrientationHref(OrientationId id) { return "/orientations/" + std::to_string(id); }

std::string MotifLabel(const reception::Catalogue& catalogue, const std::string& code) {
  const reception::Item* item = catalogue.Motif(code);
  return item != nullptr ? item->label : code;
}

std::string MotifLabels(const reception::Catalogue& catalogue,
                        const std::vector<std::string>& codes) {
  std::vector<std::string> labels;
  for (const std::string& code : codes) labels.push_back(MotifLabel(catalogue, code));
  return Join(labels);
}

std::string UrgenceLabel(const std::string& code) {
  const std::string_view label = reception::LabelOf(reception::Urgences(), code);
  return label.empty() ? code : std::string(label);
}

std::string ChoiceLabel(std::span<const ot::Choice> choices, const std::string& code) {
  const std::string_view label = ot::LabelOf(choices, code);
  return label.empty() ? code : std::string(label);
}

// The label of a refusal, re-orientation or cancellation reason, or "" when `code` is none.
std::string ReasonLabel(std::string_view code) {
  for (auto list : {ot::RefusalReasons(), ot::ReorientReasons(), ot::CancelReasons()}) {
    const std::string_view label = ot::LabelOf(list, code);
    if (!label.empty()) return std::string(label);
  }
  return {};
}

std::string StatusLabelOf(std::string_view name) {
  if (name.empty()) return "—";
  const auto status = ot::ParseStatus(name);
  return status ? std::string(ot::StatusLabel(*status)) : std::string(name);
}

std::string StepLabelOf(std::string_view name) {
  if (name == "creer") return "Création";
  if (name == "modifier") return "Modification du brouillon";
  if (name == "ouvrir") return "Ouverture par le destinataire";
  const auto step = ot::ParseStep(name);
  return step ? std::string(ot::StepLabel(*step)) : std::string(name);
}

// Whole days between the Paris days of `from` and `to` (negative when `to` is before).
std::int64_t DaysBetween(TimePoint from, TimePoint to) {
  const CivilTime a = ToParisCivil(from);
  const CivilTime b = ToParisCivil(to);
  return DaysFromCivilDate(b.year, b.month, b.day) - DaysFromCivilDate(a.year, a.month, a.day);
}

std::string DaysFr(std::int64_t n) { return std::to_string(n) + (n > 1 ? " jours" : " jour"); }

// The alerts of the orienting agent's list, as text (never by colour alone).
std::vector<std::string> AlertTexts(const ot::View& v, TimePoint now) {
  std::vector<std::string> out;
  const ot::Orientation& o = v.orientation;
  for (const std::string& a : v.alertes) {
    if (a == "expiree") {
      out.push_back("Expirée");
    } else if (a == "refusee") {
      out.push_back("Refusée");
    } else if (a == "sans_reponse") {
      const std::int64_t days = o.sent_at ? DaysBetween(*o.sent_at, now) : 0;
      out.push_back(days > 0 ? "Sans réponse depuis " + DaysFr(days) : "Sans réponse");
    } else if (a == "echeance_depassee") {
      out.push_back("Échéance dépassée");
    } else if (a == "rdv_proche") {
      const std::int64_t days = o.rdv_date ? DaysBetween(now, *o.rdv_date) : 0;
      if (days <= 0) {
        out.push_back("Rendez-vous aujourd'hui");
      } else if (days == 1) {
        out.push_back("Rendez-vous demain");
      } else {
        out.push_back("Rendez-vous dans " + DaysFr(days));
      }
    } else {
      out.push_back(a);
    }
  }
  return out;
}

Data Badges(const std::vector<std::string>& texts) {
  Data list = List();
  for (const std::string& t : texts) list.push_back(Text(t));
  return list;
}

// Confirmations after a redirect, named by `fait` (no personal data in URLs).
std::string NoticeOf(const Request& request) {
  const std::string code = request.query.GetOr("fait");
  static const std::map<std::string, std::string, std::less<>> kNotices = {
      {"brouillon", "Le brouillon est enregistré. Il n'est pas encore envoyé."},
      {"envoyer", "L'orientation a été envoyée au service choisi."},
      {"accepter", "Vous avez accepté l'orientation."},
      {"refuser", "Vous avez refusé l'orientation."},
      {"reorienter", "L'orientation a été réorientée vers un autre service."},
      {"proposer_rdv", "Le rendez-vous proposé est enregistré."},
      {"fixer_rdv", "Le rendez-vous est fixé."},
      {"personne_recue", "C'est noté : la personne a été reçue."},
      {"personne_non_venue", "C'est noté : la personne n'est pas venue."},
      {"annuler", "L'orientation a été annulée."},
      {"relancer", "L'orientation a été relancée."},
      {"cloturer", "L'orientation est clôturée."},
      {"lue", "La notification est marquée comme lue."},
      {"lues", "Toutes les notifications sont marquées comme lues."},
      {"preference", "Votre préférence est enregistrée."},
  };
  const auto found = kNotices.find(code);
  if (found != kNotices.end()) return found->second;
  return NoticeFromQuery(request);
}

// Names of users, looked up once per page.
class UserNames {
 public:
  explicit UserNames(Services& services) : services_(services) {}
  std::string Of(identity::UserId id) {
    auto [it, inserted] = names_.try_emplace(id);
    if (inserted) {
      auto found = services_.identity.FindUser(id);
      it->second = found && *found ? (*found)->display_name : "";
    }
    return it->second;
  }

 private:
  Services& services_;
  std::map<identity::UserId, std::string> names_;
};

// ---- Services of the directory (creation form, re-orientation) ----

struct ServiceSearch {
  std::string text;  // typed by the agent; empty: the motives' thématiques
  std::vector<std::string> thematiques;
  std::string commune;  // INSEE code, or ""
  std::string chosen;   // the service id ticked, as sent
  std::string chosen_referent;
};

struct ServiceResults {
  std::vector<directory::Hit> hits;
  std::string summary;  // "12 services trouvés près de Rennes"
  std::string error;
};

ServiceResults FindServices(PageContext& c, const identity::Principal& who,
                            const ServiceSearch& s) {
  ServiceResults out;
  directory::SearchQuery query;
  query.entity = directory::Entity::kService;
  query.limite = kServiceResults;
  if (!s.text.empty()) {
    query.q = s.text;
  } else {
    query.thematiques = s.thematiques;
  }
  if (!s.commune.empty()) query.commune = s.commune;
  const directory::View view = directory::ViewFor(who);
  auto page = c.services.directory.Search(query, view);
  if (!page && query.commune) {
    // A commune without a known centre cannot sort by distance: search without it.
    query.commune.reset();
    page = c.services.directory.Search(query, view);
  }
  if (!page) {
    out.error = page.error().message;
    return out;
  }
  out.hits = std::move(page->items);
  const std::string where = page->commune ? " près de " + page->commune->name : std::string();
  if (out.hits.empty()) {
    out.summary = s.text.empty() ? "Aucun service ne répond à ces motifs" + where +
                                       ". Cherchez par mot-clé ci-dessous."
                                 : "Aucun service trouvé" + where + ".";
  } else {
    out.summary = std::to_string(page->total) +
                  (page->total > 1 ? " services trouvés" : " service trouvé") + where +
                  (s.text.empty() && !s.thematiques.empty() ? ", pour les motifs du passage"
                                                            : std::string()) +
                  (page->total > static_cast<std::int64_t>(out.hits.size())
                       ? " (les " + std::to_string(out.hits.size()) + " plus proches)"
                       : std::string()) +
                  ".";
  }
  // The service already chosen stays offered after another search.
  const auto chosen = ParseId(s.chosen);
  if (chosen && std::none_of(out.hits.begin(), out.hits.end(), [&](const directory::Hit& h) {
        return h.service && h.service->id == *chosen;
      })) {
    auto service = c.services.directory.GetService(*chosen, view);
    if (service) {
      auto detail = c.services.directory.GetStructure(service->structure_id, view);
      if (detail) {
        directory::Hit hit;
        hit.id = service->id;
        hit.service = *service;
        hit.structure = detail->structure;
        out.hits.insert(out.hits.begin(), std::move(hit));
      }
    }
  }
  return out;
}

// The radio list of services; `prefix` makes ids unique on a page with several lists.
Data ServiceItems(const ServiceResults& results, const ServiceSearch& s, const std::string& prefix,
                  TimePoint now) {
  Data items = List();
  const auto chosen = ParseId(s.chosen);
  for (const directory::Hit& hit : results.hits) {
    if (!hit.service || !hit.structure) continue;
    const directory::Service& service = *hit.service;
    const directory::Structure& structure = *hit.structure;
    const std::string id = prefix + "service-" + std::to_string(service.id);
    Data item = Object();
    item.set("id", id);
    item.set("value", std::to_string(service.id));
    item.set("service", service.nom);
    item.set("structure", structure.nom);
    item.set("checked", chosen && *chosen == service.id);
    std::vector<std::string> details;
    if (hit.distance_km) details.push_back("à " + FormatDistanceFr(*hit.distance_km));
    const std::string town = std::string(
        text::Trim(structure.code_postal.value_or("") + " " + structure.commune.value_or("")));
    if (!town.empty()) details.push_back(town);
    if (!hit.ouverture.etat.empty()) {
      const HoursState state =
          StateOfSearch(hit.ouverture.etat, hit.ouverture.prochain, hit.ouverture.aujourdhui, now);
      details.push_back(state.label +
                        (state.next.empty() ? std::string() : " (" + state.next + ")"));
    }
    item.set("details", Join(details, " · "));
    item.set("has_details", !details.empty());
    // The structure's referents, to address the orientation to one of them.
    Data referents = List();
    for (const directory::Referent& r : structure.referents) {
      if (r.nom.empty()) continue;
      Data o = Object();
      o.set("value", r.nom);
      o.set("label", r.fonction.empty() ? r.nom : r.nom + " — " + r.fonction);
      o.set("selected", chosen && *chosen == service.id && s.chosen_referent == r.nom);
      referents.push_back(o);
    }
    item.set("has_referents", !referents.is_empty_list());
    item.set("referents", referents);
    item.set("referent_id", id + "-referent");
    item.set("referent_name", "referent-" + std::to_string(service.id));
    items.push_back(item);
  }
  return items;
}

// ---- The creation form ----

struct DraftForm {
  std::string passage, personne;  // ids as sent
  ServiceSearch search;
  std::vector<std::string> motifs;
  std::string motif_autre;
  std::string demande;
  std::string urgence = "aucune";
  std::string mode = "information";
  std::string accompagnement;
  std::string echeance;
  std::vector<std::string> champs;
  std::string consentement;
};

// Where the orientation starts: a passage and/or a person file.
struct Origin {
  std::optional<reception::Passage> passage;
  std::optional<reception::PersonFile> person;
  std::string commune;  // where to search services: the person's, the passage's or the site's
  std::string site_nom;
};

Result<Origin> OriginOf(PageContext& c, const identity::Caller& caller, const DraftForm& f) {
  Origin origin;
  if (!f.passage.empty()) {
    const auto id = ParseId(f.passage);
    if (!id) return Fail(NotFound("Ce passage n'existe pas."));
    PASIP_ASSIGN_OR_RETURN(passage,
                           c.services.reception.GetPassage(*id, caller.principal, caller.audit));
    origin.passage = std::move(passage);
  }
  std::optional<reception::PersonId> person;
  if (origin.passage && origin.passage->person_id) {
    person = origin.passage->person_id;
  } else if (!f.personne.empty() && !origin.passage) {
    person = ParseId(f.personne);
    if (!person) return Fail(NotFound("Ce dossier n'existe pas."));
  }
  if (!origin.passage && !person) {
    return Fail(NotFound("Une orientation part d'un passage ou d'un dossier."));
  }
  if (person) {
    PASIP_ASSIGN_OR_RETURN(file,
                           c.services.reception.GetPerson(*person, caller.principal, caller.audit));
    origin.person = std::move(file);
  }
  std::optional<identity::SiteId> site;
  if (origin.passage) site = origin.passage->site_id;
  if (!site) {
    auto sites = c.services.reception.DeskSites(caller.principal);
    if (sites && !sites->empty()) site = sites->front().id;
  }
  std::string site_commune;
  if (site) {
    auto found = c.services.identity.FindSite(*site);
    if (found && *found) {
      origin.site_nom = (*found)->name;
      site_commune = (*found)->commune_code;
    }
  }
  if (origin.person && !origin.person->person.commune_code.empty()) {
    origin.commune = origin.person->person.commune_code;
  } else if (origin.passage && !origin.passage->profil.commune_code.empty()) {
    origin.commune = origin.passage->profil.commune_code;
  } else {
    origin.commune = site_commune;
  }
  return origin;
}

// The thématiques of the services that handle the motives (access-to-rights and emergency
// motives included, orientation::ThematiquesForMotifs).
std::vector<std::string> Thematiques(const std::vector<std::string>& motifs) {
  return ot::ThematiquesForMotifs(motifs);
}

// The domain's member names as the form names its fields.
Error OnDraftForm(Error error) {
  std::string& f = error.field;
  const std::size_t bracket = f.find('[');
  if (bracket != std::string::npos) f.resize(bracket);
  if (f == "referent_nom" || f == "referent" || f == "service") f = "service_id";
  if (f == "champs") f = "champs_partages";
  if (f == "passage_id" || f == "person_id" || f == "site_id" || f == "personne" ||
      f == "passage" || f == "site") {
    f.clear();
  }
  return error;
}

Data RadioOptions(std::span<const ot::Choice> choices, const std::string& name,
                  const std::string& chosen) {
  Data list = List();
  for (const ot::Choice& choice : choices) {
    Data o = Object();
    o.set("id", FieldId(name) + "-" + std::string(choice.code));
    o.set("name", name);
    o.set("value", std::string(choice.code));
    o.set("label", std::string(choice.label));
    o.set("checked", chosen == choice.code);
    list.push_back(o);
  }
  return list;
}

void SetError(Data& d, const FormErrors& errors, const std::string& key, const std::string& field) {
  const std::string message = errors.For(field);
  d.set("has_" + key + "_error", !message.empty());
  d.set(key + "_error", message);
}

struct DraftTarget {
  std::string action;  // where the form posts
  std::string title;
  std::optional<OrientationId> id;  // editing this draft
};

Response DraftPage(PageContext& c, const Request& request, int status, const DraftForm& f,
                   const Origin& origin, const DraftTarget& target, const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  const reception::Catalogue& catalogue = c.services.reception.catalogue();
  const TimePoint now = c.services.clock.Now();
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("action", target.action);
  d.set("passage", f.passage);
  d.set("personne", f.personne);
  d.set("has_passage", origin.passage.has_value());
  d.set("passage_when", origin.passage ? FormatParis(origin.passage->debut) : "");
  d.set("site_nom", origin.site_nom);
  d.set("has_site", !origin.site_nom.empty());
  const bool named = origin.person.has_value();
  d.set("named", named);
  d.set("person_nom", named ? origin.person->person.nom_affiche : "");
  d.set("person_numero", named ? std::to_string(origin.person->person.id) : "");
  d.set("person_opposition", named && origin.person->opposition());

  // Services.
  ServiceSearch search = f.search;
  const ServiceResults results = FindServices(c, caller.principal, search);
  d.set("services_summary", results.summary);
  SetText(d, "services_problem", results.error);
  d.set("services", ServiceItems(results, search, "", now));
  d.set("services_empty", results.hits.empty());
  SetError(d, errors, "service", "service_id");
  d.set("recherche", Field({.name = "recherche",
                            .label = "Chercher un autre service",
                            .value = search.text,
                            .type = "search",
                            .hint = "Un mot-clé : le nom d'un service ou d'une structure, un "
                                    "besoin (par exemple « Caf », « logement »)."},
                           errors));

  // Motives: the passage's (or those chosen), then any other from the list.
  Data motifs = Object();
  motifs.set("id", FieldId("motifs"));
  motifs.set("legend", "Motifs de l'orientation");
  motifs.set("has_hint", true);
  motifs.set("hint", origin.passage
                         ? "Ceux du passage sont cochés. Ajoutez-en un autre avec la liste."
                         : "Choisissez le motif dans la liste ci-dessous.");
  const std::string motifs_error = errors.For("motifs");
  motifs.set("has_error", !motifs_error.empty());
  motifs.set("error", motifs_error);
  motifs.set("has_describedby", true);
  motifs.set("describedby", FieldId("motifs") + "-aide" +
                                (motifs_error.empty() ? "" : " " + FieldId("motifs") + "-erreur"));
  Data motif_options = List();
  std::vector<std::string> shown;
  auto add_motif = [&](const std::string& code, bool checked) {
    if (code.empty() || std::find(shown.begin(), shown.end(), code) != shown.end()) return;
    shown.push_back(code);
    Data o = Object();
    o.set("id", "motif-" + code);
    o.set("name", "motifs");
    o.set("value", code);
    o.set("label", MotifLabel(catalogue, code));
    o.set("checked", checked);
    motif_options.push_back(o);
  };
  for (const std::string& m : f.motifs) add_motif(m, true);
  if (origin.passage) {
    for (const std::string& m : origin.passage->motifs) {
      add_motif(m, std::find(f.motifs.begin(), f.motifs.end(), m) != f.motifs.end());
    }
  }
  motifs.set("options", motif_options);
  motifs.set("has_options", !motif_options.is_empty_list());
  d.set("motifs", motifs);
  std::vector<Option> others;
  for (const reception::Item& m : catalogue.motifs) {
    if (std::find(shown.begin(), shown.end(), m.code) == shown.end()) {
      others.push_back({m.code, m.label});
    }
  }
  d.set("motif_autre", Select({.name = "motif_autre",
                               .label = "Ajouter un motif",
                               .options = others,
                               .selected = {f.motif_autre},
                               .empty_label = "Aucun autre motif"},
                              errors));

  d.set("demande", Textarea({.name = "demande",
                             .label = "Ce qui est demandé au service",
                             .value = f.demande,
                             .hint = "En termes neutres : ce que la personne attend, ce qui a "
                                     "déjà été fait. 2 000 caractères au plus.",
                             .required = true},
                            errors, 4));
  d.set("urgence", Select({.name = "urgence",
                           .label = "Urgence",
                           .options = ChoiceOptions(reception::Urgences()),
                           .selected = {f.urgence}},
                          errors));
  d.set("modes", RadioOptions(ot::Modes(), "mode", named ? f.mode : "information"));
  SetError(d, errors, "mode", "mode");
  d.set("accompagnement", Select({.name = "accompagnement",
                                  .label = "Si elle est accompagnée : comment",
                                  .options = ChoiceOptions(ot::Accompagnements()),
                                  .selected = {f.accompagnement},
                                  .empty_label = "Non précisé",
                                  .hint = "Rendez-vous demandé ou pris pour elle, appel au "
                                          "partenaire, accompagnement physique."},
                                 errors));
  d.set("echeance", Field({.name = "echeance",
                           .label = "Échéance (facultatif)",
                           .value = f.echeance,
                           .type = "date",
                           .hint = "La date avant laquelle une réponse est attendue."},
                          errors));

  // Sharing, field by field: nothing is ticked by default (security.md S2).
  Data champs = Object();
  champs.set("id", FieldId("champs_partages"));
  champs.set("legend", "Informations transmises au service");
  champs.set("has_hint", true);
  std::string with_whom = "au service choisi ci-dessus";
  for (const directory::Hit& hit : results.hits) {
    if (hit.service && hit.structure && ParseId(search.chosen) == hit.service->id) {
      with_whom = "au service « " + hit.service->nom + " » de " + hit.structure->nom;
    }
  }
  champs.set("hint",
             "Cochez seulement ce dont le service a besoin. Les informations cochées sont "
             "transmises " +
                 with_whom +
                 " et visibles de ses professionnels quand ils ouvrent l'orientation. Rien "
                 "n'est transmis si la personne s'y oppose.");
  const std::string champs_error = errors.For("champs_partages");
  champs.set("has_error", !champs_error.empty());
  champs.set("error", champs_error);
  champs.set("has_describedby", true);
  champs.set("describedby",
             FieldId("champs_partages") + "-aide" +
                 (champs_error.empty() ? "" : " " + FieldId("champs_partages") + "-erreur"));
  Data champ_options = List();
  for (const ot::Choice& field : ot::ShareableFields()) {
    Data o = Object();
    o.set("id", "champ-" + std::string(field.code));
    o.set("name", "champs_partages");
    o.set("value", std::string(field.code));
    o.set("label", std::string(field.label));
    o.set("checked", std::find(f.champs.begin(), f.champs.end(), field.code) != f.champs.end());
    champ_options.push_back(o);
  }
  champs.set("options", champ_options);
  d.set("champs", champs);
  d.set("sharing_sentence",
        "Ce qui est transmis, et à qui : les informations cochées, " + with_whom + ".");

  Data consent = List();
  for (const auto& [code, label] : std::initializer_list<std::pair<const char*, const char*>>{
           {"informee", "La personne a été informée et accepte"},
           {"opposition", "La personne s'oppose au partage"}}) {
    Data o = Object();
    o.set("id", FieldId("consentement") + "-" + code);
    o.set("value", std::string(code));
    o.set("label", std::string(label));
    o.set("checked", f.consentement == code);
    consent.push_back(o);
  }
  d.set("consentements", consent);
  SetError(d, errors, "consentement", "consentement");

  Response response = c.renderer.Page(status, caller, {target.title, request.path, {}},
                                      "orientation_form", std::move(d));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

DraftForm ReadDraftForm(const http::FormData& form) {
  DraftForm f;
  f.passage = Trimmed(form, "passage");
  f.personne = Trimmed(form, "personne");
  f.search.text = Trimmed(form, "recherche");
  f.search.chosen = Trimmed(form, "service_id");
  if (!f.search.chosen.empty()) {
    f.search.chosen_referent = Trimmed(form, "referent-" + f.search.chosen);
  }
  std::set<std::string> seen;
  for (const char* name : {"motifs", "motif_autre"}) {
    for (const std::string& value : form.GetAll(name)) {
      const std::string code(text::Trim(value));
      if (!code.empty() && seen.insert(code).second) f.motifs.push_back(code);
    }
  }
  f.demande = Trimmed(form, "demande");
  f.urgence = Trimmed(form, "urgence");
  f.mode = Trimmed(form, "mode");
  if (f.mode.empty()) f.mode = "information";
  f.accompagnement = Trimmed(form, "accompagnement");
  f.echeance = Trimmed(form, "echeance");
  seen.clear();
  for (const std::string& value : form.GetAll("champs_partages")) {
    const std::string code(text::Trim(value));
    if (!code.empty() && seen.insert(code).second) f.champs.push_back(code);
  }
  f.consentement = Trimmed(form, "consentement");
  return f;
}

ot::Draft DraftOfForm(const DraftForm& f, const Origin& origin) {
  ot::Draft draft;
  if (origin.passage) draft.passage_id = origin.passage->id;
  if (origin.person) draft.person_id = origin.person->person.id;
  draft.service_id = ParseId(f.search.chosen).value_or(0);
  draft.referent_nom = f.search.chosen_referent;
  draft.motifs = f.motifs;
  draft.demande = f.demande;
  draft.urgence = f.urgence.empty() ? "aucune" : f.urgence;
  draft.mode = origin.person ? f.mode : "information";
  draft.accompagnement = draft.mode == "accompagnee" ? f.accompagnement : "";
  draft.echeance = f.echeance;
  if (origin.person) {
    draft.champs_partages = f.champs;
    draft.consentement = f.consentement;
  }
  return draft;
}

// GET /orientations/nouvelle?passage=ID or ?personne=ID
Response NewOrientation(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  DraftForm f;
  f.passage = Trimmed(request.query, "passage");
  f.personne = Trimmed(request.query, "personne");
  auto origin = OriginOf(c, caller, f);
  if (!origin) return ErrorResponse(c, request, origin.error());
  if (origin->passage) {
    f.motifs = origin->passage->motifs;
    f.urgence = origin->passage->urgence.empty() ? "aucune" : origin->passage->urgence;
  }
  f.search.thematiques = Thematiques(f.motifs);
  f.search.commune = origin->commune;
  return DraftPage(c, request, 200, f, *origin,
                   {"/orientations/nouvelle", "Nouvelle orientation", std::nullopt}, kNoErrors);
}

// Searches again, saves the draft or sends it, from the creation or draft-edition form.
Response SubmitDraft(PageContext& c, Request& request, const DraftTarget& target,
                     const http::FormData& form, DraftForm f) {
  const identity::Caller& caller = CallerOf(request);
  auto origin = OriginOf(c, caller, f);
  if (!origin) return ErrorResponse(c, request, origin.error());
  f.search.thematiques = Thematiques(f.motifs);
  f.search.commune = origin->commune;
  const std::string bouton = Trimmed(form, "bouton");
  if (bouton != "brouillon" && bouton != "envoyer") {
    return DraftPage(c, request, 200, f, *origin, target, kNoErrors);
  }
  FormErrors errors;
  if (!ParseId(f.search.chosen)) {
    errors.Add("service_id", "Choisissez le service vers lequel orienter la personne.");
  }
  if (!errors.empty()) return DraftPage(c, request, 422, f, *origin, target, errors);
  ot::Draft draft = DraftOfForm(f, *origin);
  draft.envoyer = bouton == "envoyer";
  auto saved = target.id ? c.services.orientation.UpdateDraft(*target.id, draft, caller.principal,
                                                              caller.audit)
                         : c.services.orientation.Create(draft, caller.principal, caller.audit);
  if (!saved) {
    return FormFailure(c, request, OnDraftForm(saved.error()), [&](int status, FormErrors e) {
      return DraftPage(c, request, status, f, *origin, target, e);
    });
  }
  OrientationId id = saved->orientation.id;
  // An existing draft is sent by its step once its last changes are saved.
  if (target.id && draft.envoyer && saved->orientation.status == Status::kDraft) {
    auto sent = c.services.orientation.Take(id, Step::kSend, {}, caller.principal, caller.audit);
    if (!sent) {
      return FormFailure(c, request, OnDraftForm(sent.error()), [&](int status, FormErrors e) {
        return DraftPage(c, request, status, f, *origin, target, e);
      });
    }
  }
  return Response::Redirect(OrientationHref(id) +
                            (draft.envoyer ? "?fait=envoyer" : "?fait=brouillon"));
}

// POST /orientations/nouvelle
Response CreateOrientation(PageContext& c, Request& request) {
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  return SubmitDraft(c, request, {"/orientations/nouvelle", "Nouvelle orientation", std::nullopt},
                     *form, ReadDraftForm(*form));
}

Result<ot::View> ViewOfPath(PageContext& c, const Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return Fail(NotFound(kMissing));
  return c.services.orientation.Get(*id, caller.principal, caller.audit);
}

DraftTarget EditTarget(OrientationId id) {
  return {OrientationHref(id) + "/modifier", "Modifier le brouillon n° " + std::to_string(id), id};
}

// GET /orientations/{id}/modifier: a draft in the creation form.
Response EditDraft(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto view = ViewOfPath(c, request);
  if (!view) return ErrorResponse(c, request, view.error());
  const ot::Orientation& o = view->orientation;
  if (o.status != Status::kDraft || !view->orienting) {
    return ErrorResponse(c, request, FailedPrecondition("Seul un brouillon peut être modifié."));
  }
  DraftForm f;
  if (o.passage_id) f.passage = std::to_string(*o.passage_id);
  if (o.person_id) f.personne = std::to_string(*o.person_id);
  f.search.chosen = std::to_string(o.service_id);
  f.search.chosen_referent = o.referent_nom;
  f.motifs = o.motifs;
  f.demande = o.demande;
  f.urgence = o.urgence;
  f.mode = o.mode;
  f.accompagnement = o.accompagnement;
  f.echeance = o.echeance;
  f.champs = o.champs_partages;
  f.consentement = o.consentement;
  auto origin = OriginOf(c, caller, f);
  if (!origin) return ErrorResponse(c, request, origin.error());
  f.search.thematiques = Thematiques(f.motifs);
  f.search.commune = origin->commune;
  return DraftPage(c, request, 200, f, *origin, EditTarget(o.id), kNoErrors);
}

// POST /orientations/{id}/modifier
Response UpdateDraft(PageContext& c, Request& request) {
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound(kMissing));
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  return SubmitDraft(c, request, EditTarget(*id), *form, ReadDraftForm(*form));
}

// ---- The detail ----

// What a step form sent, to show it again with its errors.
struct StepForm {
  std::string etape;  // StepName of the form re-shown, or ""
  std::string motif, commentaire, rdv_date, rdv_heure, rdv_lieu;
  ServiceSearch search;  // re-orientation
  bool searched = false;
  FormErrors errors;
};

// The id and name of a field of the form of `etape`.
std::string StepField(std::string_view etape, std::string_view name) {
  return std::string(etape) + "-" + std::string(name);
}

struct DetailWhere {
  std::string base;   // "/orientations/42" or "/lien/orientation"
  bool link = false;  // a partner through a signed link
};

Data HistoryRows(Services& services, const ot::View& v) {
  UserNames users(services);
  Data rows = List();
  for (const ot::Event& e : v.history) {
    Data row = Object();
    row.set("date", FormatParis(e.at));
    std::string who;
    if (e.actor == "orientation") {
      who = v.organisation_nom;
    } else if (e.actor == "destinataire") {
      who = v.recipient_organisation_nom.empty() ? v.orientation.structure_nom
                                                 : v.recipient_organisation_nom;
    } else if (e.actor == "lien") {
      who = v.orientation.structure_nom + " (par le lien reçu par e-mail)";
    } else if (e.actor == "systeme") {
      who = "Automatique";
    } else {
      who = e.actor;
    }
    if (e.actor_id != 0) {
      const std::string name = users.Of(e.actor_id);
      if (!name.empty()) who = name + (who.empty() ? "" : " (" + who + ")");
    }
    row.set("qui", who.empty() ? std::string("—") : who);
    row.set("etape", StepLabelOf(e.step));
    row.set("de", StatusLabelOf(e.from));
    row.set("vers", StatusLabelOf(e.to));
    const std::string reason = ReasonLabel(e.detail);
    row.set("detail", !reason.empty() ? reason : (e.detail.empty() ? "—" : e.detail));
    rows.push_back(row);
  }
  return rows;
}

// What the detail, the liaison form and the link pages show of an orientation.
Data OrientationData(PageContext& c, const ot::View& v, const DetailWhere& where) {
  const reception::Catalogue& catalogue = c.services.reception.catalogue();
  const ot::Orientation& o = v.orientation;
  Data d = Object();
  d.set("numero", std::to_string(o.id));
  d.set("statut", std::string(ot::StatusLabel(o.status)));
  d.set("statut_code", std::string(ot::StatusName(o.status)));
  d.set("draft", o.status == Status::kDraft);
  d.set("organisation", v.organisation_nom);
  SetText(d, "site", v.site_nom);
  SetText(d, "agent", v.agent_nom);
  d.set("structure", o.structure_nom);
  d.set("service", o.service_nom);
  SetText(d, "referent", o.referent_nom);
  SetText(d, "destinataire_organisation", v.recipient_organisation_nom);
  d.set("motifs", MotifLabels(catalogue, o.motifs));
  d.set("demande", o.demande);
  d.set("urgence", UrgenceLabel(o.urgence));
  d.set("urgent", o.urgence != "aucune" && !o.urgence.empty());
  d.set("mode", ChoiceLabel(ot::Modes(), o.mode));
  SetText(d, "accompagnement",
          o.accompagnement.empty() ? "" : ChoiceLabel(ot::Accompagnements(), o.accompagnement));
  SetText(d, "echeance", o.echeance.empty() ? "" : FormatDateFr(o.echeance));
  d.set("creee_le", FormatParis(o.created_at));
  SetText(d, "envoyee_le", o.sent_at ? FormatParis(*o.sent_at) : "");
  SetText(d, "recue_le", o.received_at ? FormatParis(*o.received_at) : "");
  SetText(d, "rdv_date", o.rdv_date ? FormatParis(*o.rdv_date) : "");
  SetText(d, "rdv_lieu", o.rdv_lieu);
  d.set("has_rdv", o.rdv_date.has_value());
  const std::string reason = ReasonLabel(o.motif);
  SetText(d, "motif_reponse", reason.empty() ? o.motif : reason);
  SetText(d, "commentaire", o.commentaire);

  // Sharing and consent.
  const bool anonymous = !o.person_id;
  d.set("anonyme", anonymous);
  d.set("opposition", o.consentement == "opposition");
  d.set("informee", o.consentement == "informee");
  std::vector<std::string> fields;
  for (const std::string& f : o.champs_partages) {
    fields.push_back(ChoiceLabel(ot::ShareableFields(), f));
  }
  SetText(d, "champs", Join(fields));
  d.set("shows_shared", v.shows_shared);
  Data shared = List();
  for (const ot::SharedValue& s : o.partage) {
    Data row = Object();
    row.set("champ", ChoiceLabel(ot::ShareableFields(), s.field));
    row.set("valeur", s.value.empty() ? std::string("—") : s.value);
    shared.push_back(row);
  }
  d.set("partage", shared);
  d.set("has_partage", v.shows_shared && !o.partage.empty());

  // Re-orientation chain: links for professionals, numbers through a link.
  d.set("has_origine", o.origine_id.has_value());
  d.set("origine", o.origine_id ? std::to_string(*o.origine_id) : "");
  d.set("origine_href", o.origine_id && !where.link ? OrientationHref(*o.origine_id) : "");
  d.set("has_suite", o.reorientee_vers.has_value());
  d.set("suite", o.reorientee_vers ? std::to_string(*o.reorientee_vers) : "");
  d.set("suite_href", o.reorientee_vers && !where.link ? OrientationHref(*o.reorientee_vers) : "");
  d.set("professional", !where.link);

  d.set("history", HistoryRows(c.services, v));
  d.set("has_history", !v.history.empty());
  return d;
}

bool NeedsFields(Step s) {
  return s == Step::kRefuse || s == Step::kReorient || s == Step::kProposeAppointment ||
         s == Step::kSetAppointment || s == Step::kCancel;
}

Data StepForms(PageContext& c, const identity::Caller& caller, const ot::View& v,
               const DetailWhere& where, const StepForm& sent) {
  const TimePoint now = c.services.clock.Now();
  Data simple = List();
  Data detailed = List();
  for (const Step step : v.steps) {
    const std::string etape(ot::StepName(step));
    const bool resent = sent.etape == etape;
    const FormErrors& errors = resent ? sent.errors : kNoErrors;
    Data form = Object();
    form.set("etape", etape);
    form.set("label", std::string(ot::StepLabel(step)));
    form.set("action", where.base + "/" + etape);
    form.set("version", std::to_string(v.orientation.version));
    form.set("open", resent);
    form.set("has_confirm", step == Step::kClose);
    form.set("confirm", "Clôturer l'orientation ? Plus rien ne pourra y être noté.");
    if (!NeedsFields(step)) {
      simple.push_back(form);
      continue;
    }
    Data selects = List();
    Data fields = List();
    std::span<const ot::Choice> reasons;
    std::string reason_label = "Motif";
    if (step == Step::kRefuse) {
      reasons = ot::RefusalReasons();
      reason_label = "Motif du refus";
    } else if (step == Step::kReorient) {
      reasons = ot::ReorientReasons();
      reason_label = "Motif de la réorientation";
    } else if (step == Step::kCancel) {
      reasons = ot::CancelReasons();
      reason_label = "Motif de l'annulation";
    }
    if (!reasons.empty()) {
      selects.push_back(Renamed(Select({.name = StepField(etape, "motif"),
                                        .label = reason_label,
                                        .options = ChoiceOptions(reasons),
                                        .selected = {resent ? sent.motif : ""},
                                        .empty_label = "Choisir un motif",
                                        .required = true},
                                       errors),
                                "motif"));
    }
    const bool rdv = step == Step::kProposeAppointment || step == Step::kSetAppointment;
    if (rdv) {
      fields.push_back(Renamed(Field({.name = StepField(etape, "rdv_date"),
                                      .label = "Date du rendez-vous",
                                      .value = resent ? sent.rdv_date : "",
                                      .type = "date",
                                      .required = true},
                                     errors),
                               "rdv_date"));
      fields.push_back(Renamed(Field({.name = StepField(etape, "rdv_heure"),
                                      .label = "Heure",
                                      .value = resent ? sent.rdv_heure : "",
                                      .type = "time",
                                      .hint = "Par exemple 14:30."},
                                     errors),
                               "rdv_heure"));
      fields.push_back(Renamed(Field({.name = StepField(etape, "rdv_lieu"),
                                      .label = "Lieu (facultatif)",
                                      .value = resent ? sent.rdv_lieu : "",
                                      .hint = "L'adresse ou le bureau où la personne est "
                                              "attendue."},
                                     errors),
                               "rdv_lieu"));
    }
    form.set("selects", selects);
    form.set("fields", fields);
    form.set("commentaire",
             Renamed(Textarea({.name = StepField(etape, "commentaire"),
                               .label = step == Step::kRefuse ? "Commentaire"
                                                              : "Commentaire (facultatif)",
                               .value = resent ? sent.commentaire : "",
                               .hint = "Visible des deux côtés. 1 000 caractères au plus, sans "
                                       "information sensible."},
                              errors, 2),
                     "commentaire"));
    form.set("reorient", step == Step::kReorient);
    if (step == Step::kReorient) {
      ServiceSearch search = resent ? sent.search : ServiceSearch{};
      form.set("recherche", Renamed(Field({.name = StepField(etape, "recherche"),
                                           .label = "Chercher le nouveau service",
                                           .value = search.text,
                                           .type = "search",
                                           .hint = "Un mot-clé, puis « Chercher »."},
                                          errors),
                                    "recherche"));
      const bool searched = resent && sent.searched;
      Data services = List();
      std::string summary;
      if (searched || !search.chosen.empty()) {
        const ServiceResults results = FindServices(c, caller.principal, search);
        summary = results.error.empty() ? results.summary : results.error;
        services = ServiceItems(results, search, "reorienter-", now);
      }
      form.set("searched", searched || !search.chosen.empty());
      form.set("services_summary", summary);
      form.set("services", services);
      form.set("service_fieldset", StepField(etape, "service_id"));
      const std::string service_error = errors.For(StepField(etape, "service_id"));
      form.set("has_service_error", !service_error.empty());
      form.set("service_error", service_error);
    }
    detailed.push_back(form);
  }
  Data d = Object();
  d.set("simple", simple);
  d.set("has_simple", !simple.is_empty_list());
  d.set("detailed", detailed);
  d.set("has_steps", !v.steps.empty());
  return d;
}

Response DetailPage(PageContext& c, const Request& request, int status, const ot::View& v,
                    const DetailWhere& where, const StepForm& sent) {
  const identity::Caller& caller = CallerOf(request);
  Data d = OrientationData(c, v, where);
  d.set("steps", StepForms(c, caller, v, where, sent));
  d.set("page_form", sent.errors.Summary());
  d.set("fiche_href", where.base + "/fiche");
  d.set("link", where.link);
  d.set("orienting", v.orienting);
  d.set("recipient", v.recipient);
  d.set("can_edit", v.orienting && v.orientation.status == Status::kDraft && !where.link &&
                        Allowed(caller, identity::Action::kOrientationsWrite));
  d.set("edit_href", where.base + "/modifier");
  d.set("back_href", v.recipient && !v.orienting ? "/orientations/recues" : "/orientations");
  d.set("back_label",
        v.recipient && !v.orienting ? "Retour aux orientations reçues" : "Retour aux orientations");
  d.set("person_href", v.orientation.person_id && v.orienting && !where.link
                           ? "/personnes/" + std::to_string(*v.orientation.person_id)
                           : "");
  d.set("has_person_link", v.orientation.person_id && v.orienting && !where.link);
  Frame frame{"Orientation n° " + std::to_string(v.orientation.id), request.path,
              NoticeOf(request)};
  Response response = c.renderer.Page(status, caller, frame, "orientation", std::move(d));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

// GET /orientations/{id}
Response ShowOrientation(PageContext& c, Request& request) {
  auto view = ViewOfPath(c, request);
  if (!view) return ErrorResponse(c, request, view.error());
  return DetailPage(c, request, 200, *view, {OrientationHref(view->orientation.id), false}, {});
}

// A date and a time typed in the form, as an instant (Paris wall time).
std::optional<TimePoint> ParisInstant(std::string_view date, std::string_view time) {
  const auto day = ParseIso(date);
  if (date.size() != 10 || !day) return std::nullopt;
  unsigned hour = 0, minute = 0;
  if (!time.empty()) {
    if (time.size() < 4 || time.size() > 5) return std::nullopt;
    const std::size_t colon = time.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto h = ParseId("1" + std::string(time.substr(0, colon)));
    const auto m = ParseId("1" + std::string(time.substr(colon + 1)));
    if (!h || !m || colon == 0 || time.size() - colon - 1 != 2) return std::nullopt;
    hour = static_cast<unsigned>(*h - (colon == 1 ? 10 : 100));
    minute = static_cast<unsigned>(*m - 100);
    if (hour > 23 || minute > 59) return std::nullopt;
  }
  const CivilTime utc = CivilFromUnixSeconds(ToUnixSeconds(*day));
  CivilTime local = utc;
  local.hour = hour;
  local.minute = minute;
  local.second = 0;
  return FromParisCivil(local);
}

// Reads a step's form. `errors` gets what the form itself can tell.
ot::StepInput ReadStepInput(const http::FormData& form, std::string_view etape, StepForm& sent) {
  ot::StepInput input;
  sent.etape = std::string(etape);
  sent.motif = Trimmed(form, "motif");
  sent.commentaire = Trimmed(form, "commentaire");
  sent.rdv_date = Trimmed(form, "rdv_date");
  sent.rdv_heure = Trimmed(form, "rdv_heure");
  sent.rdv_lieu = Trimmed(form, "rdv_lieu");
  sent.search.text = Trimmed(form, "recherche");
  sent.search.chosen = Trimmed(form, "service_id");
  if (!sent.search.chosen.empty()) {
    sent.search.chosen_referent = Trimmed(form, "referent-" + sent.search.chosen);
  }
  input.motif = sent.motif;
  input.commentaire = sent.commentaire;
  input.rdv_lieu = sent.rdv_lieu;
  input.referent_nom = sent.search.chosen_referent;
  input.service_id = ParseId(sent.search.chosen).value_or(0);
  if (const auto version = ParseId(Trimmed(form, "version"))) input.version = *version;
  if (!sent.rdv_date.empty() || !sent.rdv_heure.empty()) {
    input.rdv_date = ParisInstant(sent.rdv_date, sent.rdv_heure);
    if (!input.rdv_date) {
      sent.errors.Add(
          StepField(etape,
                    sent.rdv_date.empty() || !ParseIso(sent.rdv_date) ? "rdv_date" : "rdv_heure"),
          sent.rdv_date.empty() ? "Indiquez la date du rendez-vous."
                                : "La date ou l'heure n'est pas valide : une date "
                                  "(jj/mm/aaaa) et une heure (hh:mm).");
    }
  }
  return input;
}

// A domain error on a step's form: its field as the form names it.
Error OnStepForm(Error error, std::string_view etape) {
  std::string& f = error.field;
  if (f == "motif" || f == "commentaire" || f == "rdv_lieu" || f == "service_id" ||
      f == "rdv_date") {
    f = StepField(etape, f);
  } else if (f == "date" || f == "rendez_vous") {
    f = StepField(etape, "rdv_date");
  } else if (f == "service" || f == "referent" || f == "referent_nom") {
    f = StepField(etape, "service_id");
  } else {
    f.clear();
  }
  return error;
}

// Takes the {etape} of the path on an orientation, for the detail page or a link session.
template <typename GetView, typename TakeStep>
Response StepPost(PageContext& c, Request& request, const std::string& etape,
                  const DetailWhere& where, GetView get_view, TakeStep take) {
  const auto step = ot::ParseStep(etape);
  if (!step || *step == Step::kOpen || *step == Step::kRemind || *step == Step::kExpire) {
    return ErrorResponse(c, request, NotFound("Cette action n'existe pas."));
  }
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  StepForm sent;
  ot::StepInput input = ReadStepInput(*form, etape, sent);
  auto again = [&](int status) -> Response {
    auto view = get_view();
    if (!view) return ErrorResponse(c, request, view.error());
    return DetailPage(c, request, status, *view, where, sent);
  };
  // Re-orientation: "Chercher" shows the services found in the form.
  if (*step == Step::kReorient && Trimmed(*form, "bouton") == "chercher") {
    sent.searched = true;
    return again(200);
  }
  if (*step == Step::kReorient && input.service_id == 0 && sent.errors.empty()) {
    sent.errors.Add(StepField(etape, "service_id"),
                    "Cherchez puis choisissez le service vers lequel réorienter.");
  }
  if (!sent.errors.empty()) return again(422);
  auto taken = take(*step, input);
  if (!taken) {
    const Error error = OnStepForm(taken.error(), etape);
    if (!IsFormError(error)) return ErrorResponse(c, request, error);
    sent.errors.Add(error);
    return again(FormErrorStatus(error));
  }
  return Response::Redirect(where.base + "?fait=" + etape);
}

// POST /orientations/{id}/<etape>
Response TakeStep(PageContext& c, Request& request, Step which) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound(kMissing));
  return StepPost(
      c, request, std::string(ot::StepName(which)), {OrientationHref(*id), false},
      [&] { return c.services.orientation.Get(*id, caller.principal, caller.audit); },
      [&](Step step, const ot::StepInput& input) {
        return c.services.orientation.Take(*id, step, input, caller.principal, caller.audit);
      });
}

// ---- The liaison form (print view) ----

Response FichePage(PageContext& c, const Request& request, const ot::LiaisonForm& form,
                   const DetailWhere& where) {
  Data d = OrientationData(c, form.view, where);
  SetText(d, "site_adresse", form.site_adresse);
  SetText(d, "agent_courriel", form.agent_courriel);
  SetText(d, "service_telephone", form.service_telephone);
  SetText(d, "service_courriel", form.service_courriel);
  SetText(d, "service_adresse", form.service_adresse);
  d.set("back_href", where.base);
  d.set("edited_at", FormatParis(c.services.clock.Now()));
  Frame frame{"Fiche de liaison — orientation n° " + std::to_string(form.view.orientation.id),
              request.path,
              {}};
  Response response =
      c.renderer.Page(200, CallerOf(request), frame, "orientation_fiche", std::move(d));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

// GET /orientations/{id}/fiche
Response ShowFiche(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound(kMissing));
  auto form = c.services.orientation.Form(*id, caller.principal, caller.audit);
  if (!form) return ErrorResponse(c, request, form.error());
  return FichePage(c, request, *form, {OrientationHref(*id), false});
}

// ---- Lists ----

std::vector<Status> StatusesOf(const std::string& code) {
  if (code.empty()) return {};
  if (code == "en_attente") return {Status::kSent, Status::kReceived};
  if (code == "rdv") return {Status::kAppointmentProposed, Status::kAppointmentSet};
  if (const auto s = ot::ParseStatus(code)) return {*s};
  return {};
}

std::vector<Option> StatusOptions(bool drafts) {
  std::vector<Option> out = {{"en_attente", "En attente de réponse (envoyée ou reçue)"},
                             {"rdv", "Rendez-vous proposé ou fixé"}};
  for (const Status s : ot::kAllStatuses) {
    if (s == Status::kDraft && !drafts) continue;
    out.push_back({std::string(ot::StatusName(s)), std::string(ot::StatusLabel(s))});
  }
  return out;
}

struct ListPageSpec {
  ot::Box box;
  std::string title;
  std::string path;
};

Response ListPage(PageContext& c, Request& request, const ListPageSpec& spec) {
  const identity::Caller& caller = CallerOf(request);
  const TimePoint now = c.services.clock.Now();
  const bool inbox = spec.box == ot::Box::kInbox;
  const std::string statut = Trimmed(request.query, "statut");
  const std::string urgence = Trimmed(request.query, "urgence");
  const std::string anciennete = Trimmed(request.query, "anciennete");
  ot::ListFilter filter;
  filter.box = spec.box;
  filter.statuses = StatusesOf(statut);
  if (reception::IsChoice(reception::Urgences(), urgence)) filter.urgence = urgence;
  if (inbox) {
    if (const auto days = ParseId(anciennete))
      filter.anciennete_min_jours = static_cast<int>(*days);
  }
  filter.apres = ParseId(Trimmed(request.query, "apres"));
  filter.limite = kListLimit;
  auto page = c.services.orientation.List(filter, caller.principal, caller.audit);
  if (!page) return ErrorResponse(c, request, page.error());

  Data d = Object();
  d.set("inbox", inbox);
  d.set("action", spec.path);
  d.set("statut", Select({.name = "statut",
                          .label = "Statut",
                          .options = StatusOptions(!inbox),
                          .selected = {statut},
                          .empty_label = "Tous les statuts"},
                         kNoErrors));
  d.set("urgence", Select({.name = "urgence",
                           .label = "Urgence",
                           .options = ChoiceOptions(reception::Urgences()),
                           .selected = {filter.urgence},
                           .empty_label = "Toutes"},
                          kNoErrors));
  d.set("anciennete", Select({.name = "anciennete",
                              .label = "Envoyée depuis",
                              .options = {{"2", "au moins 2 jours"},
                                          {"7", "au moins 7 jours"},
                                          {"14", "au moins 14 jours"},
                                          {"30", "au moins 30 jours"}},
                              .selected = {anciennete},
                              .empty_label = "Peu importe"},
                             kNoErrors));
  d.set("can_write", Allowed(caller, identity::Action::kOrientationsWrite));
  d.set("can_measure", Allowed(caller, identity::Action::kOrientationsMeasures));
  Data rows = List();
  for (const ot::View& v : page->items) {
    const ot::Orientation& o = v.orientation;
    Data row = Object();
    row.set("numero", std::to_string(o.id));
    row.set("href", OrientationHref(o.id));
    row.set("date", o.sent_at ? FormatParis(*o.sent_at) : FormatParis(o.created_at));
    row.set("service", o.service_nom);
    row.set("structure", o.structure_nom);
    row.set("de", Join({v.site_nom, v.organisation_nom}, " — "));
    row.set("statut", std::string(ot::StatusLabel(o.status)));
    row.set("urgence", UrgenceLabel(o.urgence));
    row.set("urgent", o.urgence != "aucune" && !o.urgence.empty());
    row.set("echeance", o.echeance.empty() ? std::string("—") : FormatDateFr(o.echeance));
    row.set("age", o.sent_at ? DaysFr(std::max<std::int64_t>(0, DaysBetween(*o.sent_at, now)))
                             : std::string("—"));
    const std::vector<std::string> alerts = AlertTexts(v, now);
    row.set("alertes", Badges(alerts));
    row.set("has_alertes", !alerts.empty());
    rows.push_back(row);
  }
  d.set("rows", rows);
  d.set("empty", page->items.empty());
  d.set("count", std::to_string(page->items.size()));
  d.set("filtered", !statut.empty() || !filter.urgence.empty() || filter.anciennete_min_jours > 0);
  d.set("has_next", page->suivant.has_value());
  std::string next = spec.path + "?apres=" + (page->suivant ? std::to_string(*page->suivant) : "");
  if (!statut.empty()) next += "&statut=" + UrlEncode(statut);
  if (!filter.urgence.empty()) next += "&urgence=" + UrlEncode(filter.urgence);
  if (filter.anciennete_min_jours > 0) next += "&anciennete=" + UrlEncode(anciennete);
  d.set("next_href", next);
  d.set("first_page", !filter.apres.has_value());
  d.set("first_href", spec.path);
  return c.renderer.Page(200, caller, {spec.title, request.path, NoticeOf(request)},
                         "orientation_list", std::move(d));
}

// GET /orientations: the orienting agent's list.
Response SentList(PageContext& c, Request& request) {
  return ListPage(c, request, {ot::Box::kSent, "Orientations", "/orientations"});
}

// GET /orientations/recues: the partner's inbox.
Response Inbox(PageContext& c, Request& request) {
  return ListPage(c, request, {ot::Box::kInbox, "Orientations reçues", "/orientations/recues"});
}

// ---- Measures ----

std::string CellText(const Cell& cell) {
  return cell.masked ? std::string() : std::to_string(cell.value);
}

std::string Percent(const std::optional<double>& rate) {
  if (!rate) return "—";
  return std::to_string(static_cast<int>(std::lround(*rate * 100))) + " %";
}

std::string Hours(const std::optional<double>& hours) {
  if (!hours) return "—";
  if (*hours < 48) return std::to_string(static_cast<int>(std::lround(*hours))) + " h";
  const long tenths = std::lround(*hours / 24 * 10);
  std::string days = std::to_string(tenths / 10);
  if (tenths % 10 != 0) days += "," + std::to_string(tenths % 10);
  return days + " jours";
}

Data MeasureRow(const ot::MeasureLine& line) {
  Data row = Object();
  row.set("label", line.label.empty() ? line.key : line.label);
  Data cells = List();
  for (const Cell* cell : {&line.envoyees, &line.repondues, &line.acceptees, &line.personnes_recues,
                           &line.non_venues, &line.expirees}) {
    Data item = Object();
    item.set("masked", cell->masked);
    item.set("value", CellText(*cell));
    cells.push_back(item);
  }
  row.set("cells", cells);
  row.set("taux_acceptation", Percent(line.taux_acceptation));
  row.set("taux_issue", Percent(line.taux_issue_confirmee));
  row.set("delai", Hours(line.delai_median_heures));
  return row;
}

// GET /orientations/mesures?par=…&du=…&au=…
Response MeasuresPage(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const TimePoint now = c.services.clock.Now();
  std::string par = Trimmed(request.query, "par");
  std::string du = Trimmed(request.query, "du");
  std::string au = Trimmed(request.query, "au");
  if (au.empty()) au = ParisDate(now);
  if (du.empty()) du = ParisDate(now - Seconds(std::int64_t{kMeasureDefaultDays - 1} * 86400));
  ot::GroupBy group = ot::GroupBy::kPartner;
  std::string group_label = "partenaire";
  if (par == "service") {
    group = ot::GroupBy::kService;
    group_label = "service";
  } else if (par == "site") {
    group = ot::GroupBy::kSite;
    group_label = "lieu d'accueil";
  } else {
    par = "partenaire";
  }
  FormErrors errors;
  Data d = Object();
  auto measures = c.services.orientation.Measure(group, du, au, caller.principal);
  if (!measures) {
    if (!IsFormError(measures.error())) return ErrorResponse(c, request, measures.error());
    Error error = measures.error();
    if (error.field != "du" && error.field != "au") error.field = "du";
    errors.Add(error);
  }
  d.set("form", errors.Summary());
  d.set("par", Select({.name = "par",
                       .label = "Regrouper par",
                       .options = {{"partenaire", "Partenaire"},
                                   {"service", "Service"},
                                   {"site", "Lieu d'accueil qui oriente"}},
                       .selected = {par}},
                      errors));
  d.set("du", Field({.name = "du", .label = "Du", .value = du, .type = "date", .required = true},
                    errors));
  d.set("au", Field({.name = "au", .label = "Au", .value = au, .type = "date", .required = true},
                    errors));
  d.set("group_label", group_label);
  d.set("has_measures", measures.has_value());
  if (measures) {
    Data rows = List();
    for (const ot::MeasureLine& line : measures->lignes) rows.push_back(MeasureRow(line));
    d.set("rows", rows);
    d.set("empty", measures->lignes.empty());
    d.set("total", MeasureRow(measures->total));
    d.set("caption", "Orientations envoyées du " + FormatDateFr(measures->du) + " au " +
                         FormatDateFr(measures->au) + ", par " + group_label);
  }
  return c.renderer.Page(errors.empty() ? 200 : 422, caller,
                         {"Mesures des orientations", request.path, {}}, "orientation_measures",
                         std::move(d));
}

// ---- Notifications ----

Response NotificationsPage(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto list = c.services.orientation.Notifications(caller.principal, false, kNotificationLimit);
  if (!list) return ErrorResponse(c, request, list.error());
  Data d = Object();
  Data items = List();
  std::int64_t unread = 0;
  for (const ot::Notification& n : *list) {
    Data item = Object();
    item.set("id", std::to_string(n.id));
    item.set("date", FormatParis(n.at));
    item.set("message", n.message);
    item.set("href", OrientationHref(n.orientation_id));
    item.set("numero", std::to_string(n.orientation_id));
    item.set("unread", !n.read_at);
    item.set("read_at", n.read_at ? FormatParis(*n.read_at) : "");
    item.set("action", "/notifications/" + std::to_string(n.id) + "/lue");
    if (!n.read_at) ++unread;
    items.push_back(item);
  }
  d.set("items", items);
  d.set("empty", list->empty());
  d.set("has_unread", unread > 0);
  d.set("unread", std::to_string(unread));
  const bool partner = caller.principal.HasRole(identity::Role::kPartenaire);
  d.set("partner", partner);
  if (partner) {
    auto digest = c.services.orientation.WantsDigest(caller.principal);
    d.set("digest", Checkbox("resume",
                             "Recevoir un seul e-mail récapitulatif par jour, au lieu d'un e-mail "
                             "à chaque nouvelle orientation",
                             digest && *digest));
  }
  return c.renderer.Page(200, caller, {"Notifications", request.path, NoticeOf(request)},
                         "orientation_notifications", std::move(d));
}

Response NotificationRead(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound("Cette notification n'existe pas."));
  const pasip::Status status = c.services.orientation.MarkRead(*id, caller.principal);
  if (!status) return ErrorResponse(c, request, status.error());
  return Response::Redirect("/notifications?fait=lue");
}

Response NotificationsAllRead(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const pasip::Status status = c.services.orientation.MarkAllRead(caller.principal);
  if (!status) return ErrorResponse(c, request, status.error());
  return Response::Redirect("/notifications?fait=lues");
}

Response NotificationsPreference(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  const pasip::Status status =
      c.services.orientation.SetDigest(form->GetOr("resume") == "1", caller.principal);
  if (!status) return ErrorResponse(c, request, status.error());
  return Response::Redirect("/notifications?fait=preference");
}

// ---- Partners without an account: signed link, one-time code, link session ----

// A page of the link flow: no caching (it may show personal data, and the pipeline adds
// no-store only for signed-in callers).
Response LinkPage(PageContext& c, const Request& request, int status, const std::string& title,
                  std::string_view name, Data d) {
  Response response =
      c.renderer.Page(status, CallerOf(request), {title, request.path, {}}, name, std::move(d));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

// The French refusal of a tampered, expired or unknown link, or of an ended link session.
Response LinkRefused(PageContext& c, const Request& request, const Error& error, bool session) {
  if (error.code != ErrorCode::kPermissionDenied && error.code != ErrorCode::kUnauthenticated &&
      error.code != ErrorCode::kNotFound) {
    return ErrorResponse(c, request, error);
  }
  Data d = Object();
  d.set("session", session);
  SetText(d, "message", session ? std::string() : error.message);
  Response response = LinkPage(c, request, 403, session ? "Session terminée" : "Lien non valide",
                               "orientation_lien_refus", std::move(d));
  if (session) {
    response.headers.emplace(
        "Set-Cookie", http::ExpireCookieValue(kLinkCookie, c.renderer.options().secure_cookies));
  }
  return response;
}

Data LinkStartData(const ot::LinkStart& start, const std::string& token) {
  Data d = Object();
  d.set("structure", start.structure_nom);
  d.set("service", start.service_nom);
  d.set("courriel", start.courriel_masque);
  d.set("numero", std::to_string(start.orientation_id));
  d.set("code_action", "/lien/" + token + "/code");
  d.set("verify_action", "/lien/" + token + "/verifier");
  return d;
}

// GET /lien/{token}
Response LinkOpen(PageContext& c, Request& request) {
  const std::string token(request.PathParam("token"));
  auto start = c.services.orientation.OpenLink(token);
  if (!start) return LinkRefused(c, request, start.error(), false);
  return LinkPage(c, request, 200, "Une orientation vous attend", "orientation_lien",
                  LinkStartData(*start, token));
}

Response CodePage(PageContext& c, const Request& request, int status, const ot::LinkStart& start,
                  const std::string& token, const FormErrors& errors) {
  Data d = LinkStartData(start, token);
  d.set("form", errors.Summary());
  d.set("code", Field({.name = "code",
                       .label = "Code à 6 chiffres",
                       .autocomplete = "one-time-code",
                       .hint = "Le code envoyé à l'adresse " + start.courriel_masque +
                               ". Il est valable quelques minutes.",
                       .inputmode = "numeric",
                       .required = true},
                      errors));
  return LinkPage(c, request, status, "Saisir le code reçu", "orientation_lien_code", std::move(d));
}

// POST /lien/{token}/code
Response LinkSendCode(PageContext& c, Request& request) {
  const std::string token(request.PathParam("token"));
  auto start = c.services.orientation.OpenLink(token);
  if (!start) return LinkRefused(c, request, start.error(), false);
  const pasip::Status sent = c.services.orientation.SendCode(token, CallerOf(request).audit);
  if (!sent) {
    if (sent.error().code == ErrorCode::kPermissionDenied) {
      return LinkRefused(c, request, sent.error(), false);
    }
    if (!IsFormError(sent.error())) return ErrorResponse(c, request, sent.error());
    FormErrors errors;
    errors.Add("code", sent.error().message);
    return CodePage(c, request, FormErrorStatus(sent.error()), *start, token, errors);
  }
  return CodePage(c, request, 200, *start, token, {});
}

// POST /lien/{token}/verifier
Response LinkVerify(PageContext& c, Request& request) {
  const std::string token(request.PathParam("token"));
  auto start = c.services.orientation.OpenLink(token);
  if (!start) return LinkRefused(c, request, start.error(), false);
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  std::string code;
  for (char ch : form->GetOr("code")) {
    if (ch != ' ' && ch != '-') code.push_back(ch);
  }
  FormErrors errors;
  if (code.empty()) {
    errors.Add("code", "Saisissez le code à 6 chiffres reçu par e-mail.");
    return CodePage(c, request, 422, *start, token, errors);
  }
  auto session = c.services.orientation.VerifyCode(token, code, CallerOf(request).audit);
  if (!session) {
    const Error& error = session.error();
    if (error.code == ErrorCode::kPermissionDenied || IsFormError(error)) {
      errors.Add("code", error.message);
      return CodePage(c, request,
                      error.code == ErrorCode::kPermissionDenied ? 403 : FormErrorStatus(error),
                      *start, token, errors);
    }
    return ErrorResponse(c, request, error);
  }
  Response response = Response::Redirect(kLinkBase);
  http::CookieSpec cookie;
  cookie.name = kLinkCookie;
  cookie.value = *session;
  cookie.http_only = true;
  cookie.secure = c.renderer.options().secure_cookies;
  cookie.same_site = "Lax";
  cookie.max_age = std::chrono::seconds(
      std::int64_t{c.services.orientation.settings().link_session_minutes} * 60);
  response.headers.emplace("Set-Cookie", http::SetCookieValue(cookie));
  return response;
}

Result<ot::LinkSession> LinkSessionOf(PageContext& c, const Request& request) {
  const std::string token = request.Cookie(kLinkCookie);
  if (token.empty()) return Fail(Unauthenticated("Aucune session ouverte par un lien."));
  return c.services.orientation.LinkSessionOf(token);
}

const DetailWhere kLinkWhere{kLinkBase, true};

// GET /lien/orientation
Response LinkOrientation(PageContext& c, Request& request) {
  auto session = LinkSessionOf(c, request);
  if (!session) return LinkRefused(c, request, session.error(), true);
  auto view = c.services.orientation.GetByLink(*session, CallerOf(request).audit);
  if (!view) return LinkRefused(c, request, view.error(), true);
  return DetailPage(c, request, 200, *view, kLinkWhere, {});
}

// POST /lien/orientation/{etape}
Response LinkStep(PageContext& c, Request& request) {
  auto session = LinkSessionOf(c, request);
  if (!session) return LinkRefused(c, request, session.error(), true);
  const audit::Context& ctx = CallerOf(request).audit;
  return StepPost(
      c, request, std::string(request.PathParam("etape")), kLinkWhere,
      [&] { return c.services.orientation.GetByLink(*session, ctx); },
      [&](Step step, const ot::StepInput& input) {
        return c.services.orientation.TakeByLink(*session, step, input, ctx);
      });
}

// GET /lien/orientation/fiche
Response LinkFiche(PageContext& c, Request& request) {
  auto session = LinkSessionOf(c, request);
  if (!session) return LinkRefused(c, request, session.error(), true);
  auto form = c.services.orientation.FormByLink(*session, CallerOf(request).audit);
  if (!form) return LinkRefused(c, request, form.error(), true);
  return FichePage(c, request, *form, kLinkWhere);
}

// POST /lien/deconnexion
Response LinkSignOut(PageContext& c, Request& request) {
  const std::string token = request.Cookie(kLinkCookie);
  if (!token.empty()) (void)c.services.orientation.EndLinkSession(token);
  Response response = Response::Redirect("/");
  response.headers.emplace(
      "Set-Cookie", http::ExpireCookieValue(kLinkCookie, c.renderer.options().secure_cookies));
  return response;
}

}  // namespace

void RegisterOrientationPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  constexpr char kWrite[] = "orientations.write";
  constexpr char kRead[] = "orientations.read";
  constexpr char kAnswer[] = "orientations.answer";
  constexpr char kMeasures[] = "orientations.measures";
  constexpr char kPublic[] = "public";
  router.Add(Method::kGet, "/orientations", RouteKind::kPage, kRead, Bind(context, SentList));
  router.Add(Method::kGet, "/orientations/recues", RouteKind::kPage, kRead, Bind(context, Inbox));
  router.Add(Method::kGet, "/orientations/mesures", RouteKind::kPage, kMeasures,
             Bind(context, MeasuresPage));
  router.Add(Method::kGet, "/orientations/nouvelle", RouteKind::kPage, kWrite,
             Bind(context, NewOrientation));
  router.Add(Method::kPost, "/orientations/nouvelle", RouteKind::kPage, kWrite,
             Bind(context, CreateOrientation));
  router.Add(Method::kGet, "/orientations/{id}", RouteKind::kPage, kRead,
             Bind(context, ShowOrientation));
  router.Add(Method::kGet, "/orientations/{id}/fiche", RouteKind::kPage, kRead,
             Bind(context, ShowFiche));
  router.Add(Method::kGet, "/orientations/{id}/modifier", RouteKind::kPage, kWrite,
             Bind(context, EditDraft));
  router.Add(Method::kPost, "/orientations/{id}/modifier", RouteKind::kPage, kWrite,
             Bind(context, UpdateDraft));
  // One route per step, each with the action the policy checks first (the domain then checks
  // the side and the relation).
  for (const Step step : ot::kAllSteps) {
    if (step == Step::kOpen || step == Step::kRemind || step == Step::kExpire) continue;
    const bool orienting_only = step == Step::kSend || step == Step::kCancel ||
                                step == Step::kRelaunch || step == Step::kClose;
    router.Add(Method::kPost, "/orientations/{id}/" + std::string(ot::StepName(step)),
               RouteKind::kPage, orienting_only ? kWrite : kAnswer,
               Bind(context, [step](PageContext& c, Request& request) {
                 return TakeStep(c, request, step);
               }));
  }
  router.Add(Method::kGet, "/notifications", RouteKind::kPage, kRead,
             Bind(context, NotificationsPage));
  router.Add(Method::kPost, "/notifications/tout-lu", RouteKind::kPage, kRead,
             Bind(context, NotificationsAllRead));
  router.Add(Method::kPost, "/notifications/preferences", RouteKind::kPage, kRead,
             Bind(context, NotificationsPreference));
  router.Add(Method::kPost, "/notifications/{id}/lue", RouteKind::kPage, kRead,
             Bind(context, NotificationRead));

  // Partners without an account (public routes: the link, the code and the link session
  // are the credentials).
  router.Add(Method::kGet, "/lien/orientation", RouteKind::kPage, kPublic,
             Bind(context, LinkOrientation));
  router.Add(Method::kGet, "/lien/orientation/fiche", RouteKind::kPage, kPublic,
             Bind(context, LinkFiche));
  router.Add(Method::kPost, "/lien/orientation/{etape}", RouteKind::kPage, kPublic,
             Bind(context, LinkStep));
  router.Add(Method::kPost, "/lien/deconnexion", RouteKind::kPage, kPublic,
             Bind(context, LinkSignOut));
  router.Add(Method::kGet, "/lien/{token}", RouteKind::kPage, kPublic, Bind(context, LinkOpen));
  router.Add(Method::kPost, "/lien/{token}/code", RouteKind::kPage, kPublic,
             Bind(context, LinkSendCode));
  router.Add(Method::kPost, "/lien/{token}/verifier", RouteKind::kPage, kPublic,
             Bind(context, LinkVerify));
}

}  // namespace pasip::web
