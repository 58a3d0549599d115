// Reception (premier accueil): passages, person files, consents, notes, the pre-reception
// queue, and the lists (référentiels) they draw on. Plain values, no I/O.
//
// A passage is one contact (a visit, a call, an e-mail…) at a site. It is anonymous (no
// person, coarse profile only, for statistics) or linked to a person file. A person file is
// "neutre mais pas anonyme": a display name is the only required field. An organisation
// follows a person once one of its sites recorded a named passage or created the file;
// only following organisations see the file (need-to-know, access.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/identity/model.h"

namespace pasip::reception {

using identity::OrganisationId;
using identity::SiteId;
using identity::UserId;
using PersonId = std::int64_t;
using PassageId = std::int64_t;
using NoteId = std::int64_t;
using ConsentId = std::int64_t;
using TicketId = std::int64_t;

// ---------------------------------------------------------------------------------------
// Référentiels. A value and its French label; `groupe` orders and groups the lists on the
// desk ("droits", "urgence", or a directory catégorie); `sensible` marks motives nobody may
// search or filter people by (health, violence, justice, disability: security.md S7).
struct Item {
  std::string code;
  std::string label;
  std::string groupe;
  bool sensible = false;
  bool operator==(const Item&) const = default;
};

// The motive and act lists of a deployment. Default(): the directory's thématiques, pasip's
// access-to-rights motives ("droits--rsa"…) and emergencies ("urgence--alimentaire"…), and
// the twelve acts of the issue. A deployment may replace them with a TSV file (LoadCatalogue).
struct Catalogue {
  std::vector<Item> motifs;
  std::vector<Item> actes;

  static const Catalogue& Default();
  const Item* Motif(std::string_view code) const;
  const Item* Acte(std::string_view code) const;
  bool IsSensitiveMotif(std::string_view code) const;
};

// Reads a catalogue from TSV text: one line per value, "motif|acte <TAB> code <TAB> label
// <TAB> groupe <TAB> sensible(oui|non)"; lines starting with # and blank lines are skipped.
// Codes are [a-z0-9-]+ (at most 100 characters), labels 1 to 200 characters. A file that
// lists no motif (or no act) keeps the default list of that kind. Errors are kInvalidArgument
// with field "ligne N" and a French message.
Result<Catalogue> ParseCatalogue(std::string_view tsv);

// Fixed lists (code, label), in display order.
struct Choice {
  std::string_view code;
  std::string_view label;
};
std::span<const Choice> Canaux();       // "physique_sans_rdv", "telephone"…
std::span<const Choice> Urgences();     // "aucune", "urgente", "danger_immediat"
std::span<const Choice> Resultats();    // "reponse_immediate", "orientation", "suivi"
std::span<const Choice> TranchesAge();  // "moins_18", "18_25", "26_44", "45_64", "65_plus"
std::span<const Choice> Sexes();        // "femme", "homme", "autre"
std::span<const Choice> Foyers();  // "seul", "seul_enfants", "couple", "couple_enfants", "autre"
std::span<const Choice> Nationalites();  // "francaise", "ue", "hors_ue"
std::span<const Choice> Visibilites();   // "generale", "confidentielle", "privee"
std::span<const Choice> Relations();     // household: "conjoint", "enfant", "parent", "autre"
// The label of `code` in `choices`, or "" when unknown.
std::string_view LabelOf(std::span<const Choice> choices, std::string_view code);
bool IsChoice(std::span<const Choice> choices, std::string_view code);

// ---------------------------------------------------------------------------------------
// Passages.

// Coarse profile of an anonymous passage (every field may be empty).
struct Profile {
  std::string tranche_age;
  std::string sexe;
  std::string foyer;
  std::string commune_code;  // INSEE code of residence
  bool operator==(const Profile&) const = default;
};

struct Passage {
  PassageId id = 0;
  SiteId site_id = 0;
  OrganisationId organisation_id = 0;  // the site's organisation (set by the service)
  TimePoint debut{};
  std::optional<TimePoint> fin;
  std::string canal;
  std::vector<UserId> agents;  // at least the agent who records it
  std::optional<PersonId> person_id;
  std::vector<std::string> motifs;  // at least one
  std::string urgence = "aucune";
  std::vector<std::string> actes;
  std::string langue;  // ISO 639-1 ("fr", "ar"…), "" = French
  bool interpretariat = false;
  std::string resultat;  // "" = not stated
  std::string note;      // at most 500 characters; never on an anonymous passage
  Profile profil;        // anonymous passages only
  // Paper tallies: a batch entry stands for `nombre` identical anonymous passages.
  int nombre = 1;
  bool lot = false;
  UserId created_by = 0;
  TimePoint created_at{};
  TimePoint updated_at{};
  bool operator==(const Passage&) const = default;
};

// ---------------------------------------------------------------------------------------
// Person files.

struct HouseholdMember {
  std::string relation;        // Relations()
  std::string prenom;          // may be empty
  std::string date_naissance;  // "YYYY-MM-DD" or ""
  bool operator==(const HouseholdMember&) const = default;
};

struct Person {
  PersonId id = 0;
  std::string nom_affiche;  // display name or pseudonym: the only required field
  std::string nom_naissance;
  std::string nom_usage;
  std::string prenoms;
  std::string date_naissance;  // "YYYY-MM-DD" or ""
  std::string sexe;            // Sexes() or ""
  std::string nationalite;     // Nationalites() or ""
  std::string telephone;       // as typed; matching uses its digits
  std::string courriel;
  std::string adresse;
  std::string commune_code;
  std::vector<std::string> langues;  // ISO 639-1
  std::string besoins_accessibilite;
  std::optional<UserId> referent_id;  // référent de parcours
  std::vector<HouseholdMember> foyer;
  TimePoint created_at{};
  TimePoint updated_at{};
  // Last contact (passage, note, consent, edit): the retention clock (security.md S4).
  TimePoint dernier_contact{};
  std::optional<PersonId> fusionnee_dans;  // merged into this file (kept for redirects)
  bool operator==(const Person&) const = default;
};

// Information given to the person about sharing their data, or their objection.
struct Consent {
  ConsentId id = 0;
  PersonId person_id = 0;
  OrganisationId organisation_id = 0;
  UserId agent_id = 0;
  TimePoint date{};
  std::string objet;          // what is shared ("situation pour la demande de RSA")
  std::string destinataires;  // with whom ("CAF", "CCAS de Lens")
  std::string portee;         // scope ("ce dossier", "toutes les démarches")
  bool opposition = false;    // the person objects to sharing
  bool operator==(const Consent&) const = default;
};

struct Note {
  NoteId id = 0;
  PersonId person_id = 0;
  OrganisationId organisation_id = 0;
  UserId author_id = 0;
  std::string visibilite;  // "generale", "confidentielle", "privee"
  std::string texte;       // 1 to 5,000 characters
  TimePoint created_at{};
  bool operator==(const Note&) const = default;
};

// Why an organisation sees a person.
struct Follow {
  PersonId person_id = 0;
  OrganisationId organisation_id = 0;
  std::string motif;  // "passage", "creation", "suivi", "fusion"
  TimePoint since{};
  bool operator==(const Follow&) const = default;
};

// ---------------------------------------------------------------------------------------
// Pre-reception queue.

enum class TicketState { kWaiting, kCalled, kHandedOff, kWithSocial, kDone, kNoShow };
std::string_view TicketStateName(TicketState s);   // "attente", "appele", "transmis"…
std::string_view TicketStateLabel(TicketState s);  // "En attente"…
std::optional<TicketState> ParseTicketState(std::string_view name);

struct Ticket {
  TicketId id = 0;
  SiteId site_id = 0;
  int numero = 0;                     // per site and Paris day, from 1 (assigned by the store)
  std::string jour;                   // Paris day "YYYY-MM-DD"
  std::string motif;                  // a catalogue motive, may be empty
  std::optional<PersonId> person_id;  // named ticket
  TicketState etat = TicketState::kWaiting;
  TimePoint arrivee{};
  std::optional<TimePoint> appel;    // first called
  std::optional<TimePoint> fin;      // done or no-show
  std::optional<UserId> agent_id;    // who called it last
  std::optional<UserId> transmis_a;  // the social worker it was handed to (0 = any)
  std::string note_transmission;     // the agent's hand-off note (at most 500 characters)
  std::optional<PassageId> passage_id;
  bool operator==(const Ticket&) const = default;
};

// ---------------------------------------------------------------------------------------
// Retention settings of an organisation (security.md S4).
enum class PurgeMode { kAnonymise, kExport };
std::string_view PurgeModeName(PurgeMode m);  // "anonymisation", "export"
std::optional<PurgeMode> ParsePurgeMode(std::string_view name);

struct RetentionSettings {
  OrganisationId organisation_id = 0;
  int days = 730;  // 2 years without contact
  PurgeMode mode = PurgeMode::kAnonymise;
  bool operator==(const RetentionSettings&) const = default;
};

struct PurgeLogEntry {
  std::int64_t id = 0;
  PersonId person_id = 0;
  TimePoint at{};
  PurgeMode mode = PurgeMode::kAnonymise;
  std::string bundle;  // file name of the archive bundle (export mode), else ""
  bool operator==(const PurgeLogEntry&) const = default;
};

// Everything held about a person, for the right of access (security.md S5) and the
// archives bundle.
struct PersonExport {
  Person person;
  std::vector<Follow> follows;
  std::vector<Passage> passages;
  std::vector<Note> notes;
  std::vector<Consent> consents;
  std::vector<Ticket> tickets;
  std::vector<PersonId> merged_from;  // files merged into this one
  // Records other modules hold about the person (orientations; later appointments): a kind,
  // an id and member/value pairs, filled by the storage hooks of those modules.
  struct Record {
    std::string kind;  // "orientation"
    std::int64_t id = 0;
    std::vector<std::pair<std::string, std::string>> fields;
  };
  std::vector<Record> autres;
  // Summary of accesses (from the audit log): who, when, what.
  struct Access {
    TimePoint at{};
    std::int64_t user_id = 0;
    std::string action;
  };
  std::vector<Access> accesses;
};

}  // namespace pasip::reception
