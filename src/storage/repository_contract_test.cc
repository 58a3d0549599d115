// Contract tests of the repositories and migrations, run on SQLite always and on
// PostgreSQL when PASIP_TEST_PG_URL names a throwaway database (make test starts one).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/crypto.h"
#include "storage/audit_repository.h"
#include "storage/identity_repository.h"
#include "storage/job_repository.h"
#include "storage/migrations.h"
#include "storage/territory_repository.h"

namespace pasip::storage {
namespace {

using identity::Membership;
using identity::Organisation;
using identity::Role;
using identity::Site;
using identity::User;

std::string PgUrl() {
  const char* url = std::getenv("PASIP_TEST_PG_URL");
  return url ? url : "";
}

class RepositoryContract : public ::testing::TestWithParam<std::string> {
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
    } else {
      dir_ = std::filesystem::temp_directory_path() / ("pasip-repo-" + crypto::RandomToken(6));
      std::filesystem::create_directories(dir_);
      auto db = OpenDatabase("sqlite://" + (dir_ / "main.db").string());
      ASSERT_TRUE(db) << db.error().ToString();
      db_ = std::move(*db);
      auto adb = OpenDatabase("sqlite://" + (dir_ / "audit.db").string());
      ASSERT_TRUE(adb);
      audit_db_ = std::move(*adb);
    }
    ASSERT_TRUE(Migrate(*db_, Series::kMain));
    ASSERT_TRUE(Migrate(audit_db(), Series::kAudit));
  }
  void TearDown() override {
    audit_db_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  Database& audit_db() { return audit_db_ ? *audit_db_ : *db_; }

  Organisation NewOrganisation(SqlIdentityStore& store, const std::string& name) {
    Organisation o;
    o.name = name;
    o.kind = "ccas-cias";
    auto created = store.CreateOrganisation(o);
    EXPECT_TRUE(created) << created.error().ToString();
    return *created;
  }

  std::unique_ptr<Database> db_;
  std::unique_ptr<Database> audit_db_;
  std::filesystem::path dir_;
};

TEST_P(RepositoryContract, MigrationsAreIdempotentAndVersioned) {
  auto again = Migrate(*db_, Series::kMain);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(*CurrentVersion(*db_, Series::kMain), LatestVersion(Series::kMain, db_->dialect()));
  EXPECT_TRUE(CheckSchema(*db_, Series::kMain));
  EXPECT_TRUE(CheckSchema(audit_db(), Series::kAudit));
}

TEST_P(RepositoryContract, RefusesASchemaNewerThanTheBinary) {
  auto c = db_->Acquire();
  ASSERT_TRUE(c);
  ASSERT_TRUE(
      (*c)->Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    {LatestVersion(Series::kMain, db_->dialect()) + 1, "future", 0}));
  const auto status = CheckSchema(*db_, Series::kMain);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(status.error().message.find("plus récent"), std::string::npos);
  EXPECT_FALSE(Migrate(*db_, Series::kMain));
}

TEST_P(RepositoryContract, OrganisationsAndSites) {
  SqlIdentityStore store(*db_);
  const Organisation a = NewOrganisation(store, "CCAS de Rennes");
  NewOrganisation(store, "Caf d'Ille-et-Vilaine");
  Organisation with_siret;
  with_siret.name = "Association";
  with_siret.kind = "associations";
  with_siret.siret = "73282932000074";
  ASSERT_TRUE(store.CreateOrganisation(with_siret));
  EXPECT_EQ(store.CreateOrganisation(with_siret).error().code, ErrorCode::kAlreadyExists);

  auto found = store.ListOrganisations({"rennes"});
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, a.id);
  EXPECT_EQ(store.ListOrganisations({"%"})->size(), 0u);  // wildcards are literal
  EXPECT_EQ(store.ListOrganisations({})->size(), 3u);

  Organisation renamed = a;
  renamed.name = "CCAS de Rennes — accueil";
  renamed.active = false;
  ASSERT_TRUE(store.UpdateOrganisation(renamed));
  EXPECT_EQ((*store.FindOrganisation(a.id))->name, "CCAS de Rennes — accueil");
  EXPECT_FALSE((*store.FindOrganisation(a.id))->active);
  EXPECT_EQ(store.ListOrganisations({"", false})->size(), 2u);
  EXPECT_FALSE(*store.FindOrganisation(999999));

  Site s;
  s.organisation_id = a.id;
  s.name = "Accueil central";
  s.commune_code = "35238";
  s.latitude = 48.11198;
  s.longitude = -1.68186;
  auto site = store.CreateSite(s);
  ASSERT_TRUE(site);
  auto read = store.FindSite(site->id);
  ASSERT_TRUE(read && *read);
  EXPECT_DOUBLE_EQ(*(*read)->latitude, 48.11198);
  Site no_coords = s;
  no_coords.latitude.reset();
  no_coords.longitude.reset();
  no_coords.name = "Permanence";
  ASSERT_TRUE(store.CreateSite(no_coords));
  EXPECT_EQ(store.ListSites({a.id, ""})->size(), 2u);
  EXPECT_FALSE((*store.ListSites({a.id, "perm"}))[0].latitude);
  Site orphan = s;
  orphan.organisation_id = 424242;
  EXPECT_EQ(store.CreateSite(orphan).error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(RepositoryContract, UsersMembershipsAndSecrets) {
  SqlIdentityStore store(*db_);
  const Organisation org = NewOrganisation(store, "CCAS");
  const Organisation other = NewOrganisation(store, "Caf");
  Site s;
  s.organisation_id = org.id;
  s.name = "Accueil";
  s.commune_code = "35238";
  const Site site = *store.CreateSite(s);

  User u;
  u.email = "agent@exemple.fr";
  u.display_name = "Camille";
  u.password_hash = "$argon2id$x";
  u.memberships = {{org.id, Role::kAccueil, {site.id}}, {other.id, Role::kPartenaire, {}}};
  auto created = store.CreateUser(u);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(store.CreateUser(u).error().code, ErrorCode::kAlreadyExists);

  auto read = store.FindUserByEmail("agent@exemple.fr");
  ASSERT_TRUE(read && *read);
  ASSERT_EQ((*read)->memberships.size(), 2u);
  EXPECT_EQ((*read)->memberships[0].role, Role::kAccueil);
  EXPECT_EQ((*read)->memberships[0].site_ids, std::vector<identity::SiteId>{site.id});
  EXPECT_TRUE((*read)->memberships[1].site_ids.empty());

  User changed = **read;
  changed.display_name = "Camille D.";
  changed.disabled = true;
  changed.memberships = {{other.id, Role::kSocial, {}}};
  ASSERT_TRUE(store.UpdateUser(changed));
  auto again = *store.FindUser(created->id);
  EXPECT_EQ(again->display_name, "Camille D.");
  EXPECT_TRUE(again->disabled);
  ASSERT_EQ(again->memberships.size(), 1u);
  EXPECT_EQ(again->memberships[0].role, Role::kSocial);

  EXPECT_EQ(store.ListUsers({"camille", {}, true, 10})->size(), 1u);
  EXPECT_EQ(store.ListUsers({"camille", {}, false, 10})->size(), 0u);
  EXPECT_EQ(store.ListUsers({"", org.id, true, 10})->size(), 0u);
  EXPECT_EQ(store.ListUsers({"", other.id, true, 10})->size(), 1u);

  ASSERT_TRUE(store.SetPasswordHash(created->id, "$argon2id$y"));
  EXPECT_EQ((*store.FindUser(created->id))->password_hash, "$argon2id$y");
  ASSERT_TRUE(store.SetTotpSecret(created->id, "JBSWY3DPEHPK3PXP"));
  EXPECT_TRUE(*store.AdvanceTotpStep(created->id, 100));
  EXPECT_FALSE(*store.AdvanceTotpStep(created->id, 100));
  EXPECT_TRUE(*store.AdvanceTotpStep(created->id, 101));
  ASSERT_TRUE(store.ReplaceRecoveryCodes(created->id, {"h1", "h2"}));
  EXPECT_TRUE(*store.ConsumeRecoveryCode(created->id, "h1"));
  EXPECT_FALSE(*store.ConsumeRecoveryCode(created->id, "h1"));
  EXPECT_EQ(store.SetPasswordHash(987654, "x").error().code, ErrorCode::kNotFound);
}

TEST_P(RepositoryContract, SessionsAndThrottling) {
  SqlIdentityStore store(*db_);
  User u;
  u.email = "a@b.fr";
  u.display_name = "A";
  u.password_hash = "h";
  const User created = *store.CreateUser(u);
  SqlSessionStore sessions(*db_);
  const TimePoint t0 = *ParseIso("2026-11-22T10:00:00Z");
  identity::Session s{"id-1", created.id, t0, t0, "csrf", false, "Firefox"};
  ASSERT_TRUE(sessions.Create(s));
  s.id = "id-2";
  ASSERT_TRUE(sessions.Create(s));
  auto found = sessions.Find("id-1");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->created_at, t0);
  ASSERT_TRUE(sessions.MarkSecondFactorVerified("id-1"));
  ASSERT_TRUE(sessions.Touch("id-1", t0 + std::chrono::minutes(20)));
  EXPECT_TRUE((*sessions.Find("id-1"))->second_factor_verified);
  EXPECT_EQ(*sessions.DeleteExpired(t0 + std::chrono::minutes(10), t0 - std::chrono::hours(1)), 1);
  EXPECT_FALSE(*sessions.Find("id-2"));
  ASSERT_TRUE(sessions.DeleteForUser(created.id, ""));
  EXPECT_TRUE(sessions.ListForUser(created.id)->empty());

  SqlLoginThrottleStore throttle(*db_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(throttle.RecordFailure("email:a@b.fr", t0));
  ASSERT_TRUE(throttle.RecordFailure("email:a@b.fr", t0 - std::chrono::hours(1)));
  EXPECT_EQ(*throttle.CountFailuresSince("email:a@b.fr", t0 - std::chrono::minutes(15)), 3);
  EXPECT_EQ(*throttle.DeleteBefore(t0 - std::chrono::minutes(30)), 1);
  ASSERT_TRUE(throttle.Clear("email:a@b.fr"));
  EXPECT_EQ(*throttle.CountFailuresSince("email:a@b.fr", t0 - std::chrono::hours(2)), 0);
}

TEST_P(RepositoryContract, AuditLogIsAppendOnly) {
  SqlAuditStore store(audit_db());
  const TimePoint now = SystemClock().Now();
  const TimePoint old = now - std::chrono::hours(24 * 400);
  ASSERT_TRUE(store.Append({0, old, 1, "read", "person", "7", "r-old", audit::Outcome::kSuccess}));
  ASSERT_TRUE(store.Append({0, now, 2, "update", "user", "3", "r-new", audit::Outcome::kDenied}));

  auto all = store.Search({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].request_id, "r-new");  // newest first
  EXPECT_EQ((*all)[0].outcome, audit::Outcome::kDenied);
  audit::Query by_user;
  by_user.user_id = 1;
  EXPECT_EQ(store.Search(by_user)->size(), 1u);
  audit::Query by_resource;
  by_resource.resource_type = "person";
  by_resource.resource_id = "7";
  EXPECT_EQ(store.Search(by_resource)->size(), 1u);
  audit::Query page;
  page.before_id = (*all)[0].id;
  EXPECT_EQ(store.Search(page)->front().request_id, "r-old");
  audit::Query window;
  window.from = now - std::chrono::hours(1);
  EXPECT_EQ(store.Search(window)->size(), 1u);

  auto c = audit_db().Acquire();
  ASSERT_TRUE(c);
  const std::string table = audit_db().dialect() == Dialect::kPostgres ? "audit.log" : "audit_log";
  EXPECT_FALSE((*c)->Execute("UPDATE " + table + " SET action = 'x'"));
  EXPECT_FALSE((*c)->Execute("DELETE FROM " + table + " WHERE request_id = 'r-new'"));
  EXPECT_EQ(store.Search({})->size(), 2u);

  // Retention removes entries older than the cut-off, and only those.
  auto removed = store.DeleteBefore(now - std::chrono::hours(24 * 365));
  ASSERT_TRUE(removed) << removed.error().ToString();
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(store.Search({})->size(), 1u);
  // Even retention cannot remove entries under 180 days old.
  EXPECT_FALSE(store.DeleteBefore(now + std::chrono::hours(1)));
}

TEST_P(RepositoryContract, ApplicationRoleMayOnlyInsertAndSelectAudit) {
  if (db_->dialect() != Dialect::kPostgres) GTEST_SKIP() << "rôles PostgreSQL seulement";
  {
    auto c = db_->Acquire();
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->ExecuteScript(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pasip_app_test') "
        "THEN CREATE ROLE pasip_app_test LOGIN; END IF; END $$;"));
  }
  ASSERT_TRUE(GrantApplicationRole(*db_, "pasip_app_test"));
  EXPECT_FALSE(GrantApplicationRole(*db_, "x; DROP TABLE users"));
  std::string url = PgUrl();
  const std::size_t scheme = url.find("://") + 3;
  const std::size_t at = url.find('@', scheme);
  ASSERT_NE(at, std::string::npos);
  url = url.substr(0, scheme) + "pasip_app_test" + url.substr(at);
  auto app_db = OpenDatabase(url);
  ASSERT_TRUE(app_db) << app_db.error().ToString();
  // The application starts as this role on a migrated database: nothing to create.
  auto main_applied = Migrate(**app_db, Series::kMain);
  ASSERT_TRUE(main_applied) << main_applied.error().ToString();
  EXPECT_EQ(*main_applied, 0);
  auto audit_applied = Migrate(**app_db, Series::kAudit);
  ASSERT_TRUE(audit_applied) << audit_applied.error().ToString();
  EXPECT_EQ(*audit_applied, 0);
  SqlAuditStore store(**app_db);
  const TimePoint now = SystemClock().Now();
  ASSERT_TRUE(store.Append({0, now - std::chrono::hours(24 * 400), 1, "read", "person", "1", "r",
                            audit::Outcome::kSuccess}));
  ASSERT_TRUE(store.Search({}));
  auto c = (*app_db)->Acquire();
  ASSERT_TRUE(c);
  const auto update = (*c)->Execute("UPDATE audit.log SET action = 'x'");
  ASSERT_FALSE(update);
  EXPECT_EQ(update.error().code, ErrorCode::kPermissionDenied);
  const auto del = (*c)->Execute("DELETE FROM audit.log");
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(*store.DeleteBefore(now - std::chrono::hours(24 * 365)), 1);  // through purge()
  // The business tables stay usable by the application role.
  SqlIdentityStore identity(**app_db);
  EXPECT_TRUE(identity.ListOrganisations({}));
}

TEST_P(RepositoryContract, JobQueueClaimsRetriesAndDeduplicates) {
  SqlJobQueue queue(*db_);
  const TimePoint t0 = *ParseIso("2026-11-22T10:00:00Z");
  jobs::Job j;
  j.kind = "audit.retention";
  j.run_at = t0;
  j.unique_key = "audit.retention@1";
  auto id = queue.Enqueue(j);
  ASSERT_TRUE(id);
  EXPECT_GT(*id, 0);
  EXPECT_EQ(*queue.Enqueue(j), 0);  // same unique key: not enqueued twice
  j.unique_key.clear();
  j.run_at = t0 + std::chrono::hours(1);
  ASSERT_TRUE(queue.Enqueue(j));

  auto claimed = queue.Claim("w1", t0, std::chrono::seconds(60));
  ASSERT_TRUE(claimed && *claimed);
  EXPECT_EQ((*claimed)->id, *id);
  EXPECT_FALSE(*queue.Claim("w2", t0, std::chrono::seconds(60)));  // leased; the other not due
  // An expired lease makes the job claimable again (its worker died).
  auto reclaimed = queue.Claim("w2", t0 + std::chrono::seconds(61), std::chrono::seconds(60));
  ASSERT_TRUE(reclaimed && *reclaimed);
  EXPECT_EQ((*reclaimed)->id, *id);
  ASSERT_TRUE(queue.Retry(*id, t0 + std::chrono::minutes(5), "boom"));
  EXPECT_FALSE(*queue.Claim("w1", t0 + std::chrono::minutes(2), std::chrono::seconds(60)));
  auto retried = queue.Claim("w1", t0 + std::chrono::minutes(5), std::chrono::seconds(60));
  ASSERT_TRUE(retried && *retried);
  EXPECT_EQ((*retried)->attempts, 1);
  EXPECT_EQ((*retried)->last_error, "boom");
  ASSERT_TRUE(queue.Complete(*id, t0 + std::chrono::minutes(6)));
  auto recent = queue.Recent(10);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->back().state, jobs::JobState::kDone);
  EXPECT_EQ(*queue.Prune(t0 + std::chrono::hours(24)), 1);
}

TEST_P(RepositoryContract, ConcurrentWorkersNeverClaimTheSameJob) {
  SqlJobQueue queue(*db_);
  const TimePoint t0 = *ParseIso("2026-11-22T10:00:00Z");
  for (int i = 0; i < 40; ++i) {
    jobs::Job j;
    j.kind = "k";
    j.run_at = t0;
    ASSERT_TRUE(queue.Enqueue(j));
  }
  std::mutex mutex;
  std::vector<std::int64_t> claimed;
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      int errors = 0;
      while (errors < 1000) {
        auto job = queue.Claim("w" + std::to_string(w), t0, std::chrono::seconds(600));
        if (!job) {  // busy: try again
          ++errors;
          continue;
        }
        if (!*job) break;
        std::lock_guard lock(mutex);
        claimed.push_back((*job)->id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), 40u);
  EXPECT_EQ(std::adjacent_find(claimed.begin(), claimed.end()), claimed.end());
}

territory::Commune TestCommune(std::string code, std::string name, std::string departement) {
  territory::Commune c;
  c.code = std::move(code);
  c.name = std::move(name);
  c.departement = std::move(departement);
  c.region = c.departement == "2A" ? "94" : "53";
  return c;
}

TEST_P(RepositoryContract, TerritoryUpsertsCommunesInPlace) {
  SqlTerritoryStore store(*db_);
  auto rennes = TestCommune("35238", "Rennes", "35");
  rennes.population = 225081;
  rennes.latitude = 48.11198;
  rennes.longitude = -1.68186;
  rennes.epci = "243500139";
  const std::vector<territory::Commune> first = {rennes, TestCommune("35047", "Bain", "35"),
                                                 TestCommune("2A004", "Ajaccio", "2A")};
  auto created = store.UpsertCommunes(first);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(*created, (territory::UpsertCounts{3, 0}));
  EXPECT_EQ(*store.CountCommunes(), 3);
  EXPECT_EQ(**store.FindCommune("35238"), rennes);
  EXPECT_FALSE(*store.FindCommune("35999"));

  auto renamed = first;
  renamed[1].name = "Bain-de-Bretagne";
  renamed[1].population = 7500;
  renamed[0].latitude.reset();
  renamed[0].longitude.reset();
  renamed.push_back(TestCommune("35001", "Acigné", "35"));
  auto again = store.UpsertCommunes(renamed);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(*again, (territory::UpsertCounts{1, 3}));
  EXPECT_EQ(*store.CountCommunes(), 4);
  EXPECT_EQ(**store.FindCommune("35047"), renamed[1]);
  renamed[1].name = "Bain";
  ASSERT_TRUE(store.UpsertCommunes(std::span(renamed).subspan(1, 1)));
  EXPECT_EQ((*store.FindCommune("35047"))->name, "Bain");
  EXPECT_EQ((*store.FindCommune("35047"))->population, 7500);
  // Values the new source lacks are kept.
  EXPECT_EQ((*store.FindCommune("35238"))->latitude, 48.11198);
  EXPECT_EQ((*store.FindCommune("35238"))->epci, "243500139");

  auto listed = store.ListCommunes("35");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].code, "35001");
  EXPECT_EQ((*listed)[2].code, "35238");
  EXPECT_TRUE(store.ListCommunes("2B")->empty());
  auto departements = store.ListDepartements();
  ASSERT_TRUE(departements);
  ASSERT_EQ(departements->size(), 2u);
  EXPECT_EQ(departements->front().code, "2A");
  EXPECT_EQ(departements->front().region, "94");
  EXPECT_EQ(departements->front().name, std::optional<std::string>("Corse-du-Sud"));
}

TEST_P(RepositoryContract, TerritoryImportIsAllOrNothing) {
  SqlTerritoryStore store(*db_);
  // Enough rows for several INSERT batches; the last one breaks a CHECK constraint.
  std::vector<territory::Commune> communes;
  for (int i = 1; i <= 450; ++i) {
    char code[6];
    std::snprintf(code, sizeof code, "35%03d", i);
    communes.push_back(TestCommune(code, std::string("Commune ") + code, "35"));
  }
  auto bad = communes;
  bad.back().latitude = 95;
  bad.back().longitude = 0;
  const auto refused = store.UpsertCommunes(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(*store.CountCommunes(), 0);
  EXPECT_TRUE(store.ListDepartements()->empty());

  auto duplicated = communes;
  duplicated.push_back(communes.front());
  EXPECT_EQ(store.UpsertCommunes(duplicated).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(*store.CountCommunes(), 0);

  auto created = store.UpsertCommunes(communes);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->created, 450);
  EXPECT_EQ(store.ListCommunes("35")->size(), 450u);
}

INSTANTIATE_TEST_SUITE_P(Drivers, RepositoryContract, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pasip::storage
