// Communes: validation, the CSV reader (good and malformed input) and the import use case
// against an in-memory store. Fixtures are small invented excerpts in the COG's shape.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "domain/territory/import.h"
#include "domain/territory/model.h"
#include "domain/territory/ports.h"

namespace pasip::territory {
namespace {

const std::string kHeader = "code,nom,type,departement,region,zone,population,lat,lon\n";

Commune Rennes() {
  Commune c;
  c.code = "35238";
  c.name = "Rennes";
  c.departement = "35";
  c.region = "53";
  c.population = 225081;
  c.latitude = 48.11198;
  c.longitude = -1.68186;
  return c;
}

class MemoryTerritoryStore final : public TerritoryStore {
 public:
  Result<UpsertCounts> UpsertCommunes(std::span<const Commune> communes) override {
    UpsertCounts counts;
    for (const auto& c : communes) {
      (communes_.contains(c.code) ? counts.updated : counts.created)++;
      communes_[c.code] = c;
    }
    return counts;
  }
  Result<std::optional<Commune>> FindCommune(std::string_view code) override {
    const auto it = communes_.find(std::string(code));
    return it == communes_.end() ? std::nullopt : std::optional<Commune>(it->second);
  }
  Result<std::vector<Commune>> ListCommunes(std::string_view departement) override {
    std::vector<Commune> out;
    for (const auto& [code, c] : communes_) {
      if (c.departement == departement) out.push_back(c);
    }
    return out;
  }
  Result<std::vector<Departement>> ListDepartements() override { return {}; }
  Result<std::int64_t> CountCommunes() override {
    return static_cast<std::int64_t>(communes_.size());
  }
  Result<std::vector<Commune>> SearchCommunes(std::string_view text, int limit) override {
    std::vector<Commune> out;
    for (const auto& [code, c] : communes_) {
      if (static_cast<int>(out.size()) < limit && c.name.starts_with(text)) out.push_back(c);
    }
    return out;
  }

 private:
  std::map<std::string, Commune> communes_;
};

Error CsvError(const std::string& text) {
  auto parsed = ParseCommunesCsv(text);
  EXPECT_FALSE(parsed) << text;
  return parsed ? Error{} : parsed.error();
}

TEST(Territory, CodesFollowTheCog) {
  for (const char* ok : {"35238", "2A004", "2B033", "97101", "98411", "01001"}) {
    EXPECT_TRUE(IsInseeCode(ok)) << ok;
  }
  for (const char* bad : {"3523", "352380", "2C004", "2A04A", "", "35 38"}) {
    EXPECT_FALSE(IsInseeCode(bad)) << bad;
  }
  for (const char* ok : {"01", "35", "2A", "2B", "971", "976", "984", "988"}) {
    EXPECT_TRUE(IsDepartementCode(ok)) << ok;
  }
  for (const char* bad : {"20", "00", "1", "961", "2C", "9711"}) {
    EXPECT_FALSE(IsDepartementCode(bad)) << bad;
  }
  EXPECT_TRUE(IsRegionCode("53"));
  EXPECT_TRUE(IsRegionCode("984"));
  EXPECT_FALSE(IsRegionCode("5"));
  EXPECT_EQ(ParseCommuneKind("arrondissement-municipal"), CommuneKind::kMunicipalArrondissement);
  EXPECT_EQ(ParseCommuneKind("commune"), std::nullopt);
}

TEST(Territory, DepartementNamesFollowTheCog) {
  EXPECT_EQ(DepartementName("35"), "Ille-et-Vilaine");
  EXPECT_EQ(DepartementName("01"), "Ain");
  EXPECT_EQ(DepartementName("2A"), "Corse-du-Sud");
  EXPECT_EQ(DepartementName("2B"), "Haute-Corse");
  EXPECT_EQ(DepartementName("21"), "Côte-d'Or");
  EXPECT_EQ(DepartementName("90"), "Territoire de Belfort");
  EXPECT_EQ(DepartementName("95"), "Val-d'Oise");
  EXPECT_EQ(DepartementName("971"), "Guadeloupe");
  EXPECT_EQ(DepartementName("974"), "La Réunion");
  EXPECT_EQ(DepartementName("976"), "Mayotte");
  EXPECT_EQ(DepartementName("975"), "Saint-Pierre-et-Miquelon");
  EXPECT_EQ(DepartementName("984"), "Terres australes et antarctiques françaises");
  EXPECT_EQ(DepartementName("988"), "Nouvelle-Calédonie");
  for (const char* unknown : {"", "20", "00", "96", "979", "35 ", "2a"}) {
    EXPECT_EQ(DepartementName(unknown), "") << unknown;
  }
  // Every département code has a name: 01 to 95 without 20, 2A, 2B, and the five
  // overseas départements (101); the collectivités d'outre-mer of the COG files too.
  std::vector<std::string> codes = {"2A", "2B", "971", "972", "973", "974", "976"};
  for (int n = 1; n <= 95; ++n) {
    if (n != 20) codes.push_back((n < 10 ? "0" : "") + std::to_string(n));
  }
  ASSERT_EQ(codes.size(), 101u);
  for (const char* com : {"975", "977", "978", "984", "986", "987", "988", "989"}) {
    codes.push_back(com);
  }
  std::set<std::string_view> names;
  for (const auto& code : codes) {
    EXPECT_TRUE(IsDepartementCode(code)) << code;
    const std::string_view name = DepartementName(code);
    EXPECT_FALSE(name.empty()) << code;
    EXPECT_TRUE(names.insert(name).second) << "nom en double : " << name;
  }
}

TEST(Territory, PostcodesHaveFiveDigits) {
  Commune c = Rennes();
  c.codes_postaux = {"35000", "35200", "35700"};
  EXPECT_TRUE(ValidateCommune(c));
  for (const char* bad : {"3500", "350000", "35 00", "2A000", ""}) {
    c.codes_postaux = {"35000", bad};
    const auto status = ValidateCommune(c);
    ASSERT_FALSE(status) << bad;
    EXPECT_EQ(status.error().field, "codes_postaux");
    EXPECT_NE(status.error().message.find("code postal invalide pour la commune 35238"),
              std::string::npos)
        << status.error().message;
  }
  CommuneFields f;
  f.code = "35238";
  f.name = "Rennes";
  f.departement = "35";
  f.region = "53";
  f.codes_postaux = {" 35000", "35200 "};
  auto read = CommuneFromFields(f, "élément 1");
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->codes_postaux, (std::vector<std::string>{"35000", "35200"}));
  f.codes_postaux = {"35A00"};
  read = CommuneFromFields(f, "élément 4");
  ASSERT_FALSE(read);
  EXPECT_TRUE(read.error().message.starts_with("élément 4 : code postal invalide"));
  EXPECT_EQ(read.error().field, "codes_postaux");
}

TEST(Territory, ValidationNamesTheField) {
  EXPECT_TRUE(ValidateCommune(Rennes()));
  struct Case {
    void (*change)(Commune&);
    const char* field;
  };
  const Case cases[] = {
      {[](Commune& c) { c.code = "3523"; }, "code"},
      {[](Commune& c) { c.name = " "; }, "nom"},
      {[](Commune& c) { c.name = "\xff"; }, "nom"},
      {[](Commune& c) { c.departement = "36"; }, "departement"},
      {[](Commune& c) { c.departement = "X"; }, "departement"},
      {[](Commune& c) { c.region = "5"; }, "region"},
      {[](Commune& c) { c.epci = "24350013"; }, "epci"},
      {[](Commune& c) { c.population = -1; }, "population"},
      {[](Commune& c) { c.latitude = 91; }, "latitude"},
      {[](Commune& c) { c.longitude = -181; }, "longitude"},
      {[](Commune& c) { c.longitude.reset(); }, "longitude"},
  };
  for (const auto& test : cases) {
    Commune c = Rennes();
    test.change(c);
    const auto status = ValidateCommune(c);
    ASSERT_FALSE(status) << test.field;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.error().field, test.field);
  }
  Commune corsica = Rennes();
  corsica.code = "2A004";
  corsica.departement = "2A";
  corsica.region = "94";
  EXPECT_TRUE(ValidateCommune(corsica));
}

TEST(Territory, CsvKeepsCurrentCommunesOnly) {
  const std::string text = std::string("\xEF\xBB\xBF") + kHeader +
                           "35238,Rennes,commune-actuelle,35,53,metro,225081,48.11198,-1.68186\r\n"
                           "75056,Paris,commune-actuelle,75,11,metro,2100000,48.86,2.34\r\n"
                           "75101,Paris 1er,arrondissement-municipal,75,11,metro,15000,48.86,2.33\n"
                           "2A004,\"Ajaccio, la ville\",commune-actuelle,2A,94,metro,,,\n"
                           "\n"
                           "98411,\"Îles \"\"Saint-Paul\"\"\",commune-actuelle,984,984,com,,,\n";
  auto parsed = ParseCommunesCsv(text);
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->communes.size(), 4u);
  EXPECT_EQ(parsed->skipped, 1);
  EXPECT_EQ(parsed->communes[0], Rennes());
  EXPECT_EQ(parsed->communes[1].name, "Paris");
  EXPECT_EQ(parsed->communes[2].name, "Ajaccio, la ville");
  EXPECT_FALSE(parsed->communes[2].population);
  EXPECT_FALSE(parsed->communes[2].latitude);
  EXPECT_EQ(parsed->communes[3].name, "Îles \"Saint-Paul\"");
}

TEST(Territory, CsvColumnsAreFoundByName) {
  auto parsed = ParseCommunesCsv(
      "lon,lat,population,region,departement,nom,code,epci\n"
      "-1.68186,48.11198,225081,53,35,Rennes,35238,243500139\n");
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->communes.size(), 1u);
  EXPECT_EQ(parsed->communes[0].latitude, 48.11198);
  EXPECT_EQ(parsed->communes[0].epci, "243500139");
}

TEST(Territory, CsvCanKeepOneDepartement) {
  const std::string text = kHeader +
                           "35238,Rennes,commune-actuelle,35,53,metro,225081,48.11198,-1.68186\n"
                           "56260,Vannes,commune-actuelle,56,53,metro,54000,47.65,-2.76\n"
                           "75056,Paris,commune-actuelle,75,11,metro,beaucoup,48.86,2.34\n"
                           "35999,Ancienne,commune-deleguee,35,53,metro,,,\n"
                           "35047,Bain,commune-actuelle,35,53,metro,2,,\n";
  auto parsed = ParseCommunesCsv(text, "35");
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  ASSERT_EQ(parsed->communes.size(), 2u);
  EXPECT_EQ(parsed->communes[0], Rennes());
  EXPECT_EQ(parsed->communes[1].code, "35047");
  EXPECT_EQ(parsed->skipped, 1);
  // Without the filter, the bad line of another département refuses the file.
  const Error error = CsvError(text);
  EXPECT_TRUE(error.message.starts_with("ligne 4 : ")) << error.message;
  auto none = ParseCommunesCsv(text, "22");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->communes.empty());
}

TEST(Territory, MalformedCsvNamesTheLineAndField) {
  const std::string row = "35238,Rennes,commune-actuelle,35,53,metro,225081,48.1,-1.6\n";
  struct Case {
    std::string text;
    std::string line;
    std::string field;
  };
  const Case cases[] = {
      {"", "ligne 1", "fichier"},
      {"code,nom,type,departement,region,zone,population,latitude,lon\n" + row, "ligne 1", "lat"},
      {kHeader + row + "35047,Bain,commune-actuelle,35,53,metro,100,47.8\n", "ligne 3", "fichier"},
      {kHeader + "35238,Rennes,commune-actuelle,35,53,metro,beaucoup,48.1,-1.6\n", "ligne 2",
       "population"},
      {kHeader + "35238,Rennes,commune-actuelle,35,53,metro,-5,48.1,-1.6\n", "ligne 2",
       "population"},
      {kHeader + "35238,Rennes,commune-actuelle,35,53,metro,1,148.1,-1.6\n", "ligne 2", "latitude"},
      {kHeader + "35238,Rennes,commune-actuelle,35,53,metro,1,48,1,-1.6\n", "ligne 2", "fichier"},
      {kHeader + "35238,Rennes,commune-actuelle,35,53,metro,1,48.1,ouest\n", "ligne 2",
       "longitude"},
      {kHeader + "3523,Rennes,commune-actuelle,35,53,metro,1,48.1,-1.6\n", "ligne 2", "code"},
      {kHeader + "35238,Rennes,ville,35,53,metro,1,48.1,-1.6\n", "ligne 2", "type"},
      {kHeader + row + row, "ligne 3", "code"},
      {kHeader + row + "35047,\"Bain,commune-actuelle,35,53,metro,1,47.8,-1.6\n", "ligne 3",
       "fichier"},
  };
  for (const auto& test : cases) {
    const Error error = CsvError(test.text);
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument) << test.text;
    EXPECT_TRUE(error.message.starts_with(test.line + " : ")) << error.message;
    EXPECT_EQ(error.field, test.field) << error.message;
  }
}

TEST(Territory, DetectsJson) {
  EXPECT_TRUE(LooksLikeJson("  [ {}"));
  EXPECT_TRUE(LooksLikeJson("\xEF\xBB\xBF{"));
  EXPECT_FALSE(LooksLikeJson(kHeader));
  EXPECT_FALSE(LooksLikeJson(""));
}

TEST(Territory, ImportCreatesThenUpdates) {
  MemoryTerritoryStore store;
  auto parsed = ParseCommunesCsv(kHeader +
                                 "35238,Rennes,commune-actuelle,35,53,metro,1,48.1,-1.6\n"
                                 "35047,Bain,commune-actuelle,35,53,metro,2,,\n"
                                 "35999,Ancienne,commune-deleguee,35,53,metro,,,\n");
  ASSERT_TRUE(parsed);
  auto first = ImportCommunes(store, *parsed);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->created, 2);
  EXPECT_EQ(first->updated, 0);
  EXPECT_EQ(first->skipped, 1);
  auto again = ImportCommunes(store, *parsed);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->updated, 2);

  ParsedCommunes bad;
  bad.communes = {Rennes(), Rennes()};
  bad.communes[1].latitude = 100;
  const auto refused = ImportCommunes(store, bad);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().message.starts_with("commune 2 : ")) << refused.error().message;
  EXPECT_EQ(*store.CountCommunes(), 2);
}

}  // namespace
}  // namespace pasip::territory
