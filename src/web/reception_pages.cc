// The site desk (premier accueil): the choice of site, the quick count of passages (built so
// that an anonymous walk-in takes two key presses: a motive's digit, then Enter), the batch
// entry of paper tallies, today's passages with their correction for 24 hours, the
// pre-reception queue with its hand-off to a social worker, the public waiting-room display
// (ticket numbers only) and the waiting-time statistics.
//
// Access is the domain's answer (ReceptionService checks the site's organisation and role);
// a site the caller does not receive at is the 404 page. Every page works without script;
// web/js/desk.js only adds the keyboard shortcuts of the quick count.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

#include "core/french.h"
#include "core/text.h"
#include "domain/reception/reception.h"
#include "http/static_files.h"
#include "web/directory_format.h"
#include "web/pages.h"

namespace pasip::web {
namespace {

using reception::Passage;
using reception::PassageId;
using reception::Ticket;
using reception::TicketId;
using reception::TicketState;

// Digits 1 to 9 pick the site's most frequent motives.
constexpr std::size_t kShortcutMotifs = 9;
constexpr int kStatsDefaultDays = 30;
constexpr std::size_t kMaxNote = 500;
constexpr char kDefaultCanal[] = "physique_sans_rdv";
// The acts the seeds' premier accueil always does: pre-checked on the quick count.
constexpr const char* kDefaultActes[] = {"ecoute", "information"};
constexpr char kSiteMissing[] = "Ce lieu d'accueil n'existe pas, ou vous n'y accueillez pas.";
constexpr char kPassageMissing[] = "Ce passage n'existe pas.";
constexpr char kTicketMissing[] = "Ce ticket n'existe pas.";

// Confirmations after a redirect, named by `fait`.
struct DeskNotice {
  std::string_view code;
  std::string_view message;
};
constexpr DeskNotice kDeskNotices[] = {
    {"passage", "Passage enregistré."},
    {"lot", "Le lot de passages a été enregistré."},
    {"correction", "Le passage a été corrigé."},
    {"suppression", "Le passage a été supprimé."},
    {"ticket", "Ticket remis."},
    {"appel", "Ticket appelé."},
    {"transmis", "La personne a été transmise, avec votre note."},
    {"absent", "Ticket noté absent."},
    {"termine", "Ticket terminé."},
    {"personne", "Personne n'attend."},
};

std::string NoticeOf(const Request& request) {
  const std::string code = request.query.GetOr("fait");
  for (const DeskNotice& n : kDeskNotices) {
    if (n.code == code) {
      std::string message(n.message);
      // The ticket number helps the agent call it out (a number, no personal data).
      const auto numero = ParseId(request.query.GetOr("numero"));
      if (numero && (code == "ticket" || code == "appel")) {
        message =
            "Ticket n° " + std::to_string(*numero) + (code == "ticket" ? " remis." : " appelé.");
      }
      return message;
    }
  }
  return NoticeFromQuery(request);
}

std::string DeskHref(identity::SiteId id) { return "/accueil/" + std::to_string(id); }

std::string Trimmed(const http::FormData& form, std::string_view name) {
  return std::string(text::Trim(form.GetOr(name)));
}

const FormErrors kNoErrors;

std::string StaticUrl(const PageContext& c, std::string_view name) {
  const Options& options = c.renderer.options();
  if (options.assets != nullptr) return options.assets->Url(name);
  return "/static/" + std::string(name);
}

// "14 h 05".
std::string TimeFr(TimePoint t) {
  const CivilTime civil = ToParisCivil(t);
  std::string minutes = std::to_string(civil.minute);
  if (minutes.size() < 2) minutes.insert(0, "0");
  return std::to_string(civil.hour) + " h " + minutes;
}

std::string Minutes(std::int64_t m) { return std::to_string(m) + (m > 1 ? " minutes" : " minute"); }

std::string MotifLabel(const reception::Catalogue& catalogue, const std::string& code) {
  const reception::Item* item = catalogue.Motif(code);
  return item != nullptr ? item->label : code;
}

std::string ActeLabel(const reception::Catalogue& catalogue, const std::string& code) {
  const reception::Item* item = catalogue.Acte(code);
  return item != nullptr ? item->label : code;
}

std::string JoinLabels(const std::vector<std::string>& codes,
                       std::string (*label)(const reception::Catalogue&, const std::string&),
                       const reception::Catalogue& catalogue) {
  std::string out;
  for (const std::string& code : codes) {
    if (!out.empty()) out += ", ";
    out += label(catalogue, code);
  }
  return out;
}

std::vector<Option> ChoiceOptions(std::span<const reception::Choice> choices) {
  std::vector<Option> out;
  for (const reception::Choice& c : choices) {
    out.push_back({std::string(c.code), std::string(c.label)});
  }
  return out;
}

std::vector<Option> MotifOptions(const std::vector<reception::Item>& motifs) {
  std::vector<Option> out;
  for (const reception::Item& m : motifs) out.push_back({m.code, m.label});
  return out;
}

// ---- Keyboard shortcuts ----

std::string UpperAscii(std::string s) {
  for (char& ch : s) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  return s;
}

// Gives each label the first of its letters not taken yet (or none), in order.
class Letters {
 public:
  std::string Take(std::string_view label) {
    // Accents folded: "Écoute" takes "e", typed without a dead key.
    for (const char letter : text::FoldAccents(label)) {
      if (letter >= 'a' && letter <= 'z' && taken_.insert(letter).second) {
        return std::string(1, letter);
      }
    }
    return {};
  }

 private:
  std::set<char> taken_;
};

// ---- The site ----

// The {site} of the path, among the caller's desk sites.
Result<identity::Site> DeskSiteOf(PageContext& c, const Request& request) {
  const auto id = ParseId(request.PathParam("site"));
  if (!id) return Fail(NotFound(kSiteMissing));
  PASIP_ASSIGN_OR_RETURN(sites, c.services.reception.DeskSites(CallerOf(request).principal));
  for (identity::Site& site : sites) {
    if (site.id == *id) return std::move(site);
  }
  return Fail(NotFound(kSiteMissing));
}

// ---- The passage form (quick count and correction) ----

struct PassageForm {
  std::string canal = kDefaultCanal;
  std::vector<std::string> motifs;
  std::vector<std::string> actes{kDefaultActes[0], kDefaultActes[1]};
  std::string tranche_age, sexe, foyer, commune;
};

// The values as sent: motives from the checkboxes and the "tous les motifs" list, without
// empty or repeated values.
PassageForm ReadPassageForm(const http::FormData& form) {
  PassageForm sent;
  sent.canal = Trimmed(form, "canal");
  sent.motifs.clear();
  std::set<std::string> seen;
  for (const char* name : {"motifs", "motif_autre"}) {
    for (const std::string& value : form.GetAll(name)) {
      const std::string code(text::Trim(value));
      if (!code.empty() && seen.insert(code).second) sent.motifs.push_back(code);
    }
  }
  sent.actes.clear();
  seen.clear();
  for (const std::string& value : form.GetAll("actes")) {
    const std::string code(text::Trim(value));
    if (!code.empty() && seen.insert(code).second) sent.actes.push_back(code);
  }
  sent.tranche_age = Trimmed(form, "profil.tranche_age");
  sent.sexe = Trimmed(form, "profil.sexe");
  sent.foyer = Trimmed(form, "profil.foyer");
  sent.commune = Trimmed(form, "profil.commune");
  return sent;
}

// The commune typed (an INSEE code, or a name that names one commune) as its code; "" when
// empty; `errors` gets a French message otherwise.
std::string CommuneCode(PageContext& c, const std::string& typed, FormErrors& errors) {
  if (typed.empty()) return {};
  if (typed.size() > 100) {
    errors.Add("profil.commune", "Le nom de la commune est trop long.");
    return {};
  }
  auto found = c.services.territory.FindCommune(typed);
  if (found && *found) return (*found)->code;
  auto matches = c.services.territory.SearchCommunes(typed, 5);
  if (matches) {
    for (const territory::Commune& m : *matches) {
      if (text::FoldForPrefix(m.name) == text::FoldForPrefix(typed)) return m.code;
    }
    if (matches->size() == 1) return matches->front().code;
  }
  errors.Add("profil.commune",
             "Commune introuvable : tapez son nom complet ou son code INSEE (5 caractères).");
  return {};
}

// Sets the passage's fields from the form; `errors` gets what the form itself can tell.
void ApplyPassageForm(PageContext& c, const PassageForm& sent, Passage& passage,
                      FormErrors& errors) {
  passage.canal = sent.canal;
  passage.motifs = sent.motifs;
  passage.actes = sent.actes;
  passage.profil.tranche_age = sent.tranche_age;
  passage.profil.sexe = sent.sexe;
  passage.profil.foyer = sent.foyer;
  passage.profil.commune_code = CommuneCode(c, sent.commune, errors);
}

// The domain's field names, as the form names them.
Error OnPassageForm(Error error) {
  if (error.field.starts_with("motifs")) error.field = "motifs";
  if (error.field.starts_with("actes")) error.field = "actes";
  if (error.field == "profil.commune_code") error.field = "profil.commune";
  return error;
}

// Data of the fields shared by the quick count and the correction form.
Data PassageFields(const reception::Desk& desk, const PassageForm& sent, const FormErrors& errors,
                   bool shortcuts) {
  Data d = Object();
  Letters letters;
  // Acts first: they are toggled more often than the channel is changed.
  Data actes = List();
  std::vector<std::string> acte_keys;
  for (const reception::Item& a : desk.actes)
    acte_keys.push_back(shortcuts ? letters.Take(a.label) : "");
  Data canaux = List();
  for (const reception::Choice& choice : reception::Canaux()) {
    Data item = Object();
    const std::string key = shortcuts ? letters.Take(choice.label) : "";
    item.set("id", "canal-" + std::string(choice.code));
    item.set("value", std::string(choice.code));
    item.set("label", std::string(choice.label));
    item.set("checked", sent.canal == choice.code);
    item.set("has_key", !key.empty());
    item.set("key", key);
    item.set("key_label", UpperAscii(key));
    canaux.push_back(item);
  }
  d.set("canaux", canaux);
  for (std::size_t i = 0; i < desk.actes.size(); ++i) {
    const reception::Item& a = desk.actes[i];
    Data item = Object();
    item.set("id", "acte-" + a.code);
    item.set("value", a.code);
    item.set("label", a.label);
    item.set("checked",
             std::find(sent.actes.begin(), sent.actes.end(), a.code) != sent.actes.end());
    item.set("has_key", !acte_keys[i].empty());
    item.set("key", acte_keys[i]);
    item.set("key_label", UpperAscii(acte_keys[i]));
    actes.push_back(item);
  }
  d.set("actes", actes);

  // The site's most frequent motives as checkboxes (digits 1 to 9); motives chosen among the
  // others stay visible as checked boxes; the rest are in the "tous les motifs" list.
  Data motifs = List();
  std::vector<Option> others;
  for (std::size_t i = 0; i < desk.motifs.size(); ++i) {
    const reception::Item& m = desk.motifs[i];
    const bool chosen =
        std::find(sent.motifs.begin(), sent.motifs.end(), m.code) != sent.motifs.end();
    if (i >= kShortcutMotifs && !chosen) {
      others.push_back({m.code, m.label});
      continue;
    }
    Data item = Object();
    const bool has_key = shortcuts && i < kShortcutMotifs;
    item.set("id", "motif-" + m.code);
    item.set("value", m.code);
    item.set("label", m.label);
    item.set("checked", chosen);
    item.set("has_key", has_key);
    item.set("key", has_key ? std::to_string(i + 1) : std::string());
    item.set("key_label", has_key ? std::to_string(i + 1) : std::string());
    motifs.push_back(item);
  }
  d.set("motifs", motifs);
  d.set("motifs_error", errors.For("motifs"));
  d.set("has_motifs_error", !errors.For("motifs").empty());
  d.set("actes_error", errors.For("actes"));
  d.set("has_actes_error", !errors.For("actes").empty());
  d.set("canal_error", errors.For("canal"));
  d.set("has_canal_error", !errors.For("canal").empty());
  d.set("motif_autre", Select({.name = "motif_autre",
                               .label = "Autre motif",
                               .options = others,
                               .empty_label = "Aucun autre motif"},
                              errors));
  d.set("tranche_age", Select({.name = "profil.tranche_age",
                               .label = "Tranche d'âge",
                               .options = ChoiceOptions(reception::TranchesAge()),
                               .selected = {sent.tranche_age},
                               .empty_label = "Non renseignée"},
                              errors));
  d.set("sexe", Select({.name = "profil.sexe",
                        .label = "Sexe",
                        .options = ChoiceOptions(reception::Sexes()),
                        .selected = {sent.sexe},
                        .empty_label = "Non renseigné"},
                       errors));
  d.set("foyer", Select({.name = "profil.foyer",
                         .label = "Composition du foyer",
                         .options = ChoiceOptions(reception::Foyers()),
                         .selected = {sent.foyer},
                         .empty_label = "Non renseignée"},
                        errors));
  d.set("commune", Field({.name = "profil.commune",
                          .label = "Commune de résidence",
                          .value = sent.commune,
                          .hint = "Son nom ou son code INSEE."},
                         errors));
  const bool profile_given = !sent.tranche_age.empty() || !sent.sexe.empty() ||
                             !sent.foyer.empty() || !sent.commune.empty() ||
                             !errors.For("profil.commune").empty();
  d.set("profile_open", profile_given);
  return d;
}

// ---- GET /accueil ----

Response Sites(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto sites = c.services.reception.DeskSites(caller.principal);
  if (!sites) return ErrorResponse(c, request, sites.error());
  if (sites->size() == 1) return Response::Redirect(DeskHref(sites->front().id), 303);
  Data d = Object();
  Data list = List();
  for (const identity::Site& site : *sites) {
    Data item = Object();
    item.set("href", DeskHref(site.id));
    item.set("name", site.name);
    item.set("address", site.address);
    item.set("has_address", !site.address.empty());
    list.push_back(item);
  }
  d.set("sites", list);
  d.set("desk_css", StaticUrl(c, "css/desk.css"));
  d.set("empty", sites->empty());
  return c.renderer.Page(200, caller, {"Accueil du public", request.path, NoticeOf(request)},
                         "desk_sites", std::move(d));
}

// ---- GET /accueil/{site}: the desk ----

struct BatchForm {
  std::string jour, motif, canal = kDefaultCanal, nombre;
};

Response DeskPage(PageContext& c, Request& request, int status, const PassageForm& sent,
                  const FormErrors& errors, const BatchForm& batch,
                  const FormErrors& batch_errors) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto desk = c.services.reception.DeskOf(site->id, caller.principal, caller.audit);
  if (!desk) return ErrorResponse(c, request, desk.error());
  auto sites = c.services.reception.DeskSites(caller.principal);
  const reception::Catalogue& catalogue = c.services.reception.catalogue();
  const TimePoint now = c.services.clock.Now();
  const std::string href = DeskHref(site->id);

  Data d = PassageFields(*desk, sent, errors, true);
  d.set("desk_css", StaticUrl(c, "css/desk.css"));
  d.set("form", errors.Summary());
  d.set("autofocus", errors.empty() && batch_errors.empty());
  d.set("action", href + "/passages");
  d.set("href", href);
  d.set("queue_href", href + "/file-attente");
  d.set("room_href", href + "/salle");
  d.set("stats_href", href + "/statistiques");
  d.set("can_stats", Allowed(caller, identity::Action::kPassagesRead));
  d.set("several_sites", sites && sites->size() > 1);
  d.set("desk_js", StaticUrl(c, "js/desk.js"));

  // Batch entry.
  d.set("batch_form", batch_errors.Summary());
  d.set("batch_open", !batch_errors.empty());
  d.set("batch_action", href + "/lot");
  d.set("batch_jour", Field({.name = "lot.jour",
                             .label = "Jour",
                             .value = batch.jour.empty() ? ParisDate(now) : batch.jour,
                             .type = "date",
                             .required = true},
                            batch_errors));
  d.set("batch_motif", Select({.name = "lot.motif",
                               .label = "Motif",
                               .options = MotifOptions(desk->motifs),
                               .selected = {batch.motif},
                               .empty_label = "Choisir un motif",
                               .required = true},
                              batch_errors));
  d.set("batch_canal", Select({.name = "lot.canal",
                               .label = "Canal",
                               .options = ChoiceOptions(reception::Canaux()),
                               .selected = {batch.canal},
                               .required = true},
                              batch_errors));
  d.set("batch_nombre", Field({.name = "lot.nombre",
                               .label = "Nombre de passages",
                               .value = batch.nombre,
                               .type = "number",
                               .hint = "De 1 à " + std::to_string(reception::kMaxBatch) + ".",
                               .inputmode = "numeric",
                               .required = true},
                              batch_errors));

  // Today's passages, each with its link to orient the person.
  const bool can_orient = Allowed(caller, identity::Action::kOrientationsWrite);
  d.set("can_orient", can_orient);
  Data today = List();
  std::int64_t total = 0;
  for (const Passage& p : desk->today) {
    Data item = Object();
    item.set("heure", TimeFr(p.debut));
    item.set("canal", std::string(reception::LabelOf(reception::Canaux(), p.canal)));
    item.set("motifs", JoinLabels(p.motifs, MotifLabel, catalogue));
    item.set("actes",
             p.actes.empty() ? std::string("—") : JoinLabels(p.actes, ActeLabel, catalogue));
    item.set("lot", p.lot);
    item.set("nombre", std::to_string(p.nombre));
    item.set("nominatif", p.person_id.has_value());
    item.set("correctable", now - p.created_at <= reception::kCorrectionWindow);
    item.set("edit_href", href + "/passages/" + std::to_string(p.id));
    // A batch line stands for several people: nobody to orient.
    item.set("orientable", can_orient && !p.lot);
    item.set("orient_href", "/orientations/nouvelle?passage=" + std::to_string(p.id));
    today.push_back(item);
    total += p.nombre;
  }
  d.set("today", today);
  d.set("today_empty", desk->today.empty());
  d.set("today_total", std::to_string(total));

  // The queue at a glance.
  auto queue = c.services.reception.QueueOf(site->id, caller.principal);
  d.set("waiting", queue ? std::to_string(queue->attente.size()) : std::string("?"));
  d.set("handed", queue ? std::to_string(queue->transmis.size()) : std::string("?"));

  Response response = c.renderer.Page(status, caller, {site->name, request.path, NoticeOf(request)},
                                      "desk", std::move(d));
  return response;
}

PassageForm DefaultForm(const Request& request) {
  PassageForm sent;
  const std::string canal = request.query.GetOr("canal");
  if (reception::IsChoice(reception::Canaux(), canal)) sent.canal = canal;
  return sent;
}

Response Desk(PageContext& c, Request& request) {
  const PassageForm sent = DefaultForm(request);
  BatchForm batch;
  batch.canal = sent.canal;
  return DeskPage(c, request, 200, sent, {}, batch, {});
}

// POST /accueil/{site}/passages: the quick count.
Response PassageRecord(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  const PassageForm sent = ReadPassageForm(*form);
  BatchForm batch;
  batch.canal = sent.canal;
  FormErrors errors;
  Passage passage;
  passage.site_id = site->id;
  ApplyPassageForm(c, sent, passage, errors);
  if (sent.motifs.empty()) errors.Add("motifs", "Choisissez au moins un motif.");
  if (!errors.empty()) return DeskPage(c, request, 422, sent, errors, batch, {});
  auto saved = c.services.reception.RecordPassage(passage, caller.principal, caller.audit);
  if (!saved) {
    return FormFailure(c, request, OnPassageForm(saved.error()), [&](int status, FormErrors e) {
      return DeskPage(c, request, status, sent, e, batch, {});
    });
  }
  return Response::Redirect(DeskHref(site->id) + "?fait=passage&canal=" + UrlEncode(sent.canal) +
                            "#comptage");
}

// POST /accueil/{site}/lot: a paper tally line.
Response BatchRecord(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  BatchForm batch;
  batch.jour = Trimmed(*form, "lot.jour");
  batch.motif = Trimmed(*form, "lot.motif");
  batch.canal = Trimmed(*form, "lot.canal");
  batch.nombre = Trimmed(*form, "lot.nombre");
  FormErrors errors;
  int nombre = 0;
  const auto [end, ec] =
      std::from_chars(batch.nombre.data(), batch.nombre.data() + batch.nombre.size(), nombre);
  if (batch.nombre.empty() || ec != std::errc() ||
      end != batch.nombre.data() + batch.nombre.size() || nombre < 1 ||
      nombre > reception::kMaxBatch) {
    errors.Add("lot.nombre", "Le nombre de passages est un nombre entier de 1 à " +
                                 std::to_string(reception::kMaxBatch) + ".");
  }
  if (batch.motif.empty()) errors.Add("lot.motif", "Choisissez le motif de ces passages.");
  PassageForm sent = DefaultForm(request);
  if (!errors.empty()) return DeskPage(c, request, 422, sent, {}, batch, errors);
  auto saved = c.services.reception.RecordBatch(site->id, batch.jour, batch.motif, batch.canal,
                                                nombre, caller.principal, caller.audit);
  if (!saved) {
    Error error = saved.error();
    if (!error.field.empty()) error.field = "lot." + error.field;
    return FormFailure(c, request, error, [&](int status, FormErrors e) {
      return DeskPage(c, request, status, sent, {}, batch, e);
    });
  }
  return Response::Redirect(DeskHref(site->id) + "?fait=lot");
}

// ---- Correction of a passage ----

Result<Passage> PassageOf(PageContext& c, const Request& request, const identity::Site& site) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return Fail(NotFound(kPassageMissing));
  PASIP_ASSIGN_OR_RETURN(passage,
                         c.services.reception.GetPassage(*id, caller.principal, caller.audit));
  if (passage.site_id != site.id) return Fail(NotFound(kPassageMissing));
  return passage;
}

PassageForm FormOf(const Passage& p) {
  PassageForm f;
  f.canal = p.canal;
  f.motifs = p.motifs;
  f.actes = p.actes;
  f.tranche_age = p.profil.tranche_age;
  f.sexe = p.profil.sexe;
  f.foyer = p.profil.foyer;
  f.commune = p.profil.commune_code;
  return f;
}

Response PassageEditPage(PageContext& c, Request& request, int status, const PassageForm* sent,
                         const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto passage = PassageOf(c, request, *site);
  if (!passage) return ErrorResponse(c, request, passage.error());
  auto desk = c.services.reception.DeskOf(site->id, caller.principal, caller.audit);
  if (!desk) return ErrorResponse(c, request, desk.error());
  const PassageForm form = sent != nullptr ? *sent : FormOf(*passage);
  const std::string href = DeskHref(site->id);
  const std::string self = href + "/passages/" + std::to_string(passage->id);
  Data d = PassageFields(*desk, form, errors, false);
  d.set("desk_css", StaticUrl(c, "css/desk.css"));
  d.set("form", errors.Summary());
  d.set("action", self);
  d.set("delete_href", self + "/supprimer");
  d.set("desk_href", href);
  d.set("site", site->name);
  d.set("heure", TimeFr(passage->debut));
  d.set("lot", passage->lot);
  d.set("nombre", std::to_string(passage->nombre));
  d.set("nominatif", passage->person_id.has_value());
  const bool open = c.services.clock.Now() - passage->created_at <= reception::kCorrectionWindow;
  d.set("correctable", open);
  return c.renderer.Page(status, caller, {"Corriger un passage", request.path, NoticeOf(request)},
                         "desk_passage", std::move(d));
}

Response PassageEdit(PageContext& c, Request& request) {
  return PassageEditPage(c, request, 200, nullptr, kNoErrors);
}

Response PassageUpdate(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto passage = PassageOf(c, request, *site);
  if (!passage) return ErrorResponse(c, request, passage.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  const PassageForm sent = ReadPassageForm(*form);
  FormErrors errors;
  Passage updated = *passage;
  ApplyPassageForm(c, sent, updated, errors);
  if (!errors.empty()) return PassageEditPage(c, request, 422, &sent, errors);
  auto saved = c.services.reception.CorrectPassage(updated, caller.principal, caller.audit);
  if (!saved) {
    return FormFailure(c, request, OnPassageForm(saved.error()), [&](int status, FormErrors e) {
      return PassageEditPage(c, request, status, &sent, e);
    });
  }
  return Response::Redirect(DeskHref(site->id) +
                            "?fait=correction&canal=" + UrlEncode(updated.canal));
}

Response PassageDeleteConfirm(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto passage = PassageOf(c, request, *site);
  if (!passage) return ErrorResponse(c, request, passage.error());
  const reception::Catalogue& catalogue = c.services.reception.catalogue();
  const std::string href = DeskHref(site->id);
  Data d = Object();
  d.set("action", href + "/passages/" + std::to_string(passage->id) + "/supprimer");
  d.set("edit_href", href + "/passages/" + std::to_string(passage->id));
  d.set("heure", TimeFr(passage->debut));
  d.set("canal", std::string(reception::LabelOf(reception::Canaux(), passage->canal)));
  d.set("motifs", JoinLabels(passage->motifs, MotifLabel, catalogue));
  d.set("nombre", std::to_string(passage->nombre));
  d.set("lot", passage->lot);
  return c.renderer.Page(200, caller, {"Supprimer un passage", request.path, {}},
                         "desk_passage_delete", std::move(d));
}

Response PassageDelete(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto passage = PassageOf(c, request, *site);
  if (!passage) return ErrorResponse(c, request, passage.error());
  auto deleted = c.services.reception.DeletePassage(passage->id, caller.principal, caller.audit);
  if (!deleted) return ErrorResponse(c, request, deleted.error());
  return Response::Redirect(DeskHref(site->id) + "?fait=suppression");
}

// ---- The queue ----

struct SocialWorker {
  identity::UserId id;
  std::string name;
};

// The social workers of the site's organisation who may receive at this site.
std::vector<SocialWorker> SocialWorkersOf(PageContext& c, const identity::Site& site) {
  std::vector<SocialWorker> out;
  identity::UserQuery query;
  query.organisation_id = site.organisation_id;
  query.include_disabled = false;
  auto users = c.services.identity.ListUsers(query);
  if (!users) return out;
  for (const identity::User& u : *users) {
    const bool social = std::any_of(u.memberships.begin(), u.memberships.end(), [&](const auto& m) {
      return m.organisation_id == site.organisation_id && m.role == identity::Role::kSocial &&
             (m.site_ids.empty() ||
              std::find(m.site_ids.begin(), m.site_ids.end(), site.id) != m.site_ids.end());
    });
    if (social && !u.disabled) out.push_back({u.id, u.display_name});
  }
  return out;
}

std::string WorkerName(const std::vector<SocialWorker>& workers,
                       std::optional<identity::UserId> id) {
  if (!id || *id == 0) return "Tout travailleur social";
  for (const SocialWorker& w : workers) {
    if (w.id == *id) return w.name;
  }
  return "Compte n° " + std::to_string(*id);
}

struct QueueForm {
  std::string motif, dossier;
  TicketId ticket = 0;  // the ticket whose hand-off form is re-shown
  std::string transmis_a, note;
};

// The ticket form's motives, the site's most frequent of the last 90 days first (as at the
// desk), from the counts alone: the queue shows no passage, so it must not load today's
// passages, whose named ones would each be audited as read (security.md S3). The caller's
// right to the site is checked before (DeskSiteOf, QueueOf).
Result<std::vector<reception::Item>> QueueMotifs(PageContext& c, identity::SiteId site) {
  const reception::Catalogue& catalogue = c.services.reception.catalogue();
  PASIP_ASSIGN_OR_RETURN(counts, c.services.reception.store().MotifFrequencies(
                                     site, c.services.clock.Now() - std::chrono::hours(24 * 90)));
  std::vector<reception::Item> out;
  std::set<std::string> placed;
  for (const reception::MotifCount& m : counts) {
    const reception::Item* item = catalogue.Motif(m.code);
    if (item != nullptr && placed.insert(item->code).second) out.push_back(*item);
  }
  for (const reception::Item& item : catalogue.motifs) {
    if (placed.insert(item.code).second) out.push_back(item);
  }
  return out;
}

Response QueuePage(PageContext& c, Request& request, int status, const QueueForm& sent,
                   const FormErrors& errors) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto queue = c.services.reception.QueueOf(site->id, caller.principal);
  if (!queue) return ErrorResponse(c, request, queue.error());
  auto motifs = QueueMotifs(c, site->id);
  if (!motifs) return ErrorResponse(c, request, motifs.error());
  const reception::Catalogue& catalogue = c.services.reception.catalogue();
  const std::string href = DeskHref(site->id);
  const std::vector<SocialWorker> workers = SocialWorkersOf(c, *site);
  const bool is_social = caller.principal.HasRole(identity::Role::kSocial);
  const bool is_accueil = caller.principal.HasRole(identity::Role::kAccueil);

  Data d = Object();
  d.set("form", errors.Summary());
  d.set("desk_href", href);
  d.set("desk_css", StaticUrl(c, "css/desk.css"));
  d.set("room_href", href + "/salle");
  d.set("take_action", href + "/tickets");
  d.set("next_action", href + "/tickets/suivant");
  d.set("is_social", is_social);
  d.set("is_accueil", is_accueil);
  d.set("motif", Select({.name = "ticket.motif",
                         .label = "Motif (facultatif)",
                         .options = MotifOptions(*motifs),
                         .selected = {sent.motif},
                         .empty_label = "Non précisé"},
                        errors));
  d.set("dossier", Field({.name = "ticket.dossier",
                          .label = "Numéro de dossier (facultatif)",
                          .value = sent.dossier,
                          .hint = "Si la personne a déjà un dossier.",
                          .inputmode = "numeric"},
                         errors));

  auto entry = [&](const reception::QueueEntry& e) {
    const Ticket& t = e.ticket;
    const std::string base = href + "/tickets/" + std::to_string(t.id);
    Data item = Object();
    item.set("numero", std::to_string(t.numero));
    item.set("motif",
             t.motif.empty() ? std::string("Non précisé") : MotifLabel(catalogue, t.motif));
    item.set("attente", Minutes(e.attente_minutes));
    item.set("arrivee", TimeFr(t.arrivee));
    item.set("etat", std::string(reception::TicketStateLabel(t.etat)));
    item.set("has_person", t.person_id.has_value());
    item.set("person_href", t.person_id ? "/personnes/" + std::to_string(*t.person_id) : "");
    item.set("person", t.person_id ? "dossier n° " + std::to_string(*t.person_id) : "");
    item.set("call_action", base + "/appeler");
    item.set("handoff_action", base + "/transmettre");
    item.set("noshow_action", base + "/absent");
    item.set("finish_action", base + "/terminer");
    item.set("transmis_a", WorkerName(workers, t.transmis_a));
    item.set("note", t.note_transmission);
    item.set("has_note", !t.note_transmission.empty());
    item.set("for_me",
             t.transmis_a && (*t.transmis_a == 0 || *t.transmis_a == caller.principal.user_id));
    // The hand-off form of this ticket (ids per ticket: several forms on the page).
    const bool resent = sent.ticket == t.id;
    std::vector<Option> to = {{"0", "Tout travailleur social"}};
    for (const SocialWorker& w : workers) to.push_back({std::to_string(w.id), w.name});
    const std::string sid = std::to_string(t.id);
    // Named per ticket for their ids and errors, sent under the names the handler reads.
    Data select = Select({.name = "transmis-" + sid,
                          .label = "Transmettre à",
                          .options = to,
                          .selected = {resent ? sent.transmis_a : "0"}},
                         resent ? errors : kNoErrors);
    select.set("name", "transmis_a");
    item.set("handoff_to", select);
    Data note =
        Field({.name = "note-" + sid,
               .label = "Note pour le travailleur social",
               .value = resent ? sent.note : "",
               .hint = "Ce qu'il faut savoir pour recevoir la personne. 500 caractères au plus."},
              resent ? errors : kNoErrors);
    note.set("name", "note");
    note.set("rows", "2");
    item.set("handoff_note", note);
    return item;
  };
  auto list = [&](const std::vector<reception::QueueEntry>& entries, const std::string& key) {
    Data out = List();
    for (const reception::QueueEntry& e : entries) out.push_back(entry(e));
    d.set(key, out);
    d.set(key + "_empty", entries.empty());
    d.set(key + "_count", std::to_string(entries.size()));
  };
  list(queue->attente, "attente");
  list(queue->appeles, "appeles");
  list(queue->transmis, "transmis");
  list(queue->en_entretien, "en_entretien");
  list(queue->termines, "termines");
  return c.renderer.Page(status, caller,
                         {"File d'attente — " + site->name, request.path, NoticeOf(request)},
                         "queue", std::move(d));
}

Response Queue(PageContext& c, Request& request) { return QueuePage(c, request, 200, {}, {}); }

std::string QueueHref(identity::SiteId site) { return DeskHref(site) + "/file-attente"; }

Response TicketTake(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto form = request.Form();
  if (!form) return ErrorResponse(c, request, form.error());
  QueueForm sent;
  sent.motif = Trimmed(*form, "ticket.motif");
  sent.dossier = Trimmed(*form, "ticket.dossier");
  std::optional<reception::PersonId> person;
  if (!sent.dossier.empty()) {
    person = ParseId(sent.dossier);
    if (!person) {
      FormErrors errors;
      errors.Add("ticket.dossier", "Le numéro de dossier s'écrit en chiffres seulement.");
      return QueuePage(c, request, 422, sent, errors);
    }
  }
  auto ticket =
      c.services.reception.TakeTicket(site->id, sent.motif, person, caller.principal, caller.audit);
  if (!ticket) {
    Error error = ticket.error();
    // A file the caller may not see is said the same way as a file that does not exist.
    if (error.code == ErrorCode::kNotFound && person) {
      error = InvalidArgument("Aucun dossier de ce numéro parmi ceux que vous suivez.",
                              "ticket.dossier");
    } else if (!error.field.empty()) {
      error.field = "ticket." + error.field;
    }
    return FormFailure(c, request, error, [&](int status, FormErrors e) {
      return QueuePage(c, request, status, sent, e);
    });
  }
  return Response::Redirect(QueueHref(site->id) +
                            "?fait=ticket&numero=" + std::to_string(ticket->numero));
}

Response TicketNext(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  auto ticket = c.services.reception.CallNext(site->id, caller.principal, caller.audit);
  if (!ticket) {
    if (ticket.error().code == ErrorCode::kNotFound) {
      return Response::Redirect(QueueHref(site->id) + "?fait=personne");
    }
    return ErrorResponse(c, request, ticket.error());
  }
  return Response::Redirect(QueueHref(site->id) +
                            "?fait=appel&numero=" + std::to_string(ticket->numero));
}

// The ticket action named by `action` on the {id} ticket of the {site}.
template <typename Action>
Response OnTicket(PageContext& c, Request& request, Action action) {
  auto site = DeskSiteOf(c, request);
  if (!site) return ErrorResponse(c, request, site.error());
  const auto id = ParseId(request.PathParam("id"));
  if (!id) return ErrorResponse(c, request, NotFound(kTicketMissing));
  return action(*site, *id);
}

Response TicketCall(PageContext& c, Request& request) {
  return OnTicket(c, request, [&](const identity::Site& site, TicketId id) {
    const identity::Caller& caller = CallerOf(request);
    auto ticket = c.services.reception.CallTicket(id, caller.principal, caller.audit);
    if (!ticket) return ErrorResponse(c, request, ticket.error());
    return Response::Redirect(QueueHref(site.id) +
                              "?fait=appel&numero=" + std::to_string(ticket->numero));
  });
}

Response TicketHandOff(PageContext& c, Request& request) {
  return OnTicket(c, request, [&](const identity::Site& site, TicketId id) {
    const identity::Caller& caller = CallerOf(request);
    auto form = request.Form();
    if (!form) return ErrorResponse(c, request, form.error());
    QueueForm sent;
    sent.ticket = id;
    sent.transmis_a = Trimmed(*form, "transmis_a");
    sent.note = Trimmed(*form, "note");
    const std::string sid = std::to_string(id);
    FormErrors errors;
    identity::UserId to = 0;
    if (!sent.transmis_a.empty() && sent.transmis_a != "0") {
      const auto parsed = ParseId(sent.transmis_a);
      if (!parsed) errors.Add("transmis-" + sid, "Choisissez un travailleur social dans la liste.");
      to = parsed.value_or(0);
    }
    if (text::Utf8Length(sent.note) > kMaxNote) {
      errors.Add("note-" + sid, "La note compte 500 caractères au plus.");
    }
    if (!errors.empty()) return QueuePage(c, request, 422, sent, errors);
    auto ticket = c.services.reception.HandOff(id, to, sent.note, caller.principal, caller.audit);
    if (!ticket) {
      Error error = ticket.error();
      error.field = error.field == "transmis_a" ? "transmis-" + sid : "note-" + sid;
      return FormFailure(c, request, error, [&](int status, FormErrors e) {
        return QueuePage(c, request, status, sent, e);
      });
    }
    return Response::Redirect(QueueHref(site.id) + "?fait=transmis");
  });
}

Response TicketNoShow(PageContext& c, Request& request) {
  return OnTicket(c, request, [&](const identity::Site& site, TicketId id) {
    const identity::Caller& caller = CallerOf(request);
    auto ticket = c.services.reception.NoShow(id, caller.principal, caller.audit);
    if (!ticket) return ErrorResponse(c, request, ticket.error());
    return Response::Redirect(QueueHref(site.id) + "?fait=absent");
  });
}

Response TicketFinish(PageContext& c, Request& request) {
  return OnTicket(c, request, [&](const identity::Site& site, TicketId id) {
    const identity::Caller& caller = CallerOf(request);
    auto ticket =
        c.services.reception.FinishTicket(id, std::nullopt, caller.principal, caller.audit);
    if (!ticket) return ErrorResponse(c, request, ticket.error());
    return Response::Redirect(QueueHref(site.id) + "?fait=termine");
  });
}

// ---- GET /accueil/{site}/salle: public, numbers only ----

Response WaitingRoom(PageContext& c, Request& request) {
  const auto id = ParseId(request.PathParam("site"));
  if (!id) return ErrorResponse(c, request, NotFound("Ce lieu d'accueil n'existe pas."));
  auto room = c.services.reception.WaitingRoomOf(*id);
  if (!room) return ErrorResponse(c, request, room.error());
  Data d = Object();
  auto numbers = [](const std::vector<int>& values) {
    Data list = List();
    for (int n : values) list.push_back(Text(std::to_string(n)));
    return list;
  };
  d.set("appeles", numbers(room->appeles));
  d.set("desk_css", StaticUrl(c, "css/desk.css"));
  d.set("appeles_empty", room->appeles.empty());
  d.set("attente", numbers(room->attente));
  d.set("attente_empty", room->attente.empty());
  d.set("has_last", !room->appeles.empty());
  d.set("last", room->appeles.empty() ? std::string() : std::to_string(room->appeles.front()));
  d.set("site", room->site_name);
  d.set("heure", TimeFr(c.services.clock.Now()));
  Response response = c.renderer.Page(200, CallerOf(request),
                                      {"Salle d'attente — " + room->site_name, request.path, {}},
                                      "waiting_room", std::move(d));
  // The display reloads itself every 15 seconds. An HTTP header rather than a <meta> in the
  // page: the layout owns <head>, and axe-core flags a timed meta refresh (WCAG 2.2.1) on a
  // page that people also use to read their number.
  response.SetHeader("Refresh", "15");
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

// ---- GET /accueil/{site}/statistiques ----

Response WaitStats(PageContext& c, Request& request) {
  const identity::Caller& caller = CallerOf(request);
  const auto id = ParseId(request.PathParam("site"));
  if (!id) return ErrorResponse(c, request, NotFound(kSiteMissing));
  auto site = c.services.identity.FindSite(*id);
  if (!site) return ErrorResponse(c, request, site.error());
  if (!*site) return ErrorResponse(c, request, NotFound(kSiteMissing));
  const TimePoint now = c.services.clock.Now();
  std::string du = Trimmed(request.query, "du");
  std::string au = Trimmed(request.query, "au");
  if (au.empty()) au = ParisDate(now);
  if (du.empty()) du = ParisDate(now - Seconds(std::int64_t{kStatsDefaultDays - 1} * 86400));
  FormErrors errors;
  Data days = List();
  std::int64_t tickets = 0, recus = 0, absents = 0;
  auto stats = c.services.reception.WaitStatsOf(*id, du, au, caller.principal);
  if (!stats) {
    if (!IsFormError(stats.error())) return ErrorResponse(c, request, stats.error());
    errors.Add(stats.error());
  } else {
    for (const reception::WaitStats& s : *stats) {
      if (s.tickets == 0) continue;
      Data item = Object();
      item.set("jour", FormatDateFr(s.jour));
      item.set("tickets", std::to_string(s.tickets));
      item.set("recus", std::to_string(s.recus));
      item.set("absents", std::to_string(s.absents));
      item.set("moyenne", Minutes(s.attente_moyenne));
      item.set("mediane", Minutes(s.attente_mediane));
      item.set("max", Minutes(s.attente_max));
      days.push_back(item);
      tickets += s.tickets;
      recus += s.recus;
      absents += s.absents;
    }
  }
  const bool empty = days.is_list() && days.list_value().empty();
  Data d = Object();
  d.set("form", errors.Summary());
  d.set("du", Field({.name = "du", .label = "Du", .value = du, .type = "date", .required = true},
                    errors));
  d.set("au", Field({.name = "au", .label = "Au", .value = au, .type = "date", .required = true},
                    errors));
  d.set("action", request.path);
  d.set("days", days);
  d.set("empty", empty);
  d.set("tickets", std::to_string(tickets));
  d.set("recus", std::to_string(recus));
  d.set("absents", std::to_string(absents));
  d.set("site", (*site)->name);
  d.set("desk_href", DeskHref(*id));
  return c.renderer.Page(errors.empty() ? 200 : 422, caller,
                         {"Temps d'attente — " + (*site)->name, request.path, {}}, "wait_stats",
                         std::move(d));
}

}  // namespace

void RegisterReceptionPages(http::Router& router, const std::shared_ptr<PageContext>& context) {
  constexpr char kDesk[] = "reception.desk";
  constexpr char kRead[] = "passages.read";
  router.Add(Method::kGet, "/accueil", RouteKind::kPage, kDesk, Bind(context, Sites));
  router.Add(Method::kGet, "/accueil/{site}", RouteKind::kPage, kDesk, Bind(context, Desk));
  router.Add(Method::kPost, "/accueil/{site}/passages", RouteKind::kPage, kDesk,
             Bind(context, PassageRecord));
  router.Add(Method::kPost, "/accueil/{site}/lot", RouteKind::kPage, kDesk,
             Bind(context, BatchRecord));
  router.Add(Method::kGet, "/accueil/{site}/passages/{id}", RouteKind::kPage, kDesk,
             Bind(context, PassageEdit));
  router.Add(Method::kPost, "/accueil/{site}/passages/{id}", RouteKind::kPage, kDesk,
             Bind(context, PassageUpdate));
  router.Add(Method::kGet, "/accueil/{site}/passages/{id}/supprimer", RouteKind::kPage, kDesk,
             Bind(context, PassageDeleteConfirm));
  router.Add(Method::kPost, "/accueil/{site}/passages/{id}/supprimer", RouteKind::kPage, kDesk,
             Bind(context, PassageDelete));
  router.Add(Method::kGet, "/accueil/{site}/file-attente", RouteKind::kPage, kDesk,
             Bind(context, Queue));
  router.Add(Method::kPost, "/accueil/{site}/tickets", RouteKind::kPage, kDesk,
             Bind(context, TicketTake));
  router.Add(Method::kPost, "/accueil/{site}/tickets/suivant", RouteKind::kPage, kDesk,
             Bind(context, TicketNext));
  router.Add(Method::kPost, "/accueil/{site}/tickets/{id}/appeler", RouteKind::kPage, kDesk,
             Bind(context, TicketCall));
  router.Add(Method::kPost, "/accueil/{site}/tickets/{id}/transmettre", RouteKind::kPage, kDesk,
             Bind(context, TicketHandOff));
  router.Add(Method::kPost, "/accueil/{site}/tickets/{id}/absent", RouteKind::kPage, kDesk,
             Bind(context, TicketNoShow));
  router.Add(Method::kPost, "/accueil/{site}/tickets/{id}/terminer", RouteKind::kPage, kDesk,
             Bind(context, TicketFinish));
  router.Add(Method::kGet, "/accueil/{site}/salle", RouteKind::kPage, "public",
             Bind(context, WaitingRoom));
  router.Add(Method::kGet, "/accueil/{site}/statistiques", RouteKind::kPage, kRead,
             Bind(context, WaitStats));
}

}  // namespace pasip::web
