// Contract tests of the orientation store (SqlOrientationStore) and the mail outbox
// (SqlOutboxStore), run on SQLite (a file) always, and on PostgreSQL when PASIP_TEST_PG_URL
// names a throwaway database (scripts/with-postgres.sh). They pin the semantics of
// domain/orientation/ports.h and domain/mail/mail.h: one atomic write per change (the
// orientation, its history, its e-mails and notifications), optimistic versions, the list
// and measure queries, partner links, the shared link key, claims that never hand one
// message to two senders, and the right of access, merge and erasure over orientations
// (security.md S4, S5).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "core/crypto.h"
#include "storage/identity_repository.h"
#include "storage/migrations.h"
#include "storage/orientation_repository.h"
#include "storage/outbox_repository.h"
#include "storage/reception_repository.h"
#include "storage/test_database_util.h"

namespace pasip::storage {
namespace {

using mail::Message;
using mail::MessageState;
using orientation::Event;
using orientation::LinkCode;
using orientation::LinkSession;
using orientation::ListQuery;
using orientation::MeasureQuery;
using orientation::MeasureRow;
using orientation::Notification;
using orientation::Orientation;
using orientation::OrientationId;
using orientation::SharedValue;
using orientation::Write;
using orientation::Written;
using reception::OrganisationId;
using reception::Person;
using reception::PersonId;
using reception::SiteId;
using reception::UserId;
using OStatus = orientation::Status;

std::string PgUrl() {
  const char* url = std::getenv("PASIP_TEST_PG_URL");
  return url ? url : "";
}

const TimePoint kNow = FromUnixSeconds(1795000000);  // 2026-11-18
constexpr auto kMinute = std::chrono::minutes(1);
constexpr auto kHour = std::chrono::hours(1);
constexpr auto kDay = std::chrono::hours(24);

class OrientationContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    crypto::InitCrypto();
    if (GetParam() == "postgres") {
      if (PgUrl().empty()) GTEST_SKIP() << "PASIP_TEST_PG_URL absent : PostgreSQL non testé";
      ASSERT_TRUE(testing::ResetSchemas(PgUrl()));
      auto db = OpenDatabase(PgUrl());
      ASSERT_TRUE(db) << db.error().ToString();
      db_ = std::move(*db);
    } else {
      dir_ = std::filesystem::temp_directory_path() / ("pasip-or-" + crypto::RandomToken(6));
      std::filesystem::create_directories(dir_);
      auto db = OpenDatabase("sqlite://" + (dir_ / "main.db").string());
      ASSERT_TRUE(db) << db.error().ToString();
      db_ = std::move(*db);
    }
    auto migrated = Migrate(*db_, Series::kMain);
    ASSERT_TRUE(migrated) << migrated.error().ToString();
    store_ = std::make_unique<SqlOrientationStore>(*db_);
    reception_ = std::make_unique<SqlReceptionStore>(*db_);
    outbox_ = std::make_unique<SqlOutboxStore>(*db_);
    org_a_ = NewOrganisation("CCAS de Lens");
    org_b_ = NewOrganisation("Mission locale");
    org_c_ = NewOrganisation("CAF");
    site_a_ = NewSite(org_a_, "Accueil centre");
    site_a2_ = NewSite(org_a_, "Antenne nord");
    site_c_ = NewSite(org_c_, "Accueil CAF");
    agent_ = NewUser("agent@example.org");
    partner_ = NewUser("partenaire@example.org");
  }
  void TearDown() override {
    store_.reset();
    reception_.reset();
    outbox_.reset();
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
  Person NewPerson(const std::string& nom) {
    Person p;
    p.nom_affiche = nom;
    p.telephone = "06 12 34 56 78";
    p.created_at = kNow;
    p.updated_at = kNow;
    p.dernier_contact = kNow;
    auto created = reception_->CreatePerson(p, std::vector<std::string>{}, org_a_);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? *created : Person{};
  }

  // A sent orientation from site A to the Mission locale's service 11, without a person.
  Orientation Sent(TimePoint at = kNow) {
    Orientation o;
    o.status = OStatus::kSent;
    o.organisation_id = org_a_;
    o.site_id = site_a_;
    o.created_by = agent_;
    o.service_id = 11;
    o.structure_id = 7;
    o.recipient_organisation_id = org_b_;
    o.service_nom = "Accompagnement vers l'emploi";
    o.structure_nom = "Mission locale de Lens";
    o.destinataire_courriel = "accueil@ml-lens.example.org";
    o.motifs = {"emploi"};
    o.demande = "Premier rendez-vous pour un accompagnement.";
    o.sent_at = at;
    o.expires_at = at + 30 * kDay;
    o.next_reminder_at = at + 10 * kDay;
    o.created_at = at;
    o.updated_at = at;
    return o;
  }

  Event NewEvent(const std::string& step, const std::string& from, const std::string& to,
                 TimePoint at = kNow, const std::string& detail = "") {
    Event e;
    e.at = at;
    e.actor_id = agent_;
    e.actor = "orientation";
    e.step = step;
    e.from = from;
    e.to = to;
    e.detail = detail;
    return e;
  }

  Orientation Create(const Orientation& o, std::vector<Event> events = {}) {
    Write w;
    w.orientation = o;
    w.events = std::move(events);
    auto written = store_->Apply(w);
    EXPECT_TRUE(written) << written.error().ToString();
    return written ? written->orientation : Orientation{};
  }

  std::int64_t CountRows(const std::string& sql) {
    auto c = db_->Acquire();
    EXPECT_TRUE(c);
    auto row = (*c)->QueryOne(sql);
    EXPECT_TRUE(row && *row) << sql;
    return (row && *row) ? (*row)->Int(0) : -1;
  }

  Message NewMessage(const std::string& ref, TimePoint due = kNow) {
    Message m;
    m.to = "accueil@ml-lens.example.org";
    m.subject = "Une orientation vous attend";
    m.body = "Une orientation vous attend : https://pasip.example.org/l/abc";
    m.kind = "orientation.nouvelle";
    m.ref = ref;
    m.created_at = kNow;
    m.next_attempt_at = due;
    return m;
  }

  std::unique_ptr<Database> db_;
  std::filesystem::path dir_;
  std::unique_ptr<SqlOrientationStore> store_;
  std::unique_ptr<SqlReceptionStore> reception_;
  std::unique_ptr<SqlOutboxStore> outbox_;
  OrganisationId org_a_ = 0, org_b_ = 0, org_c_ = 0;
  SiteId site_a_ = 0, site_a2_ = 0, site_c_ = 0;
  UserId agent_ = 0, partner_ = 0;
};

std::vector<OrientationId> Ids(const Result<std::vector<Orientation>>& orientations) {
  EXPECT_TRUE(orientations) << orientations.error().ToString();
  std::vector<OrientationId> out;
  if (orientations) {
    for (const Orientation& o : *orientations) out.push_back(o.id);
  }
  return out;
}

// --- Orientations ------------------------------------------------------------------------

TEST_P(OrientationContract, CompleteOrientationRoundTrips) {
  const Person person = NewPerson("Mme D.");
  reception::Passage passage;
  passage.site_id = site_a_;
  passage.organisation_id = org_a_;
  passage.debut = kNow - kHour;
  passage.canal = "physique_sans_rdv";
  passage.agents = {agent_};
  passage.motifs = {"emploi"};
  passage.person_id = person.id;
  passage.created_by = agent_;
  passage.created_at = kNow - kHour;
  passage.updated_at = kNow - kHour;
  auto stored_passage = reception_->CreatePassage(passage);
  ASSERT_TRUE(stored_passage) << stored_passage.error().ToString();
  auto consent = reception_->CreateConsent(
      {0, person.id, org_a_, agent_, kNow, "demande d'emploi", "Mission locale", "ce dossier"});
  ASSERT_TRUE(consent) << consent.error().ToString();
  const Orientation origin = Create(Sent(kNow - 5 * kDay));
  const Orientation next = Create(Sent(kNow - 4 * kDay));

  Orientation o;
  o.status = OStatus::kAppointmentSet;
  o.organisation_id = org_a_;
  o.site_id = site_a2_;
  o.created_by = agent_;
  o.passage_id = stored_passage->id;
  o.person_id = person.id;
  o.service_id = 42;
  o.structure_id = 9;
  o.recipient_organisation_id = org_b_;
  o.service_nom = "Garantie jeunes";
  o.structure_nom = "Mission locale de Lens";
  o.referent_nom = "Mme Referente";
  o.destinataire_courriel = "referente@ml-lens.example.org";
  o.motifs = {"emploi", "droits--rsa", "logement"};
  o.demande = "Accompagnement renforcé ; « guillemets » et accents é à ç.";
  o.urgence = "urgente";
  o.mode = "accompagnee";
  o.accompagnement = "rdv_pris";
  o.echeance = "2026-12-01";
  o.champs_partages = {"nom_affiche", "telephone"};
  o.partage = {{"nom_affiche", "Mme D."}, {"telephone", "06 12 34 56 78"}};
  o.consentement = "informee";
  o.consent_id = consent->id;
  o.sent_at = kNow - 3 * kDay;
  o.received_at = kNow - 2 * kDay;
  o.answered_at = kNow - 2 * kDay + kHour;
  o.outcome_at = kNow + 5 * kDay;
  o.closed_at = kNow + 6 * kDay;
  o.expires_at = kNow + 27 * kDay;
  o.next_reminder_at = kNow + 7 * kDay;
  o.reminders = 2;
  o.motif = "service_plus_adapte";
  o.commentaire = "Rendez-vous pris par téléphone.";
  o.rdv_date = kNow + 5 * kDay + std::chrono::milliseconds(700);  // kept to the second
  o.rdv_lieu = "12 rue de la Gare, Lens";
  o.origine_id = origin.id;
  o.reorientee_vers = next.id;
  o.created_at = kNow - 3 * kDay;
  o.updated_at = kNow - kHour;
  o.version = 7;  // ignored on creation

  Write w;
  w.orientation = o;
  auto written = store_->Apply(w);
  ASSERT_TRUE(written) << written.error().ToString();
  EXPECT_FALSE(written->follow_up);
  Orientation expected = o;
  expected.id = written->orientation.id;
  expected.version = 1;
  expected.rdv_date = kNow + 5 * kDay;
  EXPECT_GT(expected.id, next.id);
  EXPECT_EQ(written->orientation, expected);
  auto found = store_->Find(expected.id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ(**found, expected);
  EXPECT_FALSE(*store_->Find(expected.id + 1000));

  // Every member rewritten but the id and created_at; the version moves by one.
  Orientation changed;
  changed.id = expected.id;
  changed.version = 1;
  changed.status = OStatus::kClosed;
  changed.organisation_id = org_c_;
  changed.site_id = site_c_;
  changed.created_by = partner_;
  changed.service_id = 43;
  changed.structure_id = 10;
  changed.service_nom = "Autre";
  changed.structure_nom = "Autre structure";
  changed.motifs = {"logement"};
  changed.demande = "Autre demande";
  changed.created_at = kNow + 100 * kDay;
  changed.updated_at = kNow;
  w.orientation = changed;
  written = store_->Apply(w);
  ASSERT_TRUE(written) << written.error().ToString();
  changed.version = 2;
  changed.created_at = kNow - 3 * kDay;
  EXPECT_EQ(written->orientation, changed);
  EXPECT_EQ(**store_->Find(changed.id), changed);
}

TEST_P(OrientationContract, StaleVersionIsRefused) {
  const Orientation o = Create(Sent());
  EXPECT_EQ(o.version, 1);
  Orientation accepted = o;
  accepted.status = OStatus::kAccepted;
  Write w;
  w.orientation = accepted;
  w.events = {NewEvent("accepter", "envoyee", "acceptee")};
  auto first = store_->Apply(w);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->orientation.version, 2);

  // A second writer on the same copy (version 1) loses, and writes nothing.
  w.orientation.status = OStatus::kRefused;
  w.events = {NewEvent("refuser", "envoyee", "refusee")};
  w.mails = {NewMessage("orientation:1")};
  auto stale = store_->Apply(w);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(stale.error().message, "L'orientation a été modifiée entre-temps : rechargez-la.");
  EXPECT_EQ((*store_->Find(o.id))->status, OStatus::kAccepted);
  EXPECT_EQ(store_->EventsOf(o.id)->size(), 1u);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM mail_outbox"), 0);

  w.orientation.version = 2;
  ASSERT_TRUE(store_->Apply(w));
  EXPECT_EQ((*store_->Find(o.id))->version, 3);

  w.orientation.id = o.id + 1000;
  EXPECT_EQ(store_->Apply(w).error().code, ErrorCode::kNotFound);
}

TEST_P(OrientationContract, EventsAreKeptOldestFirst) {
  Write w;
  w.orientation = Sent();
  w.events = {NewEvent("creer", "", "brouillon", kNow),
              NewEvent("envoyer", "brouillon", "envoyee", kNow + kMinute, "rdv_demande")};
  w.events[1].actor_id = 0;
  w.events[1].actor = "systeme";
  auto written = store_->Apply(w);
  ASSERT_TRUE(written) << written.error().ToString();
  const OrientationId id = written->orientation.id;
  Orientation opened = written->orientation;
  opened.status = OStatus::kReceived;
  Write later;
  later.orientation = opened;
  // Taken earlier than the last one (clocks of two instances): ordered by time.
  later.events = {NewEvent("ouvrir", "envoyee", "recue", kNow + std::chrono::seconds(30))};
  ASSERT_TRUE(store_->Apply(later));

  auto events = store_->EventsOf(id);
  ASSERT_TRUE(events) << events.error().ToString();
  ASSERT_EQ(events->size(), 3u);
  std::vector<Event> expected = {w.events[0], later.events[0], w.events[1]};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_GT((*events)[i].id, 0);
    expected[i].id = (*events)[i].id;
    expected[i].orientation_id = id;
  }
  EXPECT_EQ(*events, expected);
  EXPECT_TRUE(store_->EventsOf(id + 1000)->empty());
}

TEST_P(OrientationContract, FollowUpIsLinkedBothWays) {
  const Orientation o = Create(Sent());
  Orientation reoriented = o;
  reoriented.status = OStatus::kReoriented;
  reoriented.motif = "service_plus_adapte";
  Orientation follow_up = Sent(kNow + kHour);
  follow_up.service_id = 12;
  follow_up.service_nom = "Logement";
  follow_up.recipient_organisation_id = org_c_;
  Write w;
  w.orientation = reoriented;
  w.events = {NewEvent("reorienter", "envoyee", "reorientee")};
  w.follow_up = follow_up;
  w.follow_up_events = {NewEvent("creer", "", "envoyee")};
  w.notifications = {{0, agent_, 0, kNow, "Orientation réorientée.", std::nullopt}};
  auto written = store_->Apply(w);
  ASSERT_TRUE(written) << written.error().ToString();
  ASSERT_TRUE(written->follow_up);
  const Orientation& first = written->orientation;
  const Orientation& second = *written->follow_up;
  EXPECT_EQ(first.version, 2);
  EXPECT_EQ(first.reorientee_vers, second.id);
  EXPECT_EQ(second.origine_id, first.id);
  EXPECT_EQ(second.version, 1);
  EXPECT_EQ(second.service_id, 12);
  EXPECT_EQ(**store_->Find(first.id), first);
  EXPECT_EQ(**store_->Find(second.id), second);
  ASSERT_EQ(store_->EventsOf(first.id)->size(), 1u);
  EXPECT_EQ((*store_->EventsOf(first.id))[0].step, "reorienter");
  ASSERT_EQ(store_->EventsOf(second.id)->size(), 1u);
  EXPECT_EQ((*store_->EventsOf(second.id))[0].step, "creer");
  auto notices = store_->NotificationsOf(agent_, false, 10);
  ASSERT_TRUE(notices && notices->size() == 1u);
  EXPECT_EQ((*notices)[0].orientation_id, first.id);
}

// security.md S12 and ports.h: a write whose event, e-mail or notification is refused leaves
// nothing behind.
TEST_P(OrientationContract, AWriteIsAllOrNothing) {
  const auto nothing_written = [&] {
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM orientations"), 0);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM orientation_events"), 0);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM orientation_notifications"), 0);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM mail_outbox"), 0);
  };
  Write w;
  w.orientation = Sent();
  w.events = {NewEvent("envoyer", "brouillon", "envoyee")};
  w.mails = {NewMessage("orientation")};
  w.notifications = {{0, partner_ + 1000, 0, kNow, "Nouvelle orientation.", std::nullopt}};
  EXPECT_FALSE(store_->Apply(w));  // no such user
  nothing_written();

  w.notifications = {{0, partner_, 0, kNow, "Nouvelle orientation.", std::nullopt}};
  w.mails[0].to = "";  // refused by the outbox
  EXPECT_FALSE(store_->Apply(w));
  nothing_written();

  w.mails[0].to = "accueil@ml-lens.example.org";
  w.events[0].step = "";  // refused by the history
  EXPECT_FALSE(store_->Apply(w));
  nothing_written();

  w.follow_up = Sent();
  w.follow_up->site_id = site_a_ + 1000;  // the follow-up is refused
  w.events[0].step = "envoyer";
  EXPECT_FALSE(store_->Apply(w));
  nothing_written();

  // An update is undone as a whole too.
  w.follow_up.reset();
  auto created = store_->Apply(w);
  ASSERT_TRUE(created) << created.error().ToString();
  Write update;
  update.orientation = created->orientation;
  update.orientation.status = OStatus::kAccepted;
  update.events = {NewEvent("accepter", "envoyee", "acceptee")};
  update.notifications = {{0, agent_ + 1000, 0, kNow, "Acceptée.", std::nullopt}};
  EXPECT_FALSE(store_->Apply(update));
  EXPECT_EQ(**store_->Find(created->orientation.id), created->orientation);
  EXPECT_EQ(store_->EventsOf(created->orientation.id)->size(), 1u);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM mail_outbox"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM orientation_notifications"), 1);
}

TEST_P(OrientationContract, ListFiltersBySideAndCriteria) {
  const Person person = NewPerson("Mme D.");
  // 0: A → B sent; 1: A → B draft; 2: C → B sent, urgent; 3: A → C accepted, site A2;
  // 4: C → A sent, with the person; 5: A → B sent long ago, service 12.
  std::vector<OrientationId> ids;
  Orientation o = Sent();
  ids.push_back(Create(o).id);
  o.status = OStatus::kDraft;
  o.sent_at.reset();
  ids.push_back(Create(o).id);
  o = Sent();
  o.organisation_id = org_c_;
  o.site_id = site_c_;
  o.urgence = "urgente";
  ids.push_back(Create(o).id);
  o = Sent();
  o.status = OStatus::kAccepted;
  o.site_id = site_a2_;
  o.recipient_organisation_id = org_c_;
  ids.push_back(Create(o).id);
  o = Sent();
  o.organisation_id = org_c_;
  o.site_id = site_c_;
  o.recipient_organisation_id = org_a_;
  o.person_id = person.id;
  ids.push_back(Create(o).id);
  o = Sent(kNow - 20 * kDay);
  o.service_id = 12;
  ids.push_back(Create(o).id);

  ListQuery q;
  EXPECT_TRUE(Ids(store_->List(q)).empty());  // no side: nothing
  q.orienting = {org_a_};
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[5], ids[3], ids[1], ids[0]}));
  q = {};
  q.recipient = {org_b_};  // no draft for the recipient
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[5], ids[2], ids[0]}));
  q.orienting = {org_a_};  // either side
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[5], ids[3], ids[2], ids[1], ids[0]}));
  q.orienting = {org_a_, org_c_};
  q.recipient = {org_a_};
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}));
  q.statuses = {OStatus::kAccepted, OStatus::kDraft};
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[3], ids[1]}));
  q.statuses = {};
  q.urgence = "urgente";
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[2]}));
  q.urgence = "";
  q.service_id = 12;
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[5]}));
  q.service_id.reset();
  q.site_id = site_a2_;
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[3]}));
  q.site_id.reset();
  q.person_id = person.id;
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[4]}));
  q.person_id.reset();
  q.sent_before = kNow - 10 * kDay;  // drafts have no sending date
  EXPECT_EQ(Ids(store_->List(q)), (std::vector{ids[5]}));
  q.sent_before.reset();
  q.limit = 0;
  EXPECT_TRUE(Ids(store_->List(q)).empty());
}

TEST_P(OrientationContract, ListPagesWithoutGapsOrDuplicates) {
  std::vector<OrientationId> all;
  for (int i = 0; i < 7; ++i) all.push_back(Create(Sent(kNow - i * kHour)).id);
  std::reverse(all.begin(), all.end());  // newest id first
  ListQuery q;
  q.orienting = {org_a_};
  q.limit = 3;
  std::vector<OrientationId> paged;
  for (int page = 0; page < 10; ++page) {
    auto ids = Ids(store_->List(q));
    if (ids.empty()) break;
    EXPECT_LE(ids.size(), 3u);
    paged.insert(paged.end(), ids.begin(), ids.end());
    q.before_id = ids.back();
  }
  EXPECT_EQ(paged, all);
}

TEST_P(OrientationContract, DueListsAwaitingOrientationsOldestFirst) {
  // Awaiting an answer, reminder due.
  Orientation o = Sent(kNow - 11 * kDay);
  const OrientationId reminder = Create(o).id;
  // Received (opened) and expired.
  o = Sent(kNow - 31 * kDay);
  o.status = OStatus::kReceived;
  o.next_reminder_at = kNow + kDay;
  const OrientationId expiry = Create(o).id;
  // Awaiting but nothing due yet.
  Create(Sent(kNow - kDay));
  // Answered: its old dates no longer count.
  o = Sent(kNow - 40 * kDay);
  o.status = OStatus::kAccepted;
  Create(o);
  // A draft never is due.
  o = Sent(kNow - 40 * kDay);
  o.status = OStatus::kDraft;
  Create(o);

  EXPECT_EQ(Ids(store_->Due(kNow, 10)), (std::vector{reminder, expiry}));
  EXPECT_EQ(Ids(store_->Due(kNow, 1)), (std::vector{reminder}));
  EXPECT_TRUE(Ids(store_->Due(kNow - 20 * kDay, 10)).empty());
  EXPECT_EQ(Ids(store_->Due(kNow + 9 * kDay, 10)).size(), 3u);
}

TEST_P(OrientationContract, MeasureRowsTellAcceptanceExpiryAndOutcome) {
  // Accepted then received; refused; expired; a direct appointment; one out of the period;
  // one from another organisation; a draft.
  Orientation o = Sent(kNow);
  o.status = OStatus::kPersonReceived;
  o.answered_at = kNow + kHour;
  const OrientationId received =
      Create(o, {NewEvent("envoyer", "brouillon", "envoyee"),
                 NewEvent("accepter", "envoyee", "acceptee"),
                 NewEvent("personne_recue", "acceptee", "personne_recue")})
          .id;
  o = Sent(kNow + kMinute);
  o.status = OStatus::kRefused;
  o.answered_at = kNow + kHour;
  const OrientationId refused = Create(o, {NewEvent("refuser", "envoyee", "refusee")}).id;
  o = Sent(kNow + 2 * kMinute);
  o.status = OStatus::kCancelled;
  o.service_nom = "Logement";
  o.service_id = 12;
  const OrientationId expired = Create(o, {NewEvent("expirer", "envoyee", "expiree"),
                                           NewEvent("annuler", "expiree", "annulee")})
                                    .id;
  o = Sent(kNow + 3 * kMinute);
  o.status = OStatus::kNoShow;
  const OrientationId appointment =
      Create(o, {NewEvent("fixer_rdv", "recue", "rdv_fixe"),
                 NewEvent("personne_non_venue", "rdv_fixe", "personne_non_venue")})
          .id;
  Create(Sent(kNow - 2 * kDay));
  o = Sent(kNow + 4 * kMinute);
  o.organisation_id = org_c_;
  o.site_id = site_c_;
  o.recipient_organisation_id = org_c_;
  const OrientationId foreign = Create(o).id;
  o = Sent(kNow);
  o.status = OStatus::kDraft;
  o.sent_at.reset();
  Create(o);

  MeasureQuery q;
  q.from = kNow - kDay;
  q.to = kNow + kDay;
  auto rows = store_->MeasureRows(q);
  ASSERT_TRUE(rows) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 5u);
  MeasureRow first;
  first.id = received;
  first.organisation_id = org_a_;
  first.site_id = site_a_;
  first.recipient_organisation_id = org_b_;
  first.service_id = 11;
  first.service_nom = "Accompagnement vers l'emploi";
  first.status = OStatus::kPersonReceived;
  first.sent_at = kNow;
  first.answered_at = kNow + kHour;
  first.accepted = true;
  const MeasureRow& got = (*rows)[0];
  EXPECT_EQ(got.id, first.id);
  EXPECT_EQ(got.organisation_id, first.organisation_id);
  EXPECT_EQ(got.site_id, first.site_id);
  EXPECT_EQ(got.recipient_organisation_id, first.recipient_organisation_id);
  EXPECT_EQ(got.service_id, first.service_id);
  EXPECT_EQ(got.service_nom, first.service_nom);
  EXPECT_EQ(got.status, first.status);
  EXPECT_EQ(got.sent_at, first.sent_at);
  EXPECT_EQ(got.answered_at, first.answered_at);
  EXPECT_TRUE(got.accepted);
  EXPECT_FALSE(got.expired);
  EXPECT_TRUE(got.received);
  EXPECT_FALSE(got.no_show);
  EXPECT_EQ((*rows)[1].id, refused);
  EXPECT_FALSE((*rows)[1].received);
  EXPECT_FALSE((*rows)[1].no_show);
  EXPECT_FALSE((*rows)[1].accepted);
  EXPECT_FALSE((*rows)[1].expired);
  EXPECT_EQ((*rows)[2].id, expired);
  EXPECT_FALSE((*rows)[2].accepted);
  EXPECT_TRUE((*rows)[2].expired);
  EXPECT_FALSE((*rows)[2].answered_at);
  EXPECT_EQ((*rows)[3].id, appointment);
  EXPECT_TRUE((*rows)[3].accepted);
  EXPECT_TRUE((*rows)[3].no_show);
  EXPECT_FALSE((*rows)[3].received);
  EXPECT_EQ((*rows)[4].id, foreign);

  q.orienting = {org_a_};
  EXPECT_EQ(store_->MeasureRows(q)->size(), 4u);
  q.orienting = {};
  q.recipient = {org_c_};
  ASSERT_EQ(store_->MeasureRows(q)->size(), 1u);
  EXPECT_EQ((*store_->MeasureRows(q))[0].id, foreign);
  q.orienting = {org_a_};
  EXPECT_EQ(store_->MeasureRows(q)->size(), 5u);
}

TEST_P(OrientationContract, CountAwaitingPerRecipient) {
  Create(Sent());
  Orientation o = Sent();
  o.status = OStatus::kReceived;
  Create(o);
  o.status = OStatus::kAccepted;
  Create(o);
  o.status = OStatus::kDraft;
  Create(o);
  o = Sent();
  o.recipient_organisation_id = org_c_;
  Create(o);
  EXPECT_EQ(*store_->CountAwaiting(org_b_), 2);
  EXPECT_EQ(*store_->CountAwaiting(org_c_), 1);
  EXPECT_EQ(*store_->CountAwaiting(org_a_), 0);
}

// --- Notifications and preferences -------------------------------------------------------

TEST_P(OrientationContract, NotificationsAreReadByTheirUserOnly) {
  Write w;
  w.orientation = Sent();
  w.notifications = {{0, agent_, 0, kNow, "Orientation n° 1 : envoyée.", std::nullopt},
                     {0, agent_, 0, kNow + kHour, "Orientation n° 1 : reçue.", std::nullopt},
                     {0, partner_, 0, kNow, "Nouvelle orientation n° 1.", std::nullopt}};
  auto written = store_->Apply(w);
  ASSERT_TRUE(written) << written.error().ToString();
  const OrientationId id = written->orientation.id;

  auto mine = store_->NotificationsOf(agent_, false, 10);
  ASSERT_TRUE(mine) << mine.error().ToString();
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].message, "Orientation n° 1 : reçue.");  // newest first
  EXPECT_EQ((*mine)[0].orientation_id, id);
  EXPECT_EQ((*mine)[0].user_id, agent_);
  EXPECT_EQ((*mine)[0].at, kNow + kHour);
  EXPECT_FALSE((*mine)[0].read_at);
  EXPECT_EQ(store_->NotificationsOf(agent_, false, 1)->size(), 1u);
  EXPECT_EQ(*store_->CountUnread(agent_), 2);

  const Notification partner_notice = (*store_->NotificationsOf(partner_, false, 10))[0];
  EXPECT_EQ(store_->MarkRead(partner_notice.id, agent_, kNow).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->MarkRead(partner_notice.id + 1000, agent_, kNow).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(*store_->CountUnread(partner_), 1);

  ASSERT_TRUE(store_->MarkRead((*mine)[1].id, agent_, kNow + 2 * kHour));
  ASSERT_TRUE(store_->MarkRead((*mine)[1].id, agent_, kNow + 3 * kHour));  // first reading kept
  EXPECT_EQ(*store_->CountUnread(agent_), 1);
  auto unread = store_->NotificationsOf(agent_, true, 10);
  ASSERT_TRUE(unread && unread->size() == 1u);
  EXPECT_EQ((*unread)[0].id, (*mine)[0].id);
  EXPECT_EQ((*store_->NotificationsOf(agent_, false, 10))[1].read_at, kNow + 2 * kHour);

  ASSERT_TRUE(store_->MarkAllRead(agent_, kNow + 4 * kHour));
  EXPECT_EQ(*store_->CountUnread(agent_), 0);
  EXPECT_TRUE(store_->NotificationsOf(agent_, true, 10)->empty());
  EXPECT_EQ(*store_->CountUnread(partner_), 1);
  EXPECT_EQ((*store_->NotificationsOf(agent_, false, 10))[1].read_at, kNow + 2 * kHour);
}

TEST_P(OrientationContract, DigestPreferenceDefaultsToOff) {
  EXPECT_FALSE(*store_->WantsDigest(partner_));
  ASSERT_TRUE(store_->SetDigest(partner_, true));
  EXPECT_TRUE(*store_->WantsDigest(partner_));
  EXPECT_FALSE(*store_->WantsDigest(agent_));
  ASSERT_TRUE(store_->SetDigest(partner_, false));
  EXPECT_FALSE(*store_->WantsDigest(partner_));
}

// --- Partner links -----------------------------------------------------------------------

TEST_P(OrientationContract, LinkCodesAreReplacedCountedAndDeleted) {
  const OrientationId id = Create(Sent()).id;
  const LinkCode code{"token-1", id, "code-hash-1", kNow + 10 * kMinute, 0};
  ASSERT_TRUE(store_->SaveCode(code));
  EXPECT_EQ(**store_->FindCode("token-1"), code);
  EXPECT_FALSE(*store_->FindCode("token-2"));

  EXPECT_EQ(*store_->FailCode("token-1"), 1);
  EXPECT_EQ(*store_->FailCode("token-1"), 2);
  EXPECT_EQ((*store_->FindCode("token-1"))->attempts, 2);
  EXPECT_EQ(store_->FailCode("token-2").error().code, ErrorCode::kNotFound);

  // A new code for the same link replaces the previous one, attempts included.
  const LinkCode renewed{"token-1", id, "code-hash-2", kNow + 20 * kMinute, 0};
  ASSERT_TRUE(store_->SaveCode(renewed));
  EXPECT_EQ(**store_->FindCode("token-1"), renewed);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM orientation_link_codes"), 1);

  ASSERT_TRUE(store_->DeleteCode("token-1"));
  EXPECT_FALSE(*store_->FindCode("token-1"));
  EXPECT_TRUE(store_->DeleteCode("token-1"));
}

TEST_P(OrientationContract, LinkSessionsAreSavedFoundAndDeleted) {
  const OrientationId id = Create(Sent()).id;
  const LinkSession session{"session-1", id, "accueil@ml-lens.example.org", kNow + kHour};
  ASSERT_TRUE(store_->SaveLinkSession(session));
  EXPECT_EQ(**store_->FindLinkSession("session-1"), session);
  EXPECT_FALSE(*store_->FindLinkSession("session-2"));
  ASSERT_TRUE(store_->DeleteLinkSession("session-1"));
  EXPECT_FALSE(*store_->FindLinkSession("session-1"));
}

TEST_P(OrientationContract, PruneLinksRemovesWhatExpired) {
  const OrientationId id = Create(Sent()).id;
  ASSERT_TRUE(store_->SaveCode({"old-code", id, "h", kNow - kMinute, 0}));
  ASSERT_TRUE(store_->SaveCode({"new-code", id, "h", kNow + kMinute, 0}));
  ASSERT_TRUE(store_->SaveLinkSession({"old-session", id, "a@example.org", kNow - kMinute}));
  ASSERT_TRUE(store_->SaveLinkSession({"new-session", id, "a@example.org", kNow + kMinute}));
  EXPECT_EQ(*store_->PruneLinks(kNow), 2);
  EXPECT_FALSE(*store_->FindCode("old-code"));
  EXPECT_TRUE(*store_->FindCode("new-code"));
  EXPECT_FALSE(*store_->FindLinkSession("old-session"));
  EXPECT_TRUE(*store_->FindLinkSession("new-session"));
  EXPECT_EQ(*store_->PruneLinks(kNow), 0);
}

TEST_P(OrientationContract, LinkKeyIsCreatedOnceAndShared) {
  // Concurrent first callers, each with its own store, agree on one key.
  constexpr int kThreads = 4;
  std::vector<std::string> keys(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      SqlOrientationStore store(*db_);
      for (int attempt = 0; attempt < 100; ++attempt) {
        auto key = store.LinkKey();
        if (key) {
          keys[i] = *key;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // busy: again
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(keys[0].size(), 32u);
  for (const std::string& key : keys) EXPECT_EQ(key, keys[0]);
  SqlOrientationStore other(*db_);
  EXPECT_EQ(*other.LinkKey(), keys[0]);
  EXPECT_EQ(*store_->LinkKey(), keys[0]);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM app_secrets"), 1);
}

// --- Outbox ------------------------------------------------------------------------------

TEST_P(OrientationContract, OutboxRoundTripsEveryMember) {
  Message m = NewMessage("orientation:7");
  m.created_at = kNow + std::chrono::milliseconds(300);  // kept to the second
  auto enqueued = outbox_->Enqueue(m);
  ASSERT_TRUE(enqueued) << enqueued.error().ToString();
  EXPECT_GT(enqueued->id, 0);
  m.id = enqueued->id;
  m.created_at = kNow;
  EXPECT_EQ(*enqueued, m);
  EXPECT_EQ(**outbox_->Find(m.id), m);
  EXPECT_FALSE(*outbox_->Find(m.id + 1000));

  Message full = NewMessage("lien:3");
  full.state = MessageState::kSending;
  full.attempts = 3;
  full.lease_until = kNow + kMinute;
  full.sent_at = kNow - kMinute;
  full.last_error = "421 Service non disponible";
  auto stored = outbox_->Enqueue(full);
  ASSERT_TRUE(stored);
  full.id = stored->id;
  EXPECT_EQ(**outbox_->Find(full.id), full);
}

TEST_P(OrientationContract, OutboxClaimsLeasesAndRecordsResults) {
  const auto a = outbox_->Enqueue(NewMessage("orientation:1", kNow));
  const auto b = outbox_->Enqueue(NewMessage("orientation:2", kNow - kMinute));
  const auto later = outbox_->Enqueue(NewMessage("orientation:1", kNow + kHour));
  ASSERT_TRUE(a && b && later);

  // Due ones only, the longest waiting first; each leased.
  auto claimed = outbox_->Claim(kNow, std::chrono::seconds(60), 10);
  ASSERT_TRUE(claimed) << claimed.error().ToString();
  ASSERT_EQ(claimed->size(), 2u);
  EXPECT_EQ((*claimed)[0].id, b->id);
  EXPECT_EQ((*claimed)[1].id, a->id);
  for (const Message& m : *claimed) {
    EXPECT_EQ(m.state, MessageState::kSending);
    EXPECT_EQ(m.lease_until, kNow + std::chrono::seconds(60));
  }
  // Leased: nobody else gets them; the later one is not due.
  EXPECT_TRUE(
      outbox_->Claim(kNow + std::chrono::seconds(30), std::chrono::seconds(60), 10)->empty());
  // The sender of `a` died: its lease expires and it is claimed again.
  ASSERT_TRUE(outbox_->MarkSent(b->id, kNow + std::chrono::seconds(5)));
  auto reclaimed = outbox_->Claim(kNow + std::chrono::seconds(61), std::chrono::seconds(60), 10);
  ASSERT_TRUE(reclaimed);
  ASSERT_EQ(reclaimed->size(), 1u);
  EXPECT_EQ((*reclaimed)[0].id, a->id);
  EXPECT_EQ((*reclaimed)[0].lease_until, kNow + std::chrono::seconds(121));

  const Message sent = **outbox_->Find(b->id);
  EXPECT_EQ(sent.state, MessageState::kSent);
  EXPECT_EQ(sent.sent_at, kNow + std::chrono::seconds(5));
  EXPECT_EQ(sent.attempts, 1);
  EXPECT_FALSE(sent.lease_until);

  ASSERT_TRUE(outbox_->MarkRetry(a->id, kNow + 10 * kMinute, "Connexion refusée"));
  Message retried = **outbox_->Find(a->id);
  EXPECT_EQ(retried.state, MessageState::kPending);
  EXPECT_EQ(retried.attempts, 1);
  EXPECT_EQ(retried.next_attempt_at, kNow + 10 * kMinute);
  EXPECT_EQ(retried.last_error, "Connexion refusée");
  EXPECT_FALSE(retried.lease_until);
  EXPECT_TRUE(outbox_->Claim(kNow + 9 * kMinute, std::chrono::seconds(60), 10)->empty());
  ASSERT_EQ(outbox_->Claim(kNow + 10 * kMinute, std::chrono::seconds(60), 1)->size(), 1u);
  ASSERT_TRUE(outbox_->MarkFailed(a->id, std::string(2000, 'x')));
  const Message failed = **outbox_->Find(a->id);
  EXPECT_EQ(failed.state, MessageState::kFailed);
  EXPECT_EQ(failed.attempts, 2);
  EXPECT_EQ(failed.last_error.size(), 500u);
  EXPECT_EQ(outbox_->MarkSent(a->id + 1000, kNow).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(outbox_->MarkRetry(a->id + 1000, kNow, "e").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(outbox_->MarkFailed(a->id + 1000, "e").error().code, ErrorCode::kNotFound);

  // Recent: newest first, by reference.
  auto recent = outbox_->Recent("orientation:1", 10);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].id, later->id);
  EXPECT_EQ((*recent)[1].id, a->id);
  EXPECT_EQ(outbox_->Recent("", 10)->size(), 3u);
  EXPECT_EQ(outbox_->Recent("", 1)->size(), 1u);

  // Prune: sent and failed ones created before the date; pending ones stay.
  EXPECT_EQ(*outbox_->Prune(kNow), 0);
  EXPECT_EQ(*outbox_->Prune(kNow + kMinute), 2);
  EXPECT_EQ(outbox_->Recent("", 10)->size(), 1u);
}

TEST_P(OrientationContract, ConcurrentSendersNeverClaimTheSameMessage) {
  constexpr int kMessages = 60, kSenders = 4;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE(outbox_->Enqueue(NewMessage("orientation:" + std::to_string(i))));
  }
  std::mutex mutex;
  std::vector<mail::MessageId> claimed;
  std::vector<std::thread> threads;
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&] {
      SqlOutboxStore outbox(*db_);
      int errors = 0;
      while (errors < 1000) {
        auto batch = outbox.Claim(kNow, std::chrono::seconds(600), 3);
        if (!batch) {  // busy: again
          ++errors;
          continue;
        }
        if (batch->empty()) break;
        std::lock_guard lock(mutex);
        for (const Message& m : *batch) claimed.push_back(m.id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<mail::MessageId> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kMessages));
}

// --- Right of access, merge and erasure (security.md S4, S5) -----------------------------

TEST_P(OrientationContract, ExportMergeAndEraseCoverOrientations) {
  const Person person = NewPerson("Mme D.");
  const Person absorbed = NewPerson("Mme D. bis");
  const Person other = NewPerson("M. K.");
  auto consent = reception_->CreateConsent(
      {0, person.id, org_a_, agent_, kNow, "demande d'emploi", "Mission locale", "ce dossier"});
  ASSERT_TRUE(consent);
  Orientation o = Sent();
  o.person_id = person.id;
  o.referent_nom = "Mme Referente";
  o.champs_partages = {"nom_affiche", "telephone"};
  o.partage = {{"nom_affiche", "Mme D."}, {"telephone", "06 12 34 56 78"}};
  o.consentement = "informee";
  o.consent_id = consent->id;
  o.status = OStatus::kAppointmentSet;
  o.rdv_date = kNow + kDay;
  o.rdv_lieu = "12 rue de la Gare";
  o.commentaire = "Elle viendra avec sa fille.";
  const Orientation mine =
      Create(o, {NewEvent("fixer_rdv", "recue", "rdv_fixe", kNow, "Avec sa fille, à 10 h")});
  o = Sent(kNow + kHour);
  o.person_id = absorbed.id;
  const Orientation theirs = Create(o);
  o = Sent(kNow + 2 * kHour);
  o.person_id = other.id;
  o.demande = "Autre personne";
  const Orientation unrelated = Create(o);

  ASSERT_TRUE(reception_->MergePersons(person.id, absorbed.id, kNow + kDay));
  EXPECT_EQ((*store_->Find(theirs.id))->person_id, person.id);

  auto bundle = reception_->ExportPerson(person.id);
  ASSERT_TRUE(bundle) << bundle.error().ToString();
  ASSERT_EQ(bundle->autres.size(), 2u);
  const auto& record = bundle->autres[0];
  EXPECT_EQ(record.kind, "orientation");
  EXPECT_EQ(record.id, mine.id);
  EXPECT_EQ(bundle->autres[1].id, theirs.id);
  const auto field = [&](const std::string& name) {
    for (const auto& [key, value] : record.fields) {
      if (key == name) return value;
    }
    return std::string("(absent)");
  };
  EXPECT_EQ(field("statut"), std::string(orientation::StatusLabel(OStatus::kAppointmentSet)));
  EXPECT_EQ(field("service"), "Accompagnement vers l'emploi");
  EXPECT_EQ(field("structure"), "Mission locale de Lens");
  EXPECT_EQ(field("referent"), "Mme Referente");
  EXPECT_EQ(field("motifs"), "emploi");
  EXPECT_EQ(field("demande"), "Premier rendez-vous pour un accompagnement.");
  EXPECT_EQ(field("partage.telephone"), "06 12 34 56 78");
  EXPECT_EQ(field("partage.nom_affiche"), "Mme D.");
  EXPECT_EQ(field("consentement"), "informee");
  EXPECT_EQ(field("envoyee_le"), FormatIsoUtc(kNow));
  EXPECT_EQ(field("rdv_date"), FormatIsoUtc(kNow + kDay));
  EXPECT_EQ(field("rdv_lieu"), "12 rue de la Gare");
  EXPECT_EQ(field("commentaire"), "Elle viendra avec sa fille.");
  EXPECT_NE(field("historique").find("Avec sa fille"), std::string::npos);
  EXPECT_NE(field("champs_partages"), "(absent)");

  reception::PurgeLogEntry log;
  log.person_id = person.id;
  log.at = kNow + 2 * kDay;
  ASSERT_TRUE(reception_->ErasePerson(person.id, log));
  const Orientation erased = **store_->Find(mine.id);
  EXPECT_FALSE(erased.person_id);
  EXPECT_TRUE(erased.partage.empty());
  EXPECT_EQ(erased.demande, "");
  EXPECT_EQ(erased.commentaire, "");
  EXPECT_EQ(erased.rdv_lieu, "");
  EXPECT_FALSE(erased.consent_id);
  // Kept for the statistics: what was asked of whom, and how it went.
  EXPECT_EQ(erased.status, OStatus::kAppointmentSet);
  EXPECT_EQ(erased.motifs, std::vector<std::string>{"emploi"});
  EXPECT_EQ(erased.referent_nom, "Mme Referente");
  EXPECT_EQ(erased.rdv_date, kNow + kDay);
  EXPECT_EQ((*store_->EventsOf(mine.id))[0].detail, "");
  EXPECT_EQ((*store_->EventsOf(mine.id))[0].step, "fixer_rdv");
  EXPECT_FALSE((*store_->Find(theirs.id))->person_id);
  EXPECT_EQ(**store_->Find(unrelated.id), unrelated);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM orientations"), 3);
}

INSTANTIATE_TEST_SUITE_P(Drivers, OrientationContract, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace pasip::storage
