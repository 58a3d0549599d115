// ReceptionService: the use cases of the premier accueil, each checking the access rules
// itself (site memberships for the desk and the queue, need-to-know for person files) and
// writing one audit entry per person file or named passage it reads or writes.
#include "domain/reception/reception.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include "core/text.h"

namespace pasip::reception {
namespace {

using identity::Action;
using identity::Decision;
using identity::Role;

constexpr int kDefaultRetentionDays = 730;
constexpr int kPurgeBatch = 500;
constexpr std::size_t kMaxNote = 500;
constexpr std::size_t kMaxNoteText = 5000;
constexpr std::size_t kMaxName = 200;
constexpr int kTimelineLimit = 1000;
constexpr int kMaxListLimit = 1000;
constexpr Seconds kFutureTolerance{24 * 3600};
constexpr Seconds kDay{24 * 3600};
constexpr Seconds kWaitingRoomRecent{15 * 60};
constexpr Seconds kDeskHistory{90 * 24 * 3600};

// --- Dates.

struct Day {
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
};

// A real calendar date "YYYY-MM-DD" (no 31 February), years 1900 to 2200.
std::optional<Day> ParseDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  auto number = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  Day d{number(0, 4), static_cast<unsigned>(number(5, 2)), static_cast<unsigned>(number(8, 2))};
  if (d.year < 1900 || d.year > 2200 || d.month < 1 || d.month > 12 || d.day < 1) {
    return std::nullopt;
  }
  const CivilTime back = CivilFromUnixSeconds(DaysFromCivilDate(d.year, d.month, d.day) * 86400);
  if (back.year != d.year || back.month != d.month || back.day != d.day) return std::nullopt;
  return d;
}

std::string FormatDay(std::int64_t year, unsigned month, unsigned day) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(year), month,
                day);
  return buffer;
}

std::string ParisDay(TimePoint t) {
  const CivilTime c = ToParisCivil(t);
  return FormatDay(c.year, c.month, c.day);
}

std::int64_t DayNumber(const Day& d) { return DaysFromCivilDate(d.year, d.month, d.day); }

Day DayFromNumber(std::int64_t n) {
  const CivilTime c = CivilFromUnixSeconds(n * 86400);
  return {c.year, c.month, c.day};
}

std::string FormatDay(const Day& d) { return FormatDay(d.year, d.month, d.day); }

// The instant of a Paris wall-clock time on a day.
TimePoint ParisTime(const Day& d, unsigned hour = 0) {
  CivilTime c;
  c.year = d.year;
  c.month = d.month;
  c.day = d.day;
  c.hour = hour;
  return FromParisCivil(c);
}

// [start, end) of a Paris day.
std::pair<TimePoint, TimePoint> ParisDayBounds(const Day& d) {
  return {ParisTime(d), ParisTime(DayFromNumber(DayNumber(d) + 1))};
}

std::int64_t Minutes(TimePoint::duration d) {
  return std::chrono::duration_cast<std::chrono::minutes>(d).count();
}

// --- Text checks.

bool IsLanguageCode(std::string_view code) {
  return (code.size() == 2 || code.size() == 3) &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// An INSEE commune code: five digits, or 2A/2B and three digits (Corsica).
bool IsCommuneCode(std::string_view code) {
  if (code.size() != 5) return false;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const bool corsica = code[0] == '2' && (code[1] == 'A' || code[1] == 'B');
  if (!corsica && !(digit(code[0]) && digit(code[1]))) return false;
  return digit(code[2]) && digit(code[3]) && digit(code[4]);
}

std::string Trimmed(std::string_view s) { return std::string(text::Trim(s)); }

Status CheckText(const std::string& value, std::size_t max, std::string_view field,
                 std::string_view what) {
  if (!text::IsValidUtf8(value)) {
    return Fail(InvalidArgument(std::string(what) + " contient des caractères invalides.",
                                std::string(field)));
  }
  if (text::Utf8Length(value) > max) {
    return Fail(InvalidArgument(
        std::string(what) + " ne doit pas dépasser " + std::to_string(max) + " caractères.",
        std::string(field)));
  }
  return Ok();
}

Status CheckChoice(std::span<const Choice> choices, const std::string& value,
                   std::string_view field, std::string_view message) {
  if (!value.empty() && !IsChoice(choices, value)) {
    return Fail(InvalidArgument(std::string(message), std::string(field)));
  }
  return Ok();
}

// Keeps the first occurrence of each value, in order.
template <typename T>
void DropRepeats(std::vector<T>& values) {
  std::vector<T> out;
  for (T& v : values) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }
  values = std::move(out);
}

// --- Access.

Status Gate(const Principal& who) {
  if (!who.authenticated()) return Fail(Unauthenticated());
  if (who.SecondFactorPending()) {
    return Fail(PermissionDenied("Validez d'abord votre second facteur d'authentification."));
  }
  return Ok();
}

bool IsDeskRole(Role role) { return role == Role::kAccueil || role == Role::kSocial; }

// Accueil or social in the site's organisation, the site among the membership's sites.
bool HasSiteRole(const Principal& who, const identity::Site& site, std::optional<Role> role) {
  return std::any_of(who.memberships.begin(), who.memberships.end(), [&](const auto& m) {
    if (role ? m.role != *role : !IsDeskRole(m.role)) return false;
    if (m.organisation_id != site.organisation_id) return false;
    return m.site_ids.empty() ||
           std::find(m.site_ids.begin(), m.site_ids.end(), site.id) != m.site_ids.end();
  });
}

bool CanWorkAt(const Principal& who, const identity::Site& site) {
  return HasSiteRole(who, site, std::nullopt);
}

Error SiteRefusal() { return PermissionDenied("Vous n'intervenez pas sur ce lieu d'accueil."); }

Error PersonNotFound() { return NotFound("Personne introuvable."); }
Error PassageNotFound() { return NotFound("Passage introuvable."); }
Error TicketNotFound() { return NotFound("Ticket introuvable."); }

bool Named(const Passage& p) { return p.person_id.has_value(); }

// What coordination may see of a passage: no person, no free text.
Passage Unnamed(Passage p) {
  p.person_id.reset();
  p.note.clear();
  return p;
}

bool IsAdmin(const Principal& who) {
  return who.HasRole(Role::kAdmin) &&
         identity::Authorize(who, Action::kPersonsExport) == Decision::kAllow;
}

// --- Validation.

// A person as typed: trims, then checks every field (the API's member names).
Status NormalisePerson(Person& p, TimePoint now) {
  p.nom_affiche = Trimmed(p.nom_affiche);
  p.nom_naissance = Trimmed(p.nom_naissance);
  p.nom_usage = Trimmed(p.nom_usage);
  p.prenoms = Trimmed(p.prenoms);
  p.date_naissance = Trimmed(p.date_naissance);
  p.telephone = Trimmed(p.telephone);
  p.courriel = Trimmed(p.courriel);
  p.adresse = Trimmed(p.adresse);
  p.commune_code = Trimmed(p.commune_code);
  p.besoins_accessibilite = Trimmed(p.besoins_accessibilite);

  if (p.nom_affiche.empty()) {
    return Fail(InvalidArgument("Indiquez un nom ou un pseudonyme.", "nom_affiche"));
  }
  PASIP_TRY(CheckText(p.nom_affiche, kMaxName, "nom_affiche", "Le nom affiché"));
  PASIP_TRY(CheckText(p.nom_naissance, kMaxName, "nom_naissance", "Le nom de naissance"));
  PASIP_TRY(CheckText(p.nom_usage, kMaxName, "nom_usage", "Le nom d'usage"));
  PASIP_TRY(CheckText(p.prenoms, kMaxName, "prenoms", "Les prénoms"));
  if (!p.date_naissance.empty()) {
    const auto day = ParseDay(p.date_naissance);
    if (!day) {
      return Fail(InvalidArgument("La date de naissance doit être une date valide (AAAA-MM-JJ).",
                                  "date_naissance"));
    }
    if (p.date_naissance > ParisDay(now)) {
      return Fail(InvalidArgument("La date de naissance ne peut pas être dans le futur.",
                                  "date_naissance"));
    }
  }
  PASIP_TRY(CheckChoice(Sexes(), p.sexe, "sexe", "Choisissez un sexe dans la liste."));
  PASIP_TRY(CheckChoice(Nationalites(), p.nationalite, "nationalite",
                        "Choisissez une nationalité dans la liste (française, UE, hors UE)."));
  if (!p.telephone.empty()) {
    PASIP_TRY(CheckText(p.telephone, 30, "telephone", "Le téléphone"));
    int digits = 0;
    for (char c : p.telephone) {
      if (c >= '0' && c <= '9') {
        ++digits;
      } else if (std::string_view(" +.-()").find(c) == std::string_view::npos) {
        return Fail(InvalidArgument(
            "Le téléphone ne doit contenir que des chiffres, des espaces et « + . - ( ) ».",
            "telephone"));
      }
    }
    if (digits < 9) {
      return Fail(InvalidArgument("Le téléphone doit compter au moins 9 chiffres.", "telephone"));
    }
  }
  if (!p.courriel.empty()) {
    PASIP_TRY(CheckText(p.courriel, 254, "courriel", "L'adresse électronique"));
    if (!text::LooksLikeEmail(p.courriel)) {
      return Fail(InvalidArgument("L'adresse électronique n'est pas valide.", "courriel"));
    }
  }
  PASIP_TRY(CheckText(p.adresse, 500, "adresse", "L'adresse"));
  if (!p.commune_code.empty() && !IsCommuneCode(p.commune_code)) {
    return Fail(InvalidArgument("Le code commune (INSEE) compte 5 caractères.", "commune_code"));
  }
  for (std::string& langue : p.langues) langue = Trimmed(langue);
  std::erase(p.langues, std::string());
  DropRepeats(p.langues);
  if (p.langues.size() > 20) {
    return Fail(InvalidArgument("Indiquez au plus 20 langues.", "langues"));
  }
  for (const std::string& langue : p.langues) {
    if (!IsLanguageCode(langue)) {
      return Fail(InvalidArgument(
          "Une langue s'indique par son code ISO 639 en minuscules (« fr », « ar »…).", "langues"));
    }
  }
  PASIP_TRY(CheckText(p.besoins_accessibilite, 1000, "besoins_accessibilite",
                      "Les besoins d'accessibilité"));
  if (p.foyer.size() > 30) {
    return Fail(InvalidArgument("Le foyer compte au plus 30 personnes.", "foyer"));
  }
  for (HouseholdMember& m : p.foyer) {
    m.prenom = Trimmed(m.prenom);
    m.date_naissance = Trimmed(m.date_naissance);
    if (!IsChoice(Relations(), m.relation)) {
      return Fail(
          InvalidArgument("Choisissez le lien de chaque membre du foyer dans la liste.", "foyer"));
    }
    PASIP_TRY(CheckText(m.prenom, 100, "foyer", "Le prénom d'un membre du foyer"));
    if (!m.date_naissance.empty() &&
        (!ParseDay(m.date_naissance) || m.date_naissance > ParisDay(now))) {
      return Fail(InvalidArgument(
          "La date de naissance d'un membre du foyer doit être une date passée (AAAA-MM-JJ).",
          "foyer"));
    }
  }
  return Ok();
}

// --- Queue.

bool IsClosed(TicketState s) { return s == TicketState::kDone || s == TicketState::kNoShow; }

}  // namespace

bool PersonFile::opposition() const {
  if (consents.empty()) return false;
  // Newest first; among consents of the same date, the last recorded counts.
  const Consent* last = &consents.front();
  for (const Consent& c : consents) {
    if (c.date > last->date || (c.date == last->date && c.id > last->id)) last = &c;
  }
  return last->opposition;
}

// ---------------------------------------------------------------------------------------
// Shared helpers (private to this file, but needing the service's ports).

namespace {

struct Visible {
  Person person;
  std::vector<Follow> follows;
  Level level = Level::kNone;
  std::optional<PersonId> redirected_from;
};

// A person file as the caller may see it, or kNotFound. `redirect`: a file merged into
// another answers the file it was merged into (reads); writes refuse merged files.
Result<Visible> LoadVisible(ReceptionStore& store, PersonId id, const Principal& who,
                            bool redirect) {
  PASIP_ASSIGN_OR_RETURN(found, store.FindPerson(id));
  if (!found) return Fail(PersonNotFound());
  Visible v;
  v.person = std::move(*found);
  // Chains (A merged into B, B into C) are short; the bound stops a corrupted cycle.
  for (int hop = 0; v.person.fusionnee_dans && hop < 16; ++hop) {
    if (!redirect) return Fail(PersonNotFound());
    PASIP_ASSIGN_OR_RETURN(next, store.FindPerson(*v.person.fusionnee_dans));
    if (!next) return Fail(PersonNotFound());
    v.person = std::move(*next);
    v.redirected_from = id;
  }
  if (v.person.fusionnee_dans) return Fail(PersonNotFound());
  PASIP_ASSIGN_OR_RETURN(follows, store.FollowsOf(v.person.id));
  v.follows = std::move(follows);
  v.level = AccessLevel(who, v.follows);
  if (v.level == Level::kNone) return Fail(PersonNotFound());
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Passages.

// Helpers that need the service's ports take them as arguments, so that the header's
// private section stays the ports alone.
namespace {

// A named passage at a site of an organisation that does not follow the person yet makes
// it follow them: refused when the person objects to sharing (their last consent record),
// so that an agent working for two organisations cannot carry a file from one to the other
// against the person's will.
Status CheckSharing(ReceptionStore& store, const Visible& v, OrganisationId site_organisation) {
  for (const Follow& f : v.follows) {
    if (f.organisation_id == site_organisation) return Ok();
  }
  PASIP_ASSIGN_OR_RETURN(consents, store.ConsentsOf(v.person.id));
  if (!consents.empty() && consents.back().opposition) {
    return Fail(InvalidArgument(
        "La personne s'est opposée au partage de ses données : ce passage ne peut pas être "
        "rattaché à son dossier dans une autre organisation.",
        "person_id"));
  }
  return Ok();
}

Result<identity::Site> DeskSite(identity::IdentityStore& identity, SiteId id,
                                const Principal& who) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(site, identity.FindSite(id));
  if (!site) return Fail(NotFound("Lieu d'accueil introuvable."));
  if (!CanWorkAt(who, *site)) return Fail(SiteRefusal());
  return std::move(*site);
}

// The site of a stored passage or ticket, when the caller works there. A record of a site
// they do not work at answers `missing` (404), as one that does not exist: another
// organisation's record by id must not be told apart from none (security.md S1).
Result<identity::Site> RecordSite(identity::IdentityStore& identity, SiteId id,
                                  const Principal& who, Error (*missing)()) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(site, identity.FindSite(id));
  if (!site || !CanWorkAt(who, *site)) return Fail(missing());
  return std::move(*site);
}

Status ValidatePassage(Passage& p, const Catalogue& catalogue, TimePoint now) {
  p.canal = Trimmed(p.canal);
  if (!IsChoice(Canaux(), p.canal)) {
    return Fail(InvalidArgument("Choisissez un canal de contact dans la liste.", "canal"));
  }
  DropRepeats(p.motifs);
  if (p.motifs.empty()) {
    return Fail(InvalidArgument("Choisissez au moins un motif.", "motifs"));
  }
  for (const std::string& m : p.motifs) {
    if (catalogue.Motif(m) == nullptr) {
      return Fail(InvalidArgument("Motif inconnu : choisissez-le dans la liste.", "motifs"));
    }
  }
  DropRepeats(p.actes);
  for (const std::string& a : p.actes) {
    if (catalogue.Acte(a) == nullptr) {
      return Fail(InvalidArgument("Acte inconnu : choisissez-le dans la liste.", "actes"));
    }
  }
  if (p.urgence.empty()) p.urgence = "aucune";
  if (!IsChoice(Urgences(), p.urgence)) {
    return Fail(InvalidArgument("Choisissez le degré d'urgence dans la liste.", "urgence"));
  }
  PASIP_TRY(
      CheckChoice(Resultats(), p.resultat, "resultat", "Choisissez le résultat dans la liste."));
  p.langue = Trimmed(p.langue);
  if (!p.langue.empty() && !IsLanguageCode(p.langue)) {
    return Fail(InvalidArgument(
        "La langue s'indique par son code ISO 639 en minuscules (« fr », « ar »…).", "langue"));
  }
  p.note = Trimmed(p.note);
  PASIP_TRY(CheckText(p.note, kMaxNote, "note", "La note"));
  if (!p.note.empty() && !p.person_id) {
    return Fail(InvalidArgument(
        "Un passage anonyme ne porte pas de note : ouvrez ou choisissez un dossier.", "note"));
  }
  const Profile empty;
  if (p.person_id && p.profil != empty) {
    return Fail(InvalidArgument(
        "Le profil (âge, sexe, foyer, commune) ne se renseigne que pour un passage anonyme.",
        "profil"));
  }
  PASIP_TRY(CheckChoice(TranchesAge(), p.profil.tranche_age, "profil.tranche_age",
                        "Choisissez la tranche d'âge dans la liste."));
  PASIP_TRY(
      CheckChoice(Sexes(), p.profil.sexe, "profil.sexe", "Choisissez le sexe dans la liste."));
  PASIP_TRY(CheckChoice(Foyers(), p.profil.foyer, "profil.foyer",
                        "Choisissez le type de foyer dans la liste."));
  if (!p.profil.commune_code.empty() && !IsCommuneCode(p.profil.commune_code)) {
    return Fail(
        InvalidArgument("Le code commune (INSEE) compte 5 caractères.", "profil.commune_code"));
  }
  if (p.debut > now + kFutureTolerance) {
    return Fail(InvalidArgument("Le début du passage ne peut pas être dans le futur.", "debut"));
  }
  if (p.fin && *p.fin < p.debut) {
    return Fail(InvalidArgument("La fin du passage doit suivre son début.", "fin"));
  }
  if (p.nombre < 1 || p.nombre > kMaxBatch) {
    return Fail(InvalidArgument(
        "Le nombre de passages va de 1 à " + std::to_string(kMaxBatch) + ".", "nombre"));
  }
  if (p.person_id && (p.nombre != 1 || p.lot)) {
    return Fail(InvalidArgument("Un passage nominatif compte pour un seul passage.", "nombre"));
  }
  DropRepeats(p.agents);
  if (p.agents.size() > 20 ||
      std::any_of(p.agents.begin(), p.agents.end(), [](UserId id) { return id <= 0; })) {
    return Fail(InvalidArgument("La liste des agents n'est pas valide.", "agents"));
  }
  return Ok();
}

}  // namespace

Result<Passage> ReceptionService::RecordPassage(Passage passage, const Principal& who,
                                                const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(site, DeskSite(identity_, passage.site_id, who));
  const TimePoint now = clock_.Now();
  if (passage.debut == TimePoint{}) passage.debut = now;
  if (passage.agents.empty()) passage.agents = {who.user_id};
  PASIP_TRY(ValidatePassage(passage, catalogue_, now));
  if (passage.person_id) {
    // Writes go to the live file, never to one merged away.
    PASIP_ASSIGN_OR_RETURN(person, LoadVisible(store_, *passage.person_id, who, false));
    PASIP_TRY(CheckSharing(store_, person, site.organisation_id));
  }
  passage.id = 0;
  passage.organisation_id = site.organisation_id;
  passage.created_by = who.user_id;
  passage.created_at = now;
  passage.updated_at = now;
  PASIP_ASSIGN_OR_RETURN(saved, store_.CreatePassage(passage));
  if (Named(saved)) PASIP_TRY(audit_.Record(ctx, "create", "passage", saved.id));
  return saved;
}

Result<Passage> ReceptionService::RecordBatch(SiteId site, std::string_view jour,
                                              std::string_view motif, std::string_view canal,
                                              int nombre, const Principal& who,
                                              const audit::Context& ctx) {
  PASIP_TRY(DeskSite(identity_, site, who));
  const auto day = ParseDay(text::Trim(jour));
  const TimePoint now = clock_.Now();
  if (!day) return Fail(InvalidArgument("Indiquez le jour (AAAA-MM-JJ).", "jour"));
  if (FormatDay(*day) > ParisDay(now)) {
    return Fail(InvalidArgument("Le jour ne peut pas être dans le futur.", "jour"));
  }
  Passage p;
  p.site_id = site;
  // Midday stands for "some time that day"; today, the recording time when it is earlier.
  p.debut = std::min(ParisTime(*day, 12), now);
  p.canal = std::string(canal);
  p.motifs = {std::string(text::Trim(motif))};
  p.nombre = nombre;
  p.lot = true;
  return RecordPassage(std::move(p), who, ctx);
}

Result<Passage> ReceptionService::CorrectPassage(Passage passage, const Principal& who,
                                                 const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(found, store_.FindPassage(passage.id));
  if (!found) return Fail(PassageNotFound());
  PASIP_ASSIGN_OR_RETURN(site, RecordSite(identity_, found->site_id, who, PassageNotFound));
  if (passage.site_id == 0) passage.site_id = found->site_id;
  if (passage.site_id != found->site_id) {
    PASIP_ASSIGN_OR_RETURN(other, DeskSite(identity_, passage.site_id, who));
    site = std::move(other);
  }
  const TimePoint now = clock_.Now();
  if (now - found->created_at > kCorrectionWindow) {
    return Fail(FailedPrecondition("Ce passage ne peut plus être corrigé (plus de 24 heures)."));
  }
  if (passage.debut == TimePoint{}) passage.debut = found->debut;
  if (passage.agents.empty()) passage.agents = found->agents;
  PASIP_TRY(ValidatePassage(passage, catalogue_, now));
  if (passage.person_id && passage.person_id != found->person_id) {
    PASIP_ASSIGN_OR_RETURN(person, LoadVisible(store_, *passage.person_id, who, false));
    PASIP_TRY(CheckSharing(store_, person, site.organisation_id));
  }
  passage.organisation_id = site.organisation_id;
  passage.created_by = found->created_by;
  passage.created_at = found->created_at;
  passage.updated_at = now;
  // Traced before the write: when the audit log fails, nothing is written untraced.
  if (Named(passage) || Named(*found)) {
    PASIP_TRY(audit_.Record(ctx, "update", "passage", passage.id));
  }
  PASIP_TRY(store_.UpdatePassage(passage));
  return passage;
}

Status ReceptionService::DeletePassage(PassageId id, const Principal& who,
                                       const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(found, store_.FindPassage(id));
  if (!found) return Fail(PassageNotFound());
  PASIP_TRY(RecordSite(identity_, found->site_id, who, PassageNotFound));
  if (clock_.Now() - found->created_at > kCorrectionWindow) {
    return Fail(FailedPrecondition("Ce passage ne peut plus être corrigé (plus de 24 heures)."));
  }
  // Traced before the write: when the audit log fails, nothing is removed untraced.
  if (Named(*found)) PASIP_TRY(audit_.Record(ctx, "delete", "passage", id));
  return store_.DeletePassage(id);
}

Result<Passage> ReceptionService::GetPassage(PassageId id, const Principal& who,
                                             const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(found, store_.FindPassage(id));
  if (!found) return Fail(PassageNotFound());
  const std::vector<OrganisationId> mine = PersonOrganisations(who);
  if (std::find(mine.begin(), mine.end(), found->organisation_id) != mine.end()) {
    if (Named(*found)) PASIP_TRY(audit_.Record(ctx, "read", "passage", id));
    return std::move(*found);
  }
  if (identity::Authorize(who, Action::kPassagesRead) == Decision::kAllow &&
      who.HasRole(Role::kCoordination)) {
    return Unnamed(std::move(*found));
  }
  return Fail(PassageNotFound());
}

Result<std::vector<Passage>> ReceptionService::ListPassages(PassageQuery query,
                                                            const Principal& who,
                                                            const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  if (identity::Authorize(who, Action::kPassagesRead) != Decision::kAllow) {
    return Fail(PermissionDenied("Vous n'avez pas accès aux passages."));
  }
  query.limit = std::clamp(query.limit, 1, kMaxListLimit);
  const std::vector<OrganisationId> mine = PersonOrganisations(who);
  const bool coordination = who.HasRole(Role::kCoordination);
  if (query.person_id) {
    // A person's passages are named data: only for those who see the file.
    PASIP_ASSIGN_OR_RETURN(person, LoadVisible(store_, *query.person_id, who, false));
    (void)person;
  }
  if (!coordination || query.person_id) {
    std::vector<OrganisationId> allowed;
    for (OrganisationId o : mine) {
      if (query.organisation_ids.empty() ||
          std::find(query.organisation_ids.begin(), query.organisation_ids.end(), o) !=
              query.organisation_ids.end()) {
        allowed.push_back(o);
      }
    }
    if (allowed.empty()) return std::vector<Passage>();
    query.organisation_ids = std::move(allowed);
  }
  PASIP_ASSIGN_OR_RETURN(passages, store_.ListPassages(query));
  for (Passage& p : passages) {
    const bool own = std::find(mine.begin(), mine.end(), p.organisation_id) != mine.end();
    if (!own) {
      p = Unnamed(std::move(p));
    } else if (Named(p)) {
      PASIP_TRY(audit_.Record(ctx, "read", "passage", p.id));
    }
  }
  return passages;
}

Result<Desk> ReceptionService::DeskOf(SiteId site, const Principal& who,
                                      const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(found, DeskSite(identity_, site, who));
  const TimePoint now = clock_.Now();
  Desk desk;
  desk.site = found;
  PASIP_ASSIGN_OR_RETURN(frequencies, store_.MotifFrequencies(site, now - kDeskHistory));
  std::set<std::string> placed;
  for (const MotifCount& m : frequencies) {
    const Item* item = catalogue_.Motif(m.code);
    if (item != nullptr && placed.insert(item->code).second) desk.motifs.push_back(*item);
  }
  for (const Item& item : catalogue_.motifs) {
    if (placed.insert(item.code).second) desk.motifs.push_back(item);
  }
  desk.actes = catalogue_.actes;
  const CivilTime c = ToParisCivil(now);
  const auto [from, to] = ParisDayBounds({c.year, c.month, c.day});
  PassageQuery today;
  today.site_ids = {site};
  today.from = from;
  today.to = to;
  today.limit = kMaxListLimit;
  PASIP_ASSIGN_OR_RETURN(passages, ListPassages(today, who, ctx));
  desk.today = std::move(passages);
  return desk;
}

Result<std::vector<identity::Site>> ReceptionService::DeskSites(const Principal& who) {
  PASIP_TRY(Gate(who));
  std::vector<identity::Site> out;
  std::set<SiteId> seen;
  for (const identity::Membership& m : who.memberships) {
    if (!IsDeskRole(m.role)) continue;
    identity::SiteQuery query;
    query.organisation_id = m.organisation_id;
    PASIP_ASSIGN_OR_RETURN(sites, identity_.ListSites(query));
    for (identity::Site& s : sites) {
      if (s.organisation_id != m.organisation_id || !s.active) continue;
      if (!m.site_ids.empty() &&
          std::find(m.site_ids.begin(), m.site_ids.end(), s.id) == m.site_ids.end()) {
        continue;
      }
      if (seen.insert(s.id).second) out.push_back(std::move(s));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Person files.

Result<std::vector<SearchHit>> ReceptionService::SearchPersons(std::string_view text,
                                                               std::string_view date_naissance,
                                                               const Principal& who,
                                                               const audit::Context& ctx,
                                                               int limit) {
  PASIP_TRY(Gate(who));
  const std::vector<OrganisationId> orgs = PersonOrganisations(who);
  if (orgs.empty()) return Fail(PermissionDenied("Vous n'avez pas accès aux dossiers."));
  const std::string_view q = text::Trim(text);
  const std::string_view date = text::Trim(date_naissance);
  if (!text::IsValidUtf8(q) || text::Utf8Length(q) > kMaxName) {
    return Fail(InvalidArgument("La recherche ne doit pas dépasser 200 caractères.", "q"));
  }
  if (!date.empty() && !ParseDay(date)) {
    return Fail(InvalidArgument("La date de naissance doit être une date valide (AAAA-MM-JJ).",
                                "date_naissance"));
  }
  std::size_t letters = 0;
  for (const std::string& token : NameTokens(q)) letters += token.size();
  if (letters < 2 && date.empty()) {
    return Fail(
        InvalidArgument("Tapez au moins deux lettres du nom, ou la date de naissance.", "q"));
  }
  limit = std::clamp(limit, 1, 100);
  const SearchKeys keys = KeysForSearch(q, date);
  KeyQuery query;
  query.keys = keys.keys;
  query.prefixes = keys.prefixes;
  query.organisation_ids = orgs;
  query.limit = 200;
  PASIP_ASSIGN_OR_RETURN(matches, store_.FindByKeys(query));
  std::vector<SearchHit> hits;
  for (KeyMatch& m : matches) {
    const int relevance = Relevance(m.person, q, date);
    if (relevance > 0) hits.push_back({std::move(m.person), relevance});
  }
  std::stable_sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.relevance > b.relevance;
  });
  if (static_cast<int>(hits.size()) > limit) hits.resize(limit);
  PASIP_TRY(audit_.Record(ctx, "search", "person", std::string_view()));
  return hits;
}

Result<std::vector<DuplicateProposal>> ReceptionService::FindDuplicates(const Person& candidate,
                                                                        const Principal& who) {
  PASIP_TRY(Gate(who));
  std::vector<DuplicateProposal> out;
  const std::vector<OrganisationId> orgs = PersonOrganisations(who);
  if (orgs.empty()) return out;
  KeyQuery query;
  query.keys = KeysOf(candidate);
  if (query.keys.empty()) return out;
  query.organisation_ids = orgs;
  if (candidate.id != 0) query.exclude = candidate.id;
  query.limit = 50;
  PASIP_ASSIGN_OR_RETURN(matches, store_.FindByKeys(query));
  for (KeyMatch& m : matches) {
    Similarity similarity = Score(candidate, m.person);
    if (similarity.score >= kDuplicateThreshold) {
      out.push_back({std::move(m.person), std::move(similarity)});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const DuplicateProposal& a, const DuplicateProposal& b) {
                     return a.similarity.score > b.similarity.score;
                   });
  return out;
}

Result<SaveOutcome> ReceptionService::CreatePerson(Person person, OrganisationId organisation,
                                                   bool confirmer_doublon, const Principal& who,
                                                   const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  const std::vector<OrganisationId> orgs = PersonOrganisations(who);
  if (orgs.empty()) return Fail(PermissionDenied("Vous ne pouvez pas créer de dossier."));
  if (organisation == 0) organisation = orgs.front();
  if (std::find(orgs.begin(), orgs.end(), organisation) == orgs.end()) {
    return Fail(PermissionDenied("Vous ne pouvez pas créer de dossier pour cette organisation."));
  }
  const TimePoint now = clock_.Now();
  PASIP_TRY(NormalisePerson(person, now));
  if (person.referent_id) {
    PASIP_ASSIGN_OR_RETURN(referent, identity_.FindUser(*person.referent_id));
    if (!referent) return Fail(InvalidArgument("Ce référent n'existe pas.", "referent_id"));
  }
  person.id = 0;
  person.fusionnee_dans.reset();
  if (!confirmer_doublon) {
    PASIP_ASSIGN_OR_RETURN(doublons, FindDuplicates(person, who));
    if (!doublons.empty()) {
      // The proposals show other files: the lookup is traced like a search.
      PASIP_TRY(audit_.Record(ctx, "search", "person", std::string_view()));
      return SaveOutcome{std::nullopt, std::move(doublons)};
    }
  }
  person.created_at = now;
  person.updated_at = now;
  person.dernier_contact = now;
  const std::vector<std::string> keys = KeysOf(person);
  PASIP_ASSIGN_OR_RETURN(saved, store_.CreatePerson(person, keys, organisation));
  PASIP_TRY(audit_.Record(ctx, "create", "person", saved.id));
  return SaveOutcome{std::move(saved), {}};
}

Result<SaveOutcome> ReceptionService::UpdatePerson(Person person, bool confirmer_doublon,
                                                   const Principal& who,
                                                   const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(current, LoadVisible(store_, person.id, who, false));
  const TimePoint now = clock_.Now();
  PASIP_TRY(NormalisePerson(person, now));
  if (person.referent_id && person.referent_id != current.person.referent_id) {
    PASIP_ASSIGN_OR_RETURN(referent, identity_.FindUser(*person.referent_id));
    if (!referent) return Fail(InvalidArgument("Ce référent n'existe pas.", "referent_id"));
  }
  person.created_at = current.person.created_at;
  person.fusionnee_dans.reset();
  if (!confirmer_doublon) {
    PASIP_ASSIGN_OR_RETURN(doublons, FindDuplicates(person, who));
    if (!doublons.empty()) {
      PASIP_TRY(audit_.Record(ctx, "search", "person", std::string_view()));
      return SaveOutcome{std::nullopt, std::move(doublons)};
    }
  }
  person.updated_at = now;
  person.dernier_contact = std::max(current.person.dernier_contact, now);
  // Traced before the write: when the audit log fails, nothing is written untraced.
  PASIP_TRY(audit_.Record(ctx, "update", "person", person.id));
  PASIP_TRY(store_.UpdatePerson(person, KeysOf(person)));
  return SaveOutcome{std::move(person), {}};
}

Result<PersonFile> ReceptionService::GetPerson(PersonId id, const Principal& who,
                                               const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(v, LoadVisible(store_, id, who, true));
  PersonFile file;
  file.person = std::move(v.person);
  file.level = v.level;
  file.acting_organisation = ActingOrganisation(who, v.follows);
  file.follows = std::move(v.follows);
  file.redirected_from = v.redirected_from;
  const PersonId pid = file.person.id;
  PASIP_ASSIGN_OR_RETURN(consents, store_.ConsentsOf(pid));
  std::reverse(consents.begin(), consents.end());
  file.consents = std::move(consents);
  PASIP_ASSIGN_OR_RETURN(notes, store_.NotesOf(pid));
  for (auto it = notes.rbegin(); it != notes.rend(); ++it) {
    if (CanReadNote(who, file.level, *it)) file.notes.push_back(std::move(*it));
  }
  PassageQuery timeline;
  timeline.person_id = pid;
  timeline.limit = kTimelineLimit;
  PASIP_ASSIGN_OR_RETURN(passages, store_.ListPassages(timeline));
  file.passages = std::move(passages);
  PASIP_ASSIGN_OR_RETURN(merged, store_.MergedInto(pid));
  file.merged_from = std::move(merged);
  // One entry for the whole file: the passages, notes and consents shown are part of it.
  PASIP_TRY(audit_.Record(ctx, "read", "person", pid));
  return file;
}

Result<Person> ReceptionService::MergePersons(PersonId kept, PersonId absorbed,
                                              const Principal& who, const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  if (kept == absorbed) {
    return Fail(InvalidArgument("Choisissez deux dossiers différents.", "absorbee"));
  }
  PASIP_ASSIGN_OR_RETURN(keep, LoadVisible(store_, kept, who, false));
  PASIP_ASSIGN_OR_RETURN(gone, LoadVisible(store_, absorbed, who, false));
  (void)keep;
  (void)gone;
  const TimePoint now = clock_.Now();
  // Two files are written: one entry each, before the write (nothing merged untraced).
  PASIP_TRY(audit_.Record(ctx, "merge", "person", kept));
  PASIP_TRY(audit_.Record(ctx, "merge", "person", absorbed));
  PASIP_TRY(store_.MergePersons(kept, absorbed, now));
  // A merge is an edit of the kept file: its last contact is now.
  PASIP_TRY(store_.TouchPerson(kept, now));
  PASIP_ASSIGN_OR_RETURN(result, store_.FindPerson(kept));
  if (!result) return Fail(PersonNotFound());
  return std::move(*result);
}

Result<Note> ReceptionService::AddNote(Note note, const Principal& who, const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(v, LoadVisible(store_, note.person_id, who, false));
  note.visibilite = Trimmed(note.visibilite);
  if (!IsChoice(Visibilites(), note.visibilite)) {
    return Fail(
        InvalidArgument("Choisissez la visibilité de la note dans la liste.", "visibilite"));
  }
  note.texte = Trimmed(note.texte);
  if (note.texte.empty()) return Fail(InvalidArgument("Écrivez le texte de la note.", "texte"));
  PASIP_TRY(CheckText(note.texte, kMaxNoteText, "texte", "La note"));
  if (!CanWriteNote(v.level, note.visibilite)) {
    PASIP_TRY(audit_.Record(ctx, "create", "note", std::string_view(), audit::Outcome::kDenied));
    return Fail(
        PermissionDenied("Seuls les travailleurs sociaux écrivent des notes confidentielles."));
  }
  const TimePoint now = clock_.Now();
  note.id = 0;
  note.organisation_id = ActingOrganisation(who, v.follows);
  note.author_id = who.user_id;
  note.created_at = now;
  PASIP_ASSIGN_OR_RETURN(saved, store_.CreateNote(note));
  PASIP_TRY(store_.TouchPerson(note.person_id, now));
  PASIP_TRY(audit_.Record(ctx, "create", "note", saved.id));
  return saved;
}

Result<Consent> ReceptionService::AddConsent(Consent consent, const Principal& who,
                                             const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(v, LoadVisible(store_, consent.person_id, who, false));
  const TimePoint now = clock_.Now();
  consent.objet = Trimmed(consent.objet);
  consent.destinataires = Trimmed(consent.destinataires);
  consent.portee = Trimmed(consent.portee);
  if (consent.objet.empty() && !consent.opposition) {
    return Fail(InvalidArgument("Indiquez ce qui est partagé.", "objet"));
  }
  PASIP_TRY(CheckText(consent.objet, 500, "objet", "L'objet"));
  PASIP_TRY(CheckText(consent.destinataires, 500, "destinataires", "Les destinataires"));
  PASIP_TRY(CheckText(consent.portee, 200, "portee", "La portée"));
  if (consent.date == TimePoint{}) consent.date = now;
  if (consent.date > now + kFutureTolerance) {
    return Fail(InvalidArgument("La date ne peut pas être dans le futur.", "date"));
  }
  consent.id = 0;
  consent.organisation_id = ActingOrganisation(who, v.follows);
  consent.agent_id = who.user_id;
  PASIP_ASSIGN_OR_RETURN(saved, store_.CreateConsent(consent));
  PASIP_TRY(store_.TouchPerson(consent.person_id, now));
  PASIP_TRY(audit_.Record(ctx, "create", "consent", saved.id));
  return saved;
}

// ---------------------------------------------------------------------------------------
// Queue.

namespace {

// Named tickets only; called before the write, so that nothing is written untraced when the
// audit log fails.
Status AuditTicket(audit::AuditLog& audit, const audit::Context& ctx, const Ticket& t,
                   std::string_view action) {
  if (!t.person_id) return Ok();
  return audit.Record(ctx, action, "ticket", t.id);
}

Result<Ticket> FindTicketOrFail(ReceptionStore& store, TicketId id) {
  PASIP_ASSIGN_OR_RETURN(found, store.FindTicket(id));
  if (!found) return Fail(TicketNotFound());
  return std::move(*found);
}

}  // namespace

Result<Ticket> ReceptionService::TakeTicket(SiteId site, std::string_view motif,
                                            std::optional<PersonId> person, const Principal& who,
                                            const audit::Context& ctx) {
  PASIP_TRY(DeskSite(identity_, site, who));
  Ticket t;
  t.site_id = site;
  t.motif = Trimmed(motif);
  if (!t.motif.empty() && catalogue_.Motif(t.motif) == nullptr) {
    return Fail(InvalidArgument("Motif inconnu : choisissez-le dans la liste.", "motif"));
  }
  if (person) {
    PASIP_ASSIGN_OR_RETURN(v, LoadVisible(store_, *person, who, false));
    t.person_id = v.person.id;
  }
  const TimePoint now = clock_.Now();
  t.jour = ParisDay(now);
  t.arrivee = now;
  t.etat = TicketState::kWaiting;
  PASIP_ASSIGN_OR_RETURN(saved, store_.CreateTicket(t));
  PASIP_TRY(AuditTicket(audit_, ctx, saved, "create"));
  return saved;
}

Result<QueueView> ReceptionService::QueueOf(SiteId site, const Principal& who) {
  PASIP_ASSIGN_OR_RETURN(found, DeskSite(identity_, site, who));
  const TimePoint now = clock_.Now();
  PASIP_ASSIGN_OR_RETURN(tickets, store_.ListTickets({site, ParisDay(now), {}, {}}));
  QueueView view;
  view.site = std::move(found);
  for (Ticket& t : tickets) {
    const std::int64_t attente =
        std::max<std::int64_t>(0, Minutes(t.appel.value_or(now) - t.arrivee));
    const TicketState state = t.etat;
    QueueEntry entry{std::move(t), attente};
    switch (state) {
      case TicketState::kWaiting:
        view.attente.push_back(std::move(entry));
        break;
      case TicketState::kCalled:
        view.appeles.push_back(std::move(entry));
        break;
      case TicketState::kHandedOff:
        view.transmis.push_back(std::move(entry));
        break;
      case TicketState::kWithSocial:
        view.en_entretien.push_back(std::move(entry));
        break;
      case TicketState::kDone:
      case TicketState::kNoShow:
        view.termines.push_back(std::move(entry));
        break;
    }
  }
  return view;
}

Result<Ticket> ReceptionService::CallNext(SiteId site, const Principal& who,
                                          const audit::Context& ctx) {
  PASIP_ASSIGN_OR_RETURN(found, DeskSite(identity_, site, who));
  const TimePoint now = clock_.Now();
  PASIP_ASSIGN_OR_RETURN(tickets, store_.ListTickets({site, ParisDay(now), {}, {}}));
  const bool social = HasSiteRole(who, found, Role::kSocial);
  const bool accueil = HasSiteRole(who, found, Role::kAccueil);
  Ticket* next = nullptr;
  if (social) {
    for (Ticket& t : tickets) {
      if (t.etat == TicketState::kHandedOff &&
          (!t.transmis_a || *t.transmis_a == 0 || *t.transmis_a == who.user_id)) {
        next = &t;
        break;
      }
    }
    if (next) next->etat = TicketState::kWithSocial;
  }
  if (!next && accueil) {
    for (Ticket& t : tickets) {
      if (t.etat == TicketState::kWaiting) {
        next = &t;
        break;
      }
    }
    if (next) next->etat = TicketState::kCalled;
  }
  if (!next) return Fail(NotFound("Personne n'attend pour le moment."));
  if (!next->appel) next->appel = now;
  next->agent_id = who.user_id;
  PASIP_TRY(AuditTicket(audit_, ctx, *next, "update"));
  PASIP_TRY(store_.UpdateTicket(*next));
  return *next;
}

Result<Ticket> ReceptionService::CallTicket(TicketId id, const Principal& who,
                                            const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(t, FindTicketOrFail(store_, id));
  PASIP_ASSIGN_OR_RETURN(site, RecordSite(identity_, t.site_id, who, TicketNotFound));
  switch (t.etat) {
    case TicketState::kWaiting:
    case TicketState::kCalled:  // called again: the person did not come at once
      t.etat = TicketState::kCalled;
      break;
    case TicketState::kHandedOff:
    case TicketState::kWithSocial:
      if (!HasSiteRole(who, site, Role::kSocial)) {
        return Fail(FailedPrecondition(
            "Cette personne a été transmise à un travailleur social : lui seul peut l'appeler."));
      }
      t.etat = TicketState::kWithSocial;
      break;
    case TicketState::kDone:
    case TicketState::kNoShow:
      return Fail(FailedPrecondition("Ce ticket est déjà clos."));
  }
  const TimePoint now = clock_.Now();
  if (!t.appel) t.appel = now;
  t.agent_id = who.user_id;
  PASIP_TRY(AuditTicket(audit_, ctx, t, "update"));
  PASIP_TRY(store_.UpdateTicket(t));
  return t;
}

Result<Ticket> ReceptionService::HandOff(TicketId id, UserId to, std::string_view note,
                                         const Principal& who, const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(t, FindTicketOrFail(store_, id));
  PASIP_ASSIGN_OR_RETURN(site, RecordSite(identity_, t.site_id, who, TicketNotFound));
  if (t.etat != TicketState::kCalled) {
    return Fail(FailedPrecondition(
        "Seule une personne appelée à l'accueil peut être transmise à un travailleur social."));
  }
  std::string text = Trimmed(note);
  PASIP_TRY(CheckText(text, kMaxNote, "note_transmission", "La note de transmission"));
  if (to != 0) {
    PASIP_ASSIGN_OR_RETURN(user, identity_.FindUser(to));
    bool social_here = false;
    if (user && !user->disabled) {
      Principal target;
      target.user_id = user->id;
      target.memberships = user->memberships;
      social_here = HasSiteRole(target, site, Role::kSocial);
    }
    if (!social_here) {
      return Fail(
          InvalidArgument("Choisissez un travailleur social de ce lieu d'accueil.", "transmis_a"));
    }
  }
  t.etat = TicketState::kHandedOff;
  t.transmis_a = to;
  t.note_transmission = std::move(text);
  t.agent_id = who.user_id;
  PASIP_TRY(AuditTicket(audit_, ctx, t, "update"));
  PASIP_TRY(store_.UpdateTicket(t));
  return t;
}

Result<Ticket> ReceptionService::FinishTicket(TicketId id, std::optional<PassageId> passage,
                                              const Principal& who, const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(t, FindTicketOrFail(store_, id));
  PASIP_TRY(RecordSite(identity_, t.site_id, who, TicketNotFound));
  if (t.etat != TicketState::kCalled && t.etat != TicketState::kWithSocial) {
    return Fail(FailedPrecondition(IsClosed(t.etat)
                                       ? "Ce ticket est déjà clos."
                                       : "Appelez la personne avant de terminer son accueil."));
  }
  if (passage) {
    PASIP_ASSIGN_OR_RETURN(p, store_.FindPassage(*passage));
    if (!p || p->site_id != t.site_id) {
      return Fail(InvalidArgument("Ce passage n'a pas été enregistré sur ce lieu.", "passage_id"));
    }
    t.passage_id = passage;
  }
  t.etat = TicketState::kDone;
  t.fin = clock_.Now();
  t.agent_id = who.user_id;
  PASIP_TRY(AuditTicket(audit_, ctx, t, "update"));
  PASIP_TRY(store_.UpdateTicket(t));
  return t;
}

Result<Ticket> ReceptionService::NoShow(TicketId id, const Principal& who,
                                        const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PASIP_ASSIGN_OR_RETURN(t, FindTicketOrFail(store_, id));
  PASIP_TRY(RecordSite(identity_, t.site_id, who, TicketNotFound));
  if (t.etat != TicketState::kWaiting && t.etat != TicketState::kCalled &&
      t.etat != TicketState::kHandedOff) {
    return Fail(FailedPrecondition(IsClosed(t.etat) ? "Ce ticket est déjà clos."
                                                    : "La personne est déjà reçue."));
  }
  t.etat = TicketState::kNoShow;
  t.fin = clock_.Now();
  t.agent_id = who.user_id;
  PASIP_TRY(AuditTicket(audit_, ctx, t, "update"));
  PASIP_TRY(store_.UpdateTicket(t));
  return t;
}

Result<WaitingRoom> ReceptionService::WaitingRoomOf(SiteId site) {
  PASIP_ASSIGN_OR_RETURN(found, identity_.FindSite(site));
  if (!found || !found->active) return Fail(NotFound("Lieu d'accueil introuvable."));
  const TimePoint now = clock_.Now();
  PASIP_ASSIGN_OR_RETURN(tickets, store_.ListTickets({site, ParisDay(now), {}, {}}));
  WaitingRoom room;
  room.site_name = found->name;
  std::vector<const Ticket*> called;
  for (const Ticket& t : tickets) {
    if (t.etat == TicketState::kWaiting) room.attente.push_back(t.numero);
    if ((t.etat == TicketState::kCalled || t.etat == TicketState::kWithSocial) && t.appel &&
        now - *t.appel <= kWaitingRoomRecent) {
      called.push_back(&t);
    }
  }
  std::stable_sort(called.begin(), called.end(),
                   [](const Ticket* a, const Ticket* b) { return *a->appel > *b->appel; });
  for (const Ticket* t : called) room.appeles.push_back(t->numero);
  return room;
}

Result<std::vector<WaitStats>> ReceptionService::WaitStatsOf(SiteId site, std::string_view from,
                                                             std::string_view to,
                                                             const Principal& who) {
  PASIP_TRY(DeskSite(identity_, site, who));
  const auto first = ParseDay(text::Trim(from));
  if (!first) return Fail(InvalidArgument("Indiquez le premier jour (AAAA-MM-JJ).", "du"));
  const auto last = ParseDay(text::Trim(to));
  if (!last) return Fail(InvalidArgument("Indiquez le dernier jour (AAAA-MM-JJ).", "au"));
  const std::int64_t a = DayNumber(*first), b = DayNumber(*last);
  if (b < a) return Fail(InvalidArgument("Le dernier jour doit suivre le premier.", "au"));
  if (b - a >= 366) return Fail(InvalidArgument("Choisissez au plus 366 jours.", "au"));
  TicketQuery query;
  query.site_id = site;
  query.from_jour = FormatDay(*first);
  query.to_jour = FormatDay(*last);
  PASIP_ASSIGN_OR_RETURN(tickets, store_.ListTickets(query));
  std::map<std::string, std::vector<const Ticket*>> by_day;
  for (const Ticket& t : tickets) by_day[t.jour].push_back(&t);
  std::vector<WaitStats> out;
  for (std::int64_t n = a; n <= b; ++n) {
    WaitStats s;
    s.jour = FormatDay(DayFromNumber(n));
    std::vector<std::int64_t> waits;
    for (const Ticket* t : by_day[s.jour]) {
      ++s.tickets;
      if (t->etat == TicketState::kNoShow) {
        ++s.absents;
      } else if (t->appel) {
        ++s.recus;
      }
      if (t->appel) waits.push_back(std::max<std::int64_t>(0, Minutes(*t->appel - t->arrivee)));
    }
    if (!waits.empty()) {
      std::sort(waits.begin(), waits.end());
      std::int64_t total = 0;
      for (std::int64_t w : waits) total += w;
      const auto count = static_cast<std::int64_t>(waits.size());
      s.attente_moyenne = (total + count / 2) / count;
      s.attente_mediane =
          count % 2 == 1 ? waits[count / 2] : (waits[count / 2 - 1] + waits[count / 2] + 1) / 2;
      s.attente_max = waits.back();
    }
    out.push_back(std::move(s));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Retention and right of access.

namespace {

// The access summary of a person (and the files merged into it) from the audit log.
Result<std::vector<PersonExport::Access>> AccessesOf(audit::AuditLog& audit,
                                                     const PersonExport& bundle) {
  std::vector<std::string> ids = {std::to_string(bundle.person.id)};
  for (PersonId merged : bundle.merged_from) ids.push_back(std::to_string(merged));
  std::vector<PersonExport::Access> out;
  for (const std::string& id : ids) {
    audit::Query query;
    query.resource_type = "person";
    query.resource_id = id;
    query.limit = 10000;
    PASIP_ASSIGN_OR_RETURN(entries, audit.Search(query));
    for (const audit::Entry& e : entries) {
      // Filter again: the query is a hint some stores may widen.
      if (e.resource_type != "person" || e.resource_id != id) continue;
      out.push_back({e.at, e.user_id, e.action});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& x, const auto& y) { return x.at < y.at; });
  return out;
}

}  // namespace

Result<PurgeReport> ReceptionService::Purge(ArchiveSink* archive, const audit::Context& ctx) {
  const TimePoint now = clock_.Now();
  std::map<OrganisationId, RetentionSettings> settings;
  auto retention_of = [&](OrganisationId org) -> Result<RetentionSettings> {
    const auto it = settings.find(org);
    if (it != settings.end()) return it->second;
    PASIP_ASSIGN_OR_RETURN(s, RetentionOf(org));
    settings[org] = s;
    return s;
  };
  // The earliest cut-off any organisation uses: no file younger than it can be due.
  int shortest = kDefaultRetentionDays;
  PASIP_ASSIGN_OR_RETURN(organisations, identity_.ListOrganisations({}));
  for (const identity::Organisation& o : organisations) {
    PASIP_ASSIGN_OR_RETURN(s, retention_of(o.id));
    shortest = std::min(shortest, s.days);
  }
  const TimePoint cutoff = now - kDay * shortest;

  PurgeReport report;
  // Hand-off notes go first and whatever happens to the files below: they concern anonymous
  // tickets too, which no erasure reaches. A day before (today - N) is over by more than N days;
  // counted in calendar days, so that a change of hour in between moves nothing.
  const CivilTime today = ToParisCivil(now);
  const std::string notes_before =
      FormatDay(DayFromNumber(DayNumber({today.year, today.month, today.day}) - kTicketNoteDays));
  PASIP_ASSIGN_OR_RETURN(cleared, store_.ClearTicketNotes(notes_before));
  report.notes_effacees = cleared;
  std::set<PersonId> kept;  // inactive for some followers, not for all
  bool export_refused = false;
  while (true) {
    // Files kept stay among the oldest: ask for that many more each round.
    PASIP_ASSIGN_OR_RETURN(
        batch, store_.InactiveSince(cutoff, kPurgeBatch + static_cast<int>(kept.size())));
    bool progressed = false;
    for (const Person& p : batch) {
      if (kept.contains(p.id)) continue;
      progressed = true;
      PASIP_ASSIGN_OR_RETURN(follows, store_.FollowsOf(p.id));
      int days = follows.empty() ? kDefaultRetentionDays : 0;
      bool exporting = false;
      for (const Follow& f : follows) {
        PASIP_ASSIGN_OR_RETURN(s, retention_of(f.organisation_id));
        days = std::max(days, s.days);
        exporting = exporting || s.mode == PurgeMode::kExport;
      }
      if (now - p.dernier_contact <= kDay * days) {
        kept.insert(p.id);
        continue;
      }
      PurgeLogEntry log;
      log.person_id = p.id;
      log.at = now;
      log.mode = exporting ? PurgeMode::kExport : PurgeMode::kAnonymise;
      if (exporting) {
        if (archive == nullptr) {
          // Never remove a file the archives service should have received; the others go on.
          export_refused = true;
          kept.insert(p.id);
          continue;
        }
        PASIP_ASSIGN_OR_RETURN(bundle, store_.ExportPerson(p.id));
        PASIP_ASSIGN_OR_RETURN(accesses, AccessesOf(audit_, bundle));
        bundle.accesses = std::move(accesses);
        PASIP_ASSIGN_OR_RETURN(name, archive->Write(bundle));
        log.bundle = name;
      }
      // Traced before the erasure: a purge never goes unrecorded.
      PASIP_TRY(audit_.Record(ctx, "purge", "person", p.id));
      PASIP_TRY(store_.ErasePerson(p.id, log));
      if (exporting) {
        ++report.exportes;
        report.bundles.push_back(log.bundle);
      } else {
        ++report.anonymises;
      }
    }
    if (!progressed ||
        static_cast<int>(batch.size()) < kPurgeBatch + static_cast<int>(kept.size())) {
      break;
    }
  }
  if (export_refused) {
    return Fail(FailedPrecondition(
        "Des dossiers doivent être exportés pour les archives, mais aucun dépôt d'archives "
        "n'est configuré : ils n'ont pas été supprimés."));
  }
  return report;
}

Result<PersonExport> ReceptionService::ExportPerson(PersonId id, const Principal& who,
                                                    const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  PersonId target = id;
  std::optional<Visible> visible;
  if (!IsAdmin(who)) {
    PASIP_ASSIGN_OR_RETURN(v, LoadVisible(store_, id, who, true));
    target = v.person.id;
    visible = std::move(v);
  } else {
    PASIP_ASSIGN_OR_RETURN(found, store_.FindPerson(id));
    if (!found) return Fail(PersonNotFound());
    if (found->fusionnee_dans) target = *found->fusionnee_dans;
  }
  PASIP_ASSIGN_OR_RETURN(bundle, store_.ExportPerson(target));
  if (visible) {
    // Agents hand the person everything, except what need-to-know hides from the agent
    // (confidential notes for accueil, others' private notes): an administrator exports
    // the complete file.
    std::erase_if(bundle.notes,
                  [&](const Note& n) { return !CanReadNote(who, visible->level, n); });
  }
  PASIP_ASSIGN_OR_RETURN(accesses, AccessesOf(audit_, bundle));
  bundle.accesses = std::move(accesses);
  PASIP_TRY(audit_.Record(ctx, "export", "person", target));
  return bundle;
}

Result<RetentionSettings> ReceptionService::RetentionOf(OrganisationId id) {
  PASIP_ASSIGN_OR_RETURN(found, store_.FindRetention(id));
  if (found) return std::move(*found);
  RetentionSettings defaults;
  defaults.organisation_id = id;
  defaults.days = kDefaultRetentionDays;
  defaults.mode = PurgeMode::kAnonymise;
  return defaults;
}

Status ReceptionService::SetRetention(const RetentionSettings& settings, const Principal& who,
                                      const audit::Context& ctx) {
  PASIP_TRY(Gate(who));
  if (identity::Authorize(who, Action::kPersonsAdmin) != Decision::kAllow) {
    return Fail(PermissionDenied("Seuls les administrateurs règlent la durée de conservation."));
  }
  // security.md S4: active data at most two years after the last contact.
  if (settings.days < 30 || settings.days > kDefaultRetentionDays) {
    return Fail(InvalidArgument("La durée de conservation va de 30 à 730 jours (2 ans).", "days"));
  }
  PASIP_ASSIGN_OR_RETURN(organisation, identity_.FindOrganisation(settings.organisation_id));
  if (!organisation) return Fail(NotFound("Organisation introuvable."));
  PASIP_TRY(store_.SaveRetention(settings));
  return audit_.Record(ctx, "update", "retention", settings.organisation_id);
}

Result<std::vector<PurgeLogEntry>> ReceptionService::PurgeLog(const Principal& who, int limit) {
  PASIP_TRY(Gate(who));
  if (identity::Authorize(who, Action::kPersonsAdmin) != Decision::kAllow) {
    return Fail(PermissionDenied("Seuls les administrateurs consultent le journal des purges."));
  }
  return store_.PurgeLog(std::clamp(limit, 1, 1000));
}

}  // namespace pasip::reception
