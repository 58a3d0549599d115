// The directory's data·inclusion codec (api/directory_json.h), the data·inclusion and
// France services imports and the export, end to end on SQLite in memory with the real
// stores. Fixtures: tests/data/directory/ (invented records in the official formats).
#include "app/directory_import.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "api/directory_json.h"
#include "core/crypto.h"
#include "domain/openinghours/opening_hours.h"
#include "storage/directory_repository.h"
#include "storage/migrations.h"
#include "storage/territory_repository.h"

namespace pasip::app {
namespace {

using nlohmann::json;
namespace dir = directory;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(PASIP_TEST_DATA_DIR) + "/directory/" + name, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  EXPECT_FALSE(content.str().empty()) << name;
  return content.str();
}

ImportFile FixtureFile(const std::string& name) { return {name, Fixture(name)}; }

class NullAuditStore final : public audit::Store {
 public:
  Status Append(const audit::Entry&) override { return Ok(); }
  Result<std::vector<audit::Entry>> Search(const audit::Query&) override {
    return std::vector<audit::Entry>();
  }
  Result<std::int64_t> DeleteBefore(TimePoint) override { return 0; }
};

// Delegates to a real store, and fails the n-th UpsertBulk call (from 1) before writing.
class FailingStore final : public dir::DirectoryStore {
 public:
  FailingStore(dir::DirectoryStore& inner, int fail_at) : inner_(inner), fail_at_(fail_at) {}
  Result<dir::Structure> SaveStructure(dir::Structure s, const dir::IndexData& i) override {
    return inner_.SaveStructure(std::move(s), i);
  }
  Result<dir::Service> SaveService(dir::Service s, const dir::IndexData& i) override {
    return inner_.SaveService(std::move(s), i);
  }
  Status ReindexStructure(dir::StructureId id, const dir::IndexData& i) override {
    return inner_.ReindexStructure(id, i);
  }
  Status DeleteService(dir::ServiceId id) override { return inner_.DeleteService(id); }
  Result<dir::BulkCounts> UpsertBulk(std::span<const dir::StructureRecord> structures,
                                     std::span<const dir::ServiceRecord> services) override {
    if (++calls_ == fail_at_) return Fail(Unavailable("Base de données indisponible."));
    return inner_.UpsertBulk(structures, services);
  }
  Result<std::optional<dir::Structure>> FindStructure(dir::StructureId id) override {
    return inner_.FindStructure(id);
  }
  Result<std::optional<dir::Structure>> FindStructureBySource(std::string_view source,
                                                              std::string_view id) override {
    return inner_.FindStructureBySource(source, id);
  }
  Result<std::optional<dir::Structure>> FindStructureBySite(std::int64_t id) override {
    return inner_.FindStructureBySite(id);
  }
  Result<std::optional<dir::Service>> FindService(dir::ServiceId id) override {
    return inner_.FindService(id);
  }
  Result<std::vector<dir::Service>> ServicesOf(dir::StructureId id) override {
    return inner_.ServicesOf(id);
  }
  Result<std::vector<dir::Structure>> LoadStructures(
      std::span<const dir::StructureId> ids) override {
    return inner_.LoadStructures(ids);
  }
  Result<std::vector<dir::Service>> LoadServices(std::span<const dir::ServiceId> ids) override {
    return inner_.LoadServices(ids);
  }
  Result<std::vector<dir::Structure>> ListStructures(dir::StructureId after, int limit,
                                                     std::optional<std::int64_t> org) override {
    return inner_.ListStructures(after, limit, org);
  }
  Result<std::vector<dir::Service>> ListServices(dir::ServiceId after, int limit,
                                                 std::optional<std::int64_t> org) override {
    return inner_.ListServices(after, limit, org);
  }
  Result<std::int64_t> Count(dir::Entity entity) override { return inner_.Count(entity); }
  Status RefreshStatistics() override { return inner_.RefreshStatistics(); }
  Result<std::vector<dir::Candidate>> FindCandidates(dir::Entity entity,
                                                     const dir::CandidateFilter& f) override {
    return inner_.FindCandidates(entity, f);
  }

 private:
  dir::DirectoryStore& inner_;
  int fail_at_;
  int calls_ = 0;
};

// A migrated SQLite database in memory with the real stores and the directory service.
struct Directory {
  Directory() : clock(FromUnixSeconds(1772442000)) {  // 2026-03-02
    auto opened = storage::OpenDatabase("sqlite::memory:");
    EXPECT_TRUE(opened) << opened.error().ToString();
    db = std::move(*opened);
    auto migrated = storage::Migrate(*db, storage::Series::kMain);
    EXPECT_TRUE(migrated) << migrated.error().ToString();
    store = std::make_unique<storage::SqlDirectoryStore>(*db, clock);
    territory = std::make_unique<storage::SqlTerritoryStore>(*db);
    audit = std::make_unique<audit::AuditLog>(audit_store, clock);
    service = std::make_unique<dir::DirectoryService>(*store, *territory, *audit, clock);
  }

  std::vector<dir::Structure> Structures() {
    auto list = store->ListStructures(0, 1000);
    EXPECT_TRUE(list);
    return list ? *list : std::vector<dir::Structure>();
  }
  std::vector<dir::Service> Services() {
    auto list = store->ListServices(0, 1000);
    EXPECT_TRUE(list);
    return list ? *list : std::vector<dir::Service>();
  }
  std::optional<dir::Structure> Structure(const std::string& source, const std::string& id) {
    auto found = store->FindStructureBySource(source, id);
    EXPECT_TRUE(found);
    return found ? *found : std::nullopt;
  }

  ManualClock clock;
  std::unique_ptr<storage::Database> db;
  NullAuditStore audit_store;
  std::unique_ptr<storage::SqlDirectoryStore> store;
  std::unique_ptr<storage::SqlTerritoryStore> territory;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<dir::DirectoryService> service;
};

DataInclusionInput JsonFixtures() {
  DataInclusionInput input;
  input.structures = FixtureFile("structures.json");
  input.services = FixtureFile("services.json");
  return input;
}

std::vector<std::string> Positions(const std::vector<ImportIssue>& issues) {
  std::vector<std::string> out;
  for (const auto& i : issues) out.push_back(i.fichier + " " + i.position);
  return out;
}

const ImportIssue* FindIssue(const std::vector<ImportIssue>& issues, const std::string& position,
                             const std::string& file = "") {
  for (const auto& i : issues) {
    if (i.position == position && (file.empty() || i.fichier == file)) return &i;
  }
  return nullptr;
}

std::filesystem::path TempDir() {
  auto path = std::filesystem::temp_directory_path() / ("pasip-export-" + crypto::RandomToken(6));
  std::filesystem::create_directories(path);
  return path;
}

json ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

// ---------------------------------------------------------------------------------------
// The data·inclusion codec.

TEST(DirectoryJson, WritesExactlyTheSchemaMembersWithNullsAndArrays) {
  dir::Structure s;
  s.source = "essai";
  s.source_id = "42";
  s.nom = "CCAS de Rennes";
  s.date_maj = "2026-03-02";
  s.latitude = 48.11;
  s.longitude = -1.68;
  s.courriel = "";  // an empty optional text is absent
  s.referents.push_back({"Camille Martin", "directrice", "02 99 00 00 00", ""});
  const json j = api::ToDataInclusion(s);
  std::set<std::string> members;
  for (const auto& [key, value] : j.items()) members.insert(key);
  EXPECT_EQ(members, (std::set<std::string>{"accessibilite_lieu",
                                            "adresse",
                                            "code_insee",
                                            "code_postal",
                                            "commune",
                                            "complement_adresse",
                                            "courriel",
                                            "date_maj",
                                            "description",
                                            "horaires_accueil",
                                            "id",
                                            "latitude",
                                            "lien_source",
                                            "longitude",
                                            "nom",
                                            "reseaux_porteurs",
                                            "siret",
                                            "site_web",
                                            "source",
                                            "telephone"}));
  EXPECT_EQ(j["id"], "essai--42");
  EXPECT_TRUE(j["latitude"].is_number_float());
  EXPECT_TRUE(j["courriel"].is_null());
  EXPECT_TRUE(j["reseaux_porteurs"].is_null());

  dir::Service svc;
  svc.source = "essai";
  svc.source_id = "7";
  svc.nom = "Domiciliation";
  svc.description = "Une adresse pour le courrier.";
  svc.date_maj = "2026-03-02";
  svc.thematiques = {"famille--garde-denfants", "famille--garde-denfants"};
  svc.nombre_semaines = 4;
  svc.telephone = "02 99 00 00 00";
  svc.contacts_publics = false;
  const json k = api::ToDataInclusion(svc, "essai--42");
  EXPECT_EQ(k.size(), 33u);
  EXPECT_EQ(k["structure_id"], "essai--42");
  EXPECT_EQ(k["thematiques"], json::array({"famille--garde-denfants"}));  // unique items
  EXPECT_TRUE(k["publics"].is_null());
  EXPECT_TRUE(k["nombre_semaines"].is_number_integer());
  EXPECT_TRUE(k["telephone"].is_null());  // contacts not public
}

TEST(DirectoryJson, ReadsTrimmedValuesDatesAndIds) {
  const json j = {{"id", "dora--abc"},
                  {"source", "dora"},
                  {"nom", "  Centre social  "},
                  {"date_maj", "2025-02-14T09:30:00+01:00"},
                  {"adresse", "   "},
                  {"commune", nullptr},
                  {"latitude", 48},
                  {"reseaux_porteurs", {" caf ", "", nullptr, "caf"}},
                  {"inconnu", {1, 2}}};
  auto s = api::StructureFromDataInclusion(j);
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(s->source_id, "abc");
  EXPECT_EQ(s->nom, "Centre social");
  EXPECT_EQ(s->date_maj, "2025-02-14");
  EXPECT_FALSE(s->adresse);
  EXPECT_FALSE(s->commune);
  EXPECT_EQ(s->latitude, 48.0);
  EXPECT_EQ(s->reseaux_porteurs, (std::vector<std::string>{"caf"}));

  // An id without the source's prefix is kept whole.
  auto other = api::StructureFromDataInclusion(
      {{"id", "autre--1"}, {"source", "dora"}, {"nom", "X"}, {"date_maj", "2025-01-01"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->source_id, "autre--1");

  std::string structure_source_id;
  auto svc = api::ServiceFromDataInclusion({{"id", "dora--s1"},
                                            {"source", "dora"},
                                            {"structure_id", "dora--abc"},
                                            {"nom", "Aide"},
                                            {"description", "Une aide."},
                                            {"date_maj", "2025-02-14"},
                                            {"nombre_semaines", 4.0}},
                                           structure_source_id);
  ASSERT_TRUE(svc) << svc.error().ToString();
  EXPECT_EQ(svc->source_id, "s1");
  EXPECT_EQ(structure_source_id, "abc");
  EXPECT_EQ(svc->nombre_semaines, 4);
}

TEST(DirectoryJson, TypeErrorsNameTheMemberInFrench) {
  const json base = {{"id", "x--1"}, {"source", "x"}, {"nom", "Nom"}, {"date_maj", "2025-01-01"}};
  const auto error = [&](const json& patch) {
    json j = base;
    j.update(patch);
    auto s = api::StructureFromDataInclusion(j);
    EXPECT_FALSE(s) << patch.dump();
    return s ? Error{} : s.error();
  };
  auto e = error({{"latitude", "48.1"}});
  EXPECT_EQ(e.message, "Le champ « latitude » doit être un nombre.");
  EXPECT_EQ(e.field, "latitude");
  e = error({{"nom", 12}});
  EXPECT_EQ(e.message, "Le champ « nom » doit être un texte.");
  e = error({{"reseaux_porteurs", {"caf", 3}}});
  EXPECT_EQ(e.message, "Le champ « reseaux_porteurs[1] » doit être un texte.");
  EXPECT_EQ(e.field, "reseaux_porteurs[1]");
  e = error({{"reseaux_porteurs", "caf"}});
  EXPECT_EQ(e.message, "Le champ « reseaux_porteurs » doit être une liste de textes.");
  e = error({{"id", nullptr}});
  EXPECT_EQ(e.message, "Le champ « id » est obligatoire.");
  EXPECT_FALSE(api::StructureFromDataInclusion(json::array()));

  std::string ref;
  json svc = {{"id", "x--s"},          {"source", "x"},          {"structure_id", "x--1"},
              {"nom", "Aide"},         {"description", "Aide."}, {"date_maj", "2025-01-01"},
              {"nombre_semaines", 2.5}};
  auto s = api::ServiceFromDataInclusion(svc, ref);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "Le champ « nombre_semaines » doit être un nombre entier.");
  svc.erase("nombre_semaines");
  svc.erase("structure_id");
  s = api::ServiceFromDataInclusion(svc, ref);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "structure_id");
}

TEST(DirectoryJson, PasipRecordsHideWhatThePublicMustNotSee) {
  dir::Structure s;
  s.id = 3;
  s.source = "pasip";
  s.source_id = "a1";
  s.nom = "CCAS";
  s.date_maj = "2026-03-02";
  s.referents.push_back({"Camille Martin", "directrice", "02 99 00 00 00", ""});
  s.label.sans_condition = true;
  s.accessibilite.langues = {"en"};
  s.arrets.push_back({"Place de la mairie", "35238", 48.1, -1.6, "We 09:00-12:00"});
  s.avis.push_back({"2026-12-24", "2027-01-02", "Fermé pour les fêtes", true});
  const json pub = api::ToJson(s, dir::View::kPublic);
  EXPECT_FALSE(pub.contains("referents"));
  EXPECT_EQ(pub["pasip_id"], 3);
  EXPECT_EQ(pub["label_pasip"]["sans_condition"], true);
  EXPECT_EQ(pub["label_pasip"]["complet"], false);
  const json pro = api::ToJson(s, dir::View::kProfessional);
  ASSERT_EQ(pro["referents"].size(), 1u);

  // Read back: the extensions round-trip, absent members keep the base's values.
  auto back = api::StructureFromJson(pro, dir::Structure{});
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->referents, s.referents);
  EXPECT_EQ(back->label, s.label);
  EXPECT_EQ(back->accessibilite, s.accessibilite);
  EXPECT_EQ(back->arrets, s.arrets);
  EXPECT_EQ(back->avis, s.avis);
  auto kept = api::StructureFromJson({{"telephone", "02 99 00 00 01"}}, s);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->referents, s.referents);
  EXPECT_EQ(kept->telephone, "02 99 00 00 01");
  auto bad = api::StructureFromJson({{"arrets", {{{"lieu", 3}}}}}, s);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "arrets[0].lieu");

  dir::Service svc;
  svc.id = 9;
  svc.structure_id = 3;
  svc.nom = "Aide";
  svc.telephone = "02 99 00 00 00";
  svc.contacts_publics = false;
  svc.permanences.push_back({4, "Tu 14:00-17:00", "Caf"});
  EXPECT_TRUE(api::ToJson(svc, dir::View::kPublic)["telephone"].is_null());
  const json pro_svc = api::ToJson(svc, dir::View::kProfessional);
  EXPECT_EQ(pro_svc["telephone"], "02 99 00 00 00");
  auto svc_back = api::ServiceFromJson(pro_svc);
  ASSERT_TRUE(svc_back) << svc_back.error().ToString();
  EXPECT_EQ(svc_back->permanences, svc.permanences);
  EXPECT_EQ(svc_back->structure_id, 3);
  EXPECT_FALSE(svc_back->contacts_publics);
}

// ---------------------------------------------------------------------------------------
// data·inclusion imports.

TEST(DirectoryImport, JsonFixturesWithExactRejects) {
  Directory d;
  auto report = ImportDataInclusion(*d.db, *d.service, JsonFixtures());
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->structures_lues, 12);
  EXPECT_EQ(report->services_lus, 12);
  EXPECT_EQ(report->counts, (dir::BulkCounts{6, 0, 5, 0}));
  EXPECT_EQ(report->structures_reindexees, 0);  // every index computed by the import

  const std::vector<ImportIssue> expected = {
      {"structures.json", "élément 5", "essai--insee-faux", "code_insee",
       "Le code INSEE de la commune n'est pas valide (5 caractères, par exemple 35238)."},
      {"structures.json", "élément 6", "essai--nom-court", "nom",
       "Le nom doit compter entre 3 et 150 caractères."},
      {"structures.json", "élément 7", "essai--latitude-texte", "latitude",
       "Le champ « latitude » doit être un nombre."},
      {"structures.json", "élément 8", "essai--ccas-rennes", "id",
       "Identifiant déjà présent dans le fichier (élément 1) : seule la première ligne compte."},
      {"structures.json", "élément 9", "essai--reseau-inconnu", "reseaux_porteurs[1]",
       "« reseau-imaginaire » n'est pas un réseau porteur du référentiel data·inclusion."},
      {"structures.json", "élément 11", "", "",
       "un objet JSON est attendu pour chaque enregistrement."},
      {"services.json", "élément 2", "essai--ccas-theme-inconnu", "thematiques[1]",
       "« famille--theme-imaginaire » n'est pas une thématique du référentiel data·inclusion."},
      {"services.json", "élément 3", "essai--orphelin", "structure_id",
       "La structure « essai--structure-absente » est inconnue : ni dans le fichier des "
       "structures ni dans l'annuaire."},
      {"services.json", "élément 4", "essai--de-structure-refusee", "structure_id",
       "La structure « essai--insee-faux » a été refusée (élément 5)."},
      {"services.json", "élément 5", "essai--ccas-domiciliation", "id",
       "Identifiant déjà présent dans le fichier (élément 1) : seule la première ligne compte."},
      {"services.json", "élément 6", "essai--thematiques-texte", "thematiques",
       "Le champ « thematiques » doit être une liste de textes."},
      {"services.json", "élément 7", "essai--description-courte", "description",
       "La description doit compter entre 5 et 10 000 caractères."},
      {"services.json", "élément 11", "essai--nombre-semaines-texte", "nombre_semaines",
       "Le champ « nombre_semaines » doit être un nombre entier."},
  };
  ASSERT_EQ(report->rejets.size(), expected.size())
      << testing::PrintToString(Positions(report->rejets));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(report->rejets[i].fichier, expected[i].fichier) << i;
    EXPECT_EQ(report->rejets[i].position, expected[i].position) << i;
    EXPECT_EQ(report->rejets[i].id, expected[i].id) << i;
    EXPECT_EQ(report->rejets[i].champ, expected[i].champ) << i;
    EXPECT_EQ(report->rejets[i].raison, expected[i].raison) << i;
  }
  // Repaired hours are kept, with a warning.
  ASSERT_EQ(report->alertes.size(), 1u);
  EXPECT_EQ(report->alertes[0].position, "élément 3");
  EXPECT_EQ(report->alertes[0].champ, "horaires_accueil");

  // What was written.
  ASSERT_EQ(d.Structures().size(), 6u);
  ASSERT_EQ(d.Services().size(), 5u);
  auto ccas = d.Structure("essai", "ccas-rennes");
  ASSERT_TRUE(ccas);
  EXPECT_EQ(ccas->nom, "CCAS de Rennes");
  EXPECT_EQ(ccas->date_maj, "2026-03-02");  // from a full timestamp
  EXPECT_EQ(ccas->siret, "21350238800019");
  EXPECT_EQ(ccas->reseaux_porteurs, (std::vector<std::string>{"ccas-cias"}));
  EXPECT_DOUBLE_EQ(*ccas->latitude, 48.1113);
  auto bain = d.Structure("essai", "mairie-bain");
  ASSERT_TRUE(bain);
  EXPECT_EQ(bain->nom, "Mairie de Bain-de-Bretagne");  // trimmed
  auto cleunay = d.Structure("essai", "esc-cleunay");
  ASSERT_TRUE(cleunay && cleunay->horaires_accueil);
  EXPECT_TRUE(openinghours::OpeningHours::Parse(*cleunay->horaires_accueil));
  for (const char* refused : {"insee-faux", "nom-court", "latitude-texte", "reseau-inconnu"}) {
    EXPECT_FALSE(d.Structure("essai", refused)) << refused;
  }
  auto services = d.store->ServicesOf(ccas->id);
  ASSERT_TRUE(services);
  ASSERT_EQ(services->size(), 1u);
  const dir::Service& domiciliation = services->front();
  EXPECT_EQ(domiciliation.source_id, "ccas-domiciliation");
  EXPECT_EQ(domiciliation.nom, "Domiciliation administrative");  // the first occurrence
  EXPECT_EQ(domiciliation.modes_mobilisation,
            (std::vector<std::string>{"se-presenter", "telephoner"}));
  EXPECT_EQ(domiciliation.contact_nom_prenom, "Accueil du CCAS");

  // Indexed as imported: found by text and by thématique.
  dir::SearchQuery query;
  query.q = "domiciliation";
  auto page = d.service->Search(query, dir::View::kPublic);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->items.size(), 1u);
  ASSERT_TRUE(page->items[0].service);
  EXPECT_EQ(page->items[0].service->source_id, "ccas-domiciliation");
  query.q.clear();
  query.thematiques = {"numerique--acceder-a-des-services-en-ligne"};
  page = d.service->Search(query, dir::View::kPublic);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].service->source_id, "pimms-numerique");
}

TEST(DirectoryImport, SecondImportUpdatesInPlaceAndKeepsPasipAdditions) {
  Directory d;
  ASSERT_TRUE(ImportDataInclusion(*d.db, *d.service, JsonFixtures()));
  // A coordinator completes a structure and hides a service's contacts.
  auto ccas = d.Structure("essai", "ccas-rennes");
  ASSERT_TRUE(ccas);
  ccas->referents.push_back({"Camille Martin", "directrice", "02 99 00 00 00", ""});
  ccas->label.sans_condition = true;
  ccas->publie = false;
  ASSERT_TRUE(d.store->SaveStructure(*ccas, {}));
  auto services = d.store->ServicesOf(ccas->id);
  ASSERT_TRUE(services && services->size() == 1);
  dir::Service hidden = services->front();
  hidden.contacts_publics = false;
  ASSERT_TRUE(d.store->SaveService(hidden, {}));

  auto again = ImportDataInclusion(*d.db, *d.service, JsonFixtures());
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->counts, (dir::BulkCounts{0, 6, 0, 5}));
  EXPECT_EQ(again->rejets.size(), 13u);
  EXPECT_EQ(d.Structures().size(), 6u);
  EXPECT_EQ(d.Services().size(), 5u);
  auto after = d.Structure("essai", "ccas-rennes");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->id, ccas->id);
  EXPECT_EQ(after->referents, ccas->referents);
  EXPECT_TRUE(after->label.sans_condition);
  EXPECT_FALSE(after->publie);
  auto service_after = d.store->FindService(hidden.id);
  ASSERT_TRUE(service_after && *service_after);
  EXPECT_FALSE((*service_after)->contacts_publics);
}

TEST(DirectoryImport, CsvFixturesWithListsQuotesAndRejects) {
  Directory d;
  DataInclusionInput input;
  input.structures = FixtureFile("structures.csv");
  input.services = FixtureFile("services.csv");
  auto report = ImportDataInclusion(*d.db, *d.service, input);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->structures_lues, 6);
  EXPECT_EQ(report->services_lus, 6);
  EXPECT_EQ(report->counts, (dir::BulkCounts{3, 0, 3, 0}));
  EXPECT_EQ(Positions(report->rejets),
            (std::vector<std::string>{"structures.csv ligne 5", "structures.csv ligne 6",
                                      "structures.csv ligne 7", "services.csv ligne 4",
                                      "services.csv ligne 5", "services.csv ligne 6"}));
  const auto* latitude = FindIssue(report->rejets, "ligne 5", "structures.csv");
  ASSERT_TRUE(latitude);
  EXPECT_EQ(latitude->id, "csv--latitude-mot");
  EXPECT_EQ(latitude->champ, "latitude");
  EXPECT_EQ(latitude->raison, "Le champ « latitude » doit être un nombre (« quarante-huit »).");
  const auto* count = FindIssue(report->rejets, "ligne 6", "structures.csv");
  ASSERT_TRUE(count);
  EXPECT_EQ(count->raison, "7 champs au lieu de 16.");
  EXPECT_EQ(count->id, "csv--trop-court");
  const auto* siret = FindIssue(report->rejets, "ligne 7", "structures.csv");
  ASSERT_TRUE(siret);
  EXPECT_EQ(siret->id, "csv--siret-faux");
  EXPECT_EQ(siret->champ, "siret");
  const auto* theme = FindIssue(report->rejets, "ligne 4", "services.csv");
  ASSERT_TRUE(theme);
  EXPECT_EQ(theme->champ, "thematiques[0]");
  const auto* orphan = FindIssue(report->rejets, "ligne 5", "services.csv");
  ASSERT_TRUE(orphan);
  EXPECT_EQ(orphan->champ, "structure_id");
  const auto* insee = FindIssue(report->rejets, "ligne 6", "services.csv");
  ASSERT_TRUE(insee);
  EXPECT_EQ(insee->champ, "code_insee");

  auto mds = d.Structure("csv", "mds-nord");
  ASSERT_TRUE(mds);
  EXPECT_EQ(mds->description, "Accueil social, \"sans condition\",\nécoute et orientation.");
  EXPECT_EQ(mds->adresse, "4, place du Marché");
  auto vallons = d.Structure("csv", "ccas-vallons");
  ASSERT_TRUE(vallons);
  EXPECT_EQ(vallons->reseaux_porteurs, (std::vector<std::string>{"ccas-cias", "communes"}));
  auto guichen = d.Structure("csv", "fs-guichen");
  ASSERT_TRUE(guichen);
  EXPECT_DOUBLE_EQ(*guichen->latitude, 47.97);  // decimal comma
  EXPECT_EQ(guichen->reseaux_porteurs, (std::vector<std::string>{"france-service"}));
  auto vallons_services = d.store->ServicesOf(vallons->id);
  ASSERT_TRUE(vallons_services && vallons_services->size() == 1);
  EXPECT_EQ(vallons_services->front().publics, (std::vector<std::string>{"familles", "seniors"}));
  auto guichen_services = d.store->ServicesOf(guichen->id);
  ASSERT_TRUE(guichen_services && guichen_services->size() == 1);
  EXPECT_EQ(guichen_services->front().modes_accueil,
            (std::vector<std::string>{"en-presentiel", "a-distance"}));
}

TEST(DirectoryImport, ServicesAloneAttachToStoredStructures) {
  Directory d;
  DataInclusionInput structures;
  structures.structures = FixtureFile("structures.json");
  ASSERT_TRUE(ImportDataInclusion(*d.db, *d.service, structures));
  DataInclusionInput services;
  services.services = FixtureFile("services.json");
  auto report = ImportDataInclusion(*d.db, *d.service, services);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->counts, (dir::BulkCounts{0, 0, 5, 0}));
  EXPECT_EQ(report->structures_reindexees, 5);
  // The structures' index now knows their services: a search finds them by a service's words.
  dir::SearchQuery query;
  query.entity = dir::Entity::kStructure;
  query.q = "domiciliation";
  auto page = d.service->Search(query, dir::View::kPublic);
  ASSERT_TRUE(page) << page.error().ToString();
  ASSERT_EQ(page->items.size(), 1u);
  ASSERT_TRUE(page->items[0].structure);
  EXPECT_EQ(page->items[0].structure->source_id, "ccas-rennes");
  // The refused structure is not stored, so its service is now an unknown reference.
  const auto* refused = FindIssue(report->rejets, "élément 4");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->raison,
            "La structure « essai--insee-faux » est inconnue : ni dans le fichier des structures "
            "ni dans l'annuaire.");
}

TEST(DirectoryImport, SourceOptionFillsAndGuards) {
  Directory d;
  DataInclusionInput input;
  input.source = "producteur";
  input.structures = ImportFile{
      "s.jsonl",
      "{\"id\": \"a\", \"nom\": \"Centre social A\", \"date_maj\": \"2026-01-01\"}\n"
      "\n"
      "{\"id\": \"b\", \"source\": \"autre\", \"nom\": \"Centre social B\", \"date_maj\": "
      "\"2026-01-01\"}\n"
      "{\"id\": \"producteur--c\", \"source\": \"producteur\", \"nom\": \"Centre C\", "
      "\"date_maj\": \"2026-01-01\"}\n"
      "{pas du json}\n"};
  auto report = ImportDataInclusion(*d.db, *d.service, input);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->counts.structures_created, 2);
  ASSERT_EQ(report->rejets.size(), 2u);
  EXPECT_EQ(report->rejets[0].position, "ligne 3");
  EXPECT_EQ(report->rejets[0].champ, "source");
  EXPECT_EQ(report->rejets[0].raison,
            "La source « autre » n'est pas celle de l'import (« producteur »).");
  EXPECT_EQ(report->rejets[1].position, "ligne 5");
  EXPECT_EQ(report->rejets[1].raison, "JSON illisible.");
  EXPECT_TRUE(d.Structure("producteur", "a"));
  EXPECT_TRUE(d.Structure("producteur", "c"));
}

TEST(DirectoryImport, ApiPageAndSingleRecord) {
  Directory d;
  DataInclusionInput input;
  input.structures = ImportFile{
      "page.json",
      R"({"items": [{"id": "p--1", "source": "p", "nom": "Lieu un", "date_maj": "2026-01-01"},
                    {"id": "p--2", "source": "p", "nom": "Lieu deux", "date_maj": "2026-01-01"}],
          "total": 2})"};
  auto report = ImportDataInclusion(*d.db, *d.service, input);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->counts.structures_created, 2);
  input.structures = ImportFile{
      "one.json",
      "{\n  \"id\": \"p--3\", \"source\": \"p\",\n  \"nom\": \"Lieu trois\", \"date_maj\": "
      "\"2026-01-01\"\n}\n"};
  report = ImportDataInclusion(*d.db, *d.service, input);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->counts.structures_created, 1);
  input.structures = ImportFile{"empty.json", " [ ] "};
  report = ImportDataInclusion(*d.db, *d.service, input);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->structures_lues, 0);
}

TEST(DirectoryImport, UnreadableFilesWriteNothing) {
  Directory d;
  for (const auto& [name, text, message] : {
           std::tuple{"tronque.json",
                      std::string(R"([{"id": "t--1", "source": "t", "nom": "Lieu", "date_maj": )"
                                  R"("2026-01-01"}, {"id": "t--2")"),
                      "tronque.json : JSON tronqué : le tableau n'est pas fermé (élément 2)."},
           std::tuple{"guillemet.csv",
                      std::string("id,source,nom,date_maj\nq--1,q,Lieu un,2026-01-01\n"
                                  "q--2,q,\"Lieu deux,2026-01-01\n"),
                      "guillemet.csv : ligne 3 : guillemet ouvrant sans guillemet fermant."},
           std::tuple{"sans-id.csv", std::string("nom,date_maj\nLieu,2026-01-01\n"),
                      "sans-id.csv : ligne 1 : colonne « id » absente de l'en-tête (les colonnes "
                      "portent les noms du schéma data·inclusion)."},
           std::tuple{"apres.json",
                      std::string(R"([{"id": "t--1", "source": "t", "nom": "Lieu", )"
                                  R"("date_maj": "2026-01-01"}] x)"),
                      "apres.json : texte après la fin du tableau JSON."},
       }) {
    DataInclusionInput input;
    input.structures = ImportFile{name, text};
    auto report = ImportDataInclusion(*d.db, *d.service, input);
    ASSERT_FALSE(report) << name;
    EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(report.error().message, message);
  }
  EXPECT_TRUE(d.Structures().empty());
  EXPECT_FALSE(ImportDataInclusion(*d.db, *d.service, DataInclusionInput{}));
}

TEST(DirectoryImport, AFailedBatchLeavesEarlierBatchesWholeAndNothingOfItself) {
  Directory d;
  FailingStore failing(*d.store, 2);
  dir::DirectoryService service(failing, *d.territory, *d.audit, d.clock);
  DataInclusionInput input;
  input.structures = FixtureFile("structures.json");
  ImportOptions options;
  options.batch_size = 4;
  auto report = ImportDataInclusion(*d.db, service, input, options);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kUnavailable);
  // The first batch (four accepted structures, in file order) is there, complete.
  const auto stored = d.Structures();
  ASSERT_EQ(stored.size(), 4u);
  std::set<std::string> ids;
  for (const auto& s : stored) ids.insert(s.source_id);
  EXPECT_EQ(ids, (std::set<std::string>{"ccas-rennes", "mairie-bain", "esc-cleunay", "minimal"}));
  auto ccas = d.Structure("essai", "ccas-rennes");
  ASSERT_TRUE(ccas);
  EXPECT_EQ(ccas->accessibilite_lieu,
            "https://acceslibre.beta.gouv.fr/app/35-rennes/a/mairie/erp/ccas/");
  EXPECT_FALSE(d.Structure("essai", "pimms"));
  EXPECT_FALSE(d.Structure("essai", "cias-vallons"));
}

TEST(DirectoryImport, ProgressIsReportedPerBatch) {
  Directory d;
  std::vector<std::string> seen;
  ImportOptions options;
  options.batch_size = 4;
  options.progress = [&](std::string_view what, std::int64_t done, std::int64_t total) {
    seen.push_back(std::string(what) + " " + std::to_string(done) + "/" + std::to_string(total));
  };
  ASSERT_TRUE(ImportDataInclusion(*d.db, *d.service, JsonFixtures(), options));
  EXPECT_EQ(seen, (std::vector<std::string>{"structures 4/6", "structures 6/6", "services 4/5",
                                            "services 5/5"}));
  // Structures alone: those with services are reindexed (their services' index names them).
  seen.clear();
  DataInclusionInput structures;
  structures.structures = FixtureFile("structures.json");
  auto report = ImportDataInclusion(*d.db, *d.service, structures, options);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->structures_reindexees, 5);
  EXPECT_EQ(seen.back(), "index 5/5");
}

// ---------------------------------------------------------------------------------------
// France services.

TEST(FranceServicesImport, TenRowsOfTheOfficialFormat) {
  Directory d;
  const ImportFile file = FixtureFile("france_services_liste-fs-20240801.csv");
  EXPECT_EQ(DateFromFileName(file.name), "2024-08-01");
  auto report = ImportFranceServices(*d.db, *d.service, file, "2024-08-01");
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->structures_lues, 10);
  EXPECT_EQ(report->counts, (dir::BulkCounts{9, 0, 9, 0}));
  ASSERT_EQ(report->rejets.size(), 1u);
  EXPECT_EQ(report->rejets[0].position, "ligne 11");
  EXPECT_EQ(report->rejets[0].id, "france-services--9");
  EXPECT_EQ(report->rejets[0].champ, "code_insee");
  // Warnings: hours that cannot be read (line 5), two e-mails (line 6, the row spans two
  // lines), no hours at all (line 8).
  EXPECT_EQ(Positions(report->alertes),
            (std::vector<std::string>{file.name + " ligne 5", file.name + " ligne 6",
                                      file.name + " ligne 8"}));
  EXPECT_EQ(report->alertes[0].champ, "h_lundi");
  EXPECT_NE(report->alertes[0].raison.find("lieu importé sans horaires"), std::string::npos);
  EXPECT_EQ(report->alertes[1].raison,
            "Plusieurs adresses de courriel : seule « france-services@ccvo.example.fr » est "
            "gardée.");

  auto valserhone = d.Structure("france-services", "1");
  ASSERT_TRUE(valserhone);
  EXPECT_EQ(valserhone->nom, "France services de Valserhône");
  EXPECT_EQ(valserhone->date_maj, "2024-08-01");
  EXPECT_EQ(valserhone->code_insee, "01033");
  EXPECT_EQ(valserhone->reseaux_porteurs, (std::vector<std::string>{"france-service"}));
  ASSERT_TRUE(valserhone->horaires_accueil);
  EXPECT_TRUE(openinghours::OpeningHours::Parse(*valserhone->horaires_accueil));
  auto services = d.store->ServicesOf(valserhone->id);
  ASSERT_TRUE(services && services->size() == 1);
  const dir::Service& offer = services->front();
  EXPECT_EQ(offer.nom, "Accompagnement aux démarches administratives");
  EXPECT_EQ(offer.type, "accompagnement");
  EXPECT_EQ(offer.frais, "gratuit");
  EXPECT_EQ(offer.publics, (std::vector<std::string>{"tous-publics"}));
  EXPECT_EQ(offer.modes_accueil, (std::vector<std::string>{"en-presentiel", "a-distance"}));
  ASSERT_EQ(offer.thematiques.size(), 3u);
  for (const auto& t : offer.thematiques) {
    EXPECT_TRUE(dir::IsValid(dir::Referentiel::kThematique, t)) << t;
  }
  EXPECT_EQ(offer.horaires_accueil, valserhone->horaires_accueil);

  auto bus = d.Structure("france-services", "3");
  ASSERT_TRUE(bus && bus->description);
  EXPECT_NE(bus->description->find("Bus France services"), std::string::npos);
  auto bus_services = d.store->ServicesOf(bus->id);
  ASSERT_TRUE(bus_services && bus_services->size() == 1);
  EXPECT_NE(bus_services->front().description.find("Bus France services"), std::string::npos);
  EXPECT_NE(bus_services->front().description.find("\"selon le calendrier\""), std::string::npos);

  auto nouvion = d.Structure("france-services", "4");
  ASSERT_TRUE(nouvion);
  EXPECT_FALSE(nouvion->horaires_accueil);
  auto ribemont = d.Structure("france-services", "5");
  ASSERT_TRUE(ribemont);
  EXPECT_EQ(ribemont->adresse, "12, Place du Château");
  EXPECT_EQ(ribemont->complement_adresse, "Bâtiment B, 1er étage");
  EXPECT_EQ(ribemont->courriel, "france-services@ccvo.example.fr");
  auto itinerant = d.Structure("france-services", "6");
  ASSERT_TRUE(itinerant && itinerant->description);
  EXPECT_NE(itinerant->description->find("itinérante"), std::string::npos);
  auto antenne = d.Structure("france-services", "8");
  ASSERT_TRUE(antenne && antenne->description);
  EXPECT_TRUE(antenne->description->starts_with("Antenne d'un espace France services"));
  auto antenne_services = d.store->ServicesOf(antenne->id);
  ASSERT_TRUE(antenne_services && antenne_services->size() == 1);
  EXPECT_EQ(antenne_services->front().modes_accueil,
            (std::vector<std::string>{"en-presentiel"}));  // no phone
  EXPECT_TRUE(d.Structure("france-services", "10"));       // Corsica: 2A247

  auto again = ImportFranceServices(*d.db, *d.service, file, "2024-08-01");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->counts, (dir::BulkCounts{0, 9, 0, 9}));
  EXPECT_EQ(d.Structures().size(), 9u);
}

TEST(FranceServicesImport, MalformedFiles) {
  Directory d;
  const std::string header =
      "id_fs,insee_dep,lib_fs,adresse,complement_adresse,insee_com,code_postal,lib_com,latitude,"
      "longitude,mail,telephone,h_lundi,h_mardi,h_mercredi,h_jeudi,h_vendredi,h_samedi,"
      "prise_rdv,commentaire,type_fs,format_fs,groupe_fs,labellisation_fs";
  const std::string row =
      "\"1\",\"35\",\"France services de Guichen\",\"Place Le Cornec\",,\"35126\",\"35580\","
      "\"Guichen\",47.96,-1.79,\"guichen@exemple.fr\",\"02 99 00 00 07\",\"09:00 - 12:00\",,,,,,"
      "\"Non\",,\"Principal\",\"Fixe\",,\"Espace labellisé 01/01/2022\"";
  // BOM and CRLF are fine.
  auto ok = ImportFranceServices(*d.db, *d.service,
                                 {"bom.csv", "\xEF\xBB\xBF" + header + "\r\n" + row + "\r\n"},
                                 "2024-08-01");
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->counts.structures_created, 1);
  EXPECT_TRUE(ok->rejets.empty());
  auto guichen = d.Structure("france-services", "1");
  ASSERT_TRUE(guichen);
  EXPECT_EQ(guichen->horaires_accueil, "Mo 09:00-12:00");

  auto missing = ImportFranceServices(*d.db, *d.service,
                                      {"sans-mail.csv", "id_fs,lib_fs\n1,Lieu\n"}, "2024-08-01");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "adresse");
  EXPECT_EQ(missing.error().message,
            "sans-mail.csv : ligne 1 : colonne « adresse » absente de l'en-tête (liste France "
            "services de l'ANCT attendue).");

  auto unterminated = ImportFranceServices(
      *d.db, *d.service, {"q.csv", header + "\n" + row + "\n\"2\",\"35\",\"Ouvert\n"},
      "2024-08-01");
  ASSERT_FALSE(unterminated);
  EXPECT_EQ(unterminated.error().message,
            "q.csv : ligne 3 : guillemet ouvrant sans guillemet fermant.");

  auto after_quote = ImportFranceServices(*d.db, *d.service,
                                          {"a.csv", header + "\n\"2\"x,\"35\"\n"}, "2024-08-01");
  ASSERT_FALSE(after_quote);
  EXPECT_NE(after_quote.error().message.find("après un guillemet fermant"), std::string::npos);

  auto short_row = ImportFranceServices(*d.db, *d.service,
                                        {"court.csv", header + "\n\"3\",\"35\"\n"}, "2024-08-01");
  ASSERT_TRUE(short_row);
  ASSERT_EQ(short_row->rejets.size(), 1u);
  EXPECT_EQ(short_row->rejets[0].raison, "2 champs au lieu de 24.");

  auto empty = ImportFranceServices(*d.db, *d.service, {"vide.csv", ""}, "2024-08-01");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "vide.csv : fichier vide.");
  EXPECT_EQ(d.Structures().size(), 1u);
}

// ---------------------------------------------------------------------------------------
// Export.

TEST(DirectoryExport, RoundTripGivesTheSameRecords) {
  Directory d;
  ASSERT_TRUE(ImportDataInclusion(*d.db, *d.service, JsonFixtures()));
  ASSERT_TRUE(ImportFranceServices(
      *d.db, *d.service, FixtureFile("france_services_liste-fs-20240801.csv"), "2024-08-01"));
  // An unpublished structure is not exported, nor are its services.
  auto minimal = d.Structure("essai", "minimal");
  ASSERT_TRUE(minimal);
  minimal->publie = false;
  ASSERT_TRUE(d.store->SaveStructure(*minimal, {}));

  const auto out = TempDir();
  auto exported = ExportDataInclusion(*d.store, out, /*page_size=*/4);
  ASSERT_TRUE(exported) << exported.error().ToString();
  EXPECT_EQ(exported->structures, 6 + 9 - 1);
  EXPECT_EQ(exported->services, 5 + 9 - 1);
  const json structures = ReadJson(out / "structures.json");
  const json services = ReadJson(out / "services.json");
  ASSERT_TRUE(structures.is_array());
  ASSERT_EQ(structures.size(), 14u);
  ASSERT_EQ(services.size(), 13u);
  std::set<std::string> structure_ids;
  for (const auto& s : structures) {
    EXPECT_EQ(s.size(), 20u);
    structure_ids.insert(s["id"].get<std::string>());
  }
  EXPECT_FALSE(structure_ids.contains("essai--minimal"));
  for (const auto& s : services) {
    EXPECT_EQ(s.size(), 33u);
    EXPECT_TRUE(structure_ids.contains(s["structure_id"].get<std::string>())) << s["id"];
  }
  EXPECT_FALSE(std::filesystem::exists(out / "structures.json.tmp"));

  // Re-imported elsewhere, the records are the same.
  Directory copy;
  DataInclusionInput input;
  input.structures = ImportFile{"structures.json", ReadJson(out / "structures.json").dump()};
  input.services = ImportFile{"services.json", ReadJson(out / "services.json").dump()};
  auto reimported = ImportDataInclusion(*copy.db, *copy.service, input);
  ASSERT_TRUE(reimported) << reimported.error().ToString();
  EXPECT_TRUE(reimported->rejets.empty()) << reimported->rejets.front().raison;
  EXPECT_EQ(reimported->counts, (dir::BulkCounts{14, 0, 13, 0}));
  const auto out2 = TempDir();
  ASSERT_TRUE(ExportDataInclusion(*copy.store, out2));
  EXPECT_EQ(ReadJson(out2 / "structures.json"), structures);
  EXPECT_EQ(ReadJson(out2 / "services.json"), services);
  std::filesystem::remove_all(out);
  std::filesystem::remove_all(out2);
}

TEST(DirectoryExport, EmptyDirectoryAndUnwritableFolder) {
  Directory d;
  const auto out = TempDir();
  auto exported = ExportDataInclusion(*d.store, out);
  ASSERT_TRUE(exported);
  EXPECT_EQ(ReadJson(out / "structures.json"), json::array());
  EXPECT_EQ(ReadJson(out / "services.json"), json::array());
  std::ofstream(out / "fichier") << "x";
  auto refused = ExportDataInclusion(*d.store, out / "fichier" / "dessous");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "out");
  std::filesystem::remove_all(out);
}

// ---------------------------------------------------------------------------------------
// Report helpers.

TEST(ImportReportText, CsvTableProgressAndDates) {
  const std::vector<ImportIssue> issues = {
      {"s.csv", "ligne 2", "a--1", "nom", "Le nom, trop court."},
      {"s.csv", "ligne 3", "=HYPERLINK(\"x\")", "", "Formule"}};
  EXPECT_EQ(IssuesCsv(issues),
            "fichier,position,id,champ,raison\n"
            "s.csv,ligne 2,a--1,nom,\"Le nom, trop court.\"\n"
            "s.csv,ligne 3,\"'=HYPERLINK(\"\"x\"\")\",,Formule\n");
  EXPECT_EQ(IssuesTable(issues, 1),
            "fichier  position  id    champ  raison\n"
            "s.csv    ligne 2   a--1  nom    Le nom, trop court.\n"
            "… et 1 autres.\n");
  EXPECT_EQ(ProgressLine("services", 12000, 100000),
            "Import : 12 000 / 100 000 services [##                  ] 12 %");
  EXPECT_EQ(ProgressLine("index", 5, 5), "Index : 5 / 5 structures [####################] 100 %");
  EXPECT_EQ(GroupThousands(0), "0");
  EXPECT_EQ(GroupThousands(1234567), "1 234 567");
  EXPECT_EQ(DateFromFileName("data/france_services_liste-fs-20240801.csv"), "2024-08-01");
  EXPECT_EQ(DateFromFileName("liste-123456789.csv"), "");
  EXPECT_EQ(DateFromFileName("liste-20241301.csv"), "");
  EXPECT_EQ(DateFromFileName("liste.csv"), "");
}

}  // namespace
}  // namespace pasip::app
