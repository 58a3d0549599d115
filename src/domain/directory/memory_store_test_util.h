// In-memory implementations of the directory and territory ports, for domain tests (this
// module's and the modules that use the directory). They follow the ports' contracts as the
// SQL stores do: (source, source_id) unique, kNotFound for unknown ids, all-or-nothing bulk
// upserts, candidates filtered by core/french lexemes of the search text, tag groups and a
// bounding box. Thread-safe (one mutex).
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/french.h"
#include "domain/directory/ports.h"
#include "domain/territory/ports.h"

namespace pasip::directory::testing {

class MemoryDirectoryStore final : public DirectoryStore {
 public:
  // `clock` stamps updated_at; without one, records are stamped with the Unix epoch.
  explicit MemoryDirectoryStore(const Clock* clock = nullptr) : clock_(clock) {}

  Result<Structure> SaveStructure(Structure structure, const IndexData& index) override {
    std::lock_guard lock(mutex_);
    return SaveStructureIn(state_, std::move(structure), index);
  }

  Result<Service> SaveService(Service service, const IndexData& index) override {
    std::lock_guard lock(mutex_);
    return SaveServiceIn(state_, std::move(service), index);
  }

  Status ReindexStructure(StructureId id, const IndexData& index) override {
    std::lock_guard lock(mutex_);
    const auto it = state_.structures.find(id);
    if (it == state_.structures.end()) return Fail(NotFound("Structure introuvable."));
    it->second.index = Indexed(index);
    scan_dirty_ = true;
    return Ok();
  }

  Status DeleteService(ServiceId id) override {
    std::lock_guard lock(mutex_);
    const auto it = state_.services.find(id);
    if (it == state_.services.end()) return Fail(NotFound("Service introuvable."));
    state_.service_sources.erase({it->second.record.source, it->second.record.source_id});
    state_.services.erase(it);
    scan_dirty_ = true;
    return Ok();
  }

  Result<BulkCounts> UpsertBulk(std::span<const StructureRecord> structures,
                                std::span<const ServiceRecord> services) override {
    std::lock_guard lock(mutex_);
    // Work on a copy: a failure leaves the store as it was.
    State next = state_;
    BulkCounts counts;
    for (const StructureRecord& r : structures) {
      Structure s = r.structure;
      const auto existing = next.structure_sources.find({s.source, s.source_id});
      const bool known = existing != next.structure_sources.end();
      s.id = known ? existing->second : 0;
      (known ? counts.structures_updated : counts.structures_created)++;
      auto saved = SaveStructureIn(next, std::move(s), r.index);
      if (!saved) return Fail(saved.error());
    }
    for (const ServiceRecord& r : services) {
      Service s = r.service;
      if (s.structure_id == 0) {
        const auto owner = next.structure_sources.find({s.source, r.structure_source_id});
        if (owner == next.structure_sources.end()) {
          return Fail(NotFound("La structure « " + r.structure_source_id + " » est inconnue."));
        }
        s.structure_id = owner->second;
      }
      const auto existing = next.service_sources.find({s.source, s.source_id});
      const bool known = existing != next.service_sources.end();
      s.id = known ? existing->second : 0;
      (known ? counts.services_updated : counts.services_created)++;
      auto saved = SaveServiceIn(next, std::move(s), r.index);
      if (!saved) return Fail(saved.error());
    }
    state_ = std::move(next);
    scan_dirty_ = true;
    return counts;
  }

  Result<std::optional<Structure>> FindStructure(StructureId id) override {
    std::lock_guard lock(mutex_);
    const auto it = state_.structures.find(id);
    if (it == state_.structures.end()) return std::optional<Structure>();
    return std::optional<Structure>(it->second.record);
  }

  Result<std::optional<Structure>> FindStructureBySource(std::string_view source,
                                                         std::string_view source_id) override {
    std::lock_guard lock(mutex_);
    const auto it = state_.structure_sources.find({std::string(source), std::string(source_id)});
    if (it == state_.structure_sources.end()) return std::optional<Structure>();
    return std::optional<Structure>(state_.structures.at(it->second).record);
  }

  Result<std::optional<Structure>> FindStructureBySite(std::int64_t site_id) override {
    std::lock_guard lock(mutex_);
    for (const auto& [id, r] : state_.structures) {
      if (r.record.site_id == site_id) return std::optional<Structure>(r.record);
    }
    return std::optional<Structure>();
  }

  Result<std::optional<Service>> FindService(ServiceId id) override {
    std::lock_guard lock(mutex_);
    const auto it = state_.services.find(id);
    if (it == state_.services.end()) return std::optional<Service>();
    return std::optional<Service>(it->second.record);
  }

  Result<std::vector<Service>> ServicesOf(StructureId id) override {
    std::lock_guard lock(mutex_);
    std::vector<Service> out;
    for (const auto& [service_id, r] : state_.services) {
      if (r.record.structure_id == id) out.push_back(r.record);
    }
    return out;
  }

  Result<std::vector<Structure>> LoadStructures(std::span<const StructureId> ids) override {
    std::lock_guard lock(mutex_);
    std::vector<Structure> out;
    for (StructureId id : ids) {
      const auto it = state_.structures.find(id);
      if (it != state_.structures.end()) out.push_back(it->second.record);
    }
    return out;
  }

  Result<std::vector<Service>> LoadServices(std::span<const ServiceId> ids) override {
    std::lock_guard lock(mutex_);
    std::vector<Service> out;
    for (ServiceId id : ids) {
      const auto it = state_.services.find(id);
      if (it != state_.services.end()) out.push_back(it->second.record);
    }
    return out;
  }

  Result<std::vector<Structure>> ListStructures(
      StructureId after, int limit, std::optional<std::int64_t> organisation_id) override {
    std::lock_guard lock(mutex_);
    std::vector<Structure> out;
    for (auto it = state_.structures.upper_bound(after);
         it != state_.structures.end() && static_cast<int>(out.size()) < limit; ++it) {
      if (organisation_id && it->second.record.organisation_id != organisation_id) continue;
      out.push_back(it->second.record);
    }
    return out;
  }

  Result<std::vector<Service>> ListServices(ServiceId after, int limit,
                                            std::optional<std::int64_t> organisation_id) override {
    std::lock_guard lock(mutex_);
    std::vector<Service> out;
    for (auto it = state_.services.upper_bound(after);
         it != state_.services.end() && static_cast<int>(out.size()) < limit; ++it) {
      if (organisation_id) {
        const auto owner = state_.structures.find(it->second.record.structure_id);
        if (owner == state_.structures.end() ||
            owner->second.record.organisation_id != organisation_id) {
          continue;
        }
      }
      out.push_back(it->second.record);
    }
    return out;
  }

  Status RefreshStatistics() override { return Ok(); }
  Result<std::int64_t> Count(Entity entity) override {
    std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(entity == Entity::kStructure ? state_.structures.size()
                                                                  : state_.services.size());
  }

  Result<std::vector<Candidate>> FindCandidates(Entity entity,
                                                const CandidateFilter& filter) override {
    std::lock_guard lock(mutex_);
    std::vector<Candidate> out;
    auto consider = [&](std::int64_t id, StructureId structure_id, const StoredIndex& index,
                        const std::string& date_maj) {
      if (!filter.include_unpublished && !index.data.publie) return;
      if (filter.structure_id && structure_id != *filter.structure_id) return;
      if (filter.box && !InBox(*filter.box, index.data.locations)) return;
      for (const auto& group : filter.tag_groups) {
        const bool any = std::any_of(group.begin(), group.end(), [&](const std::string& tag) {
          return std::binary_search(index.data.tags.begin(), index.data.tags.end(), tag);
        });
        if (!any) return;
      }
      for (const std::string& lexeme : filter.lexemes) {
        if (!index.lexemes.contains(lexeme)) return;
      }
      out.push_back(Candidate{id, structure_id, index.data.sort_name, index.data.tags,
                              index.data.locations, index.data.closures, date_maj});
    };
    // A flat array with each record's locations' extent, so that a scan does not chase the
    // map's nodes (searches over 100,000 records in the speed test).
    if (scan_dirty_) RebuildScan();
    for (const ScanEntry& e : scan_[entity == Entity::kStructure ? 0 : 1]) {
      if (!filter.include_unpublished && !e.publie) continue;
      if (filter.box &&
          (!e.located || e.max_lat < filter.box->min_lat || e.min_lat > filter.box->max_lat ||
           e.max_lon < filter.box->min_lon || e.min_lon > filter.box->max_lon)) {
        continue;
      }
      consider(e.id, e.structure_id, *e.index, *e.date_maj);
    }
    return out;
  }

  // Test helpers: the index stored with a record.
  IndexData StructureIndex(StructureId id) {
    std::lock_guard lock(mutex_);
    return state_.structures.at(id).index.data;
  }
  IndexData ServiceIndex(ServiceId id) {
    std::lock_guard lock(mutex_);
    return state_.services.at(id).index.data;
  }

 private:
  struct StoredIndex {
    IndexData data;  // tags sorted, as a database index would hold them
    std::set<std::string, std::less<>> lexemes;
  };
  template <typename T>
  struct Stored {
    T record;
    StoredIndex index;
  };
  using Structures = std::map<StructureId, Stored<Structure>>;
  using Services = std::map<ServiceId, Stored<Service>>;

  static StoredIndex Indexed(const IndexData& index) {
    StoredIndex stored{index, {}};
    std::sort(stored.data.tags.begin(), stored.data.tags.end());
    for (std::string& lexeme : text::SearchLexemes(index.search_text)) {
      stored.lexemes.insert(std::move(lexeme));
    }
    return stored;
  }

  static bool InBox(const CandidateFilter::Box& box, const std::vector<Location>& locations) {
    return std::any_of(locations.begin(), locations.end(), [&](const Location& l) {
      return l.latitude >= box.min_lat && l.latitude <= box.max_lat && l.longitude >= box.min_lon &&
             l.longitude <= box.max_lon;
    });
  }

  struct ScanEntry {
    std::int64_t id = 0;
    StructureId structure_id = 0;
    bool publie = true;
    bool located = false;
    double min_lat = 0, max_lat = 0, min_lon = 0, max_lon = 0;
    const StoredIndex* index = nullptr;
    const std::string* date_maj = nullptr;
  };

  template <typename Map>
  static void AddScanEntries(const Map& map, std::vector<ScanEntry>& out) {
    out.clear();
    out.reserve(map.size());
    for (const auto& [id, r] : map) {
      ScanEntry e;
      e.id = id;
      if constexpr (std::is_same_v<typename Map::mapped_type, Stored<Service>>) {
        e.structure_id = r.record.structure_id;
      } else {
        e.structure_id = id;
      }
      e.publie = r.index.data.publie;
      for (const Location& l : r.index.data.locations) {
        if (!e.located) {
          e.min_lat = e.max_lat = l.latitude;
          e.min_lon = e.max_lon = l.longitude;
          e.located = true;
        }
        e.min_lat = std::min(e.min_lat, l.latitude);
        e.max_lat = std::max(e.max_lat, l.latitude);
        e.min_lon = std::min(e.min_lon, l.longitude);
        e.max_lon = std::max(e.max_lon, l.longitude);
      }
      e.index = &r.index;
      e.date_maj = &r.record.date_maj;
      out.push_back(e);
    }
  }

  void RebuildScan() {
    AddScanEntries(state_.structures, scan_[0]);
    AddScanEntries(state_.services, scan_[1]);
    scan_dirty_ = false;
  }

  struct State {
    Structures structures;
    Services services;
    std::map<std::pair<std::string, std::string>, std::int64_t> structure_sources, service_sources;
  };

  TimePoint Now() const { return clock_ ? clock_->Now() : TimePoint{}; }

  Result<Structure> SaveStructureIn(State& state, Structure s, const IndexData& index) {
    const auto stored = state.structures.find(s.id);
    if (s.id != 0 && stored == state.structures.end()) {
      return Fail(NotFound("Structure introuvable."));
    }
    const auto same = state.structure_sources.find({s.source, s.source_id});
    if (same != state.structure_sources.end() && same->second != s.id) {
      return Fail(
          AlreadyExists("Une structure a déjà cet identifiant pour cette source.", "source_id"));
    }
    if (s.id == 0) {
      s.id = ++next_id_;
    } else {
      const Structure& old = stored->second.record;
      state.structure_sources.erase({old.source, old.source_id});
    }
    s.updated_at = Now();
    state.structure_sources[{s.source, s.source_id}] = s.id;
    state.structures[s.id] = Stored<Structure>{s, Indexed(index)};
    scan_dirty_ = true;
    return s;
  }

  Result<Service> SaveServiceIn(State& state, Service s, const IndexData& index) {
    const auto stored = state.services.find(s.id);
    if (s.id != 0 && stored == state.services.end()) {
      return Fail(NotFound("Service introuvable."));
    }
    if (!state.structures.contains(s.structure_id)) {
      return Fail(NotFound("Structure introuvable."));
    }
    const auto same = state.service_sources.find({s.source, s.source_id});
    if (same != state.service_sources.end() && same->second != s.id) {
      return Fail(
          AlreadyExists("Un service a déjà cet identifiant pour cette source.", "source_id"));
    }
    if (s.id == 0) {
      s.id = ++next_id_;
    } else {
      const Service& old = stored->second.record;
      state.service_sources.erase({old.source, old.source_id});
    }
    s.updated_at = Now();
    state.service_sources[{s.source, s.source_id}] = s.id;
    state.services[s.id] = Stored<Service>{s, Indexed(index)};
    scan_dirty_ = true;
    return s;
  }

  const Clock* clock_;
  std::mutex mutex_;
  std::int64_t next_id_ = 0;
  State state_;
  std::vector<ScanEntry> scan_[2];  // structures, services; rebuilt after any write
  bool scan_dirty_ = true;
};

// Communes in memory; SearchCommunes follows the port's rules (word starts of the folded
// name, code or postcode prefixes for digits, most populated first).
class MemoryTerritoryStore final : public territory::TerritoryStore {
 public:
  Result<territory::UpsertCounts> UpsertCommunes(
      std::span<const territory::Commune> communes) override {
    std::lock_guard lock(mutex_);
    territory::UpsertCounts counts;
    for (const territory::Commune& c : communes) {
      const auto it = communes_.find(c.code);
      if (it == communes_.end()) {
        ++counts.created;
        communes_[c.code] = c;
        continue;
      }
      ++counts.updated;
      territory::Commune merged = c;
      if (!merged.epci) merged.epci = it->second.epci;
      if (!merged.population) merged.population = it->second.population;
      if (!merged.latitude) {
        merged.latitude = it->second.latitude;
        merged.longitude = it->second.longitude;
      }
      if (merged.codes_postaux.empty()) merged.codes_postaux = it->second.codes_postaux;
      it->second = std::move(merged);
    }
    return counts;
  }

  Result<std::optional<territory::Commune>> FindCommune(std::string_view code) override {
    std::lock_guard lock(mutex_);
    const auto it = communes_.find(std::string(code));
    if (it == communes_.end()) return std::optional<territory::Commune>();
    return std::optional<territory::Commune>(it->second);
  }

  Result<std::vector<territory::Commune>> ListCommunes(std::string_view departement) override {
    std::lock_guard lock(mutex_);
    std::vector<territory::Commune> out;
    for (const auto& [code, c] : communes_) {
      if (c.departement == departement) out.push_back(c);
    }
    return out;
  }

  Result<std::vector<territory::Departement>> ListDepartements() override {
    std::lock_guard lock(mutex_);
    std::map<std::string, territory::Departement> out;
    for (const auto& [code, c] : communes_) {
      out.emplace(
          c.departement,
          territory::Departement{c.departement,
                                 std::string(territory::DepartementName(c.departement)), c.region});
    }
    std::vector<territory::Departement> list;
    for (auto& [code, d] : out) list.push_back(std::move(d));
    return list;
  }

  Result<std::int64_t> CountCommunes() override {
    std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(communes_.size());
  }

  Result<std::vector<territory::Commune>> SearchCommunes(std::string_view text,
                                                         int limit) override {
    std::lock_guard lock(mutex_);
    const std::string folded = text::FoldForPrefix(text);
    const bool digits = !folded.empty() && std::all_of(folded.begin(), folded.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
    std::vector<territory::Commune> out;
    if (folded.empty()) return out;
    for (const auto& [code, c] : communes_) {
      bool match = false;
      if (digits) {
        match = code.starts_with(folded) ||
                std::any_of(c.codes_postaux.begin(), c.codes_postaux.end(),
                            [&](const std::string& p) { return p.starts_with(folded); });
      } else {
        const std::string name = text::FoldForPrefix(c.name);
        for (std::size_t at = 0;; ++at) {  // each word start
          if (name.compare(at, folded.size(), folded) == 0) {
            match = true;
            break;
          }
          at = name.find(' ', at);
          if (at == std::string::npos) break;
        }
      }
      if (match) out.push_back(c);
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.population.value_or(0) > b.population.value_or(0);
    });
    if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
    return out;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, territory::Commune> communes_;
};

}  // namespace pasip::directory::testing
