// Tests of the HTML pages without a server: the handlers are called through the router
// with in-memory stores and a caller built as the application's pipeline would.
#include "web/web.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <vector>

#include "domain/identity/totp.h"
#include "web/page.h"
#include "web/page_fixture_test_util.h"
#include "web/page_test_util.h"
#include "web/qr.h"

namespace pasip::web {
namespace {

using test_util::Count;
using test_util::ExpectAccessiblePage;
using test_util::TagsBalance;

TEST(QrCodeSvgTest, IsWellFormedSvgWithRectangles) {
  auto svg = QrCodeSvg("otpauth://totp/pasip:camille@exemple.fr?secret=ABC&issuer=pasip",
                       "QR code \"à scanner\"");
  ASSERT_TRUE(svg) << svg.error().ToString();
  EXPECT_TRUE(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(svg->ends_with("</svg>"));
  EXPECT_NE(svg->find("role=\"img\""), std::string::npos);
  EXPECT_NE(svg->find("aria-label=\"QR code &quot;à scanner&quot;\""), std::string::npos);
  EXPECT_GT(Count(*svg, "<rect "), 20);
  EXPECT_NE(svg->find("fill=\"#000\""), std::string::npos);
  EXPECT_EQ(svg->find("style"), std::string::npos);
  EXPECT_TRUE(TagsBalance(*svg));
}

TEST(ErrorPageTest, NotFoundIsFrenchWithOneHeading) {
  Options options;
  options.deployment_name = "Accueil social de l'Ille";
  const http::Response response = ErrorPage(404, nullptr, options, "req-42");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(response.body.find("<h1>Page introuvable</h1>"), std::string::npos);
  EXPECT_NE(response.body.find("req-42"), std::string::npos);
  EXPECT_NE(response.body.find("Accueil social de l&apos;Ille"), std::string::npos);
  ExpectAccessiblePage(response.body, "404");
}

TEST(ErrorPageTest, UnknownServerErrorFallsBackToGenericText) {
  const http::Response response = ErrorPage(502, nullptr, Options{}, "");
  EXPECT_EQ(response.status, 502);
  EXPECT_NE(response.body.find("<h1>Erreur du service</h1>"), std::string::npos);
}

TEST(LayoutTest, EscapesTheDisplayName) {
  identity::Caller caller;
  caller.auth.emplace();
  caller.auth->user.id = 7;
  caller.auth->user.display_name = "<script>alert(1)</script>";
  caller.principal.user_id = 7;
  caller.csrf_token = "jeton\"><b>";
  const http::Response response = ErrorPage(403, &caller, Options{}, "r");
  EXPECT_EQ(response.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(response.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(response.body.find("<b>"), std::string::npos);
  EXPECT_NE(response.body.find("Se déconnecter"), std::string::npos);
}

TEST(SafeReturnPathTest, AcceptsOnlyLocalPaths) {
  EXPECT_EQ(SafeReturnPath("/admin/utilisateurs?q=a"), "/admin/utilisateurs?q=a");
  EXPECT_EQ(SafeReturnPath("/"), "/");
  EXPECT_FALSE(SafeReturnPath("//evil.example"));
  EXPECT_FALSE(SafeReturnPath("https://x"));
  EXPECT_FALSE(SafeReturnPath("/\\evil.example"));
  EXPECT_FALSE(SafeReturnPath("evil"));
  EXPECT_FALSE(SafeReturnPath(""));
  EXPECT_FALSE(SafeReturnPath("/a\r\nSet-Cookie: x"));
  EXPECT_FALSE(SafeReturnPath("/connexion"));
}

TEST(ParisMidnightTest, FollowsSummerAndWinterTime) {
  EXPECT_EQ(FormatIsoUtc(*ParisMidnight("2026-07-14")), "2026-07-13T22:00:00Z");
  EXPECT_EQ(FormatIsoUtc(*ParisMidnight("2026-01-15")), "2026-01-14T23:00:00Z");
  EXPECT_FALSE(ParisMidnight("14/07/2026"));
}

class PagesTest : public test_util::PageFixture {
 protected:
  PagesTest() : PageFixture("2026-11-22T09:00:00Z") {
    remote_address_ = "127.0.0.1";
    options_.deployment_name = "Accueil 35";
    options_.demo = true;
    RegisterPages(router_, services_, options_);
    identity::Organisation o;
    o.name = "CCAS de Rennes";
    o.kind = "ccas-cias";
    organisation_ = organisations_.Create(o, {})->id;
    identity::Site s;
    s.organisation_id = organisation_;
    s.name = "Accueil de la mairie";
    s.commune_code = "35238";
    site_ = organisations_.CreateSite(s, {})->id;
    admin_ = *accounts_.CreateUser({"admin@exemple.fr",
                                    "Alex Admin",
                                    "mot de passe assez long",
                                    {{organisation_, identity::Role::kAdmin, {}}}},
                                   {});
  }

  void CheckRoute(const http::Route& route, const std::string&) override {
    EXPECT_FALSE(route.action.empty());
    EXPECT_EQ(route.kind, http::RouteKind::kPage);
  }

  identity::OrganisationId organisation_ = 0;
  identity::SiteId site_ = 0;
  identity::User admin_;
};

TEST_F(PagesTest, EveryRouteDeclaresAnAction) {
  EXPECT_GE(router_.routes().size(), 30u);
  for (const http::Route& route : router_.routes()) {
    EXPECT_TRUE(identity::ParseAction(route.action)) << route.pattern;
  }
}

TEST_F(PagesTest, PublicPagesRender) {
  identity::Caller anonymous;
  anonymous.csrf_token = "pre-session";
  http::Response home = Get("/", anonymous);
  EXPECT_EQ(home.status, 200);
  ExpectAccessiblePage(home.body, "/");
  EXPECT_NE(home.body.find(">Se connecter</a>"), std::string::npos);
  EXPECT_NE(home.body.find("Accueil de la mairie"), std::string::npos);
  EXPECT_NE(home.body.find("Site de démonstration"), std::string::npos);

  http::Response sign_in = Get("/connexion", anonymous);
  EXPECT_EQ(sign_in.status, 200);
  ExpectAccessiblePage(sign_in.body, "/connexion");
  EXPECT_NE(sign_in.body.find(">Adresse e-mail</label>"), std::string::npos);
  EXPECT_NE(sign_in.body.find(">Mot de passe</label>"), std::string::npos);
  EXPECT_NE(sign_in.body.find("name=\"csrf\" value=\"pre-session\""), std::string::npos);
  EXPECT_NE(sign_in.body.find("<meta name=\"htmx-config\""), std::string::npos);
}

TEST_F(PagesTest, SignInSetsTheCookieAndAsksForEnrolment) {
  identity::Caller anonymous;
  http::Response bad = Post("/connexion", anonymous, "email=admin%40exemple.fr&password=faux");
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(bad.body.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"admin@exemple.fr\""), std::string::npos);

  http::Response missing = Post("/connexion", anonymous, "email=admin%40exemple.fr&password=");
  EXPECT_EQ(missing.status, 422);
  EXPECT_NE(missing.body.find("href=\"#f-password\""), std::string::npos);
  EXPECT_NE(missing.body.find("aria-invalid=\"true\""), std::string::npos);
  EXPECT_NE(missing.body.find("aria-describedby=\"f-password-erreur\""), std::string::npos);

  http::Response ok = Post("/connexion", anonymous,
                           "email=admin%40exemple.fr&password=mot+de+passe+assez+long"
                           "&retour=%2F%2Fevil.example");
  EXPECT_EQ(ok.status, 303);
  EXPECT_EQ(ok.Header("Location"), "/compte/second-facteur/activation");
  const std::string cookie(ok.Header("Set-Cookie"));
  EXPECT_TRUE(cookie.starts_with("__Host-pasip=")) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
}

TEST_F(PagesTest, EnrolmentShowsQrCodeThenRecoveryCodes) {
  identity::Caller admin = SignedIn("admin@exemple.fr", false);
  http::Response page = Get("/compte/second-facteur/activation", admin);
  ASSERT_EQ(page.status, 200);
  ExpectAccessiblePage(page.body, "activation");
  EXPECT_NE(page.body.find("<svg"), std::string::npos);
  std::smatch secret;
  ASSERT_TRUE(
      std::regex_search(page.body, secret, std::regex("name=\"secret\" value=\"([A-Z2-7]+)\"")));
  EXPECT_NE(page.body.find("id=\"totp-secret\""), std::string::npos);
  EXPECT_NE(page.body.find(">Code à 6 chiffres</label>"), std::string::npos);

  http::Response wrong = Post("/compte/second-facteur/activation", admin,
                              "secret=" + secret[1].str() + "&code=000000");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_NE(wrong.body.find("value=\"" + secret[1].str() + "\""), std::string::npos);

  const std::string code = identity::TotpCode(secret[1].str(), clock_.Now());
  http::Response done = Post("/compte/second-facteur/activation", admin,
                             "secret=" + secret[1].str() + "&code=" + code);
  EXPECT_EQ(done.status, 200);
  const std::size_t list = done.body.find("class=\"recovery-codes\"");
  ASSERT_NE(list, std::string::npos);
  EXPECT_EQ(Count(done.body.substr(list, done.body.find("</ol>", list) - list), "<li>"), 10);
  EXPECT_NE(done.body.find("<a href=\"/tableau-de-bord\">Continuer</a>"), std::string::npos);
}

TEST_F(PagesTest, SignedInPagesRender) {
  identity::Caller admin = SignedIn("admin@exemple.fr", true);
  const std::string site = std::to_string(site_);
  const std::string organisation = std::to_string(organisation_);
  const std::string user = std::to_string(admin_.id);
  for (const std::string& target :
       {std::string("/tableau-de-bord"), std::string("/compte"),
        std::string("/admin/organisations"), std::string("/admin/organisations?q=ccas"),
        std::string("/admin/organisations/nouvelle"), "/admin/organisations/" + organisation,
        std::string("/admin/sites"), std::string("/admin/sites/nouveau"), "/admin/sites/" + site,
        std::string("/admin/utilisateurs"), std::string("/admin/utilisateurs/nouveau"),
        "/admin/utilisateurs/" + user, std::string("/admin/journal"),
        std::string("/admin/journal?utilisateur=1&du=2026-11-01&au=2026-11-30&avant=99")}) {
    http::Response response = Get(target, admin);
    EXPECT_EQ(response.status, 200) << target;
    ExpectAccessiblePage(response.body, target);
  }
  http::Response dashboard = Get("/tableau-de-bord", admin);
  EXPECT_NE(dashboard.body.find("<h1>Tableau de bord</h1>"), std::string::npos);
  EXPECT_NE(dashboard.body.find("aria-current=\"page\">Tableau de bord"), std::string::npos);
  EXPECT_NE(dashboard.body.find(">Journal d&apos;audit</a>"), std::string::npos);
  EXPECT_EQ(Get("/admin/utilisateurs/999", admin).status, 404);
  EXPECT_EQ(Get("/admin/sites/abc", admin).status, 404);
  http::Response journal = Get("/admin/journal?du=hier", admin);
  EXPECT_EQ(journal.status, 422);
  EXPECT_NE(journal.body.find("href=\"#f-du\""), std::string::npos);
}

TEST_F(PagesTest, CoordinationSeesNetworkPagesOnly) {
  auto coordinator = accounts_.CreateUser({"coord@exemple.fr",
                                           "Claude",
                                           "mot de passe assez long",
                                           {{organisation_, identity::Role::kCoordination, {}}}},
                                          {});
  ASSERT_TRUE(coordinator);
  identity::Caller caller = SignedIn("coord@exemple.fr", true);
  http::Response dashboard = Get("/tableau-de-bord", caller);
  EXPECT_NE(dashboard.body.find(">Organisations</a>"), std::string::npos);
  EXPECT_EQ(dashboard.body.find(">Comptes</a>"), std::string::npos);
  // The orientation measures, not the orientations themselves (no named data).
  EXPECT_NE(dashboard.body.find("href=\"/orientations/mesures\""), std::string::npos);
  EXPECT_EQ(dashboard.body.find("href=\"/orientations/recues\""), std::string::npos);
  EXPECT_EQ(dashboard.body.find("href=\"/orientations\""), std::string::npos);
  http::Response organisation =
      Get("/admin/organisations/" + std::to_string(organisation_), caller);
  EXPECT_EQ(organisation.status, 200);
  EXPECT_EQ(organisation.body.find("<form method=\"post\" action=\"/admin/organisations"),
            std::string::npos);
}

TEST_F(PagesTest, CreateDisableAndEnableAUser) {
  identity::Caller admin = SignedIn("admin@exemple.fr", true);
  http::Response form = Get("/admin/utilisateurs/nouveau", admin);
  for (const char* label :
       {">Adresse e-mail</label>", ">Nom affiché</label>", ">Mot de passe provisoire</label>",
        ">Organisation</label>", ">Rôle</label>", ">Créer le compte</button>",
        "<option value=\"partenaire\">Partenaire</option>"}) {
    EXPECT_NE(form.body.find(label), std::string::npos) << label;
  }
  const std::string organisation = std::to_string(organisation_);
  http::Response invalid = Post("/admin/utilisateurs", admin,
                                "email=dominique%40exemple.fr&display_name=Dominique&password=court"
                                "&organisation_id=" +
                                    organisation + "&role=accueil");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_NE(invalid.body.find("aria-describedby=\"f-password-aide f-password-erreur\""),
            std::string::npos);
  EXPECT_NE(invalid.body.find("value=\"Dominique\""), std::string::npos);

  http::Response created =
      Post("/admin/utilisateurs", admin,
           "email=dominique%40exemple.fr&display_name=Dominique+%3Cb%3E"
           "&password=un+mot+de+passe+long&organisation_id=" +
               organisation + "&role=accueil&site_ids=" + std::to_string(site_));
  ASSERT_EQ(created.status, 303);
  const std::string location(created.Header("Location"));
  ASSERT_TRUE(location.starts_with("/admin/utilisateurs/")) << location;
  const std::string page_path = location.substr(0, location.find('?'));

  http::Response page = Get(location, admin);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<h1>Dominique &lt;b&gt;</h1>"), std::string::npos);
  EXPECT_NE(page.body.find(">Désactiver le compte</button>"), std::string::npos);
  EXPECT_EQ(page.body.find("Compte désactivé"), std::string::npos);

  http::Response disabled = Post(page_path + "/desactiver", admin, "");
  ASSERT_EQ(disabled.status, 303);
  page = Get(std::string(disabled.Header("Location")), admin);
  EXPECT_EQ(Count(page.body, "Compte désactivé"), 1);
  EXPECT_NE(page.body.find(">Réactiver le compte</button>"), std::string::npos);
  EXPECT_EQ(page.body.find(">Désactiver le compte</button>"), std::string::npos);

  http::Response enabled = Post(page_path + "/reactiver", admin, "");
  ASSERT_EQ(enabled.status, 303);
  EXPECT_EQ(Get(page_path, admin).body.find("Compte désactivé"), std::string::npos);

  http::Response self =
      Post("/admin/utilisateurs/" + std::to_string(admin_.id) + "/desactiver", admin, "");
  EXPECT_EQ(self.status, 409);
  EXPECT_NE(self.body.find("role=\"alert\""), std::string::npos);
}

TEST_F(PagesTest, ChangePasswordErrorsAreLinkedToTheirField) {
  identity::Caller admin = SignedIn("admin@exemple.fr", true);
  http::Response response =
      Post("/compte/mot-de-passe", admin,
           "current_password=mot+de+passe+assez+long&new_password=un+nouveau+mot+long"
           "&new_password_confirm=autre+chose+encore");
  EXPECT_EQ(response.status, 422);
  EXPECT_NE(response.body.find("href=\"#f-new_password_confirm\""), std::string::npos);
  EXPECT_NE(response.body.find("id=\"f-new_password_confirm-erreur\""), std::string::npos);
  http::Response ok =
      Post("/compte/mot-de-passe", admin,
           "current_password=mot+de+passe+assez+long&new_password=un+nouveau+mot+long"
           "&new_password_confirm=un+nouveau+mot+long");
  EXPECT_EQ(ok.status, 303);
  EXPECT_EQ(ok.Header("Location"), "/compte?fait=mot-de-passe");
}

TEST_F(PagesTest, OrganisationAndSiteForms) {
  identity::Caller admin = SignedIn("admin@exemple.fr", true);
  http::Response invalid = Post("/admin/organisations", admin, "name=&kind=ccas-cias");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_NE(invalid.body.find("href=\"#f-name\""), std::string::npos);
  http::Response created =
      Post("/admin/organisations", admin, "name=France+services&kind=ccas-cias");
  EXPECT_EQ(created.status, 303);

  http::Response bad_site = Post("/admin/sites", admin,
                                 "organisation_id=" + std::to_string(organisation_) +
                                     "&name=Permanence&commune_code=35238&latitude=nord");
  EXPECT_EQ(bad_site.status, 422);
  EXPECT_NE(bad_site.body.find("href=\"#f-latitude\""), std::string::npos);
  http::Response site = Post("/admin/sites", admin,
                             "organisation_id=" + std::to_string(organisation_) +
                                 "&name=Permanence&commune_code=35238&latitude=48%2C11"
                                 "&longitude=-1%2C68");
  ASSERT_EQ(site.status, 303);
  http::Response shown = Get(std::string(site.Header("Location")), admin);
  EXPECT_NE(shown.body.find("value=\"48,11\""), std::string::npos);
  EXPECT_NE(shown.body.find("C&apos;est enregistré"), std::string::npos);
}

TEST_F(PagesTest, SignOutExpiresTheCookie) {
  identity::Caller admin = SignedIn("admin@exemple.fr", true);
  http::Response response = Post("/deconnexion", admin, "");
  EXPECT_EQ(response.status, 303);
  EXPECT_EQ(response.Header("Location"), "/");
  EXPECT_NE(response.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_FALSE(accounts_.Authenticate(admin.token));
}

}  // namespace
}  // namespace pasip::web
