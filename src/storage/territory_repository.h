// The territory reference on the business database (tables `regions`, `departements`,
// `communes`, and `commune_terms` for autocompletion). One SQL text for SQLite and
// PostgreSQL; an import is one transaction, written in multi-row `INSERT … ON CONFLICT (code)
// DO UPDATE` batches. Thread-safe: each call leases its own connection.
#pragma once

#include <atomic>

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
  // Prefix search on `commune_terms`: the folded name from each word start (FoldForPrefix),
  // the INSEE code and the postcodes. Communes stored before migration 0003 have no terms:
  // the first search of the process writes them.
  Result<std::vector<territory::Commune>> SearchCommunes(std::string_view text, int limit) override;

 private:
  Database& db_;
  std::atomic<bool> terms_complete_{false};  // every stored commune has its terms
};

}  // namespace pasip::storage
