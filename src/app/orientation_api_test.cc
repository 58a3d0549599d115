// HTTP tests of the orientation JSON API against the real server on 127.0.0.1 (free port),
// on SQLite and on PostgreSQL (when PASIP_TEST_PG_URL names a throwaway database, as in
// `make test`) with the demo territory and a manual clock: the whole loop (the accueil agent of
// the CCAS de Rennes orients a person from a passage to the Caf → the Caf's partner reads,
// accepts and fixes a date → the agent sees it → the partner records "personne reçue" → the
// agent closes), 401 on every route without a session, nobody outside the relation sees an
// orientation (404), impossible steps (409), a refused consent blocks sending and queues no
// e-mail, anonymous orientations share nothing, re-orientation, the measures with small
// cells null, the in-app notifications and the refusal of unknown query parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "app/application.h"
#include "app/demo.h"
#include "core/crypto.h"
#include "domain/identity/totp.h"
#include "http/server.h"
#include "storage/test_database_util.h"
#include "tests/support/http_client.h"

namespace pasip::app {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResponse;

constexpr char kCafService[] = "Information sur les prestations de la Caf";

std::string PgUrl() {
  const char* url = std::getenv("PASIP_TEST_PG_URL");
  return url ? url : "";
}

class OrientationApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    crypto::InitCrypto();
    dir_ = std::filesystem::temp_directory_path() / ("pasip-orientation-" + crypto::RandomToken(6));
    std::filesystem::create_directories(dir_ / "web" / "css");
    std::ofstream(dir_ / "web" / "css" / "pasip.css") << "body { margin: 0; }\n";
    config_.database_url = "sqlite://" + (dir_ / "pasip.db").string();
    if (GetParam() == "postgres") {
      if (PgUrl().empty()) GTEST_SKIP() << "PASIP_TEST_PG_URL absent : PostgreSQL non testé";
      // ctest runs storage_test beside app_test and both reset their schemas: this test
      // uses a database of its own on the same throwaway server.
      auto url = storage::testing::OwnTestDatabase(PgUrl(), "app");
      ASSERT_TRUE(url) << url.error().ToString();
      // A fresh schema for each test: the demo territory needs an empty database.
      ASSERT_TRUE(storage::testing::ResetSchemas(*url));
      config_.database_url = *url;
    }
    config_.static_dir = (dir_ / "web").string();
    config_.reception_archives_dir = (dir_ / "archives").string();
    config_.listen_port = 0;
    config_.threads = 2;
    auto app = Application::Open(config_, clock_);
    ASSERT_TRUE(app) << app.error().ToString();
    app_ = std::move(*app);
    auto accounts = CreateDemoTerritory(*app_, {});
    ASSERT_TRUE(accounts) << accounts.error().ToString();
    for (const auto& a : *accounts) accounts_[a.role] = a;
    Services& s = app_->services();

    // The recipients: the Caf's service (the demo partner's organisation) and the day
    // centre of the Association Solidarité Vitré, whose partner account the test creates.
    auto caf = s.directory.store().FindStructureBySource("pasip", "demo-caf-rennes");
    ASSERT_TRUE(caf && *caf) << "demo Caf structure";
    ASSERT_TRUE((*caf)->organisation_id);
    caf_org_ = *(*caf)->organisation_id;
    caf_service_ = ServiceNamed((*caf)->id, kCafService);
    ASSERT_NE(caf_service_, 0);
    auto vitre = s.directory.store().FindStructureBySource("pasip", "demo-accueil-de-jour-vitre");
    ASSERT_TRUE(vitre && *vitre) << "demo Vitré structure";
    ASSERT_TRUE((*vitre)->organisation_id);
    vitre_org_ = *(*vitre)->organisation_id;
    vitre_service_ = ServiceNamed((*vitre)->id, "Accueil de jour");
    ASSERT_NE(vitre_service_, 0);

    AddUser("vitre", "partenaire.vitre@exemple.org", vitre_org_, identity::Role::kPartenaire);
    // An accueil agent of another organisation (the CCAS de Saint-Malo).
    auto orgs = s.identity.ListOrganisations({});
    ASSERT_TRUE(orgs);
    std::int64_t saint_malo = 0;
    for (const auto& o : *orgs) {
      if (o.name == "CCAS de Saint-Malo (démo)") saint_malo = o.id;
    }
    ASSERT_NE(saint_malo, 0);
    AddUser("autre", "accueil.saint-malo@exemple.org", saint_malo, identity::Role::kAccueil);

    http::ServerOptions options = app_->ServerOptions();
    options.default_headers = SecurityHeaders();
    server_ = std::make_unique<http::Server>(
        options, [this](http::Request& r) { return app_->Handle(r); },
        [this](const http::Exchange& e) { app_->Observe(e); });
    ASSERT_TRUE(server_->Start());
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());

    org_ = Me("accueil")["roles"][0]["organisation_id"].get<std::int64_t>();
    auto sites = s.identity.ListSites({org_, ""});
    ASSERT_TRUE(sites);
    ASSERT_FALSE(sites->empty());
    site_ = sites->front().id;
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::int64_t ServiceNamed(std::int64_t structure, const std::string& name) {
    auto services = app_->services().directory.store().ServicesOf(structure);
    EXPECT_TRUE(services);
    if (!services) return 0;
    for (const auto& v : *services) {
      if (v.nom == name) return v.id;
    }
    return 0;
  }

  void AddUser(const std::string& key, const std::string& email, std::int64_t org,
               identity::Role role) {
    identity::NewUser u;
    u.email = email;
    u.display_name = "Compte de test " + key;
    u.password = "un mot de passe assez long 2026";
    u.memberships = {{org, role, {}}};
    auto created = app_->services().accounts.CreateUser(u, {0, "test"});
    ASSERT_TRUE(created) << created.error().ToString();
    accounts_[key] = {key, u.email, u.password, ""};
  }

  HttpResponse Send(std::string_view method, std::string_view target,
                    const testing::HeaderList& headers = {}, std::string_view body = {}) {
    auto r = client_->Send(method, target, headers, body);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : HttpResponse{};
  }
  HttpResponse Get(std::string_view target, const std::string& role) {
    testing::HeaderList h;
    if (!role.empty()) h.emplace_back("Cookie", SignIn(role));
    return Send("GET", target, h);
  }
  HttpResponse WithJson(std::string_view method, std::string_view target, const json& body,
                        const std::string& role) {
    testing::HeaderList h{{"Content-Type", "application/json"}};
    if (!role.empty()) h.emplace_back("Cookie", SignIn(role));
    return Send(method, target, h, body.dump());
  }
  HttpResponse Post(std::string_view target, const json& body, const std::string& role) {
    return WithJson("POST", target, body, role);
  }

  // Signs in through the API (once per role); returns the cookie.
  const std::string& SignIn(const std::string& role) {
    auto& cookie = cookies_[role];
    if (!cookie.empty()) return cookie;
    const DemoAccount& a = accounts_.at(role);
    json body = {{"email", a.email}, {"password", a.password}};
    if (!a.totp_secret.empty()) {
      body["totp"] = identity::TotpCode(a.totp_secret, clock_.Now());
      clock_.Advance(std::chrono::seconds(30));  // the next sign-in needs a fresh code
    }
    testing::HeaderList h{{"Content-Type", "application/json"}};
    const HttpResponse r = Send("POST", "/api/v1/session", h, body.dump());
    EXPECT_EQ(r.status, 200) << role << " " << r.body;
    const std::string set_cookie = r.Header("Set-Cookie");
    cookie = set_cookie.substr(0, set_cookie.find(';'));
    return cookie;
  }

  json Me(const std::string& role) { return Body(Get("/api/v1/moi", role)); }
  static json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }
  static std::string Path(std::int64_t id, std::string_view step = {}) {
    std::string p = "/api/v1/orientations/" + std::to_string(id);
    if (!step.empty()) p += "/" + std::string(step);
    return p;
  }
  static std::set<std::int64_t> Ids(const json& list) {
    std::set<std::int64_t> ids;
    for (const json& item : list) ids.insert(item["id"].get<std::int64_t>());
    return ids;
  }
  static std::vector<std::string> Steps(const json& orientation) {
    std::vector<std::string> steps;
    for (const json& e : orientation["historique"]) steps.push_back(e["etape"].get<std::string>());
    return steps;
  }
  static bool Has(const json& list, const std::string& value) {
    return std::find(list.begin(), list.end(), json(value)) != list.end();
  }

  // A person file and a passage of that person at the agent's site today.
  std::int64_t PassageOfNewPerson() {
    const HttpResponse person = Post("/api/v1/personnes",
                                     {{"nom_affiche", "Mme Dupont-Lefèvre"},
                                      {"prenoms", "Élodie"},
                                      {"date_naissance", "1985-02-03"},
                                      {"telephone", "06 11 22 33 44"},
                                      {"commune", "35238"},
                                      {"confirmer_doublon", true}},
                                     "accueil");
    EXPECT_EQ(person.status, 201) << person.body;
    const std::int64_t person_id = Body(person).value("id", std::int64_t{0});
    const HttpResponse passage = Post("/api/v1/passages",
                                      {{"site", site_},
                                       {"canal", "physique_sans_rdv"},
                                       {"motifs", {"droits--rsa"}},
                                       {"personne", person_id}},
                                      "accueil");
    EXPECT_EQ(passage.status, 201) << passage.body;
    return Body(passage).value("id", std::int64_t{0});
  }

  // What the agent orients from a passage: to the Caf, sharing the name and the phone.
  json FromPassage(std::int64_t passage, bool send = true) const {
    return {{"passage", passage},
            {"service", caf_service_},
            {"demande", "Ouverture des droits au RSA : dossier à instruire."},
            {"urgence", "aucune"},
            {"mode", "accompagnee"},
            {"accompagnement", "rdv_demande"},
            {"champs_partages", {"nom_affiche", "telephone"}},
            {"consentement", "informee"},
            {"envoyer", send}};
  }
  json Anonymous(std::int64_t service) const {
    return {{"site", site_},
            {"service", service},
            {"motifs", {"droits--rsa"}},
            {"demande", "Information sur le RSA."},
            {"mode", "information"},
            {"envoyer", true}};
  }

  // Creates an orientation (201) and answers its JSON.
  json Create(const json& body, const std::string& role = "accueil") {
    const HttpResponse r = Post("/api/v1/orientations", body, role);
    EXPECT_EQ(r.status, 201) << r.body;
    const json created = Body(r);
    if (created.is_object() && created.contains("id")) {
      EXPECT_EQ(r.Header("Location"), Path(created["id"].get<std::int64_t>()));
    }
    return created;
  }
  std::int64_t SentFromNewPassage() {
    return Create(FromPassage(PassageOfNewPerson())).value("id", std::int64_t{0});
  }

  // Wednesday 4 March 2026, 10:00 in Paris.
  ManualClock clock_{*ParseIso("2026-03-04T09:00:00Z")};
  Config config_;
  std::filesystem::path dir_;
  std::unique_ptr<Application> app_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<HttpClient> client_;
  std::map<std::string, DemoAccount> accounts_;
  std::map<std::string, std::string> cookies_;
  std::int64_t org_ = 0, site_ = 0;
  std::int64_t caf_org_ = 0, caf_service_ = 0, vitre_org_ = 0, vitre_service_ = 0;
};

// ---------------------------------------------------------------------------------------

TEST_P(OrientationApiTest, EveryRouteAnswers401WithoutSession) {
  int checked = 0;
  for (const http::Route& route : app_->router().routes()) {
    const std::string& p = route.pattern;
    if (route.kind != http::RouteKind::kApi) continue;
    if (!p.starts_with("/api/v1/orientations") && !p.starts_with("/api/v1/notifications")) {
      continue;
    }
    std::string target = p;
    for (std::size_t at; (at = target.find("{id}")) != std::string::npos;) {
      target.replace(at, 4, "1");
    }
    const HttpResponse r =
        Send(http::MethodName(route.method), target, {{"Content-Type", "application/json"}}, "{}");
    EXPECT_EQ(r.status, 401) << http::MethodName(route.method) << " " << p << " " << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << p;
    ++checked;
  }
  // Orientations 6, steps 9, notifications 5.
  EXPECT_EQ(checked, 20);
}

TEST_P(OrientationApiTest, FromAPassageToThePartnerAndBackToAnOutcome) {
  const std::int64_t passage = PassageOfNewPerson();
  const HttpResponse created = Post("/api/v1/orientations", FromPassage(passage), "accueil");
  ASSERT_EQ(created.status, 201) << created.body;
  json o = Body(created);
  const std::int64_t id = o["id"].get<std::int64_t>();
  EXPECT_EQ(created.Header("Location"), Path(id));
  EXPECT_EQ(o["statut"], "envoyee");
  EXPECT_EQ(o["passage"], passage);
  EXPECT_FALSE(o["personne"].is_null());
  EXPECT_EQ(o["site"], site_);
  EXPECT_EQ(o["organisation"], org_);
  EXPECT_EQ(o["service"]["id"], caf_service_);
  EXPECT_EQ(o["service"]["nom"], kCafService);
  EXPECT_EQ(o["organisation_destinataire"], caf_org_);
  EXPECT_EQ(o["motifs"], json({"droits--rsa"}));  // the passage's, by default
  EXPECT_EQ(o["champs_partages"], json({"nom_affiche", "telephone"}));
  EXPECT_EQ(o["consentement"], "informee");
  EXPECT_FALSE(o["envoyee_le"].is_null());
  EXPECT_TRUE(o["rendez_vous"].is_null());
  EXPECT_TRUE(o["historique"].is_array());
  EXPECT_TRUE(Has(o["actions"], "annuler")) << o["actions"];
  EXPECT_FALSE(Has(o["actions"], "accepter")) << o["actions"];

  // The partner of the Caf finds it in the inbox (the list shows no shared data)…
  clock_.Advance(std::chrono::minutes(5));
  HttpResponse inbox = Get("/api/v1/orientations?boite=recues&statut=envoyee,recue", "partenaire");
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_EQ(Ids(Body(inbox)["items"]).count(id), 1u);
  for (const json& item : Body(inbox)["items"]) {
    EXPECT_FALSE(item.contains("partage")) << item;
    EXPECT_FALSE(item.contains("historique")) << item;
  }
  EXPECT_TRUE(Body(inbox).contains("suivant"));
  // … reads it: it becomes "reçue", with the shared fields.
  HttpResponse read = Get(Path(id), "partenaire");
  ASSERT_EQ(read.status, 200) << read.body;
  o = Body(read);
  EXPECT_EQ(o["statut"], "recue");
  EXPECT_FALSE(o["recue_le"].is_null());
  ASSERT_TRUE(o.contains("partage")) << o;
  std::map<std::string, std::string> shared;
  for (const json& f : o["partage"]) {
    shared[f["champ"].get<std::string>()] = f["valeur"].get<std::string>();
    EXPECT_FALSE(f["libelle"].get<std::string>().empty());
  }
  EXPECT_EQ(shared["nom_affiche"], "Mme Dupont-Lefèvre");
  EXPECT_EQ(shared["telephone"], "06 11 22 33 44");
  EXPECT_EQ(shared.count("date_naissance"), 0u);  // not ticked, not shared
  EXPECT_TRUE(Has(o["actions"], "accepter")) << o["actions"];

  // Accepts, then fixes a date.
  clock_.Advance(std::chrono::minutes(5));
  HttpResponse r =
      Post(Path(id, "accepter"), {{"commentaire", "Nous la recevrons."}}, "partenaire");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["statut"], "acceptee");
  const std::int64_t version = Body(r)["version"].get<std::int64_t>();
  r = Post(Path(id, "rendez-vous"),
           {{"etat", "fixe"},
            {"date", "2026-03-10T09:30:00+01:00"},
            {"lieu", "Caf, 20 cours Fictif, Rennes"},
            {"version", version}},
           "partenaire");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["statut"], "rdv_fixe");

  // The agent sees the date and the whole history.
  clock_.Advance(std::chrono::minutes(5));
  r = Get(Path(id), "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  o = Body(r);
  EXPECT_EQ(o["statut"], "rdv_fixe");
  EXPECT_EQ(o["statut_libelle"], "Rendez-vous fixé");
  EXPECT_EQ(o["rendez_vous"]["date"], "2026-03-10T08:30:00Z");
  EXPECT_EQ(o["rendez_vous"]["lieu"], "Caf, 20 cours Fictif, Rennes");
  EXPECT_FALSE(o["repondue_le"].is_null());
  const std::vector<std::string> steps = Steps(o);
  for (const std::string step : {"envoyer", "ouvrir", "accepter", "fixer_rdv"}) {
    EXPECT_NE(std::find(steps.begin(), steps.end(), step), steps.end()) << step << " " << o;
  }
  for (const json& e : o["historique"]) {
    EXPECT_FALSE(e["le"].is_null()) << e;
    EXPECT_TRUE(e["acteur"].is_string()) << e;
    EXPECT_TRUE(e.contains("de") && e.contains("vers") && e.contains("detail")) << e;
  }
  // In the agent's list too.
  r = Get("/api/v1/orientations?boite=emises&statut=rdv_fixe", "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(Body(r)["items"]).count(id), 1u);
  // The liaison form holds the same orientation.
  r = Get(Path(id, "fiche-de-liaison"), "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["orientation"]["id"], id);
  EXPECT_EQ(Body(r)["orientation"]["statut"], "rdv_fixe");
  EXPECT_EQ(Get(Path(id, "fiche-de-liaison"), "partenaire").status, 200);

  // The partner records the outcome; the agent closes.
  r = Post(Path(id, "issue"), {{"issue", "personne_recue"}}, "partenaire");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["statut"], "personne_recue");
  EXPECT_FALSE(Body(r)["issue_le"].is_null());
  r = Post(Path(id, "cloturer"), json::object(), "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["statut"], "cloturee");
  EXPECT_FALSE(Body(r)["cloturee_le"].is_null());
  EXPECT_TRUE(Body(r)["actions"].empty()) << Body(r)["actions"];
}

TEST_P(OrientationApiTest, DraftsAreEditedThenSent) {
  json o = Create(FromPassage(PassageOfNewPerson(), /*send=*/false));
  const std::int64_t id = o["id"].get<std::int64_t>();
  EXPECT_EQ(o["statut"], "brouillon");
  // A draft is the orienting side's only.
  EXPECT_EQ(Get(Path(id), "partenaire").status, 404);
  HttpResponse r = WithJson("PATCH", Path(id), {{"demande", "Demande précisée."}}, "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["demande"], "Demande précisée.");
  EXPECT_EQ(Body(r)["champs_partages"], json({"nom_affiche", "telephone"}));  // kept
  EXPECT_EQ(Body(r)["statut"], "brouillon");
  r = WithJson("PATCH", Path(id), {{"urgence", 3}}, "accueil");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "urgence");
  r = Post(Path(id, "envoyer"), json::object(), "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["statut"], "envoyee");
  // Sent: no longer a draft to edit.
  r = WithJson("PATCH", Path(id), {{"demande", "Trop tard."}}, "accueil");
  EXPECT_EQ(r.status, 409) << r.body;
}

TEST_P(OrientationApiTest, NobodyOutsideTheRelationSeesIt) {
  const std::int64_t id = SentFromNewPassage();
  ASSERT_NE(id, 0);
  const std::int64_t missing = id + 1000;
  // A partner of another organisation and an agent of another CCAS: 404, the same answer as
  // for an orientation that does not exist, whatever the body (security.md S1).
  for (const std::string role : {"vitre", "autre"}) {
    const HttpResponse seen = Get(Path(id), role);
    EXPECT_EQ(seen.status, 404) << role << " " << seen.body;
    EXPECT_EQ(Body(seen)["detail"], Body(Get(Path(missing), role))["detail"]) << role;
    EXPECT_EQ(Get(Path(id, "fiche-de-liaison"), role).status, 404) << role;
    for (const auto& [step, body] : std::vector<std::pair<std::string, json>>{
             {"accepter", json::object()},
             {"refuser", {{"motif", "hors_competence"}}},
             {"rendez-vous", {{"etat", "fixe"}, {"date", "pas une date"}}},
             {"issue", {{"issue", "inconnue"}}}}) {
      const HttpResponse r = Post(Path(id, step), body, role);
      EXPECT_EQ(r.status, 404) << role << " " << step << " " << r.body;
    }
    const HttpResponse listed = Get("/api/v1/orientations?boite=recues", role);
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(Ids(Body(listed)["items"]).count(id), 0u) << role;
  }
  for (const std::string step : {"annuler", "relancer", "envoyer"}) {
    EXPECT_EQ(Post(Path(id, step), json::object(), "autre").status, 404) << step;
  }
  EXPECT_EQ(WithJson("PATCH", Path(id), {{"urgence", 3}}, "autre").status, 404);
  // Coordination reads measures only: the policy refuses every orientation route with the
  // same 403, whether the orientation exists or not.
  for (const std::int64_t target : {id, missing}) {
    const HttpResponse r = Get(Path(target), "coordination");
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(Post(Path(target, "accepter"), json::object(), "coordination").status, 403);
  }
  EXPECT_EQ(Body(Get(Path(id), "coordination"))["detail"],
            Body(Get(Path(missing), "coordination"))["detail"]);
  // The partner of the recipient organisation still sees it.
  EXPECT_EQ(Get(Path(id), "partenaire").status, 200);
}

TEST_P(OrientationApiTest, ImpossibleStepsAnswer409InFrench) {
  const std::int64_t id = SentFromNewPassage();
  ASSERT_NE(id, 0);
  // A sent orientation cannot be closed…
  HttpResponse r = Post(Path(id, "cloturer"), json::object(), "accueil");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(Body(r)["detail"], "Impossible de clôturer une orientation envoyée.") << r.body;
  // … nor accepted twice, nor given an outcome before an answer.
  ASSERT_EQ(Post(Path(id, "accepter"), json::object(), "partenaire").status, 200);
  r = Post(Path(id, "accepter"), json::object(), "partenaire");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Body(r)["detail"], "Impossible d'accepter une orientation acceptée.") << r.body;
  const std::int64_t other = SentFromNewPassage();
  r = Post(Path(other, "issue"), {{"issue", "personne_recue"}}, "partenaire");
  EXPECT_EQ(r.status, 409) << r.body;
  // A stale version is refused too: the partner's first reading changed it.
  r = Get(Path(other), "partenaire");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::int64_t seen = Body(r)["version"].get<std::int64_t>();
  ASSERT_GT(seen, 1);
  r = Post(Path(other, "accepter"), {{"version", seen - 1}}, "partenaire");
  EXPECT_EQ(r.status, 409) << r.body;
  // Bad members of a step are 422 naming them.
  r = Post(Path(other, "rendez-vous"), {{"etat", "plus_tard"}}, "partenaire");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "etat");
  r = Post(Path(other, "rendez-vous"), {{"etat", "fixe"}, {"date", "mardi"}}, "partenaire");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "date");
  r = Post(Path(other, "issue"), {{"issue", "peut-etre"}}, "partenaire");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "issue");
  r = Post(Path(other, "refuser"), {{"motif", 4}}, "partenaire");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "motif");
  // A partner may not take the orienting side's steps (the policy).
  EXPECT_EQ(Post(Path(other, "annuler"), json::object(), "partenaire").status, 403);
}

TEST_P(OrientationApiTest, AnObjectionBlocksSendingAndQueuesNoMail) {
  const std::int64_t passage = PassageOfNewPerson();
  json body = FromPassage(passage);
  body["consentement"] = "opposition";
  // Sent at once: refused.
  HttpResponse r = Post("/api/v1/orientations", body, "accueil");
  EXPECT_EQ(r.status, 409) << r.body;
  // As a draft, then sent: refused, nothing queued, still a draft.
  body["envoyer"] = false;
  const json draft = Create(body);
  const std::int64_t id = draft.value("id", std::int64_t{0});
  ASSERT_NE(id, 0);
  r = Post(Path(id, "envoyer"), json::object(), "accueil");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_FALSE(Body(r)["detail"].get<std::string>().empty());
  auto mails = app_->services().outbox.Recent("orientation:" + std::to_string(id), 10);
  ASSERT_TRUE(mails) << mails.error().ToString();
  EXPECT_TRUE(mails->empty());
  r = Get(Path(id), "accueil");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["statut"], "brouillon");
  EXPECT_EQ(Get(Path(id), "partenaire").status, 404);
}

TEST_P(OrientationApiTest, AnonymousOrientationsShareNothing) {
  json body = Anonymous(caf_service_);
  body["champs_partages"] = {"telephone"};
  HttpResponse r = Post("/api/v1/orientations", body, "accueil");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(Body(r)["champ"], "champs_partages");
  const json o = Create(Anonymous(caf_service_));
  EXPECT_EQ(o["statut"], "envoyee");
  EXPECT_TRUE(o["personne"].is_null());
  EXPECT_TRUE(o["champs_partages"].empty());
  r = Get(Path(o["id"].get<std::int64_t>()), "partenaire");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(!Body(r).contains("partage") || Body(r)["partage"].empty()) << r.body;
  // Malformed members are 422 naming them.
  body = Anonymous(caf_service_);
  body["service"] = "caf";
  r = Post("/api/v1/orientations", body, "accueil");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "service");
  body = Anonymous(caf_service_);
  body["motifs"] = {"droits--rsa", 7};
  r = Post("/api/v1/orientations", body, "accueil");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "motifs[1]");
  body = Anonymous(caf_service_);
  body["envoyer"] = "oui";
  r = Post("/api/v1/orientations", body, "accueil");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "envoyer");
  // A partner does not create orientations.
  EXPECT_EQ(Post("/api/v1/orientations", Anonymous(caf_service_), "partenaire").status, 403);
}

TEST_P(OrientationApiTest, ReorientationCreatesAFollowUpForTheNewRecipient) {
  const std::int64_t id = SentFromNewPassage();
  ASSERT_NE(id, 0);
  ASSERT_EQ(Get(Path(id), "partenaire").status, 200);
  HttpResponse r = Post(Path(id, "reorienter"),
                        {{"service", vitre_service_},
                         {"motif", "service_plus_adapte"},
                         {"commentaire", "L'accueil de jour pourra l'aider d'abord."}},
                        "partenaire");
  ASSERT_EQ(r.status, 200) << r.body;
  json o = Body(r);
  EXPECT_EQ(o["statut"], "reorientee");
  EXPECT_EQ(o["motif"], "service_plus_adapte");
  ASSERT_TRUE(o["reorientee_vers"].is_number_integer()) << o;
  const std::int64_t follow_up = o["reorientee_vers"].get<std::int64_t>();

  // The follow-up is a draft of the orienting side: the person agreed to share with the first
  // partner only, so the agent asks again before it leaves (security.md S2).
  EXPECT_EQ(Get(Path(follow_up), "vitre").status, 404);
  r = Get(Path(follow_up), "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  o = Body(r);
  EXPECT_EQ(o["statut"], "brouillon");
  EXPECT_EQ(o["origine"], id);
  EXPECT_EQ(o["service"]["id"], vitre_service_);
  EXPECT_TRUE(o["consentement"].is_null()) << o;
  r = WithJson("PATCH", Path(follow_up), {{"consentement", "informee"}, {"envoyer", true}},
               "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["statut"], "envoyee");

  // Then the new recipient sees it in the inbox and reads it; the first stays the Caf's.
  r = Get("/api/v1/orientations?boite=recues", "vitre");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(Body(r)["items"]).count(follow_up), 1u);
  EXPECT_EQ(Ids(Body(r)["items"]).count(id), 0u);
  r = Get(Path(follow_up), "vitre");
  ASSERT_EQ(r.status, 200) << r.body;
  o = Body(r);
  EXPECT_EQ(o["statut"], "recue");
  EXPECT_EQ(o["origine"], id);
  EXPECT_EQ(o["organisation_destinataire"], vitre_org_);
  EXPECT_EQ(Get(Path(id), "vitre").status, 404);
  // Missing the new service: 422 naming it.
  const std::int64_t other = SentFromNewPassage();
  r = Post(Path(other, "reorienter"), {{"service", "vitre"}}, "partenaire");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "service");
}

TEST_P(OrientationApiTest, MeasuresPublishNoSmallCount) {
  ASSERT_NE(SentFromNewPassage(), 0);
  const std::int64_t accepted = SentFromNewPassage();
  ASSERT_EQ(Post(Path(accepted, "accepter"), json::object(), "partenaire").status, 200);
  for (const std::string par : {"partenaire", "service", "site"}) {
    const HttpResponse r = Get(
        "/api/v1/orientations/mesures?par=" + par + "&du=2026-03-01&au=2026-03-31", "coordination");
    ASSERT_EQ(r.status, 200) << par << " " << r.body;
    const json m = Body(r);
    EXPECT_EQ(m["par"], par);
    EXPECT_EQ(m["du"], "2026-03-01");
    EXPECT_EQ(m["au"], "2026-03-31");
    std::vector<json> lines(m["lignes"].begin(), m["lignes"].end());
    lines.push_back(m["total"]);
    for (const json& line : lines) {
      for (const char* count :
           {"envoyees", "repondues", "acceptees", "personnes_recues", "non_venues", "expirees"}) {
        ASSERT_TRUE(line.contains(count)) << line;
        EXPECT_TRUE(line[count].is_null() || line[count] == 0) << par << " " << line;
      }
      EXPECT_TRUE(line["taux_acceptation"].is_null()) << line;
      EXPECT_TRUE(line["delai_median_heures"].is_null()) << line;
    }
  }
  // Without dates: the last 30 days; the accueil agent may ask too; admin may not.
  HttpResponse r = Get("/api/v1/orientations/mesures", "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["au"], "2026-03-04");
  EXPECT_EQ(Body(r)["du"], "2026-02-03");
  EXPECT_EQ(Get("/api/v1/orientations/mesures", "admin").status, 403);
  r = Get("/api/v1/orientations/mesures?par=commune", "coordination");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["champ"], "par");
  r = Get("/api/v1/orientations/mesures?du=2026-03-31&au=2026-03-01", "coordination");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["champ"], "du");
}

TEST_P(OrientationApiTest, TheAgentIsNotifiedWhenThePartnerAccepts) {
  const std::int64_t id = SentFromNewPassage();
  ASSERT_NE(id, 0);
  ASSERT_EQ(Post(Path(id, "accepter"), json::object(), "partenaire").status, 200);
  HttpResponse r = Get("/api/v1/notifications", "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  json list = Body(r);
  std::int64_t notification = 0;
  for (const json& n : list["items"]) {
    if (n["orientation"] == id && !n["lue"].get<bool>()) notification = n["id"].get<std::int64_t>();
    EXPECT_FALSE(n["message"].get<std::string>().empty());
    EXPECT_EQ(n["message"].get<std::string>().find("Dupont"), std::string::npos) << n;
  }
  ASSERT_NE(notification, 0) << list;
  EXPECT_GE(list["non_lues"].get<std::int64_t>(), 1);
  // Someone else's notification cannot be marked.
  EXPECT_EQ(Post("/api/v1/notifications/" + std::to_string(notification) + "/lue", json::object(),
                 "partenaire")
                .status,
            404);
  r = Post("/api/v1/notifications/" + std::to_string(notification) + "/lue", json::object(),
           "accueil");
  EXPECT_EQ(r.status, 204) << r.body;
  r = Get("/api/v1/notifications?non_lues=true", "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(Body(r)["items"]).count(notification), 0u);
  r = Post("/api/v1/notifications/lues", json::object(), "accueil");
  EXPECT_EQ(r.status, 204) << r.body;
  r = Get("/api/v1/notifications?non_lues=true", "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Body(r)["items"].empty()) << r.body;
  EXPECT_EQ(Body(r)["non_lues"], 0);

  // The partner's daily digest preference.
  r = Get("/api/v1/notifications/preferences", "partenaire");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["resume_quotidien"], false);
  r = WithJson("PUT", "/api/v1/notifications/preferences", {{"resume_quotidien", true}},
               "partenaire");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["resume_quotidien"], true);
  EXPECT_EQ(Body(Get("/api/v1/notifications/preferences", "partenaire"))["resume_quotidien"], true);
  r = WithJson("PUT", "/api/v1/notifications/preferences", {{"resume_quotidien", "oui"}},
               "partenaire");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "resume_quotidien");
}

TEST_P(OrientationApiTest, UnknownOrMalformedQueryParametersAre400) {
  for (const auto& [target, field] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/orientations?commune=35238", "commune"},
           {"/api/v1/orientations?motif=droits--rsa", "motif"},
           {"/api/v1/orientations?boite=toutes", "boite"},
           {"/api/v1/orientations?statut=envoyee,perdue", "statut"},
           {"/api/v1/orientations?urgence=tres", "urgence"},
           {"/api/v1/orientations?service=abc", "service"},
           {"/api/v1/orientations?personne=-2", "personne"},
           {"/api/v1/orientations?anciennete_min_jours=-1", "anciennete_min_jours"},
           {"/api/v1/orientations?limite=0", "limite"},
           {"/api/v1/orientations/mesures?site=1", "site"},
           {"/api/v1/orientations/mesures?du=01/03/2026", "du"},
           {"/api/v1/notifications?toutes=1", "toutes"},
           {"/api/v1/notifications?non_lues=peut-etre", "non_lues"}}) {
    const HttpResponse r = Get(target, "accueil");
    EXPECT_EQ(r.status, 400) << target << " " << r.body;
    EXPECT_EQ(Body(r)["champ"], field) << target;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << target;
  }
  // The filters that exist work.
  const std::int64_t id = SentFromNewPassage();
  HttpResponse r = Get("/api/v1/orientations?boite=emises&statut=envoyee&urgence=aucune&service=" +
                           std::to_string(caf_service_) + "&limite=10",
                       "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(Body(r)["items"]).count(id), 1u);
  r = Get("/api/v1/orientations?boite=emises&statut=acceptee", "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(Body(r)["items"]).count(id), 0u);
  // Sent today: not yet 3 days old.
  r = Get("/api/v1/orientations?boite=emises&anciennete_min_jours=3", "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(Body(r)["items"]).count(id), 0u);
}

INSTANTIATE_TEST_SUITE_P(Databases, OrientationApiTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pasip::app
