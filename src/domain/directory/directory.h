// The directory's use cases, as the API, the pages and the command line see them: search
// (text, filters, distance, open at an instant, pages, facets), read in the public or the
// professional view, create and edit structures and services under the access policy with
// an audit entry, the "à mettre à jour" list, and the index every write keeps current.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/audit/audit.h"
#include "domain/directory/hours_cache.h"
#include "domain/directory/model.h"
#include "domain/directory/ports.h"
#include "domain/identity/organisations.h"
#include "domain/identity/policy.h"
#include "domain/territory/ports.h"

namespace pasip::directory {

struct SearchQuery {
  Entity entity = Entity::kService;
  std::string q;  // French text; empty = no text condition
  // Filters: values of the référentiels. A catégorie matches all its thématiques.
  std::vector<std::string> thematiques, categories, publics, types, frais, modes_accueil, langues;
  bool label_pasip = false;           // every PASIP criterion met
  bool pmr = false;                   // accessible to people with reduced mobility
  bool itinerants = true;             // include itinerant stops as locations
  std::optional<TimePoint> ouvert_a;  // open at this instant (Paris time rules)
  // Location: a commune (its centre) or coordinates; with a radius (default 30 km, the
  // seeds' "30 minutes"), results sorted by distance. Without it, sorted by name.
  std::optional<std::string> commune;
  std::optional<double> latitude, longitude;
  double rayon_km = 30;
  std::optional<std::int64_t> organisation_id;  // professional view: one organisation
  int limite = 20;                              // 1 to 100
  std::string apres;                            // the previous page's `suivant`
  bool facettes = false;                        // compute facet counts
};

// Facet counts over every result (not just the page): "kind" → value → count.
struct FacetCount {
  std::string kind;  // thematique, categorie, public, type, frais, mode_accueil, langue
  std::string value;
  std::int64_t count = 0;
};

// The state at the instant asked (ouvert_a, or now), at the nearest location.
struct OpenState {
  std::string etat;        // "ouvert", "ferme", "inconnu"
  std::string prochain;    // ISO instant of the next change, or ""
  std::string aujourdhui;  // today's hours in French ("9 h – 12 h, 13 h 30 – 17 h"), or ""
};

struct Hit {
  std::int64_t id = 0;
  std::optional<double> distance_km;
  std::optional<Location> lieu;  // the nearest location (or the first)
  OpenState ouverture;
  std::optional<Structure> structure;  // always (the service's structure, or the hit)
  std::optional<Service> service;      // for a service search
};

struct SearchPage {
  std::vector<Hit> items;
  std::optional<std::string> suivant;  // cursor of the next page
  std::int64_t total = 0;              // results in all pages
  std::vector<FacetCount> facettes;
  std::optional<territory::Commune> commune;  // the commune located, when one was given
};

// What a reader may see. Public: published records only, no referents, service contacts
// hidden unless contacts_publics. Professional: everything.
enum class View { kPublic, kProfessional };
View ViewFor(const identity::Principal& principal);

// A permanence another structure's service holds at this structure.
struct HostedPermanence {
  Service service;    // the partner's service (redacted in the public view)
  Structure partner;  // the structure running that service
  Permanence permanence;
};

struct StructureDetail {
  Structure structure;
  std::vector<Service> services;
  std::vector<Structure> hosts;  // structures hosting this one's permanences
  Freshness freshness;
  // Permanences of other structures' services held here (public view: published services
  // of published partners), by partner name, then service name.
  std::vector<HostedPermanence> accueillies;
};

struct ToUpdateItem {
  Structure structure;
  Freshness freshness;
};

// Validation failures of a search parameter are kInvalidArgument naming the parameter
// ("rayon_km", "commune", "apres"…) in French.
class DirectoryService final : public identity::SiteObserver {
 public:
  DirectoryService(DirectoryStore& store, territory::TerritoryStore& territory,
                   audit::AuditLog& audit, const Clock& clock)
      : store_(store), territory_(territory), audit_(audit), clock_(clock) {}

  Result<SearchPage> Search(const SearchQuery& query, View view);

  // kNotFound for an unknown id, or an unpublished record in the public view.
  Result<StructureDetail> GetStructure(StructureId id, View view);
  Result<Service> GetService(ServiceId id, View view);

  // Writes: coordination and admin on every record, partenaire on their organisation's
  // structures only (kPermissionDenied otherwise; the record's organisation_id must be one
  // of theirs), validated (ValidateStructure / ValidateService), date_maj set to today,
  // source "pasip" and a fresh source_id for new records, audited
  // ("directory.structure.create"…), index recomputed.
  Result<Structure> CreateStructure(Structure s, const identity::Principal& who,
                                    const audit::Context& ctx);
  Result<Structure> UpdateStructure(Structure s, const identity::Principal& who,
                                    const audit::Context& ctx);
  Result<Service> CreateService(Service s, const identity::Principal& who,
                                const audit::Context& ctx);
  Result<Service> UpdateService(Service s, const identity::Principal& who,
                                const audit::Context& ctx);
  Status DeleteService(ServiceId id, const identity::Principal& who, const audit::Context& ctx);
  // May this principal edit this structure?
  bool CanEdit(const identity::Principal& who, const Structure& s) const;

  // Structures by freshness score, lowest first (coordination: all; partenaire: theirs).
  Result<std::vector<ToUpdateItem>> ToUpdate(const identity::Principal& who, int limit);

  // Index of one record (exposed for imports, which upsert in bulk). `commune` is the
  // TerritoryStore's commune of the record's code_insee (for a service without one, its
  // structure's): its name goes into the search text, its centre locates a record without
  // coordinates, its département is a tag. Stops and hosts without coordinates are located
  // at their commune's centre, read from the TerritoryStore. Besides the kinds listed in
  // ports.h, a service with permanences carries "hote:<host structure id>" tags, so that a
  // host's change of address reaches the services it hosts.
  IndexData IndexOfStructure(const Structure& s, std::span<const Service> services,
                             const std::optional<territory::Commune>& commune);
  IndexData IndexOfService(const Service& s, const Structure& structure,
                           std::span<const Structure> hosts,
                           const std::optional<territory::Commune>& commune);
  // Recomputes and saves the index of these structures and their services (after a bulk
  // import, or a change of communes).
  Status Reindex(std::span<const StructureId> ids);

  DirectoryStore& store() { return store_; }
  // The state at `at` of a place with these hours (opening_hours, may be empty) in commune
  // `code_insee` (for its public holidays), honouring the temporary closures among `notices`:
  // what searches answer, for the record pages.
  OpenState OpenStateOf(std::string_view horaires, std::string_view code_insee,
                        std::span<const Notice> notices, TimePoint at);
  // Changes with every write made through this service (after the write): a cache of search
  // answers keyed with it never serves an answer older than this process's last write.
  std::uint64_t generation() const { return generation_->load(std::memory_order_acquire); }

  // A site is a structure of the directory: creates the site's structure (source "pasip",
  // source_id "lieu-<site id>", the site's organisation and its réseau porteur) or brings its
  // name, address, commune, coordinates and publication in step with the site, keeping
  // everything else entered in the directory. A site the directory cannot describe (a name
  // under 3 characters…) is left out of it. Audited like the other structure writes.
  Status SiteSaved(const identity::Site& site, const identity::Organisation& organisation,
                   const audit::Context& context) override;

 private:
  // The commune with this INSEE code; nullopt when unknown or unreadable (an index is then
  // written without the commune's name and centre, and Reindex can complete it later).
  std::optional<territory::Commune> CommuneOf(std::string_view code);
  std::optional<territory::Commune> CommuneOfService(const Service& s, const Structure& structure);
  // A location at these coordinates, else at the centre of commune `code_insee` (`known`
  // when it is that commune already); nullopt when neither is known.
  std::optional<Location> PlaceOf(const std::optional<double>& latitude,
                                  const std::optional<double>& longitude,
                                  std::string_view code_insee,
                                  const std::optional<territory::Commune>* known);
  void AddStopLocations(const Structure& s, std::vector<Location>& out);
  void AddPermanenceLocations(const Service& s, std::span<const Structure> hosts,
                              std::vector<Location>& out);
  OpenState StateAt(const Location* location, std::span<const Notice> closures, TimePoint at);
  std::string Today() const;  // Paris date, "2026-11-22"
  Status Refuse(const identity::Principal& who, const audit::Context& ctx, std::string_view action,
                std::string_view type, std::int64_t id);
  Status CheckSite(const Structure& s);
  Result<std::vector<Structure>> HostsOf(const Service& s);
  Status SaveServiceIndex(const Service& s, const Structure& structure);
  Status RefreshStructureIndex(StructureId id);
  // The permanences other structures' services hold at structure `id`.
  Result<std::vector<HostedPermanence>> HostedAt(StructureId id, View view);
  // After a structure changed: the index of its services and of the services it hosts.
  Status RefreshDependants(const Structure& structure, std::span<const Service> own);

  DirectoryStore& store_;
  territory::TerritoryStore& territory_;
  audit::AuditLog& audit_;
  const Clock& clock_;
  std::shared_ptr<HoursCache> hours_ = std::make_shared<HoursCache>();
  std::shared_ptr<std::atomic<std::uint64_t>> generation_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  // Declared first in each write: bumps the generation when the write is over.
  struct WriteDone {
    std::atomic<std::uint64_t>& generation;
    ~WriteDone() { generation.fetch_add(1, std::memory_order_acq_rel); }
  };
};

}  // namespace pasip::directory
