// The site desk pages without a server, on the in-memory stores: the quick count (defaults,
// shortcuts, the motives read from the checkboxes and the "tous les motifs" list, the
// remembered channel, errors naming the field), the batch entry, the correction and deletion
// of a passage, the queue with its hand-off note seen by the social worker, the public
// waiting-room display (numbers only) and the waiting-time statistics; another organisation
// gets 404.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "web/page_fixture_test_util.h"
#include "web/page_test_util.h"

namespace pasip::web {
namespace {

using test_util::Count;
using test_util::ExpectAccessiblePage;

class ReceptionPagesTest : public test_util::CheckedPageFixture {
 protected:
  ReceptionPagesTest() : CheckedPageFixture("2026-11-23T09:00:00Z") {
    options_.deployment_name = "Accueil 35";
    RegisterPages(router_, services_, options_);
    AddRennes({"35000"});
    ccas_ = CreateOrganisation("CCAS de Rennes");
    caf_ = CreateOrganisation("Caf d'Ille-et-Vilaine");
    site_ = CreateSite(ccas_, "Accueil de la mairie");
    CreateSite(caf_, "Point d'accueil Caf");
    CreateAccount("accueil@exemple.fr", "Camille Accueil", ccas_, identity::Role::kAccueil);
    CreateAccount("social@exemple.fr", "Dominique Social", ccas_, identity::Role::kSocial);
    CreateAccount("caf@exemple.fr", "Agent Caf", caf_, identity::Role::kAccueil);
  }

  identity::SiteId CreateSite(identity::OrganisationId organisation, const std::string& name) {
    identity::Site s;
    s.organisation_id = organisation;
    s.name = name;
    s.commune_code = "35238";
    auto created = organisations_.CreateSite(s, {});
    EXPECT_TRUE(created);
    return created->id;
  }

  std::string Desk() const { return "/accueil/" + std::to_string(site_); }

  std::vector<reception::Passage> Passages() {
    reception::PassageQuery query;
    query.site_ids = {site_};
    auto list = reception_store_.ListPassages(query);
    EXPECT_TRUE(list);
    return list ? *list : std::vector<reception::Passage>{};
  }

  std::vector<reception::Ticket> Tickets() {
    reception::TicketQuery query;
    query.site_id = site_;
    auto list = reception_store_.ListTickets(query);
    EXPECT_TRUE(list);
    return list ? *list : std::vector<reception::Ticket>{};
  }

  identity::OrganisationId ccas_ = 0;
  identity::OrganisationId caf_ = 0;
  identity::SiteId site_ = 0;
};

TEST_F(ReceptionPagesTest, OneSiteRedirectsToItsDesk) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  http::Response choice = Get("/accueil", accueil);
  EXPECT_EQ(choice.status, 303);
  EXPECT_EQ(choice.Header("Location"), Desk());
}

TEST_F(ReceptionPagesTest, QuickCountHasDefaultsAndShortcuts) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  http::Response desk = Get(Desk(), accueil);
  ASSERT_EQ(desk.status, 200) << desk.body;
  ExpectAccessiblePage(desk.body, "bureau d'accueil");
  for (const char* text :
       {"<h1>Accueil de la mairie</h1>", "name=\"csrf\"", "data-raccourcis",
        "id=\"canal-physique_sans_rdv\" name=\"canal\" value=\"physique_sans_rdv\" checked",
        "value=\"ecoute\" checked", "value=\"information\" checked", "data-raccourci=\"1\"",
        "data-raccourci=\"9\"", "<kbd>1</kbd>", "<kbd>9</kbd>",
        "<summary>Tous les motifs</summary>", ">Enregistrer le passage</button>",
        "name=\"lot.nombre\"", "/js/desk.js", "Aucun passage enregistré aujourd'hui",
        "<summary>Profil de la personne"}) {
    EXPECT_NE(desk.body.find(text), std::string::npos) << text;
  }
  // Digits 1 to 9 only; the 10th motive is in the list of all motives.
  EXPECT_EQ(desk.body.find("data-raccourci=\"10\""), std::string::npos);
  EXPECT_EQ(Count(desk.body, "name=\"motifs\""), 9);
  EXPECT_EQ(desk.body.find("value=\"aide-demarches\" checked"), std::string::npos);
  // Every letter is given once.
  for (char letter = 'a'; letter <= 'z'; ++letter) {
    EXPECT_LE(Count(desk.body, std::string("data-raccourci=\"") + letter + "\""), 1) << letter;
  }

  http::Response phone = Get(Desk() + "?canal=telephone", accueil);
  EXPECT_NE(phone.body.find("value=\"telephone\" checked"), std::string::npos);
  EXPECT_EQ(phone.body.find("value=\"physique_sans_rdv\" checked"), std::string::npos);
}

TEST_F(ReceptionPagesTest, QuickCountRecordsAnAnonymousPassage) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  http::Response saved =
      Post(Desk() + "/passages", accueil,
           "canal=telephone&motifs=droits--rsa&motif_autre=droits--domiciliation&actes=ecoute&"
           "actes=aide-demarches&profil.tranche_age=26_44&profil.commune=Rennes");
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(saved.Header("Location"), Desk() + "?fait=passage&canal=telephone#comptage");
  const std::vector<reception::Passage> passages = Passages();
  ASSERT_EQ(passages.size(), 1u);
  const reception::Passage& p = passages.front();
  EXPECT_EQ(p.canal, "telephone");
  EXPECT_EQ(p.motifs, (std::vector<std::string>{"droits--rsa", "droits--domiciliation"}));
  EXPECT_EQ(p.actes, (std::vector<std::string>{"ecoute", "aide-demarches"}));
  EXPECT_EQ(p.profil.tranche_age, "26_44");
  EXPECT_EQ(p.profil.commune_code, "35238");
  EXPECT_FALSE(p.person_id.has_value());

  http::Response after = Get(Desk() + "?fait=passage&canal=telephone", accueil);
  ASSERT_EQ(after.status, 200);
  ExpectAccessiblePage(after.body, "après un passage");
  EXPECT_NE(after.body.find("Passage enregistré."), std::string::npos);
  EXPECT_NE(after.body.find("data-autofocus"), std::string::npos);
  EXPECT_NE(after.body.find("Passages d'aujourd'hui (1)"), std::string::npos);
  EXPECT_NE(after.body.find("<td>Téléphone</td>"), std::string::npos);
  EXPECT_NE(after.body.find("Écoute, Aide aux démarches"), std::string::npos);
  EXPECT_NE(after.body.find(Desk() + "/passages/" + std::to_string(p.id)), std::string::npos);
  EXPECT_NE(after.body.find("value=\"telephone\" checked"), std::string::npos);
}

TEST_F(ReceptionPagesTest, QuickCountErrorsNameTheField) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  http::Response none = Post(Desk() + "/passages", accueil, "canal=telephone&actes=ecoute");
  EXPECT_EQ(none.status, 422);
  ExpectAccessiblePage(none.body, "sans motif");
  EXPECT_NE(none.body.find("href=\"#f-motifs\""), std::string::npos);
  EXPECT_NE(none.body.find("Choisissez au moins un motif."), std::string::npos);
  EXPECT_NE(none.body.find("value=\"telephone\" checked"), std::string::npos);

  http::Response unknown =
      Post(Desk() + "/passages", accueil, "canal=pigeon&motifs=droits--rsa&actes=ecoute");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_NE(unknown.body.find("href=\"#f-canal\""), std::string::npos);

  http::Response commune = Post(Desk() + "/passages", accueil,
                                "canal=telephone&motifs=droits--rsa&profil.commune=Nulle-Part");
  EXPECT_EQ(commune.status, 422);
  EXPECT_NE(commune.body.find("href=\"#f-profil.commune\""), std::string::npos);
  EXPECT_NE(commune.body.find("<details class=\"desk-profile\" open>"), std::string::npos);
  EXPECT_TRUE(Passages().empty());
}

TEST_F(ReceptionPagesTest, BatchEntry) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  http::Response bad = Post(Desk() + "/lot", accueil,
                            "lot.jour=2026-11-22&lot.motif=droits--rsa&lot.canal=telephone&"
                            "lot.nombre=douze");
  EXPECT_EQ(bad.status, 422);
  ExpectAccessiblePage(bad.body, "lot invalide");
  EXPECT_NE(bad.body.find("href=\"#f-lot.nombre\""), std::string::npos);
  EXPECT_NE(bad.body.find("<details id=\"lot\" class=\"desk-batch\" open>"), std::string::npos);

  http::Response future = Post(Desk() + "/lot", accueil,
                               "lot.jour=2027-01-01&lot.motif=droits--rsa&lot.canal=telephone&"
                               "lot.nombre=12");
  EXPECT_EQ(future.status, 422);
  EXPECT_NE(future.body.find("href=\"#f-lot.jour\""), std::string::npos);
  EXPECT_TRUE(Passages().empty());

  http::Response saved = Post(Desk() + "/lot", accueil,
                              "lot.jour=2026-11-22&lot.motif=droits--rsa&lot.canal=telephone&"
                              "lot.nombre=12");
  ASSERT_EQ(saved.status, 303) << saved.body;
  const std::vector<reception::Passage> passages = Passages();
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages.front().nombre, 12);
  EXPECT_TRUE(passages.front().lot);
}

TEST_F(ReceptionPagesTest, CorrectAndDeleteAPassageWithin24Hours) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  ASSERT_EQ(
      Post(Desk() + "/passages", accueil, "canal=telephone&motifs=droits--rsa&actes=ecoute").status,
      303);
  const std::string edit = Desk() + "/passages/" + std::to_string(Passages().front().id);
  http::Response form = Get(edit, accueil);
  ASSERT_EQ(form.status, 200) << form.body;
  ExpectAccessiblePage(form.body, "correction");
  EXPECT_NE(form.body.find("value=\"telephone\" checked"), std::string::npos);
  EXPECT_NE(form.body.find("value=\"droits--rsa\" checked"), std::string::npos);
  EXPECT_EQ(form.body.find("data-raccourci"), std::string::npos);

  http::Response corrected =
      Post(edit, accueil, "canal=courriel&motifs=droits--css&actes=information");
  ASSERT_EQ(corrected.status, 303) << corrected.body;
  EXPECT_EQ(Passages().front().canal, "courriel");
  EXPECT_EQ(Passages().front().motifs, std::vector<std::string>{"droits--css"});

  // Another organisation's agent sees neither the desk nor the passage.
  identity::Caller caf = SignedIn("caf@exemple.fr");
  EXPECT_EQ(Get(Desk(), caf).status, 404);
  EXPECT_EQ(Get(edit, caf).status, 404);
  EXPECT_EQ(Post(edit + "/supprimer", caf, "").status, 404);

  http::Response confirm = Get(edit + "/supprimer", accueil);
  ASSERT_EQ(confirm.status, 200);
  ExpectAccessiblePage(confirm.body, "confirmation");
  EXPECT_NE(confirm.body.find("Oui, supprimer ce passage"), std::string::npos);

  clock_.Advance(std::chrono::hours(25));
  http::Response late = Get(edit, accueil);
  EXPECT_EQ(late.status, 200);
  EXPECT_NE(late.body.find("plus de 24 heures"), std::string::npos);
  EXPECT_EQ(late.body.find("Enregistrer la correction"), std::string::npos);
  EXPECT_NE(Post(edit + "/supprimer", accueil, "").status, 303);
  clock_.Advance(-std::chrono::hours(25));

  http::Response deleted = Post(edit + "/supprimer", accueil, "");
  EXPECT_EQ(deleted.status, 303);
  EXPECT_EQ(deleted.Header("Location"), Desk() + "?fait=suppression");
  EXPECT_TRUE(Passages().empty());
}

TEST_F(ReceptionPagesTest, QueueHandOffReachesTheSocialWorker) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  identity::Caller social = SignedIn("social@exemple.fr");
  http::Response empty = Post(Desk() + "/tickets/suivant", accueil, "");
  EXPECT_EQ(empty.Header("Location"), Desk() + "/file-attente?fait=personne");

  http::Response taken = Post(Desk() + "/tickets", accueil, "ticket.motif=droits--rsa");
  ASSERT_EQ(taken.status, 303) << taken.body;
  EXPECT_EQ(taken.Header("Location"), Desk() + "/file-attente?fait=ticket&numero=1");
  ASSERT_EQ(Post(Desk() + "/tickets", accueil, "ticket.motif=").status, 303);
  http::Response bad_file = Post(Desk() + "/tickets", accueil, "ticket.dossier=abc");
  EXPECT_EQ(bad_file.status, 422);
  EXPECT_NE(bad_file.body.find("href=\"#f-ticket.dossier\""), std::string::npos);

  http::Response queue = Get(Desk() + "/file-attente?fait=ticket&numero=1", accueil);
  ASSERT_EQ(queue.status, 200) << queue.body;
  ExpectAccessiblePage(queue.body, "file d'attente");
  EXPECT_NE(queue.body.find("Ticket n° 1 remis."), std::string::npos);
  EXPECT_NE(queue.body.find("En attente (2)"), std::string::npos);

  ASSERT_EQ(Post(Desk() + "/tickets/suivant", accueil, "").Header("Location"),
            Desk() + "/file-attente?fait=appel&numero=1");
  const reception::TicketId first = [&] {
    for (const reception::Ticket& t : Tickets()) {
      if (t.numero == 1) return t.id;
    }
    return reception::TicketId{0};
  }();
  ASSERT_NE(first, 0);
  const std::string ticket = Desk() + "/tickets/" + std::to_string(first);
  http::Response called = Get(Desk() + "/file-attente", accueil);
  ExpectAccessiblePage(called.body, "ticket appelé");
  EXPECT_NE(called.body.find(">Dominique Social</option>"), std::string::npos);
  EXPECT_NE(called.body.find(">Tout travailleur social</option>"), std::string::npos);
  EXPECT_EQ(called.body.find(">Agent Caf</option>"), std::string::npos);

  const std::string social_id = std::to_string(social.principal.user_id);
  http::Response handed =
      Post(ticket + "/transmettre", accueil,
           "transmis_a=" + social_id + "&note=Demande+de+RSA%2C+dossier+incomplet");
  ASSERT_EQ(handed.status, 303) << handed.body;

  http::Response seen = Get(Desk() + "/file-attente", social);
  ASSERT_EQ(seen.status, 200);
  ExpectAccessiblePage(seen.body, "file vue du travailleur social");
  EXPECT_NE(seen.body.find("Demande de RSA, dossier incomplet"), std::string::npos);
  EXPECT_NE(seen.body.find("queue-for-me"), std::string::npos);
  ASSERT_EQ(Post(Desk() + "/tickets/suivant", social, "").Header("Location"),
            Desk() + "/file-attente?fait=appel&numero=1");
  EXPECT_EQ(Post(ticket + "/terminer", social, "").status, 303);

  // The waiting room: public, numbers only.
  http::Response room = Get(Desk() + "/salle", identity::Caller{});
  ASSERT_EQ(room.status, 200) << room.body;
  ExpectAccessiblePage(room.body, "salle d'attente");
  EXPECT_EQ(room.Header("Refresh"), "15");
  EXPECT_NE(room.body.find("aria-live=\"polite\""), std::string::npos);
  EXPECT_NE(room.body.find("<li>2</li>"), std::string::npos);
  EXPECT_EQ(room.body.find("RSA"), std::string::npos);
  EXPECT_EQ(room.body.find("Dominique"), std::string::npos);
  EXPECT_EQ(room.body.find("name=\"csrf\""), std::string::npos);

  http::Response stats = Get(Desk() + "/statistiques?du=2026-11-01&au=2026-11-23", accueil);
  ASSERT_EQ(stats.status, 200) << stats.body;
  ExpectAccessiblePage(stats.body, "statistiques");
  EXPECT_NE(stats.body.find("23 novembre 2026"), std::string::npos);
  http::Response reversed = Get(Desk() + "/statistiques?du=2026-11-23&au=2026-11-01", accueil);
  EXPECT_EQ(reversed.status, 422);
  EXPECT_NE(reversed.body.find("href=\"#f-au\""), std::string::npos);
}

// The queue page shows tickets, not today's passages: viewing it must not write "read"
// entries for named passages it never shows (the access log stays exact, security.md S3),
// and the queue shows a ticket's file by number only.
TEST_F(ReceptionPagesTest, TheQueueReadsNoNamedPassage) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  reception::Person person;
  person.nom_affiche = "Zéphyrine Quillévéré";
  auto created = reception_.CreatePerson(person, 0, true, accueil.principal, accueil.audit);
  ASSERT_TRUE(created && created->person);
  reception::Passage passage;
  passage.site_id = site_;
  passage.canal = "physique_sans_rdv";
  passage.motifs = {"droits--rsa"};
  passage.person_id = created->person->id;
  ASSERT_TRUE(reception_.RecordPassage(passage, accueil.principal, accueil.audit));
  ASSERT_TRUE(reception_.TakeTicket(site_, "droits--rsa", created->person->id, accueil.principal,
                                    accueil.audit));

  const std::size_t before = audit_store_.entries.size();
  http::Response queue = Get(Desk() + "/file-attente", accueil);
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_EQ(audit_store_.entries.size(), before);
  EXPECT_EQ(queue.body.find("Quill"), std::string::npos);
  EXPECT_NE(queue.body.find("dossier n° " + std::to_string(created->person->id)),
            std::string::npos);
  // The desk shows today's passages: there, the named one is a read.
  ASSERT_EQ(Get(Desk(), accueil).status, 200);
  EXPECT_EQ(audit_store_.entries.size(), before + 1);
}

}  // namespace
}  // namespace pasip::web
