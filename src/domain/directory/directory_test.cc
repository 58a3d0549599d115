// The directory domain: référentiels (checked against the official enums.json when the shared
// data is present), validation, freshness, the index of each record, search (text, filters,
// distance, itinerant stops, permanences, open at an instant, pages, facets, views) and the
// audited writes under the access policy, on in-memory stores.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "core/geo.h"
#include "domain/directory/directory.h"
#include "domain/directory/hours_cache.h"
#include "domain/directory/memory_store_test_util.h"
#include "domain/directory/model.h"
#include "domain/identity/memory_stores_test_util.h"
#include "domain/openinghours/opening_hours.h"

namespace pasip::directory {
namespace {

using identity::Membership;
using identity::Principal;
using identity::Role;
using testing::MemoryDirectoryStore;
using testing::MemoryTerritoryStore;

// ---------------------------------------------------------------------------------------
// A minimal JSON reader, enough for enums.json (the domain has no JSON library).

struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = Kind::kNull;
  std::string text;  // string value, or the number's spelling
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json* Member(std::string_view name) const {
    for (const auto& [key, value] : members) {
      if (key == name) return &value;
    }
    return nullptr;
  }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}

  std::optional<Json> Document() {
    auto value = Value();
    Spaces();
    if (!value || pos_ != s_.size()) return std::nullopt;
    return value;
  }

 private:
  void Spaces() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    Spaces();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  static void AppendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  std::optional<std::uint32_t> Hex4() {
    if (pos_ + 4 > s_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return std::nullopt;
      }
    }
    return v;
  }
  std::optional<std::string> String() {
    if (!Eat('"')) return std::nullopt;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      const char c = s_[pos_++];
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return std::nullopt;
      const char e = s_[pos_++];
      switch (e) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          auto cp = Hex4();
          if (!cp) return std::nullopt;
          if (*cp >= 0xD800 && *cp < 0xDC00 && Literal("\\u")) {
            auto low = Hex4();
            if (!low) return std::nullopt;
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          }
          AppendUtf8(out, *cp);
          break;
        }
        default:
          out.push_back(e);
      }
    }
    if (pos_ >= s_.size()) return std::nullopt;
    ++pos_;
    return out;
  }
  std::optional<Json> Value() {
    Spaces();
    if (pos_ >= s_.size()) return std::nullopt;
    Json j;
    const char c = s_[pos_];
    if (c == '{') {
      ++pos_;
      j.kind = Json::Kind::kObject;
      if (Eat('}')) return j;
      do {
        auto key = String();
        if (!key || !Eat(':')) return std::nullopt;
        auto value = Value();
        if (!value) return std::nullopt;
        j.members.emplace_back(std::move(*key), std::move(*value));
      } while (Eat(','));
      if (!Eat('}')) return std::nullopt;
    } else if (c == '[') {
      ++pos_;
      j.kind = Json::Kind::kArray;
      if (Eat(']')) return j;
      do {
        auto value = Value();
        if (!value) return std::nullopt;
        j.items.push_back(std::move(*value));
      } while (Eat(','));
      if (!Eat(']')) return std::nullopt;
    } else if (c == '"') {
      auto s = String();
      if (!s) return std::nullopt;
      j.kind = Json::Kind::kString;
      j.text = std::move(*s);
    } else if (Literal("null")) {
      j.kind = Json::Kind::kNull;
    } else if (Literal("true") || Literal("false")) {
      j.kind = Json::Kind::kBool;
    } else {
      const std::size_t start = pos_;
      while (pos_ < s_.size() && std::strchr("+-0123456789.eE", s_[pos_])) ++pos_;
      if (pos_ == start) return std::nullopt;
      j.kind = Json::Kind::kNumber;
      j.text = std::string(s_.substr(start, pos_ - start));
    }
    return j;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

TEST(JsonReaderTest, ReadsWhatEnumsJsonUses) {
  auto doc =
      JsonReader(R"({"a": [{"value": "x\u00e9\"", "n": null, "k": 3}], "b": true})").Document();
  ASSERT_TRUE(doc);
  const Json* a = doc->Member("a");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->items.size(), 1u);
  EXPECT_EQ(a->items[0].Member("value")->text, "xé\"");
  EXPECT_EQ(a->items[0].Member("n")->kind, Json::Kind::kNull);
  EXPECT_FALSE(JsonReader(R"({"a": [1, 2)").Document());
}

// ---------------------------------------------------------------------------------------
// Référentiels.

TEST(Referentiels, HaveTheStandardsSizesAndLabels) {
  EXPECT_EQ(Values(Referentiel::kThematique).size(), 69u);
  EXPECT_EQ(Values(Referentiel::kCategorie).size(), 16u);
  EXPECT_EQ(Values(Referentiel::kTypeService).size(), 6u);
  EXPECT_EQ(Values(Referentiel::kFrais).size(), 2u);
  EXPECT_EQ(Values(Referentiel::kPublic).size(), 14u);
  EXPECT_EQ(Values(Referentiel::kModeAccueil).size(), 2u);
  EXPECT_EQ(Values(Referentiel::kModeMobilisation).size(), 4u);
  EXPECT_EQ(Values(Referentiel::kPersonneMobilisatrice).size(), 2u);
  EXPECT_EQ(Values(Referentiel::kReseauPorteur).size(), 108u);

  EXPECT_TRUE(IsValid(Referentiel::kThematique, "famille--garde-denfants"));
  EXPECT_FALSE(IsValid(Referentiel::kThematique, "famille"));
  EXPECT_EQ(Label(Referentiel::kThematique, "famille--garde-denfants"), "Garde d’enfants");
  EXPECT_EQ(Label(Referentiel::kCategorie, "logement-hebergement"), "Logement et hébergement");
  EXPECT_EQ(Label(Referentiel::kFrais, "inconnu"), "inconnu");
  EXPECT_EQ(Label(Referentiel::kReseauPorteur, "ccas-cias"),
            "Les Centres Communaux d’Action Sociale et les Centres Intercommunaux d’Action "
            "Sociale");
  EXPECT_EQ(CategoryOf("famille--garde-denfants"), "famille");
  EXPECT_EQ(ReferentielName(Referentiel::kPublic), "publics");
  EXPECT_EQ(ReferentielName(Referentiel::kPersonneMobilisatrice), "mobilisable_par");

  // Every thématique belongs to a known catégorie, and every catégorie has thématiques.
  std::set<std::string_view> used;
  for (const RefValue& t : Values(Referentiel::kThematique)) {
    EXPECT_TRUE(IsValid(Referentiel::kCategorie, CategoryOf(t.value))) << t.value;
    used.insert(CategoryOf(t.value));
  }
  EXPECT_EQ(used.size(), 16u);
}

TEST(Referentiels, LanguagesAreIso6391WithFrenchNames) {
  std::set<std::string_view> codes;
  for (const RefValue& l : Languages()) {
    EXPECT_EQ(l.value.size(), 2u) << l.value;
    EXPECT_TRUE(
        std::all_of(l.value.begin(), l.value.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
    EXPECT_FALSE(l.label.empty());
    EXPECT_TRUE(codes.insert(l.value).second) << "doublon " << l.value;
  }
  EXPECT_GE(codes.size(), 40u);
  EXPECT_EQ(Languages()[0].value, "fr");
  for (const char* code :
       {"ar", "en", "es", "pt", "it", "de", "ro", "pl", "tr", "ru", "uk", "zh", "vi", "wo",
        "bm", "ff", "ln", "ta", "fa", "ps", "so", "ti", "am", "sq", "hy", "ka", "ku"}) {
    EXPECT_TRUE(IsLanguageCode(code)) << code;
  }
  EXPECT_FALSE(IsLanguageCode("lsf"));
  EXPECT_FALSE(IsLanguageCode("ber"));
  EXPECT_FALSE(IsLanguageCode("EN"));
  EXPECT_EQ(LanguageLabel("uk"), "ukrainien");
  EXPECT_EQ(LanguageLabel("xx"), "xx");
}

TEST(Referentiels, EqualTheOfficialEnumsJson) {
  const std::filesystem::path path =
      std::filesystem::path(PASIP_SHARED_DATA_DIR) / "data_inclusion_schema" / "enums.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent";
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string content = buffer.str();
  auto doc = JsonReader(content).Document();
  ASSERT_TRUE(doc) << "enums.json illisible";

  const std::pair<const char*, Referentiel> keys[] = {
      {"v1.thematiques", Referentiel::kThematique},
      {"v1.thematiques_categories", Referentiel::kCategorie},
      {"v1.types_de_services", Referentiel::kTypeService},
      {"v1.frais", Referentiel::kFrais},
      {"v1.publics", Referentiel::kPublic},
      {"v1.modes_accueil", Referentiel::kModeAccueil},
      {"v1.modes_mobilisation", Referentiel::kModeMobilisation},
      {"v1.personnes_mobilisatrices", Referentiel::kPersonneMobilisatrice},
      {"v1.reseaux_porteurs", Referentiel::kReseauPorteur},
  };
  for (const auto& [key, referentiel] : keys) {
    const Json* list = doc->Member(key);
    ASSERT_TRUE(list) << key;
    const auto ours = Values(referentiel);
    ASSERT_EQ(list->items.size(), ours.size()) << key;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      const Json* value = list->items[i].Member("value");
      const Json* label = list->items[i].Member("label");
      ASSERT_TRUE(value && label) << key << "[" << i << "]";
      EXPECT_EQ(ours[i].value, value->text) << key << "[" << i << "]";
      EXPECT_EQ(ours[i].label, label->text) << key << "[" << i << "]";
    }
  }
}

// ---------------------------------------------------------------------------------------
// PASIP label, ids.

TEST(PasipLabelTest, CountsItsTwelveCriteria) {
  PasipLabel label;
  EXPECT_EQ(label.Count(), 0);
  EXPECT_FALSE(label.Complete());
  ASSERT_EQ(PasipCriteria().size(), 12u);
  for (const RefValue& c : PasipCriteria()) {
    EXPECT_TRUE(SetCriterion(label, c.value, true)) << c.value;
    EXPECT_EQ(GetCriterion(label, c.value), true);
  }
  EXPECT_EQ(label.Count(), 12);
  EXPECT_TRUE(label.Complete());
  EXPECT_TRUE(SetCriterion(label, "espace_confidentiel", false));
  EXPECT_FALSE(label.espace_confidentiel);
  EXPECT_FALSE(label.Complete());
  EXPECT_FALSE(SetCriterion(label, "inconnu", true));
  EXPECT_EQ(GetCriterion(label, "inconnu"), std::nullopt);
}

TEST(Ids, DataInclusionIdJoinsSourceAndId) {
  EXPECT_EQ(DataInclusionId("france-services", "1234"), "france-services--1234");
}

// ---------------------------------------------------------------------------------------
// Validation.

Structure ValidStructure() {
  Structure s;
  s.source = "pasip";
  s.source_id = "a1b2c3";
  s.nom = "CCAS de Rennes";
  s.date_maj = "2026-03-01";
  s.siret = "26350011900015";  // invented, Luhn-valid
  s.description = "Centre communal d'action sociale.";
  s.code_postal = "35000";
  s.code_insee = "35238";
  s.telephone = "+33 2 99 00 00 00";
  s.courriel = "ccas@rennes.example.fr";
  s.site_web = "https://www.rennes.example.fr/ccas";
  s.horaires_accueil = "Mo-Fr 09:00-12:00,14:00-17:00; PH off";
  s.latitude = 48.11;
  s.longitude = -1.68;
  s.reseaux_porteurs = {"ccas-cias"};
  s.accessibilite.langues = {"fr", "ar"};
  s.arrets = {
      ItinerantStop{"Place de la mairie", "35051", std::nullopt, std::nullopt, "Tu 09:00-12:00"}};
  s.referents = {Referent{"Claire Martin", "Référente RSA", "02 99 00 00 01", ""}};
  s.avis = {Notice{"2026-12-24", "2027-01-02", "Fermeture de fin d'année", true}};
  return s;
}

Service ValidService() {
  Service s;
  s.source = "pasip";
  s.source_id = "d4e5f6";
  s.structure_id = 1;
  s.nom = "Épicerie solidaire";
  s.description = "Produits à petits prix pour les familles.";
  s.date_maj = "2026-03-01";
  s.type = "aide-materielle";
  s.frais = "payant";
  s.thematiques = {"equipement-et-alimentation--alimentation"};
  s.publics = {"familles"};
  s.modes_accueil = {"en-presentiel"};
  s.modes_mobilisation = {"se-presenter"};
  s.mobilisable_par = {"usagers", "professionnels"};
  s.zone_eligibilite = {"35238", "35", "243500139", "france"};
  s.telephone = "02 99 00 00 02";
  s.lien_mobilisation = "https://example.fr/inscription";
  s.horaires_accueil = "We 14:00-17:00";
  s.nombre_semaines = 4;
  s.volume_horaire_hebdomadaire = 2.5;
  s.permanences = {Permanence{2, "Th 09:00-12:00", ""}};
  return s;
}

void ExpectInvalid(const Status& status, std::string_view field, std::string_view words) {
  ASSERT_FALSE(status) << "attendu : erreur sur " << field;
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().field, field) << status.error().message;
  EXPECT_NE(status.error().message.find(words), std::string::npos)
      << status.error().message << " (attendu : « " << words << " »)";
}

TEST(Validation, AcceptsCompleteRecords) {
  EXPECT_TRUE(ValidateStructure(ValidStructure()))
      << ValidateStructure(ValidStructure()).error().ToString();
  EXPECT_TRUE(ValidateService(ValidService()))
      << ValidateService(ValidService()).error().ToString();
  Structure minimal;
  minimal.source = "france-services";
  minimal.source_id = "12";
  minimal.nom = "Mairie";
  minimal.date_maj = "2024-08-01";
  EXPECT_TRUE(ValidateStructure(minimal));
  Structure poste = minimal;
  poste.siret = "35600000012300";  // La Poste: digit sum multiple of 5, not Luhn
  EXPECT_TRUE(ValidateStructure(poste));
}

TEST(Validation, NamesTheStructureFieldInFrench) {
  struct Case {
    std::function<void(Structure&)> change;
    std::string field;
    std::string words;
  };
  const std::vector<Case> cases = {
      {[](Structure& s) { s.source = ""; }, "source", "source est obligatoire"},
      {[](Structure& s) { s.source_id = "a b"; }, "source_id", "ni espace"},
      {[](Structure& s) { s.nom = ""; }, "nom", "nom est obligatoire"},
      {[](Structure& s) { s.nom = "Ab"; }, "nom", "entre 3 et 150"},
      {[](Structure& s) { s.nom = std::string(151, 'a'); }, "nom", "entre 3 et 150"},
      {[](Structure& s) { s.nom = "Mairie."; }, "nom", "point"},
      {[](Structure& s) { s.date_maj = "2026-02-30"; }, "date_maj", "AAAA-MM-JJ"},
      {[](Structure& s) { s.date_maj = "01/03/2026"; }, "date_maj", "AAAA-MM-JJ"},
      {[](Structure& s) { s.siret = "1234"; }, "siret", "14 chiffres"},
      {[](Structure& s) { s.siret = "26350011900016"; }, "siret", "clé de contrôle"},
      {[](Structure& s) { s.description = "abc"; }, "description", "entre 5 et 10 000"},
      {[](Structure& s) { s.code_insee = "3523"; }, "code_insee", "INSEE"},
      {[](Structure& s) { s.code_postal = "3500A"; }, "code_postal", "5 chiffres"},
      {[](Structure& s) { s.telephone = "appeler le standard"; }, "telephone", "téléphone"},
      {[](Structure& s) { s.telephone = "12"; }, "telephone", "téléphone"},
      {[](Structure& s) { s.courriel = "ccas@"; }, "courriel", "courriel"},
      {[](Structure& s) { s.site_web = "www.rennes.fr"; }, "site_web", "https://"},
      {[](Structure& s) { s.lien_source = "ftp://x.fr"; }, "lien_source", "https://"},
      {[](Structure& s) { s.accessibilite_lieu = "https://"; }, "accessibilite_lieu", "https://"},
      {[](Structure& s) { s.horaires_accueil = "Lu-Ve 9h-12h"; }, "horaires_accueil",
       "Horaires invalides au caractère 1"},
      {[](Structure& s) { s.longitude.reset(); }, "longitude", "vont ensemble"},
      {[](Structure& s) { s.latitude = 91; }, "latitude", "entre -90 et 90"},
      {[](Structure& s) { s.longitude = -181; }, "longitude", "entre -180 et 180"},
      {[](Structure& s) {
         s.reseaux_porteurs = {"ccas-cias", "mairies"};
       },
       "reseaux_porteurs[1]", "réseau porteur"},
      {[](Structure& s) {
         s.reseaux_porteurs = {"caf", "caf"};
       },
       "reseaux_porteurs[1]", "en double"},
      {[](Structure& s) { s.organisation_id = 0; }, "organisation_id", "positif"},
      {[](Structure& s) {
         s.accessibilite.langues = {"fr", "lsf"};
       },
       "accessibilite.langues[1]", "code de langue"},
      {[](Structure& s) { s.arrets[0].lieu = " "; }, "arrets[0].lieu", "lieu de l'arrêt"},
      {[](Structure& s) { s.arrets[0].code_insee = "ABCDE"; }, "arrets[0].code_insee", "INSEE"},
      {[](Structure& s) { s.arrets[0].code_insee = ""; }, "arrets[0].code_insee",
       "commune ou les coordonnées"},
      {[](Structure& s) { s.arrets[0].latitude = 48.0; }, "arrets[0].longitude", "vont ensemble"},
      {[](Structure& s) { s.arrets[0].horaires = ""; }, "arrets[0].horaires", "obligatoires"},
      {[](Structure& s) { s.arrets[0].horaires = "Tu 25:00-26:00"; }, "arrets[0].horaires",
       "Horaires invalides"},
      {[](Structure& s) { s.referents[0].nom = ""; }, "referents[0].nom", "nom du référent"},
      {[](Structure& s) { s.referents[0].telephone = ""; }, "referents[0].telephone",
       "téléphone ou un courriel"},
      {[](Structure& s) { s.referents[0].courriel = "x"; }, "referents[0].courriel", "courriel"},
      {[](Structure& s) { s.avis[0].debut = "demain"; }, "avis[0].debut", "date de début"},
      {[](Structure& s) { s.avis[0].fin = "2026-12-01"; }, "avis[0].fin", "après la date de début"},
      {[](Structure& s) { s.avis[0].message = ""; }, "avis[0].message", "message"},
      {[](Structure& s) { s.adresse = std::string("1 rue \xff"); }, "adresse", "non valides"},
  };
  for (const Case& c : cases) {
    Structure s = ValidStructure();
    c.change(s);
    SCOPED_TRACE(c.field);
    ExpectInvalid(ValidateStructure(s), c.field, c.words);
  }
}

TEST(Validation, NamesTheServiceFieldInFrench) {
  struct Case {
    std::function<void(Service&)> change;
    std::string field;
    std::string words;
  };
  const std::vector<Case> cases = {
      {[](Service& s) { s.nom = "Aide."; }, "nom", "point"},
      {[](Service& s) { s.description = ""; }, "description", "description est obligatoire"},
      {[](Service& s) { s.description = "abc"; }, "description", "entre 5 et 10 000"},
      {[](Service& s) { s.date_maj = ""; }, "date_maj", "AAAA-MM-JJ"},
      {[](Service& s) { s.type = "accueil"; }, "type", "type de service"},
      {[](Service& s) { s.frais = "gratuit-sous-conditions"; }, "frais", "frais"},
      {[](Service& s) { s.thematiques.push_back("logement"); }, "thematiques[1]", "thématique"},
      {[](Service& s) { s.thematiques.push_back("equipement-et-alimentation--alimentation"); },
       "thematiques[1]", "en double"},
      {[](Service& s) {
         s.publics = {"jeunes", "enfants"};
       },
       "publics[1]", "public"},
      {[](Service& s) { s.modes_accueil = {"sur-place"}; }, "modes_accueil[0]", "mode d'accueil"},
      {[](Service& s) { s.modes_mobilisation = {"ecrire"}; }, "modes_mobilisation[0]",
       "mode de mobilisation"},
      {[](Service& s) { s.mobilisable_par = {"tous"}; }, "mobilisable_par[0]",
       "personne mobilisatrice"},
      {[](Service& s) {
         s.zone_eligibilite = {"35238", "europe"};
       },
       "zone_eligibilite[1]", "zone d'éligibilité"},
      {[](Service& s) { s.zone_eligibilite = {"12345678"}; }, "zone_eligibilite[0]", "EPCI"},
      {[](Service& s) {
         s.zone_eligibilite = {"35", "35"};
       },
       "zone_eligibilite[1]", "en double"},
      {[](Service& s) { s.code_insee = "352380"; }, "code_insee", "INSEE"},
      {[](Service& s) { s.courriel = "a b@c.fr"; }, "courriel", "courriel"},
      {[](Service& s) { s.lien_mobilisation = "inscription"; }, "lien_mobilisation", "https://"},
      {[](Service& s) { s.horaires_accueil = "We 14:00-"; }, "horaires_accueil",
       "Horaires invalides"},
      {[](Service& s) { s.latitude = 48.1; }, "longitude", "vont ensemble"},
      {[](Service& s) { s.nombre_semaines = 0; }, "nombre_semaines", "au moins 1"},
      {[](Service& s) { s.volume_horaire_hebdomadaire = -1; }, "volume_horaire_hebdomadaire",
       "entre 0 et 168"},
      {[](Service& s) { s.permanences[0].host_structure_id = 0; },
       "permanences[0].host_structure_id", "structure qui accueille"},
      {[](Service& s) { s.permanences[0].horaires = "jeudi matin"; }, "permanences[0].horaires",
       "Horaires invalides"},
  };
  for (const Case& c : cases) {
    Service s = ValidService();
    c.change(s);
    SCOPED_TRACE(c.field);
    ExpectInvalid(ValidateService(s), c.field, c.words);
  }
}

// ---------------------------------------------------------------------------------------
// Freshness.

TEST(Freshness, ScoresCompletenessAndRecency) {
  Service s = ValidService();
  s.courriel.reset();
  s.date_maj = "2026-03-01";
  Freshness f = ScoreService(s, "2026-03-02");
  EXPECT_DOUBLE_EQ(f.score, 1.0);
  EXPECT_EQ(f.age_days, 1);
  EXPECT_TRUE(f.manques.empty());

  s.telephone.reset();
  f = ScoreService(s, "2026-03-02");
  EXPECT_DOUBLE_EQ(f.score, 0.75);
  EXPECT_EQ(f.manques, std::vector<std::string>{"aucun contact (téléphone ou courriel)"});

  // A year old: between full weight (182 days) and a quarter (730 days).
  s.date_maj = "2025-03-02";
  f = ScoreService(s, "2026-03-02");
  EXPECT_EQ(f.age_days, 365);
  const double weight = 1.0 - (365.0 - 182.0) / (730.0 - 182.0) * 0.75;
  EXPECT_NEAR(f.score, 0.75 * weight, 1e-9);
  EXPECT_NE(
      std::find(f.manques.begin(), f.manques.end(), "pas de mise à jour depuis plus de 6 mois"),
      f.manques.end());

  s.date_maj = "2020-01-01";
  EXPECT_NEAR(ScoreService(s, "2026-03-02").score, 0.75 * 0.25, 1e-9);

  Service bare;
  bare.date_maj = "2026-03-01";
  bare.description = "";
  f = ScoreService(bare, "2026-03-02");
  EXPECT_DOUBLE_EQ(f.score, 0.0);
  EXPECT_EQ(f.manques.size(), 7u);
}

TEST(Freshness, ScoresAStructureWithItsServices) {
  Structure s = ValidStructure();
  s.date_maj = "2024-01-01";
  Freshness alone = ScoreStructure(s, {}, "2026-03-02");
  EXPECT_NEAR(alone.score, (0.25 + 0.10 + 0.15 + 0.15) * 0.25, 1e-9);
  EXPECT_NE(std::find(alone.manques.begin(), alone.manques.end(), "aucun service décrit"),
            alone.manques.end());

  // A recently edited service refreshes its structure, and brings thématiques and publics.
  std::vector<Service> services = {ValidService()};
  services[0].date_maj = "2026-03-01";
  Freshness with = ScoreStructure(s, services, "2026-03-02");
  EXPECT_DOUBLE_EQ(with.score, 1.0);
  EXPECT_EQ(with.age_days, 1);
}

// ---------------------------------------------------------------------------------------
// The hours cache.

TEST(HoursCacheTest, ParsesOnceAndStaysBounded) {
  HoursCache cache(3);
  auto a = cache.Get("Mo-Fr 09:00-12:00");
  ASSERT_TRUE(a);
  EXPECT_EQ(cache.Get("Mo-Fr 09:00-12:00"), a);
  EXPECT_EQ(cache.Get(""), nullptr);
  EXPECT_EQ(cache.Get("Lu-Ve 9h"), nullptr);
  EXPECT_EQ(cache.Get("Lu-Ve 9h"), nullptr);
  cache.Get("Sa 09:00-12:00");
  cache.Get("Su 09:00-12:00");
  cache.Get("Tu 09:00-12:00");
  EXPECT_LE(cache.size(), 3u);
  EXPECT_TRUE(cache.Get("Mo-Fr 09:00-12:00"));  // evicted or not, still answered
}

TEST(HoursCacheTest, IsSharedBetweenThreads) {
  HoursCache cache(8);
  std::vector<std::thread> threads;
  std::atomic<int> parsed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string hours = "Mo " + std::to_string(10 + (i + t) % 12) + ":00-23:00";
        if (cache.Get(hours)) ++parsed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(parsed.load(), 2000);
  EXPECT_LE(cache.size(), 8u);
}

// ---------------------------------------------------------------------------------------
// The service under test, with communes of Ille-et-Vilaine and Moselle.

TimePoint At(const char* iso) { return *ParseIso(iso); }

territory::Commune MakeCommune(std::string code, std::string name, std::optional<double> lat,
                               std::optional<double> lon) {
  territory::Commune c;
  c.code = code;
  c.name = std::move(name);
  c.departement = code.substr(0, 2);
  c.region = c.departement == "57" ? "44" : "53";
  c.latitude = lat;
  c.longitude = lon;
  return c;
}

Principal Member(Role role, identity::OrganisationId organisation) {
  Principal p;
  p.user_id = 100 + static_cast<int>(role);
  p.memberships = {Membership{organisation, role, {}}};
  p.second_factor_verified = true;
  return p;
}

Principal Coordination() { return Member(Role::kCoordination, 1); }
Principal Partenaire(identity::OrganisationId organisation) {
  return Member(Role::kPartenaire, organisation);
}

constexpr double kRennesLat = 48.11198, kRennesLon = -1.68186;

class DirectoryTest : public ::testing::Test {
 protected:
  DirectoryTest()
      : clock_(At("2026-03-02T09:00:00Z")),  // Monday 2 March 2026, 10:00 in Paris
        store_(&clock_),
        audit_(audit_store_, clock_),
        service_(store_, territory_, audit_, clock_) {
    const std::vector<territory::Commune> communes = {
        MakeCommune("35238", "Rennes", kRennesLat, kRennesLon),
        MakeCommune("35051", "Cesson-Sévigné", 48.1213, -1.6030),
        MakeCommune("35288", "Saint-Malo", 48.6493, -2.0257),
        MakeCommune("35360", "Vitré", 48.1236, -1.2089),
        MakeCommune("35001", "Acigné", std::nullopt, std::nullopt),
        MakeCommune("57463", "Metz", 49.1193, 6.1757),
    };
    EXPECT_TRUE(territory_.UpsertCommunes(communes));
  }

  Structure Created(Structure s, const Principal& who = Coordination()) {
    auto saved = service_.CreateStructure(std::move(s), who, ctx_);
    EXPECT_TRUE(saved) << saved.error().ToString();
    return saved ? *saved : Structure{};
  }
  Service Created(Service s, const Principal& who = Coordination()) {
    auto saved = service_.CreateService(std::move(s), who, ctx_);
    EXPECT_TRUE(saved) << saved.error().ToString();
    return saved ? *saved : Service{};
  }

  static Structure NewStructure(std::string nom, std::string code, std::optional<double> lat,
                                std::optional<double> lon, std::string hours = "") {
    Structure s;
    s.nom = std::move(nom);
    s.code_insee = std::move(code);
    s.latitude = lat;
    s.longitude = lon;
    if (!hours.empty()) s.horaires_accueil = std::move(hours);
    return s;
  }
  static Service NewService(StructureId structure, std::string nom,
                            std::vector<std::string> thematiques) {
    Service s;
    s.structure_id = structure;
    s.nom = std::move(nom);
    s.description = "Description du service " + s.nom + ".";
    s.thematiques = std::move(thematiques);
    return s;
  }

  std::vector<std::int64_t> Ids(const SearchPage& page) {
    std::vector<std::int64_t> ids;
    for (const Hit& h : page.items) ids.push_back(h.id);
    return ids;
  }

  Result<SearchPage> Find(const SearchQuery& q, View view = View::kPublic) {
    return service_.Search(q, view);
  }

  // Every result (a page of 100).
  std::vector<std::int64_t> FindIds(const SearchQuery& q, View view = View::kPublic) {
    SearchQuery all;
    all = q;
    all.limite = 100;
    auto page = service_.Search(all, view);
    EXPECT_TRUE(page) << page.error().ToString();
    return page ? Ids(*page) : std::vector<std::int64_t>{};
  }

  ManualClock clock_;
  MemoryDirectoryStore store_;
  MemoryTerritoryStore territory_;
  identity::testing::MemoryAuditStore audit_store_;
  audit::AuditLog audit_;
  DirectoryService service_;
  audit::Context ctx_{42, "req-1"};
};

// ---------------------------------------------------------------------------------------
// Index.

TEST_F(DirectoryTest, IndexOfAServiceHasTagsTextAndLocations) {
  Structure host = NewStructure("Mairie de Cesson", "35051", 48.12, -1.60, "Mo 09:00-12:00");
  host.id = 9;
  Structure s = ValidStructure();
  s.id = 3;
  s.organisation_id = 7;
  s.accessibilite.pmr = true;
  for (const RefValue& c : PasipCriteria()) SetCriterion(s.label, c.value, true);
  Service service = ValidService();
  service.structure_id = 3;
  service.permanences = {Permanence{9, "Th 09:00-12:00", ""}};
  service.publics = {"familles", "jeunes"};
  service.modes_accueil = {"en-presentiel", "a-distance"};
  service.thematiques = {"equipement-et-alimentation--alimentation", "famille--garde-denfants"};

  const auto rennes = *territory_.FindCommune("35238");
  const IndexData index = service_.IndexOfService(service, s, std::span(&host, 1), rennes);

  const std::vector<std::string> expected_tags = {
      "categorie:equipement-et-alimentation",
      "categorie:famille",
      "departement:35",
      "frais:payant",
      "hote:9",
      "itinerant:oui",
      "label:pasip",
      "langue:ar",
      "langue:fr",
      "mode_accueil:a-distance",
      "mode_accueil:en-presentiel",
      "organisation:7",
      "pmr:oui",
      "public:familles",
      "public:jeunes",
      "thematique:equipement-et-alimentation--alimentation",
      "thematique:famille--garde-denfants",
      "type:aide-materielle",
  };
  EXPECT_EQ(index.tags, expected_tags);
  for (const char* piece : {"Épicerie solidaire", "Produits à petits prix", "Alimentation",
                            "Équipement et alimentation", "Garde d’enfants", "Famille",
                            "CCAS de Rennes", "Rennes", "Aide materielle", "Familles", "Jeunes"}) {
    EXPECT_NE(index.search_text.find(piece), std::string::npos) << piece;
  }
  EXPECT_EQ(index.sort_name, "epicerie solidaire");
  ASSERT_EQ(index.closures.size(), 1u);
  EXPECT_TRUE(index.publie);

  // Own place (the structure's coordinates, the service's hours), the structure's stop
  // (located at its commune's centre), the permanence at its host.
  ASSERT_EQ(index.locations.size(), 3u);
  EXPECT_EQ(index.locations[0], (Location{48.11, -1.68, "35238", "We 14:00-17:00", "", false}));
  EXPECT_EQ(index.locations[1],
            (Location{48.1213, -1.6030, "35051", "Tu 09:00-12:00", "Place de la mairie", true}));
  EXPECT_EQ(index.locations[2],
            (Location{48.12, -1.60, "35051", "Th 09:00-12:00", "Mairie de Cesson", false}));

  // Without hours of its own the service has the structure's; without coordinates, its
  // commune's centre when the service names another commune.
  service.horaires_accueil.reset();
  service.code_insee = "35360";
  const auto vitre = *territory_.FindCommune("35360");
  const IndexData elsewhere = service_.IndexOfService(service, s, {}, vitre);
  EXPECT_EQ(elsewhere.locations[0],
            (Location{48.1236, -1.2089, "35360", *s.horaires_accueil, "", false}));
  EXPECT_NE(elsewhere.search_text.find("Vitré"), std::string::npos);

  // Unlocated commune: no own location.
  service.code_insee = "35001";
  s.latitude.reset();
  s.longitude.reset();
  s.arrets.clear();
  const IndexData unlocated =
      service_.IndexOfService(service, s, {}, *territory_.FindCommune("35001"));
  EXPECT_TRUE(unlocated.locations.empty());

  // An unpublished structure hides its services.
  s.publie = false;
  EXPECT_FALSE(service_.IndexOfService(service, s, {}, std::nullopt).publie);
}

TEST_F(DirectoryTest, IndexOfAStructureUnitesItsServicesTags) {
  Structure s = Created(
      NewStructure("Centre social", "35051", std::nullopt, std::nullopt, "Mo-Fr 09:00-17:00"));
  Service a = NewService(s.id, "Aide alimentaire", {"equipement-et-alimentation--alimentation"});
  a.publics = {"familles"};
  Service hidden = NewService(s.id, "Service caché", {"sante--addictions"});
  hidden.publie = false;
  const std::vector<Service> services = {a, hidden};
  const IndexData index = service_.IndexOfStructure(s, services, *territory_.FindCommune("35051"));
  EXPECT_EQ(index.tags,
            (std::vector<std::string>{"categorie:equipement-et-alimentation", "departement:35",
                                      "public:familles",
                                      "thematique:equipement-et-alimentation--alimentation"}));
  EXPECT_NE(index.search_text.find("Aide alimentaire"), std::string::npos);
  EXPECT_NE(index.search_text.find("Cesson-Sévigné"), std::string::npos);
  EXPECT_EQ(index.search_text.find("caché"), std::string::npos);
  // Located at its commune's centre.
  ASSERT_EQ(index.locations.size(), 1u);
  EXPECT_EQ(index.locations[0].latitude, 48.1213);
  EXPECT_EQ(index.locations[0].horaires, "Mo-Fr 09:00-17:00");
  EXPECT_EQ(index.sort_name, "centre social");
}

// ---------------------------------------------------------------------------------------
// Search over a small directory around Rennes.

class SearchTest : public DirectoryTest {
 protected:
  void SetUp() override {
    Structure a = NewStructure("CCAS de Rennes", "35238", kRennesLat, kRennesLon,
                               "Mo-Fr 09:00-12:00,14:00-17:00; PH off");
    a.organisation_id = 7;
    a.accessibilite.langues = {"fr", "ar"};
    a.accessibilite.pmr = true;
    for (const RefValue& c : PasipCriteria()) SetCriterion(a.label, c.value, true);
    a.referents = {Referent{"Claire Martin", "Référente RSA", "02 99 00 00 01", ""}};
    a.telephone = "02 99 00 00 00";
    ccas = Created(a);

    Service a1 =
        NewService(ccas.id, "Épicerie solidaire", {"equipement-et-alimentation--alimentation"});
    a1.description = "Colis alimentaires et produits à petits prix pour les familles.";
    a1.publics = {"familles"};
    a1.type = "aide-materielle";
    a1.frais = "payant";
    a1.modes_accueil = {"en-presentiel"};
    a1.telephone = "02 99 00 00 02";
    a1.contact_nom_prenom = "Jean Dupont";
    a1.contacts_publics = false;
    epicerie = Created(a1);

    Service a2 = NewService(
        ccas.id, "Accès aux droits",
        {"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"});
    a2.publics = {"tous-publics"};
    a2.type = "accompagnement";
    a2.frais = "gratuit";
    a2.modes_accueil = {"en-presentiel", "a-distance"};
    a2.telephone = "02 99 00 00 03";
    droits = Created(a2);

    Structure b =
        NewStructure("Centre social de Cesson", "35051", 48.1213, -1.6030, "Mo-Sa 08:30-18:30");
    b.organisation_id = 8;
    b.accessibilite.langues = {"fr", "en"};
    centre_social = Created(b);
    Service b1 =
        NewService(centre_social.id, "Hébergements d'urgence",
                   {"logement-hebergement--rechercher-une-solution-dhebergement-temporaire"});
    b1.publics = {"personnes-en-situation-durgence"};
    b1.type = "accompagnement";
    b1.frais = "gratuit";
    hebergement = Created(b1);

    Structure c = NewStructure("Maison France services de Vitré", "35360", 48.1236, -1.2089,
                               "Mo-Fr 09:00-12:00");
    vitre = Created(c);
    demarches = Created(
        NewService(vitre.id, "Aide aux démarches",
                   {"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-"
                    "administratives"}));

    Structure d = NewStructure("Bus France services", "35288", 48.6493, -2.0257);
    d.arrets = {
        ItinerantStop{"Place de l'église de Cesson", "35051", 48.1200, -1.6000, "Tu 09:00-12:00"}};
    bus = Created(d);
    en_ligne = Created(
        NewService(bus.id, "Démarches en ligne", {"numerique--acceder-a-des-services-en-ligne"}));

    caf = Created(NewStructure("Caf d'Ille-et-Vilaine", "35288", 48.6493, -2.0257));
    Service e1 = NewService(
        caf.id, "Permanence Caf",
        {"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"});
    e1.permanences = {Permanence{ccas.id, "We 14:00-17:00", "Sur rendez-vous"}};
    permanence = Created(e1);

    metz = Created(NewStructure("Accueil de jour de Metz", "57463", 49.1193, 6.1757,
                                "Mo-Fr 09:00-17:00; PH off"));
    accueil_metz = Created(NewService(metz.id, "Accueil de jour", {"remobilisation--lien-social"}));

    Structure g =
        NewStructure("Point d'accueil en travaux", "35238", 48.115, -1.68, "Mo-Fr 09:00-17:00");
    g.avis = {Notice{"2026-03-01", "2026-03-10", "Fermé pour travaux", true},
              Notice{"2026-03-01", "2026-03-31", "Nouveau numéro de téléphone", false}};
    travaux = Created(g);
    lien_social = Created(NewService(travaux.id, "Lien social", {"remobilisation--lien-social"}));

    Structure h = NewStructure("Structure en préparation", "35238", kRennesLat, kRennesLon);
    h.publie = false;
    brouillon = Created(h);
    cache = Created(NewService(brouillon.id, "Service en préparation",
                               {"equipement-et-alimentation--alimentation"}));
  }

  SearchQuery AroundRennes() {
    SearchQuery q;
    q.commune.emplace("35238");
    return q;
  }

  Structure ccas, centre_social, vitre, bus, caf, metz, travaux, brouillon;
  Service epicerie, droits, hebergement, demarches, en_ligne, permanence, accueil_metz, lien_social,
      cache;
};

TEST_F(SearchTest, SortsByDistanceWithinTheRadius) {
  auto page = Find(AroundRennes());
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(Ids(*page), (std::vector<std::int64_t>{epicerie.id, droits.id, permanence.id,
                                                   lien_social.id, hebergement.id, en_ligne.id}));
  EXPECT_EQ(page->total, 6);
  ASSERT_TRUE(page->commune);
  EXPECT_EQ(page->commune->name, "Rennes");
  // Distances are shown, increasing; the permanence is met at its host, 0 km away.
  EXPECT_DOUBLE_EQ(*page->items[0].distance_km, 0.0);
  EXPECT_DOUBLE_EQ(*page->items[2].distance_km, 0.0);
  EXPECT_EQ(page->items[2].lieu->lieu, "CCAS de Rennes");
  EXPECT_EQ(page->items[2].lieu->horaires, "We 14:00-17:00");
  EXPECT_EQ(page->items[2].structure->nom, "Caf d'Ille-et-Vilaine");
  EXPECT_NEAR(*page->items[3].distance_km, 0.35, 0.05);
  EXPECT_NEAR(*page->items[4].distance_km, 6.0, 0.3);
  for (std::size_t i = 1; i < page->items.size(); ++i) {
    EXPECT_LE(*page->items[i - 1].distance_km, *page->items[i].distance_km);
  }
  // The bus is found at its stop in Cesson, 66 km from its base.
  EXPECT_TRUE(page->items[5].lieu->itinerant);
  EXPECT_EQ(page->items[5].lieu->lieu, "Place de l'église de Cesson");
  EXPECT_NEAR(*page->items[5].distance_km, 6.2, 0.3);
}

TEST_F(SearchTest, RadiusAndItinerantStops) {
  SearchQuery q = AroundRennes();
  q.rayon_km = 40;
  auto wide = FindIds(q);
  EXPECT_NE(std::find(wide.begin(), wide.end(), demarches.id), wide.end());  // Vitré, ~35 km
  q.rayon_km = 3;
  EXPECT_EQ(FindIds(q),
            (std::vector<std::int64_t>{epicerie.id, droits.id, permanence.id, lien_social.id}));
  q = AroundRennes();
  q.itinerants = false;
  const auto without = FindIds(q);
  EXPECT_EQ(std::find(without.begin(), without.end(), en_ligne.id), without.end());
  EXPECT_EQ(without.size(), 5u);
  // Coordinates work as the commune does.
  q = SearchQuery{};
  q.latitude = 48.1213;
  q.longitude = -1.6030;
  q.rayon_km = 1;
  EXPECT_EQ(FindIds(q), (std::vector<std::int64_t>{hebergement.id, en_ligne.id}));
}

TEST_F(SearchTest, FindsFrenchTextWithAccentsAndPlurals) {
  auto text = [&](const char* words) {
    SearchQuery q;
    q.q = words;
    return FindIds(q);
  };
  EXPECT_EQ(text("épiceries"), (std::vector<std::int64_t>{epicerie.id}));
  EXPECT_EQ(text("EPICERIE SOLIDAIRE"), (std::vector<std::int64_t>{epicerie.id}));
  EXPECT_EQ(text("colis alimentaire"), (std::vector<std::int64_t>{epicerie.id}));
  EXPECT_EQ(text("hébergement"), (std::vector<std::int64_t>{hebergement.id}));
  EXPECT_EQ(text("ccas"), (std::vector<std::int64_t>{droits.id, epicerie.id}));  // by name
  EXPECT_EQ(text("sévigné"), (std::vector<std::int64_t>{hebergement.id}));       // commune name
  // Thématique labels are searchable: "Accompagnement pour l’accès aux droits".
  EXPECT_EQ(text("accompagnement droits"), (std::vector<std::int64_t>{droits.id, permanence.id}));
  EXPECT_TRUE(text("piscine").empty());
  EXPECT_EQ(text("le la les").size(), 8u);  // only stop words: no text condition
}

TEST_F(SearchTest, FiltersByEachReferentiel) {
  auto around = [&](auto change) {
    SearchQuery q = AroundRennes();
    change(q);
    return FindIds(q);
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(around([](SearchQuery& q) {
              q.thematiques = {
                  "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-"
                  "droits"};
            }),
            (V{droits.id, permanence.id}));
  // A catégorie matches all its thématiques; thématiques and catégories add up.
  EXPECT_EQ(around([](SearchQuery& q) {
              q.categories = {"difficultes-administratives-ou-juridiques"};
              q.rayon_km = 40;
            }),
            (V{droits.id, permanence.id, demarches.id}));
  EXPECT_EQ(
      around([](SearchQuery& q) {
        q.thematiques = {"logement-hebergement--rechercher-une-solution-dhebergement-temporaire"};
        q.categories = {"numerique"};
      }),
      (V{hebergement.id, en_ligne.id}));
  EXPECT_EQ(around([](SearchQuery& q) { q.publics = {"familles"}; }), (V{epicerie.id}));
  EXPECT_EQ(around([](SearchQuery& q) { q.types = {"accompagnement"}; }),
            (V{droits.id, hebergement.id}));
  EXPECT_EQ(around([](SearchQuery& q) { q.frais = {"gratuit"}; }), (V{droits.id, hebergement.id}));
  EXPECT_EQ(around([](SearchQuery& q) { q.modes_accueil = {"a-distance"}; }), (V{droits.id}));
  EXPECT_EQ(around([](SearchQuery& q) { q.langues = {"ar"}; }), (V{epicerie.id, droits.id}));
  EXPECT_EQ(around([](SearchQuery& q) {
              q.langues = {"ar", "en"};
            }),
            (V{epicerie.id, droits.id, hebergement.id}));
  EXPECT_EQ(around([](SearchQuery& q) { q.label_pasip = true; }), (V{epicerie.id, droits.id}));
  EXPECT_EQ(around([](SearchQuery& q) { q.pmr = true; }), (V{epicerie.id, droits.id}));
  EXPECT_EQ(around([](SearchQuery& q) { q.organisation_id = 8; }), (V{hebergement.id}));
  EXPECT_EQ(around([](SearchQuery& q) {
              q.publics = {"familles"};
              q.frais = {"gratuit"};
            }),
            V{});
}

TEST_F(SearchTest, SearchesStructures) {
  SearchQuery q = AroundRennes();
  q.entity = Entity::kStructure;
  auto page = Find(q);
  ASSERT_TRUE(page);
  // The Caf is met at its permanence in the CCAS; the bus at its stop.
  EXPECT_EQ(Ids(*page),
            (std::vector<std::int64_t>{ccas.id, caf.id, travaux.id, centre_social.id, bus.id}));
  for (const Hit& h : page->items) {
    EXPECT_FALSE(h.service);
    EXPECT_EQ(h.structure->id, h.id);
  }
  // A structure carries its services' thématiques.
  q.thematiques = {"equipement-et-alimentation--alimentation"};
  EXPECT_EQ(FindIds(q), (std::vector<std::int64_t>{ccas.id}));
  q.thematiques.clear();
  q.q = "épicerie";
  EXPECT_EQ(FindIds(q), (std::vector<std::int64_t>{ccas.id}));
}

TEST_F(SearchTest, OpenAtAnInstantWithHolidaysAndClosures) {
  // Monday 2 March 2026, 10:00 in Paris.
  SearchQuery q = AroundRennes();
  q.ouvert_a = At("2026-03-02T09:00:00Z");
  // The permanence (Wednesday) and the bus stop (Tuesday) are closed; the point under
  // works is closed by its notice.
  EXPECT_EQ(FindIds(q), (std::vector<std::int64_t>{epicerie.id, droits.id, hebergement.id}));
  // Wednesday 4 March at 15:00: the permanence is open at the CCAS.
  q.ouvert_a = At("2026-03-04T14:00:00Z");
  EXPECT_EQ(FindIds(q),
            (std::vector<std::int64_t>{epicerie.id, droits.id, permanence.id, hebergement.id}));
  q.ouvert_a = At("2026-03-02T13:00:00Z");  // 14:00, the lunch break is over
  EXPECT_EQ(FindIds(q).size(), 3u);
  q.ouvert_a = At("2026-03-02T12:00:00Z");  // 13:00, lunch break: only Cesson
  EXPECT_EQ(FindIds(q), (std::vector<std::int64_t>{hebergement.id}));

  // Good Friday (3 April 2026) is a public holiday in Moselle only.
  SearchQuery lien;
  lien.thematiques = {"remobilisation--lien-social"};
  lien.ouvert_a = At("2026-04-03T08:00:00Z");
  EXPECT_EQ(FindIds(lien), (std::vector<std::int64_t>{lien_social.id}));
  lien.ouvert_a = At("2026-04-02T08:00:00Z");
  EXPECT_EQ(FindIds(lien), (std::vector<std::int64_t>{accueil_metz.id, lien_social.id}));
  // During the works, only Metz.
  lien.ouvert_a = At("2026-03-10T08:00:00Z");
  EXPECT_EQ(FindIds(lien), (std::vector<std::int64_t>{accueil_metz.id}));
  // The day after, a notice that is not a closure does not close the place.
  lien.ouvert_a = At("2026-03-11T08:00:00Z");
  EXPECT_EQ(FindIds(lien), (std::vector<std::int64_t>{accueil_metz.id, lien_social.id}));
}

TEST_F(SearchTest, AnswersTheOpenStateAtTheNearestPlace) {
  auto page = Find(AroundRennes());
  ASSERT_TRUE(page);
  // Now: Monday 10:00 in Paris.
  const OpenState& open = page->items[0].ouverture;
  EXPECT_EQ(open.etat, "ouvert");
  EXPECT_EQ(open.prochain, "2026-03-02T11:00:00Z");  // closes at 12:00
  EXPECT_EQ(open.aujourdhui, "9 h – 12 h, 14 h – 17 h");
  const OpenState& wednesday_only = page->items[2].ouverture;  // the permanence
  EXPECT_EQ(wednesday_only.etat, "ferme");
  EXPECT_EQ(wednesday_only.prochain, "2026-03-04T13:00:00Z");
  EXPECT_EQ(wednesday_only.aujourdhui, "fermé");
  const OpenState& works = page->items[3].ouverture;
  EXPECT_EQ(works.etat, "ferme");
  EXPECT_EQ(works.aujourdhui, "fermé exceptionnellement");
  EXPECT_EQ(works.prochain, "2026-03-11T08:00:00Z");  // Wednesday after the works, 9:00

  // Unknown hours; and the state at the instant asked rather than now.
  SearchQuery q;
  q.q = "Caf";
  q.entity = Entity::kStructure;
  page = Find(q);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].ouverture.etat, "inconnu");
  EXPECT_EQ(page->items[0].ouverture.prochain, "");

  // An open place closing for a notice starting before its next change.
  Structure always = NewStructure("Accueil de nuit", "35238", kRennesLat, kRennesLon, "24/7");
  always.avis = {Notice{"2026-03-05", "2026-03-06", "Désinfection", true}};
  always = Created(always);
  q = SearchQuery{};
  q.q = "accueil nuit";
  q.entity = Entity::kStructure;
  page = Find(q);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].ouverture.etat, "ouvert");
  EXPECT_EQ(page->items[0].ouverture.prochain, "2026-03-04T23:00:00Z");
}

TEST_F(SearchTest, CountsFacetsOverEveryResult) {
  SearchQuery q = AroundRennes();
  q.facettes = true;
  q.limite = 2;
  auto page = Find(q);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->total, 6);
  auto count = [&](std::string_view kind, std::string_view value) -> std::int64_t {
    for (const FacetCount& f : page->facettes) {
      if (f.kind == kind && f.value == value) return f.count;
    }
    return 0;
  };
  EXPECT_EQ(count("categorie", "difficultes-administratives-ou-juridiques"), 2);
  EXPECT_EQ(count("categorie", "equipement-et-alimentation"), 1);
  EXPECT_EQ(count("categorie", "remobilisation"), 1);
  EXPECT_EQ(count("frais", "gratuit"), 2);
  EXPECT_EQ(count("langue", "fr"), 3);
  EXPECT_EQ(count("langue", "ar"), 2);
  EXPECT_EQ(count("organisation", "7"), 0);  // not a facet
  // Kinds in order, counts decreasing within a kind.
  ASSERT_FALSE(page->facettes.empty());
  EXPECT_EQ(page->facettes.front().kind, "thematique");
  EXPECT_EQ(page->facettes.front().count, 2);
  EXPECT_TRUE(Find(AroundRennes())->facettes.empty());
}

TEST_F(SearchTest, PublicViewHidesWhatIsNotPublic) {
  auto page = Find(AroundRennes(), View::kPublic);
  ASSERT_TRUE(page);
  const Hit& hit = page->items[0];
  ASSERT_EQ(hit.id, epicerie.id);
  EXPECT_TRUE(hit.structure->referents.empty());
  EXPECT_FALSE(hit.service->telephone);
  EXPECT_FALSE(hit.service->contact_nom_prenom);
  EXPECT_EQ(page->items[1].service->telephone, "02 99 00 00 03");  // contacts_publics

  auto pro = Find(AroundRennes(), View::kProfessional);
  ASSERT_TRUE(pro);
  EXPECT_EQ(pro->items[0].structure->referents.size(), 1u);
  EXPECT_EQ(pro->items[0].service->telephone, "02 99 00 00 02");
  EXPECT_EQ(pro->items[0].service->contact_nom_prenom, "Jean Dupont");
  // Unpublished records: professionals only.
  EXPECT_EQ(pro->total, 7);
  EXPECT_EQ(pro->items[3].id, cache.id);  // at 0 km, after the permanence

  // Reads by id.
  EXPECT_EQ(service_.GetService(cache.id, View::kPublic).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service_.GetService(cache.id, View::kProfessional));
  EXPECT_EQ(service_.GetStructure(brouillon.id, View::kPublic).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(service_.GetService(epicerie.id, View::kPublic)->telephone);
  auto detail = service_.GetStructure(ccas.id, View::kPublic);
  ASSERT_TRUE(detail);
  EXPECT_TRUE(detail->structure.referents.empty());
  EXPECT_EQ(detail->services.size(), 2u);
  EXPECT_FALSE(detail->services[0].telephone);
  EXPECT_EQ(service_.GetStructure(ccas.id, View::kProfessional)->structure.referents.size(), 1u);
  EXPECT_EQ(service_.GetStructure(999, View::kProfessional).error().code, ErrorCode::kNotFound);

  // The Caf's page lists the CCAS, which hosts its permanence.
  auto caf_detail = service_.GetStructure(caf.id, View::kPublic);
  ASSERT_TRUE(caf_detail);
  ASSERT_EQ(caf_detail->hosts.size(), 1u);
  EXPECT_EQ(caf_detail->hosts[0].id, ccas.id);
  EXPECT_TRUE(caf_detail->hosts[0].referents.empty());
}

TEST_F(SearchTest, AStructurePageListsThePartnersPermanencesHeldThere) {
  // A second partner: one published permanence at the CCAS (contacts hidden), one draft,
  // and one at another place.
  Structure m = NewStructure("Mission locale de Rennes", "35238", kRennesLat, kRennesLon);
  m.referents = {Referent{"Paul Durand", "Conseiller", "02 99 00 00 09", ""}};
  const Structure mission = Created(m);
  Service jeunes =
      NewService(mission.id, "Accompagnement des jeunes", {"remobilisation--lien-social"});
  jeunes.telephone = "02 99 00 00 08";
  jeunes.contacts_publics = false;
  jeunes.permanences = {Permanence{ccas.id, "Tu 09:00-12:00", "Sans rendez-vous"},
                        Permanence{vitre.id, "Th 14:00-17:00", ""}};
  jeunes = Created(jeunes);
  Service draft =
      NewService(mission.id, "Permanence en préparation", {"remobilisation--lien-social"});
  draft.permanences = {Permanence{ccas.id, "Fr 09:00-12:00", ""}};
  draft.publie = false;
  draft = Created(draft);

  auto detail = service_.GetStructure(ccas.id, View::kPublic);
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->accueillies.size(), 2u);
  // By partner name: the Caf, then the Mission locale.
  const HostedPermanence& held_by_caf = detail->accueillies[0];
  EXPECT_EQ(held_by_caf.partner.id, caf.id);
  EXPECT_EQ(held_by_caf.service.id, permanence.id);
  EXPECT_EQ(held_by_caf.permanence.horaires, "We 14:00-17:00");
  EXPECT_EQ(held_by_caf.permanence.precisions, "Sur rendez-vous");
  const HostedPermanence& held_by_mission = detail->accueillies[1];
  EXPECT_EQ(held_by_mission.partner.id, mission.id);
  EXPECT_EQ(held_by_mission.service.id, jeunes.id);
  // Only the permanence held here, not the one at Vitré.
  EXPECT_EQ(held_by_mission.permanence.horaires, "Tu 09:00-12:00");
  // Redacted like any service and structure of the public view.
  EXPECT_FALSE(held_by_mission.service.telephone);
  EXPECT_TRUE(held_by_mission.partner.referents.empty());

  // Professionals also see the draft, and the contacts.
  auto pro = service_.GetStructure(ccas.id, View::kProfessional);
  ASSERT_TRUE(pro);
  ASSERT_EQ(pro->accueillies.size(), 3u);
  EXPECT_EQ(pro->accueillies[1].service.id, jeunes.id);
  EXPECT_EQ(pro->accueillies[1].service.telephone, "02 99 00 00 08");
  EXPECT_EQ(pro->accueillies[1].partner.referents.size(), 1u);
  EXPECT_EQ(pro->accueillies[2].service.id, draft.id);

  // Vitré hosts the other one; the Caf and the Mission hold none of others'.
  auto at_vitre = service_.GetStructure(vitre.id, View::kPublic);
  ASSERT_TRUE(at_vitre);
  ASSERT_EQ(at_vitre->accueillies.size(), 1u);
  EXPECT_EQ(at_vitre->accueillies[0].permanence.horaires, "Th 14:00-17:00");
  EXPECT_TRUE(service_.GetStructure(caf.id, View::kPublic)->accueillies.empty());

  // A partner structure unpublished hides its permanences from the public.
  Structure hidden = mission;
  hidden.publie = false;
  ASSERT_TRUE(service_.UpdateStructure(hidden, Coordination(), ctx_));
  ASSERT_EQ(service_.GetStructure(ccas.id, View::kPublic)->accueillies.size(), 1u);
  // A permanence moved elsewhere leaves the CCAS's page.
  Service moved = *service_.GetService(permanence.id, View::kProfessional);
  moved.permanences = {Permanence{vitre.id, "We 14:00-17:00", ""}};
  ASSERT_TRUE(service_.UpdateService(moved, Coordination(), ctx_));
  EXPECT_TRUE(service_.GetStructure(ccas.id, View::kPublic)->accueillies.empty());
  auto moved_to = service_.GetStructure(vitre.id, View::kPublic);
  ASSERT_EQ(moved_to->accueillies.size(), 1u);  // the Mission's is hidden now
  EXPECT_EQ(moved_to->accueillies[0].service.id, permanence.id);
}

TEST_F(SearchTest, ValidatesParametersNamingThem) {
  auto error_field = [&](auto change) -> std::string {
    SearchQuery q;
    change(q);
    auto page = Find(q);
    if (page) return "(aucune erreur)";
    EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(page.error().message.empty());
    return page.error().field;
  };
  EXPECT_EQ(error_field([](SearchQuery& q) { q.limite = 0; }), "limite");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.limite = 101; }), "limite");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.rayon_km = 0; }), "rayon_km");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.rayon_km = 200.5; }), "rayon_km");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.rayon_km = std::nan(""); }), "rayon_km");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.latitude = 48.0; }), "lon");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.longitude = 1.0; }), "lat");
  EXPECT_EQ(error_field([](SearchQuery& q) {
              q.latitude = 91;
              q.longitude = 1;
            }),
            "lat");
  EXPECT_EQ(error_field([](SearchQuery& q) {
              q.latitude = 48;
              q.longitude = 181;
            }),
            "lon");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.commune = "99999"; }), "commune");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.commune = "rennes"; }), "commune");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.commune = "35001"; }), "commune");  // unlocated
  EXPECT_EQ(error_field([](SearchQuery& q) { q.thematiques = {"logement"}; }), "thematiques");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.categories = {"emploi"}; }), "categories");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.publics = {"enfants"}; }), "publics");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.types = {"accueil"}; }), "types");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.frais = {"libre"}; }), "frais");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.modes_accueil = {"sur-place"}; }), "modes_accueil");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.langues = {"lsf"}; }), "langues");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.q = std::string(201, 'a'); }), "q");
  EXPECT_EQ(error_field([](SearchQuery& q) { q.apres = "%%%"; }), "apres");
  auto unknown = Find([] {
    SearchQuery q;
    q.commune = "99999";
    return q;
  }());
  EXPECT_NE(unknown.error().message.find("99999"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Pages.

class PagingTest : public DirectoryTest {
 protected:
  void SetUp() override {
    // 23 services at 9 distinct distances (ties broken by id), names with accents and ties.
    const char* names[] = {"Élan", "elan", "Abri", "Zèbre", "Ñandú", "Îlot", "Oasis", "Étape"};
    Structure owner = Created(NewStructure("Réseau", "35238", kRennesLat, kRennesLon));
    for (int i = 0; i < 23; ++i) {
      Service s = NewService(owner.id, std::string(names[i % 8]) + " " + std::to_string(i % 3),
                             {"remobilisation--lien-social"});
      s.latitude = kRennesLat + 0.01 * (i % 9);
      s.longitude = kRennesLon;
      ids.push_back(Created(s).id);
    }
  }

  // Walks every page; fails on a duplicate.
  std::vector<std::int64_t> Walk(SearchQuery q, int limite) {
    q.limite = limite;
    std::vector<std::int64_t> seen;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = Find(q);
      EXPECT_TRUE(page) << page.error().ToString();
      if (!page) break;
      EXPECT_EQ(page->total, 23);
      EXPECT_LE(page->items.size(), static_cast<std::size_t>(limite));
      for (const Hit& h : page->items) seen.push_back(h.id);
      if (!page->suivant) break;
      EXPECT_EQ(page->items.size(), static_cast<std::size_t>(limite));
      q.apres = *page->suivant;
    }
    return seen;
  }

  std::vector<std::int64_t> ids;
};

TEST_F(PagingTest, WalksEveryPageWithoutDuplicatesOrGaps) {
  for (const bool located : {true, false}) {
    SearchQuery q;
    if (located) q.commune.emplace("35238");
    const std::vector<std::int64_t> all = FindIds(q);
    ASSERT_EQ(all.size(), 23u);
    EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), 23u);
    for (int limite : {1, 4, 7, 22, 23, 50}) {
      SCOPED_TRACE(::testing::Message() << "located=" << located << " limite=" << limite);
      EXPECT_EQ(Walk(q, limite), all);
    }
  }
  // Located: by distance then id.
  SearchQuery q;
  q.commune.emplace("35238");
  q.limite = 100;
  auto page = Find(q);
  ASSERT_TRUE(page);
  for (std::size_t i = 1; i < page->items.size(); ++i) {
    const Hit& a = page->items[i - 1];
    const Hit& b = page->items[i];
    EXPECT_TRUE(*a.distance_km < *b.distance_km ||
                (*a.distance_km == *b.distance_km && a.id < b.id));
  }
  // Unlocated: by folded name then id ("Abri", "elan"/"Élan", "Étape", "Îlot", "Ñandú"…).
  q = SearchQuery{};
  q.limite = 100;
  page = Find(q);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.front().service->nom.substr(0, 4), "Abri");
  EXPECT_EQ(page->items.back().service->nom.substr(0, 6), "Zèbre");
  EXPECT_FALSE(page->items[0].distance_km);
}

TEST_F(PagingTest, RefusesMalformedCursors) {
  SearchQuery q;
  q.commune.emplace("35238");
  q.limite = 5;
  auto first = Find(q);
  ASSERT_TRUE(first && first->suivant);
  auto refused = [&](SearchQuery query, std::string cursor) {
    query.apres = std::move(cursor);
    auto page = Find(query);
    if (page) return false;
    return page.error().code == ErrorCode::kInvalidArgument && page.error().field == "apres";
  };
  // "d|1.5|3", "n|abri|3" and broken variants, in URL-safe base64.
  EXPECT_FALSE(refused(q, "ZHwxLjV8Mw"));
  EXPECT_TRUE(refused(q, "!!"));
  EXPECT_TRUE(refused(q, "ZHwxLjV8Mw=="));  // padding is not ours
  EXPECT_TRUE(refused(q, "ZHx4fDM"));       // d|x|3
  EXPECT_TRUE(refused(q, "ZHwxLjV8"));      // d|1.5|
  EXPECT_TRUE(refused(q, "ZHwtMXwz"));      // d|-1|3
  EXPECT_TRUE(refused(q, "eHwxfDM"));       // x|1|3
  EXPECT_TRUE(refused(q, "ZA"));            // d
  EXPECT_TRUE(refused(q, "ZHwxLjV8MHg"));   // d|1.5|0x
  EXPECT_TRUE(refused(q, std::string(2000, 'A')));
  EXPECT_TRUE(refused(q, "bnxhYnJpfDM"));  // a name cursor for a distance order
  // Any text is either a cursor or refused, never a crash.
  std::mt19937 random(3);
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_|=% \xc3\xa9";
  for (int i = 0; i < 2000; ++i) {
    std::string cursor(1 + random() % 24, 'A');
    for (char& c : cursor) c = alphabet[random() % alphabet.size()];
    SearchQuery attempt = q;
    attempt.apres = cursor;
    auto page = Find(attempt);
    if (!page) {
      EXPECT_EQ(page.error().field, "apres") << cursor;
    }
  }
  SearchQuery by_name;
  EXPECT_FALSE(refused(by_name, "bnxhYnJpfDM"));
  EXPECT_TRUE(refused(by_name, *first->suivant));  // a distance cursor for a name order
}

// ---------------------------------------------------------------------------------------
// Writes under the policy.

TEST_F(DirectoryTest, CoordinationCreatesAndEditsAnyStructure) {
  Structure s = NewStructure("Épicerie sociale", "35238", kRennesLat, kRennesLon);
  s.source = "ignoré";
  s.date_maj = "2000-01-01";
  auto created = service_.CreateStructure(s, Coordination(), ctx_);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->source, "pasip");
  EXPECT_EQ(created->source_id.size(), 16u);
  EXPECT_EQ(created->date_maj, "2026-03-02");
  EXPECT_EQ(created->updated_at, clock_.Now());
  // date_maj is the Paris date: 23:30 UTC on 2 March is already 3 March in Paris.
  clock_.Set(At("2026-03-02T23:30:00Z"));
  auto other = service_.CreateStructure(s, Coordination(), ctx_);
  ASSERT_TRUE(other);
  EXPECT_NE(other->source_id, created->source_id);
  EXPECT_EQ(other->date_maj, "2026-03-03");
  clock_.Set(At("2026-03-02T09:00:00Z"));

  ASSERT_EQ(audit_store_.entries.size(), 2u);
  const audit::Entry& entry = audit_store_.entries[0];
  EXPECT_EQ(entry.action, "directory.structure.create");
  EXPECT_EQ(entry.resource_type, "structure");
  EXPECT_EQ(entry.resource_id, std::to_string(created->id));
  EXPECT_EQ(entry.user_id, 42);
  EXPECT_EQ(entry.outcome, audit::Outcome::kSuccess);

  clock_.Advance(std::chrono::hours(24));
  Structure changed = *created;
  changed.nom = "Épicerie sociale du centre";
  changed.source_id = "autre";
  auto updated = service_.UpdateStructure(changed, Coordination(), ctx_);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(updated->source_id, created->source_id);  // kept
  EXPECT_EQ(updated->date_maj, "2026-03-03");
  EXPECT_EQ(audit_store_.entries.back().action, "directory.structure.update");
  EXPECT_EQ(store_.StructureIndex(created->id).sort_name, "epicerie sociale du centre");

  // Validation and unknown ids.
  Structure bad = *created;
  bad.nom = "X";
  auto refused = service_.UpdateStructure(bad, Coordination(), ctx_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "nom");
  bad = *created;
  bad.id = 999;
  EXPECT_EQ(service_.UpdateStructure(bad, Coordination(), ctx_).error().code, ErrorCode::kNotFound);
  // One structure per site.
  Structure with_site = NewStructure("Site A", "35238", std::nullopt, std::nullopt);
  with_site.site_id = 5;
  ASSERT_TRUE(service_.CreateStructure(with_site, Coordination(), ctx_));
  with_site.nom = "Site B";
  auto twice = service_.CreateStructure(with_site, Coordination(), ctx_);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(twice.error().field, "site_id");
}

TEST_F(DirectoryTest, PartenairesEditTheirOrganisationsStructuresOnly) {
  Structure own = NewStructure("Mission locale", "35238", kRennesLat, kRennesLon);
  own.organisation_id = 7;
  auto created = service_.CreateStructure(own, Partenaire(7), ctx_);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_TRUE(service_.CanEdit(Partenaire(7), *created));
  EXPECT_FALSE(service_.CanEdit(Partenaire(8), *created));

  // Another organisation's structure, or one without organisation: refused, and audited.
  Structure foreign = own;
  foreign.organisation_id = 8;
  auto refused = service_.CreateStructure(foreign, Partenaire(7), ctx_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit_store_.entries.back().outcome, audit::Outcome::kDenied);
  EXPECT_EQ(audit_store_.entries.back().action, "directory.structure.create");
  Structure network = own;
  network.organisation_id.reset();
  EXPECT_EQ(service_.CreateStructure(network, Partenaire(7), ctx_).error().code,
            ErrorCode::kPermissionDenied);
  Structure coordination_owned = Created(network);
  EXPECT_FALSE(service_.CanEdit(Partenaire(7), coordination_owned));
  coordination_owned.nom = "Changé";
  EXPECT_EQ(service_.UpdateStructure(coordination_owned, Partenaire(7), ctx_).error().code,
            ErrorCode::kPermissionDenied);

  // Moving their structure to another organisation is refused too.
  Structure moved = *created;
  moved.organisation_id = 8;
  EXPECT_EQ(service_.UpdateStructure(moved, Partenaire(7), ctx_).error().code,
            ErrorCode::kPermissionDenied);
  Structure renamed = *created;
  renamed.nom = "Mission locale du bassin rennais";
  EXPECT_TRUE(service_.UpdateStructure(renamed, Partenaire(7), ctx_));

  // Services follow their structure's organisation.
  Service s = NewService(created->id, "Accompagnement des jeunes",
                         {"trouver-un-emploi--maintien-dans-lemploi"});
  auto service = service_.CreateService(s, Partenaire(7), ctx_);
  ASSERT_TRUE(service) << service.error().ToString();
  EXPECT_EQ(service_.CreateService(s, Partenaire(8), ctx_).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_.DeleteService(service->id, Partenaire(8), ctx_).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(audit_store_.entries.back().action, "directory.service.delete");
  EXPECT_EQ(audit_store_.entries.back().resource_id, std::to_string(service->id));
  EXPECT_EQ(audit_store_.entries.back().outcome, audit::Outcome::kDenied);
  // Moving a service to a structure they may not edit.
  Service to_other = *service;
  to_other.structure_id = coordination_owned.id;
  EXPECT_EQ(service_.UpdateService(to_other, Partenaire(7), ctx_).error().code,
            ErrorCode::kPermissionDenied);

  // Reception agents and anonymous visitors do not edit the directory.
  EXPECT_EQ(service_.CreateStructure(own, Member(Role::kAccueil, 7), ctx_).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_.CreateStructure(own, Principal{}, ctx_).error().code,
            ErrorCode::kUnauthenticated);
  // An administrator whose second factor is pending neither.
  Principal admin = Member(Role::kAdmin, 1);
  admin.second_factor_verified = false;
  EXPECT_FALSE(service_.CanEdit(admin, *created));
  admin.second_factor_verified = true;
  EXPECT_TRUE(service_.CanEdit(admin, coordination_owned));
}

TEST_F(DirectoryTest, ServiceWritesKeepTheIndexCurrent) {
  Structure s = Created(
      NewStructure("Maison des solidarités", "35238", kRennesLat, kRennesLon, "Mo-Fr 09:00-17:00"));
  SearchQuery by_theme;
  by_theme.entity = Entity::kStructure;
  by_theme.thematiques = {"sante--acces-aux-soins"};
  EXPECT_TRUE(FindIds(by_theme).empty());

  auto created = service_.CreateService(
      NewService(s.id, "Accès aux soins", {"sante--acces-aux-soins"}), Coordination(), ctx_);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->source, "pasip");
  EXPECT_EQ(created->date_maj, "2026-03-02");
  EXPECT_EQ(audit_store_.entries.back().action, "directory.service.create");
  EXPECT_EQ(audit_store_.entries.back().resource_type, "service");
  // The structure's index has the new thématique.
  EXPECT_EQ(FindIds(by_theme), (std::vector<std::int64_t>{s.id}));

  Service changed = *created;
  changed.thematiques = {"sante--sante-mentale"};
  auto updated = service_.UpdateService(changed, Coordination(), ctx_);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(audit_store_.entries.back().action, "directory.service.update");
  EXPECT_TRUE(FindIds(by_theme).empty());
  by_theme.entity = Entity::kService;
  by_theme.thematiques = {"sante--sante-mentale"};
  EXPECT_EQ(FindIds(by_theme), (std::vector<std::int64_t>{created->id}));

  // Renaming the structure reaches its services' search text.
  Structure renamed = s;
  renamed.nom = "Espace départemental des solidarités";
  ASSERT_TRUE(service_.UpdateStructure(renamed, Coordination(), ctx_));
  SearchQuery text;
  text.q = "départemental";
  EXPECT_EQ(FindIds(text), (std::vector<std::int64_t>{created->id}));

  // A permanence's location follows its host when the host moves.
  Structure partner = Created(NewStructure("Caf", "35288", 48.6493, -2.0257));
  Service held = NewService(partner.id, "Permanence Caf", {"famille--soutien-aidants"});
  held.permanences = {Permanence{s.id, "Mo 09:00-12:00", ""}};
  held = Created(held);
  ASSERT_EQ(store_.ServiceIndex(held.id).locations.size(), 2u);
  EXPECT_EQ(store_.ServiceIndex(held.id).locations[1].latitude, kRennesLat);
  renamed.latitude = 48.2;
  ASSERT_TRUE(service_.UpdateStructure(renamed, Coordination(), ctx_));
  EXPECT_EQ(store_.ServiceIndex(held.id).locations[1].latitude, 48.2);
  EXPECT_EQ(store_.ServiceIndex(held.id).locations[1].lieu, "Espace départemental des solidarités");
  // A permanence at an unknown structure is refused.
  Service nowhere = NewService(partner.id, "Permanence ailleurs", {"famille--soutien-aidants"});
  nowhere.permanences = {Permanence{999, "Mo 09:00-12:00", ""}};
  auto refused = service_.CreateService(nowhere, Coordination(), ctx_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "permanences[0].host_structure_id");
  // A service of an unknown structure too.
  EXPECT_EQ(
      service_.CreateService(NewService(999, "Service", {}), Coordination(), ctx_).error().field,
      "structure_id");

  ASSERT_TRUE(service_.DeleteService(created->id, Coordination(), ctx_));
  EXPECT_EQ(audit_store_.entries.back().action, "directory.service.delete");
  EXPECT_TRUE(FindIds(by_theme).empty());
  by_theme.entity = Entity::kStructure;
  EXPECT_TRUE(FindIds(by_theme).empty());
  EXPECT_EQ(service_.DeleteService(created->id, Coordination(), ctx_).error().code,
            ErrorCode::kNotFound);
}

TEST_F(DirectoryTest, ReindexRecomputesAfterACommuneChange) {
  Structure s = Created(NewStructure("Mairie d'Acigné", "35001", std::nullopt, std::nullopt));
  Service service = Created(NewService(s.id, "Accueil", {"remobilisation--lien-social"}));
  EXPECT_TRUE(store_.StructureIndex(s.id).locations.empty());
  // The commune gets its coordinates.
  ASSERT_TRUE(territory_.UpsertCommunes(
      std::vector<territory::Commune>{MakeCommune("35001", "Acigné", 48.1336, -1.5355)}));
  const StructureId ids[] = {s.id};
  ASSERT_TRUE(service_.Reindex(ids));
  ASSERT_EQ(store_.StructureIndex(s.id).locations.size(), 1u);
  ASSERT_EQ(store_.ServiceIndex(service.id).locations.size(), 1u);
  EXPECT_EQ(store_.ServiceIndex(service.id).locations[0].latitude, 48.1336);
}

TEST_F(DirectoryTest, ToUpdateListsTheLeastFreshFirst) {
  Structure complete = NewStructure("Complète", "35238", kRennesLat, kRennesLon, "Mo 09:00-12:00");
  complete.telephone = "02 99 00 00 00";
  complete.description = "Une structure bien décrite.";
  complete.organisation_id = 7;
  complete = Created(complete);
  Service service = NewService(complete.id, "Service complet", {"famille--soutien-aidants"});
  service.publics = {"familles"};
  service.modes_accueil = {"en-presentiel"};
  Created(service);
  Structure empty = NewStructure("Vide", "35238", std::nullopt, std::nullopt);
  empty.organisation_id = 8;
  empty = Created(empty);
  clock_.Advance(std::chrono::hours(24 * 400));
  Structure recent = Created(NewStructure("Récente", "35238", std::nullopt, std::nullopt));

  auto list = service_.ToUpdate(Coordination(), 10);
  ASSERT_TRUE(list) << list.error().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].structure.id, empty.id);
  EXPECT_EQ((*list)[1].structure.id, recent.id);
  EXPECT_EQ((*list)[2].structure.id, complete.id);
  for (std::size_t i = 1; i < list->size(); ++i) {
    EXPECT_LE((*list)[i - 1].freshness.score, (*list)[i].freshness.score);
  }
  EXPECT_EQ(service_.ToUpdate(Coordination(), 1)->size(), 1u);

  auto theirs = service_.ToUpdate(Partenaire(7), 10);
  ASSERT_TRUE(theirs);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].structure.id, complete.id);
  EXPECT_EQ(service_.ToUpdate(Member(Role::kAccueil, 7), 10).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_.ToUpdate(Coordination(), 0).error().field, "limite");
}

TEST(ViewForTest, ProfessionalsAreSignedInMembers) {
  EXPECT_EQ(ViewFor(Principal{}), View::kPublic);
  EXPECT_EQ(ViewFor(Member(Role::kAccueil, 1)), View::kProfessional);
  Principal pending = Member(Role::kSocial, 1);
  pending.second_factor_verified = false;
  EXPECT_EQ(ViewFor(pending), View::kPublic);
  Principal no_membership;
  no_membership.user_id = 5;
  EXPECT_EQ(ViewFor(no_membership), View::kPublic);
}

// ---------------------------------------------------------------------------------------
// Speed: a typical query (commune + 30 km + a thématique or catégorie, open at an instant,
// facets) over a generated directory. 20,000 services by default;
// PASIP_DIRECTORY_BENCH_SERVICES=100000 for the benchmark. The store's own time (here the
// in-memory fake's scan; in production the database's) is measured apart from the domain's.

// Forwards to another store and times FindCandidates.
class TimedStore final : public DirectoryStore {
 public:
  explicit TimedStore(DirectoryStore& inner) : inner_(inner) {}
  Result<Structure> SaveStructure(Structure s, const IndexData& i) override {
    return inner_.SaveStructure(std::move(s), i);
  }
  Result<Service> SaveService(Service s, const IndexData& i) override {
    return inner_.SaveService(std::move(s), i);
  }
  Status ReindexStructure(StructureId id, const IndexData& i) override {
    return inner_.ReindexStructure(id, i);
  }
  Status DeleteService(ServiceId id) override { return inner_.DeleteService(id); }
  Result<BulkCounts> UpsertBulk(std::span<const StructureRecord> a,
                                std::span<const ServiceRecord> b) override {
    return inner_.UpsertBulk(a, b);
  }
  Result<std::optional<Structure>> FindStructure(StructureId id) override {
    return inner_.FindStructure(id);
  }
  Result<std::optional<Structure>> FindStructureBySource(std::string_view a,
                                                         std::string_view b) override {
    return inner_.FindStructureBySource(a, b);
  }
  Result<std::optional<Structure>> FindStructureBySite(std::int64_t id) override {
    return inner_.FindStructureBySite(id);
  }
  Result<std::optional<Service>> FindService(ServiceId id) override {
    return inner_.FindService(id);
  }
  Result<std::vector<Service>> ServicesOf(StructureId id) override { return inner_.ServicesOf(id); }
  Result<std::vector<Structure>> LoadStructures(std::span<const StructureId> ids) override {
    return inner_.LoadStructures(ids);
  }
  Result<std::vector<Service>> LoadServices(std::span<const ServiceId> ids) override {
    return inner_.LoadServices(ids);
  }
  Result<std::vector<Structure>> ListStructures(StructureId after, int limit,
                                                std::optional<std::int64_t> o) override {
    return inner_.ListStructures(after, limit, o);
  }
  Result<std::vector<Service>> ListServices(ServiceId after, int limit,
                                            std::optional<std::int64_t> o) override {
    return inner_.ListServices(after, limit, o);
  }
  Result<std::int64_t> Count(Entity e) override { return inner_.Count(e); }
  Status RefreshStatistics() override { return inner_.RefreshStatistics(); }
  Result<std::vector<Candidate>> FindCandidates(Entity e, const CandidateFilter& f) override {
    const auto start = std::chrono::steady_clock::now();
    auto out = inner_.FindCandidates(e, f);
    candidates_time += std::chrono::steady_clock::now() - start;
    return out;
  }

  std::chrono::steady_clock::duration candidates_time{};

 private:
  DirectoryStore& inner_;
};

std::string Clock2(int hour, int minute) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", hour, minute);
  return text;
}

TEST(SearchSpeed, TypicalQueryIsFast) {
  std::size_t count = 20000;
  if (const char* env = std::getenv("PASIP_DIRECTORY_BENCH_SERVICES")) {
    count = static_cast<std::size_t>(std::strtoul(env, nullptr, 10));
  }
  ManualClock clock(At("2026-03-02T09:00:00Z"));
  MemoryDirectoryStore memory(&clock);
  TimedStore store(memory);
  MemoryTerritoryStore territory;
  identity::testing::MemoryAuditStore audit_store;
  audit::AuditLog audit(audit_store, clock);
  DirectoryService service(store, territory, audit, clock);
  ASSERT_TRUE(territory.UpsertCommunes(
      std::vector<territory::Commune>{MakeCommune("35238", "Rennes", kRennesLat, kRennesLon)}));

  // Five services per structure; a third of the structures within about 50 km of Rennes,
  // the rest anywhere in metropolitan France; hours from a few dozen strings, as real data
  // repeats them.
  std::mt19937 random(7);
  std::uniform_real_distribution<double> lat(41.5, 51.0), lon(-4.8, 8.0), near(-0.5, 0.5);
  const auto thematiques = Values(Referentiel::kThematique);
  std::vector<std::string> hours;
  for (int h = 8; h < 11; ++h) {
    for (int e = 16; e < 19; ++e) {
      hours.push_back("Mo-Fr " + Clock2(h, 0) + "-12:00," + Clock2(14, 0) + "-" + Clock2(e, 0) +
                      "; PH off");
      hours.push_back("Mo-We,Fr " + Clock2(h, 30) + "-12:30; Th 14:00-" + Clock2(e, 30));
    }
  }
  for (const std::string& h : hours) ASSERT_TRUE(openinghours::OpeningHours::Parse(h)) << h;
  std::vector<StructureRecord> structures;
  std::vector<ServiceRecord> services;
  for (std::size_t i = 0; i < count / 5; ++i) {
    Structure s;
    s.source = "bench";
    s.source_id = "s" + std::to_string(i);
    s.nom = "Structure " + std::to_string(i);
    s.date_maj = "2026-01-01";
    if (i % 3 == 0) {
      s.latitude = kRennesLat + near(random);
      s.longitude = kRennesLon + near(random);
    } else {
      s.latitude = lat(random);
      s.longitude = lon(random);
    }
    s.code_insee = "35238";
    s.horaires_accueil = hours[i % hours.size()];
    structures.push_back({s, service.IndexOfStructure(s, {}, std::nullopt)});
    for (int k = 0; k < 5; ++k) {
      Service v;
      v.source = "bench";
      v.source_id = "v" + std::to_string(i) + "-" + std::to_string(k);
      v.nom = "Service " + std::to_string(k);
      v.description = "Un service généré pour mesurer la recherche.";
      v.date_maj = "2026-01-01";
      v.thematiques = {std::string(thematiques[random() % thematiques.size()].value),
                       std::string(thematiques[random() % thematiques.size()].value)};
      if (v.thematiques[0] == v.thematiques[1]) v.thematiques.pop_back();
      services.push_back({v, s.source_id, service.IndexOfService(v, s, {}, std::nullopt)});
    }
  }
  ASSERT_TRUE(store.UpsertBulk(structures, services));

  SearchQuery q;
  q.commune = "35238";
  q.rayon_km = 30;
  q.thematiques = {"famille--garde-denfants"};
  q.categories = {"equipement-et-alimentation"};
  q.ouvert_a = At("2026-03-03T09:30:00Z");
  q.facettes = true;
  ASSERT_TRUE(service.Search(q, View::kPublic));  // warm up: parse the hours once
  std::vector<double> total_us, domain_us;
  std::int64_t results = 0;
  for (int run = 0; run < 200; ++run) {
    store.candidates_time = {};
    const auto t0 = std::chrono::steady_clock::now();
    auto page = service.Search(q, View::kPublic);
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    ASSERT_TRUE(page) << page.error().ToString();
    results = page->total;
    total_us.push_back(std::chrono::duration<double, std::micro>(elapsed).count());
    domain_us.push_back(
        std::chrono::duration<double, std::micro>(elapsed - store.candidates_time).count());
  }
  std::sort(total_us.begin(), total_us.end());
  std::sort(domain_us.begin(), domain_us.end());
  auto at = [](const std::vector<double>& v, double q) {
    return v[static_cast<std::size_t>(q * (v.size() - 1))];
  };
  std::cout << count << " services, " << results << " results: search p50 " << at(total_us, 0.5)
            << " µs, p99 " << at(total_us, 0.99) << " µs; without the store's candidate scan p50 "
            << at(domain_us, 0.5) << " µs, p99 " << at(domain_us, 0.99) << " µs\n";
  EXPECT_GT(results, 0);
  // Generous, for loaded test machines: the target (< 5 ms at 100,000 services) is measured
  // by the benchmark.
  EXPECT_LT(at(domain_us, 0.5), 20000.0);
}

TEST_F(DirectoryTest, ASiteIsAStructureKeptInStepWithIt) {
  identity::Organisation org;
  org.id = 7;
  org.name = "CCAS de Rennes";
  org.kind = "ccas-cias";
  identity::Site site;
  site.id = 42;
  site.organisation_id = 7;
  site.name = "Accueil du CCAS";
  site.address = "1 place de la Mairie";
  site.commune_code = "35238";
  site.latitude = kRennesLat;
  site.longitude = kRennesLon;
  ASSERT_TRUE(service_.SiteSaved(site, org, ctx_));

  auto created = store_.FindStructureBySite(42);
  ASSERT_TRUE(created && *created);
  Structure s = **created;
  EXPECT_EQ(s.source, "pasip");
  EXPECT_EQ(s.source_id, "lieu-42");
  EXPECT_EQ(s.nom, "Accueil du CCAS");
  EXPECT_EQ(s.commune, std::optional<std::string>("Rennes"));
  EXPECT_EQ(s.organisation_id, std::optional<std::int64_t>(7));
  EXPECT_EQ(s.reseaux_porteurs, std::vector<std::string>{"ccas-cias"});
  EXPECT_TRUE(s.publie);

  // What the directory added stays when the site changes; the site's own fields follow it.
  s.label.sans_condition = true;
  s.telephone = "02 99 00 00 01";
  ASSERT_TRUE(service_.UpdateStructure(s, Coordination(), ctx_));
  site.name = "Accueil social du CCAS";
  site.active = false;
  ASSERT_TRUE(service_.SiteSaved(site, org, ctx_));
  auto updated = store_.FindStructureBySite(42);
  ASSERT_TRUE(updated && *updated);
  EXPECT_EQ((*updated)->nom, "Accueil social du CCAS");
  EXPECT_TRUE((*updated)->label.sans_condition);
  EXPECT_EQ((*updated)->telephone, std::optional<std::string>("02 99 00 00 01"));
  EXPECT_FALSE((*updated)->publie);
  EXPECT_EQ(*store_.Count(Entity::kStructure), 1);

  // A name the directory refuses leaves the site out of it, without failing the site.
  identity::Site tiny = site;
  tiny.id = 43;
  tiny.name = "AB";
  ASSERT_TRUE(service_.SiteSaved(tiny, org, ctx_));
  EXPECT_FALSE(*store_.FindStructureBySite(43));
}

}  // namespace
}  // namespace pasip::directory
