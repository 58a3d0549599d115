// The orientation use cases, as the API, the pages, the jobs and the command line see them:
// create an orientation from a passage or a person file (draft or sent at once), take the
// lifecycle's steps from either side, the partner's inbox, partners without an account
// through a signed link and a one-time code, reminders and expiry, in-app notifications,
// the liaison form and the measures.
//
// Relation (security.md S1): an orientation exists only for the members (accueil, social)
// of its orienting organisation and, once sent, for the members (partenaire, accueil,
// social) of its recipient organisation — or a partner holding a link session for it. For
// anyone else it is kNotFound. Coordination sees the measures only (counts, small cells
// suppressed, security.md S6). Reading an orientation that carries shared person data, and
// every write, is audited ("orientation", id) before the answer; when the audit log fails
// the use case fails. E-mails carry no personal data, only the orientation number and a
// link. Errors: kInvalidArgument naming the member in French, kFailedPrecondition for an
// impossible step (ImpossibleStep) or a refused consent, kNotFound. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/suppression.h"
#include "domain/audit/audit.h"
#include "domain/directory/directory.h"
#include "domain/identity/policy.h"
#include "domain/identity/ports.h"
#include "domain/orientation/links.h"
#include "domain/orientation/model.h"
#include "domain/orientation/ports.h"
#include "domain/reception/reception.h"

namespace pasip::orientation {

using identity::Principal;

struct Settings {
  int reminder_days = 10;  // reminders every M days while unanswered
  int expiry_days = 30;    // expires N days after it was sent, unanswered
  int link_days = 14;      // partner links are valid this long (each reminder sends a new one)
  int code_minutes = 10;   // one-time codes
  int code_attempts = 5;   // wrong codes before the code is revoked
  int link_session_minutes = 60;
  // Public address of the service, for links in e-mails ("https://accueil.exemple.fr").
  std::string public_url = "http://127.0.0.1:8080";
  std::string deployment_name = "pasip";
};

// What the agent fills in.
struct Draft {
  SiteId site_id = 0;  // the orienting site (0: the passage's, else the caller's first)
  std::optional<PassageId> passage_id;
  std::optional<PersonId> person_id;  // from the passage when empty
  ServiceId service_id = 0;
  std::string referent_nom;         // one of the structure's referents, or ""
  std::vector<std::string> motifs;  // default: the passage's motives
  std::string demande;
  std::string urgence = "aucune";
  std::string mode = "information";
  std::string accompagnement;
  std::string echeance;
  std::vector<std::string> champs_partages;
  std::string consentement;  // "informee" or "opposition" (required with a person)
  bool envoyer = false;      // send at once (else a draft)
};

// The parameters of a step (each step uses some of them).
struct StepInput {
  std::string motif;                  // refuser, reorienter, annuler: a code of the step's list
  std::string commentaire;            // optional, at most 1,000 characters
  std::optional<TimePoint> rdv_date;  // proposer_rdv, fixer_rdv (required)
  std::string rdv_lieu;               // proposer_rdv, fixer_rdv (optional, ≤ 300 characters)
  ServiceId service_id = 0;           // reorienter: the new service (required)
  std::string referent_nom;           // reorienter: optional referent of the new service
  // The version the caller saw; 0 = do not check. A stale one is kFailedPrecondition.
  std::int64_t version = 0;
};

struct View {
  Orientation orientation;  // `partage` emptied unless shows_shared
  std::vector<Event> history;
  bool orienting = false;  // the caller is on the orienting side
  bool recipient = false;  // the caller is on the recipient side (account or link)
  bool shows_shared = false;
  std::vector<Step> steps;  // what the caller may do now (never kOpen, kRemind, kExpire)
  std::string site_nom;
  std::string organisation_nom;            // orienting organisation
  std::string recipient_organisation_nom;  // "" when the structure has none
  std::string agent_nom;                   // the orienting agent's display name
  // Alerts for the orienting agent's list: "expiree", "refusee", "sans_reponse" (sent for
  // more than the reminder delay), "echeance_depassee", "rdv_proche" (within 2 days).
  std::vector<std::string> alertes;
};

struct Page {
  std::vector<View> items;  // without history and shared data
  std::optional<OrientationId> suivant;
};

// Who lists: the orienting side ("emises"), the recipient side ("recues", the inbox).
enum class Box { kSent, kInbox };
struct ListFilter {
  Box box = Box::kSent;
  std::vector<Status> statuses;
  std::string urgence;
  std::optional<ServiceId> service_id;
  std::optional<PersonId> person_id;
  int anciennete_min_jours = 0;  // sent at least this many days ago
  std::optional<OrientationId> apres;
  int limite = 50;
};

// The liaison form (fiche de liaison): same content as JSON and as the print view.
struct LiaisonForm {
  View view;
  std::string site_adresse;
  std::string agent_courriel;
  std::string service_telephone, service_courriel, service_adresse;
};

// Measures (security.md S6): counts of orientations sent in the period, grouped.
enum class GroupBy { kPartner, kService, kSite };
struct MeasureLine {
  std::string key;    // id of the group
  std::string label;  // its name
  Cell envoyees, repondues, acceptees, personnes_recues, non_venues, expirees;
  std::optional<double> taux_acceptation;      // acceptees / envoyees, when both published
  std::optional<double> taux_issue_confirmee;  // personnes_recues / envoyees
  std::optional<double> delai_median_heures;   // to the first answer, ≥ 11 answers
};
struct Measures {
  GroupBy par = GroupBy::kPartner;
  std::string du, au;  // Paris days, inclusive
  std::vector<MeasureLine> lignes;
  MeasureLine total;
};

struct SweepReport {
  int rappels = 0;
  int expirees = 0;
};

// A partner who proved they read the link's address: what the link session gives.
struct LinkStart {
  OrientationId orientation_id = 0;
  std::string courriel_masque;  // "m***@exemple.fr"
  std::string structure_nom;
  std::string service_nom;
};

class OrientationService {
 public:
  OrientationService(OrientationStore& store, mail::Outbox& outbox,
                     reception::ReceptionService& reception, directory::DirectoryService& directory,
                     identity::IdentityStore& identity, audit::AuditLog& audit, const Clock& clock,
                     Settings settings = {})
      : store_(store),
        outbox_(outbox),
        reception_(reception),
        directory_(directory),
        identity_(identity),
        audit_(audit),
        clock_(clock),
        settings_(std::move(settings)) {}

  const Settings& settings() const { return settings_; }
  OrientationStore& store() { return store_; }

  // --- Orienting side (accueil, social of the site's organisation).
  Result<View> Create(Draft draft, const Principal& who, const audit::Context& ctx);
  // Drafts only.
  Result<View> UpdateDraft(OrientationId id, Draft draft, const Principal& who,
                           const audit::Context& ctx);

  // --- Both sides. The recipient's first reading of a sent orientation takes the "ouvrir"
  // step (status reçue).
  Result<View> Get(OrientationId id, const Principal& who, const audit::Context& ctx);
  Result<Page> List(const ListFilter& filter, const Principal& who, const audit::Context& ctx);
  // Any step but kOpen, kRemind, kExpire (taken by Get and Sweep).
  Result<View> Take(OrientationId id, Step step, const StepInput& input, const Principal& who,
                    const audit::Context& ctx);
  Result<LiaisonForm> Form(OrientationId id, const Principal& who, const audit::Context& ctx);

  // --- Partners without an account (links.h). Opening a link shows no personal data.
  Result<LinkStart> OpenLink(std::string_view token);
  // Sends a new one-time code to the link's address (through the outbox).
  pasip::Status SendCode(std::string_view token, const audit::Context& ctx);
  // Checks the code; answers a link-session token (for a cookie) valid link_session_minutes.
  // A wrong code is kPermissionDenied; after code_attempts wrong codes the code is revoked.
  Result<std::string> VerifyCode(std::string_view token, std::string_view code,
                                 const audit::Context& ctx);
  // kUnauthenticated when the session token is unknown or expired.
  Result<LinkSession> LinkSessionOf(std::string_view session_token);
  pasip::Status EndLinkSession(std::string_view session_token);
  Result<View> GetByLink(const LinkSession& session, const audit::Context& ctx);
  Result<View> TakeByLink(const LinkSession& session, Step step, const StepInput& input,
                          const audit::Context& ctx);
  Result<LiaisonForm> FormByLink(const LinkSession& session, const audit::Context& ctx);

  // --- Notifications and preferences of the caller.
  Result<std::vector<Notification>> Notifications(const Principal& who, bool unread_only,
                                                  int limit = 50);
  Result<std::int64_t> UnreadCount(const Principal& who);
  pasip::Status MarkRead(NotificationId id, const Principal& who);
  pasip::Status MarkAllRead(const Principal& who);
  Result<bool> WantsDigest(const Principal& who);
  pasip::Status SetDigest(bool digest, const Principal& who);

  // --- Measures: coordination over the territory; accueil, social and partenaire
  // over their organisations (as orienting or recipient). `du`, `au`: Paris days.
  Result<Measures> Measure(GroupBy par, std::string_view du, std::string_view au,
                           const Principal& who);

  // --- Jobs. Reminders (every reminder_days while unanswered, to the recipient) and
  // expiries (expiry_days after sending, notice to the orienting agent) due now.
  Result<SweepReport> Sweep(const audit::Context& ctx);
  // One e-mail per partner user who chose the daily digest and whose organisations have
  // orientations awaiting an answer. Answers how many were queued.
  Result<int> SendDigests();

 private:
  // Who takes a step.
  struct Actor {
    Side side = Side::kSystem;
    UserId user_id = 0;
    std::string name;                // "orientation", "destinataire", "lien", "systeme"
    const Principal* who = nullptr;  // the account, when there is one
  };
  pasip::Status FillDraft(const Draft& draft, const Principal& who, const audit::Context& ctx,
                          Orientation& o);
  Result<View> TakeStep(Orientation o, Step step, const StepInput& input, const Actor& actor,
                        const audit::Context& ctx);
  // The recipient's first reading: status reçue (a concurrent change is not an error).
  Result<Orientation> Open(Orientation o, const Actor& actor);
  Result<View> Present(const Orientation& o, bool orienting, bool recipient, bool history);
  Result<LiaisonForm> FormOf(View view);
  // The orientation a valid link names (kPermissionDenied otherwise).
  Result<Orientation> LinkOrientation(std::string_view token);
  std::vector<OrganisationId> Organisations(const Principal& who,
                                            std::initializer_list<identity::Role> roles) const;

  OrientationStore& store_;
  mail::Outbox& outbox_;
  reception::ReceptionService& reception_;
  directory::DirectoryService& directory_;
  identity::IdentityStore& identity_;
  audit::AuditLog& audit_;
  const Clock& clock_;
  Settings settings_;
};

}  // namespace pasip::orientation
