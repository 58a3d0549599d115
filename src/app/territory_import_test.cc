// Communes files in JSON (geo.api.gouv.fr, decoupage-administratif) and CSV through the
// format detection, then imported into SQLite. Fixtures are small invented excerpts, and
// excerpts of the published files in tests/data/communes/.
#include "app/territory_import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PASIP_TEST_DATA_DIR) + "/communes/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(TerritoryImport, ReadsPostcodes) {
  auto parsed = ParseCommunesText(kDecoupage);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->communes[0].codes_postaux, std::vector<std::string>{"75001"});
  EXPECT_TRUE(parsed->communes[1].codes_postaux.empty());

  // An excerpt of the npm package's data/communes.json (6.0.0), as published.
  parsed = ParseCommunesText(ReadFixture("decoupage-administratif-extrait.json"));
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->communes.size(), 6u);
  EXPECT_EQ(parsed->skipped, 1);  // Antrain, commune déléguée
  const auto& rennes = parsed->communes.back();
  EXPECT_EQ(rennes.code, "35238");
  EXPECT_EQ(rennes.population, 230890);
  EXPECT_EQ(rennes.codes_postaux, (std::vector<std::string>{"35000", "35200", "35700"}));
  EXPECT_FALSE(rennes.latitude);

  auto geo = ParseCommunesText(R"([{"nom": "Acigné", "code": "35001", "codeDepartement": "35",
      "codeRegion": "53", "codesPostaux": ["35690"],
      "centre": {"type": "Point", "coordinates": [-1.5388, 48.1464]}}])");
  ASSERT_TRUE(geo) << geo.error().ToString();
  EXPECT_EQ(geo->communes[0].codes_postaux, std::vector<std::string>{"35690"});
  geo = ParseCommunesText(kGeoApi);  // without codesPostaux: none
  ASSERT_TRUE(geo);
  EXPECT_TRUE(geo->communes[0].codes_postaux.empty());
}

TEST(TerritoryImport, RefusesBadPostcodes) {
  const std::string start =
      R"([{"nom": "Rennes", "code": "35238", "codeDepartement": "35", "codeRegion": "53"},
          {"nom": "Acigné", "code": "35001", "codeDepartement": "35", "codeRegion": "53", )";
  struct Case {
    std::string member;
    std::string message;
    std::string field;
  };
  const Case cases[] = {
      {R"("codesPostaux": "35690")", "élément 2 : « codesPostaux » doit être une liste",
       "codesPostaux"},
      {R"("codesPostaux": [35690])", "élément 2 : « codesPostaux » doit contenir des textes",
       "codesPostaux"},
      {R"("codesPostaux": ["35690", "3569"])", "élément 2 : code postal invalide", "codes_postaux"},
  };
  for (const auto& test : cases) {
    auto parsed = ParseCommunesText(start + test.member + "}]");
    ASSERT_FALSE(parsed) << test.member;
    EXPECT_TRUE(parsed.error().message.starts_with(test.message)) << parsed.error().message;
    EXPECT_EQ(parsed.error().field, test.field);
  }
}

TEST(TerritoryImport, KeepsOneDepartementWhenAsked) {
  auto parsed = ParseCommunesText(ReadFixture("decoupage-administratif-extrait.json"), "35");
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->communes.size(), 5u);
  for (const auto& c : parsed->communes) EXPECT_EQ(c.departement, "35");
  parsed = ParseCommunesText(ReadFixture("communes-coordonnees-extrait.csv"), "22");
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->communes.size(), 1u);
  EXPECT_EQ(parsed->communes[0].name, "Saint-Brieuc");
  // Items of other départements are not checked; positions stay those of the file.
  auto filtered = ParseCommunesText(
      R"([{"nom": "X", "code": "2", "codeDepartement": "22", "codeRegion": "53"},
          {"nom": "Y", "code": "3", "codeDepartement": "35", "codeRegion": "53"}])",
      "35");
  ASSERT_FALSE(filtered);
  EXPECT_TRUE(filtered.error().message.starts_with("élément 2 : ")) << filtered.error().message;
  parsed = ParseCommunesText(kGeoApi, "22");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->communes.empty());
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
