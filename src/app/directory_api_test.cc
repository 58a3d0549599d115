// HTTP tests of the directory's JSON API against the real server on 127.0.0.1 (free port),
// on SQLite: search (text, filters, place and radius, open at an instant, pages, facets),
// parameter errors, public and professional views, unpublished records, the write policy
// by role and its audit entries, the data·inclusion export, commune autocompletion and the
// opening-hours checker.
//
// The records live in Lozère (48), far from the demo territory (Ille-et-Vilaine), and every
// search is scoped to them (a place and radius, or a word only they contain), so that
// whatever the demo holds does not change the counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "app/application.h"
#include "app/demo.h"
#include "core/crypto.h"
#include "domain/identity/totp.h"
#include "domain/territory/model.h"
#include "http/server.h"
#include "tests/support/http_client.h"

namespace pasip::app {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResponse;

// The members of the official data·inclusion v1 schemas (schemas/v1/structure.json and
// service.json), which every exported record must carry, and carry only.
const std::set<std::string> kDataInclusionStructureMembers = {"accessibilite_lieu",
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
                                                              "telephone"};
const std::set<std::string> kDataInclusionServiceMembers = {"adresse",
                                                            "code_insee",
                                                            "code_postal",
                                                            "commune",
                                                            "complement_adresse",
                                                            "conditions_acces",
                                                            "contact_nom_prenom",
                                                            "courriel",
                                                            "date_maj",
                                                            "description",
                                                            "frais",
                                                            "frais_precisions",
                                                            "horaires_accueil",
                                                            "id",
                                                            "latitude",
                                                            "lien_mobilisation",
                                                            "lien_source",
                                                            "longitude",
                                                            "mobilisable_par",
                                                            "mobilisation_precisions",
                                                            "modes_accueil",
                                                            "modes_mobilisation",
                                                            "nom",
                                                            "nombre_semaines",
                                                            "publics",
                                                            "publics_precisions",
                                                            "source",
                                                            "structure_id",
                                                            "telephone",
                                                            "thematiques",
                                                            "type",
                                                            "volume_horaire_hebdomadaire",
                                                            "zone_eligibilite"};

std::set<std::string> Members(const json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

// Lozère communes (COG codes, centres, La Poste codes).
std::vector<territory::Commune> LozereCommunes() {
  const auto make = [](std::string code, std::string name, double lat, double lon,
                       std::int64_t population, std::string postcode) {
    territory::Commune c;
    c.code = std::move(code);
    c.name = std::move(name);
    c.departement = "48";
    c.region = "76";
    c.latitude = lat;
    c.longitude = lon;
    c.population = population;
    c.codes_postaux = {std::move(postcode)};
    return c;
  };
  return {make("48095", "Mende", 44.5181, 3.5006, 11959, "48000"),
          make("48092", "Marvejols", 44.5536, 3.2908, 4844, "48100"),
          make("48061", "Florac Trois Rivières", 44.3243, 3.5936, 2055, "48400"),
          make("48080", "Langogne", 44.7270, 3.8550, 2857, "48300"),
          make("48146", "Saint-Chély-d'Apcher", 44.8019, 3.2767, 4046, "48200")};
}

class DirectoryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::InitCrypto();
    dir_ = std::filesystem::temp_directory_path() / ("pasip-annuaire-" + crypto::RandomToken(6));
    std::filesystem::create_directories(dir_ / "web" / "css");
    std::ofstream(dir_ / "web" / "css" / "pasip.css") << "body { margin: 0; }\n";
    Config config;
    config.database_url = "sqlite://" + (dir_ / "pasip.db").string();
    config.static_dir = (dir_ / "web").string();
    config.listen_port = 0;
    config.threads = 2;
    auto app = Application::Open(config, clock_);
    ASSERT_TRUE(app) << app.error().ToString();
    app_ = std::move(*app);
    // Without the communes files: only the demo's own communes, whatever the machine has.
    auto accounts = CreateDemoTerritory(*app_, {});
    ASSERT_TRUE(accounts) << accounts.error().ToString();
    for (const auto& a : *accounts) accounts_[a.role] = a;
    const auto communes = LozereCommunes();
    ASSERT_TRUE(app_->services().territory.UpsertCommunes(communes));

    http::ServerOptions options = app_->ServerOptions();
    options.default_headers = SecurityHeaders();
    server_ = std::make_unique<http::Server>(
        options, [this](http::Request& r) { return app_->Handle(r); },
        [this](const http::Exchange& e) { app_->Observe(e); });
    ASSERT_TRUE(server_->Start());
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResponse Send(std::string_view method, std::string_view target,
                    const testing::HeaderList& headers = {}, std::string_view body = {}) {
    auto r = client_->Send(method, target, headers, body);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : HttpResponse{};
  }
  HttpResponse Get(std::string_view target, const std::string& cookie = "") {
    testing::HeaderList h;
    if (!cookie.empty()) h.emplace_back("Cookie", cookie);
    return Send("GET", target, h);
  }
  HttpResponse WithJson(std::string_view method, std::string_view target, const json& body,
                        const std::string& cookie) {
    testing::HeaderList h{{"Content-Type", "application/json"}};
    if (!cookie.empty()) h.emplace_back("Cookie", cookie);
    return Send(method, target, h, body.dump());
  }
  HttpResponse Delete(std::string_view target, const std::string& cookie) {
    testing::HeaderList h;
    if (!cookie.empty()) h.emplace_back("Cookie", cookie);
    return Send("DELETE", target, h);
  }

  // Signs in through the API (once per role); returns "__Host-pasip=<token>".
  const std::string& SignIn(const std::string& role) {
    auto& cookie = cookies_[role];
    if (!cookie.empty()) return cookie;
    const DemoAccount& a = accounts_.at(role);
    json body = {{"email", a.email}, {"password", a.password}};
    if (!a.totp_secret.empty()) {
      body["totp"] = identity::TotpCode(a.totp_secret, clock_.Now());
      clock_.Advance(std::chrono::seconds(30));  // the next sign-in needs a fresh code
    }
    const HttpResponse r = WithJson("POST", "/api/v1/session", body, "");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set_cookie = r.Header("Set-Cookie");
    cookie = set_cookie.substr(0, set_cookie.find(';'));
    return cookie;
  }

  json Me(const std::string& role) { return Body(Get("/api/v1/moi", SignIn(role))); }
  std::int64_t OrganisationOf(const std::string& role) {
    return Me(role)["roles"][0]["organisation_id"].get<std::int64_t>();
  }

  static json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  std::int64_t Create(std::string_view collection, const json& body,
                      const std::string& role = "coordination") {
    const HttpResponse r =
        WithJson("POST", "/api/v1/" + std::string(collection), body, SignIn(role));
    EXPECT_EQ(r.status, 201) << r.body;
    const json created = Body(r);
    if (!created.is_object() || !created.contains("pasip_id")) return 0;
    const std::int64_t id = created["pasip_id"].get<std::int64_t>();
    EXPECT_EQ(r.Header("Location"),
              "/api/v1/" + std::string(collection) + "/" + std::to_string(id));
    return id;
  }

  // Four structures in Lozère (one unpublished) and five services. Every service's
  // description says "Gévaudan", a word nothing else in the directory uses.
  void Seed() {
    const std::int64_t org = OrganisationOf("coordination");
    json label = json::object();
    for (const char* c :
         {"sans_condition", "ecoute_globale", "information_droits", "orientation",
          "accueil_physique", "accueil_telephonique", "accueil_numerique", "sans_rendez_vous",
          "sur_rendez_vous", "horaires_adaptes", "accessible_pmr", "espace_confidentiel"}) {
      label[c] = true;
    }
    mende_ = Create("structures", {{"nom", "Maison des solidarités de Mende"},
                                   {"description", "Accueil social inconditionnel de proximité."},
                                   {"adresse", "1 rue de l'Exemple"},
                                   {"code_postal", "48000"},
                                   {"code_insee", "48095"},
                                   {"commune", "Mende"},
                                   {"latitude", 44.5181},
                                   {"longitude", 3.5006},
                                   {"telephone", "04 66 00 00 01"},
                                   {"horaires_accueil", "Mo-Fr 09:00-12:00,13:30-17:00"},
                                   {"organisation_id", org},
                                   {"label_pasip", label},
                                   {"accessibilite", {{"langues", {"en", "ar"}}, {"pmr", true}}},
                                   {"referents",
                                    {{{"nom", "Jeanne Référente"},
                                      {"fonction", "Cheffe de service"},
                                      {"telephone", "04 66 00 00 99"},
                                      {"courriel", "jeanne.referente@exemple.fr"}}}}});
    marvejols_ = Create("structures", {{"nom", "Centre social de Marvejols"},
                                       {"code_insee", "48092"},
                                       {"commune", "Marvejols"},
                                       {"latitude", 44.5536},
                                       {"longitude", 3.2908},
                                       {"horaires_accueil", "Mo-Fr 14:00-18:00"},
                                       {"organisation_id", org}});
    langogne_ = Create("structures", {{"nom", "Point accueil de Langogne"},
                                      {"code_insee", "48080"},
                                      {"commune", "Langogne"},
                                      {"latitude", 44.7270},
                                      {"longitude", 3.8550},
                                      {"horaires_accueil", "Tu,Th 09:00-12:00"},
                                      {"organisation_id", org}});
    florac_ = Create("structures", {{"nom", "Antenne de Florac"},
                                    {"code_insee", "48061"},
                                    {"commune", "Florac Trois Rivières"},
                                    {"latitude", 44.3243},
                                    {"longitude", 3.5936},
                                    {"organisation_id", org},
                                    {"publie", false}});
    demarches_ =
        Create("services",
               {{"structure", mende_},
                {"nom", "Aide aux démarches administratives"},
                {"description", "Accompagnement aux démarches en ligne, dans tout le Gévaudan."},
                {"thematiques",
                 {"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-"
                  "administratives"}},
                {"publics", {"tous-publics"}},
                {"type", "accompagnement"},
                {"frais", "gratuit"},
                {"modes_accueil", {"en-presentiel"}},
                {"telephone", "04 66 11 11 11"},
                {"contacts_publics", false}});
    parentalite_ =
        Create("services", {{"structure", mende_},
                            {"nom", "Soutien à la parentalité"},
                            {"description", "Écoute des parents du Gévaudan et ateliers."},
                            {"thematiques", {"famille--soutien-a-la-parentalite-et-a-leducation"}},
                            {"publics", {"familles"}},
                            {"type", "information"},
                            {"frais", "gratuit"}});
    garde_ = Create("services", {{"structure", marvejols_},
                                 {"nom", "Garde d'enfants"},
                                 {"description", "Relais petite enfance du Gévaudan."},
                                 {"thematiques", {"famille--garde-denfants"}},
                                 {"publics", {"familles"}},
                                 {"type", "accompagnement"},
                                 {"frais", "payant"}});
    epicerie_ = Create("services", {{"structure", langogne_},
                                    {"nom", "Épicerie solidaire"},
                                    {"description", "Produits à petit prix en Gévaudan."},
                                    {"thematiques", {"equipement-et-alimentation--alimentation"}},
                                    {"publics", {"tous-publics"}},
                                    {"type", "aide-materielle"},
                                    {"frais", "payant"}});
    soins_ = Create("services", {{"structure", florac_},
                                 {"nom", "Accès aux soins"},
                                 {"description", "Permanence santé du Gévaudan."},
                                 {"thematiques", {"sante--acces-aux-soins"}},
                                 {"publics", {"tous-publics"}}});
  }

  static std::vector<std::int64_t> Ids(const json& page) {
    std::vector<std::int64_t> ids;
    for (const json& item : page["items"]) ids.push_back(item["pasip_id"].get<std::int64_t>());
    return ids;
  }

  // Wednesday 4 March 2026, 10:00 in Paris: a week without public holidays.
  ManualClock clock_{*ParseIso("2026-03-04T09:00:00Z")};
  std::filesystem::path dir_;
  std::unique_ptr<Application> app_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<HttpClient> client_;
  std::map<std::string, DemoAccount> accounts_;
  std::map<std::string, std::string> cookies_;
  std::int64_t mende_ = 0, marvejols_ = 0, langogne_ = 0, florac_ = 0;
  std::int64_t demarches_ = 0, parentalite_ = 0, garde_ = 0, epicerie_ = 0, soins_ = 0;
};

constexpr char kAroundMende[] = "commune=48095&rayon_km=100";

TEST_F(DirectoryApiTest, SearchAroundACommuneIsSortedByDistance) {
  Seed();
  const HttpResponse r = Get(std::string("/api/v1/structures?") + kAroundMende);
  ASSERT_EQ(r.status, 200) << r.body;
  const json page = Body(r);
  // The unpublished structure is not shown to the public.
  EXPECT_EQ(Ids(page), (std::vector<std::int64_t>{mende_, marvejols_, langogne_}));
  EXPECT_EQ(page["total"], 3);
  EXPECT_TRUE(page["suivant"].is_null());
  EXPECT_EQ(page["commune"]["code"], "48095");
  EXPECT_EQ(page["commune"]["nom"], "Mende");
  double previous = -1;
  for (const json& item : page["items"]) {
    ASSERT_TRUE(item.contains("distance_km")) << item.dump();
    const double d = item["distance_km"].get<double>();
    EXPECT_GE(d, previous);
    EXPECT_DOUBLE_EQ(d, std::round(d * 10) / 10);  // rounded to 0.1 km
    previous = d;
    EXPECT_TRUE(item["lieu"]["latitude"].is_number());
    EXPECT_FALSE(item["lieu"]["itinerant"].get<bool>());
    const std::string etat = item["ouverture"]["etat"];
    EXPECT_TRUE(etat == "ouvert" || etat == "ferme" || etat == "inconnu") << etat;
  }
  EXPECT_EQ(page["items"][0]["distance_km"], 0.0);
  EXPECT_NEAR(page["items"][1]["distance_km"].get<double>(), 17.1, 1.0);  // Marvejols

  // A smaller radius keeps the nearest ones.
  EXPECT_EQ(Ids(Body(Get("/api/v1/structures?commune=48095&rayon_km=20"))),
            (std::vector<std::int64_t>{mende_, marvejols_}));
  // Coordinates instead of a commune: Marvejols first, no commune in the answer.
  const json by_point = Body(Get("/api/v1/structures?lat=44.5536&lon=3.2908&rayon_km=100"));
  ASSERT_FALSE(by_point["items"].empty()) << by_point.dump();
  EXPECT_EQ(by_point["items"][0]["pasip_id"], marvejols_);
  EXPECT_FALSE(by_point.contains("commune"));
  // Unlocated searches carry no distance.
  const json unlocated = Body(Get("/api/v1/services?q=gevaudan"));
  ASSERT_EQ(unlocated["items"].size(), 4u) << unlocated.dump();
  for (const json& item : unlocated["items"]) EXPECT_FALSE(item.contains("distance_km"));
}

TEST_F(DirectoryApiTest, TextSearchAndFilters) {
  Seed();
  const auto services = [&](const std::string& query) {
    const HttpResponse r = Get(std::string("/api/v1/services?") + kAroundMende + "&" + query);
    EXPECT_EQ(r.status, 200) << query << " : " << r.body;
    std::vector<std::int64_t> ids = Ids(Body(r));
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  using Ids = std::vector<std::int64_t>;
  // French text: accents and endings do not matter.
  EXPECT_EQ(services("q=parentalite"), (Ids{parentalite_}));
  EXPECT_EQ(services("q=D%C3%A9marche"), (Ids{demarches_}));
  EXPECT_EQ(services("q=epiceries"), (Ids{epicerie_}));
  EXPECT_EQ(services("thematiques=famille--garde-denfants"), (Ids{garde_}));
  EXPECT_EQ(services("categories=famille"), (Ids{parentalite_, garde_}));
  EXPECT_EQ(services("frais=payant"), (Ids{garde_, epicerie_}));
  EXPECT_EQ(services("types=accompagnement,information"), (Ids{demarches_, parentalite_, garde_}));
  EXPECT_EQ(services("publics=familles&publics=tous-publics"),
            (Ids{demarches_, parentalite_, garde_, epicerie_}));
  EXPECT_EQ(services("publics=familles&frais=gratuit"), (Ids{parentalite_}));
  // Languages, PMR access and the PASIP label are the structure's.
  EXPECT_EQ(services("langues=ar"), (Ids{demarches_, parentalite_}));
  EXPECT_EQ(services("pmr=true"), (Ids{demarches_, parentalite_}));
  EXPECT_EQ(services("label_pasip=true"), (Ids{demarches_, parentalite_}));
  EXPECT_EQ(services("modes_accueil=a-distance"), (Ids{}));
  // Unknown parameters are ignored.
  EXPECT_EQ(services("inconnu=1&frais=payant"), (Ids{garde_, epicerie_}));

  // A service carries its structure's essentials.
  const json page = Body(Get(std::string("/api/v1/services?") + kAroundMende + "&q=garde"));
  ASSERT_EQ(page["items"].size(), 1u) << page.dump();
  const json& item = page["items"][0];
  EXPECT_EQ(item["structure"]["pasip_id"], marvejols_);
  EXPECT_EQ(item["structure"]["nom"], "Centre social de Marvejols");
  EXPECT_EQ(item["structure"]["commune"], "Marvejols");
  EXPECT_TRUE(item["structure"].contains("telephone"));
  EXPECT_EQ(item["thematiques"], json::array({"famille--garde-denfants"}));
}

TEST_F(DirectoryApiTest, OpenAtAnInstant) {
  Seed();
  // Monday 2 March 2026, 10:00 in Paris (CET): only Mende (Mo-Fr 09:00-12:00) is open.
  const std::string monday_morning = "ouvert_a=2026-03-02T10:00:00%2B01:00";
  json page = Body(Get(std::string("/api/v1/structures?") + kAroundMende + "&" + monday_morning));
  ASSERT_EQ(Ids(page), (std::vector<std::int64_t>{mende_})) << page.dump();
  EXPECT_EQ(page["items"][0]["ouverture"]["etat"], "ouvert");
  EXPECT_EQ(page["items"][0]["ouverture"]["prochain"], "2026-03-02T11:00:00Z");  // 12:00 Paris
  EXPECT_EQ(page["items"][0]["ouverture"]["aujourdhui"], "9 h – 12 h, 13 h 30 – 17 h");
  // Monday 15:00: Mende and Marvejols.
  page = Body(
      Get(std::string("/api/v1/structures?") + kAroundMende + "&ouvert_a=2026-03-02T14:00:00Z"));
  EXPECT_EQ(Ids(page), (std::vector<std::int64_t>{mende_, marvejols_}));
  // Sunday: nothing.
  page = Body(
      Get(std::string("/api/v1/structures?") + kAroundMende + "&ouvert_a=2026-03-01T10:00:00Z"));
  EXPECT_EQ(page["total"], 0);
  EXPECT_TRUE(page["items"].empty());
  // Without a filter, the state is given at the instant asked.
  page = Body(Get(std::string("/api/v1/services?") + kAroundMende +
                  "&q=garde&ouvert_a=2026-03-02T08:00:00Z"));
  ASSERT_EQ(page["items"].size(), 0u);  // Marvejols opens at 14:00
  page = Body(Get(std::string("/api/v1/services?") + kAroundMende + "&q=garde"));
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_TRUE(page["items"][0]["ouverture"].contains("etat"));
}

TEST_F(DirectoryApiTest, TemporaryClosuresCloseThePlace) {
  Seed();
  // Closed from today (Wednesday) to Friday, then from Saturday to Monday: open again on
  // Tuesday at 09:00 in Paris.
  const HttpResponse patched = WithJson("PATCH", "/api/v1/structures/" + std::to_string(mende_),
                                        {{"avis",
                                          {{{"debut", "2026-03-04"},
                                            {"fin", "2026-03-06"},
                                            {"message", "Fermé pour travaux."},
                                            {"fermeture", true}},
                                           {{"debut", "2026-03-07"},
                                            {"fin", "2026-03-09"},
                                            {"message", "Fermé pour inventaire."},
                                            {"fermeture", true}}}}},
                                        SignIn("coordination"));
  ASSERT_EQ(patched.status, 200) << patched.body;
  const json detail = Body(Get("/api/v1/structures/" + std::to_string(mende_)));
  EXPECT_EQ(detail["ouverture"]["etat"], "ferme");
  EXPECT_EQ(detail["ouverture"]["aujourdhui"], "fermé exceptionnellement");
  EXPECT_EQ(detail["ouverture"]["prochain"], "2026-03-10T08:00:00Z");
  EXPECT_EQ(detail["avis"][0]["message"], "Fermé pour travaux.");
  // Its services say the same.
  const json service = Body(Get("/api/v1/services/" + std::to_string(parentalite_)));
  EXPECT_EQ(service["ouverture"]["etat"], "ferme");
  EXPECT_EQ(service["ouverture"]["prochain"], "2026-03-10T08:00:00Z");

  const json open_now =
      Body(Get(std::string("/api/v1/structures?") + kAroundMende + "&ouvert_maintenant=true"));
  for (const json& item : open_now["items"]) EXPECT_NE(item["pasip_id"], mende_);
  const json all = Body(Get(std::string("/api/v1/structures?") + kAroundMende));
  ASSERT_FALSE(all["items"].empty());
  EXPECT_EQ(all["items"][0]["pasip_id"], mende_);
  EXPECT_EQ(all["items"][0]["ouverture"]["etat"], "ferme");
  EXPECT_EQ(all["items"][0]["ouverture"]["prochain"], "2026-03-10T08:00:00Z");
  // Monday it is still closed; Tuesday it is open again.
  const json monday = Body(
      Get(std::string("/api/v1/structures?") + kAroundMende + "&ouvert_a=2026-03-09T09:00:00Z"));
  for (const json& item : monday["items"]) EXPECT_NE(item["pasip_id"], mende_);
  const json tuesday = Body(
      Get(std::string("/api/v1/structures?") + kAroundMende + "&ouvert_a=2026-03-10T09:00:00Z"));
  ASSERT_FALSE(tuesday["items"].empty());
  EXPECT_EQ(tuesday["items"][0]["pasip_id"], mende_);
}

TEST_F(DirectoryApiTest, ItinerantStopsAreLocations) {
  const std::int64_t bus = Create("structures", {{"nom", "Bus France services de Lozère"},
                                                 {"code_insee", "48095"},
                                                 {"commune", "Mende"},
                                                 {"latitude", 44.5181},
                                                 {"longitude", 3.5006},
                                                 {"horaires_accueil", "Mo 09:00-12:00"},
                                                 {"arrets",
                                                  {{{"lieu", "Place du Foirail"},
                                                    {"code_insee", "48146"},
                                                    {"latitude", 44.8019},
                                                    {"longitude", 3.2767},
                                                    {"horaires", "We 09:00-12:00"}}}}});
  const std::string around = "/api/v1/structures?commune=48146&rayon_km=10";
  json page = Body(Get(around));
  ASSERT_EQ(Ids(page), (std::vector<std::int64_t>{bus})) << page.dump();
  const json& lieu = page["items"][0]["lieu"];
  EXPECT_TRUE(lieu["itinerant"].get<bool>());
  EXPECT_EQ(lieu["lieu"], "Place du Foirail");
  EXPECT_EQ(lieu["code_insee"], "48146");
  EXPECT_EQ(page["items"][0]["distance_km"], 0.0);
  // Wednesday 10:00: the bus is at its stop, open.
  EXPECT_EQ(page["items"][0]["ouverture"]["etat"], "ouvert");
  EXPECT_TRUE(Body(Get(around + "&itinerants=false"))["items"].empty());
}

TEST_F(DirectoryApiTest, PagesWalkEveryResultOnce) {
  Seed();
  for (const std::string& base : {std::string("/api/v1/services?") + kAroundMende + "&limite=1",
                                  std::string("/api/v1/services?q=gevaudan&limite=3")}) {
    std::vector<std::int64_t> seen;
    std::string next;
    std::int64_t total = -1;
    for (int pages = 0; pages < 10; ++pages) {
      const HttpResponse r = Get(base + (next.empty() ? "" : "&apres=" + next));
      ASSERT_EQ(r.status, 200) << r.body;
      const json page = Body(r);
      total = page["total"].get<std::int64_t>();
      for (std::int64_t id : Ids(page)) seen.push_back(id);
      if (page["suivant"].is_null()) break;
      next = page["suivant"].get<std::string>();
      ASSERT_FALSE(next.empty());
    }
    EXPECT_EQ(total, 4) << base;
    EXPECT_EQ(seen.size(), 4u) << base;
    EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), seen.size()) << base;
  }
  // Sorted by name without a place: Aide, Épicerie, Garde, Soutien.
  const json by_name = Body(Get("/api/v1/services?q=gevaudan"));
  EXPECT_EQ(Ids(by_name), (std::vector<std::int64_t>{demarches_, epicerie_, garde_, parentalite_}));
}

TEST_F(DirectoryApiTest, FacetsCountEveryResult) {
  Seed();
  const json page =
      Body(Get(std::string("/api/v1/services?") + kAroundMende + "&facettes=true&limite=1"));
  ASSERT_TRUE(page.contains("facettes")) << page.dump();
  const auto count = [&](const std::string& kind, const std::string& value) -> std::int64_t {
    if (!page["facettes"].contains(kind)) return 0;
    for (const json& f : page["facettes"][kind]) {
      if (f["valeur"] == value) {
        EXPECT_FALSE(f["libelle"].get<std::string>().empty());
        return f["nombre"].get<std::int64_t>();
      }
    }
    return 0;
  };
  EXPECT_EQ(count("categorie", "famille"), 2);
  EXPECT_EQ(count("thematique", "famille--garde-denfants"), 1);
  EXPECT_EQ(count("frais", "payant"), 2);
  EXPECT_EQ(count("frais", "gratuit"), 2);
  EXPECT_EQ(count("public", "tous-publics"), 2);
  EXPECT_EQ(count("type", "accompagnement"), 2);
  EXPECT_EQ(count("langue", "ar"), 2);
  for (const json& f : page["facettes"]["categorie"]) {
    if (f["valeur"] == "famille") {
      EXPECT_EQ(f["libelle"], "Famille");
    }
  }
  EXPECT_FALSE(Body(Get(std::string("/api/v1/services?") + kAroundMende)).contains("facettes"));
}

TEST_F(DirectoryApiTest, BadParametersAnswer400NamingTheParameter) {
  Seed();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/v1/services?thematiques=inconnue", "thematiques"},
      {"/api/v1/services?thematiques=famille--garde-denfants,inconnue", "thematiques"},
      {"/api/v1/services?categories=jardinage", "categories"},
      {"/api/v1/services?publics=martiens", "publics"},
      {"/api/v1/services?types=x", "types"},
      {"/api/v1/services?frais=gratis", "frais"},
      {"/api/v1/services?modes_accueil=courrier", "modes_accueil"},
      {"/api/v1/services?langues=zz", "langues"},
      {"/api/v1/services?limite=0", "limite"},
      {"/api/v1/services?limite=101", "limite"},
      {"/api/v1/structures?limite=dix", "limite"},
      {"/api/v1/structures?lat=44.5", "lon"},
      {"/api/v1/structures?lon=3.5", "lat"},
      {"/api/v1/structures?lat=quarante&lon=3.5", "lat"},
      {"/api/v1/structures?lat=95&lon=3.5", "lat"},
      {"/api/v1/structures?lat=44,5&lon=3.5", "lat"},
      {"/api/v1/structures?commune=48095&lat=44.5&lon=3.5", "commune"},
      {"/api/v1/structures?commune=123", "commune"},
      {"/api/v1/structures?commune=99999", "commune"},
      {"/api/v1/structures?commune=48095&rayon_km=-5", "rayon_km"},
      {"/api/v1/structures?commune=48095&rayon_km=5000", "rayon_km"},
      {"/api/v1/structures?ouvert_a=demain", "ouvert_a"},
      {"/api/v1/structures?ouvert_maintenant=peut-etre", "ouvert_maintenant"},
      {"/api/v1/structures?label_pasip=oui-non", "label_pasip"},
      {"/api/v1/structures?facettes=2", "facettes"},
      {"/api/v1/structures?apres=nimportequoi", "apres"},
      {"/api/v1/communes?q=men&limite=0", "limite"},
      {"/api/v1/communes?q=men&limite=51", "limite"},
      {"/api/v1/data-inclusion/structures?apres=-1", "apres"},
      {"/api/v1/data-inclusion/structures?apres=x", "apres"},
      {"/api/v1/data-inclusion/services?limite=1001", "limite"},
      {"/api/v1/horaires/verifier", "horaires"},
      {"/api/v1/horaires/verifier?horaires=Mo-Fr%2009:00-12:00&commune=metz", "commune"},
  };
  for (const auto& [target, field] : cases) {
    const HttpResponse r = Get(target);
    EXPECT_EQ(r.status, 400) << target << " : " << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << target;
    const json problem = Body(r);
    EXPECT_EQ(problem["champ"], field) << target << " : " << r.body;
    EXPECT_EQ(problem["status"], 400) << target;
    EXPECT_FALSE(problem["detail"].get<std::string>().empty()) << target;
  }
  // A cursor from a search by distance does not fit a search by name.
  const json first = Body(Get(std::string("/api/v1/services?") + kAroundMende + "&limite=1"));
  ASSERT_TRUE(first["suivant"].is_string());
  const HttpResponse mixed =
      Get("/api/v1/services?q=gevaudan&apres=" + first["suivant"].get<std::string>());
  EXPECT_EQ(mixed.status, 400);
  EXPECT_EQ(Body(mixed)["champ"], "apres");
  // The organisation filter is for professionals.
  const std::string org = std::to_string(OrganisationOf("coordination"));
  EXPECT_EQ(Get("/api/v1/structures?organisation=" + org).status, 403);
  const HttpResponse pro =
      Get(std::string("/api/v1/structures?") + kAroundMende + "&organisation=" + org,
          SignIn("partenaire"));
  ASSERT_EQ(pro.status, 200) << pro.body;
  EXPECT_EQ(Body(pro)["total"], 4);  // the unpublished one too, for a professional
}

TEST_F(DirectoryApiTest, PublicViewHidesReferentsAndPrivateContacts) {
  Seed();
  const std::string structure = "/api/v1/structures/" + std::to_string(mende_);
  const HttpResponse anonymous = Get(structure);
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  json body = Body(anonymous);
  EXPECT_EQ(body["nom"], "Maison des solidarités de Mende");
  EXPECT_FALSE(body.contains("referents") && !body["referents"].empty());
  EXPECT_EQ(anonymous.body.find("Jeanne"), std::string::npos);
  EXPECT_EQ(anonymous.body.find("04 66 11 11 11"), std::string::npos);  // not public
  EXPECT_FALSE(body.contains("fraicheur"));
  ASSERT_EQ(body["services"].size(), 2u);
  EXPECT_EQ(body["semaine"].size(), 7u);
  EXPECT_EQ(body["semaine"][0], "lundi : 9 h – 12 h, 13 h 30 – 17 h");
  EXPECT_EQ(body["semaine"][6], "dimanche : fermé");
  EXPECT_EQ(body["ouverture"]["etat"], "ouvert");
  EXPECT_EQ(body["ouverture"]["prochain"], "2026-03-04T11:00:00Z");  // 12:00 in Paris
  EXPECT_EQ(body["ouverture"]["aujourdhui"], "9 h – 12 h, 13 h 30 – 17 h");

  // A signed-in professional sees the referents, the contacts and the freshness.
  const HttpResponse pro = Get(structure, SignIn("social"));
  ASSERT_EQ(pro.status, 200) << pro.body;
  body = Body(pro);
  ASSERT_EQ(body["referents"].size(), 1u);
  EXPECT_EQ(body["referents"][0]["nom"], "Jeanne Référente");
  EXPECT_NE(pro.body.find("04 66 11 11 11"), std::string::npos);
  ASSERT_TRUE(body.contains("fraicheur"));
  EXPECT_GT(body["fraicheur"]["score"].get<double>(), 0);
  EXPECT_EQ(body["fraicheur"]["age_jours"], 0);

  // The same in a service's page and in searches.
  const std::string service = "/api/v1/services/" + std::to_string(demarches_);
  const HttpResponse public_service = Get(service);
  ASSERT_EQ(public_service.status, 200) << public_service.body;
  EXPECT_TRUE(Body(public_service)["telephone"].is_null());
  EXPECT_EQ(Body(public_service)["structure"]["pasip_id"], mende_);
  EXPECT_EQ(Body(public_service)["semaine"].size(), 7u);  // the structure's hours
  EXPECT_EQ(Body(Get(service, SignIn("partenaire")))["telephone"], "04 66 11 11 11");
  const HttpResponse search = Get(std::string("/api/v1/services?") + kAroundMende);
  EXPECT_EQ(search.body.find("Jeanne"), std::string::npos);
  EXPECT_EQ(search.body.find("04 66 11 11 11"), std::string::npos);
  const HttpResponse structures = Get(std::string("/api/v1/structures?") + kAroundMende);
  EXPECT_EQ(structures.body.find("Jeanne"), std::string::npos);
  const HttpResponse pro_search =
      Get(std::string("/api/v1/structures?") + kAroundMende, SignIn("accueil"));
  EXPECT_NE(pro_search.body.find("Jeanne"), std::string::npos);
}

TEST_F(DirectoryApiTest, AStructureListsThePartnersPermanencesHeldThere) {
  Seed();
  // The Caf holds a permanence at Mende on Tuesday mornings, and one at Marvejols; a draft
  // service of the Caf holds one at Mende too.
  const std::int64_t caf = Create("structures", {{"nom", "Caf de la Lozère"},
                                                 {"code_insee", "48095"},
                                                 {"commune", "Mende"},
                                                 {"telephone", "04 66 00 00 50"}});
  const std::int64_t prestations =
      Create("services", {{"structure", caf},
                          {"nom", "Prestations familiales"},
                          {"description", "Informations sur les prestations familiales."},
                          {"thematiques", {"famille--soutien-a-la-parentalite-et-a-leducation"}},
                          {"permanences",
                           {{{"structure_hote", mende_},
                             {"horaires", "Tu 09:00-12:00"},
                             {"precisions", "Sans rendez-vous"}},
                            {{"structure_hote", marvejols_}, {"horaires", "Th 14:00-17:00"}}}}});
  Create("services",
         {{"structure", caf},
          {"nom", "Permanence en préparation"},
          {"description", "Permanence sur la garde d'enfants."},
          {"thematiques", {"famille--garde-denfants"}},
          {"publie", false},
          {"permanences", {{{"structure_hote", mende_}, {"horaires", "Fr 09:00-12:00"}}}}});

  const std::string structure = "/api/v1/structures/" + std::to_string(mende_);
  const HttpResponse anonymous = Get(structure);
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  json held = Body(anonymous)["permanences_accueillies"];
  ASSERT_EQ(held.size(), 1u) << held.dump();
  EXPECT_EQ(held[0]["service"]["pasip_id"], prestations);
  EXPECT_EQ(held[0]["service"]["nom"], "Prestations familiales");
  EXPECT_EQ(held[0]["service"]["thematiques"],
            json::array({"famille--soutien-a-la-parentalite-et-a-leducation"}));
  EXPECT_EQ(held[0]["structure"]["pasip_id"], caf);
  EXPECT_EQ(held[0]["structure"]["nom"], "Caf de la Lozère");
  EXPECT_EQ(held[0]["structure"]["telephone"], "04 66 00 00 50");
  EXPECT_EQ(held[0]["horaires"], "Tu 09:00-12:00");
  ASSERT_EQ(held[0]["semaine"].size(), 7u);
  EXPECT_EQ(held[0]["semaine"][0], "lundi : fermé");
  EXPECT_EQ(held[0]["semaine"][1], "mardi : 9 h – 12 h");
  EXPECT_EQ(held[0]["precisions"], "Sans rendez-vous");

  // Professionals also see the draft's (by partner, then service name).
  held = Body(Get(structure, SignIn("accueil")))["permanences_accueillies"];
  ASSERT_EQ(held.size(), 2u) << held.dump();
  EXPECT_EQ(held[0]["service"]["nom"], "Permanence en préparation");
  EXPECT_TRUE(held[0]["precisions"].is_null());
  EXPECT_EQ(held[1]["service"]["pasip_id"], prestations);

  // Marvejols hosts the other one; the Caf and Langogne host none.
  held = Body(Get("/api/v1/structures/" + std::to_string(marvejols_)))["permanences_accueillies"];
  ASSERT_EQ(held.size(), 1u) << held.dump();
  EXPECT_EQ(held[0]["semaine"][3], "jeudi : 14 h – 17 h");
  EXPECT_TRUE(
      Body(Get("/api/v1/structures/" + std::to_string(caf)))["permanences_accueillies"].empty());
  EXPECT_TRUE(
      Body(Get("/api/v1/structures/" + std::to_string(langogne_)))["permanences_accueillies"]
          .empty());
}

TEST_F(DirectoryApiTest, UnpublishedRecordsDoNotExistForThePublic) {
  Seed();
  const std::string structure = "/api/v1/structures/" + std::to_string(florac_);
  const std::string service = "/api/v1/services/" + std::to_string(soins_);
  const HttpResponse hidden = Get(structure);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(hidden.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(Get(service).status, 404);
  EXPECT_EQ(Get(structure, SignIn("accueil")).status, 200);
  EXPECT_EQ(Get(service, SignIn("accueil")).status, 200);
  EXPECT_EQ(Get("/api/v1/structures/999999").status, 404);
  EXPECT_EQ(Get("/api/v1/services/abc").status, 404);

  const json pro = Body(Get(std::string("/api/v1/structures?") + kAroundMende, SignIn("accueil")));
  const auto ids = Ids(pro);
  EXPECT_NE(std::find(ids.begin(), ids.end(), florac_), ids.end());
  const json anonymous = Body(Get(std::string("/api/v1/services?") + kAroundMende));
  const auto public_ids = Ids(anonymous);
  EXPECT_EQ(std::find(public_ids.begin(), public_ids.end(), soins_), public_ids.end());
}

TEST_F(DirectoryApiTest, WritesFollowThePolicy) {
  Seed();
  const std::int64_t own = OrganisationOf("partenaire");
  const std::int64_t other = OrganisationOf("coordination");
  const json structure = {{"nom", "Permanence Caf de Mende"},
                          {"code_insee", "48095"},
                          {"latitude", 44.518},
                          {"longitude", 3.50}};

  EXPECT_EQ(WithJson("POST", "/api/v1/structures", structure, "").status, 401);
  EXPECT_EQ(WithJson("POST", "/api/v1/structures", structure, SignIn("accueil")).status, 403);
  json elsewhere = structure;
  elsewhere["organisation_id"] = other;
  EXPECT_EQ(WithJson("POST", "/api/v1/structures", elsewhere, SignIn("partenaire")).status, 403);

  // A partenaire writes for their own organisation, the default.
  const HttpResponse created =
      WithJson("POST", "/api/v1/structures", structure, SignIn("partenaire"));
  ASSERT_EQ(created.status, 201) << created.body;
  const json record = Body(created);
  EXPECT_EQ(record["organisation_id"], own);
  EXPECT_EQ(record["source"], "pasip");
  EXPECT_FALSE(record["date_maj"].get<std::string>().empty());
  const std::int64_t caf = record["pasip_id"].get<std::int64_t>();
  const std::string caf_path = "/api/v1/structures/" + std::to_string(caf);
  EXPECT_EQ(created.Header("Location"), caf_path);

  // Their own records, not the others'.
  const std::string mende = "/api/v1/structures/" + std::to_string(mende_);
  EXPECT_EQ(WithJson("PATCH", mende, {{"nom", "Repris"}}, SignIn("partenaire")).status, 403);
  const HttpResponse renamed =
      WithJson("PATCH", caf_path, {{"telephone", "04 66 22 22 22"}}, SignIn("partenaire"));
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Body(renamed)["telephone"], "04 66 22 22 22");
  EXPECT_EQ(Body(renamed)["nom"], "Permanence Caf de Mende");  // absent members are kept
  EXPECT_EQ(WithJson("PATCH", caf_path, {{"organisation_id", other}}, SignIn("partenaire")).status,
            403);
  const json service = {{"nom", "Rendez-vous prestations familiales"},
                        {"description", "Droits et prestations de la Caf."},
                        {"thematiques", {"famille--soutien-a-la-parentalite-et-a-leducation"}}};
  json in_mende = service;
  in_mende["structure"] = mende_;
  EXPECT_EQ(WithJson("POST", "/api/v1/services", in_mende, SignIn("partenaire")).status, 403);
  json in_caf = service;
  in_caf["structure"] = caf;
  const HttpResponse own_service =
      WithJson("POST", "/api/v1/services", in_caf, SignIn("partenaire"));
  ASSERT_EQ(own_service.status, 201) << own_service.body;
  const std::string own_service_path =
      "/api/v1/services/" + std::to_string(Body(own_service)["pasip_id"].get<std::int64_t>());
  EXPECT_EQ(own_service.Header("Location"), own_service_path);
  EXPECT_EQ(Body(own_service)["structure"]["pasip_id"], caf);
  const std::string demarches = "/api/v1/services/" + std::to_string(demarches_);
  EXPECT_EQ(WithJson("PATCH", demarches, {{"nom", "Autre"}}, SignIn("partenaire")).status, 403);
  EXPECT_EQ(Delete(demarches, SignIn("partenaire")).status, 403);
  // Moving their service into another organisation's structure is refused too.
  EXPECT_EQ(
      WithJson("PATCH", own_service_path, {{"structure", mende_}}, SignIn("partenaire")).status,
      403);
  // What GET answers can be sent back (the structure as an object).
  json round_trip = Body(Get(own_service_path, SignIn("partenaire")));
  round_trip["nom"] = "Rendez-vous Caf";
  const HttpResponse patched =
      WithJson("PATCH", own_service_path, round_trip, SignIn("partenaire"));
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched)["nom"], "Rendez-vous Caf");
  EXPECT_EQ(Delete(own_service_path, SignIn("partenaire")).status, 204);
  EXPECT_EQ(Get(own_service_path).status, 404);

  // The coordination edits every record.
  const HttpResponse by_coordination =
      WithJson("PATCH", caf_path, {{"description", "Permanence hebdomadaire de la Caf."}},
               SignIn("coordination"));
  EXPECT_EQ(by_coordination.status, 200) << by_coordination.body;
  EXPECT_EQ(Delete(demarches, SignIn("coordination")).status, 204);
  EXPECT_EQ(Get(demarches).status, 404);
  EXPECT_EQ(Delete(demarches, SignIn("coordination")).status, 404);
  EXPECT_EQ(
      WithJson("PATCH", "/api/v1/structures/999999", {{"nom", "Rien"}}, SignIn("coordination"))
          .status,
      404);
}

TEST_F(DirectoryApiTest, WriteErrorsNameTheMember) {
  Seed();
  const std::string& coordination = SignIn("coordination");
  HttpResponse r = WithJson("POST", "/api/v1/structures", {{"nom", "ab"}}, coordination);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "nom");
  r = WithJson("POST", "/api/v1/structures",
               {{"nom", "Lieu valide"}, {"horaires_accueil", "Mo-Fr 09:00-12:00 Xy"}},
               coordination);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "horaires_accueil");
  r = WithJson("POST", "/api/v1/structures", {{"nom", "Lieu valide"}, {"latitude", "nord"}},
               coordination);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "latitude");
  r = WithJson("POST", "/api/v1/services",
               {{"structure", 999999}, {"nom", "Service"}, {"description", "Une description."}},
               coordination);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Body(r)["champ"], "structure");
  r = WithJson("POST", "/api/v1/services",
               {{"nom", "Service"}, {"description", "Une description."}}, coordination);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "structure");
  r = WithJson("POST", "/api/v1/services",
               {{"structure", mende_},
                {"nom", "Service"},
                {"description", "Une description."},
                {"thematiques", {"inconnue"}}},
               coordination);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"].get<std::string>().rfind("thematiques", 0), 0u) << r.body;
  r = Send("POST", "/api/v1/structures",
           {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", coordination}},
           "nom=Lieu");
  EXPECT_EQ(r.status, 415);
  r = Send("POST", "/api/v1/structures",
           {{"Content-Type", "application/json"}, {"Cookie", coordination}}, "[1, 2]");
  EXPECT_EQ(r.status, 422);
}

TEST_F(DirectoryApiTest, WritesAndRefusalsAreAudited) {
  Seed();
  const std::string& admin = SignIn("admin");
  const std::int64_t coordination_user = Me("coordination")["id"].get<std::int64_t>();
  const auto entries = [&](const std::string& query) {
    const HttpResponse r = Get("/api/v1/journal?" + query, admin);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r)["items"];
  };
  json created = entries("action=directory.structure.create&ressource=" + std::to_string(mende_));
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0]["utilisateur"], coordination_user);
  EXPECT_EQ(created[0]["resultat"], "succes");
  EXPECT_EQ(entries("action=directory.service.create&ressource=" + std::to_string(garde_)).size(),
            1u);

  ASSERT_EQ(WithJson("PATCH", "/api/v1/structures/" + std::to_string(mende_),
                     {{"telephone", "04 66 00 00 02"}}, SignIn("coordination"))
                .status,
            200);
  EXPECT_EQ(entries("action=directory.structure.update&ressource=" + std::to_string(mende_)).size(),
            1u);
  ASSERT_EQ(Delete("/api/v1/services/" + std::to_string(garde_), SignIn("coordination")).status,
            204);
  EXPECT_EQ(entries("action=directory.service.delete&ressource=" + std::to_string(garde_)).size(),
            1u);

  // A refused write leaves a trace too, without any name.
  ASSERT_EQ(WithJson("PATCH", "/api/v1/structures/" + std::to_string(marvejols_), {{"nom", "Pris"}},
                     SignIn("partenaire"))
                .status,
            403);
  const json refused =
      entries("action=directory.structure.update&ressource=" + std::to_string(marvejols_));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0]["resultat"], "refus");
  const HttpResponse log = Get("/api/v1/journal", admin);
  EXPECT_EQ(log.body.find("Marvejols"), std::string::npos);
}

TEST_F(DirectoryApiTest, DataInclusionExportHasTheOfficialShape) {
  Seed();
  // Structures, two by two, until the end.
  std::map<std::string, json> structures;
  std::string next;
  for (int pages = 0; pages < 100; ++pages) {
    const HttpResponse r =
        Get("/api/v1/data-inclusion/structures?limite=2" + (next.empty() ? "" : "&apres=" + next));
    ASSERT_EQ(r.status, 200) << r.body;
    const json page = Body(r);
    ASSERT_LE(page["items"].size(), 2u);
    for (const json& item : page["items"]) {
      EXPECT_EQ(Members(item), kDataInclusionStructureMembers) << item.dump();
      EXPECT_TRUE(structures.emplace(item["id"].get<std::string>(), item).second)
          << "en double : " << item["id"];
    }
    if (page["suivant"].is_null()) break;
    next = page["suivant"].get<std::string>();
  }
  std::set<std::string> names;
  for (const auto& [id, item] : structures) names.insert(item["nom"].get<std::string>());
  EXPECT_TRUE(names.count("Maison des solidarités de Mende"));
  EXPECT_TRUE(names.count("Point accueil de Langogne"));
  EXPECT_FALSE(names.count("Antenne de Florac"));  // unpublished
  const json mende = Body(Get("/api/v1/structures/" + std::to_string(mende_), SignIn("accueil")));
  const std::string mende_id = mende["id"].get<std::string>();
  ASSERT_TRUE(structures.count(mende_id)) << mende_id;
  EXPECT_EQ(mende_id.rfind("pasip--", 0), 0u);
  EXPECT_EQ(structures[mende_id]["source"], "pasip");
  EXPECT_EQ(structures[mende_id]["code_insee"], "48095");

  // Services: only those of published structures, contacts only when public.
  std::map<std::string, json> services;
  next.clear();
  for (int pages = 0; pages < 100; ++pages) {
    const HttpResponse r =
        Get("/api/v1/data-inclusion/services?limite=3" + (next.empty() ? "" : "&apres=" + next));
    ASSERT_EQ(r.status, 200) << r.body;
    const json page = Body(r);
    for (const json& item : page["items"]) {
      EXPECT_EQ(Members(item), kDataInclusionServiceMembers) << item.dump();
      EXPECT_TRUE(structures.count(item["structure_id"].get<std::string>()))
          << "structure absente de l'export : " << item["structure_id"];
      services.emplace(item["nom"].get<std::string>(), item);
    }
    if (page["suivant"].is_null()) break;
    next = page["suivant"].get<std::string>();
  }
  ASSERT_TRUE(services.count("Aide aux démarches administratives"));
  EXPECT_TRUE(services["Aide aux démarches administratives"]["telephone"].is_null());
  EXPECT_EQ(services["Aide aux démarches administratives"]["structure_id"], mende_id);
  EXPECT_EQ(services["Garde d'enfants"]["frais"], "payant");
  EXPECT_FALSE(services.count("Accès aux soins"));  // its structure is unpublished
  // The export answers in pages of at most 1000.
  EXPECT_EQ(Get("/api/v1/data-inclusion/services?limite=1000").status, 200);
}

TEST_F(DirectoryApiTest, CommunesAutocompletion) {
  HttpResponse r = Get("/api/v1/communes?q=men");
  ASSERT_EQ(r.status, 200) << r.body;
  json items = Body(r)["items"];
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0]["code"], "48095");
  EXPECT_EQ(items[0]["nom"], "Mende");
  EXPECT_EQ(items[0]["departement"], "48");
  EXPECT_EQ(items[0]["departement_nom"], "Lozère");
  EXPECT_EQ(items[0]["codes_postaux"], json::array({"48000"}));
  EXPECT_DOUBLE_EQ(items[0]["latitude"].get<double>(), 44.5181);
  EXPECT_EQ(items[0]["population"], 11959);
  // Any word of the name, without accents; the most populated first.
  items = Body(Get("/api/v1/communes?q=chely"))["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["code"], "48146");
  items = Body(Get("/api/v1/communes?q=481"))["items"];  // INSEE codes and postcodes
  std::set<std::string> codes;
  for (const json& c : items) codes.insert(c["code"].get<std::string>());
  EXPECT_TRUE(codes.count("48100") == 0);  // 48100 is a postcode, not a commune code
  EXPECT_TRUE(codes.count("48146"));       // INSEE code 481…
  EXPECT_TRUE(codes.count("48092"));       // postcode 48100
  items = Body(Get("/api/v1/communes?q=48&limite=2"))["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["code"], "48095");  // Mende, the most populated
  EXPECT_TRUE(Body(Get("/api/v1/communes?q="))["items"].empty());
  EXPECT_TRUE(Body(Get("/api/v1/communes?q=zzzz"))["items"].empty());
}

TEST_F(DirectoryApiTest, OpeningHoursChecker) {
  HttpResponse r = Get("/api/v1/horaires/verifier?horaires=Lu-Ve%209h-12h");
  ASSERT_EQ(r.status, 200) << r.body;
  json body = Body(r);
  EXPECT_TRUE(body["valide"].get<bool>());
  EXPECT_EQ(body["normalise"], "Mo-Fr 09:00-12:00");
  EXPECT_FALSE(body["corrections"].empty());
  EXPECT_TRUE(body["erreur"].is_null());
  ASSERT_EQ(body["semaine"].size(), 7u);
  EXPECT_EQ(body["semaine"][0], "lundi : 9 h – 12 h");
  EXPECT_EQ(body["semaine"][6], "dimanche : fermé");

  // Already strict: nothing to correct.
  body =
      Body(Get("/api/v1/horaires/verifier?horaires=Mo-Fr%2009:00-12:00;%20PH%20off&commune=57463"));
  EXPECT_TRUE(body["valide"].get<bool>()) << body.dump();
  EXPECT_TRUE(body["corrections"].empty());

  // A mistake: its position and a French message.
  body = Body(Get("/api/v1/horaires/verifier?horaires=Mo-Fr%2009:00-12:00%20Xy"));
  EXPECT_FALSE(body["valide"].get<bool>()) << body.dump();
  ASSERT_TRUE(body["erreur"].is_object());
  EXPECT_GT(body["erreur"]["position"].get<int>(), 0);
  EXPECT_FALSE(body["erreur"]["message"].get<std::string>().empty());
  EXPECT_TRUE(body["semaine"].empty());

  body = Body(Get("/api/v1/horaires/verifier?horaires="));
  EXPECT_FALSE(body["valide"].get<bool>());
  EXPECT_EQ(body["erreur"]["position"], 0);
}

TEST_F(DirectoryApiTest, RepeatedSearchesAreAnsweredAgainOnlyWhileNothingChanged) {
  Seed();
  const std::string search = "/api/v1/services?q=gevaudan";
  ASSERT_EQ(Body(Get(search))["total"], 4);
  // A write through the directory shows at once in the same search.
  Create("services", {{"structure", langogne_},
                      {"nom", "Permanence logement"},
                      {"description", "Conseils logement pour le Gévaudan."},
                      {"thematiques", {"logement-hebergement--louer-un-logement"}}});
  ASSERT_EQ(Body(Get(search))["total"], 5);

  // A write made elsewhere (another instance, an import) shows within the cache's 30 s.
  directory::Service direct;
  direct.structure_id = marvejols_;
  direct.source = "test";
  direct.source_id = "direct";
  direct.nom = "Service écrit sans l'API";
  direct.description = "Écrit directement dans la base, au Gévaudan.";
  direct.date_maj = "2026-03-04";
  directory::IndexData index;
  index.search_text = direct.nom + " " + direct.description;
  index.sort_name = "service ecrit sans l api";
  ASSERT_TRUE(app_->services().directory.store().SaveService(direct, index));
  EXPECT_EQ(Body(Get(search))["total"], 5);
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_EQ(Body(Get(search))["total"], 6);
  // Each view and each query string has its own answer.
  EXPECT_EQ(Body(Get("/api/v1/services?q=gevaudan&limite=1"))["items"].size(), 1u);
}

}  // namespace
}  // namespace pasip::app
