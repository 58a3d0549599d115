// The port through which the territory reference is stored (implemented by
// storage::SqlTerritoryStore, and by an in-memory fake in the tests). Implementations are
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/territory/model.h"

namespace pasip::territory {

struct UpsertCounts {
  std::int64_t created = 0;
  std::int64_t updated = 0;  // already known, rewritten in place

  bool operator==(const UpsertCounts&) const = default;
};

class TerritoryStore {
 public:
  virtual ~TerritoryStore() = default;

  // Inserts the communes that are new and rewrites those already stored (same code), with
  // their départements and régions, all or nothing. An optional value left empty (EPCI,
  // population, coordinates) keeps the stored one, so that a source lacking it (the
  // decoupage-administratif JSON has no coordinates) does not erase what another gave. The caller
  // validates the communes first (ValidateCommune); codes must be unique in `communes`
  // (kInvalidArgument otherwise). A row the schema refuses fails the whole call
  // (kFailedPrecondition) and nothing is written; an unreachable database is kUnavailable.
  virtual Result<UpsertCounts> UpsertCommunes(std::span<const Commune> communes) = 0;
  // The commune with this INSEE code, or nullopt.
  virtual Result<std::optional<Commune>> FindCommune(std::string_view code) = 0;
  // The communes of one département, by code.
  virtual Result<std::vector<Commune>> ListCommunes(std::string_view departement) = 0;
  // The départements known, by code.
  virtual Result<std::vector<Departement>> ListDepartements() = 0;
  virtual Result<std::int64_t> CountCommunes() = 0;
  // Autocompletion: communes whose folded name starts with the folded `text` (also after
  // "saint " etc.: any word start), or whose INSEE code or one of whose postcodes starts with
  // it when it is digits; the most populated first, at most `limit`.
  virtual Result<std::vector<Commune>> SearchCommunes(std::string_view text, int limit) = 0;
};

}  // namespace pasip::territory
