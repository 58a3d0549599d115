// What the reception module needs from storage (storage::SqlReceptionStore on SQLite and
// PostgreSQL, migration 0004). Thread-safe. Every write is one transaction: all or nothing.
// Errors: kUnavailable (database), kNotFound (unknown id to update), kInvalidArgument only
// for what the domain cannot check itself.
//
// The store knows nothing of access rules: the domain decides who may see what, and passes
// the organisations whose files a query may return.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/reception/model.h"

namespace pasip::reception {

struct PassageQuery {
  std::vector<SiteId> site_ids;                  // empty = any site
  std::vector<OrganisationId> organisation_ids;  // empty = any organisation
  std::optional<TimePoint> from;                 // debut >= from
  std::optional<TimePoint> to;                   // debut < to
  std::optional<PersonId> person_id;
  std::optional<PassageId> before_id;  // keyset pagination (newest first)
  int limit = 100;
};

struct MotifCount {
  std::string code;
  std::int64_t count = 0;  // sum of `nombre`
};

// A person and how many of the query's keys it matched.
struct KeyMatch {
  Person person;
  int matched = 0;
};

struct KeyQuery {
  std::vector<std::string> keys;      // exact keys ("nom:dupont", "tel:612345678"…)
  std::vector<std::string> prefixes;  // key prefixes ("nom:dup")
  // Only persons followed by one of these organisations (empty = none: nothing is found).
  std::vector<OrganisationId> organisation_ids;
  std::optional<PersonId> exclude;  // e.g. the file being edited
  int limit = 50;                   // persons matching most keys first
};

struct TicketQuery {
  SiteId site_id = 0;
  std::string jour;                               // Paris day "YYYY-MM-DD"; "" = any day
  std::optional<std::string> from_jour, to_jour;  // inclusive range, when jour is ""
};

class ReceptionStore {
 public:
  virtual ~ReceptionStore() = default;

  // --- Passages. A passage with a person also makes its organisation follow the person
  // (motif "passage", if not already) and moves the person's dernier_contact forward to
  // the passage's debut when later — in the same transaction.
  virtual Result<Passage> CreatePassage(const Passage& passage) = 0;
  // Rewrites every field but id, created_by and created_at (same follow/contact rule).
  virtual Status UpdatePassage(const Passage& passage) = 0;
  virtual Status DeletePassage(PassageId id) = 0;
  virtual Result<std::optional<Passage>> FindPassage(PassageId id) = 0;
  // Newest first (debut, then id).
  virtual Result<std::vector<Passage>> ListPassages(const PassageQuery& query) = 0;
  // Motives of the site's passages since `since`, most frequent first.
  virtual Result<std::vector<MotifCount>> MotifFrequencies(SiteId site, TimePoint since) = 0;

  // --- Persons. `keys` are the matching keys (matching.h) kept beside the person.
  // CreatePerson also makes `follower` follow the person (motif "creation").
  virtual Result<Person> CreatePerson(const Person& person, std::span<const std::string> keys,
                                      OrganisationId follower) = 0;
  virtual Status UpdatePerson(const Person& person, std::span<const std::string> keys) = 0;
  virtual Result<std::optional<Person>> FindPerson(PersonId id) = 0;
  // Moves dernier_contact forward to `at` (never back).
  virtual Status TouchPerson(PersonId id, TimePoint at) = 0;
  virtual Result<std::vector<Follow>> FollowsOf(PersonId id) = 0;
  virtual Status AddFollow(const Follow& follow) = 0;  // no-op when already following
  // Persons (not merged away) sharing keys with the query.
  virtual Result<std::vector<KeyMatch>> FindByKeys(const KeyQuery& query) = 0;
  virtual Result<std::int64_t> CountPersons() = 0;

  // --- Merge: moves every passage, note, consent, ticket and follow of `absorbed` to
  // `kept`, sets absorbed.fusionnee_dans = kept and clears absorbed's identity and keys
  // (its display name becomes "Dossier fusionné"), records the merge; one transaction.
  virtual Status MergePersons(PersonId kept, PersonId absorbed, TimePoint at) = 0;
  virtual Result<std::vector<PersonId>> MergedInto(PersonId kept) = 0;

  // --- Notes and consents (oldest first).
  virtual Result<Note> CreateNote(const Note& note) = 0;
  virtual Result<std::vector<Note>> NotesOf(PersonId id) = 0;
  virtual Result<Consent> CreateConsent(const Consent& consent) = 0;
  virtual Result<std::vector<Consent>> ConsentsOf(PersonId id) = 0;

  // --- Queue. CreateTicket assigns numero = 1 + the highest of the site and day.
  virtual Result<Ticket> CreateTicket(const Ticket& ticket) = 0;
  virtual Status UpdateTicket(const Ticket& ticket) = 0;
  virtual Result<std::optional<Ticket>> FindTicket(TicketId id) = 0;
  // Oldest arrival first.
  virtual Result<std::vector<Ticket>> ListTickets(const TicketQuery& query) = 0;
  virtual Result<std::vector<Ticket>> TicketsOf(PersonId id) = 0;
  // Empties the hand-off note of the tickets whose jour is before `before_jour` ("YYYY-MM-DD"
  // sorts as text); returns how many tickets had a note.
  virtual Result<std::int64_t> ClearTicketNotes(std::string_view before_jour) = 0;

  // --- Retention.
  virtual Result<std::optional<RetentionSettings>> FindRetention(OrganisationId id) = 0;
  virtual Status SaveRetention(const RetentionSettings& settings) = 0;
  // Persons (not merged away) whose dernier_contact is before `before`, oldest first.
  virtual Result<std::vector<Person>> InactiveSince(TimePoint before, int limit) = 0;
  // Removes the person file and everything named about it: notes, consents, follows, keys,
  // merged-away files; passages and tickets are kept, detached (person_id NULL, note
  // emptied), for the statistics. Writes the purge log entry. One transaction.
  virtual Status ErasePerson(PersonId id, const PurgeLogEntry& log) = 0;
  virtual Result<std::vector<PurgeLogEntry>> PurgeLog(int limit) = 0;

  // --- Right of access: everything the business tables hold about the person (the
  // `accesses` member is left empty: the audit log is another store).
  virtual Result<PersonExport> ExportPerson(PersonId id) = 0;
};

}  // namespace pasip::reception
