// Orientation (fiche de liaison unique): a person received at a site is oriented to a
// service of the directory (or a named referent of a partner), and pasip follows the
// orientation until the person was received there — or not (non-recours to be seen).
// Plain values and the lifecycle table, no I/O.
//
// Two sides hold an orientation: the orienting organisation (the agent's, accueil/social)
// and the recipient organisation (the one running the service's structure). Partners
// without an account are reached by e-mail with a signed link and a one-time code
// (links.h). Every change is an explicit step (Step) checked against the table below and
// recorded as an Event (who, when, what) that webhooks can later publish.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/directory/model.h"
#include "domain/identity/model.h"
#include "domain/reception/model.h"

namespace pasip::orientation {

using directory::ServiceId;
using directory::StructureId;
using identity::OrganisationId;
using identity::SiteId;
using identity::UserId;
using reception::ConsentId;
using reception::PassageId;
using reception::PersonId;
using OrientationId = std::int64_t;
using EventId = std::int64_t;
using NotificationId = std::int64_t;

// ---------------------------------------------------------------------------------------
// Lifecycle. (Inside this namespace `Status` is an orientation's status; the Result<void>
// type is spelled pasip::Status.)
//
// brouillon → envoyée → reçue (opened by the partner) → acceptée | réorientée | refusée →
// rendez-vous proposé / fixé → personne reçue | personne non venue | annulée → clôturée.
// Unanswered orientations (envoyée, reçue) get reminders and expire (expirée); the orienting
// agent may then relaunch, re-orient or cancel.
enum class Status {
  kDraft,                // brouillon
  kSent,                 // envoyee
  kReceived,             // recue: opened by the recipient
  kAccepted,             // acceptee
  kReoriented,           // reorientee: to another service (a new orientation follows)
  kRefused,              // refusee
  kAppointmentProposed,  // rdv_propose
  kAppointmentSet,       // rdv_fixe
  kPersonReceived,       // personne_recue: the outcome we want
  kNoShow,               // personne_non_venue
  kCancelled,            // annulee
  kExpired,              // expiree: no answer in time
  kClosed,               // cloturee
};
inline constexpr Status kAllStatuses[] = {Status::kDraft,
                                          Status::kSent,
                                          Status::kReceived,
                                          Status::kAccepted,
                                          Status::kReoriented,
                                          Status::kRefused,
                                          Status::kAppointmentProposed,
                                          Status::kAppointmentSet,
                                          Status::kPersonReceived,
                                          Status::kNoShow,
                                          Status::kCancelled,
                                          Status::kExpired,
                                          Status::kClosed};
std::string_view StatusName(Status s);   // "brouillon", "envoyee", "recue", "rdv_fixe"…
std::string_view StatusLabel(Status s);  // "Brouillon", "Envoyée", "Rendez-vous fixé"…
std::optional<Status> ParseStatus(std::string_view name);
// Sent and not yet answered by the recipient: reminders and expiry apply.
bool AwaitsAnswer(Status s);
// No further step but closing (or none at all).
bool IsFinal(Status s);

enum class Step {
  kSend,                // envoyer: orienting
  kOpen,                // ouvrir: recipient's first reading (automatic)
  kAccept,              // accepter: recipient
  kRefuse,              // refuser: recipient (motif from RefusalReasons + comment)
  kReorient,            // reorienter: recipient, or orienting after a refusal or expiry
  kProposeAppointment,  // proposer_rdv: recipient, or orienting (accompanied mode)
  kSetAppointment,      // fixer_rdv: recipient, or orienting (booked on the person's behalf)
  kPersonReceived,      // personne_recue: recipient or orienting
  kNoShow,              // personne_non_venue: recipient or orienting
  kCancel,              // annuler: orienting
  kRemind,              // rappel: system (status unchanged)
  kExpire,              // expirer: system
  kRelaunch,            // relancer: orienting (sent again, new deadline)
  kClose,               // cloturer: orienting
};
inline constexpr Step kAllSteps[] = {
    Step::kSend,           Step::kOpen,           Step::kAccept,
    Step::kRefuse,         Step::kReorient,       Step::kProposeAppointment,
    Step::kSetAppointment, Step::kPersonReceived, Step::kNoShow,
    Step::kCancel,         Step::kRemind,         Step::kExpire,
    Step::kRelaunch,       Step::kClose};
std::string_view StepName(Step s);   // "envoyer", "accepter", "fixer_rdv"…
std::string_view StepLabel(Step s);  // "Envoyer", "Accepter", "Fixer le rendez-vous"…
std::optional<Step> ParseStep(std::string_view name);

// Which side may take a step (a principal may be on both sides of one orientation).
enum class Side { kOrienting, kRecipient, kSystem };
bool SideMay(Side side, Step step);

// The status after `step` from `from`; nullopt when the step is impossible from there.
std::optional<Status> Next(Status from, Step step);
// A clear French error for an impossible step: "Impossible d'accepter une orientation
// annulée." (kFailedPrecondition).
Error ImpossibleStep(Status from, Step step);

// ---------------------------------------------------------------------------------------
// Référentiels: (code, label) in display order.
struct Choice {
  std::string_view code;
  std::string_view label;
};
std::span<const Choice> Modes();  // "information" (the person goes alone), "accompagnee"
// How an accompanied orientation is carried out.
std::span<const Choice> Accompagnements();  // "rdv_demande", "rdv_pris", "appel", "physique"
std::span<const Choice> RefusalReasons();   // "hors_competence", "conditions"…, "autre"
std::span<const Choice> ReorientReasons();  // "service_plus_adapte", "hors_territoire"…
std::span<const Choice> CancelReasons();    // "demande_resolue", "personne_renonce"…
// The person-file fields that may be shared, field by field (security.md S2). Minimal by
// default: nothing is ticked until the agent ticks it.
std::span<const Choice> ShareableFields();  // "nom_affiche", "telephone", "date_naissance"…
std::string_view LabelOf(std::span<const Choice> choices, std::string_view code);
bool IsChoice(std::span<const Choice> choices, std::string_view code);

// ---------------------------------------------------------------------------------------
// Records.

// One shared field as it was when the orientation was sent (the partner sees this copy,
// not the live file).
struct SharedValue {
  std::string field;  // a ShareableFields() code
  std::string value;
  bool operator==(const SharedValue&) const = default;
};

struct Orientation {
  OrientationId id = 0;
  Status status = Status::kDraft;

  // Orienting side.
  OrganisationId organisation_id = 0;  // the orienting organisation (the site's)
  SiteId site_id = 0;
  UserId created_by = 0;  // the orienting agent, who gets the notices
  std::optional<PassageId> passage_id;
  std::optional<PersonId> person_id;  // empty: anonymous orientation (information only)

  // Recipient: a service of the directory, possibly a named referent of its structure.
  ServiceId service_id = 0;
  StructureId structure_id = 0;
  std::optional<OrganisationId> recipient_organisation_id;  // the structure's organisation
  std::string service_nom;  // copies for lists, history and the liaison form
  std::string structure_nom;
  std::string referent_nom;  // "" = the service as a whole
  // Where link e-mails go (the referent's, else the service's, else the structure's e-mail);
  // "" when the partner has accounts only. A professional address, not the person's.
  std::string destinataire_courriel;

  // The request.
  std::vector<std::string> motifs;   // reception catalogue motives, at least one
  std::string demande;               // what is asked, 1–2,000 characters
  std::string urgence = "aucune";    // reception::Urgences()
  std::string mode = "information";  // Modes()
  std::string accompagnement;        // Accompagnements() when mode is "accompagnee", else ""
  std::string echeance;              // due date "YYYY-MM-DD", or ""

  // Sharing and consent (security.md S2).
  std::vector<std::string> champs_partages;  // ShareableFields() codes chosen
  std::vector<SharedValue> partage;          // their values, copied when sent
  // "informee": the person was told what is shared and with whom and does not object;
  // "opposition": they object (sending is refused); "" for an anonymous orientation.
  std::string consentement;
  std::optional<ConsentId> consent_id;  // the consent recorded in the person file

  // Answer and outcome.
  std::optional<TimePoint> sent_at;
  std::optional<TimePoint> received_at;  // first opened by the recipient
  std::optional<TimePoint> answered_at;  // first answer (accept, refuse, re-orient, date)
  std::optional<TimePoint> outcome_at;   // personne reçue / non venue
  std::optional<TimePoint> closed_at;
  std::optional<TimePoint> expires_at;        // while it awaits an answer
  std::optional<TimePoint> next_reminder_at;  // while it awaits an answer
  int reminders = 0;
  std::string motif;        // reason of the last refusal, re-orientation or cancellation
  std::string commentaire;  // comment of the last answer (at most 1,000 characters)
  std::optional<TimePoint> rdv_date;
  std::string rdv_lieu;
  std::optional<OrientationId> origine_id;       // re-oriented from
  std::optional<OrientationId> reorientee_vers;  // re-oriented to

  TimePoint created_at{};
  TimePoint updated_at{};
  // Incremented by every write: a step taken on a stale copy fails (kFailedPrecondition).
  std::int64_t version = 0;
  bool operator==(const Orientation&) const = default;
};

// One line of the history: who, when, what.
struct Event {
  EventId id = 0;
  OrientationId orientation_id = 0;
  TimePoint at{};
  UserId actor_id = 0;  // 0: the system, or a partner through a signed link
  std::string actor;    // "orientation" (orienting side), "destinataire", "lien", "systeme"
  std::string step;     // StepName, or "creer", "modifier"
  std::string from;     // StatusName before ("" on creation)
  std::string to;       // StatusName after
  std::string detail;   // motive code, appointment, comment: shown to both sides
  bool operator==(const Event&) const = default;
};

// In-app notice to a user (no personal data: the orientation number and what happened).
struct Notification {
  NotificationId id = 0;
  UserId user_id = 0;
  OrientationId orientation_id = 0;
  TimePoint at{};
  std::string message;  // "Orientation n° 42 : acceptée par Mission locale de Rennes."
  std::optional<TimePoint> read_at;
  bool operator==(const Notification&) const = default;
};

// Validates the request part of a draft (motives against the catalogue, lengths, choices,
// due date, mode/accompaniment coherence, shareable fields, anonymous ⇒ information mode and
// nothing shared). kInvalidArgument naming the API member ("motifs[1]", "echeance").
pasip::Status ValidateDraft(const Orientation& o, const reception::Catalogue& catalogue);

// The directory thématiques to search services by, for a passage's motives: a motive that is
// a thématique stands for itself; pasip's access-to-rights and emergency motives
// ("droits--rsa", "urgence--alimentaire"…) stand for the thématiques of the services that
// handle them; other motives (a custom catalogue's) for none. In order, without repeats.
std::vector<std::string> ThematiquesForMotifs(std::span<const std::string> motifs);

// The values of `fields` in `person` (nom_affiche, prenoms, nom_usage, date_naissance,
// telephone, courriel, adresse, commune_code, langues, besoins_accessibilite, foyer).
std::vector<SharedValue> ShareOf(const reception::Person& person,
                                 std::span<const std::string> fields);

}  // namespace pasip::orientation
