// The demo territory: where its communes come from (the npm package, the coordinates CSV,
// its own table), and the directory it creates — structures linked to the demo's sites,
// partners around, permanences, itinerant stops, stale records — searched around Rennes.
// The checks that need the npm package skip when it is not installed.
#include "app/demo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/crypto.h"
#include "storage/migrations.h"
#include "storage/territory_repository.h"

namespace pasip::app {
namespace {

const std::filesystem::path kData = std::filesystem::path(PASIP_TEST_DATA_DIR) / "communes";

std::filesystem::path TempDir(const std::string& prefix) {
  crypto::InitCrypto();
  const auto dir =
      std::filesystem::temp_directory_path() / ("pasip-" + prefix + "-" + crypto::RandomToken(6));
  std::filesystem::create_directories(dir);
  return dir;
}

class DemoCommunesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::OpenDatabase("sqlite::memory:");
    ASSERT_TRUE(db) << db.error().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(storage::Migrate(*db_, storage::Series::kMain));
    store_ = std::make_unique<storage::SqlTerritoryStore>(*db_);
  }

  territory::Commune Find(const std::string& code) {
    auto c = store_->FindCommune(code);
    EXPECT_TRUE(c && *c) << code;
    return c && *c ? **c : territory::Commune{};
  }

  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<storage::SqlTerritoryStore> store_;
};

TEST(DemoSourcesTest, AreFoundAboveTheExecutable) {
  const auto root = TempDir("demo-sources");
  const auto exe = root / "main" / "build" / "bin" / "pasip";
  EXPECT_TRUE(FindDemoSources(exe).communes_json.empty());
  EXPECT_TRUE(FindDemoSources(exe).coordinates_csv.empty());

  const auto json = root / "main" / "node_modules" / "@etalab" / "decoupage-administratif" /
                    "data" / "communes.json";
  const auto csv = root / "shared" / "data" / "communes" / "communes_cog2026_coords_laposte.csv";
  for (const auto& file : {json, csv}) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << "[]";
  }
  const DemoSources found = FindDemoSources(exe);
  EXPECT_EQ(found.communes_json, json);
  EXPECT_EQ(found.coordinates_csv, csv);
  std::filesystem::remove_all(root);
}

TEST_F(DemoCommunesTest, PackageAndCoordinatesAreMerged) {
  const DemoSources sources{kData / "decoupage-administratif-extrait.json",
                            kData / "communes-coordonnees-extrait.csv"};
  auto loaded = LoadDemoCommunes(*store_, sources);
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  EXPECT_TRUE(loaded->notes.empty());

  // From the package, with the CSV's coordinates.
  const auto rennes = Find("35238");
  EXPECT_EQ(rennes.population, 230890);
  EXPECT_EQ(rennes.codes_postaux, (std::vector<std::string>{"35000", "35200", "35700"}));
  EXPECT_DOUBLE_EQ(*rennes.latitude, 48.11198);
  // In the package, not in the CSV, not a commune of the demo: no coordinates.
  const auto acigne = Find("35001");
  EXPECT_EQ(acigne.codes_postaux, std::vector<std::string>{"35690"});
  EXPECT_FALSE(acigne.latitude);
  // Not in the CSV, but a commune of the demo (the bus stops there): the demo's position.
  const auto montfort = Find("35188");
  ASSERT_TRUE(montfort.latitude);
  EXPECT_NEAR(*montfort.latitude, 48.126, 0.001);
  // Another département's commune and a commune déléguée are left out.
  EXPECT_FALSE(*store_->FindCommune("22278"));
  EXPECT_FALSE(*store_->FindCommune("35004"));
  // The demo's communes missing from the excerpt are added.
  EXPECT_EQ(Find("35288").name, "Saint-Malo");

  auto listed = store_->ListCommunes("35");
  ASSERT_TRUE(listed);
  EXPECT_EQ(loaded->communes, static_cast<std::int64_t>(listed->size()));
  EXPECT_EQ(loaded->with_coordinates, loaded->communes - 1);  // all but Acigné
  EXPECT_EQ(loaded->with_postcodes, loaded->communes);

  // Loading again updates in place.
  auto again = LoadDemoCommunes(*store_, sources);
  ASSERT_TRUE(again);
  EXPECT_EQ(*store_->CountCommunes(), loaded->communes);
}

TEST_F(DemoCommunesTest, WithoutSourcesTheDemoKeepsItsOwnCommunesAndSaysSo) {
  auto loaded = LoadDemoCommunes(*store_, {});
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  ASSERT_EQ(loaded->notes.size(), 2u);
  EXPECT_NE(loaded->notes[0].find("@etalab/decoupage-administratif"), std::string::npos);
  EXPECT_NE(loaded->notes[1].find("coordonnées"), std::string::npos);
  EXPECT_GE(loaded->communes, 15);
  EXPECT_EQ(loaded->with_coordinates, loaded->communes);
  EXPECT_EQ(loaded->with_postcodes, loaded->communes);
  EXPECT_EQ(Find("35236").codes_postaux, std::vector<std::string>{"35600"});

  // The CSV alone gives the list too (here, no commune beyond the demo's own).
  auto from_csv = LoadDemoCommunes(*store_, {{}, kData / "communes-coordonnees-extrait.csv"});
  ASSERT_TRUE(from_csv);
  ASSERT_EQ(from_csv->notes.size(), 1u);
  EXPECT_EQ(from_csv->communes, loaded->communes);
  EXPECT_FALSE(*store_->FindCommune("22278"));
}

TEST_F(DemoCommunesTest, WithoutCoordinatesOnlyTheDemoCommunesArePlaced) {
  auto loaded = LoadDemoCommunes(*store_, {kData / "decoupage-administratif-extrait.json", {}});
  ASSERT_TRUE(loaded) << loaded.error().ToString();
  ASSERT_EQ(loaded->notes.size(), 1u);
  EXPECT_NE(loaded->notes[0].find("communes_cog2026_coords_laposte.csv"), std::string::npos);
  EXPECT_FALSE(Find("35001").latitude);  // Acigné: no source gives its position
  EXPECT_TRUE(Find("35238").latitude);   // Rennes: the demo knows it
  EXPECT_EQ(loaded->with_coordinates, loaded->communes - 1);
}

TEST_F(DemoCommunesTest, UnreadableSourceIsRefusedNamingTheFile) {
  const auto missing = LoadDemoCommunes(*store_, {kData / "absent.json", {}});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("absent.json"), std::string::npos);

  const auto dir = TempDir("demo-bad");
  std::ofstream(dir / "communes.json") << R"([{"code": "35238", "nom": "Rennes",
    "departement": "35", "region": "53", "codesPostaux": ["350"]}])";
  const auto bad = LoadDemoCommunes(*store_, {dir / "communes.json", {}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("communes.json : élément 1 : code postal invalide"),
            std::string::npos)
      << bad.error().message;
  EXPECT_EQ(*store_->CountCommunes(), 0);
  std::filesystem::remove_all(dir);
}

class DemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("demo");
    std::filesystem::create_directories(dir_ / "web");
    Config config;
    config.database_url = "sqlite://" + (dir_ / "pasip.db").string();
    config.static_dir = (dir_ / "web").string();
    auto app = Application::Open(config, clock_);
    ASSERT_TRUE(app) << app.error().ToString();
    app_ = std::move(*app);
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  directory::DirectoryService& directory() { return app_->services().directory; }

  std::string Today() const {
    const CivilTime t = ToParisCivil(clock_.Now());
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(t.year),
                  t.month, t.day);
    return buffer;
  }

  std::vector<directory::Structure> AllStructures() {
    auto all = directory().store().ListStructures(0, 1000);
    EXPECT_TRUE(all) << all.error().ToString();
    return all ? *all : std::vector<directory::Structure>{};
  }

  ManualClock clock_{SystemClock().Now()};
  std::filesystem::path dir_;
  std::unique_ptr<Application> app_;
};

TEST_F(DemoTest, LoadsTheCommunesOfIlleEtVilaine) {
  const DemoSources sources = FindDemoSources();
  ASSERT_TRUE(CreateDemoTerritory(*app_, sources));
  auto communes = app_->services().territory.ListCommunes("35");
  ASSERT_TRUE(communes);
  if (sources.communes_json.empty()) {
    GTEST_SKIP() << "paquet npm @etalab/decoupage-administratif absent (npm ci)";
  }
  EXPECT_GT(communes->size(), 300u);
  std::size_t with_postcodes = 0;
  for (const auto& c : *communes) with_postcodes += c.codes_postaux.empty() ? 0 : 1;
  EXPECT_EQ(with_postcodes, communes->size());
  auto departements = app_->services().territory.ListDepartements();
  ASSERT_TRUE(departements);
  ASSERT_EQ(departements->size(), 1u);
  EXPECT_EQ((*departements)[0].code, "35");
}

TEST_F(DemoTest, CreatesTheDirectory) {
  auto accounts = CreateDemoTerritory(*app_, {});
  ASSERT_TRUE(accounts) << accounts.error().ToString();
  const auto structures = AllStructures();
  ASSERT_GE(structures.size(), 30u);

  // One structure per demo site, linked to its site and organisation.
  auto sites = app_->services().identity.ListSites({});
  ASSERT_TRUE(sites);
  ASSERT_EQ(sites->size(), 9u);
  for (const auto& site : *sites) {
    auto s = directory().store().FindStructureBySite(site.id);
    ASSERT_TRUE(s && *s) << site.name;
    EXPECT_EQ((*s)->organisation_id, site.organisation_id);
    EXPECT_EQ((*s)->source, "pasip");
    auto services = directory().store().ServicesOf((*s)->id);
    ASSERT_TRUE(services);
    EXPECT_GE(services->size(), 2u) << site.name;
    EXPECT_LE(services->size(), 4u) << site.name;
  }

  std::set<std::string> reseaux;
  int complete = 0, incomplete = 0, sign_language = 0, stale = 0, closures = 0;
  std::optional<directory::Structure> bus;
  for (const auto& s : structures) {
    EXPECT_TRUE(directory::ValidateStructure(s)) << s.nom;
    for (const auto& r : s.reseaux_porteurs) reseaux.insert(r);
    (s.label.Complete() ? complete : incomplete)++;
    sign_language += s.accessibilite.langue_des_signes ? 1 : 0;
    stale += directory::ScoreStructure(s, {}, Today()).age_days >= 730 ? 1 : 0;
    for (const auto& n : s.avis) closures += n.fermeture ? 1 : 0;
    if (s.arrets.size() == 3) bus = s;
    for (const auto& referent : s.referents) {
      EXPECT_TRUE(referent.courriel.empty() || referent.courriel.ends_with("@example.org"));
      EXPECT_TRUE(referent.telephone.starts_with("02 99 00 ")) << referent.telephone;
    }
  }
  EXPECT_GE(complete, 3);
  EXPECT_GE(incomplete, 3);
  EXPECT_GE(sign_language, 1);
  EXPECT_EQ(closures, 1);
  for (const char* r :
       {"mission-locale", "restos-du-coeur", "secours-populaire", "points-conseil-budget", "cidff",
        "pimms-mediation", "maisons-de-l-emploi", "ccas-cias", "france-service", "caf"}) {
    EXPECT_TRUE(reseaux.contains(r)) << r;
  }
  ASSERT_TRUE(bus);
  std::set<std::string> stop_communes;
  for (const auto& stop : bus->arrets) {
    stop_communes.insert(stop.code_insee);
    EXPECT_TRUE(stop.latitude);
    EXPECT_FALSE(stop.horaires.empty());
  }
  EXPECT_EQ(stop_communes.size(), 3u);

  // The Caf permanence is held at the CCAS de Saint-Malo.
  auto host = directory().store().FindStructureBySource("pasip", "demo-ccas-saint-malo");
  ASSERT_TRUE(host && *host);
  auto caf = directory().store().FindStructureBySource("pasip", "demo-caf-rennes");
  ASSERT_TRUE(caf && *caf);
  auto caf_services = directory().store().ServicesOf((*caf)->id);
  ASSERT_TRUE(caf_services);
  int permanences = 0;
  for (const auto& service : *caf_services) {
    for (const auto& p : service.permanences) {
      EXPECT_EQ(p.host_structure_id, (*host)->id);
      ++permanences;
    }
  }
  EXPECT_EQ(permanences, 1);
  EXPECT_EQ(stale, 2);
}

TEST_F(DemoTest, SearchAroundRennesIsSortedByDistance) {
  ASSERT_TRUE(CreateDemoTerritory(*app_, {}));
  directory::SearchQuery query;
  query.entity = directory::Entity::kStructure;
  query.commune = "35238";
  query.rayon_km = 30;
  query.limite = 100;
  auto page = directory().Search(query, directory::View::kPublic);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_GE(page->items.size(), 12u);
  double previous = 0;
  std::set<std::string> names;
  for (const auto& hit : page->items) {
    ASSERT_TRUE(hit.distance_km) << hit.structure->nom;
    EXPECT_GE(*hit.distance_km, previous);
    EXPECT_LE(*hit.distance_km, 30.0);
    previous = *hit.distance_km;
    names.insert(hit.structure->nom);
  }
  EXPECT_LT(*page->items.front().distance_km, 2.0);
  EXPECT_TRUE(names.contains("CCAS de Rennes — accueil central (démo)"));
  EXPECT_TRUE(names.contains("Restos du cœur – Rennes (démo)"));
  EXPECT_FALSE(names.contains("CCAS de Saint-Malo (démo)"));  // 59 km away

  directory::SearchQuery food;
  food.entity = directory::Entity::kService;
  food.thematiques = {"equipement-et-alimentation--alimentation"};
  food.commune = "35238";
  food.rayon_km = 30;
  auto services = directory().Search(food, directory::View::kPublic);
  ASSERT_TRUE(services) << services.error().ToString();
  ASSERT_FALSE(services->items.empty());
  for (const auto& hit : services->items) {
    ASSERT_TRUE(hit.service);
    EXPECT_NE(std::find(hit.service->thematiques.begin(), hit.service->thematiques.end(),
                        "equipement-et-alimentation--alimentation"),
              hit.service->thematiques.end());
  }
}

TEST_F(DemoTest, StaleRecordsComeFirstInTheListToUpdate) {
  ASSERT_TRUE(CreateDemoTerritory(*app_, {}));
  identity::Principal coordination;
  coordination.user_id = 1;
  coordination.memberships = {{1, identity::Role::kCoordination, {}}};
  coordination.second_factor_verified = true;
  auto items = directory().ToUpdate(coordination, 5);
  ASSERT_TRUE(items) << items.error().ToString();
  ASSERT_GE(items->size(), 2u);
  std::set<std::string> first_two = {(*items)[0].structure.source_id,
                                     (*items)[1].structure.source_id};
  EXPECT_EQ(first_two, (std::set<std::string>{"demo-accueil-de-jour-vitre",
                                              "demo-secours-populaire-saint-malo"}));
  EXPECT_GE((*items)[0].freshness.age_days, 730);
}

TEST_F(DemoTest, RunningAgainChangesNothing) {
  ASSERT_TRUE(CreateDemoTerritory(*app_, {}));
  const auto before = AllStructures();
  auto services = directory().store().Count(directory::Entity::kService);
  ASSERT_TRUE(services);
  auto again = CreateDemoTerritory(*app_, {});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->size(), 5u);
  EXPECT_EQ(AllStructures().size(), before.size());
  EXPECT_EQ(*directory().store().Count(directory::Entity::kService), *services);

  // The directory alone can be written again in place (e2e tests and benchmarks).
  auto rewritten = CreateDemoDirectory(*app_, clock_.Now());
  ASSERT_TRUE(rewritten) << rewritten.error().ToString();
  EXPECT_EQ(rewritten->structures, static_cast<std::int64_t>(before.size()));
  EXPECT_EQ(*directory().store().Count(directory::Entity::kService), *services);
  EXPECT_EQ(rewritten->services, *services);
}

}  // namespace
}  // namespace pasip::app
