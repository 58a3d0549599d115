// The port through which the directory is stored and searched (implemented by
// storage::SqlDirectoryStore on SQLite and PostgreSQL, and by an in-memory fake in the
// domain tests). Implementations are thread-safe.
//
// The store knows nothing of référentiels, opening hours or distances: the domain computes,
// for each record, its IndexData (tags, search text, locations) and the store keeps them
// beside the record; a search asks the store for the candidates matching the text, the tags
// and a bounding box, and the domain does the rest (distance, radius, open at an instant,
// order, pages, facets) the same way whatever the database.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/directory/model.h"

namespace pasip::directory {

enum class Entity { kStructure, kService };

// Where a record can be met, with the hours that apply there.
struct Location {
  double latitude = 0;
  double longitude = 0;
  std::string code_insee;  // may be empty
  std::string horaires;    // opening_hours string, may be empty (unknown)
  std::string lieu;        // "" for the record's own address, else the stop or host's name
  bool itinerant = false;  // an itinerant stop
  bool operator==(const Location&) const = default;
};

// What a search needs of a record, computed by the domain (IndexOf… in index.h).
struct IndexData {
  // "kind:value" tags. Kinds: thematique, categorie, public, type, frais, mode_accueil,
  // langue, label (pasip), pmr (oui), itinerant (oui), organisation (id), departement.
  std::vector<std::string> tags;
  // Raw French text (names, description, thématique labels, structure and commune names);
  // the store indexes it: SQLite with core/french's lexemes in FTS5, PostgreSQL with
  // to_tsvector('pasip_french', text).
  std::string search_text;
  std::vector<Location> locations;  // may be empty (not located)
  std::string sort_name;            // folded name, for the order of unlocated results
  std::vector<Notice> closures;     // notices with fermeture = true
  bool publie = true;
  bool operator==(const IndexData&) const = default;
};

struct StructureRecord {
  Structure structure;
  IndexData index;
};

// A service to upsert in bulk; when service.structure_id is 0 the structure is the one
// with (service.source, structure_source_id), written in the same call or already stored.
struct ServiceRecord {
  Service service;
  std::string structure_source_id;
  IndexData index;
};

struct BulkCounts {
  std::int64_t structures_created = 0, structures_updated = 0;
  std::int64_t services_created = 0, services_updated = 0;
  bool operator==(const BulkCounts&) const = default;
};

// What the store filters on. Tags: one group per kind, a record matches a group when it
// has any of its tags, and must match every group. Lexemes: every lexeme must be in the
// record's search text (core/french's QueryLexemes; empty = no text condition).
struct CandidateFilter {
  std::vector<std::string> lexemes;
  std::vector<std::vector<std::string>> tag_groups;  // each "kind:value"
  struct Box {
    double min_lat, max_lat, min_lon, max_lon;
  };
  std::optional<Box> box;  // at least one location inside
  bool include_unpublished = false;
  std::optional<StructureId> structure_id;  // services of this structure only
};

// One record matching the filter, with what the domain needs to finish the search.
struct Candidate {
  std::int64_t id = 0;
  StructureId structure_id = 0;  // for a structure, its own id
  std::string sort_name;
  std::vector<std::string> tags;
  std::vector<Location> locations;
  std::vector<Notice> closures;
  std::string date_maj;
};

class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  // Inserts (id 0) or rewrites (id set) one record with its index, all or nothing. Another
  // record with the same (source, source_id) is kAlreadyExists; an unknown id or
  // structure_id kNotFound. Answers the record as stored (id, updated_at set).
  virtual Result<Structure> SaveStructure(Structure structure, const IndexData& index) = 0;
  virtual Result<Service> SaveService(Service service, const IndexData& index) = 0;
  // Replaces a structure's index only (after one of its services changed).
  virtual Status ReindexStructure(StructureId id, const IndexData& index) = 0;
  // Removes a service and its index; kNotFound when absent.
  virtual Status DeleteService(ServiceId id) = 0;
  // Upserts by (source, source_id), structures first, in one transaction: all or nothing.
  virtual Result<BulkCounts> UpsertBulk(std::span<const StructureRecord> structures,
                                        std::span<const ServiceRecord> services) = 0;

  virtual Result<std::optional<Structure>> FindStructure(StructureId id) = 0;
  virtual Result<std::optional<Structure>> FindStructureBySource(std::string_view source,
                                                                 std::string_view source_id) = 0;
  virtual Result<std::optional<Structure>> FindStructureBySite(std::int64_t site_id) = 0;
  virtual Result<std::optional<Service>> FindService(ServiceId id) = 0;
  virtual Result<std::vector<Service>> ServicesOf(StructureId id) = 0;
  // The records with these ids, in the order given; unknown ids are skipped.
  virtual Result<std::vector<Structure>> LoadStructures(std::span<const StructureId> ids) = 0;
  virtual Result<std::vector<Service>> LoadServices(std::span<const ServiceId> ids) = 0;
  // Every record by id after `after`, at most `limit` (exports, the freshness list);
  // organisation_id restricts structures to one organisation, services to its structures.
  virtual Result<std::vector<Structure>> ListStructures(
      StructureId after, int limit, std::optional<std::int64_t> organisation_id = {}) = 0;
  virtual Result<std::vector<Service>> ListServices(
      ServiceId after, int limit, std::optional<std::int64_t> organisation_id = {}) = 0;
  virtual Result<std::int64_t> Count(Entity entity) = 0;
  // After a bulk import: refreshes what the database's planner knows of the tables (on
  // PostgreSQL, ANALYZE: without statistics right after an import it picks slow plans).
  virtual Status RefreshStatistics() = 0;

  // Every record of `entity` matching `filter` (no order, no limit: the domain sorts).
  virtual Result<std::vector<Candidate>> FindCandidates(Entity entity,
                                                        const CandidateFilter& filter) = 0;
};

}  // namespace pasip::directory
