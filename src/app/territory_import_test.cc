// Communes files in JSON (geo.api.gouv.fr, decoupage-administratif) and CSV through the
// format detection, then imported into SQLite. Fixtures are small invented excerpts.
#include <gtest/gtest.h>

#include "app/territory_import.h"
#include "storage/migrations.h"
#include "storage/territory_repository.h"

namespace pasip::app {
namespace {

constexpr char kGeoApi[] = R"([
  {"nom": "Rennes", "code": "35238", "population": 225081,
   "centre": {"type": "Point", "coordinates": [-1.68186, 48.11198]},
   "codeDepartement": "35", "codeRegion": "53", "codeEpci": "243500139"},
  {"nom": "Bain-de-Bretagne", "code": "35012", "codeDepartement": "35", "codeRegion": "53"}
])";

constexpr char kDecoupage[] = R"([
  {"code": "75056", "nom": "Paris", "type": "commune-actuelle", "departement": "75",
   "region": "11", "population": 2100000, "codesPostaux": ["75001"]},
  {"code": "75101", "nom": "Paris 1er Arrondissement", "type": "arrondissement-municipal",
   "commune": "75056", "departement": "75", "region": "11", "population": 15000},
  {"code": "01015", "nom": "Arbignieu", "type": "commune-deleguee", "chefLieu": "01015",
   "departement": "01", "region": "84"},
  {"code": "01015", "nom": "Arboys en Bugey", "type": "commune-actuelle", "departement": "01",
   "region": "84", "population": 650},
  {"code": "01016", "nom": "Arbigny", "type": "commune-associee", "departement": "01",
   "region": "84"}
])";

TEST(TerritoryImport, ReadsGeoApiJson) {
  auto parsed = ParseCommunesText(kGeoApi);
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->communes.size(), 2u);
  const auto& rennes = parsed->communes[0];
  EXPECT_EQ(rennes.name, "Rennes");
  EXPECT_EQ(rennes.departement, "35");
  EXPECT_EQ(rennes.population, 225081);
  EXPECT_DOUBLE_EQ(*rennes.latitude, 48.11198);
  EXPECT_DOUBLE_EQ(*rennes.longitude, -1.68186);
  EXPECT_EQ(rennes.epci, "243500139");
  EXPECT_FALSE(parsed->communes[1].latitude);
  EXPECT_FALSE(parsed->communes[1].population);
}

TEST(TerritoryImport, ReadsDecoupageAdministratifKeepingCurrentCommunes) {
  auto parsed = ParseCommunesText(kDecoupage);
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->communes.size(), 2u);
  EXPECT_EQ(parsed->skipped, 3);
  EXPECT_EQ(parsed->communes[0].name, "Paris");
  EXPECT_EQ(parsed->communes[1].name, "Arboys en Bugey");
  EXPECT_FALSE(parsed->communes[1].latitude);
}

TEST(TerritoryImport, EmptyArrayHasNoCommunes) {
  auto parsed = ParseCommunesText(" [] ");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->communes.empty());
}

TEST(TerritoryImport, MalformedJsonNamesTheItemAndField) {
  struct Case {
    std::string text;
    std::string start;
    std::string field;
  };
  const std::string rennes =
      R"({"nom": "Rennes", "code": "35238", "codeDepartement": "35", "codeRegion": "53"})";
  const Case cases[] = {
      {std::string(kGeoApi).substr(0, 120), "JSON illisible ou tronqué", "fichier"},
      {R"({"communes": []})", "un tableau JSON", "fichier"},
      {R"([{"nom": "Rennes"}])", "élément 1 : format JSON inconnu", "fichier"},
      {"[" + rennes + R"(, {"nom": "X", "codeDepartement": "35", "codeRegion": "53"}])",
       "élément 2 : ", "code"},
      {"[" + rennes + R"(, {"nom": "X", "code": 35047, "codeDepartement": "35",
        "codeRegion": "53"}])",
       "élément 2 : ", "code"},
      {"[" + rennes + R"(, {"nom": "X", "code": "35047", "codeDepartement": "35",
        "codeRegion": "53", "population": "beaucoup"}])",
       "élément 2 : ", "population"},
      {"[" + rennes + R"(, {"nom": "X", "code": "35047", "codeDepartement": "35",
        "codeRegion": "53", "centre": {"coordinates": [-1.6, 148.1]}}])",
       "élément 2 : ", "latitude"},
      {"[" + rennes + R"(, {"nom": "X", "code": "35047", "codeDepartement": "35",
        "codeRegion": "53", "centre": {"coordinates": "ici"}}])",
       "élément 2 : ", "centre"},
      {"[" + rennes + ", 3]", "élément 2 : ", "fichier"},
      {"[" + rennes + ", " + rennes + "]", "élément 2 : ", "code"},
      {R"([{"code": "3523", "nom": "Rennes", "departement": "35", "region": "53"}])",
       "élément 1 : ", "code"},
  };
  for (const auto& test : cases) {
    auto parsed = ParseCommunesText(test.text);
    ASSERT_FALSE(parsed) << test.text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(parsed.error().message.starts_with(test.start)) << parsed.error().message;
    EXPECT_EQ(parsed.error().field, test.field) << parsed.error().message;
  }
}

TEST(TerritoryImport, ImportsAnyFormatAndUpdatesInPlace) {
  auto db = storage::OpenDatabase("sqlite::memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(storage::Migrate(**db, storage::Series::kMain));
  auto first = ImportCommunesText(**db, kGeoApi);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->created, 2);
  const std::string csv =
      "code,nom,type,departement,region,zone,population,lat,lon\n"
      "35238,Rennes,commune-actuelle,35,53,metro,230000,48.1,-1.68\n";
  auto second = ImportCommunesText(**db, csv);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->created, 0);
  EXPECT_EQ(second->updated, 1);
  storage::SqlTerritoryStore store(**db);
  EXPECT_EQ((*store.FindCommune("35238"))->population, 230000);
  EXPECT_EQ(*store.CountCommunes(), 2);
}

}  // namespace
}  // namespace pasip::app
