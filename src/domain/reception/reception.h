// The reception use cases, as the API, the pages, the jobs and the command line see them:
// record and correct passages (one by one, or in batches from paper tallies), the site desk,
// person files (search, create and edit without duplicates, merge, notes, consents,
// timeline), the pre-reception queue and its hand-off, retention (purge) and the right of
// access (export).
//
// Every use case checks the access policy itself (access.h): the routes' declared actions
// are only the first gate. Every read or write of a person file or of a named passage writes
// exactly one audit entry per record (no personal content); when the audit store fails the
// use case fails (no untraced access). A person the caller may not see is kNotFound, never
// kPermissionDenied (its existence is secret). Validation failures are kInvalidArgument
// naming the field (the API's member names) in French. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/audit/audit.h"
#include "domain/identity/policy.h"
#include "domain/identity/ports.h"
#include "domain/reception/access.h"
#include "domain/reception/matching.h"
#include "domain/reception/model.h"
#include "domain/reception/ports.h"

namespace pasip::reception {

using identity::Principal;

// How long a passage stays correctable by its site's agents.
inline constexpr Seconds kCorrectionWindow{24 * 3600};
// Batch entries: at most this many passages in one line of a paper tally.
inline constexpr int kMaxBatch = 500;
// Hand-off notes of the queue's tickets are free text that may name people, anonymous tickets
// included: the purge empties them once the ticket's Paris day is over by more than this many
// days (a ticket of the 1st keeps its note until the purge of the 9th).
inline constexpr int kTicketNoteDays = 7;

// Where archive bundles of the export purge mode go (the app writes JSON files).
class ArchiveSink {
 public:
  virtual ~ArchiveSink() = default;
  // Stores the bundle; answers its name (for the purge log).
  virtual Result<std::string> Write(const PersonExport& bundle) = 0;
};

struct DuplicateProposal {
  Person person;
  Similarity similarity;
};

// Result of a create or edit: either the file saved, or the files it may duplicate
// (nothing written; repeat with `confirmer_doublon` to save anyway).
struct SaveOutcome {
  std::optional<Person> person;
  std::vector<DuplicateProposal> doublons;
};

struct PersonFile {
  Person person;
  Level level = Level::kNone;
  OrganisationId acting_organisation = 0;
  std::vector<Follow> follows;
  std::vector<Consent> consents;  // newest first
  std::vector<Note> notes;        // those the caller may read, newest first
  std::vector<Passage> passages;  // timeline, newest first
  std::vector<PersonId> merged_from;
  std::optional<PersonId> redirected_from;  // asked for a file merged into this one
  // The last consent says the person objects to sharing.
  bool opposition() const;
};

struct SearchHit {
  Person person;
  int relevance = 0;
};

// The site desk: what the quick count needs.
struct Desk {
  identity::Site site;
  std::vector<Item> motifs;  // the site's most frequent motives (last 90 days) first
  std::vector<Item> actes;
  std::vector<Passage> today;  // the site's passages of the Paris day, newest first
};

struct QueueEntry {
  Ticket ticket;
  std::int64_t attente_minutes = 0;  // arrival → call (or now, while waiting)
};
struct QueueView {
  identity::Site site;
  std::vector<QueueEntry> attente;       // waiting, oldest first
  std::vector<QueueEntry> appeles;       // called by accueil, being received
  std::vector<QueueEntry> transmis;      // handed off, waiting for a social worker
  std::vector<QueueEntry> en_entretien;  // with a social worker
  std::vector<QueueEntry> termines;      // done or no-show today
};
// What the waiting-room display shows: ticket numbers only.
struct WaitingRoom {
  std::string site_name;
  std::vector<int> appeles;  // called in the last 15 minutes, last call first
  std::vector<int> attente;  // waiting, in order
};
struct WaitStats {
  std::string jour;
  std::int64_t tickets = 0, recus = 0, absents = 0;
  std::int64_t attente_moyenne = 0, attente_mediane = 0, attente_max = 0;  // minutes
};

struct PurgeReport {
  std::int64_t anonymises = 0;
  std::int64_t exportes = 0;
  std::int64_t notes_effacees = 0;  // tickets whose hand-off note was emptied
  std::vector<std::string> bundles;
};

class ReceptionService {
 public:
  ReceptionService(ReceptionStore& store, identity::IdentityStore& identity, audit::AuditLog& audit,
                   const Clock& clock, const Catalogue& catalogue = Catalogue::Default())
      : store_(store), identity_(identity), audit_(audit), clock_(clock), catalogue_(catalogue) {}

  const Catalogue& catalogue() const { return catalogue_; }
  // For imports, the demo and benchmarks, which bypass the use cases' checks knowingly.
  ReceptionStore& store() { return store_; }

  // --- Passages. The caller must hold accueil or social in the site's organisation (and
  // the site among the membership's sites, when restricted); kPermissionDenied otherwise.
  // debut defaults to now, agents to the caller; organisation_id is the site's.
  Result<Passage> RecordPassage(Passage passage, const Principal& who, const audit::Context& ctx);
  // `nombre` identical anonymous passages of one motive on a Paris day ("YYYY-MM-DD").
  Result<Passage> RecordBatch(SiteId site, std::string_view jour, std::string_view motif,
                              std::string_view canal, int nombre, const Principal& who,
                              const audit::Context& ctx);
  // Within kCorrectionWindow of its creation, by the site's agents.
  Result<Passage> CorrectPassage(Passage passage, const Principal& who, const audit::Context& ctx);
  Status DeletePassage(PassageId id, const Principal& who, const audit::Context& ctx);
  Result<Passage> GetPassage(PassageId id, const Principal& who, const audit::Context& ctx);
  // Accueil and social: their organisations' sites; coordination: every site, with person
  // and note removed (no named data). Named passages returned are audited one by one.
  Result<std::vector<Passage>> ListPassages(PassageQuery query, const Principal& who,
                                            const audit::Context& ctx);
  Result<Desk> DeskOf(SiteId site, const Principal& who, const audit::Context& ctx);
  // The sites where the caller may record passages.
  Result<std::vector<identity::Site>> DeskSites(const Principal& who);

  // --- Person files.
  Result<std::vector<SearchHit>> SearchPersons(std::string_view text,
                                               std::string_view date_naissance,
                                               const Principal& who, const audit::Context& ctx,
                                               int limit = 20);
  // Files (visible to the caller) that `candidate` may duplicate, best first.
  Result<std::vector<DuplicateProposal>> FindDuplicates(const Person& candidate,
                                                        const Principal& who);
  // Creates the file for `organisation` (0 = the caller's first accueil/social one),
  // unless it may duplicate a visible file and `confirmer_doublon` is false.
  Result<SaveOutcome> CreatePerson(Person person, OrganisationId organisation,
                                   bool confirmer_doublon, const Principal& who,
                                   const audit::Context& ctx);
  Result<SaveOutcome> UpdatePerson(Person person, bool confirmer_doublon, const Principal& who,
                                   const audit::Context& ctx);
  Result<PersonFile> GetPerson(PersonId id, const Principal& who, const audit::Context& ctx);
  // Keeps `kept`, moves `absorbed`'s histories into it; both must be visible to the caller.
  Result<Person> MergePersons(PersonId kept, PersonId absorbed, const Principal& who,
                              const audit::Context& ctx);
  Result<Note> AddNote(Note note, const Principal& who, const audit::Context& ctx);
  Result<Consent> AddConsent(Consent consent, const Principal& who, const audit::Context& ctx);

  // --- Queue (accueil and social of the site's organisation).
  Result<Ticket> TakeTicket(SiteId site, std::string_view motif, std::optional<PersonId> person,
                            const Principal& who, const audit::Context& ctx);
  Result<QueueView> QueueOf(SiteId site, const Principal& who);
  // Accueil: the oldest waiting ticket; social: the oldest handed off to them or to anyone.
  // kNotFound when nobody waits.
  Result<Ticket> CallNext(SiteId site, const Principal& who, const audit::Context& ctx);
  Result<Ticket> CallTicket(TicketId id, const Principal& who, const audit::Context& ctx);
  // Accueil → social worker (`to` = 0: any social worker of the site), with a note.
  Result<Ticket> HandOff(TicketId id, UserId to, std::string_view note, const Principal& who,
                         const audit::Context& ctx);
  Result<Ticket> FinishTicket(TicketId id, std::optional<PassageId> passage, const Principal& who,
                              const audit::Context& ctx);
  Result<Ticket> NoShow(TicketId id, const Principal& who, const audit::Context& ctx);
  // Public: numbers only.
  Result<WaitingRoom> WaitingRoomOf(SiteId site);
  // One line per Paris day from `from` to `to` (inclusive, "YYYY-MM-DD", at most 366 days).
  Result<std::vector<WaitStats>> WaitStatsOf(SiteId site, std::string_view from,
                                             std::string_view to, const Principal& who);

  // --- Retention and right of access.
  // Anonymises or exports-then-removes every file without contact for longer than the
  // retention of every organisation following it (RetentionSettings, default 730 days);
  // files followed by nobody use the default. Audited per file as "purge" by the system.
  Result<PurgeReport> Purge(ArchiveSink* archive, const audit::Context& ctx);
  // Administrators (persons.export), or accueil/social of a following organisation.
  Result<PersonExport> ExportPerson(PersonId id, const Principal& who, const audit::Context& ctx);
  Result<RetentionSettings> RetentionOf(OrganisationId id);
  Status SetRetention(const RetentionSettings& settings, const Principal& who,
                      const audit::Context& ctx);
  Result<std::vector<PurgeLogEntry>> PurgeLog(const Principal& who, int limit = 100);

 private:
  ReceptionStore& store_;
  identity::IdentityStore& identity_;
  audit::AuditLog& audit_;
  const Clock& clock_;
  const Catalogue& catalogue_;
};

}  // namespace pasip::reception
