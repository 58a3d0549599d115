// The orientation use cases on in-memory stores: the whole lifecycle from a passage to a
// recorded outcome, relation checks (404 outside the relation), consent, reminders and
// expiry with an injected clock, partner links and one-time codes, e-mails without personal
// data, re-orientation, notifications, digests and measures with small cells suppressed.
#include "domain/orientation/orientation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "domain/directory/memory_store_test_util.h"
#include "domain/identity/memory_stores_test_util.h"
#include "domain/mail/memory_outbox_test_util.h"
#include "domain/orientation/memory_store_test_util.h"
#include "domain/reception/memory_store_test_util.h"

namespace pasip::orientation {
namespace {

using identity::Membership;
using identity::Role;
using identity::testing::MemoryAuditStore;
using identity::testing::MemoryIdentityStore;

constexpr auto kDays = [](int n) { return std::chrono::hours(24 * n); };

class OrientationTest : public ::testing::Test {
 protected:
  // Monday 23 November 2026, 10 h in Paris.
  OrientationTest()
      : clock_(*ParseIso("2026-11-23T09:00:00Z")),
        audit_(audit_store_, clock_),
        store_(outbox_),
        reception_(reception_store_, identity_, audit_, clock_),
        directory_(directory_store_, territory_, audit_, clock_),
        service_(store_, outbox_, reception_, directory_, identity_, audit_, clock_, Settings{}) {
    ccas_ = MakeOrganisation("CCAS de Rennes");
    caf_ = MakeOrganisation("Caf d'Ille-et-Vilaine");
    mission_ = MakeOrganisation("Mission locale");
    site_ = MakeSite(ccas_, "CCAS de Rennes — accueil");
    accueil_ = Agent("accueil@ccas.test", {{ccas_, Role::kAccueil, {}}});
    social_ = Agent("social@ccas.test", {{ccas_, Role::kSocial, {}}});
    partner_ = Agent("partenaire@caf.test", {{caf_, Role::kPartenaire, {}}});
    other_partner_ = Agent("partenaire@ml.test", {{mission_, Role::kPartenaire, {}}});
    coordination_ = Agent("coordination@reseau.test", {{ccas_, Role::kCoordination, {}}});
    admin_ = Agent("admin@reseau.test", {{ccas_, Role::kAdmin, {}}});
    caf_service_ = MakeService(caf_, "Caf — accueil de Rennes", "Prestations de la Caf",
                               "accueil@caf.example.org");
    ml_service_ = MakeService(mission_, "Mission locale de Rennes", "Accompagnement des jeunes",
                              "contact@ml.example.org");
    // A partner without any account: reached by signed links.
    asso_service_ = MakeService(std::nullopt, "Association Solidarité", "Aide alimentaire",
                                "accueil@asso.example.org");
  }

  identity::OrganisationId MakeOrganisation(const std::string& name) {
    identity::Organisation o;
    o.name = name;
    o.kind = "ccas-cias";
    return identity_.CreateOrganisation(o)->id;
  }

  identity::SiteId MakeSite(identity::OrganisationId org, const std::string& name) {
    identity::Site s;
    s.organisation_id = org;
    s.name = name;
    s.address = "1 place de la Mairie";
    s.commune_code = "35238";
    return identity_.CreateSite(s)->id;
  }

  Principal Agent(const std::string& email, std::vector<Membership> memberships) {
    identity::User u;
    u.email = email;
    u.display_name = email;
    u.memberships = memberships;
    Principal p;
    p.user_id = identity_.CreateUser(u)->id;
    p.memberships = std::move(memberships);
    p.second_factor_verified = true;
    p.has_second_factor = true;
    return p;
  }

  ServiceId MakeService(std::optional<identity::OrganisationId> org, const std::string& structure,
                        const std::string& service, const std::string& courriel) {
    directory::Structure s;
    s.source = "pasip";
    s.source_id = structure;
    s.nom = structure;
    s.date_maj = "2026-11-01";
    s.organisation_id = org;
    s.courriel = courriel;
    s.referents = {directory::Referent{"Alexis Référent", "Conseiller", "02 99 00 00 01",
                                       "alexis@" + courriel.substr(courriel.find('@') + 1)}};
    auto saved = directory_store_.SaveStructure(s, directory::IndexData{});
    EXPECT_TRUE(saved);
    directory::Service v;
    v.source = "pasip";
    v.source_id = service;
    v.structure_id = saved->id;
    v.nom = service;
    v.description = "Un service du territoire.";
    v.date_maj = "2026-11-01";
    v.telephone = "02 99 00 00 02";
    auto sv = directory_store_.SaveService(v, directory::IndexData{});
    EXPECT_TRUE(sv);
    return sv->id;
  }

  static audit::Context Ctx(const Principal& who) { return {who.user_id, "req"}; }
  static StepInput Reason(std::string motif) {
    StepInput in;
    in.motif = std::move(motif);
    return in;
  }
  static StepInput Reorient(std::string motif, ServiceId service) {
    StepInput in = Reason(std::move(motif));
    in.service_id = service;
    return in;
  }
  static StepInput Version(std::int64_t version) {
    StepInput in;
    in.version = version;
    return in;
  }

  reception::Person MakePerson(const std::string& nom = "Yasmina Benali") {
    reception::Person p;
    p.nom_affiche = nom;
    p.prenoms = "Yasmina";
    p.telephone = "06 12 34 56 78";
    p.date_naissance = "1984-02-29";
    p.courriel = "yasmina.benali@exemple.fr";
    auto saved = reception_.CreatePerson(p, 0, true, accueil_, Ctx(accueil_));
    EXPECT_TRUE(saved && saved->person);
    return *saved->person;
  }

  reception::Passage MakePassage(std::optional<PersonId> person) {
    reception::Passage p;
    p.site_id = site_;
    p.canal = "physique_sans_rdv";
    p.motifs = {"droits--prestations-familiales"};
    p.actes = {"information"};
    p.person_id = person;
    auto saved = reception_.RecordPassage(p, accueil_, Ctx(accueil_));
    EXPECT_TRUE(saved) << saved.error().ToString();
    return *saved;
  }

  Draft DraftFor(const reception::Passage& passage, ServiceId service) {
    Draft d;
    d.passage_id = passage.id;
    d.service_id = service;
    d.demande = "Ouverture des droits aux prestations familiales après une naissance.";
    if (passage.person_id) {
      d.champs_partages = {"nom_affiche", "telephone"};
      d.consentement = "informee";
    }
    d.envoyer = true;
    return d;
  }

  View Created(const Draft& d, const Principal& who) {
    auto v = service_.Create(d, who, Ctx(who));
    EXPECT_TRUE(v) << v.error().ToString();
    return v ? *v : View{};
  }

  View Act(OrientationId id, Step step, const Principal& who, StepInput in = {}) {
    auto v = service_.Take(id, step, in, who, Ctx(who));
    EXPECT_TRUE(v) << StepName(step) << ": " << v.error().ToString();
    return v ? *v : View{};
  }

  std::vector<mail::Message> Mails(const std::string& kind = "") {
    auto all = outbox_.Recent("", 1000);
    std::vector<mail::Message> out;
    for (const mail::Message& m : *all) {
      if (kind.empty() || m.kind == kind) out.push_back(m);
    }
    return out;
  }

  // The link token of the newest link e-mail.
  std::string LinkToken() {
    std::regex re("/lien/([A-Za-z0-9_.-]+)");
    for (const mail::Message& m : Mails()) {
      std::smatch match;
      if (std::regex_search(m.body, match, re)) return match[1];
    }
    return "";
  }

  std::size_t AuditCount(std::string_view action, const std::string& id) const {
    return std::count_if(
        audit_store_.entries.begin(), audit_store_.entries.end(), [&](const audit::Entry& e) {
          return e.action == action && e.resource_type == "orientation" && e.resource_id == id;
        });
  }

  ManualClock clock_;
  MemoryIdentityStore identity_;
  MemoryAuditStore audit_store_;
  audit::AuditLog audit_;
  mail::testing::MemoryOutbox outbox_;
  testing::MemoryOrientationStore store_;
  reception::testing::MemoryReceptionStore reception_store_;
  reception::ReceptionService reception_;
  directory::testing::MemoryDirectoryStore directory_store_;
  directory::testing::MemoryTerritoryStore territory_;
  directory::DirectoryService directory_;
  OrientationService service_;
  identity::OrganisationId ccas_ = 0, caf_ = 0, mission_ = 0;
  identity::SiteId site_ = 0;
  Principal accueil_, social_, partner_, other_partner_, coordination_, admin_;
  ServiceId caf_service_ = 0, ml_service_ = 0, asso_service_ = 0;
};

TEST_F(OrientationTest, TravelsFromAPassageToTheRecordedOutcome) {
  reception::Person person = MakePerson();
  reception::Passage passage = MakePassage(person.id);
  View sent = Created(DraftFor(passage, caf_service_), accueil_);
  const Orientation& o = sent.orientation;
  ASSERT_NE(o.id, 0);
  EXPECT_EQ(o.status, Status::kSent);
  EXPECT_EQ(o.person_id, person.id);
  EXPECT_EQ(o.motifs, std::vector<std::string>{"droits--prestations-familiales"});
  EXPECT_EQ(o.recipient_organisation_id, caf_);
  ASSERT_TRUE(o.sent_at && o.expires_at && o.next_reminder_at);
  EXPECT_EQ(*o.expires_at - *o.sent_at, kDays(30));
  EXPECT_EQ(*o.next_reminder_at - *o.sent_at, kDays(10));
  // The shared copy holds only the fields ticked.
  ASSERT_EQ(o.partage.size(), 2u);
  EXPECT_EQ(o.partage[0].field, "nom_affiche");
  EXPECT_EQ(o.partage[1].value, "06 12 34 56 78");
  // The consent is recorded in the person's file, naming the partner.
  auto file = reception_.GetPerson(person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(file);
  ASSERT_FALSE(file->consents.empty());
  EXPECT_FALSE(file->consents.front().opposition);
  EXPECT_NE(file->consents.front().destinataires.find("Prestations de la Caf"), std::string::npos);
  EXPECT_EQ(o.consent_id, file->consents.front().id);
  // The partner's account is told, by e-mail and in the application.
  auto news = Mails("orientation.nouvelle");
  ASSERT_EQ(news.size(), 1u);
  EXPECT_EQ(news[0].to, "partenaire@caf.test");
  EXPECT_EQ(service_.UnreadCount(partner_).value(), 1);

  // The partner's inbox; reading it marks it received.
  ListFilter inbox;
  inbox.box = Box::kInbox;
  auto page = service_.List(inbox, partner_, Ctx(partner_));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_TRUE(page->items[0].orientation.partage.empty());  // lists carry no person data
  auto read = service_.Get(o.id, partner_, Ctx(partner_));
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->orientation.status, Status::kReceived);
  EXPECT_TRUE(read->shows_shared);
  EXPECT_EQ(read->orientation.partage.size(), 2u);
  EXPECT_EQ(AuditCount("read", std::to_string(o.id)), 1u);
  EXPECT_EQ(read->steps, (std::vector<Step>{Step::kAccept, Step::kRefuse, Step::kReorient,
                                            Step::kProposeAppointment, Step::kSetAppointment}));

  Act(o.id, Step::kAccept, partner_);
  StepInput rdv;
  rdv.rdv_date = *ParseIso("2026-11-30T09:30:00Z");
  rdv.rdv_lieu = "Caf, 20 cours Fictif, Rennes";
  View fixed = Act(o.id, Step::kSetAppointment, partner_, rdv);
  EXPECT_EQ(fixed.orientation.status, Status::kAppointmentSet);
  EXPECT_EQ(fixed.orientation.rdv_lieu, "Caf, 20 cours Fictif, Rennes");

  // The orienting agent sees the appointment and the whole history.
  auto seen = service_.Get(o.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->orientation.status, Status::kAppointmentSet);
  std::vector<std::string> steps;
  for (const Event& e : seen->history) steps.push_back(e.step);
  EXPECT_EQ(steps,
            (std::vector<std::string>{"creer", "envoyer", "ouvrir", "accepter", "fixer_rdv"}));
  EXPECT_EQ(seen->history[3].actor_id, partner_.user_id);
  EXPECT_EQ(seen->history[3].from, "recue");
  EXPECT_EQ(seen->history[3].to, "acceptee");
  // Notices to the agent: received (in the application), accepted and dated (also e-mailed).
  EXPECT_EQ(service_.UnreadCount(accueil_).value(), 3);
  EXPECT_EQ(Mails("orientation.suivi").size(), 2u);

  View received = Act(o.id, Step::kPersonReceived, partner_);
  EXPECT_EQ(received.orientation.status, Status::kPersonReceived);
  EXPECT_TRUE(received.orientation.outcome_at);
  View closed = Act(o.id, Step::kClose, accueil_);
  EXPECT_EQ(closed.orientation.status, Status::kClosed);
  EXPECT_TRUE(closed.steps.empty());
}

TEST_F(OrientationTest, ImpossibleStepsAnswerAClearError) {
  reception::Passage passage = MakePassage(std::nullopt);
  View sent = Created(DraftFor(passage, caf_service_), accueil_);
  OrientationId id = sent.orientation.id;
  Act(id, Step::kCancel, accueil_, Reason("erreur"));
  auto accept = service_.Take(id, Step::kAccept, {}, partner_, Ctx(partner_));
  ASSERT_FALSE(accept);
  EXPECT_EQ(accept.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(accept.error().message, "Impossible d'accepter une orientation annulée.");
  // A step of the other side is refused as such.
  View again = Created(DraftFor(passage, caf_service_), accueil_);
  auto by_agent = service_.Take(again.orientation.id, Step::kAccept, {}, accueil_, Ctx(accueil_));
  ASSERT_FALSE(by_agent);
  EXPECT_EQ(by_agent.error().code, ErrorCode::kPermissionDenied);
  auto cancel = service_.Take(again.orientation.id, Step::kCancel, {}, partner_, Ctx(partner_));
  ASSERT_FALSE(cancel);
  EXPECT_EQ(cancel.error().code, ErrorCode::kPermissionDenied);
  // Automatic steps cannot be asked for.
  auto open = service_.Take(again.orientation.id, Step::kOpen, {}, partner_, Ctx(partner_));
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code, ErrorCode::kFailedPrecondition);
  // A refusal needs a motive from the list; "autre" needs a comment.
  auto refuse = service_.Take(again.orientation.id, Step::kRefuse, {}, partner_, Ctx(partner_));
  ASSERT_FALSE(refuse);
  EXPECT_EQ(refuse.error().field, "motif");
  auto other =
      service_.Take(again.orientation.id, Step::kRefuse, Reason("autre"), partner_, Ctx(partner_));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().field, "commentaire");
  // An appointment needs a date.
  auto rdv =
      service_.Take(again.orientation.id, Step::kSetAppointment, {}, partner_, Ctx(partner_));
  ASSERT_FALSE(rdv);
  EXPECT_EQ(rdv.error().field, "date");
  // A stale version is refused.
  auto stale =
      service_.Take(again.orientation.id, Step::kAccept, Version(99), partner_, Ctx(partner_));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(OrientationTest, AnObjectionBlocksSendingAndNothingIsSent) {
  reception::Person person = MakePerson();
  reception::Passage passage = MakePassage(person.id);
  Draft d = DraftFor(passage, caf_service_);
  d.consentement = "opposition";
  auto refused = service_.Create(d, accueil_, Ctx(accueil_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(Mails().empty());
  ListFilter sent_box;
  EXPECT_TRUE(service_.List(sent_box, accueil_, Ctx(accueil_))->items.empty());

  // Saved as a draft, the objection is recorded in the file and sending stays refused.
  d.envoyer = false;
  View draft = Created(d, accueil_);
  EXPECT_EQ(draft.orientation.status, Status::kDraft);
  auto file = reception_.GetPerson(person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->opposition());
  auto send = service_.Take(draft.orientation.id, Step::kSend, {}, accueil_, Ctx(accueil_));
  ASSERT_FALSE(send);
  EXPECT_EQ(send.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(send.error().message.find("s'oppose"), std::string::npos);
  EXPECT_TRUE(Mails().empty());
  EXPECT_EQ(store_.Find(draft.orientation.id).value()->status, Status::kDraft);
  // The partner never sees the draft.
  EXPECT_EQ(service_.Get(draft.orientation.id, partner_, Ctx(partner_)).error().code,
            ErrorCode::kNotFound);
}

TEST_F(OrientationTest, NobodyOutsideTheRelationSeesIt) {
  reception::Person person = MakePerson();
  View sent = Created(DraftFor(MakePassage(person.id), caf_service_), accueil_);
  OrientationId id = sent.orientation.id;
  for (const Principal* who : {&other_partner_, &coordination_, &admin_}) {
    auto got = service_.Get(id, *who, Ctx(*who));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
    auto step = service_.Take(id, Step::kAccept, {}, *who, Ctx(*who));
    ASSERT_FALSE(step);
    EXPECT_EQ(step.error().code, ErrorCode::kNotFound);
    ListFilter inbox;
    inbox.box = Box::kInbox;
    EXPECT_TRUE(service_.List(inbox, *who, Ctx(*who))->items.empty());
  }
  auto form = service_.Form(id, other_partner_, Ctx(other_partner_));
  ASSERT_FALSE(form);
  EXPECT_EQ(form.error().code, ErrorCode::kNotFound);
  // A social worker of the orienting organisation works on it too.
  EXPECT_TRUE(service_.Get(id, social_, Ctx(social_)));
}

TEST_F(OrientationTest, AnonymousOrientationsShareNothing) {
  reception::Passage passage = MakePassage(std::nullopt);
  Draft d = DraftFor(passage, caf_service_);
  d.champs_partages = {"telephone"};
  auto bad = service_.Create(d, accueil_, Ctx(accueil_));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "champs_partages");
  d.champs_partages.clear();
  d.mode = "accompagnee";
  d.accompagnement = "physique";
  bad = service_.Create(d, accueil_, Ctx(accueil_));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "mode");
  d.mode = "information";
  d.accompagnement.clear();
  View sent = Created(d, accueil_);
  EXPECT_EQ(sent.orientation.status, Status::kSent);
  EXPECT_FALSE(sent.orientation.person_id);
  EXPECT_TRUE(sent.orientation.partage.empty());
}

TEST_F(OrientationTest, DraftValidationNamesTheField) {
  reception::Passage passage = MakePassage(std::nullopt);
  Draft d = DraftFor(passage, caf_service_);
  d.demande = "  ";
  EXPECT_EQ(service_.Create(d, accueil_, Ctx(accueil_)).error().field, "demande");
  d = DraftFor(passage, caf_service_);
  d.motifs = {"droits--rsa", "pas-un-motif"};
  EXPECT_EQ(service_.Create(d, accueil_, Ctx(accueil_)).error().field, "motifs[1]");
  d = DraftFor(passage, caf_service_);
  d.echeance = "2026-13-01";
  EXPECT_EQ(service_.Create(d, accueil_, Ctx(accueil_)).error().field, "echeance");
  d = DraftFor(passage, 0);
  EXPECT_EQ(service_.Create(d, accueil_, Ctx(accueil_)).error().field, "service");
  d = DraftFor(passage, 9999);
  EXPECT_EQ(service_.Create(d, accueil_, Ctx(accueil_)).error().field, "service");
  d = DraftFor(passage, caf_service_);
  d.referent_nom = "Inconnu";
  EXPECT_EQ(service_.Create(d, accueil_, Ctx(accueil_)).error().field, "referent");
  d = DraftFor(passage, caf_service_);
  d.urgence = "tres";
  EXPECT_EQ(service_.Create(d, accueil_, Ctx(accueil_)).error().field, "urgence");
  // Nothing was written by the refused drafts.
  EXPECT_TRUE(service_.List(ListFilter{}, accueil_, Ctx(accueil_))->items.empty());
  // A partner cannot orient.
  EXPECT_FALSE(service_.Create(DraftFor(passage, caf_service_), partner_, Ctx(partner_)));
}

TEST_F(OrientationTest, RemindersThenExpiryWithNoticeToTheAgent) {
  View sent = Created(DraftFor(MakePassage(std::nullopt), asso_service_), accueil_);
  OrientationId id = sent.orientation.id;
  ASSERT_EQ(Mails("orientation.nouvelle").size(), 1u);
  EXPECT_EQ(Mails("orientation.nouvelle")[0].to, "accueil@asso.example.org");

  clock_.Advance(kDays(9));
  EXPECT_EQ(service_.Sweep({}).value().rappels, 0);
  clock_.Advance(kDays(1));
  SweepReport first = service_.Sweep({}).value();
  EXPECT_EQ(first.rappels, 1);
  EXPECT_EQ(Mails("orientation.rappel").size(), 1u);
  EXPECT_EQ(service_.Sweep({}).value().rappels, 0);  // not twice
  clock_.Advance(kDays(10));
  EXPECT_EQ(service_.Sweep({}).value().rappels, 1);
  EXPECT_EQ(store_.Find(id).value()->reminders, 2);
  // The agent's list shows it unanswered.
  auto mine = service_.List(ListFilter{}, accueil_, Ctx(accueil_));
  ASSERT_EQ(mine->items.size(), 1u);
  EXPECT_NE(std::find(mine->items[0].alertes.begin(), mine->items[0].alertes.end(), "sans_reponse"),
            mine->items[0].alertes.end());

  clock_.Advance(kDays(10));  // 30 days after sending
  SweepReport expiry = service_.Sweep({}).value();
  EXPECT_EQ(expiry.expirees, 1);
  EXPECT_EQ(store_.Find(id).value()->status, Status::kExpired);
  auto notices = Mails("orientation.suivi");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].to, "accueil@ccas.test");
  EXPECT_NE(notices[0].body.find("expiré"), std::string::npos);
  auto agent_notes = service_.Notifications(accueil_, true).value();
  ASSERT_FALSE(agent_notes.empty());
  EXPECT_NE(agent_notes[0].message.find("expiré"), std::string::npos);
  EXPECT_EQ(service_.Sweep({}).value().expirees, 0);

  // The agent relaunches: sent again with a new deadline, and a new link.
  View relaunched = Act(id, Step::kRelaunch, accueil_);
  EXPECT_EQ(relaunched.orientation.status, Status::kSent);
  EXPECT_EQ(*relaunched.orientation.expires_at, clock_.Now() + kDays(30));
  EXPECT_EQ(Mails("orientation.rappel").size(), 3u);
  // …or cancels it.
  View cancelled = Act(id, Step::kCancel, accueil_, Reason("personne_renonce"));
  EXPECT_EQ(cancelled.orientation.status, Status::kCancelled);
  EXPECT_FALSE(cancelled.orientation.expires_at);
}

TEST_F(OrientationTest, ReorientationAsksTheAgentToConfirmSharing) {
  reception::Person person = MakePerson();
  View sent = Created(DraftFor(MakePassage(person.id), caf_service_), accueil_);
  OrientationId id = sent.orientation.id;
  StepInput in;
  in.motif = "service_plus_adapte";
  in.service_id = ml_service_;
  auto same =
      service_.Take(id, Step::kReorient, Reorient("delai", caf_service_), partner_, Ctx(partner_));
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().field, "service");
  View moved = Act(id, Step::kReorient, partner_, in);
  EXPECT_EQ(moved.orientation.status, Status::kReoriented);
  ASSERT_TRUE(moved.orientation.reorientee_vers);
  OrientationId next_id = *moved.orientation.reorientee_vers;
  auto next = store_.Find(next_id).value();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, Status::kDraft);
  EXPECT_EQ(next->origine_id, id);
  EXPECT_EQ(next->recipient_organisation_id, mission_);
  EXPECT_TRUE(next->partage.empty());
  EXPECT_TRUE(next->consentement.empty());
  EXPECT_EQ(next->created_by, accueil_.user_id);
  // The new partner sees nothing until the agent asked the person again and sent it.
  EXPECT_FALSE(service_.Get(next_id, other_partner_, Ctx(other_partner_)));
  auto unconfirmed = service_.Take(next_id, Step::kSend, {}, accueil_, Ctx(accueil_));
  ASSERT_FALSE(unconfirmed);
  EXPECT_EQ(unconfirmed.error().code, ErrorCode::kFailedPrecondition);
  Draft confirm;
  confirm.demande = next->demande;
  confirm.motifs = next->motifs;
  confirm.champs_partages = {"nom_affiche"};
  confirm.consentement = "informee";
  confirm.envoyer = true;
  auto sent_again = service_.UpdateDraft(next_id, confirm, accueil_, Ctx(accueil_));
  ASSERT_TRUE(sent_again) << sent_again.error().ToString();
  EXPECT_EQ(sent_again->orientation.status, Status::kSent);
  auto seen = service_.Get(next_id, other_partner_, Ctx(other_partner_));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->orientation.partage.size(), 1u);
  // The first partner no longer acts on the re-oriented one, and does not see the new one.
  EXPECT_FALSE(service_.Take(id, Step::kAccept, {}, partner_, Ctx(partner_)));
  EXPECT_EQ(service_.Get(next_id, partner_, Ctx(partner_)).error().code, ErrorCode::kNotFound);
}

TEST_F(OrientationTest, PartnerWithoutAccountUsesASignedLinkAndACode) {
  reception::Person person = MakePerson();
  View sent = Created(DraftFor(MakePassage(person.id), asso_service_), accueil_);
  OrientationId id = sent.orientation.id;
  std::string token = LinkToken();
  ASSERT_FALSE(token.empty());
  auto start = service_.OpenLink(token);
  ASSERT_TRUE(start) << start.error().ToString();
  EXPECT_EQ(start->orientation_id, id);
  EXPECT_EQ(start->courriel_masque, "a***@asso.example.org");

  // Tampered tokens are refused.
  std::string tampered = token;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(service_.OpenLink(tampered).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_.OpenLink("").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_.SendCode(tampered, {}).error().code, ErrorCode::kPermissionDenied);

  ASSERT_TRUE(service_.SendCode(token, {}));
  auto codes = Mails("lien.code");
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].to, "accueil@asso.example.org");
  std::smatch match;
  std::regex six(": ([0-9]{6})");
  ASSERT_TRUE(std::regex_search(codes[0].body, match, six));
  std::string code = match[1];
  // A second code at once is throttled.
  EXPECT_EQ(service_.SendCode(token, {}).error().code, ErrorCode::kResourceExhausted);

  std::string wrong = code == "000000" ? "111111" : "000000";
  auto bad = service_.VerifyCode(token, wrong, {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kPermissionDenied);
  auto session_token = service_.VerifyCode(token, code, {});
  ASSERT_TRUE(session_token) << session_token.error().ToString();
  // A code works once.
  EXPECT_FALSE(service_.VerifyCode(token, code, {}));
  auto session = service_.LinkSessionOf(*session_token);
  ASSERT_TRUE(session);
  auto view = service_.GetByLink(*session, {});
  ASSERT_TRUE(view) << view.error().ToString();
  EXPECT_EQ(view->orientation.status, Status::kReceived);
  EXPECT_EQ(view->orientation.partage.size(), 2u);
  EXPECT_EQ(view->history.back().actor, "lien");
  auto accepted = service_.TakeByLink(*session, Step::kAccept, {}, {});
  ASSERT_TRUE(accepted) << accepted.error().ToString();
  EXPECT_EQ(accepted->orientation.status, Status::kAccepted);
  EXPECT_FALSE(service_.TakeByLink(*session, Step::kClose, {}, {}));
  // The session is for this orientation only, and it ends.
  LinkSession other = *session;
  other.orientation_id = id + 100;
  EXPECT_EQ(service_.GetByLink(other, {}).error().code, ErrorCode::kNotFound);
  clock_.Advance(std::chrono::minutes(61));
  EXPECT_EQ(service_.LinkSessionOf(*session_token).error().code, ErrorCode::kUnauthenticated);
  // Links expire.
  clock_.Advance(kDays(14));
  auto expired = service_.OpenLink(token);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(expired.error().message.find("expiré"), std::string::npos);
}

TEST_F(OrientationTest, WrongCodesRevokeTheCode) {
  View sent = Created(DraftFor(MakePassage(std::nullopt), asso_service_), accueil_);
  (void)sent;
  std::string token = LinkToken();
  ASSERT_TRUE(service_.SendCode(token, {}));
  std::smatch match;
  std::string body = Mails("lien.code")[0].body;
  ASSERT_TRUE(std::regex_search(body, match, std::regex(": ([0-9]{6})")));
  std::string code = match[1];
  std::string wrong = code == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(service_.VerifyCode(token, wrong, {}));
  EXPECT_FALSE(service_.VerifyCode(token, code, {}));  // revoked after five errors
}

TEST_F(OrientationTest, EmailsCarryNoPersonalData) {
  reception::Person person = MakePerson("Yasmina Benali");
  for (ServiceId service : {caf_service_, asso_service_}) {
    Draft d = DraftFor(MakePassage(person.id), service);
    d.champs_partages = {"nom_affiche", "prenoms", "telephone", "date_naissance", "courriel"};
    d.urgence = "urgente";
    View sent = Created(d, accueil_);
    if (service == caf_service_) {
      ASSERT_TRUE(service_.Get(sent.orientation.id, partner_, Ctx(partner_)));
      Act(sent.orientation.id, Step::kAccept, partner_);
    }
  }
  ASSERT_TRUE(service_.SendCode(LinkToken(), {}));
  clock_.Advance(kDays(31));
  ASSERT_TRUE(service_.Sweep({}));
  auto mails = Mails();
  ASSERT_GE(mails.size(), 5u);
  std::regex phone("0[1-9]([ .-]?[0-9]{2}){4}");
  std::regex birth("1984|29/02|02/29");
  for (const mail::Message& m : mails) {
    std::string text = m.subject + "\n" + m.body;
    EXPECT_EQ(text.find("Yasmina"), std::string::npos) << text;
    EXPECT_EQ(text.find("Benali"), std::string::npos) << text;
    EXPECT_EQ(text.find("yasmina"), std::string::npos) << text;
    EXPECT_FALSE(std::regex_search(text, phone)) << text;
    EXPECT_FALSE(std::regex_search(text, birth)) << text;
  }
}

TEST_F(OrientationTest, AFailingAuditLogStopsTheStep) {
  View sent = Created(DraftFor(MakePassage(std::nullopt), caf_service_), accueil_);
  class Broken final : public audit::Store {
   public:
    pasip::Status Append(const audit::Entry&) override {
      return Fail(Unavailable("journal indisponible"));
    }
    Result<std::vector<audit::Entry>> Search(const audit::Query&) override {
      return std::vector<audit::Entry>();
    }
    Result<std::int64_t> DeleteBefore(TimePoint) override { return 0; }
  } broken;
  audit::AuditLog broken_log(broken, clock_);
  OrientationService service(store_, outbox_, reception_, directory_, identity_, broken_log,
                             clock_);
  auto cancel =
      service.Take(sent.orientation.id, Step::kCancel, Reason("erreur"), accueil_, Ctx(accueil_));
  ASSERT_FALSE(cancel);
  EXPECT_EQ(store_.Find(sent.orientation.id).value()->status, Status::kSent);
}

TEST_F(OrientationTest, OneSweepClearsABacklogLargerThanABatch) {
  for (int i = 0; i < 205; ++i) {
    Created(DraftFor(MakePassage(std::nullopt), caf_service_), accueil_);
  }
  clock_.Advance(kDays(10));
  EXPECT_EQ(service_.Sweep({}).value().rappels, 205);
  EXPECT_EQ(service_.Sweep({}).value().rappels, 0);
}

TEST_F(OrientationTest, ADatabaseFailureWritesNeitherChangeNorMail) {
  View sent = Created(DraftFor(MakePassage(std::nullopt), asso_service_), accueil_);
  std::size_t before = Mails().size();
  store_.fail_next_apply = true;
  clock_.Advance(kDays(10));
  EXPECT_FALSE(service_.Sweep({}));
  EXPECT_EQ(Mails().size(), before);
  EXPECT_EQ(store_.Find(sent.orientation.id).value()->reminders, 0);
  EXPECT_EQ(service_.Sweep({}).value().rappels, 1);  // done on the next run
}

TEST_F(OrientationTest, PartnersMayChooseADailyDigest) {
  ASSERT_TRUE(service_.SetDigest(true, partner_));
  EXPECT_TRUE(service_.WantsDigest(partner_).value());
  Created(DraftFor(MakePassage(std::nullopt), caf_service_), accueil_);
  Created(DraftFor(MakePassage(std::nullopt), caf_service_), accueil_);
  EXPECT_TRUE(Mails("orientation.nouvelle").empty());
  EXPECT_EQ(service_.UnreadCount(partner_).value(), 2);  // still told in the application
  EXPECT_EQ(service_.SendDigests().value(), 1);
  auto digest = Mails("orientation.resume");
  ASSERT_EQ(digest.size(), 1u);
  EXPECT_EQ(digest[0].to, "partenaire@caf.test");
  EXPECT_NE(digest[0].subject.find("2 orientations"), std::string::npos);
}

TEST_F(OrientationTest, NotificationsAreReadByTheirOwnerOnly) {
  Created(DraftFor(MakePassage(std::nullopt), caf_service_), accueil_);
  auto notes = service_.Notifications(partner_, true).value();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(service_.MarkRead(notes[0].id, accueil_).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(service_.MarkRead(notes[0].id, partner_));
  EXPECT_EQ(service_.UnreadCount(partner_).value(), 0);
}

TEST_F(OrientationTest, MeasuresCountByPartnerAndSuppressSmallCells) {
  // 14 orientations to the Caf (12 accepted, 11 received, 1 refused), 12 to the Mission
  // locale (11 accepted and received, 1 refused).
  std::vector<OrientationId> caf, ml;
  for (int i = 0; i < 14; ++i) {
    caf.push_back(
        Created(DraftFor(MakePassage(std::nullopt), caf_service_), accueil_).orientation.id);
  }
  for (int i = 0; i < 12; ++i) {
    ml.push_back(
        Created(DraftFor(MakePassage(std::nullopt), ml_service_), accueil_).orientation.id);
  }
  clock_.Advance(std::chrono::hours(5));
  for (int i = 0; i < 12; ++i) {
    Act(caf[i], Step::kAccept, partner_);
    if (i < 11) Act(caf[i], Step::kPersonReceived, partner_);
  }
  Act(caf[12], Step::kRefuse, partner_, Reason("complet"));
  for (int i = 0; i < 11; ++i) {
    Act(ml[i], Step::kAccept, other_partner_);
    Act(ml[i], Step::kPersonReceived, other_partner_);
  }
  Act(ml[11], Step::kRefuse, other_partner_, Reason("conditions"));

  auto m = service_.Measure(GroupBy::kPartner, "2026-11-01", "2026-11-30", coordination_);
  ASSERT_TRUE(m) << m.error().ToString();
  ASSERT_EQ(m->lignes.size(), 2u);
  const MeasureLine& line = m->lignes[0];
  EXPECT_EQ(line.label, "Caf d'Ille-et-Vilaine");
  EXPECT_EQ(line.envoyees, (Cell{14, false}));
  EXPECT_EQ(line.repondues, (Cell{13, false}));
  EXPECT_EQ(line.acceptees, (Cell{12, false}));
  EXPECT_EQ(line.personnes_recues, (Cell{11, false}));
  EXPECT_EQ(line.non_venues, (Cell{0, false}));
  EXPECT_EQ(*line.taux_acceptation, 85.7);
  EXPECT_EQ(*line.taux_issue_confirmee, 78.6);
  EXPECT_EQ(*line.delai_median_heures, 5.0);
  EXPECT_EQ(m->lignes[1].label, "Mission locale");
  EXPECT_EQ(m->total.envoyees, (Cell{26, false}));
  EXPECT_EQ(m->total.personnes_recues, (Cell{22, false}));

  // Three orientations to a partner without account: that line publishes nothing, and
  // enough others are masked that it cannot be recomputed from the totals.
  for (int i = 0; i < 3; ++i) {
    Created(DraftFor(MakePassage(std::nullopt), asso_service_), accueil_);
  }
  m = service_.Measure(GroupBy::kPartner, "2026-11-01", "2026-11-30", coordination_);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->lignes.size(), 3u);
  const MeasureLine* asso = nullptr;
  for (const MeasureLine& l : m->lignes) {
    if (l.label == "Partenaires sans compte") asso = &l;
  }
  ASSERT_NE(asso, nullptr);
  EXPECT_TRUE(asso->envoyees.masked);
  EXPECT_TRUE(asso->expirees.masked);
  EXPECT_FALSE(asso->taux_acceptation);
  using Member = Cell MeasureLine::*;
  for (Member member : std::vector<Member>{&MeasureLine::envoyees, &MeasureLine::repondues,
                                           &MeasureLine::acceptees, &MeasureLine::personnes_recues,
                                           &MeasureLine::non_venues, &MeasureLine::expirees}) {
    int masked = 0;
    for (const MeasureLine& l : m->lignes) {
      const Cell& c = l.*member;
      if (c.masked) {
        ++masked;
      } else {
        EXPECT_TRUE(c.value == 0 || c.value >= kMinCell) << l.label;
      }
    }
    const Cell& total = m->total.*member;
    if (!total.masked) {
      EXPECT_TRUE(total.value == 0 || total.value >= kMinCell);
      EXPECT_NE(masked, 1);
    }
  }

  // Partners see their own; the administrator none; bad dates name the field.
  auto own = service_.Measure(GroupBy::kService, "2026-11-01", "2026-11-30", partner_);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->total.envoyees.value, 14);
  EXPECT_EQ(service_.Measure(GroupBy::kSite, "2026-11-01", "2026-11-30", admin_).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(service_.Measure(GroupBy::kSite, "2026-11", "2026-11-30", coordination_).error().field,
            "du");
  EXPECT_EQ(
      service_.Measure(GroupBy::kSite, "2026-11-30", "2026-11-01", coordination_).error().field,
      "au");
  // Another period counts nothing.
  auto empty = service_.Measure(GroupBy::kSite, "2026-10-01", "2026-10-31", coordination_);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->lignes.empty());
  EXPECT_EQ(empty->total.envoyees, (Cell{0, false}));
}

}  // namespace
}  // namespace pasip::orientation
