// The orientation pages without a server, on the in-memory stores: the creation form from a
// named or anonymous passage (services found by the passage's motive, referent, nothing
// shared by default, consent), its errors linked to their fields, the detail with its
// history and step forms (each with its CSRF field), the partner's inbox and answers, the
// liaison form, the measures (masked cells never print their value), the notifications, the
// entry points on the desk and the person file, and the link flow of a partner without an
// account (tampered link 403, one-time code, link-session cookie).
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

constexpr char kTheme[] =
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";

class OrientationPagesTest : public test_util::CheckedPageFixture {
 protected:
  OrientationPagesTest()
      : CheckedPageFixture("2026-11-23T09:00:00Z", /*stamp_directory=*/true) {  // Monday 10 h
    options_.deployment_name = "Accueil 35";
    RegisterPages(router_, services_, options_);
    territory::Commune rennes;
    rennes.code = "35238";
    rennes.name = "Rennes";
    rennes.departement = "35";
    rennes.region = "53";
    rennes.latitude = 48.11198;
    rennes.longitude = -1.68186;
    rennes.population = 225081;
    rennes.codes_postaux = {"35000"};
    EXPECT_TRUE(territory_.UpsertCommunes(std::vector<territory::Commune>{rennes}));
    ccas_ = CreateOrganisation("CCAS de Rennes");
    caf_ = CreateOrganisation("Caf d'Ille-et-Vilaine");
    mission_ = CreateOrganisation("Mission locale");
    identity::Site s;
    s.organisation_id = ccas_;
    s.name = "Accueil de la mairie";
    s.commune_code = "35238";
    site_ = organisations_.CreateSite(s, {})->id;
    CreateAccount("accueil@exemple.fr", "Camille Accueil", ccas_, identity::Role::kAccueil);
    CreateAccount("partenaire@exemple.fr", "Paule Partenaire", caf_, identity::Role::kPartenaire);
    CreateAccount("autre@exemple.fr", "Autre Partenaire", mission_, identity::Role::kPartenaire);
    CreateAccount("coord@exemple.fr", "Claude Coordination", ccas_, identity::Role::kCoordination);
    coordination_.user_id = 1;
    coordination_.memberships = {{ccas_, identity::Role::kCoordination, {}}};
    coordination_.second_factor_verified = true;
    caf_service_ =
        AddService(caf_, "Caf — point d'accueil de Rennes",
                   "Information sur les prestations de la Caf", "accueil@caf.example.org");
    asso_service_ = AddService(std::nullopt, "Association <Solidarité>", "Aide aux démarches",
                               "contact@asso.example.org");
  }

  directory::ServiceId AddService(std::optional<identity::OrganisationId> organisation,
                                  const std::string& structure, const std::string& service,
                                  const std::string& courriel) {
    directory::Structure s;
    s.nom = structure;
    s.adresse = "2 rue de la Démo";
    s.code_postal = "35000";
    s.commune = "Rennes";
    s.code_insee = "35238";
    s.latitude = 48.11;
    s.longitude = -1.68;
    s.courriel = courriel;
    s.horaires_accueil = "Mo-Fr 09:00-12:00,13:30-17:00";
    s.organisation_id = organisation;
    s.referents = {{"Alexis Référent", "Conseiller", "02 99 00 00 01", courriel}};
    auto created = directory_.CreateStructure(s, coordination_, {});
    EXPECT_TRUE(created) << created.error().ToString();
    directory::Service v;
    v.structure_id = created->id;
    v.nom = service;
    v.description = "Un service du territoire, pour la démonstration.";
    v.thematiques = {kTheme};
    v.telephone = "02 99 00 00 02";
    auto saved = directory_.CreateService(v, coordination_, {});
    EXPECT_TRUE(saved) << saved.error().ToString();
    return saved->id;
  }

  reception::Passage Passage(const identity::Caller& agent, bool named) {
    reception::Passage p;
    p.site_id = site_;
    p.canal = "physique_sans_rdv";
    p.motifs = {kTheme};
    p.actes = {"information"};
    if (named) {
      reception::Person person;
      person.nom_affiche = "Nour <b>Haddad</b>";
      person.telephone = "06 12 34 56 78";
      person.date_naissance = "1980-07-14";
      auto saved = reception_.CreatePerson(person, ccas_, true, agent.principal, agent.audit);
      EXPECT_TRUE(saved && saved->person);
      p.person_id = saved->person->id;
    }
    auto saved = reception_.RecordPassage(p, agent.principal, agent.audit);
    EXPECT_TRUE(saved) << saved.error().ToString();
    return *saved;
  }

  // Sends an orientation through the form; returns its path ("/orientations/N").
  std::string Send(const identity::Caller& agent, const reception::Passage& p,
                   directory::ServiceId service) {
    std::string body = "passage=" + std::to_string(p.id) +
                       "&service_id=" + std::to_string(service) + "&motifs=" + kTheme +
                       "&demande=Ouvrir+ses+droits&urgence=aucune&bouton=envoyer";
    if (p.person_id) body += "&mode=information&champs_partages=nom_affiche&consentement=informee";
    http::Response sent = Post("/orientations/nouvelle", agent, body);
    EXPECT_EQ(sent.status, 303) << sent.body;
    const std::string location(sent.Header("Location"));
    EXPECT_TRUE(location.ends_with("?fait=envoyer")) << location;
    return location.substr(0, location.find('?'));
  }

  static identity::Caller Anonymous() {
    identity::Caller caller;
    caller.csrf_token = "pre-session";
    return caller;
  }

  // A request with a Cookie header (link pages), as Call sends it otherwise.
  http::Response WithCookie(http::Method method, const std::string& target,
                            const std::string& cookie, const std::string& body = "") {
    http::Request request;
    request.method = method;
    request.target = target;
    request.path = target;
    request.body = body;
    request.request_id = "req";
    request.headers.emplace("Cookie", cookie);
    request.context = Anonymous();
    const http::Match match = router_.Find(method, request.path);
    EXPECT_NE(match.route, nullptr) << target;
    if (match.route == nullptr) return http::Response::Text(404, "");
    request.path_params = match.params;
    request.route = match.route->pattern;
    return match.route->handler(request);
  }

  std::vector<mail::Message> Mails(const std::string& kind) {
    auto all = outbox_.Recent("", 1000);
    std::vector<mail::Message> out;
    for (const mail::Message& m : *all) {
      if (m.kind == kind) out.push_back(m);
    }
    return out;
  }

  // Every POST form of the page carries the CSRF field.
  static void ExpectCsrfOnEveryForm(const std::string& html, const std::string& token) {
    static const std::regex kForm(R"(<form method="post"[^>]*>([\s\S]*?)</form>)");
    int forms = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), kForm);
         it != std::sregex_iterator(); ++it) {
      ++forms;
      EXPECT_NE((*it)[1].str().find("name=\"csrf\" value=\"" + token + "\""), std::string::npos)
          << (*it)[0].str().substr(0, 200);
    }
    EXPECT_GT(forms, 0);
  }

  identity::OrganisationId ccas_ = 0;
  identity::OrganisationId caf_ = 0;
  identity::OrganisationId mission_ = 0;
  identity::SiteId site_ = 0;
  identity::Principal coordination_;
  directory::ServiceId caf_service_ = 0;
  directory::ServiceId asso_service_ = 0;
};

TEST_F(OrientationPagesTest, EveryRouteDeclaresItsAction) {
  int count = 0;
  for (const http::Route& route : router_.routes()) {
    const bool ours = route.pattern.starts_with("/orientations") ||
                      route.pattern.starts_with("/notifications") ||
                      route.pattern.starts_with("/lien");
    if (!ours) continue;
    ++count;
    EXPECT_EQ(route.kind, http::RouteKind::kPage) << route.pattern;
    ASSERT_TRUE(identity::ParseAction(route.action)) << route.pattern;
    if (route.pattern.starts_with("/lien")) {
      EXPECT_EQ(route.action, "public") << route.pattern;
    } else {
      EXPECT_NE(route.action, "public") << route.pattern;
    }
  }
  EXPECT_EQ(count, 9 + 11 + 4 + 7);
  // Steps of the orienting side need the right to orient; answers the right to answer.
  for (const char* step : {"envoyer", "annuler", "relancer", "cloturer"}) {
    EXPECT_EQ(
        router_.Find(http::Method::kPost, std::string("/orientations/1/") + step).route->action,
        "orientations.write")
        << step;
  }
  EXPECT_EQ(router_.Find(http::Method::kPost, "/orientations/1/accepter").route->action,
            "orientations.answer");
}

TEST_F(OrientationPagesTest, CreationFormFromANamedPassage) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  const reception::Passage p = Passage(accueil, true);
  http::Response form = Get("/orientations/nouvelle?passage=" + std::to_string(p.id), accueil);
  ASSERT_EQ(form.status, 200) << form.body;
  ExpectAccessiblePage(form.body, "formulaire d'orientation");
  EXPECT_EQ(form.Header("Cache-Control"), "no-store");
  for (const std::string& text : std::vector<std::string>{
           "<h1>Nouvelle orientation</h1>",
           "Pour Nour &lt;b&gt;Haddad&lt;/b&gt; (dossier n° ",
           "2 services trouvés près de Rennes, pour les motifs du passage.",
           "name=\"service_id\" value=\"" + std::to_string(caf_service_) + "\"",
           "<strong>Information sur les prestations de la Caf</strong> — Caf — point "
           "d&apos;accueil de Rennes",
           "Association &lt;Solidarité&gt;",
           "Ouvert maintenant",
           "name=\"referent-" + std::to_string(caf_service_) + "\"",
           ">Alexis Référent — Conseiller</option>",
           "value=\"" + std::string(kTheme) + "\" checked",
           ">Chercher un autre service</label>",
           "name=\"bouton\" value=\"chercher\"",
           ">Ce qui est demandé au service</label>",
           ">Urgence</label>",
           "<legend>Mode d'orientation</legend>",
           "name=\"mode\" value=\"information\" checked",
           ">Échéance (facultatif)</label>",
           "<legend>Informations transmises au service</legend>",
           "name=\"champs_partages\" value=\"telephone\"",
           "> La personne a été informée et accepte</label>",
           "> La personne s&apos;oppose au partage</label>",
           "name=\"bouton\" value=\"envoyer\">Envoyer</button>",
           ">Enregistrer le brouillon</button>",
           "name=\"csrf\""}) {
    EXPECT_NE(form.body.find(text), std::string::npos) << text;
  }
  // Minimal by default: no field is ticked, no consent chosen.
  EXPECT_EQ(form.body.find("name=\"champs_partages\" value=\"nom_affiche\" checked"),
            std::string::npos);
  EXPECT_EQ(form.body.find("name=\"consentement\" value=\"informee\" checked"), std::string::npos);
  // Nothing personal in the page's links (the form posts ids only).
  EXPECT_EQ(form.body.find("Haddad\""), std::string::npos);
}

TEST_F(OrientationPagesTest, AnAccessToRightsMotiveFindsTheServicesThatHandleIt) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  reception::Passage p;
  p.site_id = site_;
  p.canal = "telephone";
  p.motifs = {"droits--rsa"};
  p.actes = {"information"};
  auto saved = reception_.RecordPassage(p, accueil.principal, accueil.audit);
  ASSERT_TRUE(saved) << saved.error().ToString();
  http::Response form = Get("/orientations/nouvelle?passage=" + std::to_string(saved->id), accueil);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_NE(form.body.find("2 services trouvés près de Rennes, pour les motifs du passage."),
            std::string::npos);
  EXPECT_NE(form.body.find("name=\"service_id\" value=\"" + std::to_string(caf_service_) + "\""),
            std::string::npos);
}

TEST_F(OrientationPagesTest, AnAnonymousPassageSharesNothing) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  const reception::Passage p = Passage(accueil, false);
  http::Response form = Get("/orientations/nouvelle?passage=" + std::to_string(p.id), accueil);
  ASSERT_EQ(form.status, 200) << form.body;
  ExpectAccessiblePage(form.body, "orientation anonyme");
  EXPECT_NE(form.body.find("orientation anonyme"), std::string::npos);
  EXPECT_EQ(form.body.find("name=\"champs_partages\""), std::string::npos);
  EXPECT_EQ(form.body.find("name=\"consentement\""), std::string::npos);
  const std::string path = Send(accueil, p, caf_service_);
  http::Response detail = Get(path, accueil);
  ASSERT_EQ(detail.status, 200);
  EXPECT_NE(detail.body.find("aucune information personnelle n'est transmise"), std::string::npos);
}

TEST_F(OrientationPagesTest, ErrorsAreLinkedToTheirFieldsAndKeepWhatWasTyped) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  const reception::Passage p = Passage(accueil, true);
  const std::string base = "passage=" + std::to_string(p.id) + "&motifs=" + kTheme;

  http::Response no_service =
      Post("/orientations/nouvelle", accueil, base + "&demande=Ma+%3Cdemande%3E&bouton=envoyer");
  EXPECT_EQ(no_service.status, 422);
  ExpectAccessiblePage(no_service.body, "sans service");
  EXPECT_NE(no_service.body.find("href=\"#f-service_id\""), std::string::npos);
  EXPECT_NE(no_service.body.find("id=\"f-service_id-erreur\""), std::string::npos);
  EXPECT_NE(no_service.body.find(">Ma &lt;demande&gt;</textarea>"), std::string::npos);

  const std::string service = "&service_id=" + std::to_string(caf_service_);
  http::Response no_request =
      Post("/orientations/nouvelle", accueil,
           base + service + "&champs_partages=telephone&consentement=informee&bouton=envoyer");
  EXPECT_EQ(no_request.status, 422) << no_request.body;
  EXPECT_NE(no_request.body.find("href=\"#f-demande\""), std::string::npos);
  EXPECT_NE(no_request.body.find("name=\"champs_partages\" value=\"telephone\" checked"),
            std::string::npos);
  EXPECT_NE(no_request.body.find("name=\"consentement\" value=\"informee\" checked"),
            std::string::npos);

  http::Response no_consent = Post("/orientations/nouvelle", accueil,
                                   base + service + "&demande=Ouvrir+ses+droits&bouton=envoyer");
  EXPECT_EQ(no_consent.status, 422) << no_consent.body;
  EXPECT_NE(no_consent.body.find("href=\"#f-consentement\""), std::string::npos);

  // An objection blocks sending (security.md S2).
  http::Response objection = Post("/orientations/nouvelle", accueil,
                                  base + service +
                                      "&demande=Ouvrir+ses+droits&champs_partages=telephone"
                                      "&consentement=opposition&bouton=envoyer");
  EXPECT_GE(objection.status, 400) << objection.body;
  EXPECT_NE(objection.body.find("error-summary"), std::string::npos);
  orientation::ListQuery everything;
  everything.orienting = {ccas_};
  auto listed = orientation_store_.List(everything);
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty()) << "rien n'est écrit quand le formulaire est refusé";

  // "Chercher" searches again without saving anything.
  http::Response search = Post("/orientations/nouvelle", accueil,
                               base + "&recherche=Association&demande=Gard%C3%A9e&bouton=chercher");
  EXPECT_EQ(search.status, 200);
  EXPECT_NE(search.body.find("1 service trouvé"), std::string::npos) << search.body;
  EXPECT_NE(search.body.find("value=\"Association\""), std::string::npos);
  EXPECT_NE(search.body.find(">Gardée</textarea>"), std::string::npos);
}

TEST_F(OrientationPagesTest, TheWholeLoopFromTheAgentToThePartnerAndBack) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  identity::Caller partner = SignedIn("partenaire@exemple.fr");
  const reception::Passage p = Passage(accueil, true);
  const std::string path = Send(accueil, p, caf_service_);

  http::Response sent = Get(path + "?fait=envoyer", accueil);
  ASSERT_EQ(sent.status, 200) << sent.body;
  ExpectAccessiblePage(sent.body, "détail envoyé");
  EXPECT_EQ(sent.Header("Cache-Control"), "no-store");
  for (const char* text :
       {"L&apos;orientation a été envoyée au service choisi.", "Statut : <strong>Envoyée</strong>",
        "Information sur les prestations de la Caf — Caf — point d&apos;accueil de Rennes",
        "La personne a été informée de ce qui est transmis et à qui, et l'accepte.",
        "<caption>Chaque étape de l'orientation", "<th scope=\"col\">De → vers</th>",
        "Fiche de liaison (version imprimable)", ">Annuler</summary>"}) {
    EXPECT_NE(sent.body.find(text), std::string::npos) << text;
  }
  ExpectCsrfOnEveryForm(sent.body, accueil.csrf_token);

  // The agent's list: number, status, no alert yet.
  http::Response list = Get("/orientations", accueil);
  ASSERT_EQ(list.status, 200);
  ExpectAccessiblePage(list.body, "liste");
  EXPECT_NE(list.body.find(">Envoyée</td>"), std::string::npos);

  // The partner's inbox, then the detail: opened (reçue), shared data visible, escaped.
  http::Response inbox = Get("/orientations/recues", partner);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  ExpectAccessiblePage(inbox.body, "boîte de réception");
  EXPECT_NE(inbox.body.find("href=\"" + path + "\""), std::string::npos);
  EXPECT_NE(inbox.body.find(">Orientée par</th>"), std::string::npos);
  EXPECT_NE(inbox.body.find("name=\"anciennete\""), std::string::npos);

  http::Response opened = Get(path, partner);
  ASSERT_EQ(opened.status, 200) << opened.body;
  ExpectAccessiblePage(opened.body, "détail partenaire");
  EXPECT_NE(opened.body.find("Statut : <strong>Reçue par le partenaire</strong>"),
            std::string::npos);
  EXPECT_NE(opened.body.find("<th scope=\"row\">Nom</th><td class=\"preserve-lines\">Nour "
                             "&lt;b&gt;Haddad&lt;/b&gt;</td>"),
            std::string::npos)
      << opened.body;
  EXPECT_EQ(opened.body.find("<b>Haddad"), std::string::npos);
  // Only what was ticked is shared: not the telephone.
  EXPECT_EQ(opened.body.find("06 12 34 56 78"), std::string::npos);
  for (const char* text : {">Accepter</button>", ">Refuser</summary>", ">Motif du refus</label>",
                           ">Réorienter</summary>", ">Fixer le rendez-vous</summary>"}) {
    EXPECT_NE(opened.body.find(text), std::string::npos) << text;
  }
  ExpectCsrfOnEveryForm(opened.body, partner.csrf_token);
  EXPECT_EQ(opened.body.find(">Annuler</summary>"), std::string::npos);

  // Accept, then fix the date.
  http::Response accepted = Post(path + "/accepter", partner, "version=");
  ASSERT_EQ(accepted.status, 303) << accepted.body;
  EXPECT_EQ(accepted.Header("Location"), path + "?fait=accepter");
  http::Response bad_date = Post(path + "/fixer_rdv", partner, "rdv_date=2026-13-40&rdv_heure=14");
  EXPECT_EQ(bad_date.status, 422);
  EXPECT_NE(bad_date.body.find("href=\"#f-fixer_rdv-rdv_date\""), std::string::npos);
  EXPECT_NE(bad_date.body.find("<details class=\"step-form\" open>"), std::string::npos);
  http::Response fixed =
      Post(path + "/fixer_rdv", partner,
           "rdv_date=2026-11-25&rdv_heure=09%3A00&rdv_lieu=Bureau+2+%3Cétage%3E&commentaire=");
  ASSERT_EQ(fixed.status, 303) << fixed.body;

  // The agent sees the appointment and the history.
  http::Response seen = Get(path, accueil);
  ASSERT_EQ(seen.status, 200);
  for (const char* text : {"Statut : <strong>Rendez-vous fixé</strong>",
                           "le 25/11/2026 à 9 h 00, Bureau 2 &lt;étage&gt;", "<td>Accepter</td>",
                           "<td>Fixer le rendez-vous</td>", "<td>Acceptée → Rendez-vous fixé</td>",
                           "Paule Partenaire"}) {
    EXPECT_NE(seen.body.find(text), std::string::npos) << text;
  }
  http::Response agent_list = Get("/orientations", accueil);
  EXPECT_NE(agent_list.body.find("Rendez-vous dans 2 jours"), std::string::npos);

  // The partner records the outcome; the agent's notifications tell it.
  ASSERT_EQ(Post(path + "/personne_recue", partner, "").status, 303);
  http::Response received = Get(path, accueil);
  EXPECT_NE(received.body.find("Statut : <strong>Personne reçue</strong>"), std::string::npos);
  http::Response notices = Get("/notifications", accueil);
  ASSERT_EQ(notices.status, 200);
  ExpectAccessiblePage(notices.body, "notifications");
  EXPECT_NE(notices.body.find("Voir l'orientation n° "), std::string::npos);
  EXPECT_NE(notices.body.find("class=\"badge nav-count\""), std::string::npos)
      << "le nombre de notifications non lues est dans la navigation";
  ExpectCsrfOnEveryForm(notices.body, accueil.csrf_token);
  ASSERT_EQ(Post("/notifications/tout-lu", accueil, "").status, 303);
  EXPECT_EQ(Get("/notifications", accueil).body.find("class=\"badge nav-count\""),
            std::string::npos);

  // The printable liaison form.
  http::Response fiche = Get(path + "/fiche", partner);
  ASSERT_EQ(fiche.status, 200);
  ExpectAccessiblePage(fiche.body, "fiche de liaison");
  for (const char* text : {"<h1>Fiche de liaison — orientation n° ", "data-print",
                           "<h2 id=\"fiche-emetteur\">Émetteur</h2>", "CCAS de Rennes",
                           "02 99 00 00 02", "Nour &lt;b&gt;Haddad&lt;/b&gt;"}) {
    EXPECT_NE(fiche.body.find(text), std::string::npos) << text;
  }
}

TEST_F(OrientationPagesTest, OutsideTheRelationIsNotFound) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  identity::Caller other = SignedIn("autre@exemple.fr");
  const std::string path = Send(accueil, Passage(accueil, true), caf_service_);
  EXPECT_EQ(Get(path, other).status, 404);
  EXPECT_EQ(Get(path + "/fiche", other).status, 404);
  EXPECT_EQ(Post(path + "/accepter", other, "").status, 404);
  EXPECT_EQ(Get("/orientations/abc", accueil).status, 404);
  http::Response inbox = Get("/orientations/recues", other);
  EXPECT_NE(inbox.body.find("Aucune orientation reçue"), std::string::npos);
}

TEST_F(OrientationPagesTest, ADraftIsSavedEditedThenSent) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  const reception::Passage p = Passage(accueil, true);
  http::Response saved =
      Post("/orientations/nouvelle", accueil,
           "passage=" + std::to_string(p.id) + "&service_id=" + std::to_string(caf_service_) +
               "&referent-" + std::to_string(caf_service_) + "=Alexis+R%C3%A9f%C3%A9rent" +
               "&motifs=" + kTheme + "&demande=Brouillon&consentement=informee&bouton=brouillon");
  ASSERT_EQ(saved.status, 303) << saved.body;
  const std::string location(saved.Header("Location"));
  ASSERT_TRUE(location.ends_with("?fait=brouillon")) << location;
  const std::string path = location.substr(0, location.find('?'));
  http::Response draft = Get(path, accueil);
  EXPECT_NE(draft.body.find("Statut : <strong>Brouillon</strong>"), std::string::npos);
  EXPECT_NE(draft.body.find("à l'attention de Alexis Référent"), std::string::npos);
  EXPECT_NE(draft.body.find(">Modifier le brouillon</a>"), std::string::npos);
  http::Response edit = Get(path + "/modifier", accueil);
  ASSERT_EQ(edit.status, 200) << edit.body;
  ExpectAccessiblePage(edit.body, "modifier le brouillon");
  EXPECT_NE(edit.body.find(">Brouillon</textarea>"), std::string::npos);
  EXPECT_NE(edit.body.find("value=\"" + std::to_string(caf_service_) + "\" checked"),
            std::string::npos);
  EXPECT_NE(edit.body.find(">Alexis Référent — Conseiller</option>"), std::string::npos);
  http::Response sent =
      Post(path + "/modifier", accueil,
           "passage=" + std::to_string(p.id) + "&service_id=" + std::to_string(caf_service_) +
               "&motifs=" + kTheme + "&demande=Envoy%C3%A9e&consentement=informee&bouton=envoyer");
  ASSERT_EQ(sent.status, 303) << sent.body;
  EXPECT_NE(Get(path, accueil).body.find("Statut : <strong>Envoyée</strong>"), std::string::npos);
}

TEST_F(OrientationPagesTest, MeasuresNeverPrintAMaskedValue) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  identity::Caller coordination = SignedIn("coord@exemple.fr");
  for (int i = 0; i < 3; ++i) Send(accueil, Passage(accueil, false), caf_service_);
  http::Response page = Get("/orientations/mesures", coordination);
  ASSERT_EQ(page.status, 200) << page.body;
  ExpectAccessiblePage(page.body, "mesures");
  EXPECT_NE(page.body.find("<caption id=\"titre-tableau-mesures\">Orientations envoyées du "),
            std::string::npos);
  EXPECT_NE(page.body.find("<span class=\"masked\">masqué</span>"), std::string::npos);
  // Three orientations: the count is masked everywhere, never printed.
  EXPECT_EQ(page.body.find("<td class=\"number\">3</td>"), std::string::npos);
  EXPECT_EQ(page.body.find("<td class=\"number\">1</td>"), std::string::npos);
  http::Response by_service = Get("/orientations/mesures?par=service", coordination);
  EXPECT_EQ(by_service.status, 200);
  EXPECT_NE(by_service.body.find("<th scope=\"col\">service</th>"), std::string::npos);
  http::Response bad = Get("/orientations/mesures?du=2026-12-01&au=2026-01-01", coordination);
  EXPECT_EQ(bad.status, 422) << bad.body;
}

TEST_F(OrientationPagesTest, EntryPointsOnTheDeskAndThePersonFile) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  const reception::Passage named = Passage(accueil, true);
  const reception::Passage anonymous = Passage(accueil, false);
  http::Response desk = Get("/accueil/" + std::to_string(site_), accueil);
  ASSERT_EQ(desk.status, 200);
  EXPECT_NE(desk.body.find("href=\"/orientations/nouvelle?passage=" + std::to_string(named.id)),
            std::string::npos);
  EXPECT_NE(desk.body.find("href=\"/orientations/nouvelle?passage=" + std::to_string(anonymous.id)),
            std::string::npos);
  const std::string person = std::to_string(*named.person_id);
  Send(accueil, named, caf_service_);
  http::Response file = Get("/personnes/" + person, accueil);
  ASSERT_EQ(file.status, 200) << file.body;
  ExpectAccessiblePage(file.body, "dossier");
  EXPECT_NE(file.body.find("href=\"/orientations/nouvelle?personne=" + person + "\">Orienter</a>"),
            std::string::npos);
  EXPECT_NE(file.body.find("<h2 id=\"orientations\">Orientations</h2>"), std::string::npos);
  EXPECT_NE(file.body.find("<td>Envoyée</td>"), std::string::npos);
  http::Response form = Get("/orientations/nouvelle?personne=" + person, accueil);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_NE(form.body.find("name=\"personne\" value=\"" + person + "\""), std::string::npos);
  EXPECT_EQ(Get("/orientations/nouvelle", accueil).status, 404);
}

TEST_F(OrientationPagesTest, APartnerWithoutAccountUsesTheLinkAndACode) {
  identity::Caller accueil = SignedIn("accueil@exemple.fr");
  Send(accueil, Passage(accueil, true), asso_service_);
  std::string token;
  static const std::regex kLink("/lien/([A-Za-z0-9_.-]+)");
  for (const mail::Message& m : Mails("orientation.nouvelle")) {
    std::smatch match;
    if (std::regex_search(m.body, match, kLink)) token = match[1];
  }
  ASSERT_FALSE(token.empty()) << "un e-mail porte le lien";

  http::Response open = Get("/lien/" + token, Anonymous());
  ASSERT_EQ(open.status, 200) << open.body;
  ExpectAccessiblePage(open.body, "lien");
  EXPECT_EQ(open.Header("Cache-Control"), "no-store");
  EXPECT_NE(open.body.find("Association &lt;Solidarité&gt;"), std::string::npos);
  EXPECT_NE(open.body.find(">Recevoir un code</button>"), std::string::npos);
  EXPECT_EQ(open.body.find("Haddad"), std::string::npos) << "rien de personnel avant le code";
  ExpectCsrfOnEveryForm(open.body, "pre-session");

  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  http::Response refused = Get("/lien/" + tampered, Anonymous());
  EXPECT_EQ(refused.status, 403);
  ExpectAccessiblePage(refused.body, "lien refusé");
  EXPECT_NE(refused.body.find("<h1>Lien non valide</h1>"), std::string::npos);

  http::Response code_page = Post("/lien/" + token + "/code", Anonymous(), "");
  ASSERT_EQ(code_page.status, 200) << code_page.body;
  ExpectAccessiblePage(code_page.body, "saisie du code");
  EXPECT_NE(code_page.body.find(">Code à 6 chiffres</label>"), std::string::npos);
  const std::vector<mail::Message> codes = Mails("lien.code");
  ASSERT_EQ(codes.size(), 1u);
  std::smatch digits;
  ASSERT_TRUE(std::regex_search(codes.front().body, digits, std::regex(R"(\b(\d{6})\b)")));
  const std::string code = digits[1];

  http::Response wrong = Post("/lien/" + token + "/verifier", Anonymous(),
                              std::string("code=") + (code == "000000" ? "111111" : "000000"));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_NE(wrong.body.find("href=\"#f-code\""), std::string::npos);

  http::Response verified = Post("/lien/" + token + "/verifier", Anonymous(), "code=" + code);
  ASSERT_EQ(verified.status, 303) << verified.body;
  EXPECT_EQ(verified.Header("Location"), "/lien/orientation");
  const std::string cookie(verified.Header("Set-Cookie"));
  EXPECT_TRUE(cookie.starts_with("__Host-pasip-lien=")) << cookie;
  for (const char* attribute : {"Path=/", "Secure", "HttpOnly", "SameSite=Lax"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute;
  }
  const std::string session = cookie.substr(0, cookie.find(';'));

  http::Response detail = WithCookie(http::Method::kGet, "/lien/orientation", session);
  ASSERT_EQ(detail.status, 200) << detail.body;
  ExpectAccessiblePage(detail.body, "orientation par lien");
  EXPECT_EQ(detail.Header("Cache-Control"), "no-store");
  EXPECT_NE(detail.body.find("Nour &lt;b&gt;Haddad&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(detail.body.find("action=\"/lien/orientation/accepter\""), std::string::npos);
  EXPECT_NE(detail.body.find(">Quitter</button>"), std::string::npos);
  EXPECT_EQ(detail.body.find("href=\"/orientations/"), std::string::npos);
  ExpectCsrfOnEveryForm(detail.body, "pre-session");

  http::Response accepted =
      WithCookie(http::Method::kPost, "/lien/orientation/accepter", session, "csrf=pre-session");
  ASSERT_EQ(accepted.status, 303) << accepted.body;
  EXPECT_EQ(accepted.Header("Location"), "/lien/orientation?fait=accepter");
  EXPECT_EQ(WithCookie(http::Method::kGet, "/lien/orientation/fiche", session).status, 200);

  http::Response out = WithCookie(http::Method::kPost, "/lien/deconnexion", session, "");
  EXPECT_EQ(out.status, 303);
  http::Response ended = WithCookie(http::Method::kGet, "/lien/orientation", session);
  EXPECT_EQ(ended.status, 403);
  EXPECT_NE(ended.body.find("<h1>Session terminée</h1>"), std::string::npos);
  EXPECT_EQ(Get("/lien/orientation", Anonymous()).status, 403);
}

}  // namespace
}  // namespace pasip::web
