// HTTP tests of the reception's JSON API against the real server on 127.0.0.1 (free port),
// on SQLite with the demo territory and a manual clock: 401 on every route without a
// session, anonymous passages and batches, the refusal of filters on sensitive motives
// (security.md S7), person files with duplicate proposals, need-to-know between
// organisations and between roles (notes), the right-of-access export, the access log and
// the audit trail, the pre-reception queue, the purge (job and command function, with the
// archive sink) and the catalogue configuration.
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/application.h"
#include "app/archive.h"
#include "app/demo.h"
#include "core/crypto.h"
#include "domain/identity/totp.h"
#include "domain/reception/model.h"
#include "http/server.h"
#include "tests/support/http_client.h"

namespace pasip::app {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::HttpResponse;

constexpr char kSensitiveMessage[] =
    "Filtrer des personnes selon un motif sensible (santé, violences, justice, handicap) est "
    "interdit.";
constexpr auto kDay = std::chrono::hours(24);

// Keeps what spdlog writes while a test runs (the access log goes through the default
// logger), then puts the previous logger back.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string Text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    text_.append(msg.payload.data(), msg.payload.size());
    text_ += '\n';
  }
  void flush_() override {}

 private:
  std::string text_;
};

class ReceptionApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::InitCrypto();
    dir_ = std::filesystem::temp_directory_path() / ("pasip-accueil-" + crypto::RandomToken(6));
    std::filesystem::create_directories(dir_ / "web" / "css");
    std::ofstream(dir_ / "web" / "css" / "pasip.css") << "body { margin: 0; }\n";
    config_.database_url = "sqlite://" + (dir_ / "pasip.db").string();
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

    // An accueil agent of another organisation (the CCAS de Saint-Malo), which follows
    // nobody the tests create.
    auto orgs = app_->services().identity.ListOrganisations({});
    ASSERT_TRUE(orgs);
    for (const auto& o : *orgs) {
      if (o.name == "CCAS de Saint-Malo (démo)") other_org_ = o.id;
    }
    ASSERT_NE(other_org_, 0);
    identity::NewUser other;
    other.email = "accueil.saint-malo@exemple.org";
    other.display_name = "Agent de Saint-Malo";
    other.password = "un mot de passe assez long 2026";
    other.memberships = {{other_org_, identity::Role::kAccueil, {}}};
    ASSERT_TRUE(app_->services().accounts.CreateUser(other, {0, "test"}));
    accounts_["autre"] = {"autre", other.email, other.password, ""};

    http::ServerOptions options = app_->ServerOptions();
    options.default_headers = SecurityHeaders();
    server_ = std::make_unique<http::Server>(
        options, [this](http::Request& r) { return app_->Handle(r); },
        [this](const http::Exchange& e) { app_->Observe(e); });
    ASSERT_TRUE(server_->Start());
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());

    org_ = Me("accueil")["roles"][0]["organisation_id"].get<std::int64_t>();
    auto sites = app_->services().identity.ListSites({org_, ""});
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

  // Signs in through the API (once per role until ForgetSessions); returns the cookie.
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
  void ForgetSessions() { cookies_.clear(); }

  json Me(const std::string& role) { return Body(Get("/api/v1/moi", role)); }
  std::int64_t UserId(const std::string& role) { return Me(role)["id"].get<std::int64_t>(); }
  static json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  std::int64_t CreatePerson(const json& person, const std::string& role = "accueil") {
    json body = person;
    body["confirmer_doublon"] = true;
    const HttpResponse r = WithJson("POST", "/api/v1/personnes", body, role);
    EXPECT_EQ(r.status, 201) << r.body;
    const json created = Body(r);
    if (!created.is_object() || !created.contains("id")) return 0;
    const std::int64_t id = created["id"].get<std::int64_t>();
    EXPECT_EQ(r.Header("Location"), "/api/v1/personnes/" + std::to_string(id));
    return id;
  }

  std::int64_t RecordPassage(const json& passage, const std::string& role = "accueil") {
    const HttpResponse r = WithJson("POST", "/api/v1/passages", passage, role);
    EXPECT_EQ(r.status, 201) << r.body;
    const json created = Body(r);
    return created.is_object() && created.contains("id") ? created["id"].get<std::int64_t>() : 0;
  }

  json AnonymousPassage() const {
    return {{"site", site_},
            {"canal", "telephone"},
            {"motifs", {"droits--rsa"}},
            {"actes", {"information"}},
            {"profil", {{"tranche_age", "26_44"}, {"sexe", "femme"}}}};
  }

  static std::set<std::int64_t> Ids(const json& list) {
    std::set<std::int64_t> ids;
    for (const json& item : list) ids.insert(item["id"].get<std::int64_t>());
    return ids;
  }

  std::int64_t LastAuditId() {
    audit::Query q;
    q.limit = 1;
    auto entries = app_->services().audit.Search(q);
    EXPECT_TRUE(entries);
    return entries && !entries->empty() ? entries->front().id : 0;
  }
  std::vector<audit::Entry> AuditSince(std::int64_t last) {
    audit::Query q;
    q.limit = 1000;
    auto entries = app_->services().audit.Search(q);
    EXPECT_TRUE(entries);
    std::vector<audit::Entry> out;
    if (!entries) return out;
    for (const auto& e : *entries) {
      if (e.id > last) out.push_back(e);
    }
    return out;
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
  std::int64_t org_ = 0, other_org_ = 0, site_ = 0;
};

json Dupont() {
  return {{"nom_affiche", "Mme Dupont-Lefèvre"},
          {"nom_naissance", "Dupont"},
          {"nom_usage", "Lefèvre"},
          {"prenoms", "Élodie"},
          {"date_naissance", "1985-02-03"},
          {"telephone", "06 11 22 33 44"},
          {"commune", "35238"}};
}

// ---------------------------------------------------------------------------------------

TEST_F(ReceptionApiTest, EveryRouteAnswers401WithoutSession) {
  int checked = 0;
  for (const http::Route& route : app_->router().routes()) {
    const std::string& p = route.pattern;
    if (route.kind != http::RouteKind::kApi) continue;
    const bool reception = p.starts_with("/api/v1/passages") ||
                           p.starts_with("/api/v1/personnes") || p.starts_with("/api/v1/tickets") ||
                           p.find("/file-attente") != p.npos;
    if (!reception) continue;
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
  // Passages 6, persons 8, queue 4, tickets 4.
  EXPECT_EQ(checked, 22);
}

TEST_F(ReceptionApiTest, AnonymousPassageIsRecordedListedCorrectedAndDeleted) {
  const HttpResponse created = WithJson("POST", "/api/v1/passages", AnonymousPassage(), "accueil");
  ASSERT_EQ(created.status, 201) << created.body;
  const json passage = Body(created);
  const std::int64_t id = passage["id"].get<std::int64_t>();
  EXPECT_EQ(created.Header("Location"), "/api/v1/passages/" + std::to_string(id));
  EXPECT_TRUE(passage["personne"].is_null());
  EXPECT_EQ(passage["site"], site_);
  EXPECT_EQ(passage["organisation"], org_);
  EXPECT_EQ(passage["motifs"], json({"droits--rsa"}));
  EXPECT_EQ(passage["profil"]["tranche_age"], "26_44");
  EXPECT_EQ(passage["debut"], "2026-03-04T09:00:00Z");  // now, by default
  EXPECT_EQ(passage["agents"], json({UserId("accueil")}));

  const std::string today =
      "/api/v1/passages?site=" + std::to_string(site_) + "&du=2026-03-04&au=2026-03-04";
  HttpResponse list = Get(today, "accueil");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Ids(Body(list)["items"]), std::set<std::int64_t>{id});
  // The day before holds none of today's.
  list = Get("/api/v1/passages?site=" + std::to_string(site_) + "&du=2026-03-03&au=2026-03-03",
             "accueil");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Ids(Body(list)["items"]).count(id), 0u);
  // Coordination reads passages (no named data); a partenaire does not.
  EXPECT_EQ(Get(today, "coordination").status, 200);
  EXPECT_EQ(Get(today, "partenaire").status, 403);

  // Corrected within the day, then deleted.
  const HttpResponse patched = WithJson(
      "PATCH", "/api/v1/passages/" + std::to_string(id),
      {{"resultat", "orientation"}, {"actes", {"information", "orientation-externe"}}}, "accueil");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Body(patched)["resultat"], "orientation");
  EXPECT_EQ(Body(patched)["canal"], "telephone");  // absent members keep their value
  EXPECT_EQ(Get("/api/v1/passages/" + std::to_string(id), "accueil").status, 200);
  // Another organisation's agent may not correct or delete it, and cannot tell it from a
  // passage that does not exist (security.md S1), whatever the body.
  const std::string missing = "/api/v1/passages/" + std::to_string(id + 1000);
  for (const json& body : {json{{"resultat", "orientation"}}, json{{"motifs", 42}}}) {
    const HttpResponse foreign =
        WithJson("PATCH", "/api/v1/passages/" + std::to_string(id), body, "autre");
    EXPECT_EQ(foreign.status, 404) << foreign.body;
    const HttpResponse none = WithJson("PATCH", missing, body, "autre");
    EXPECT_EQ(none.status, 404) << none.body;
    EXPECT_EQ(Body(foreign)["detail"], Body(none)["detail"]);
  }
  const HttpResponse foreign_delete =
      WithJson("DELETE", "/api/v1/passages/" + std::to_string(id), json::object(), "autre");
  EXPECT_EQ(foreign_delete.status, 404) << foreign_delete.body;
  EXPECT_EQ(Body(foreign_delete)["detail"],
            Body(WithJson("DELETE", missing, json::object(), "autre"))["detail"]);
  const HttpResponse deleted =
      Send("DELETE", "/api/v1/passages/" + std::to_string(id), {{"Cookie", SignIn("accueil")}});
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(Body(Get(today, "accueil"))["items"].empty());

  // Body mistakes are 422 naming the member.
  json bad = AnonymousPassage();
  bad["motifs"] = "droits--rsa";
  HttpResponse r = WithJson("POST", "/api/v1/passages", bad, "accueil");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "motifs");
  bad = AnonymousPassage();
  bad["agents"] = {"moi"};
  r = WithJson("POST", "/api/v1/passages", bad, "accueil");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "agents[0]");
  bad = AnonymousPassage();
  bad["debut"] = "hier";
  r = WithJson("POST", "/api/v1/passages", bad, "accueil");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Body(r)["champ"], "debut");
}

TEST_F(ReceptionApiTest, BatchOfPaperTallies) {
  const HttpResponse r = WithJson("POST", "/api/v1/passages/lot",
                                  {{"site", site_},
                                   {"jour", "2026-03-02"},
                                   {"motif", "droits--css"},
                                   {"canal", "physique_sans_rdv"},
                                   {"nombre", 12}},
                                  "accueil");
  ASSERT_EQ(r.status, 201) << r.body;
  const json batch = Body(r);
  EXPECT_EQ(batch["nombre"], 12);
  EXPECT_EQ(batch["lot"], true);
  EXPECT_TRUE(batch["personne"].is_null());
  const json listed =
      Body(Get("/api/v1/passages?site=" + std::to_string(site_) + "&du=2026-03-02&au=2026-03-02",
               "accueil"));
  EXPECT_EQ(Ids(listed["items"]).count(batch["id"].get<std::int64_t>()), 1u);

  const HttpResponse zero = WithJson("POST", "/api/v1/passages/lot",
                                     {{"site", site_},
                                      {"jour", "2026-03-02"},
                                      {"motif", "droits--css"},
                                      {"canal", "telephone"},
                                      {"nombre", 0}},
                                     "accueil");
  EXPECT_EQ(zero.status, 422);
  EXPECT_EQ(Body(zero)["champ"], "nombre");
}

TEST_F(ReceptionApiTest, FiltersOnSensitiveMotivesAreRefused) {
  std::vector<std::string> keys = {"motif", "motifs", "sante", "violence", "justice", "handicap"};
  for (const reception::Item& m : app_->services().reception.catalogue().motifs) {
    if (m.sensible) keys.push_back(m.code);
  }
  ASSERT_GT(keys.size(), 6u) << "the default catalogue marks sensitive motives";
  for (const std::string& key : keys) {
    for (const std::string path : {"/api/v1/passages?", "/api/v1/personnes?q=martin&"}) {
      const HttpResponse r = Get(path + key + "=1", "accueil");
      EXPECT_EQ(r.status, 400) << path << key;
      const json problem = Body(r);
      EXPECT_EQ(problem["champ"], key) << path;
      EXPECT_TRUE(problem["detail"].get<std::string>().starts_with(kSensitiveMessage))
          << problem["detail"];
    }
  }
  // Any other unknown parameter is refused too, as unknown, naming it.
  HttpResponse r = Get("/api/v1/passages?commune=35238", "accueil");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["champ"], "commune");
  EXPECT_FALSE(Body(r)["detail"].get<std::string>().starts_with(kSensitiveMessage));
  r = Get("/api/v1/personnes?q=martin&nationalite=ue", "accueil");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["champ"], "nationalite");
  // Malformed values: 400 naming the parameter.
  for (const auto& [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"site=abc", "site"},
                                                        {"du=04/03/2026", "du"},
                                                        {"limite=0", "limite"},
                                                        {"personne=-3", "personne"}}) {
    r = Get("/api/v1/passages?" + query, "accueil");
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(Body(r)["champ"], field) << query;
  }
  r = Get("/api/v1/sites/" + std::to_string(site_) + "/file-attente/statistiques?motif=x",
          "accueil");
  EXPECT_EQ(r.status, 400);
}

TEST_F(ReceptionApiTest, DuplicatesAreProposedThenConfirmed) {
  const HttpResponse first = WithJson("POST", "/api/v1/personnes", Dupont(), "accueil");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::int64_t id = Body(first)["id"].get<std::int64_t>();
  EXPECT_EQ(Body(first)["nom_affiche"], "Mme Dupont-Lefèvre");
  EXPECT_EQ(Body(first)["commune"], "35238");

  // Same birth date, name with a typo and without accents.
  const json again = {{"nom_affiche", "Elodie Dupond"},
                      {"nom_naissance", "Dupond"},
                      {"prenoms", "Elodie"},
                      {"date_naissance", "1985-02-03"}};
  const HttpResponse proposed = WithJson("POST", "/api/v1/personnes", again, "accueil");
  ASSERT_EQ(proposed.status, 409) << proposed.body;
  const json doublons = Body(proposed)["doublons"];
  ASSERT_FALSE(doublons.empty());
  EXPECT_EQ(doublons[0]["id"], id);
  EXPECT_EQ(doublons[0]["nom_affiche"], "Mme Dupont-Lefèvre");
  EXPECT_EQ(doublons[0]["date_naissance"], "1985-02-03");
  EXPECT_GE(doublons[0]["score"].get<int>(), reception::kDuplicateThreshold);
  EXPECT_FALSE(doublons[0]["raisons"].empty());

  json confirmed = again;
  confirmed["confirmer_doublon"] = true;
  const HttpResponse created = WithJson("POST", "/api/v1/personnes", confirmed, "accueil");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t second = Body(created)["id"].get<std::int64_t>();
  EXPECT_NE(second, id);

  // Editing into a duplicate is proposed too, then the merge keeps one file.
  const HttpResponse edit = WithJson("PATCH", "/api/v1/personnes/" + std::to_string(second),
                                     {{"telephone", "+33 6 11 22 33 44"}}, "accueil");
  ASSERT_EQ(edit.status, 409) << edit.body;
  EXPECT_EQ(Body(edit)["doublons"][0]["id"], id);
  const HttpResponse merged =
      WithJson("POST", "/api/v1/personnes/" + std::to_string(id) + "/fusion",
               {{"absorbee", second}}, "accueil");
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(Body(merged)["id"], id);
  const json file = Body(Get("/api/v1/personnes/" + std::to_string(id), "accueil"));
  EXPECT_EQ(file["dossiers_fusionnes"], json({second}));

  // Search by name and birth date.
  const HttpResponse found = Get("/api/v1/personnes?q=dupont&date_naissance=1985-02-03", "accueil");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(Ids(Body(found)["items"]).count(id), 1u);
  // Body mistakes name the member.
  const HttpResponse bad =
      WithJson("POST", "/api/v1/personnes", {{"nom_affiche", "X"}, {"foyer", {{{"relation", 3}}}}},
               "accueil");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(Body(bad)["champ"], "foyer[0].relation");
}

TEST_F(ReceptionApiTest, AnotherOrganisationSeesNothing) {
  const std::int64_t id = CreatePerson(Dupont());
  ASSERT_NE(id, 0);
  const std::string path = "/api/v1/personnes/" + std::to_string(id);
  ASSERT_EQ(Get(path, "accueil").status, 200);

  const HttpResponse missing = Get("/api/v1/personnes/999999", "autre");
  EXPECT_EQ(missing.status, 404);
  for (const std::string& target : {path, path + "/export"}) {
    const HttpResponse r = Get(target, "autre");
    EXPECT_EQ(r.status, 404) << target << " " << r.body;
    EXPECT_EQ(Body(r)["detail"], Body(missing)["detail"]) << "the same answer as no file";
  }
  EXPECT_EQ(WithJson("PATCH", path, {{"nom_affiche", "Changé"}}, "autre").status, 404);
  // A malformed body does not reveal the file either.
  EXPECT_EQ(WithJson("PATCH", path, {{"nom_affiche", 42}}, "autre").status, 404);
  EXPECT_EQ(WithJson("POST", path + "/notes", {{"visibilite", "generale"}, {"texte", "x"}}, "autre")
                .status,
            404);
  const HttpResponse search = Get("/api/v1/personnes?q=dupont", "autre");
  ASSERT_EQ(search.status, 200);
  EXPECT_EQ(Ids(Body(search)["items"]).count(id), 0u);
  // Nor its passages: not in another organisation's listing, nor by person; coordination
  // counts them without the person or the note.
  json named = AnonymousPassage();
  named.erase("profil");
  named["personne"] = id;
  named["note"] = "Demande de RSA.";
  const std::int64_t passage = RecordPassage(named);
  const std::string site_list = "/api/v1/passages?site=" + std::to_string(site_);
  const HttpResponse listed = Get(site_list, "autre");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Ids(Body(listed)["items"]).count(passage), 0u);
  EXPECT_EQ(Get("/api/v1/passages?personne=" + std::to_string(id), "autre").status, 404);
  for (const json& p : Body(Get(site_list, "coordination"))["items"]) {
    if (p["id"] != passage) continue;
    EXPECT_TRUE(p["personne"].is_null()) << p;
    EXPECT_TRUE(p["note"].is_null()) << p;
  }
  EXPECT_EQ(Ids(Body(Get(site_list, "coordination"))["items"]).count(passage), 1u);
  // A partenaire has no access to person files at all.
  EXPECT_EQ(Get(path, "partenaire").status, 403);
  // Still unchanged for its organisation.
  EXPECT_EQ(Body(Get(path, "accueil"))["nom_affiche"], "Mme Dupont-Lefèvre");
}

TEST_F(ReceptionApiTest, NotesFollowTheirVisibility) {
  const std::int64_t id = CreatePerson(Dupont());
  ASSERT_NE(id, 0);
  const std::string notes = "/api/v1/personnes/" + std::to_string(id) + "/notes";
  const auto add = [&](const std::string& role, const std::string& visibilite,
                       const std::string& texte) {
    const HttpResponse r =
        WithJson("POST", notes, {{"visibilite", visibilite}, {"texte", texte}}, role);
    EXPECT_EQ(r.status, 201) << role << " " << visibilite << " " << r.body;
    return Body(r).value("id", std::int64_t{0});
  };
  const std::int64_t general = add("accueil", "generale", "Revient jeudi avec ses papiers.");
  const std::int64_t confidential = add("social", "confidentielle", "Situation familiale.");
  const std::int64_t accueil_private = add("accueil", "privee", "Pense-bête de l'agent.");
  const std::int64_t social_private = add("social", "privee", "Pense-bête du social.");
  // Accueil may not write a confidential note.
  const HttpResponse refused =
      WithJson("POST", notes, {{"visibilite", "confidentielle"}, {"texte", "non"}}, "accueil");
  EXPECT_TRUE(refused.status == 403 || refused.status == 422) << refused.status;

  const std::string path = "/api/v1/personnes/" + std::to_string(id);
  const json for_accueil = Body(Get(path, "accueil"));
  EXPECT_EQ(for_accueil["niveau"], "identite");
  EXPECT_EQ(Ids(for_accueil["notes"]), (std::set<std::int64_t>{general, accueil_private}));
  const json for_social = Body(Get(path, "social"));
  EXPECT_EQ(for_social["niveau"], "confidentiel");
  EXPECT_EQ(Ids(for_social["notes"]),
            (std::set<std::int64_t>{general, confidential, social_private}));
}

TEST_F(ReceptionApiTest, ExportHoldsEverythingAboutThePerson) {
  const std::int64_t id = CreatePerson(Dupont());
  ASSERT_NE(id, 0);
  json named = AnonymousPassage();
  named.erase("profil");
  named["personne"] = id;
  named["note"] = "Dossier RSA commencé.";
  const std::int64_t passage = RecordPassage(named);
  const std::string path = "/api/v1/personnes/" + std::to_string(id);
  const HttpResponse note =
      WithJson("POST", path + "/notes", {{"visibilite", "generale"}, {"texte", "Note à exporter."}},
               "accueil");
  ASSERT_EQ(note.status, 201) << note.body;
  const HttpResponse consent = WithJson(
      "POST", path + "/consentements",
      {{"objet", "Situation pour la demande de RSA"}, {"destinataires", "Caf"}, {"portee", "RSA"}},
      "accueil");
  ASSERT_EQ(consent.status, 201) << consent.body;
  EXPECT_EQ(Body(consent)["opposition"], false);

  const HttpResponse r = Get(path + "/export", "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_NE(r.Header("Content-Disposition").find("pasip-personne-" + std::to_string(id)),
            std::string::npos);
  const json bundle = Body(r);
  EXPECT_EQ(bundle["personne"]["id"], id);
  EXPECT_EQ(bundle["personne"]["telephone"], "06 11 22 33 44");
  EXPECT_EQ(Ids(bundle["passages"]), std::set<std::int64_t>{passage});
  EXPECT_EQ(Ids(bundle["notes"]), std::set<std::int64_t>{Body(note)["id"].get<std::int64_t>()});
  EXPECT_EQ(Ids(bundle["consentements"]),
            std::set<std::int64_t>{Body(consent)["id"].get<std::int64_t>()});
  ASSERT_FALSE(bundle["suivis"].empty());
  EXPECT_EQ(bundle["suivis"][0]["organisation"], org_);
  EXPECT_FALSE(bundle["acces"].empty()) << "the accesses of the audit log are listed";

  // The file shows the consent and the named passage in its timeline.
  const json file = Body(Get(path, "accueil"));
  EXPECT_EQ(Ids(file["consentements"]).size(), 1u);
  EXPECT_EQ(Ids(file["passages"]), std::set<std::int64_t>{passage});
  // Administrators export (right of access); a partenaire does not.
  EXPECT_EQ(Get(path + "/export", "admin").status, 200);
  EXPECT_EQ(Get(path + "/export", "partenaire").status, 403);
}

TEST_F(ReceptionApiTest, ReadingAFileWritesOneAuditEntryWithoutPersonalData) {
  const std::int64_t id = CreatePerson(Dupont());
  ASSERT_NE(id, 0);
  const std::string path = "/api/v1/personnes/" + std::to_string(id);
  ASSERT_EQ(WithJson("POST", path + "/notes", {{"visibilite", "generale"}, {"texte", "Une note."}},
                     "accueil")
                .status,
            201);
  json named = AnonymousPassage();
  named.erase("profil");
  named["personne"] = id;
  RecordPassage(named);
  SignIn("accueil");

  const std::int64_t before = LastAuditId();
  ASSERT_EQ(Get(path, "accueil").status, 200);
  const auto entries = AuditSince(before);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].resource_id, std::to_string(id));
  EXPECT_EQ(entries[0].user_id, UserId("accueil"));
  EXPECT_EQ(entries[0].outcome, audit::Outcome::kSuccess);
  for (const std::string& field : {entries[0].action, entries[0].resource_type}) {
    EXPECT_EQ(field.find("Dupont"), std::string::npos);
  }
}

TEST_F(ReceptionApiTest, TheAccessLogNamesNobody) {
  auto sink = std::make_shared<CaptureSink>();
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture-accueil", sink));
  struct Restore {
    std::shared_ptr<spdlog::logger> logger;
    ~Restore() { spdlog::set_default_logger(logger); }
  } restore{previous};

  json person = {{"nom_affiche", "Zéphyrine Quillévéré"},
                 {"nom_naissance", "Quillévéré"},
                 {"prenoms", "Zéphyrine"},
                 {"telephone", "06 98 76 54 32"},
                 {"courriel", "zephyrine@exemple.org"}};
  const std::int64_t id = CreatePerson(person);
  ASSERT_NE(id, 0);
  const std::string path = "/api/v1/personnes/" + std::to_string(id);
  EXPECT_EQ(Get("/api/v1/personnes?q=Quill%C3%A9v%C3%A9r%C3%A9", "accueil").status, 200);
  EXPECT_EQ(Get(path, "accueil").status, 200);
  EXPECT_EQ(Get(path + "/export", "accueil").status, 200);
  // The last request, with an id we know: the log line is written after the answer is sent.
  const HttpResponse last = Send("GET", "/api/v1/personnes?q=Zephyrine",
                                 {{"Cookie", SignIn("accueil")}, {"X-Request-Id", "test-fin-log"}});
  EXPECT_EQ(last.status, 200);
  std::string log;
  for (int i = 0; i < 500 && log.find("test-fin-log") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = sink->Text();
  }
  ASSERT_NE(log.find("test-fin-log"), std::string::npos) << log;
  EXPECT_NE(log.find("/api/v1/personnes/{id}"), std::string::npos) << log;
  for (const char* personal : {"Zéphyrine", "Zephyrine", "Quill", "Quill%C3", "98 76", "98%2076",
                               "zephyrine@", "0698765432"}) {
    EXPECT_EQ(log.find(personal), std::string::npos) << personal << " in\n" << log;
  }
  EXPECT_EQ(log.find("/api/v1/personnes/" + std::to_string(id) + "\""), std::string::npos);
}

TEST_F(ReceptionApiTest, QueueHandOffToASocialWorker) {
  const std::string queue = "/api/v1/sites/" + std::to_string(site_) + "/file-attente";
  const HttpResponse taken = WithJson("POST", queue, {{"motif", "droits--rsa"}}, "accueil");
  ASSERT_EQ(taken.status, 201) << taken.body;
  const json ticket = Body(taken);
  const std::int64_t id = ticket["id"].get<std::int64_t>();
  EXPECT_GE(ticket["numero"].get<int>(), 1);
  EXPECT_EQ(ticket["etat"], reception::TicketStateName(reception::TicketState::kWaiting));
  EXPECT_EQ(ticket["jour"], "2026-03-04");

  HttpResponse view = Get(queue, "accueil");
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(Ids(Body(view)["attente"]).count(id), 1u);
  EXPECT_EQ(Get(queue, "partenaire").status, 403);
  EXPECT_EQ(Get(queue, "autre").status, 403);  // another organisation's site

  const std::string tickets = "/api/v1/tickets/" + std::to_string(id);
  clock_.Advance(std::chrono::minutes(12));
  HttpResponse r = WithJson("POST", tickets + "/appel", json::object(), "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["etat"], reception::TicketStateName(reception::TicketState::kCalled));
  const std::int64_t social = UserId("social");
  r = WithJson("POST", tickets + "/transmission",
               {{"a", social}, {"note", "Demande de RSA, voir avec elle."}}, "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["etat"], reception::TicketStateName(reception::TicketState::kHandedOff));
  EXPECT_EQ(Body(r)["transmis_a"], social);
  view = Get(queue, "accueil");
  EXPECT_EQ(Ids(Body(view)["transmis"]).count(id), 1u);

  // The social worker calls the next person handed to them: this one.
  r = WithJson("POST", queue + "/appel-suivant", json::object(), "social");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["id"], id);
  EXPECT_EQ(Body(r)["etat"], reception::TicketStateName(reception::TicketState::kWithSocial));
  r = WithJson("POST", tickets + "/fin", json::object(), "social");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["etat"], reception::TicketStateName(reception::TicketState::kDone));

  // A no-show.
  const HttpResponse other = WithJson("POST", queue, json::object(), "accueil");
  ASSERT_EQ(other.status, 201) << other.body;
  r = WithJson(
      "POST",
      "/api/v1/tickets/" + std::to_string(Body(other)["id"].get<std::int64_t>()) + "/absence",
      json::object(), "accueil");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["etat"], reception::TicketStateName(reception::TicketState::kNoShow));

  const HttpResponse stats = Get(queue + "/statistiques?du=2026-03-04&au=2026-03-04", "accueil");
  ASSERT_EQ(stats.status, 200) << stats.body;
  const json days = Body(stats)["jours"];
  ASSERT_EQ(days.size(), 1u);
  EXPECT_EQ(days[0]["jour"], "2026-03-04");
  EXPECT_GE(days[0]["tickets"].get<int>(), 2);
  EXPECT_GE(days[0]["absents"].get<int>(), 1);
  EXPECT_EQ(Get(queue + "/statistiques?du=hier", "accueil").status, 400);
  // Without dates: the last seven days.
  EXPECT_EQ(Body(Get(queue + "/statistiques", "accueil"))["jours"].size(), 7u);
}

TEST_F(ReceptionApiTest, TheDailyJobPurgesFilesWithoutContactForTwoYears) {
  const std::int64_t idle = CreatePerson(Dupont());
  const std::int64_t returning = CreatePerson({{"nom_affiche", "M. Retour"},
                                               {"nom_naissance", "Retour"},
                                               {"date_naissance", "1970-07-07"}});
  ASSERT_NE(idle, 0);
  ASSERT_NE(returning, 0);
  json named = AnonymousPassage();
  named.erase("profil");
  named["personne"] = idle;
  const std::int64_t idle_passage = RecordPassage(named);

  // A contact at 1 year and 364 days resets the clock of the returning person.
  clock_.Advance(kDay * (365 + 364));
  ForgetSessions();
  named["personne"] = returning;
  RecordPassage(named);

  // 2 years and 1 day after the last contact of the idle person.
  clock_.Set(*ParseIso("2026-03-04T09:00:00Z") + kDay * (730 + 1));
  auto ran = app_->worker().RunOnce();
  ASSERT_TRUE(ran) << ran.error().ToString();
  auto recent = app_->services().jobs.Recent(50);
  ASSERT_TRUE(recent);
  bool purge_done = false;
  for (const auto& j : *recent) {
    if (j.job.kind == "reception.purge") {
      EXPECT_EQ(j.state, jobs::JobState::kDone) << j.job.last_error;
      purge_done = purge_done || j.state == jobs::JobState::kDone;
    }
  }
  EXPECT_TRUE(purge_done);

  ForgetSessions();
  EXPECT_EQ(Get("/api/v1/personnes/" + std::to_string(idle), "accueil").status, 404);
  EXPECT_EQ(Get("/api/v1/personnes/" + std::to_string(returning), "accueil").status, 200);
  auto log = app_->services().reception.store().PurgeLog(100);
  ASSERT_TRUE(log);
  std::set<std::int64_t> purged;
  for (const auto& e : *log) purged.insert(e.person_id);
  EXPECT_EQ(purged.count(idle), 1u);
  EXPECT_EQ(purged.count(returning), 0u);
  // The passage stays for the statistics, without the person.
  auto passage = app_->services().reception.store().FindPassage(idle_passage);
  ASSERT_TRUE(passage);
  ASSERT_TRUE(passage->has_value());
  EXPECT_FALSE((*passage)->person_id.has_value());
  EXPECT_TRUE((*passage)->note.empty());
}

TEST_F(ReceptionApiTest, PurgeExportsToTheArchivesWhenTheOrganisationSaysSo) {
  reception::RetentionSettings settings;
  settings.organisation_id = org_;
  settings.days = 730;
  settings.mode = reception::PurgeMode::kExport;
  ASSERT_TRUE(app_->services().reception.store().SaveRetention(settings));
  const std::int64_t id = CreatePerson(Dupont());
  ASSERT_NE(id, 0);

  clock_.Advance(kDay * 731);
  // What `pasip purge` runs.
  auto report = PurgePersons(app_->services().reception, config_.reception_archives_dir, clock_,
                             "purge-test");
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_GE(report->exportes, 1);
  EXPECT_EQ(static_cast<std::size_t>(report->exportes), report->bundles.size());
  const std::string summary = PurgeSummary(*report, config_.reception_archives_dir);
  EXPECT_TRUE(summary.starts_with("Purge : ")) << summary;
  EXPECT_NE(summary.find("export"), std::string::npos) << summary;

  bool found = false;
  for (const std::string& name : report->bundles) {
    const std::filesystem::path file = dir_ / "archives" / name;
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
    std::ifstream in(file);
    const json bundle = json::parse(in, nullptr, false);
    ASSERT_TRUE(bundle.is_object()) << file;
    if (bundle["personne"]["id"] == id) {
      found = true;
      EXPECT_EQ(bundle["personne"]["nom_affiche"], "Mme Dupont-Lefèvre");
    }
  }
  EXPECT_TRUE(found);
  ForgetSessions();
  EXPECT_EQ(Get("/api/v1/personnes/" + std::to_string(id), "accueil").status, 404);
}

// ---------------------------------------------------------------------------------------
// Without the server.

// The line `pasip purge` and the daily job print.
TEST(PurgeSummaryTest, CountsFilesAndHandOffNotesInFrench) {
  reception::PurgeReport report;
  EXPECT_EQ(PurgeSummary(report, "var/archives"),
            "Purge : 0 dossier anonymisé, 0 dossier exporté vers les archives, 0 note de "
            "transmission effacée.");
  report.anonymises = 2;
  report.exportes = 1;
  report.notes_effacees = 3;
  EXPECT_EQ(PurgeSummary(report, "var/archives"),
            "Purge : 2 dossiers anonymisés, 1 dossier exporté vers les archives (var/archives), "
            "3 notes de transmission effacées.");
  report.notes_effacees = 1;
  report.exportes = 0;
  EXPECT_EQ(PurgeSummary(report, "var/archives"),
            "Purge : 2 dossiers anonymisés, 0 dossier exporté vers les archives, 1 note de "
            "transmission effacée.");
}

TEST(ArchiveSink, WritesPrivateFilesUnderDistinctNames) {
  crypto::InitCrypto();
  const auto dir = std::filesystem::temp_directory_path() /
                   ("pasip-archives-" + crypto::RandomToken(6)) / "sous-dossier";
  ManualClock clock(*ParseIso("2028-03-05T09:00:00Z"));
  DirectoryArchiveSink sink(dir, clock);
  reception::PersonExport bundle;
  bundle.person.id = 42;
  bundle.person.nom_affiche = "Mme Archive";
  reception::Note note;
  note.id = 7;
  note.person_id = 42;
  note.texte = "Une note.";
  bundle.notes.push_back(note);

  auto first = sink.Write(bundle);
  ASSERT_TRUE(first) << first.error().ToString();
  auto second = sink.Write(bundle);  // same instant: another name
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(*first, "personne-42-20280305T090000Z.json");
  EXPECT_NE(*first, *second);

  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << entry.path();
    EXPECT_FALSE(entry.path().filename().string().starts_with(".")) << "no temporary file left";
  }
  EXPECT_EQ(files, 2);
  std::ifstream in(dir / *first);
  const json j = json::parse(in, nullptr, false);
  EXPECT_EQ(j["personne"]["nom_affiche"], "Mme Archive");
  EXPECT_EQ(j["notes"][0]["texte"], "Une note.");
  EXPECT_EQ(j["archive_le"], "2028-03-05T09:00:00Z");
  std::filesystem::remove_all(dir.parent_path());
}

TEST(ArchiveSink, FailsWhenTheFolderCannotBeWritten) {
  ManualClock clock(*ParseIso("2028-03-05T09:00:00Z"));
  // A file stands where the folder should be.
  const auto path =
      std::filesystem::temp_directory_path() / ("pasip-archives-fichier-" + crypto::RandomToken(6));
  std::ofstream(path) << "x";
  DirectoryArchiveSink sink(path / "archives", clock);
  auto r = sink.Write(reception::PersonExport{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("Archives"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(ReceptionCatalogueConfig, ABadFileStopsTheApplicationNamingTheKey) {
  crypto::InitCrypto();
  const auto dir =
      std::filesystem::temp_directory_path() / ("pasip-catalogue-" + crypto::RandomToken(6));
  std::filesystem::create_directories(dir);
  ManualClock clock(*ParseIso("2026-03-04T09:00:00Z"));
  Config config;
  config.database_url = "sqlite://" + (dir / "pasip.db").string();

  config.reception_catalogue = (dir / "absent.tsv").string();
  auto missing = Application::Open(config, clock);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "reception.catalogue");
  EXPECT_NE(missing.error().message.find("reception.catalogue"), std::string::npos);

  std::ofstream(dir / "mauvais.tsv") << "motif\tCode Invalide!\tUn motif\tdroits\tnon\n";
  config.reception_catalogue = (dir / "mauvais.tsv").string();
  auto bad = Application::Open(config, clock);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "reception.catalogue");
  EXPECT_NE(bad.error().message.find("ligne 1"), std::string::npos) << bad.error().message;

  std::ofstream(dir / "bon.tsv") << "# motifs du territoire\n"
                                    "motif\tepicerie-sociale\tÉpicerie sociale\turgence\tnon\n"
                                    "motif\tsuivi-addiction\tAddictions\tsante\toui\n";
  config.reception_catalogue = (dir / "bon.tsv").string();
  auto good = Application::Open(config, clock);
  ASSERT_TRUE(good) << good.error().ToString();
  const reception::Catalogue& catalogue = (*good)->services().reception.catalogue();
  ASSERT_NE(catalogue.Motif("epicerie-sociale"), nullptr);
  EXPECT_TRUE(catalogue.IsSensitiveMotif("suivi-addiction"));
  EXPECT_EQ(catalogue.Motif("droits--rsa"), nullptr) << "the file replaces the default motives";
  EXPECT_NE(catalogue.Acte("information"), nullptr) << "no act listed: the default acts";
  good->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pasip::app
