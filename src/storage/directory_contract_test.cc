// Contract tests of the directory store (SqlDirectoryStore) and of commune autocompletion
// (SqlTerritoryStore::SearchCommunes), run on SQLite (a file and an in-memory database)
// always, and on PostgreSQL when PASIP_TEST_PG_URL names a throwaway database
// (scripts/with-postgres.sh). The full-text contract checks that both databases answer the
// same records, the ones written here, for French queries.
#include <gtest/gtest.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include "core/crypto.h"
#include "core/french.h"
#include "storage/directory_repository.h"
#include "storage/identity_repository.h"
#include "storage/migrations.h"
#include "storage/territory_repository.h"

namespace pasip::storage {
namespace {

using directory::BulkCounts;
using directory::Candidate;
using directory::CandidateFilter;
using directory::Entity;
using directory::IndexData;
using directory::Location;
using directory::Notice;
using directory::Service;
using directory::ServiceRecord;
using directory::Structure;
using directory::StructureRecord;

std::string PgUrl() {
  const char* url = std::getenv("PASIP_TEST_PG_URL");
  return url ? url : "";
}

const TimePoint kNow = FromUnixSeconds(1795000000);  // 2026-11-18

class DirectoryContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    crypto::InitCrypto();
    if (GetParam() == "postgres") {
      if (PgUrl().empty()) GTEST_SKIP() << "PASIP_TEST_PG_URL absent : PostgreSQL non testé";
      auto db = OpenDatabase(PgUrl());
      ASSERT_TRUE(db) << db.error().ToString();
      db_ = std::move(*db);
      auto c = db_->Acquire();
      ASSERT_TRUE(c);
      ASSERT_TRUE(
          (*c)->ExecuteScript("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; "
                              "DROP SCHEMA IF EXISTS audit CASCADE;"));
    } else if (GetParam() == "sqlite_memory") {
      auto db = OpenDatabase("sqlite::memory:");
      ASSERT_TRUE(db) << db.error().ToString();
      db_ = std::move(*db);
    } else {
      dir_ = std::filesystem::temp_directory_path() / ("pasip-dir-" + crypto::RandomToken(6));
      std::filesystem::create_directories(dir_);
      auto db = OpenDatabase("sqlite://" + (dir_ / "main.db").string());
      ASSERT_TRUE(db) << db.error().ToString();
      db_ = std::move(*db);
    }
    auto migrated = Migrate(*db_, Series::kMain);
    ASSERT_TRUE(migrated) << migrated.error().ToString();
    store_ = std::make_unique<SqlDirectoryStore>(*db_, clock_);
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  identity::Organisation NewOrganisation(const std::string& name) {
    SqlIdentityStore identity(*db_);
    identity::Organisation o;
    o.name = name;
    o.kind = "ccas-cias";
    auto created = identity.CreateOrganisation(o);
    EXPECT_TRUE(created) << created.error().ToString();
    return *created;
  }
  identity::Site NewSite(identity::OrganisationId organisation, const std::string& name) {
    SqlIdentityStore identity(*db_);
    identity::Site s;
    s.organisation_id = organisation;
    s.name = name;
    s.commune_code = "35238";
    auto created = identity.CreateSite(s);
    EXPECT_TRUE(created) << created.error().ToString();
    return *created;
  }

  std::int64_t CountRows(const std::string& sql) {
    auto c = db_->Acquire();
    EXPECT_TRUE(c);
    auto row = (*c)->QueryOne(sql);
    EXPECT_TRUE(row && *row) << sql;
    return (row && *row) ? (*row)->Int(0) : -1;
  }

  std::unique_ptr<Database> db_;
  std::filesystem::path dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<SqlDirectoryStore> store_;
};

// --- Records ------------------------------------------------------------------------------

Structure MinimalStructure(std::string source_id, std::string nom) {
  Structure s;
  s.source = "pasip";
  s.source_id = std::move(source_id);
  s.nom = std::move(nom);
  s.date_maj = "2026-11-01";
  return s;
}

// Every field set, the pasip extensions included.
Structure FullStructure(std::int64_t organisation_id, std::int64_t site_id) {
  Structure s = MinimalStructure("ccas-rennes", "CCAS de Rennes – accueil « Champs Libres »");
  s.source = "dora";
  s.date_maj = "2026-11-22";
  s.siret = "21350238800019";
  s.description = "Accueil social inconditionnel : écoute, information sur les droits.";
  s.adresse = "12 rue de l'Hôtel-Dieu";
  s.complement_adresse = "";  // present but empty: not the same as absent
  s.code_postal = "35000";
  s.code_insee = "35238";
  s.commune = "Rennes";
  s.telephone = "0299000000";
  s.courriel = "accueil@ccas-rennes.fr";
  s.site_web = "https://ccas.rennes.fr";
  s.lien_source = "https://dora.inclusion.beta.gouv.fr/structures/ccas-rennes";
  s.horaires_accueil = "Mo-Fr 09:00-12:00,13:30-17:00; PH off";
  s.accessibilite_lieu = "https://acceslibre.beta.gouv.fr/erp/ccas-rennes";
  s.latitude = 48.111979999999996;
  s.longitude = -1.6818612345678901;
  s.reseaux_porteurs = {"ccas-cias", "france-services"};
  s.organisation_id = organisation_id;
  s.site_id = site_id;
  s.label.sans_condition = true;
  s.label.ecoute_globale = true;
  s.label.orientation = true;
  s.label.accessible_pmr = true;
  s.label.espace_confidentiel = true;
  s.accessibilite.langues = {"fr", "en", "ar"};
  s.accessibilite.langue_des_signes = true;
  s.accessibilite.interpretariat = true;
  s.accessibilite.pmr = false;
  s.arrets = {{"Place de la mairie", "35047", 47.8386, -1.6842, "We[1,3] 09:00-12:00"},
              {"Salle des fêtes", "35001", std::nullopt, std::nullopt, ""}};
  s.referents = {{"Camille Martin", "Travailleuse sociale", "0299000001", "c.martin@rennes.fr"},
                 {"Dominique Durand", "", "", "d.durand@rennes.fr"}};
  s.avis = {{"2026-12-24", "2027-01-02", "Fermé pour les fêtes", true},
            {"2026-11-01", "2026-11-30", "Nouveaux horaires le jeudi", false}};
  s.publie = false;
  return s;
}

Service MinimalService(std::int64_t structure_id, std::string source_id, std::string nom) {
  Service s;
  s.structure_id = structure_id;
  s.source = "pasip";
  s.source_id = std::move(source_id);
  s.nom = std::move(nom);
  s.description = "Un service du territoire.";
  s.date_maj = "2026-11-01";
  return s;
}

Service FullService(std::int64_t structure_id, std::int64_t host_id) {
  Service s = MinimalService(structure_id, "aide-alimentaire", "Aide alimentaire d'urgence");
  s.source = "dora";
  s.description = "Colis alimentaires et bons d'achat, sur orientation d'un travailleur social.";
  s.date_maj = "2026-10-15";
  s.type = "aide-materielle";
  s.frais = "gratuit";
  s.frais_precisions = "Participation de 2 € par colis.";
  s.publics_precisions = "";
  s.conditions_acces = "Sur orientation.";
  s.adresse = "3 place du Colombier";
  s.complement_adresse = "Bâtiment B";
  s.code_postal = "35000";
  s.code_insee = "35238";
  s.commune = "Rennes";
  s.telephone = "0299000002";
  s.courriel = "aide@ccas-rennes.fr";
  s.contact_nom_prenom = "Alex Petit";
  s.lien_mobilisation = "https://rdv.example.fr/aide";
  s.lien_source = "https://dora.inclusion.beta.gouv.fr/services/aide";
  s.mobilisation_precisions = "Appeler le matin.";
  s.horaires_accueil = "Tu,Th 14:00-17:00";
  s.latitude = 48.1075;
  s.longitude = -1.6790000000000001;
  s.nombre_semaines = 52;
  s.volume_horaire_hebdomadaire = 6.5;
  s.thematiques = {"se-nourrir--aide-alimentaire", "se-nourrir--colis-alimentaires"};
  s.publics = {"tous-publics"};
  s.modes_accueil = {"en-presentiel", "a-distance"};
  s.modes_mobilisation = {"telephoner", "se-presenter"};
  s.mobilisable_par = {"professionnels", "usagers"};
  s.zone_eligibilite = {"35238", "35", "243500139"};
  s.contacts_publics = false;
  s.permanences = {{host_id, "Sa 09:00-12:00", "Au guichet 2"}};
  s.publie = false;
  return s;
}

IndexData Index(std::string text, std::vector<std::string> tags = {},
                std::vector<Location> locations = {}) {
  IndexData index;
  index.search_text = std::move(text);
  index.tags = std::move(tags);
  index.locations = std::move(locations);
  index.sort_name = "index";
  return index;
}

Location At(double latitude, double longitude, std::string lieu = "", bool itinerant = false) {
  Location l;
  l.latitude = latitude;
  l.longitude = longitude;
  l.code_insee = "35238";
  l.horaires = "Mo 09:00-12:00";
  l.lieu = std::move(lieu);
  l.itinerant = itinerant;
  return l;
}

std::vector<std::int64_t> Ids(const Result<std::vector<Candidate>>& candidates) {
  EXPECT_TRUE(candidates) << candidates.error().ToString();
  std::vector<std::int64_t> ids;
  if (!candidates) return ids;
  for (const Candidate& c : *candidates) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::int64_t> Sorted(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

CandidateFilter Tags(std::vector<std::vector<std::string>> groups) {
  CandidateFilter f;
  f.tag_groups = std::move(groups);
  return f;
}

// --- Round trips ----------------------------------------------------------------------------

TEST_P(DirectoryContract, StructureRoundTripKeepsEveryField) {
  const auto org = NewOrganisation("CCAS de Rennes");
  const auto site = NewSite(org.id, "Accueil central");
  const Structure full = FullStructure(org.id, site.id);
  auto saved = store_->SaveStructure(full, Index("CCAS de Rennes"));
  ASSERT_TRUE(saved) << saved.error().ToString();
  EXPECT_GT(saved->id, 0);
  EXPECT_EQ(saved->updated_at, kNow);
  Structure expected = full;
  expected.id = saved->id;
  expected.updated_at = kNow;
  EXPECT_EQ(*saved, expected);
  EXPECT_EQ(**store_->FindStructure(saved->id), expected);
  EXPECT_EQ(**store_->FindStructureBySource("dora", "ccas-rennes"), expected);
  EXPECT_EQ(**store_->FindStructureBySite(site.id), expected);
  EXPECT_FALSE(*store_->FindStructure(saved->id + 100));
  EXPECT_FALSE(*store_->FindStructureBySource("pasip", "ccas-rennes"));
  EXPECT_FALSE(*store_->FindStructureBySite(site.id + 100));

  // A minimal record reads back with its absent fields absent.
  auto minimal = store_->SaveStructure(MinimalStructure("m", "Minimal"), Index("m"));
  ASSERT_TRUE(minimal) << minimal.error().ToString();
  EXPECT_EQ(**store_->FindStructure(minimal->id), *minimal);
  EXPECT_FALSE((*store_->FindStructure(minimal->id))->description);

  // Rewriting in place, sub-second clock truncated to the stored second.
  clock_.Advance(std::chrono::milliseconds(61500));
  Structure changed = expected;
  changed.nom = "CCAS de Rennes";
  changed.description.reset();
  changed.arrets.pop_back();
  changed.accessibilite.pmr.reset();
  changed.site_id.reset();
  auto rewritten = store_->SaveStructure(changed, Index("CCAS"));
  ASSERT_TRUE(rewritten) << rewritten.error().ToString();
  EXPECT_EQ(rewritten->updated_at, kNow + std::chrono::seconds(61));
  changed.updated_at = rewritten->updated_at;
  EXPECT_EQ(**store_->FindStructure(saved->id), changed);
  EXPECT_EQ(*store_->Count(Entity::kStructure), 2);

  Structure unknown = changed;
  unknown.id = saved->id + 1000;
  unknown.source_id = "other";
  EXPECT_EQ(store_->SaveStructure(unknown, Index("x")).error().code, ErrorCode::kNotFound);
}

TEST_P(DirectoryContract, StructureUniqueKeys) {
  const auto org = NewOrganisation("CCAS");
  const auto site = NewSite(org.id, "Accueil");
  Structure a = MinimalStructure("a", "Structure A");
  a.site_id = site.id;
  auto saved = store_->SaveStructure(a, Index("a"));
  ASSERT_TRUE(saved);
  Structure same_source = MinimalStructure("a", "Autre");
  auto refused = store_->SaveStructure(same_source, Index("b"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(refused.error().field, "source_id");
  same_source.source = "dora";  // another producer may use the same id
  ASSERT_TRUE(store_->SaveStructure(same_source, Index("b")));

  Structure same_site = MinimalStructure("c", "Structure C");
  same_site.site_id = site.id;
  refused = store_->SaveStructure(same_site, Index("c"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(refused.error().field, "site_id");
  // Saving a record again keeps its own keys.
  EXPECT_TRUE(store_->SaveStructure(*saved, Index("a")));

  Structure orphan = MinimalStructure("d", "Structure D");
  orphan.organisation_id = org.id + 100;
  EXPECT_EQ(store_->SaveStructure(orphan, Index("d")).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(*store_->Count(Entity::kStructure), 2);
}

TEST_P(DirectoryContract, ServiceRoundTripKeepsEveryField) {
  const auto structure = *store_->SaveStructure(MinimalStructure("s", "Structure"), Index("s"));
  const auto host = *store_->SaveStructure(MinimalStructure("h", "Hôte"), Index("h"));
  const Service full = FullService(structure.id, host.id);
  auto saved = store_->SaveService(full, Index("Aide alimentaire"));
  ASSERT_TRUE(saved) << saved.error().ToString();
  Service expected = full;
  expected.id = saved->id;
  expected.updated_at = kNow;
  EXPECT_EQ(*saved, expected);
  EXPECT_EQ(**store_->FindService(saved->id), expected);
  EXPECT_FALSE(*store_->FindService(saved->id + 100));

  auto minimal = store_->SaveService(MinimalService(structure.id, "m", "Minimal"), Index("m"));
  ASSERT_TRUE(minimal);
  EXPECT_EQ(**store_->FindService(minimal->id), *minimal);
  EXPECT_TRUE((*store_->FindService(minimal->id))->contacts_publics);

  Service moved = expected;
  moved.structure_id = host.id;
  moved.thematiques = {"famille--garde-denfants"};
  moved.nombre_semaines.reset();
  moved.permanences.clear();
  auto rewritten = store_->SaveService(moved, Index("Garde"));
  ASSERT_TRUE(rewritten) << rewritten.error().ToString();
  EXPECT_EQ(**store_->FindService(saved->id), *rewritten);
  EXPECT_EQ(rewritten->structure_id, host.id);

  auto services = store_->ServicesOf(structure.id);
  ASSERT_TRUE(services);
  ASSERT_EQ(services->size(), 1u);
  EXPECT_EQ(services->front().id, minimal->id);
  EXPECT_EQ(store_->ServicesOf(host.id)->size(), 1u);

  Service orphan = MinimalService(host.id + 100, "o", "Orphelin");
  auto refused = store_->SaveService(orphan, Index("o"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(refused.error().field, "structure_id");
  Service duplicate = MinimalService(structure.id, "m", "Doublon");
  EXPECT_EQ(store_->SaveService(duplicate, Index("d")).error().code, ErrorCode::kAlreadyExists);
  Service unknown = *minimal;
  unknown.id = saved->id + 100;
  unknown.source_id = "u";
  EXPECT_EQ(store_->SaveService(unknown, Index("u")).error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store_->DeleteService(minimal->id));
  EXPECT_FALSE(*store_->FindService(minimal->id));
  EXPECT_EQ(store_->DeleteService(minimal->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->Count(Entity::kService), 1);
}

// --- Bulk upserts ---------------------------------------------------------------------------

StructureRecord StructureRec(std::string source, std::string source_id, std::string nom,
                             IndexData index) {
  StructureRecord r;
  r.structure = MinimalStructure(std::move(source_id), std::move(nom));
  r.structure.source = std::move(source);
  r.index = std::move(index);
  return r;
}

ServiceRecord ServiceRec(std::string source, std::string source_id, std::string structure,
                         IndexData index) {
  ServiceRecord r;
  r.service = MinimalService(0, std::move(source_id), "Service " + source_id);
  r.service.source = std::move(source);
  r.structure_source_id = std::move(structure);
  r.index = std::move(index);
  return r;
}

TEST_P(DirectoryContract, UpsertBulkCreatesThenUpdatesBySourceIds) {
  // Enough rows for several INSERT batches.
  std::vector<StructureRecord> structures;
  for (int i = 0; i < 230; ++i) {
    structures.push_back(StructureRec("fs", "st" + std::to_string(i),
                                      "Structure " + std::to_string(i),
                                      Index("maison", {"type:fs"})));
  }
  std::vector<ServiceRecord> services;
  for (int i = 0; i < 450; ++i) {
    services.push_back(
        ServiceRec("fs", "sv" + std::to_string(i), "st" + std::to_string(i % 230),
                   Index("accompagnement numérique", {"thematique:numerique"}, {At(48.1, -1.6)})));
  }
  auto counts = store_->UpsertBulk(structures, services);
  ASSERT_TRUE(counts) << counts.error().ToString();
  EXPECT_EQ(*counts, (BulkCounts{230, 0, 450, 0}));
  EXPECT_EQ(*store_->Count(Entity::kStructure), 230);
  EXPECT_EQ(*store_->Count(Entity::kService), 450);
  const auto st7 = **store_->FindStructureBySource("fs", "st7");
  EXPECT_EQ(st7.updated_at, kNow);
  auto of7 = store_->ServicesOf(st7.id);
  ASSERT_TRUE(of7);
  ASSERT_EQ(of7->size(), 2u);  // sv7 and sv237
  EXPECT_EQ(of7->front().source_id, "sv7");
  EXPECT_EQ(of7->front().updated_at, kNow);

  // Again, changed, with new records and a service naming its structure by id.
  clock_.Advance(std::chrono::hours(1));
  structures.resize(3);
  structures[0].structure.nom = "Maison France services";
  structures[0].index = Index("bibliothèque", {"type:mediatheque"});
  structures.push_back(StructureRec("fs", "new", "Nouvelle", Index("nouvelle")));
  services.resize(2);
  services[0].index = Index("permanence juridique", {"thematique:droit"}, {At(45.0, 5.0)});
  services.push_back(ServiceRec("fs", "sv-new", "new", Index("nouveau")));
  ServiceRecord by_id = ServiceRec("other", "x", "", Index("autre"));
  by_id.service.structure_id = st7.id;
  services.push_back(by_id);
  counts = store_->UpsertBulk(structures, services);
  ASSERT_TRUE(counts) << counts.error().ToString();
  EXPECT_EQ(*counts, (BulkCounts{1, 3, 2, 2}));
  EXPECT_EQ(*store_->Count(Entity::kStructure), 231);
  EXPECT_EQ(*store_->Count(Entity::kService), 452);
  const auto st0 = **store_->FindStructureBySource("fs", "st0");
  EXPECT_EQ(st0.nom, "Maison France services");
  EXPECT_EQ(st0.updated_at, kNow + std::chrono::hours(1));
  EXPECT_EQ((*store_->FindStructureBySource("fs", "st5"))->updated_at, kNow);
  // Upserted unchanged: left as it was, its date included.
  EXPECT_EQ((*store_->FindStructureBySource("fs", "st1"))->updated_at, kNow);
  // A change of the index alone is a change.
  const auto sv0 = store_->ListServices(0, 1);
  ASSERT_TRUE(sv0 && !sv0->empty());
  EXPECT_EQ(sv0->front().source_id, "sv0");
  EXPECT_EQ(sv0->front().updated_at, kNow + std::chrono::hours(1));

  // The index was replaced, not added to.
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, Tags({{"type:fs"}}))).size(), 229u);
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, Tags({{"type:mediatheque"}}))),
            std::vector<std::int64_t>{st0.id});
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, Tags({{"thematique:numerique"}}))).size(),
            449u);
  CandidateFilter text;
  text.lexemes = text::QueryLexemes("juridique");
  auto juridique = store_->FindCandidates(Entity::kService, text);
  ASSERT_EQ(Ids(juridique).size(), 1u);
  EXPECT_EQ(juridique->front().locations, std::vector<Location>{At(45.0, 5.0)});
  text.lexemes = text::QueryLexemes("numérique");
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, text)).size(), 449u);
  CandidateFilter box;
  box.box = CandidateFilter::Box{48.0, 48.2, -1.7, -1.5};
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, box)).size(), 449u);
}

TEST_P(DirectoryContract, UpsertBulkIsAllOrNothing) {
  std::vector<StructureRecord> structures;
  std::vector<ServiceRecord> services;
  for (int i = 0; i < 250; ++i) {
    structures.push_back(StructureRec("fs", "st" + std::to_string(i), "S", Index("maison")));
    services.push_back(ServiceRec("fs", "sv" + std::to_string(i), "st" + std::to_string(i),
                                  Index("service", {"thematique:x"}, {At(48, -1)})));
  }
  // The last service names a structure that exists nowhere.
  auto bad = services;
  bad.back().structure_source_id = "unknown";
  auto refused = store_->UpsertBulk(structures, bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(refused.error().field, "structure_id");
  EXPECT_EQ(*store_->Count(Entity::kStructure), 0);
  EXPECT_EQ(*store_->Count(Entity::kService), 0);

  // A structure id that does not exist.
  bad = services;
  bad.back().service.structure_id = 999999;
  EXPECT_EQ(store_->UpsertBulk(structures, bad).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->Count(Entity::kStructure), 0);

  // A row the schema refuses, in the last batch.
  bad = services;
  bad.back().service.latitude = 95;
  bad.back().service.longitude = 0;
  EXPECT_EQ(store_->UpsertBulk(structures, bad).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(*store_->Count(Entity::kStructure), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM service_tags"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM structure_locations"), 0);

  // The same key twice in one call.
  auto twice = structures;
  twice.push_back(structures.front());
  auto duplicated = store_->UpsertBulk(twice, services);
  ASSERT_FALSE(duplicated);
  EXPECT_EQ(duplicated.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(duplicated.error().field, "source_id");
  auto twice_services = services;
  twice_services.push_back(services.front());
  EXPECT_EQ(store_->UpsertBulk(structures, twice_services).error().code,
            ErrorCode::kInvalidArgument);

  // Two structures claiming the same site.
  const auto org = NewOrganisation("CCAS");
  const auto site = NewSite(org.id, "Accueil");
  auto same_site = structures;
  same_site[0].structure.site_id = site.id;
  same_site[1].structure.site_id = site.id;
  EXPECT_EQ(store_->UpsertBulk(same_site, services).error().code, ErrorCode::kAlreadyExists);

  EXPECT_EQ(*store_->Count(Entity::kStructure), 0);
  EXPECT_EQ(*store_->Count(Entity::kService), 0);
  auto counts = store_->UpsertBulk(structures, services);
  ASSERT_TRUE(counts) << counts.error().ToString();
  EXPECT_EQ(*counts, (BulkCounts{250, 0, 250, 0}));
  EXPECT_EQ(*store_->UpsertBulk({}, {}), BulkCounts{});
}

TEST_P(DirectoryContract, DeletingAStructureCascadesToItsServicesAndIndex) {
  const auto a = *store_->SaveStructure(MinimalStructure("a", "A"),
                                        Index("maison des solidarités", {"type:x"}, {At(48, -1)}));
  const auto b = *store_->SaveStructure(MinimalStructure("b", "B"), Index("maison"));
  const auto s1 = *store_->SaveService(MinimalService(a.id, "1", "Un"),
                                       Index("aide alimentaire", {"thematique:a"}, {At(48, -1)}));
  const auto s2 = *store_->SaveService(MinimalService(b.id, "2", "Deux"),
                                       Index("aide alimentaire", {"thematique:a"}, {At(48, -1)}));
  {
    auto c = db_->Acquire();
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->Execute("DELETE FROM structures WHERE id = ?", {a.id}));
  }
  EXPECT_FALSE(*store_->FindService(s1.id));
  EXPECT_TRUE(*store_->FindService(s2.id));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM service_tags"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM service_locations"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM structure_tags"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM structure_locations"), 0);
  CandidateFilter text;
  text.lexemes = text::QueryLexemes("alimentaire");
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, text)), std::vector{s2.id});
  text.lexemes = text::QueryLexemes("maison");
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, text)), std::vector{b.id});
  if (db_->dialect() == Dialect::kSqlite) {
    // The full-text index still agrees with its content tables.
    auto c = db_->Acquire();
    ASSERT_TRUE(c);
    EXPECT_TRUE(
        (*c)->Execute("INSERT INTO services_fts (services_fts) VALUES ('integrity-check')"));
    EXPECT_TRUE(
        (*c)->Execute("INSERT INTO structures_fts (structures_fts) VALUES ('integrity-check')"));
  }
}

// --- Reads ----------------------------------------------------------------------------------

TEST_P(DirectoryContract, LoadInOrderListByKeysetAndCount) {
  const auto org = NewOrganisation("CCAS");
  const auto other = NewOrganisation("Caf");
  std::vector<Structure> structures;
  for (int i = 0; i < 5; ++i) {
    Structure s = MinimalStructure("s" + std::to_string(i), "Structure " + std::to_string(i));
    s.organisation_id = i % 2 == 0 ? org.id : other.id;
    structures.push_back(*store_->SaveStructure(s, Index("s")));
  }
  std::vector<Service> services;
  for (int i = 0; i < 6; ++i) {
    services.push_back(*store_->SaveService(
        MinimalService(structures[i % 5].id, "v" + std::to_string(i), "Service"), Index("v")));
  }

  const std::vector<std::int64_t> wanted = {structures[3].id, 999999, structures[0].id,
                                            structures[3].id};
  auto loaded = store_->LoadStructures(wanted);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[0], structures[3]);
  EXPECT_EQ((*loaded)[1], structures[0]);
  EXPECT_EQ((*loaded)[2], structures[3]);
  const std::vector<std::int64_t> wanted_services = {services[5].id, services[1].id};
  auto loaded_services = store_->LoadServices(wanted_services);
  ASSERT_TRUE(loaded_services);
  ASSERT_EQ(loaded_services->size(), 2u);
  EXPECT_EQ((*loaded_services)[0], services[5]);
  EXPECT_EQ((*loaded_services)[1], services[1]);
  EXPECT_TRUE(store_->LoadServices({})->empty());

  auto page = store_->ListStructures(0, 2);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[1], structures[1]);
  page = store_->ListStructures((*page)[1].id, 10);
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ(page->front().id, structures[2].id);
  EXPECT_TRUE(store_->ListStructures(structures[4].id, 10)->empty());
  EXPECT_TRUE(store_->ListStructures(0, 0)->empty());
  page = store_->ListStructures(structures[0].id, 10, org.id);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, structures[2].id);
  EXPECT_EQ((*page)[1].id, structures[4].id);

  auto services_page = store_->ListServices(services[1].id, 3);
  ASSERT_TRUE(services_page);
  ASSERT_EQ(services_page->size(), 3u);
  EXPECT_EQ(services_page->front(), services[2]);
  // Services of org's structures (0, 2, 4): v0, v2, v4, v5.
  services_page = store_->ListServices(0, 10, org.id);
  ASSERT_TRUE(services_page);
  std::vector<std::int64_t> ids;
  for (const auto& s : *services_page) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector{services[0].id, services[2].id, services[4].id, services[5].id}));

  EXPECT_EQ(*store_->Count(Entity::kStructure), 5);
  EXPECT_EQ(*store_->Count(Entity::kService), 6);
}

TEST_P(DirectoryContract, FindCandidatesFiltersAndReturnsTheIndex) {
  const auto rennes =
      *store_->SaveStructure(MinimalStructure("rennes", "CCAS de Rennes"),
                             Index("centre communal d'action sociale", {"type:ccas", "label:pasip"},
                                   {At(48.1119, -1.6819)}));
  const auto brest = *store_->SaveStructure(
      MinimalStructure("brest", "CCAS de Brest"),
      Index("centre communal d'action sociale", {"type:ccas"}, {At(48.3904, -4.4861)}));
  IndexData hidden_index = Index("maison", {"type:ccas"}, {At(48.1, -1.7)});
  hidden_index.publie = false;
  const auto hidden = *store_->SaveStructure(MinimalStructure("h", "Cachée"), hidden_index);

  IndexData full = Index("Aide alimentaire à Rennes",
                         {"thematique:se-nourrir--aide-alimentaire", "categorie:se-nourrir",
                          "public:tous-publics", "frais:gratuit", "langue:fr", "langue:en"},
                         {At(48.1119, -1.6819), At(47.8386, -1.6842, "Place de la mairie", true)});
  full.sort_name = "aide alimentaire";
  full.closures = {{"2026-12-24", "2027-01-02", "Fermé", true}};
  Service food = MinimalService(rennes.id, "food", "Aide alimentaire");
  food.date_maj = "2026-09-30";
  const auto s_food = *store_->SaveService(food, full);
  const auto s_law = *store_->SaveService(
      MinimalService(rennes.id, "law", "Permanence juridique"),
      Index("permanence juridique gratuite",
            {"thematique:acces-aux-droits--accompagnement-juridique", "categorie:acces-aux-droits",
             "public:tous-publics", "frais:gratuit", "langue:fr"},
            {At(48.1119, -1.6819)}));
  const auto s_brest = *store_->SaveService(
      MinimalService(brest.id, "brest", "Aide alimentaire à Brest"),
      Index("aide alimentaire", {"thematique:se-nourrir--aide-alimentaire", "frais:payant"},
            {At(48.3904, -4.4861)}));
  const auto s_nowhere = *store_->SaveService(
      MinimalService(brest.id, "online", "Aide en ligne"),
      Index("accompagnement numérique", {"thematique:numerique--acces", "frais:gratuit"}));
  IndexData draft_index = Index("aide alimentaire", {"thematique:se-nourrir--aide-alimentaire"},
                                {At(48.1119, -1.6819)});
  draft_index.publie = false;
  const auto s_draft =
      *store_->SaveService(MinimalService(rennes.id, "draft", "Brouillon"), draft_index);

  // Everything published, the candidate carrying its index.
  auto all = store_->FindCandidates(Entity::kService, {});
  EXPECT_EQ(Ids(all), Sorted({s_food.id, s_law.id, s_brest.id, s_nowhere.id}));
  const auto it =
      std::find_if(all->begin(), all->end(), [&](const Candidate& c) { return c.id == s_food.id; });
  ASSERT_NE(it, all->end());
  EXPECT_EQ(it->structure_id, rennes.id);
  EXPECT_EQ(it->sort_name, "aide alimentaire");
  EXPECT_EQ(it->date_maj, "2026-09-30");
  EXPECT_EQ(it->tags, full.tags);
  EXPECT_EQ(it->locations, full.locations);
  EXPECT_EQ(it->closures, full.closures);

  CandidateFilter unpublished;
  unpublished.include_unpublished = true;
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, unpublished)),
            Sorted({s_food.id, s_law.id, s_brest.id, s_nowhere.id, s_draft.id}));
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, {})), Sorted({rennes.id, brest.id}));
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, unpublished)),
            Sorted({rennes.id, brest.id, hidden.id}));

  // Tags: any of a group, every group.
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService,
                                       Tags({{"thematique:se-nourrir--aide-alimentaire"}}))),
            Sorted({s_food.id, s_brest.id}));
  EXPECT_EQ(
      Ids(store_->FindCandidates(
          Entity::kService, Tags({{"thematique:se-nourrir--aide-alimentaire",
                                   "thematique:acces-aux-droits--accompagnement-juridique"}}))),
      Sorted({s_food.id, s_law.id, s_brest.id}));
  EXPECT_EQ(Ids(store_->FindCandidates(
                Entity::kService,
                Tags({{"thematique:se-nourrir--aide-alimentaire"}, {"frais:gratuit"}}))),
            std::vector{s_food.id});
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, Tags({{"langue:en", "langue:ar"}}))),
            std::vector{s_food.id});
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kService, Tags({{"langue:ar"}}))).empty());
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kService, Tags({{"frais:gratuit"}, {}}))).empty());
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, Tags({{"label:pasip"}}))),
            std::vector{rennes.id});

  // Box: any location inside, itinerant stops included.
  CandidateFilter around_rennes;
  around_rennes.box = CandidateFilter::Box{47.9, 48.3, -2.1, -1.3};
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, around_rennes)),
            Sorted({s_food.id, s_law.id}));
  CandidateFilter south;
  south.box = CandidateFilter::Box{47.7, 47.9, -1.8, -1.6};
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, south)), std::vector{s_food.id});
  CandidateFilter brittany = around_rennes;
  brittany.box->min_lon = -5.0;
  brittany.box->max_lat = 48.5;
  brittany.tag_groups = {{"thematique:se-nourrir--aide-alimentaire"}};
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, brittany)),
            Sorted({s_food.id, s_brest.id}));
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, brittany)), std::vector<std::int64_t>{});
  brittany.tag_groups.clear();
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, brittany)),
            Sorted({rennes.id, brest.id}));
  // Across the antimeridian (Wallis-et-Futuna's side): longitudes above 170 or below -170.
  CandidateFilter pacific;
  pacific.box = CandidateFilter::Box{-20, -10, 170, -170};
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kService, pacific)).empty());
  const auto s_wallis = *store_->SaveService(MinimalService(brest.id, "wf", "Wallis"),
                                             Index("wallis", {}, {At(-13.28, -176.17)}));
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, pacific)), std::vector{s_wallis.id});

  // Text, with the other conditions.
  CandidateFilter text;
  text.lexemes = text::QueryLexemes("aide alimentaire");
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, text)), Sorted({s_food.id, s_brest.id}));
  text.include_unpublished = true;
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, text)),
            Sorted({s_food.id, s_brest.id, s_draft.id}));
  text.include_unpublished = false;
  text.box = around_rennes.box;
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, text)), std::vector{s_food.id});
  text.lexemes = text::QueryLexemes("juridiques gratuites");
  text.box.reset();
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, text)), std::vector{s_law.id});
  text.lexemes = text::QueryLexemes("action sociale");
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, text)), Sorted({rennes.id, brest.id}));
  text.lexemes = {"introuvable"};
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kService, text)).empty());

  // One structure's services.
  CandidateFilter of_rennes;
  of_rennes.structure_id = rennes.id;
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, of_rennes)),
            Sorted({s_food.id, s_law.id}));
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, of_rennes)), std::vector{rennes.id});

  // Lexemes are data, never SQL or query syntax.
  CandidateFilter hostile;
  hostile.lexemes = {"aide'", "x\\", "a&b", "\"or\"", "*"};
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kService, hostile)).empty());
  hostile.tag_groups = {{"frais:gratuit"}};
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kService, hostile)).empty());
  hostile.lexemes = {"aid", "%"};
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kService, hostile)).empty());
  hostile.lexemes = {"aid"};
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, hostile)), std::vector{s_food.id});
  hostile.tag_groups.clear();
  hostile.lexemes = {"deux mots"};
  EXPECT_EQ(store_->FindCandidates(Entity::kService, hostile).error().code,
            ErrorCode::kInvalidArgument);
  hostile.lexemes = {""};
  EXPECT_EQ(store_->FindCandidates(Entity::kService, hostile).error().code,
            ErrorCode::kInvalidArgument);
}

// The payload FindCandidates decodes: values holding the separator and escape bytes (alone,
// doubled, first or last), empty values and lists, several locations and closures.
TEST_P(DirectoryContract, FindCandidatesReturnsIndexValuesHoldingSeparatorBytes) {
  const auto structure = *store_->SaveStructure(MinimalStructure("sep", "Séparateurs"),
                                                Index("séparateurs", {"type:ccas"}));
  const std::string bytes = "\x1b\x1d\x1e\x1f";
  IndexData index = Index("octets de contrôle", {"thematique:a" + bytes, bytes + "b", "",
                                                 "c\x1b\x1b"
                                                 "d",
                                                 "e\x1f"});
  Location odd = At(-21.1151, 55.5364, "arrêt " + bytes + " fin\x1b", true);
  odd.code_insee.clear();
  odd.horaires =
      "Mo\x1e"
      "09:00\x1d";
  Location plain = At(48.1119, -1.6819);
  plain.horaires.clear();
  index.locations = {odd, plain, At(0.5, -0.25, "\x1f")};
  index.closures = {{"2026-12-24", "2027-01-02", "Fermé" + bytes, true},
                    {"", "", "", false},
                    {"2027-05-01", "2027-05-01", "\x1d", false}};
  const auto service = *store_->SaveService(MinimalService(structure.id, "sep", "Octets"), index);
  IndexData empty = Index("vide");
  const auto bare = *store_->SaveService(MinimalService(structure.id, "bare", "Vide"), empty);

  auto found = store_->FindCandidates(Entity::kService, {});
  ASSERT_TRUE(found) << found.error().ToString();
  ASSERT_EQ(found->size(), 2u);
  for (const Candidate& c : *found) {
    const IndexData& expected = c.id == service.id ? index : empty;
    EXPECT_TRUE(c.id == service.id || c.id == bare.id);
    EXPECT_EQ(c.tags, expected.tags);
    EXPECT_EQ(c.locations, expected.locations);
    EXPECT_EQ(c.closures, expected.closures);
  }
}

// A box with tag groups keeps exactly the records both keep apart, whichever way the
// database meets them (SQLite checks the tags per record in a box).
TEST_P(DirectoryContract, FindCandidatesWithABoxAndTagsIntersectsBoth) {
  const auto a = *store_->SaveStructure(MinimalStructure("a", "A"),
                                        Index("structure a", {"type:ccas"}, {At(48.1, -1.7)}));
  const auto b = *store_->SaveStructure(MinimalStructure("b", "B"),
                                        Index("structure b", {"type:fs"}, {At(45.0, 2.0)}));
  const std::vector<std::string> themes = {"thematique:t1", "thematique:t2", "thematique:t3"};
  const std::vector<std::string> fees = {"frais:gratuit", "frais:payant"};
  // Services inside the box (even i) and outside (odd i), with every combination of tags,
  // one hidden, one with a second location inside the box.
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 24; ++i) {
    std::vector<std::string> tags = {themes[i % 3], fees[(i / 3) % 2]};
    if (i % 5 == 0) tags.push_back(themes[(i + 1) % 3]);
    std::vector<Location> where = {i % 2 == 0 ? At(48.1 + 0.001 * i, -1.7) : At(45.0, 2.0)};
    if (i == 7) where.push_back(At(48.15, -1.65));
    IndexData index = Index(i % 4 == 0 ? "aide alimentaire" : "permanence", tags, where);
    index.publie = i != 10;
    const auto saved = store_->SaveService(
        MinimalService(i < 12 ? a.id : b.id, "s" + std::to_string(i), "S" + std::to_string(i)),
        index);
    ASSERT_TRUE(saved) << saved.error().ToString();
    ids.push_back(saved->id);
  }
  const CandidateFilter::Box box{48.0, 48.3, -1.8, -1.6};
  const std::vector<std::vector<std::vector<std::string>>> tag_cases = {
      {{"thematique:t1"}},
      {{"thematique:t1", "thematique:t2"}},
      {{"thematique:t2"}, {"frais:gratuit"}},
      {{"thematique:t1", "thematique:t3"}, {"frais:payant", "frais:gratuit"}},
      {{"thematique:absente"}},
      {{"type:ccas"}},
  };
  auto intersect = [](std::vector<std::int64_t> x, const std::vector<std::int64_t>& y) {
    std::vector<std::int64_t> both;
    std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(both));
    return both;
  };
  int nonempty = 0;
  for (const Entity entity : {Entity::kService, Entity::kStructure}) {
    for (const auto& groups : tag_cases) {
      for (int variant = 0; variant < 4; ++variant) {
        CandidateFilter without_box = Tags(groups);
        without_box.include_unpublished = variant == 1;
        if (variant == 2) without_box.lexemes = text::QueryLexemes("aide alimentaire");
        if (variant == 3) without_box.structure_id = a.id;
        CandidateFilter box_only = without_box;
        box_only.tag_groups.clear();
        box_only.box = box;
        CandidateFilter both = without_box;
        both.box = box;
        const auto expected = intersect(Ids(store_->FindCandidates(entity, without_box)),
                                        Ids(store_->FindCandidates(entity, box_only)));
        EXPECT_EQ(Ids(store_->FindCandidates(entity, both)), expected)
            << "entity " << static_cast<int>(entity) << ", variant " << variant << ", "
            << groups.size() << " groups, first " << groups.front().front();
        nonempty += !expected.empty();
      }
    }
  }
  EXPECT_GE(nonempty, 12);  // the comparisons are not all between empty answers
  // Explicit answer for one case: t2 and free, in the box, published: i = 0 (its second
  // thématique) and i = 7 (by its second location).
  CandidateFilter t2_free = Tags({{"thematique:t2"}, {"frais:gratuit"}});
  t2_free.box = box;
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kService, t2_free)), Sorted({ids[0], ids[7]}));
}

TEST_P(DirectoryContract, ReindexStructureReplacesItsIndexOnly) {
  const auto s =
      *store_->SaveStructure(MinimalStructure("a", "Maison"),
                             Index("maison du département", {"type:mds"}, {At(48.1, -1.6)}));
  IndexData next = Index("espace social commun", {"type:esc", "langue:fr"}, {At(47.0, -2.0)});
  next.sort_name = "espace";
  ASSERT_TRUE(store_->ReindexStructure(s.id, next));
  EXPECT_EQ(**store_->FindStructure(s.id), s);
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kStructure, Tags({{"type:mds"}}))).empty());
  auto found = store_->FindCandidates(Entity::kStructure, Tags({{"type:esc"}}));
  ASSERT_EQ(Ids(found), std::vector{s.id});
  EXPECT_EQ(found->front().sort_name, "espace");
  EXPECT_EQ(found->front().locations, next.locations);
  CandidateFilter text;
  text.lexemes = text::QueryLexemes("département");
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kStructure, text)).empty());
  text.lexemes = text::QueryLexemes("espaces sociaux");
  EXPECT_EQ(Ids(store_->FindCandidates(Entity::kStructure, text)), std::vector{s.id});
  next.publie = false;
  ASSERT_TRUE(store_->ReindexStructure(s.id, next));
  EXPECT_TRUE(Ids(store_->FindCandidates(Entity::kStructure, {})).empty());
  EXPECT_EQ(store_->ReindexStructure(s.id + 1, next).error().code, ErrorCode::kNotFound);
}

// --- The full-text contract -----------------------------------------------------------------

struct CorpusEntry {
  const char* key;
  const char* nom;
  const char* description;
};

constexpr CorpusEntry kCorpus[] = {
    {"s01", "Hébergement d'urgence", "Mise à l'abri des personnes sans domicile, accueil de nuit."},
    {"s02", "Hébergements temporaires pour familles",
     "Logements meublés pour des familles avec enfants."},
    {"s03", "Aide alimentaire – Restos du cœur", "Distribution de repas et de colis alimentaires."},
    {"s04", "Épicerie sociale et solidaire",
     "Produits alimentaires à petit prix pour les ménages aux revenus modestes."},
    {"s05", "Accès aux droits",
     "Information sur vos droits sociaux : RSA, prime d'activité, aides au logement."},
    {"s06", "Point justice – accès au droit", "Consultations juridiques gratuites avec un avocat."},
    {"s07", "France services de Saint-Malo",
     "Accompagnement aux démarches administratives en ligne."},
    {"s08", "Permanence à Saint-Brieuc", "Accueil sans rendez-vous le mardi matin."},
    {"s09", "Maison de santé de Malestroit", "Médecins généralistes et infirmières."},
    {"s10", "Accueil de jour", "Douches, laverie et café pour les personnes à la rue."},
    {"s11", "Aide aux devoirs", "Soutien scolaire pour les élèves du collège."},
    {"s12", "Crèche collective", "Garde d'enfants de 3 mois à 3 ans."},
    {"s13", "Médiation familiale", "Aide à la résolution des conflits familiaux."},
    {"s14", "Insertion professionnelle des jeunes",
     "Mission locale : emploi, formation, apprentissage pour les 16-25 ans."},
    {"s15", "Cours de français langue étrangère",
     "Apprentissage du français pour les personnes étrangères."},
    {"s16", "Écrivain public", "Aide à la rédaction de courriers et de dossiers administratifs."},
    {"s17", "Santé mentale – écoute",
     "Écoute et soutien psychologique, orientation vers un psychiatre."},
    {"s18", "Centre médico-social", "Consultations de PMI, vaccinations, suivi de grossesse."},
    {"s19", "Transport solidaire",
     "Déplacements pour les rendez-vous médicaux des personnes âgées."},
    {"s20", "Aide à la mobilité", "Location de vélos et de scooters, permis de conduire."},
    {"s21", "Numérique : ateliers d'initiation",
     "Apprendre à utiliser un ordinateur, une tablette, un smartphone."},
    {"s22", "Cœur de ville – animation", "Animations dans le centre-ville de Saint-Malo."},
    {"s23", "Banque alimentaire d'Ille-et-Vilaine", "Collecte et redistribution de denrées."},
    {"s24", "Hôpital – urgences", "Service des urgences ouvert 24 heures sur 24."},
    {"s25", "Logement social", "Demande de logement HLM, aide à la constitution du dossier."},
    {"s26", "Accompagnement budgétaire",
     "Conseil en économie sociale et familiale, surendettement."},
    {"s27", "Violences conjugales",
     "Écoute, hébergement et accompagnement des femmes victimes de violences."},
    {"s28", "Addictions – CSAPA", "Soins et prévention en addictologie."},
    {"s29", "Vestiaire solidaire", "Vêtements à petit prix pour toute la famille."},
    {"s30", "Domiciliation", "Adresse postale pour les personnes sans domicile stable."},
    {"s31", "Prévention des expulsions", "Aide aux locataires en impayés de loyer."},
    {"s32", "Aide aux aidants", "Soutien aux proches aidants de personnes âgées ou handicapées."},
    {"s33", "Handicap : MDPH",
     "Information sur l'allocation aux adultes handicapés (AAH) et la prestation de compensation."},
    {"s34", "Retraite", "Aide au dossier de retraite, Carsat, minimum vieillesse."},
    {"s35", "Covid-19 : dépistage", "Tests et vaccination contre la covid-19."},
    {"s36", "Ateliers cuisine", "Cuisiner des repas équilibrés à petit budget."},
    {"s37", "Café des parents", "Rencontres entre parents d'adolescents."},
    {"s38", "Épicerie du cœur", "Accès à l'épicerie sur orientation d'un travailleur social."},
    {"s39", "Point contact", "Écrivez à contact@ccas-rennes.fr pour un premier renseignement."},
    {"s40", "Œuvre de l'hospitalité", "L'Œuvre accueille les sans-abri l'hiver."},
};

struct QueryCase {
  const char* query;
  std::set<std::string> expected;
};

// What a French reader expects each query to find in kCorpus (accents, case, plurals and
// the usual derived forms ignored; hyphens and apostrophes separating words).
const QueryCase kQueries[] = {
    {"hébergement", {"s01", "s02", "s27"}},
    {"HEBERGEMENTS", {"s01", "s02", "s27"}},
    {"hebergement urgence", {"s01"}},
    {"urgences", {"s01", "s24"}},
    {"aide alimentaire", {"s03"}},
    {"alimentaires", {"s03", "s04", "s23"}},
    {"coeur", {"s03", "s22", "s38"}},
    {"Cœur", {"s03", "s22", "s38"}},
    {"restos du cœur", {"s03"}},
    {"accès aux droits", {"s05", "s06"}},
    {"droit", {"s05", "s06"}},
    {"ACCES", {"s05", "s06", "s38"}},
    {"Saint-Malo", {"s07", "s22"}},
    {"saint malo", {"s07", "s22"}},
    {"malo", {"s07", "s22"}},
    {"saint", {"s07", "s08", "s22"}},
    {"famille", {"s02", "s29"}},
    {"familial", {"s13", "s26"}},
    {"enfant", {"s02", "s12"}},
    {"jeune", {"s14"}},
    {"apprentissage", {"s14", "s15"}},
    {"écoute", {"s17", "s27"}},
    {"santé", {"s09", "s17"}},
    {"logement", {"s02", "s05", "s25"}},
    {"logements sociaux", {"s05", "s25"}},
    {"sociale", {"s04", "s05", "s18", "s25", "s26", "s38"}},
    {"violence", {"s27"}},
    {"personnes âgées", {"s19", "s32"}},
    {"agee", {"s19", "s32"}},
    {"domicile", {"s01", "s30"}},
    {"covid", {"s35"}},
    {"covid-19", {"s35"}},
    {"contact@ccas-rennes.fr", {"s39"}},
    {"épiceries", {"s04", "s38"}},
    {"oeuvre", {"s40"}},
    {"l'hospitalité", {"s40"}},
    // Limits of Snowball French on folded words, the same in PostgreSQL: a final "s" after
    // "o" stays ("vélos" -> velos), and "handicapées" -> handicape but "handicapés" -> handicap.
    {"vélos", {"s20"}},
    {"vélo", {}},
    {"handicapées", {"s32"}},
    {"scolaires", {"s11"}},
    {"médico-social", {"s18"}},
    {"parent", {"s37"}},
    {"rendez-vous", {"s08", "s19"}},
    {"24", {"s24"}},
    {"handicapés", {"s33"}},
    {"zzz", {}},
};

TEST_P(DirectoryContract, FrenchFullTextFindsTheSameRecordsOnEveryDatabase) {
  const auto structure = *store_->SaveStructure(MinimalStructure("st", "Structure"), Index(""));
  std::map<std::int64_t, std::string> keys;
  std::vector<ServiceRecord> records;
  for (const CorpusEntry& entry : kCorpus) {
    ServiceRecord r;
    r.service = MinimalService(structure.id, entry.key, entry.nom);
    r.service.description = entry.description;
    r.index = Index(std::string(entry.nom) + "\n" + entry.description, {"type:corpus"});
    records.push_back(std::move(r));
  }
  ASSERT_TRUE(store_->UpsertBulk({}, records));
  const auto stored = store_->ServicesOf(structure.id);
  ASSERT_TRUE(stored);
  for (const auto& s : *stored) keys[s.id] = s.source_id;

  for (const QueryCase& q : kQueries) {
    CandidateFilter filter;
    filter.lexemes = text::QueryLexemes(q.query);
    ASSERT_FALSE(filter.lexemes.empty()) << q.query;
    // Text alone, then with a tag every record has (SQLite then reads each candidate's
    // lexemes instead of its full-text index).
    for (const bool with_tag : {false, true}) {
      if (with_tag) filter.tag_groups = {{"type:corpus"}};
      auto found = store_->FindCandidates(Entity::kService, filter);
      ASSERT_TRUE(found) << q.query << " : " << found.error().ToString();
      std::set<std::string> got;
      for (const Candidate& c : *found) got.insert(keys.at(c.id));
      EXPECT_EQ(got, q.expected) << "requête « " << q.query << " »"
                                 << (with_tag ? " et étiquette" : "");
    }
  }
}

// --- Commune autocompletion -----------------------------------------------------------------

territory::Commune TestCommune(std::string code, std::string name, std::int64_t population,
                               std::vector<std::string> postcodes = {}) {
  territory::Commune c;
  c.code = std::move(code);
  c.name = std::move(name);
  c.departement = c.code.substr(0, 2);
  c.region = c.departement == "2A" ? "94" : "53";
  c.population = population;
  c.codes_postaux = std::move(postcodes);
  return c;
}

std::vector<std::string> Codes(const Result<std::vector<territory::Commune>>& communes) {
  EXPECT_TRUE(communes) << communes.error().ToString();
  std::vector<std::string> out;
  if (!communes) return out;
  for (const auto& c : *communes) out.push_back(c.code);
  return out;
}

TEST_P(DirectoryContract, SearchCommunesByNameCodeAndPostcode) {
  SqlTerritoryStore territory(*db_);
  std::vector<territory::Commune> communes = {
      TestCommune("35238", "Rennes", 225081, {"35000", "35200", "35700"}),
      TestCommune("35288", "Saint-Malo", 47255, {"35400"}),
      TestCommune("22278", "Saint-Brieuc", 44170, {"22000"}),
      TestCommune("35047", "Bain-de-Bretagne", 7500, {"35470"}),
      TestCommune("35024", "Betton", 12000, {"35830"}),
      TestCommune("35051", "Bécherel", 700, {"35190"}),
      TestCommune("35206", "Pacé", 12400, {"35740"}),
      TestCommune("35360", "Le Verger", 1500),
      TestCommune("2A004", "Ajaccio", 71361, {"20000", "20090"}),
      TestCommune("22093", "L'Hermitage-Lorge", 800),
      TestCommune("29019", "Brest", 139926),
      TestCommune("35001", "Acigné", 7000),
  };
  communes.back().population.reset();  // unknown population comes last
  auto written = territory.UpsertCommunes(communes);
  ASSERT_TRUE(written) << written.error().ToString();
  EXPECT_EQ((**territory.FindCommune("35238")).codes_postaux,
            (std::vector<std::string>{"35000", "35200", "35700"}));

  EXPECT_EQ(Codes(territory.SearchCommunes("ren", 10)), std::vector<std::string>{"35238"});
  EXPECT_EQ(Codes(territory.SearchCommunes("saint", 10)),
            (std::vector<std::string>{"35288", "22278"}));
  EXPECT_EQ(Codes(territory.SearchCommunes("SAINT-M", 10)), std::vector<std::string>{"35288"});
  EXPECT_EQ(Codes(territory.SearchCommunes("saint m", 10)), std::vector<std::string>{"35288"});
  EXPECT_EQ(Codes(territory.SearchCommunes("malo", 10)), std::vector<std::string>{"35288"});
  EXPECT_EQ(Codes(territory.SearchCommunes("becherel", 10)), std::vector<std::string>{"35051"});
  EXPECT_EQ(Codes(territory.SearchCommunes("Béche", 10)), std::vector<std::string>{"35051"});
  EXPECT_EQ(Codes(territory.SearchCommunes("pace", 10)), std::vector<std::string>{"35206"});
  // Any word start: Saint-Brieuc is a "b" too.
  EXPECT_EQ(Codes(territory.SearchCommunes("b", 10)),
            (std::vector<std::string>{"29019", "22278", "35024", "35047", "35051"}));
  EXPECT_EQ(Codes(territory.SearchCommunes("b", 2)), (std::vector<std::string>{"29019", "22278"}));
  EXPECT_EQ(Codes(territory.SearchCommunes("bretagne", 10)), std::vector<std::string>{"35047"});
  EXPECT_EQ(Codes(territory.SearchCommunes("verger", 10)), std::vector<std::string>{"35360"});
  EXPECT_EQ(Codes(territory.SearchCommunes("hermitage", 10)), std::vector<std::string>{"22093"});
  EXPECT_EQ(Codes(territory.SearchCommunes("l'herm", 10)), std::vector<std::string>{"22093"});
  EXPECT_EQ(Codes(territory.SearchCommunes("L’", 10)), std::vector<std::string>{"22093"});
  EXPECT_EQ(Codes(territory.SearchCommunes("a", 10)), (std::vector<std::string>{"2A004", "35001"}));
  // "le " is a whole word: not "Lé…" nor "Lesneven".
  EXPECT_EQ(Codes(territory.SearchCommunes("le ", 10)), std::vector<std::string>{"35360"});
  // Codes: INSEE, then postcodes.
  EXPECT_EQ(Codes(territory.SearchCommunes("3523", 10)), std::vector<std::string>{"35238"});
  EXPECT_EQ(Codes(territory.SearchCommunes("35200", 10)), std::vector<std::string>{"35238"});
  EXPECT_EQ(Codes(territory.SearchCommunes("354", 10)),
            (std::vector<std::string>{"35288", "35047"}));
  EXPECT_EQ(Codes(territory.SearchCommunes("2a", 10)), std::vector<std::string>{"2A004"});
  EXPECT_EQ(Codes(territory.SearchCommunes("20090", 10)), std::vector<std::string>{"2A004"});
  EXPECT_EQ(Codes(territory.SearchCommunes("220", 10)),
            (std::vector<std::string>{"22278", "22093"}));
  EXPECT_TRUE(Codes(territory.SearchCommunes("xyz", 10)).empty());
  EXPECT_TRUE(Codes(territory.SearchCommunes("  ", 10)).empty());
  EXPECT_TRUE(Codes(territory.SearchCommunes("ren", 0)).empty());
  EXPECT_TRUE(Codes(territory.SearchCommunes("%", 10)).empty());

  // Re-import without postcodes keeps them; a rename changes the terms.
  auto renamed = communes;
  renamed[0].codes_postaux.clear();
  renamed[6].name = "Pacé-sur-Flume";
  ASSERT_TRUE(territory.UpsertCommunes(renamed));
  EXPECT_EQ(Codes(territory.SearchCommunes("35700", 10)), std::vector<std::string>{"35238"});
  EXPECT_EQ(Codes(territory.SearchCommunes("flume", 10)), std::vector<std::string>{"35206"});
  EXPECT_EQ((**territory.FindCommune("35238")).codes_postaux,
            (std::vector<std::string>{"35000", "35200", "35700"}));
  renamed[0].codes_postaux = {"35000"};
  ASSERT_TRUE(territory.UpsertCommunes(std::span(renamed).subspan(0, 1)));
  EXPECT_TRUE(Codes(territory.SearchCommunes("35700", 10)).empty());
}

TEST_P(DirectoryContract, SearchCommunesIndexesCommunesStoredBeforeTheTerms) {
  SqlTerritoryStore writer(*db_);
  ASSERT_TRUE(writer.UpsertCommunes(std::vector{TestCommune("35288", "Saint-Malo", 47255)}));
  {
    auto c = db_->Acquire();
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->Execute("DELETE FROM commune_terms"));
  }
  SqlTerritoryStore reader(*db_);
  EXPECT_EQ(Codes(reader.SearchCommunes("malo", 5)), std::vector<std::string>{"35288"});
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM commune_terms"), 3);
}

// --- PostgreSQL roles -----------------------------------------------------------------------

// The application role searches and writes the directory (the text-search configuration
// and unaccent included) with the grants `pasip migrate --app-role` gives.
TEST_P(DirectoryContract, ApplicationRoleUsesTheDirectory) {
  if (db_->dialect() != Dialect::kPostgres) GTEST_SKIP() << "rôles PostgreSQL seulement";
  {
    auto c = db_->Acquire();
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->ExecuteScript(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pasip_app_test') "
        "THEN CREATE ROLE pasip_app_test LOGIN; END IF; END $$;"));
  }
  ASSERT_TRUE(Migrate(*db_, Series::kAudit));
  ASSERT_TRUE(GrantApplicationRole(*db_, "pasip_app_test"));
  std::string url = PgUrl();
  const std::size_t scheme = url.find("://") + 3;
  url = url.substr(0, scheme) + "pasip_app_test" + url.substr(url.find('@', scheme));
  auto app_db = OpenDatabase(url);
  ASSERT_TRUE(app_db) << app_db.error().ToString();
  SqlDirectoryStore store(**app_db, clock_);
  auto structure = store.SaveStructure(MinimalStructure("a", "Épicerie"), Index("épicerie"));
  ASSERT_TRUE(structure) << structure.error().ToString();
  ASSERT_TRUE(store.SaveService(MinimalService(structure->id, "s", "Hébergement"),
                                Index("Hébergement d'urgence", {"thematique:x"}, {At(48, -1)})));
  CandidateFilter filter;
  filter.lexemes = text::QueryLexemes("hebergements");
  filter.tag_groups = {{"thematique:x"}};
  EXPECT_EQ(Ids(store.FindCandidates(Entity::kService, filter)).size(), 1u);
  SqlTerritoryStore territory(**app_db);
  ASSERT_TRUE(territory.UpsertCommunes(std::vector{TestCommune("35288", "Saint-Malo", 47255)}));
  EXPECT_EQ(Codes(territory.SearchCommunes("malo", 5)), std::vector<std::string>{"35288"});
}

// The owner of the database, not a superuser, can apply the migration: unaccent is a
// trusted extension.
TEST_P(DirectoryContract, DatabaseOwnerMigratesWithoutSuperuser) {
  if (db_->dialect() != Dialect::kPostgres) GTEST_SKIP() << "rôles PostgreSQL seulement";
  const char* admin_url = std::getenv("PASIP_TEST_PG_ADMIN_URL");
  if (admin_url == nullptr || *admin_url == '\0') GTEST_SKIP() << "PASIP_TEST_PG_ADMIN_URL absent";
  auto admin = OpenDatabase(admin_url, {.max_connections = 1});
  ASSERT_TRUE(admin) << admin.error().ToString();
  {
    auto c = (*admin)->Acquire();
    ASSERT_TRUE(c);
    // One statement per call: CREATE and DROP DATABASE refuse to run in a transaction.
    ASSERT_TRUE((*c)->ExecuteScript("DROP DATABASE IF EXISTS pasip_owner_test"));
    ASSERT_TRUE((*c)->ExecuteScript(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pasip_owner_test') "
        "THEN CREATE ROLE pasip_owner_test LOGIN; END IF; END $$;"));
    ASSERT_TRUE((*c)->ExecuteScript("CREATE DATABASE pasip_owner_test OWNER pasip_owner_test"));
  }
  std::string url = admin_url;
  const std::size_t scheme = url.find("://") + 3;
  url = url.substr(0, scheme) + "pasip_owner_test" + url.substr(url.find('@', scheme));
  url = url.substr(0, url.rfind('/')) + "/pasip_owner_test";
  {
    auto owner_db = OpenDatabase(url);
    ASSERT_TRUE(owner_db) << owner_db.error().ToString();
    auto migrated = Migrate(**owner_db, Series::kMain);
    ASSERT_TRUE(migrated) << migrated.error().ToString();
    SqlDirectoryStore store(**owner_db, clock_);
    auto structure = store.SaveStructure(MinimalStructure("a", "Accès"), Index("Accès aux droits"));
    ASSERT_TRUE(structure) << structure.error().ToString();
    CandidateFilter filter;
    filter.lexemes = text::QueryLexemes("acces droit");
    EXPECT_EQ(Ids(store.FindCandidates(Entity::kStructure, filter)), std::vector{structure->id});
  }
  auto c = (*admin)->Acquire();
  ASSERT_TRUE(c);
  EXPECT_TRUE((*c)->ExecuteScript("DROP DATABASE pasip_owner_test"));
}

// --- Scale ------------------------------------------------------------------------------------

// Not run by default (--gtest_also_run_disabled_tests): imports 100,000 services in 20,000
// structures spread over metropolitan France and times a typical search (one thématique in a
// 30 km box around Rennes). Prints the figures.
TEST_P(DirectoryContract, DISABLED_HundredThousandServices) {
  std::mt19937 random(42);
  std::uniform_real_distribution<double> lat(42.5, 51.0), lon(-4.5, 8.0);
  std::uniform_int_distribution<int> theme(0, 68), count(1, 3);
  const int kStructures = 20000, kServices = 100000;
  std::vector<StructureRecord> structures;
  for (int i = 0; i < kStructures; ++i) {
    structures.push_back(StructureRec(
        "bench", "st" + std::to_string(i), "Structure",
        Index("maison des solidarités", {"type:ccas"}, {At(lat(random), lon(random))})));
  }
  std::vector<ServiceRecord> services;
  for (int i = 0; i < kServices; ++i) {
    std::vector<std::string> tags = {"frais:gratuit", "public:tous-publics"};
    for (int k = count(random); k > 0; --k)
      tags.push_back("thematique:t" + std::to_string(theme(random)));
    ServiceRecord r =
        ServiceRec("bench", "sv" + std::to_string(i), "st" + std::to_string(i % kStructures),
                   Index("Accompagnement social et aide alimentaire d'urgence pour "
                         "les familles, accès aux droits et hébergement",
                         tags, {At(lat(random), lon(random))}));
    r.service.description = "Un service généré pour mesurer l'import et la recherche.";
    r.service.thematiques = {"se-nourrir--aide-alimentaire"};
    services.push_back(std::move(r));
  }
  auto start = std::chrono::steady_clock::now();
  auto counts = store_->UpsertBulk(structures, services);
  ASSERT_TRUE(counts) << counts.error().ToString();
  const double import_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(store_->UpsertBulk(structures, services));
  const double reimport_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Wall and CPU time of `runs` searches (the machine may be shared: CPU time is steadier).
  const auto measure = [&](const CandidateFilter& filter, int runs) {
    std::vector<double> wall, cpu;
    std::size_t found = 0;
    for (int i = 0; i < runs; ++i) {
      timespec cpu_start, cpu_end;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_start);
      const auto start = std::chrono::steady_clock::now();
      auto candidates = store_->FindCandidates(Entity::kService, filter);
      wall.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_end);
      cpu.push_back((cpu_end.tv_sec - cpu_start.tv_sec) * 1e3 +
                    (cpu_end.tv_nsec - cpu_start.tv_nsec) / 1e6);
      EXPECT_TRUE(candidates);
      found = candidates ? candidates->size() : 0;
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("  %zu candidates: wall p50 %.2f ms p99 %.2f ms, CPU p50 %.2f ms p99 %.2f ms\n",
                found, wall[runs / 2], wall[runs * 99 / 100], cpu[runs / 2], cpu[runs * 99 / 100]);
  };
  std::printf("[%s] import %d structures + %d services: %.1f s (%.0f services/s), again: %.1f s\n",
              GetParam().c_str(), kStructures, kServices, import_s, kServices / import_s,
              reimport_s);
  CandidateFilter filter;
  filter.tag_groups = {{"thematique:t7"}};
  filter.box = CandidateFilter::Box{48.1119 - 0.27, 48.1119 + 0.27, -1.6819 - 0.40, -1.6819 + 0.40};
  std::printf("one thématique + 30 km box around Rennes:\n");
  measure(filter, 200);
  CandidateFilter text = filter;
  text.lexemes = text::QueryLexemes("aide alimentaire");
  std::printf("the same + text \"aide alimentaire\":\n");
  measure(text, 200);
  CandidateFilter box_only;
  box_only.box = filter.box;
  std::printf("30 km box only:\n");
  measure(box_only, 50);
  CandidateFilter wide;
  wide.tag_groups = {{"thematique:t7"}};
  std::printf("one thématique, all France:\n");
  measure(wide, 20);
}

INSTANTIATE_TEST_SUITE_P(Drivers, DirectoryContract,
                         ::testing::Values("sqlite", "sqlite_memory", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pasip::storage
