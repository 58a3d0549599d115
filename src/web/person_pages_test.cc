// The person-file pages without a server, on the in-memory stores: the identity form read
// from form data (malformed dates and household rows), the duplicate proposal (nothing
// written before confirmation), the file with its sharing status, notes by visibility, the
// search, the merge, the export and the retention page; another organisation gets 404.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "web/page_fixture_test_util.h"
#include "web/page_test_util.h"

namespace pasip::web {
namespace {

using test_util::Count;
using test_util::ExpectAccessiblePage;

class PersonPagesTest : public test_util::CheckedPageFixture {
 protected:
  PersonPagesTest() : CheckedPageFixture("2026-11-23T09:00:00Z") {
    options_.deployment_name = "Accueil 35";
    RegisterPages(router_, services_, options_);
    AddRennes({"35000", "35200", "35700"});
    ccas_ = CreateOrganisation("CCAS de Rennes");
    caf_ = CreateOrganisation("Caf d'Ille-et-Vilaine");
    identity::Site s;
    s.organisation_id = ccas_;
    s.name = "Accueil de la mairie";
    s.commune_code = "35238";
    site_ = organisations_.CreateSite(s, {})->id;
    CreateAccount("accueil@exemple.fr", "Camille Accueil", ccas_, identity::Role::kAccueil);
    CreateAccount("social@exemple.fr", "Dominique Social", ccas_, identity::Role::kSocial);
    CreateAccount("caf@exemple.fr", "Agent Caf", caf_, identity::Role::kAccueil);
    CreateAccount("admin@exemple.fr", "Alex Admin", ccas_, identity::Role::kAdmin);
  }

  std::int64_t PersonCount() {
    auto count = reception_store_.CountPersons();
    EXPECT_TRUE(count);
    return count ? *count : -1;
  }

  // Creates a file through the form; returns its path ("/personnes/N").
  std::string Create(const identity::Caller& caller, const std::string& body) {
    http::Response created = Post("/personnes/nouveau", caller, body);
    EXPECT_EQ(created.status, 303) << created.body;
    const std::string location(created.Header("Location"));
    EXPECT_TRUE(location.ends_with("?fait=dossier-cree")) << location;
    return location.substr(0, location.find('?'));
  }

  identity::OrganisationId ccas_ = 0;
  identity::OrganisationId caf_ = 0;
  identity::SiteId site_ = 0;
};

TEST_F(PersonPagesTest, CreationFormHasEveryFieldGroup) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  http::Response form = Get("/personnes/nouveau", accueil);
  ASSERT_EQ(form.status, 200);
  ExpectAccessiblePage(form.body, "/personnes/nouveau");
  for (const char* text :
       {"<legend>Identité</legend>", "<legend>Contact</legend>",
        "<legend>Langues et accessibilité</legend>", "<legend>Foyer (facultatif)</legend>",
        ">Nom affiché</label>", ">Nom de naissance (facultatif)</label>",
        ">Date de naissance (facultatif)</label>", ">Commune de résidence (facultatif)</label>",
        "name=\"foyer[2].relation\"", ">Référent de parcours (facultatif)</label>",
        ">Camille Accueil</option>", ">Dominique Social</option>", "name=\"langues\" value=\"ar\"",
        ">Créer le dossier</button>", "name=\"csrf\""}) {
    EXPECT_NE(form.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(form.body.find(">Agent Caf</option>"), std::string::npos)
      << "le référent se choisit parmi les comptes de l'organisation";
  EXPECT_EQ(Count(form.body, " required"), 1);
}

TEST_F(PersonPagesTest, MalformedDatesAndHouseholdRowsAreRefusedNamingTheField) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  http::Response bad_date = Post("/personnes/nouveau", accueil,
                                 "nom_affiche=L%C3%A9a+Martin&date_naissance=31%2F02%2F1980");
  EXPECT_EQ(bad_date.status, 422);
  ExpectAccessiblePage(bad_date.body, "date invalide");
  EXPECT_NE(bad_date.body.find("href=\"#f-date_naissance\""), std::string::npos);
  EXPECT_NE(bad_date.body.find("value=\"31/02/1980\""), std::string::npos);
  EXPECT_NE(bad_date.body.find("value=\"Léa Martin\""), std::string::npos);

  http::Response future =
      Post("/personnes/nouveau", accueil, "nom_affiche=L%C3%A9a&date_naissance=2030-01-01");
  EXPECT_EQ(future.status, 422);
  EXPECT_NE(future.body.find("dans le futur"), std::string::npos);

  http::Response no_name = Post("/personnes/nouveau", accueil, "nom_affiche=+&prenoms=L%C3%A9a");
  EXPECT_EQ(no_name.status, 422);
  EXPECT_NE(no_name.body.find("href=\"#f-nom_affiche\""), std::string::npos);

  // Row 0 blank (dropped), row 1 without a relation, row 2 with an unknown relation and an
  // impossible date, row 3 correct: the rows are renumbered as shown again.
  http::Response rows = Post(
      "/personnes/nouveau", accueil,
      "nom_affiche=L%C3%A9a&foyer%5B0%5D.relation=&foyer%5B0%5D.prenom=&foyer%5B0%5D.date_"
      "naissance="
      "&foyer%5B1%5D.relation=&foyer%5B1%5D.prenom=Nour&foyer%5B1%5D.date_naissance="
      "&foyer%5B2%5D.relation=cousin&foyer%5B2%5D.prenom=&foyer%5B2%5D.date_naissance=2015-13-01"
      "&foyer%5B3%5D.relation=enfant&foyer%5B3%5D.prenom=Sami&foyer%5B3%5D.date_naissance="
      "03%2F09%2F2015");
  EXPECT_EQ(rows.status, 422);
  ExpectAccessiblePage(rows.body, "foyer invalide");
  EXPECT_NE(rows.body.find("href=\"#f-foyer[0].relation\""), std::string::npos);
  EXPECT_NE(rows.body.find("membre du foyer n° 1"), std::string::npos);
  EXPECT_NE(rows.body.find("href=\"#f-foyer[1].relation\""), std::string::npos);
  EXPECT_NE(rows.body.find("href=\"#f-foyer[1].date_naissance\""), std::string::npos);
  EXPECT_EQ(rows.body.find("href=\"#f-foyer[2]"), std::string::npos);
  EXPECT_NE(rows.body.find("value=\"Nour\""), std::string::npos);
  EXPECT_NE(rows.body.find("value=\"2015-13-01\""), std::string::npos);
  // The correct row comes back third, with its date in the French form.
  EXPECT_NE(rows.body.find("id=\"f-foyer[2].prenom\" name=\"foyer[2].prenom\" value=\"Sami\""),
            std::string::npos);
  EXPECT_NE(rows.body.find("value=\"03/09/2015\""), std::string::npos);
  EXPECT_EQ(PersonCount(), 0) << "rien n'est écrit quand le formulaire est refusé";
}

TEST_F(PersonPagesTest, TheFormIsReadIntoTheFile) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  const std::string path = Create(
      accueil,
      "nom_affiche=Nour+Haddad&nom_naissance=Haddad&prenoms=Nour&date_naissance=14%2F07%2F1980"
      "&sexe=femme&nationalite=hors_ue&telephone=06+12+34+56+78&courriel=nour%40exemple.fr"
      "&adresse=1+rue+de+la+D%C3%A9mo&commune=35000&langues=ar&langues=fr&langues=xx"
      "&besoins_accessibilite=Malvoyante&foyer%5B0%5D.relation=enfant"
      "&foyer%5B0%5D.prenom=Sami&foyer%5B0%5D.date_naissance=2015-09-03"
      "&foyer%5B1%5D.relation=&foyer%5B1%5D.prenom=&foyer%5B1%5D.date_naissance=");
  const auto id = ParseId(path.substr(std::string("/personnes/").size()));
  ASSERT_TRUE(id) << path;
  auto stored = reception_store_.FindPerson(*id);
  ASSERT_TRUE(stored && *stored);
  const reception::Person& p = **stored;
  EXPECT_EQ(p.nom_affiche, "Nour Haddad");
  EXPECT_EQ(p.date_naissance, "1980-07-14");
  EXPECT_EQ(p.sexe, "femme");
  EXPECT_EQ(p.nationalite, "hors_ue");
  EXPECT_EQ(p.commune_code, "35238");  // from the postcode
  EXPECT_EQ(p.langues, (std::vector<std::string>{"ar", "fr"}));
  ASSERT_EQ(p.foyer.size(), 1u);
  EXPECT_EQ(p.foyer[0].relation, "enfant");
  EXPECT_EQ(p.foyer[0].date_naissance, "2015-09-03");

  http::Response file = Get(path, accueil);
  ASSERT_EQ(file.status, 200);
  ExpectAccessiblePage(file.body, path);
  EXPECT_NE(file.body.find("<h1>Nour Haddad</h1>"), std::string::npos);
  EXPECT_NE(file.body.find("Aucune information sur le partage enregistrée"), std::string::npos);
  EXPECT_NE(file.body.find("14 juillet 1980"), std::string::npos);
  EXPECT_NE(file.body.find("Rennes (35238)"), std::string::npos);
  EXPECT_NE(file.body.find("arabe, français"), std::string::npos);
  EXPECT_NE(file.body.find("/api/v1/personnes/" + std::to_string(*id) + "/export"),
            std::string::npos);
  // The sharing status comes before the identity.
  EXPECT_LT(file.body.find("Partage des informations"), file.body.find("id=\"identite\""));

  http::Response edit = Get(path + "/modifier", accueil);
  ASSERT_EQ(edit.status, 200);
  ExpectAccessiblePage(edit.body, "modifier");
  EXPECT_NE(edit.body.find("value=\"14/07/1980\""), std::string::npos);
  EXPECT_NE(edit.body.find("value=\"Rennes (35238)\""), std::string::npos);
  EXPECT_NE(edit.body.find("name=\"foyer[0].prenom\" value=\"Sami\""), std::string::npos);
  http::Response updated =
      Post(path + "/modifier", accueil,
           "nom_affiche=Nour+H.&date_naissance=1980-07-14&commune=Rennes+%2835238%29");
  EXPECT_EQ(updated.status, 303) << updated.body;
  auto again = reception_store_.FindPerson(*id);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ((*again)->nom_affiche, "Nour H.");
  EXPECT_EQ((*again)->commune_code, "35238");
  EXPECT_TRUE((*again)->foyer.empty());
}

TEST_F(PersonPagesTest, DuplicateIsProposedBeforeAnythingIsWritten) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  const std::string first =
      Create(accueil, "nom_affiche=%C3%89lodie+Dupont&date_naissance=1980-07-14");
  ASSERT_EQ(PersonCount(), 1);

  const std::string again = "nom_affiche=Elodie+Dupond&date_naissance=14%2F07%2F1980";
  http::Response proposal = Post("/personnes/nouveau", accueil, again);
  ASSERT_EQ(proposal.status, 200);
  ExpectAccessiblePage(proposal.body, "proposition de doublon");
  EXPECT_EQ(PersonCount(), 1) << "rien n'est écrit avant la confirmation";
  EXPECT_NE(proposal.body.find("<h2 id=\"doublons\">Ce dossier existe peut-être déjà</h2>"),
            std::string::npos);
  EXPECT_NE(proposal.body.find("<strong>Élodie Dupont</strong>"), std::string::npos);
  EXPECT_NE(proposal.body.find("<a href=\"" + first + "\">Ouvrir ce dossier"), std::string::npos);
  EXPECT_NE(proposal.body.find("class=\"reason\""), std::string::npos) << "les raisons";
  EXPECT_NE(proposal.body.find("data-autofocus"), std::string::npos);
  // "Créer quand même" sends the same fields again, with the confirmation.
  const std::size_t confirm = proposal.body.find("name=\"confirmer_doublon\" value=\"1\"");
  ASSERT_NE(confirm, std::string::npos);
  const std::size_t form_start = proposal.body.rfind("<form", confirm);
  const std::string resend =
      proposal.body.substr(form_start, proposal.body.find("</form>", confirm) - form_start);
  EXPECT_NE(resend.find("name=\"nom_affiche\" value=\"Elodie Dupond\""), std::string::npos);
  EXPECT_NE(resend.find("name=\"date_naissance\" value=\"14/07/1980\""), std::string::npos);
  EXPECT_NE(resend.find(">Créer quand même</button>"), std::string::npos);
  EXPECT_EQ(resend.find("name=\"csrf\" value=\"x\""), std::string::npos)
      << "le jeton vient de la session, pas du formulaire renvoyé";
  // The form below keeps what was typed, for a correction.
  EXPECT_NE(proposal.body.find("id=\"f-nom_affiche\" name=\"nom_affiche\" value=\"Elodie Dupond\""),
            std::string::npos);

  http::Response forced = Post("/personnes/nouveau", accueil, again + "&confirmer_doublon=1");
  EXPECT_EQ(forced.status, 303);
  EXPECT_EQ(PersonCount(), 2);

  // The same step on edition: the second file renamed like the first.
  const std::string second(
      forced.Header("Location").substr(0, forced.Header("Location").find('?')));
  http::Response edit = Post(second + "/modifier", accueil,
                             "nom_affiche=%C3%89lodie+Dupont&date_naissance=1980-07-14");
  EXPECT_EQ(edit.status, 200);
  EXPECT_NE(edit.body.find(">Enregistrer quand même</button>"), std::string::npos);
}

TEST_F(PersonPagesTest, NotesConsentsAndSearch) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  identity::Caller social = SignedIn("social@exemple.fr");
  const std::string path = Create(accueil, "nom_affiche=Sacha+Bernard&date_naissance=1975-03-02");

  // Accueil cannot write a confidential note: the choice is not offered.
  http::Response file = Get(path, accueil);
  EXPECT_NE(file.body.find("value=\"generale\" checked"), std::string::npos);
  EXPECT_EQ(file.body.find("value=\"confidentielle\""), std::string::npos);
  EXPECT_NE(file.body.find("value=\"privee\""), std::string::npos);
  EXPECT_EQ(file.body.find("Notes confidentielles"), std::string::npos);
  http::Response social_file = Get(path, social);
  EXPECT_NE(social_file.body.find("value=\"confidentielle\""), std::string::npos);
  EXPECT_NE(social_file.body.find("Notes confidentielles"), std::string::npos);

  http::Response empty_note = Post(path + "/notes", accueil, "texte=&visibilite=generale");
  EXPECT_EQ(empty_note.status, 422);
  ExpectAccessiblePage(empty_note.body, "note vide");
  EXPECT_NE(empty_note.body.find("href=\"#f-note-texte\""), std::string::npos);
  http::Response forged = Post(path + "/notes", accueil, "texte=Secret&visibilite=confidentielle");
  EXPECT_EQ(forged.status, 422);

  http::Response note =
      Post(path + "/notes", accueil, "texte=A+besoin+d%27aide+pour+la+CSS&visibilite=generale");
  EXPECT_EQ(note.status, 303);
  http::Response shown = Get(path, accueil);
  const std::size_t general = shown.body.find("Notes générales");
  ASSERT_NE(general, std::string::npos);
  EXPECT_GT(shown.body.find("A besoin d&apos;aide pour la CSS"), general);

  http::Response missing = Post(path + "/partage", accueil, "objet=&destinataires=&portee=");
  EXPECT_EQ(missing.status, 422);
  EXPECT_NE(missing.body.find("href=\"#f-consent-objet\""), std::string::npos);
  http::Response consent =
      Post(path + "/partage", accueil,
           "objet=La+situation+pour+la+CSS&destinataires=CPAM&portee=Cette+d%C3%A9marche");
  EXPECT_EQ(consent.status, 303);
  shown = Get(path, accueil);
  EXPECT_EQ(shown.body.find("Aucune information sur le partage"), std::string::npos);
  EXPECT_NE(shown.body.find("Information sur le partage donnée le"), std::string::npos);
  EXPECT_NE(shown.body.find("Avec qui : CPAM"), std::string::npos);
  http::Response objection = Post(path + "/partage", accueil, "opposition=1");
  EXPECT_EQ(objection.status, 303);
  shown = Get(path, accueil);
  ExpectAccessiblePage(shown.body, "opposition");
  const std::size_t alert = shown.body.find("<strong>Opposition au partage.</strong>");
  ASSERT_NE(alert, std::string::npos);
  EXPECT_LT(alert, shown.body.find("id=\"identite\""));
  EXPECT_NE(shown.body.find("Informations précédentes"), std::string::npos);

  http::Response search_page = Get("/personnes", accueil);
  EXPECT_EQ(search_page.status, 200);
  ExpectAccessiblePage(search_page.body, "/personnes");
  EXPECT_NE(search_page.body.find("<a href=\"/personnes/nouveau\">Créer un dossier</a>"),
            std::string::npos);
  EXPECT_NE(search_page.body.find("<form method=\"post\" action=\"/personnes\""), std::string::npos)
      << "les noms cherchés ne vont pas dans l'adresse";
  http::Response found = Post("/personnes", accueil, "nom=bernar&date_naissance=");
  EXPECT_EQ(found.status, 200);
  ExpectAccessiblePage(found.body, "résultats");
  EXPECT_NE(found.body.find("<a href=\"" + path + "\">Sacha Bernard</a>"), std::string::npos);
  EXPECT_NE(found.body.find("2 mars 1975"), std::string::npos);
  http::Response bad = Post("/personnes", accueil, "nom=&date_naissance=hier");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("href=\"#f-date_naissance\""), std::string::npos);
  http::Response nothing = Post("/personnes", accueil, "nom=&date_naissance=");
  EXPECT_EQ(nothing.status, 422);
}

TEST_F(PersonPagesTest, AnotherOrganisationGetsTheNotFoundPage) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  identity::Caller caf = SignedIn("caf@exemple.fr");
  const std::string path = Create(accueil, "nom_affiche=Yanis+Morel");
  for (const std::string& target : {path, path + "/modifier", path + "/fusion", path + "/export"}) {
    http::Response response = Get(target, caf);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_NE(response.body.find("<h1>Page introuvable</h1>"), std::string::npos) << target;
    EXPECT_EQ(response.body.find("Yanis"), std::string::npos) << target;
  }
  EXPECT_EQ(Post(path + "/notes", caf, "texte=x&visibilite=generale").status, 404);
  http::Response search = Post("/personnes", caf, "nom=morel&date_naissance=");
  EXPECT_EQ(search.status, 200);
  EXPECT_EQ(search.body.find("Yanis"), std::string::npos);
  EXPECT_EQ(Get("/personnes/abc", accueil).status, 404);
  EXPECT_EQ(Get("/personnes/99999", accueil).status, 404);
}

TEST_F(PersonPagesTest, MergeShowsBothFilesThenKeepsTheChosenOne) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  const std::string a = Create(accueil, "nom_affiche=Jean-Pierre+Martin&date_naissance=1960-01-02");
  const std::string b = Create(accueil,
                               "nom_affiche=Martin+Jean+Pierre&date_naissance=1960-01-02"
                               "&confirmer_doublon=1");
  const std::string b_id = b.substr(std::string("/personnes/").size());
  ASSERT_EQ(Post(b + "/notes", accueil, "texte=Note+du+second&visibilite=generale").status, 303);

  http::Response choose = Get(a + "/fusion", accueil);
  ASSERT_EQ(choose.status, 200);
  ExpectAccessiblePage(choose.body, "fusion");
  EXPECT_NE(choose.body.find("href=\"" + a + "/fusion?avec=" + b_id + "\""), std::string::npos);
  http::Response searched = Post(a + "/fusion/chercher", accueil, "nom=martin&date_naissance=");
  EXPECT_EQ(searched.status, 200);
  EXPECT_NE(searched.body.find("href=\"" + a + "/fusion?avec=" + b_id + "\""), std::string::npos);
  EXPECT_EQ(searched.body.find("href=\"" + a + "/fusion?avec=" + a.substr(11) + "\""),
            std::string::npos)
      << "le dossier lui-même n'est pas proposé";

  http::Response confirm = Get(a + "/fusion?avec=" + b_id, accueil);
  ASSERT_EQ(confirm.status, 200);
  ExpectAccessiblePage(confirm.body, "confirmation de fusion");
  EXPECT_NE(confirm.body.find("Ce dossier : Jean-Pierre Martin"), std::string::npos);
  EXPECT_NE(confirm.body.find("L&apos;autre dossier : Martin Jean Pierre"), std::string::npos);
  EXPECT_NE(confirm.body.find("sont gardés et réunis"), std::string::npos);

  http::Response merged = Post(a + "/fusion", accueil, "avec=" + b_id + "&garder=" + b_id);
  ASSERT_EQ(merged.status, 303);
  EXPECT_EQ(merged.Header("Location"), b + "?fait=fusion");
  http::Response kept = Get(std::string(merged.Header("Location")), accueil);
  EXPECT_NE(kept.body.find("Note du second"), std::string::npos);
  EXPECT_NE(kept.body.find("Les deux dossiers ont été fusionnés"), std::string::npos);
}

TEST_F(PersonPagesTest, ExportAndRetentionPages) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  identity::Caller admin = SignedIn("admin@exemple.fr");
  const std::string path = Create(
      accueil, "nom_affiche=Ana+Lopes&foyer%5B0%5D.relation=conjoint&foyer%5B0%5D.prenom=Rui");
  ASSERT_EQ(Post(path + "/notes", accueil, "texte=Premier+contact&visibilite=generale").status,
            303);

  http::Response exported = Get(path + "/export", accueil);
  ASSERT_EQ(exported.status, 200);
  ExpectAccessiblePage(exported.body, "export");
  for (const char* text : {"<h1>Données détenues : Ana Lopes</h1>", "Premier contact", ">Rui<",
                           "CCAS de Rennes", "data-print hidden", "Accès au dossier"}) {
    EXPECT_NE(exported.body.find(text), std::string::npos) << text;
  }

  http::Response retention = Get("/admin/conservation", admin);
  ASSERT_EQ(retention.status, 200);
  ExpectAccessiblePage(retention.body, "/admin/conservation");
  EXPECT_NE(retention.body.find("<legend>CCAS de Rennes</legend>"), std::string::npos);
  EXPECT_NE(retention.body.find("id=\"f-conservation-" + std::to_string(ccas_) +
                                "-jours\" name=\"jours\" value=\"730\""),
            std::string::npos);
  EXPECT_NE(retention.body.find("Aucun dossier n'a encore été purgé"), std::string::npos);
  const std::string save = "/admin/conservation/" + std::to_string(ccas_);
  http::Response bad = Post(save, admin, "jours=deux+ans&mode=export");
  EXPECT_EQ(bad.status, 422);
  ExpectAccessiblePage(bad.body, "durée invalide");
  EXPECT_NE(bad.body.find("href=\"#f-conservation-" + std::to_string(ccas_) + "-jours\""),
            std::string::npos);
  http::Response too_long = Post(save, admin, "jours=1000&mode=export");
  EXPECT_EQ(too_long.status, 422) << "la durée maximale est de 2 ans";
  EXPECT_NE(too_long.body.find("href=\"#f-conservation-" + std::to_string(ccas_) + "-jours\""),
            std::string::npos);
  EXPECT_NE(too_long.body.find("value=\"1000\""), std::string::npos);
  http::Response saved = Post(save, admin, "jours=365&mode=export");
  EXPECT_EQ(saved.status, 303) << saved.body;
  auto settings = reception_.RetentionOf(ccas_);
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->days, 365);
  EXPECT_EQ(settings->mode, reception::PurgeMode::kExport);

  http::Response to_export = Get("/admin/conservation/export?numero=" + path.substr(11), admin);
  EXPECT_EQ(to_export.status, 303);
  EXPECT_EQ(to_export.Header("Location"), path + "/export");
  EXPECT_EQ(Get(path + "/export", admin).status, 200) << "l'administrateur exporte (droit d'accès)";
  EXPECT_EQ(Get("/admin/conservation/export?numero=douze", admin).status, 422);
}

TEST_F(PersonPagesTest, NavigationOffersPersonsToReceptionRoles) {
  http::Response accueil = Get("/tableau-de-bord", SignedIn("accueil@exemple.fr"));
  EXPECT_NE(accueil.body.find("<a href=\"/personnes\">Personnes</a>"), std::string::npos);
  http::Response admin = Get("/tableau-de-bord", SignedIn("admin@exemple.fr"));
  EXPECT_EQ(admin.body.find(">Personnes</a>"), std::string::npos);
  EXPECT_NE(admin.body.find(">Conservation</a>"), std::string::npos);
}

}  // namespace
}  // namespace pasip::web
