// The directory of the offer on the business database (tables `structures`, `services`,
// their tag and location tables and full-text index, migration 0003). One SQL text for
// SQLite and PostgreSQL except the text condition: SQLite matches core/french's lexemes in
// FTS5, PostgreSQL a `to_tsvector('pasip_french', …)` column through its GIN index. Each
// write is one transaction; UpsertBulk writes a whole import in one, in multi-row batches
// (and COPY on PostgreSQL for the index rows). Thread-safe: each call leases its own
// connection.
#pragma once

#include "core/clock.h"
#include "domain/directory/ports.h"
#include "storage/database.h"

namespace pasip::storage {

class SqlDirectoryStore final : public directory::DirectoryStore {
 public:
  // `clock` stamps updated_at; it must outlive the store.
  explicit SqlDirectoryStore(Database& db, const Clock& clock = DefaultClock())
      : db_(db), clock_(clock) {}

  Result<directory::Structure> SaveStructure(directory::Structure structure,
                                             const directory::IndexData& index) override;
  Result<directory::Service> SaveService(directory::Service service,
                                         const directory::IndexData& index) override;
  Status ReindexStructure(directory::StructureId id, const directory::IndexData& index) override;
  Status DeleteService(directory::ServiceId id) override;
  Result<directory::BulkCounts> UpsertBulk(
      std::span<const directory::StructureRecord> structures,
      std::span<const directory::ServiceRecord> services) override;

  Result<std::optional<directory::Structure>> FindStructure(directory::StructureId id) override;
  Result<std::optional<directory::Structure>> FindStructureBySource(
      std::string_view source, std::string_view source_id) override;
  Result<std::optional<directory::Structure>> FindStructureBySite(std::int64_t site_id) override;
  Result<std::optional<directory::Service>> FindService(directory::ServiceId id) override;
  Result<std::vector<directory::Service>> ServicesOf(directory::StructureId id) override;
  Result<std::vector<directory::Structure>> LoadStructures(
      std::span<const directory::StructureId> ids) override;
  Result<std::vector<directory::Service>> LoadServices(
      std::span<const directory::ServiceId> ids) override;
  Result<std::vector<directory::Structure>> ListStructures(
      directory::StructureId after, int limit,
      std::optional<std::int64_t> organisation_id = {}) override;
  Result<std::vector<directory::Service>> ListServices(
      directory::ServiceId after, int limit,
      std::optional<std::int64_t> organisation_id = {}) override;
  Result<std::int64_t> Count(directory::Entity entity) override;
  Status RefreshStatistics() override;

  // Lexemes must be [a-z0-9]+ (kInvalidArgument, field "q", otherwise).
  Result<std::vector<directory::Candidate>> FindCandidates(
      directory::Entity entity, const directory::CandidateFilter& filter) override;

 private:
  static const Clock& DefaultClock();

  Database& db_;
  const Clock& clock_;
};

}  // namespace pasip::storage
