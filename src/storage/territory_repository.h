// The territory reference on the business database (tables `regions`, `departements`,
// `communes`). One SQL text for SQLite and PostgreSQL; an import is one transaction, written
// in multi-row `INSERT … ON CONFLICT (code) DO UPDATE` batches. Thread-safe: each call
// leases its own connection.
#pragma once

#include "domain/territory/ports.h"
#include "storage/database.h"

namespace pasip::storage {

class SqlTerritoryStore final : public territory::TerritoryStore {
 public:
  explicit SqlTerritoryStore(Database& db) : db_(db) {}
  Result<territory::UpsertCounts> UpsertCommunes(
      std::span<const territory::Commune> communes) override;
  Result<std::optional<territory::Commune>> FindCommune(std::string_view code) override;
  Result<std::vector<territory::Commune>> ListCommunes(std::string_view departement) override;
  Result<std::vector<territory::Departement>> ListDepartements() override;
  Result<std::int64_t> CountCommunes() override;

 private:
  Database& db_;
};

}  // namespace pasip::storage
