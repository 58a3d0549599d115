// Contract tests of the reception store (SqlReceptionStore), run on SQLite (a file) always,
// and on PostgreSQL when PASIP_TEST_PG_URL names a throwaway database
// (scripts/with-postgres.sh). They pin the semantics of domain/reception/ports.h, and the
// export coverage rule of security.md S5: every table holding a person id is exported.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "core/crypto.h"
#include "storage/identity_repository.h"
#include "storage/migrations.h"
#include "storage/orientation_repository.h"
#include "storage/reception_repository.h"

namespace pasip::storage {
namespace {

using namespace reception;  // NOLINT: the test speaks the domain's words

std::string PgUrl() {
  const char* url = std::getenv("PASIP_TEST_PG_URL");
  return url ? url : "";
}

const TimePoint kNow = FromUnixSeconds(1795000000);  // 2026-11-18
constexpr auto kHour = std::chrono::hours(1);
constexpr auto kDay = std::chrono::hours(24);

class ReceptionContract : public ::testing::TestWithParam<std::string> {
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
      dir_ = std::filesystem::temp_directory_path() / ("pasip-rx-" + crypto::RandomToken(6));
      std::filesystem::create_directories(dir_);
      auto db = OpenDatabase("sqlite://" + (dir_ / "main.db").string());
      ASSERT_TRUE(db) << db.error().ToString();
      db_ = std::move(*db);
    }
    auto migrated = Migrate(*db_, Series::kMain);
    ASSERT_TRUE(migrated) << migrated.error().ToString();
    store_ = std::make_unique<SqlReceptionStore>(*db_);
    org_a_ = NewOrganisation("CCAS de Lens");
    org_b_ = NewOrganisation("Mission locale");
    site_a_ = NewSite(org_a_, "Accueil centre");
    site_a2_ = NewSite(org_a_, "Antenne nord");
    site_b_ = NewSite(org_b_, "Permanence");
    agent_ = NewUser("agent@example.org");
    agent2_ = NewUser("agent2@example.org");
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  OrganisationId NewOrganisation(const std::string& name) {
    SqlIdentityStore identity(*db_);
    identity::Organisation o;
    o.name = name;
    o.kind = "ccas-cias";
    o.created_at = kNow;
    auto created = identity.CreateOrganisation(o);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? created->id : 0;
  }
  SiteId NewSite(OrganisationId organisation, const std::string& name) {
    SqlIdentityStore identity(*db_);
    identity::Site s;
    s.organisation_id = organisation;
    s.name = name;
    s.commune_code = "62498";
    auto created = identity.CreateSite(s);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? created->id : 0;
  }
  UserId NewUser(const std::string& email) {
    SqlIdentityStore identity(*db_);
    identity::User u;
    u.email = email;
    u.display_name = email;
    u.password_hash = "x";
    u.created_at = kNow;
    auto created = identity.CreateUser(u);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? created->id : 0;
  }

  Passage Anonymous(SiteId site, TimePoint debut, std::vector<std::string> motifs) {
    Passage p;
    p.site_id = site;
    p.organisation_id = site == site_b_ ? org_b_ : org_a_;
    p.debut = debut;
    p.canal = "physique_sans_rdv";
    p.agents = {agent_};
    p.motifs = std::move(motifs);
    p.actes = {"ecoute", "information"};
    p.profil = {"26_44", "femme", "seul_enfants", "62498"};
    p.created_by = agent_;
    p.created_at = debut;
    p.updated_at = debut;
    return p;
  }
  Passage Named(SiteId site, PersonId person, TimePoint debut) {
    Passage p = Anonymous(site, debut, {"droits--rsa"});
    p.person_id = person;
    p.profil = {};
    p.note = "Dossier RSA à compléter";
    return p;
  }

  Person NewPerson(const std::string& nom, OrganisationId follower,
                   std::vector<std::string> keys = {}, TimePoint at = kNow) {
    Person p;
    p.nom_affiche = nom;
    p.created_at = at;
    p.updated_at = at;
    p.dernier_contact = at;
    auto created = store_->CreatePerson(p, keys, follower);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? *created : Person{};
  }

  std::int64_t CountRows(const std::string& sql) {
    auto c = db_->Acquire();
    EXPECT_TRUE(c);
    auto row = (*c)->QueryOne(sql);
    EXPECT_TRUE(row && *row) << sql;
    return (row && *row) ? (*row)->Int(0) : -1;
  }

  std::unique_ptr<Database> db_;
  std::filesystem::path dir_;
  std::unique_ptr<SqlReceptionStore> store_;
  OrganisationId org_a_ = 0, org_b_ = 0;
  SiteId site_a_ = 0, site_a2_ = 0, site_b_ = 0;
  UserId agent_ = 0, agent2_ = 0;
};

std::vector<PassageId> Ids(const Result<std::vector<Passage>>& passages) {
  EXPECT_TRUE(passages) << passages.error().ToString();
  std::vector<PassageId> out;
  if (passages) {
    for (const Passage& p : *passages) out.push_back(p.id);
  }
  return out;
}

std::vector<PersonId> PersonIds(const Result<std::vector<KeyMatch>>& matches) {
  EXPECT_TRUE(matches) << matches.error().ToString();
  std::vector<PersonId> out;
  if (matches) {
    for (const KeyMatch& m : *matches) out.push_back(m.person.id);
  }
  return out;
}

// --- Passages ----------------------------------------------------------------------------

TEST_P(ReceptionContract, PassageRoundTripsWithItsMotivesInOrder) {
  Passage p = Anonymous(site_a_, kNow, {"urgence--alimentaire", "droits--rsa", "logement"});
  p.fin = kNow + std::chrono::minutes(20);
  p.agents = {agent_, agent2_};
  p.urgence = "urgente";
  p.langue = "ar";
  p.interpretariat = true;
  p.resultat = "orientation";
  p.nombre = 3;
  p.lot = true;
  auto created = store_->CreatePassage(p);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_GT(created->id, 0);
  p.id = created->id;
  EXPECT_EQ(*created, p);
  auto found = store_->FindPassage(p.id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ(**found, p);

  // Every field rewritten but id, created_by and created_at.
  Passage changed = p;
  changed.motifs = {"logement"};
  changed.actes = {};
  changed.canal = "telephone";
  changed.fin.reset();
  changed.created_by = agent2_;
  changed.created_at = kNow + kDay;
  changed.updated_at = kNow + kHour;
  changed.site_id = site_a2_;
  ASSERT_TRUE(store_->UpdatePassage(changed));
  found = store_->FindPassage(p.id);
  ASSERT_TRUE(found && *found);
  changed.created_by = agent_;
  changed.created_at = kNow;
  EXPECT_EQ(**found, changed);

  changed.id = p.id + 1000;
  EXPECT_EQ(store_->UpdatePassage(changed).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeletePassage(p.id));
  EXPECT_FALSE(*store_->FindPassage(p.id));
  EXPECT_EQ(store_->DeletePassage(p.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM passage_motifs"), 0);
}

TEST_P(ReceptionContract, NamedPassageFollowsAndTouchesThePerson) {
  const Person person = NewPerson("Mme D.", org_a_, {}, kNow - 10 * kDay);
  auto created = store_->CreatePassage(Named(site_b_, person.id, kNow - 2 * kDay));
  ASSERT_TRUE(created) << created.error().ToString();
  auto follows = store_->FollowsOf(person.id);
  ASSERT_TRUE(follows);
  ASSERT_EQ(follows->size(), 2u);
  EXPECT_EQ((*follows)[0], (Follow{person.id, org_a_, "creation", kNow - 10 * kDay}));
  EXPECT_EQ((*follows)[1], (Follow{person.id, org_b_, "passage", kNow - 2 * kDay}));
  EXPECT_EQ((*store_->FindPerson(person.id))->dernier_contact, kNow - 2 * kDay);

  // An older passage never moves the last contact back; a second one adds no follow.
  ASSERT_TRUE(store_->CreatePassage(Named(site_b_, person.id, kNow - 5 * kDay)));
  EXPECT_EQ((*store_->FindPerson(person.id))->dernier_contact, kNow - 2 * kDay);
  EXPECT_EQ(store_->FollowsOf(person.id)->size(), 2u);

  // Updating an anonymous passage into a named one applies the same rule.
  const Person other = NewPerson("M. K.", org_b_, {}, kNow - 10 * kDay);
  auto anon = store_->CreatePassage(Anonymous(site_a_, kNow - kDay, {"logement"}));
  ASSERT_TRUE(anon);
  Passage named = *anon;
  named.person_id = other.id;
  ASSERT_TRUE(store_->UpdatePassage(named));
  EXPECT_EQ((*store_->FindPerson(other.id))->dernier_contact, kNow - kDay);
  EXPECT_EQ(store_->FollowsOf(other.id)->size(), 2u);

  // An unknown person is refused, and nothing is written.
  EXPECT_EQ(store_->CreatePassage(Named(site_a_, other.id + 1000, kNow)).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM passages"), 3);
}

TEST_P(ReceptionContract, ListPassagesFiltersAndPages) {
  const Person person = NewPerson("Mme D.", org_a_);
  std::vector<PassageId> all;  // oldest first
  for (int i = 0; i < 6; ++i) {
    const SiteId site = i % 3 == 0 ? site_a_ : (i % 3 == 1 ? site_a2_ : site_b_);
    Passage p = i == 4 ? Named(site, person.id, kNow - kHour * (10 - i))
                       : Anonymous(site, kNow - kHour * (10 - i), {"logement"});
    auto created = store_->CreatePassage(p);
    ASSERT_TRUE(created) << created.error().ToString();
    all.push_back(created->id);
  }
  // Same start as the last one: the id breaks the tie.
  auto twin = store_->CreatePassage(Anonymous(site_b_, kNow - kHour * 5, {"logement"}));
  ASSERT_TRUE(twin);
  all.push_back(twin->id);

  PassageQuery q;
  EXPECT_EQ(Ids(store_->ListPassages(q)),
            (std::vector{all[6], all[5], all[4], all[3], all[2], all[1], all[0]}));
  q.site_ids = {site_a_, site_a2_};
  EXPECT_EQ(Ids(store_->ListPassages(q)), (std::vector{all[4], all[3], all[1], all[0]}));
  q.site_ids = {};
  q.organisation_ids = {org_b_};
  EXPECT_EQ(Ids(store_->ListPassages(q)), (std::vector{all[6], all[5], all[2]}));
  q.organisation_ids = {};
  q.from = kNow - kHour * 8;
  q.to = kNow - kHour * 6;
  EXPECT_EQ(Ids(store_->ListPassages(q)), (std::vector{all[3], all[2]}));
  q = {};
  q.person_id = person.id;
  EXPECT_EQ(Ids(store_->ListPassages(q)), (std::vector{all[4]}));

  // Keyset pages of two.
  q = {};
  q.limit = 2;
  std::vector<PassageId> paged;
  for (int page = 0; page < 10; ++page) {
    auto ids = Ids(store_->ListPassages(q));
    if (ids.empty()) break;
    EXPECT_LE(ids.size(), 2u);
    paged.insert(paged.end(), ids.begin(), ids.end());
    q.before_id = ids.back();
  }
  EXPECT_EQ(paged, (std::vector{all[6], all[5], all[4], all[3], all[2], all[1], all[0]}));
}

TEST_P(ReceptionContract, MotifFrequenciesCountBatchesAndStayOnTheSite) {
  ASSERT_TRUE(store_->CreatePassage(Anonymous(site_a_, kNow, {"logement", "droits--rsa"})));
  ASSERT_TRUE(store_->CreatePassage(Anonymous(site_a_, kNow, {"droits--rsa"})));
  Passage batch = Anonymous(site_a_, kNow - kHour, {"numerique"});
  batch.nombre = 5;
  batch.lot = true;
  ASSERT_TRUE(store_->CreatePassage(batch));
  ASSERT_TRUE(store_->CreatePassage(Anonymous(site_a_, kNow - 40 * kDay, {"logement"})));
  ASSERT_TRUE(store_->CreatePassage(Anonymous(site_b_, kNow, {"logement", "logement-bis"})));
  auto counts = store_->MotifFrequencies(site_a_, kNow - 30 * kDay);
  ASSERT_TRUE(counts) << counts.error().ToString();
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].code, "numerique");
  EXPECT_EQ((*counts)[0].count, 5);
  EXPECT_EQ((*counts)[1].code, "droits--rsa");
  EXPECT_EQ((*counts)[1].count, 2);
  EXPECT_EQ((*counts)[2].code, "logement");
  EXPECT_EQ((*counts)[2].count, 1);
}

// --- Persons -----------------------------------------------------------------------------

TEST_P(ReceptionContract, PersonRoundTripsEveryField) {
  Person p;
  p.nom_affiche = "Élodie N'Diaye";
  p.nom_naissance = "N'Diaye";
  p.nom_usage = "Martin";
  p.prenoms = "Élodie Marie";
  p.date_naissance = "1985-04-12";
  p.sexe = "femme";
  p.nationalite = "ue";
  p.telephone = "06 12 34 56 78";
  p.courriel = "elodie@example.org";
  p.adresse = "3 rue des Écoles";
  p.commune_code = "62498";
  p.langues = {"fr", "wo"};
  p.besoins_accessibilite = "Fauteuil roulant";
  p.referent_id = agent_;
  p.foyer = {{"enfant", "Awa", "2015-09-01"}, {"conjoint", "", ""}};
  p.created_at = kNow;
  p.updated_at = kNow;
  p.dernier_contact = kNow;
  const std::vector<std::string> keys = {"nom:ndiaye", "nom:elodie", "tel:612345678"};
  auto created = store_->CreatePerson(p, keys, org_a_);
  ASSERT_TRUE(created) << created.error().ToString();
  p.id = created->id;
  EXPECT_EQ(*created, p);
  EXPECT_EQ(**store_->FindPerson(p.id), p);
  EXPECT_EQ(*store_->CountPersons(), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person_keys"), 3);

  // Update: identity and keys rewritten; created_at stays; the last contact never goes back.
  Person changed = p;
  changed.nom_affiche = "Élodie Martin";
  changed.langues = {};
  changed.foyer = {};
  changed.referent_id.reset();
  changed.created_at = kNow + kDay;
  changed.updated_at = kNow + kHour;
  changed.dernier_contact = kNow - kDay;
  ASSERT_TRUE(store_->UpdatePerson(changed, std::vector<std::string>{"nom:martin"}));
  changed.created_at = kNow;
  changed.dernier_contact = kNow;
  EXPECT_EQ(**store_->FindPerson(p.id), changed);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person_keys"), 1);

  ASSERT_TRUE(store_->TouchPerson(p.id, kNow + kDay));
  ASSERT_TRUE(store_->TouchPerson(p.id, kNow));
  EXPECT_EQ((*store_->FindPerson(p.id))->dernier_contact, kNow + kDay);
  EXPECT_EQ(store_->TouchPerson(p.id + 1000, kNow).error().code, ErrorCode::kNotFound);
  changed.id = p.id + 1000;
  EXPECT_EQ(store_->UpdatePerson(changed, {}).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(*store_->FindPerson(p.id + 1000));

  // AddFollow is a no-op when the organisation already follows.
  ASSERT_TRUE(store_->AddFollow({p.id, org_a_, "suivi", kNow + kDay}));
  ASSERT_TRUE(store_->AddFollow({p.id, org_b_, "suivi", kNow + kDay}));
  auto follows = store_->FollowsOf(p.id);
  ASSERT_TRUE(follows);
  EXPECT_EQ(*follows, (std::vector<Follow>{{p.id, org_a_, "creation", kNow},
                                           {p.id, org_b_, "suivi", kNow + kDay}}));
  EXPECT_EQ(store_->AddFollow({p.id + 1000, org_a_, "suivi", kNow}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(ReceptionContract, FindByKeysRanksWithinTheFollowingOrganisations) {
  const Person dupont =
      NewPerson("Jean Dupont", org_a_, {"nom:dupont", "nom:jean", "naissance:1970-01-01"});
  const Person dupond = NewPerson("Jean Dupond", org_a_, {"nom:dupond", "nom:jean"});
  const Person durand = NewPerson("Marie Durand", org_a_, {"nom:durand", "nom:marie"});
  const Person elsewhere = NewPerson("Jean Dupont", org_b_, {"nom:dupont", "nom:jean"});

  KeyQuery q;
  q.keys = {"nom:jean", "nom:dupont", "naissance:1970-01-01"};
  q.organisation_ids = {org_a_};
  auto found = store_->FindByKeys(q);
  ASSERT_TRUE(found) << found.error().ToString();
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].person, dupont);
  EXPECT_EQ((*found)[0].matched, 3);
  EXPECT_EQ((*found)[1].person.id, dupond.id);
  EXPECT_EQ((*found)[1].matched, 1);

  // No organisation: nothing is found; both organisations: both Duponts.
  q.organisation_ids = {};
  EXPECT_TRUE(PersonIds(store_->FindByKeys(q)).empty());
  q.organisation_ids = {org_a_, org_b_};
  EXPECT_EQ(PersonIds(store_->FindByKeys(q)), (std::vector{dupont.id, elsewhere.id, dupond.id}));
  q.limit = 1;
  EXPECT_EQ(PersonIds(store_->FindByKeys(q)), (std::vector{dupont.id}));
  q.limit = 50;
  q.exclude = dupont.id;
  EXPECT_EQ(PersonIds(store_->FindByKeys(q)), (std::vector{elsewhere.id, dupond.id}));

  // Prefixes count once each, however many keys they meet.
  KeyQuery prefix;
  prefix.prefixes = {"nom:du", "nom:jea"};
  prefix.organisation_ids = {org_a_};
  found = store_->FindByKeys(prefix);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].person.id, dupont.id);
  EXPECT_EQ((*found)[0].matched, 2);
  EXPECT_EQ((*found)[1].person.id, dupond.id);
  EXPECT_EQ((*found)[2].person.id, durand.id);
  EXPECT_EQ((*found)[2].matched, 1);
  // A prefix is a range of bytes, not a pattern.
  prefix.prefixes = {"nom:dup%"};
  EXPECT_TRUE(PersonIds(store_->FindByKeys(prefix)).empty());
  prefix.prefixes = {"nom:dupon"};
  prefix.keys = {"nom:jean"};
  found = store_->FindByKeys(prefix);
  ASSERT_TRUE(found);
  EXPECT_EQ(PersonIds(found), (std::vector{dupont.id, dupond.id}));
  EXPECT_EQ((*found)[0].matched, 2);
  EXPECT_EQ((*found)[1].matched, 2);
}

TEST_P(ReceptionContract, MergeMovesEveryHistoryAndEmptiesTheAbsorbedFile) {
  const Person kept = NewPerson("Jean Dupont", org_a_, {"nom:dupont"});
  Person absorbed_in;
  absorbed_in.nom_affiche = "J. Dupond";
  absorbed_in.telephone = "0612345678";
  absorbed_in.created_at = absorbed_in.updated_at = absorbed_in.dernier_contact = kNow - kDay;
  auto absorbed = store_->CreatePerson(absorbed_in, std::vector<std::string>{"nom:dupond"}, org_b_);
  ASSERT_TRUE(absorbed);
  auto passage = store_->CreatePassage(Named(site_b_, absorbed->id, kNow - kDay));
  ASSERT_TRUE(passage);
  ASSERT_TRUE(store_->CreateNote({0, absorbed->id, org_b_, agent_, "generale", "Vu", kNow}));
  ASSERT_TRUE(store_->CreateConsent(
      {0, absorbed->id, org_b_, agent_, kNow, "situation", "CAF", "ce dossier", false}));
  Ticket t;
  t.site_id = site_b_;
  t.jour = "2026-11-18";
  t.person_id = absorbed->id;
  t.arrivee = kNow;
  ASSERT_TRUE(store_->CreateTicket(t));

  ASSERT_TRUE(store_->MergePersons(kept.id, absorbed->id, kNow + kHour));
  reception::PassageQuery of_kept;
  of_kept.person_id = kept.id;
  EXPECT_EQ(Ids(store_->ListPassages(of_kept)), (std::vector{passage->id}));
  EXPECT_EQ(store_->NotesOf(kept.id)->size(), 1u);
  EXPECT_EQ(store_->ConsentsOf(kept.id)->size(), 1u);
  EXPECT_EQ(store_->TicketsOf(kept.id)->size(), 1u);
  EXPECT_TRUE(store_->NotesOf(absorbed->id)->empty());
  EXPECT_TRUE(store_->FollowsOf(absorbed->id)->empty());
  EXPECT_EQ(*store_->FollowsOf(kept.id),
            (std::vector<Follow>{{kept.id, org_a_, "creation", kNow},
                                 {kept.id, org_b_, "fusion", kNow + kHour}}));
  const Person gone = **store_->FindPerson(absorbed->id);
  EXPECT_EQ(gone.nom_affiche, "Dossier fusionné");
  EXPECT_EQ(gone.telephone, "");
  EXPECT_EQ(gone.fusionnee_dans, kept.id);
  EXPECT_EQ(*store_->MergedInto(kept.id), (std::vector{absorbed->id}));
  EXPECT_EQ(*store_->CountPersons(), 1);
  KeyQuery q;
  q.keys = {"nom:dupond", "nom:dupont"};
  q.organisation_ids = {org_a_, org_b_};
  EXPECT_EQ(PersonIds(store_->FindByKeys(q)), (std::vector{kept.id}));

  EXPECT_EQ(store_->MergePersons(kept.id, kept.id + 1000, kNow).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->MergePersons(kept.id, kept.id, kNow).error().code, ErrorCode::kNotFound);
}

TEST_P(ReceptionContract, NotesAndConsentsOldestFirst) {
  const Person p = NewPerson("Mme D.", org_a_);
  auto late = store_->CreateNote({0, p.id, org_a_, agent_, "privee", "Plus tard", kNow + kHour});
  auto early = store_->CreateNote({0, p.id, org_a_, agent2_, "confidentielle", "Avant", kNow});
  ASSERT_TRUE(late && early);
  EXPECT_EQ(*store_->NotesOf(p.id), (std::vector{*early, *late}));
  EXPECT_EQ(
      store_->CreateNote({0, p.id + 1000, org_a_, agent_, "generale", "x", kNow}).error().code,
      ErrorCode::kNotFound);

  auto objection = store_->CreateConsent(
      {0, p.id, org_a_, agent_, kNow + kDay, "tout", "tous", "toutes les démarches", true});
  auto info = store_->CreateConsent(
      {0, p.id, org_a_, agent_, kNow, "situation pour le RSA", "CAF", "ce dossier", false});
  ASSERT_TRUE(objection && info);
  EXPECT_TRUE(objection->opposition);
  EXPECT_EQ(*store_->ConsentsOf(p.id), (std::vector{*info, *objection}));
}

// --- Queue -------------------------------------------------------------------------------

TEST_P(ReceptionContract, TicketsAreNumberedPerSiteAndDay) {
  const auto take = [&](SiteId site, const std::string& jour) {
    Ticket t;
    t.site_id = site;
    t.jour = jour;
    t.motif = "logement";
    t.arrivee = kNow;
    auto created = store_->CreateTicket(t);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? *created : Ticket{};
  };
  EXPECT_EQ(take(site_a_, "2026-11-18").numero, 1);
  EXPECT_EQ(take(site_a_, "2026-11-18").numero, 2);
  EXPECT_EQ(take(site_b_, "2026-11-18").numero, 1);
  EXPECT_EQ(take(site_a_, "2026-11-19").numero, 1);
  Ticket third = take(site_a_, "2026-11-18");
  EXPECT_EQ(third.numero, 3);

  third.etat = TicketState::kHandedOff;
  third.appel = kNow + kHour;
  third.agent_id = agent_;
  third.transmis_a = 0;
  third.note_transmission = "RSA";
  auto passage = store_->CreatePassage(Anonymous(site_a_, kNow, {"logement"}));
  ASSERT_TRUE(passage);
  third.passage_id = passage->id;
  third.numero = 99;  // the number stays
  ASSERT_TRUE(store_->UpdateTicket(third));
  third.numero = 3;
  EXPECT_EQ(**store_->FindTicket(third.id), third);
  // Deleting the passage keeps the ticket, unlinked.
  ASSERT_TRUE(store_->DeletePassage(passage->id));
  EXPECT_FALSE((*store_->FindTicket(third.id))->passage_id);
  Ticket unknown = third;
  unknown.id += 1000;
  EXPECT_EQ(store_->UpdateTicket(unknown).error().code, ErrorCode::kNotFound);

  auto day = store_->ListTickets({site_a_, "2026-11-18", {}, {}});
  ASSERT_TRUE(day);
  ASSERT_EQ(day->size(), 3u);
  EXPECT_EQ((*day)[0].numero, 1);
  EXPECT_EQ((*day)[2].numero, 3);
  EXPECT_EQ(store_->ListTickets({site_a_, "", "2026-11-19", std::nullopt})->size(), 1u);
  EXPECT_EQ(store_->ListTickets({site_a_, "", "2026-11-18", "2026-11-19"})->size(), 4u);
}

// Desks taking tickets at once never share a number.
TEST_P(ReceptionContract, ConcurrentTicketsGetDistinctNumbers) {
  constexpr int kThreads = 4, kEach = 10;
  std::vector<std::thread> threads;
  std::vector<std::vector<int>> numbers(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        Ticket t;
        t.site_id = site_a_;
        t.jour = "2026-11-18";
        t.arrivee = kNow;
        auto created = store_->CreateTicket(t);
        if (created) {
          numbers[i].push_back(created->numero);
        } else {
          ADD_FAILURE() << created.error().ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<int> all;
  for (const auto& n : numbers) all.insert(all.end(), n.begin(), n.end());
  std::sort(all.begin(), all.end());
  std::vector<int> expected(kThreads * kEach);
  for (int i = 0; i < kThreads * kEach; ++i) expected[i] = i + 1;
  EXPECT_EQ(all, expected);
}

// --- Retention, purge --------------------------------------------------------------------

// jour is TEXT: "YYYY-MM-DD" compares as text, across months and years too.
TEST_P(ReceptionContract, ClearTicketNotesEmptiesTheNotesOfDaysBefore) {
  const Person p = NewPerson("Mme N.", org_a_);
  const auto take = [&](SiteId site, const std::string& jour, std::optional<PersonId> person,
                        const std::string& note) {
    Ticket t;
    t.site_id = site;
    t.jour = jour;
    t.person_id = person;
    t.etat = TicketState::kHandedOff;
    t.note_transmission = note;
    t.arrivee = kNow;
    auto created = store_->CreateTicket(t);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? *created : Ticket{};
  };
  const Ticket old_year = take(site_a_, "2025-12-31", std::nullopt, "M. X., hébergement");
  const Ticket named = take(site_a_, "2026-11-09", p.id, "Mme N. attend pour le RSA");
  const Ticket other_site = take(site_b_, "2026-11-09", std::nullopt, "M. Y., CAF");
  const Ticket empty = take(site_a_, "2026-11-09", std::nullopt, "");
  const Ticket on_the_day = take(site_a_, "2026-11-10", std::nullopt, "Mme Z., logement");
  const Ticket later = take(site_a_, "2026-11-18", std::nullopt, "M. W., emploi");

  auto cleared = store_->ClearTicketNotes("2026-11-10");
  ASSERT_TRUE(cleared) << cleared.error().ToString();
  EXPECT_EQ(*cleared, 3);  // the empty note is not counted
  for (const Ticket& t : {old_year, named, other_site, empty}) {
    const Ticket stored = **store_->FindTicket(t.id);
    EXPECT_EQ(stored.note_transmission, "") << t.jour;
    // Only the note changes.
    Ticket expected = t;
    expected.note_transmission = "";
    EXPECT_EQ(stored, expected);
  }
  EXPECT_EQ((*store_->FindTicket(on_the_day.id))->note_transmission, "Mme Z., logement");
  EXPECT_EQ((*store_->FindTicket(later.id))->note_transmission, "M. W., emploi");

  cleared = store_->ClearTicketNotes("2026-11-10");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(*cleared, 0);
  cleared = store_->ClearTicketNotes("2026-12-01");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(*cleared, 2);
  EXPECT_EQ((*store_->FindTicket(later.id))->note_transmission, "");
}

TEST_P(ReceptionContract, RetentionSettingsAreSavedAndReplaced) {
  EXPECT_FALSE(*store_->FindRetention(org_a_));
  ASSERT_TRUE(store_->SaveRetention({org_a_, 365, PurgeMode::kExport}));
  EXPECT_EQ(**store_->FindRetention(org_a_), (RetentionSettings{org_a_, 365, PurgeMode::kExport}));
  ASSERT_TRUE(store_->SaveRetention({org_a_, 730, PurgeMode::kAnonymise}));
  EXPECT_EQ(**store_->FindRetention(org_a_),
            (RetentionSettings{org_a_, 730, PurgeMode::kAnonymise}));
  EXPECT_FALSE(*store_->FindRetention(org_b_));
}

TEST_P(ReceptionContract, InactiveSinceSkipsMergedFilesOldestFirst) {
  const Person old = NewPerson("Ancien", org_a_, {}, kNow - 800 * kDay);
  const Person older = NewPerson("Plus ancien", org_a_, {}, kNow - 900 * kDay);
  const Person merged = NewPerson("Fusionné", org_a_, {}, kNow - 1000 * kDay);
  const Person recent = NewPerson("Récent", org_a_, {}, kNow - 10 * kDay);
  ASSERT_TRUE(store_->MergePersons(recent.id, merged.id, kNow - 999 * kDay));
  auto inactive = store_->InactiveSince(kNow - 730 * kDay, 10);
  ASSERT_TRUE(inactive);
  ASSERT_EQ(inactive->size(), 2u);
  EXPECT_EQ((*inactive)[0], older);
  EXPECT_EQ((*inactive)[1], old);
  EXPECT_EQ(store_->InactiveSince(kNow - 730 * kDay, 1)->size(), 1u);
  // A contact moves the file out of the list.
  ASSERT_TRUE(store_->TouchPerson(older.id, kNow));
  EXPECT_EQ(store_->InactiveSince(kNow - 730 * kDay, 10)->size(), 1u);
}

TEST_P(ReceptionContract, ErasePersonDetachesPassagesAndLogs) {
  const Person p = NewPerson("Mme D.", org_a_, {"nom:d"});
  const Person absorbed = NewPerson("Mme D. bis", org_a_, {"nom:dbis"});
  const Person other = NewPerson("M. K.", org_a_);
  ASSERT_TRUE(store_->MergePersons(p.id, absorbed.id, kNow));
  auto passage = store_->CreatePassage(Named(site_a_, p.id, kNow));
  ASSERT_TRUE(passage);
  auto kept_passage = store_->CreatePassage(Named(site_a_, other.id, kNow));
  ASSERT_TRUE(kept_passage);
  ASSERT_TRUE(store_->CreateNote({0, p.id, org_a_, agent_, "generale", "Vu", kNow}));
  ASSERT_TRUE(store_->CreateConsent({0, p.id, org_a_, agent_, kNow, "a", "b", "c", false}));
  Ticket t;
  t.site_id = site_a_;
  t.jour = "2026-11-18";
  t.person_id = p.id;
  t.note_transmission = "Mme D. attend pour le RSA";
  t.arrivee = kNow;
  auto ticket = store_->CreateTicket(t);
  ASSERT_TRUE(ticket);

  PurgeLogEntry log;
  log.person_id = p.id;
  log.at = kNow + kDay;
  log.mode = PurgeMode::kExport;
  log.bundle = "personne-1.json";
  ASSERT_TRUE(store_->ErasePerson(p.id, log));
  EXPECT_FALSE(*store_->FindPerson(p.id));
  EXPECT_FALSE(*store_->FindPerson(absorbed.id));
  const Passage detached = **store_->FindPassage(passage->id);
  EXPECT_FALSE(detached.person_id);
  EXPECT_EQ(detached.note, "");
  EXPECT_EQ(detached.motifs, std::vector<std::string>{"droits--rsa"});
  const Ticket kept_ticket = **store_->FindTicket(ticket->id);
  EXPECT_FALSE(kept_ticket.person_id);
  EXPECT_EQ(kept_ticket.note_transmission, "");
  EXPECT_EQ((*store_->FindPassage(kept_passage->id))->person_id, other.id);
  for (const std::string& table : SqlReceptionStore::PersonTables()) {
    if (table == "passages" || table == "tickets") continue;
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM " + table +
                        (table == "person_merges" ? "" : " WHERE person_id <> 0")),
              table == "person_follows" ? 1 : 0)
        << table;  // the other person's creation follow only
  }
  auto logs = store_->PurgeLog(10);
  ASSERT_TRUE(logs);
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_GT((*logs)[0].id, 0);
  log.id = (*logs)[0].id;
  EXPECT_EQ((*logs)[0], log);
  EXPECT_EQ(store_->ErasePerson(p.id, log).error().code, ErrorCode::kNotFound);
}

// --- Right of access (security.md S5) ----------------------------------------------------

TEST_P(ReceptionContract, ExportPersonGathersEverything) {
  const Person p = NewPerson("Mme D.", org_a_, {"nom:d"});
  const Person absorbed = NewPerson("Mme D. bis", org_b_);
  ASSERT_TRUE(store_->MergePersons(p.id, absorbed.id, kNow));
  auto passage = store_->CreatePassage(Named(site_b_, p.id, kNow));
  ASSERT_TRUE(passage);
  ASSERT_TRUE(store_->CreatePassage(Anonymous(site_a_, kNow, {"logement"})));
  auto note = store_->CreateNote({0, p.id, org_a_, agent_, "privee", "Vu", kNow});
  auto consent = store_->CreateConsent({0, p.id, org_a_, agent_, kNow, "a", "b", "c", true});
  Ticket t;
  t.site_id = site_a_;
  t.jour = "2026-11-18";
  t.person_id = p.id;
  t.arrivee = kNow;
  auto ticket = store_->CreateTicket(t);
  ASSERT_TRUE(note && consent && ticket);

  auto bundle = store_->ExportPerson(p.id);
  ASSERT_TRUE(bundle) << bundle.error().ToString();
  EXPECT_EQ(bundle->person, **store_->FindPerson(p.id));
  EXPECT_EQ(bundle->passages, std::vector{*passage});
  EXPECT_EQ(bundle->notes, std::vector{*note});
  EXPECT_EQ(bundle->consents, std::vector{*consent});
  EXPECT_EQ(bundle->tickets, std::vector{*ticket});
  EXPECT_EQ(bundle->follows, *store_->FollowsOf(p.id));
  EXPECT_EQ(bundle->follows.size(), 2u);  // creation, then fusion
  EXPECT_EQ(bundle->merged_from, std::vector{absorbed.id});
  EXPECT_TRUE(bundle->accesses.empty());
  EXPECT_EQ(store_->ExportPerson(p.id + 1000).error().code, ErrorCode::kNotFound);
}

// The tables of the schema with a column person_id or *_person_id.
std::set<std::string> TablesHoldingAPerson(Database& db) {
  std::set<std::string> out;
  auto c = db.Acquire();
  EXPECT_TRUE(c);
  const auto holds_person = [](const std::string& column) {
    return column == "person_id" || (column.size() > 10 && column.ends_with("_person_id"));
  };
  if (db.dialect() == Dialect::kSqlite) {
    auto tables = (*c)->Query("SELECT name FROM sqlite_master WHERE type = 'table'");
    EXPECT_TRUE(tables);
    for (const Row& t : *tables) {
      auto columns = (*c)->Query("SELECT name FROM pragma_table_info(?)", {t.Text(0)});
      EXPECT_TRUE(columns) << t.Text(0);
      for (const Row& column : *columns) {
        if (holds_person(column.Text(0))) out.insert(t.Text(0));
      }
    }
  } else {
    auto columns = (*c)->Query(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    EXPECT_TRUE(columns);
    for (const Row& column : *columns) {
      if (holds_person(column.Text(1))) out.insert(column.Text(0));
    }
  }
  return out;
}

// Fails when a migration adds a table holding a person id that the export does not cover:
// the table must be listed in PersonTables(), read by ExportPerson, and mapped below.
TEST_P(ReceptionContract, ExportCoversEveryTableHoldingAPerson) {
  const auto& listed = SqlReceptionStore::PersonTables();
  EXPECT_EQ(TablesHoldingAPerson(*db_), std::set<std::string>(listed.begin(), listed.end()));

  // One row about the person in each table.
  const Person p = NewPerson("Mme D.", org_a_, {"nom:d"});  // person_keys, person_follows
  const Person absorbed = NewPerson("Mme D. bis", org_a_);
  ASSERT_TRUE(store_->MergePersons(p.id, absorbed.id, kNow));  // person_merges
  ASSERT_TRUE(store_->CreatePassage(Named(site_a_, p.id, kNow)));
  ASSERT_TRUE(store_->CreateNote({0, p.id, org_a_, agent_, "generale", "Vu", kNow}));
  ASSERT_TRUE(store_->CreateConsent({0, p.id, org_a_, agent_, kNow, "a", "b", "c", false}));
  Ticket t;
  t.site_id = site_a_;
  t.jour = "2026-11-18";
  t.person_id = p.id;
  t.arrivee = kNow;
  ASSERT_TRUE(store_->CreateTicket(t));
  orientation::Write oriented;  // orientations
  oriented.orientation.organisation_id = org_a_;
  oriented.orientation.site_id = site_a_;
  oriented.orientation.created_by = agent_;
  oriented.orientation.person_id = p.id;
  oriented.orientation.service_id = 1;
  oriented.orientation.structure_id = 1;
  oriented.orientation.motifs = {"emploi"};
  oriented.orientation.demande = "Accompagnement";
  oriented.orientation.created_at = kNow;
  oriented.orientation.updated_at = kNow;
  auto written = SqlOrientationStore(*db_).Apply(oriented);
  ASSERT_TRUE(written) << written.error().ToString();

  auto bundle = store_->ExportPerson(p.id);
  ASSERT_TRUE(bundle) << bundle.error().ToString();
  // Table → how many items its export section holds. The matching keys are derived from
  // the identity fields (matching.h): the identity section covers them.
  const std::map<std::string, std::size_t> sections = {
      {"passages", bundle->passages.size()},
      {"person_keys", bundle->person.nom_affiche.empty() ? 0u : 1u},
      {"person_follows", bundle->follows.size()},
      {"person_notes", bundle->notes.size()},
      {"person_consents", bundle->consents.size()},
      {"person_merges", bundle->merged_from.size()},
      {"tickets", bundle->tickets.size()},
      {"orientations", static_cast<std::size_t>(
                           std::count_if(bundle->autres.begin(), bundle->autres.end(),
                                         [](const auto& r) { return r.kind == "orientation"; }))},
  };
  for (const std::string& table : TablesHoldingAPerson(*db_)) {
    const auto section = sections.find(table);
    ASSERT_NE(section, sections.end()) << table << " : aucune section de l'export ne la couvre";
    EXPECT_GT(section->second, 0u) << table;
    EXPECT_GT(CountRows("SELECT COUNT(*) FROM " + table), 0) << table;
  }
}

// --- PostgreSQL roles --------------------------------------------------------------------

// The application role writes and reads reception with the grants `pasip migrate
// --app-role` gives (tables and identity sequences).
TEST_P(ReceptionContract, ApplicationRoleUsesReception) {
  if (db_->dialect() != Dialect::kPostgres) GTEST_SKIP() << "rôles PostgreSQL seulement";
  {
    auto c = db_->Acquire();
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->ExecuteScript(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pasip_app_test') "
        "THEN CREATE ROLE pasip_app_test LOGIN; END IF; END $$;"));
  }
  ASSERT_TRUE(Migrate(*db_, Series::kAudit));
  ASSERT_TRUE(GrantApplicationRole(*db_, "pasip_app_test"));
  std::string url = PgUrl();
  const std::size_t scheme = url.find("://") + 3;
  url = url.substr(0, scheme) + "pasip_app_test" + url.substr(url.find('@', scheme));
  auto app_db = OpenDatabase(url);
  ASSERT_TRUE(app_db) << app_db.error().ToString();
  SqlReceptionStore store(**app_db);
  Person p;
  p.nom_affiche = "Mme D.";
  auto person = store.CreatePerson(p, std::vector<std::string>{"nom:d"}, org_a_);
  ASSERT_TRUE(person) << person.error().ToString();
  ASSERT_TRUE(store.CreatePassage(Named(site_a_, person->id, kNow)));
  Ticket t;
  t.site_id = site_a_;
  t.jour = "2026-11-18";
  ASSERT_TRUE(store.CreateTicket(t));
  ASSERT_TRUE(store.ErasePerson(person->id, {0, person->id, kNow, PurgeMode::kAnonymise, ""}));
}

INSTANTIATE_TEST_SUITE_P(Drivers, ReceptionContract, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pasip::storage
