// Reception on the business database (migration 0004): passages, persons and their
// matching keys, follows, notes, consents, merges, tickets, retention settings and the
// purge log. One SQL text for SQLite and PostgreSQL, except the row lock that serialises
// ticket numbering per site on PostgreSQL. Thread-safe: each call leases its own
// connection; every write is one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/reception/ports.h"
#include "storage/database.h"

namespace pasip::storage {

class SqlReceptionStore final : public reception::ReceptionStore {
 public:
  explicit SqlReceptionStore(Database& db) : db_(db) {}

  // The business tables holding a person id (a column named person_id or ending in
  // _person_id), all of which ExportPerson covers: the export coverage test compares this
  // list with the schema.
  static const std::vector<std::string>& PersonTables();

  Result<reception::Passage> CreatePassage(const reception::Passage& passage) override;
  Status UpdatePassage(const reception::Passage& passage) override;
  Status DeletePassage(reception::PassageId id) override;
  Result<std::optional<reception::Passage>> FindPassage(reception::PassageId id) override;
  Result<std::vector<reception::Passage>> ListPassages(
      const reception::PassageQuery& query) override;
  Result<std::vector<reception::MotifCount>> MotifFrequencies(reception::SiteId site,
                                                              TimePoint since) override;

  Result<reception::Person> CreatePerson(const reception::Person& person,
                                         std::span<const std::string> keys,
                                         reception::OrganisationId follower) override;
  Status UpdatePerson(const reception::Person& person, std::span<const std::string> keys) override;
  Result<std::optional<reception::Person>> FindPerson(reception::PersonId id) override;
  Status TouchPerson(reception::PersonId id, TimePoint at) override;
  Result<std::vector<reception::Follow>> FollowsOf(reception::PersonId id) override;
  Status AddFollow(const reception::Follow& follow) override;
  Result<std::vector<reception::KeyMatch>> FindByKeys(const reception::KeyQuery& query) override;
  Result<std::int64_t> CountPersons() override;

  Status MergePersons(reception::PersonId kept, reception::PersonId absorbed,
                      TimePoint at) override;
  Result<std::vector<reception::PersonId>> MergedInto(reception::PersonId kept) override;

  Result<reception::Note> CreateNote(const reception::Note& note) override;
  Result<std::vector<reception::Note>> NotesOf(reception::PersonId id) override;
  Result<reception::Consent> CreateConsent(const reception::Consent& consent) override;
  Result<std::vector<reception::Consent>> ConsentsOf(reception::PersonId id) override;

  Result<reception::Ticket> CreateTicket(const reception::Ticket& ticket) override;
  Status UpdateTicket(const reception::Ticket& ticket) override;
  Result<std::optional<reception::Ticket>> FindTicket(reception::TicketId id) override;
  Result<std::vector<reception::Ticket>> ListTickets(const reception::TicketQuery& query) override;
  Result<std::vector<reception::Ticket>> TicketsOf(reception::PersonId id) override;
  Result<std::int64_t> ClearTicketNotes(std::string_view before_jour) override;

  Result<std::optional<reception::RetentionSettings>> FindRetention(
      reception::OrganisationId id) override;
  Status SaveRetention(const reception::RetentionSettings& settings) override;
  Result<std::vector<reception::Person>> InactiveSince(TimePoint before, int limit) override;
  Status ErasePerson(reception::PersonId id, const reception::PurgeLogEntry& log) override;
  Result<std::vector<reception::PurgeLogEntry>> PurgeLog(int limit) override;

  Result<reception::PersonExport> ExportPerson(reception::PersonId id) override;

 private:
  Database& db_;
};

}  // namespace pasip::storage
