// The directory's pages without a server: the SVG map, the French phrases, and the finder,
// structure and editing pages through the router, on the in-memory directory and territory
// stores, as an anonymous visitor and as signed-in professionals of several roles.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "web/directory_format.h"
#include "web/map_svg.h"
#include "web/page.h"
#include "web/page_fixture_test_util.h"
#include "web/page_test_util.h"
#include "web/web.h"

namespace pasip::web {
namespace {

using test_util::Count;
using test_util::ExpectAccessiblePage;
using test_util::TagsBalance;

// ---- Map ----

MapSpec ThreePlaces() {
  MapSpec spec;
  spec.id = "carte";
  spec.title = "Carte des résultats";
  spec.description = "Trois lieux.";
  spec.points = {
      {48.11198, -1.68186, "1", "1. CCAS de Rennes", "/annuaire/structures/1", false},
      {48.35247, -1.19431, "2", "2. EDS de Fougères", "/annuaire/structures/2", false},
      {47.66097, -2.08009, "3", "3. Arrêt <Redon> & co", "/annuaire/structures/3", true}};
  return spec;
}

TEST(MapSvgTest, NothingToDrawGivesNothing) {
  MapSpec spec;
  spec.id = "vide";
  EXPECT_EQ(MapSvg(spec), "");
  spec.points.push_back({std::nan(""), 0, "1", "nulle part", "", false});
  EXPECT_EQ(MapSvg(spec), "");
}

TEST(MapSvgTest, PointsAreAccessibleLinksWithinTheViewBox) {
  const std::string svg = MapSvg(ThreePlaces());
  ASSERT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")) << svg;
  EXPECT_TRUE(svg.ends_with("</svg>"));
  EXPECT_TRUE(TagsBalance(svg));
  EXPECT_NE(svg.find("role=\"group\" aria-labelledby=\"carte-titre\" "
                     "aria-describedby=\"carte-desc\""),
            std::string::npos);
  EXPECT_NE(svg.find("<title id=\"carte-titre\">Carte des résultats</title>"), std::string::npos);
  EXPECT_NE(svg.find("<desc id=\"carte-desc\">Trois lieux.</desc>"), std::string::npos);
  EXPECT_EQ(Count(svg, "<a href=\"/annuaire/structures/"), 3);
  EXPECT_NE(svg.find("aria-label=\"1. CCAS de Rennes\""), std::string::npos);
  EXPECT_NE(svg.find("3. Arrêt &lt;Redon&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(svg.find("<Redon>"), std::string::npos);
  EXPECT_EQ(svg.find("style"), std::string::npos);
  EXPECT_EQ(Count(svg, "<circle"), 2);  // the stop is a square
  // The scale bar: a horizontal line and its length.
  EXPECT_TRUE(std::regex_search(svg, std::regex("<path d=\"M12 [0-9.]+V[0-9.]+H[0-9.]+V[0-9.]+\"")))
      << svg;
  EXPECT_NE(svg.find(" km</text>"), std::string::npos);
  // Links come in the list's order (keyboard order).
  EXPECT_LT(svg.find("structures/1"), svg.find("structures/2"));
  EXPECT_LT(svg.find("structures/2"), svg.find("structures/3"));
}

TEST(MapSvgTest, NorthIsUpAndEastIsRight) {
  const std::vector<MapPosition> at = MapLayout(ThreePlaces());
  ASSERT_EQ(at.size(), 3u);
  // Fougères is north-east of Rennes, Redon south-west.
  EXPECT_GT(at[1].x, at[0].x);
  EXPECT_LT(at[1].y, at[0].y);
  EXPECT_LT(at[2].x, at[0].x);
  EXPECT_GT(at[2].y, at[0].y);
  for (const MapPosition& p : at) {
    EXPECT_GE(p.x, 0);
    EXPECT_LE(p.x, 480);
    EXPECT_GE(p.y, 0);
    EXPECT_LE(p.y, 340);
  }
}

TEST(MapSvgTest, PlacesAtTheSameSpotAreSpreadApart) {
  MapSpec spec;
  spec.id = "meme-lieu";
  for (int i = 1; i <= 4; ++i) {
    spec.points.push_back({48.11198, -1.68186, std::to_string(i), "Lieu", "", false});
  }
  spec.centre = MapPoint{48.11198, -1.68186, "", "Rennes", "", false};
  const std::vector<MapPosition> at = MapLayout(spec);
  ASSERT_EQ(at.size(), 5u);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < i; ++j) {
      EXPECT_GE(std::hypot(at[i].x - at[j].x, at[i].y - at[j].y), 24) << i << " " << j;
    }
  }
  const std::string svg = MapSvg(spec);
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);  // no links
  EXPECT_NE(svg.find(">Rennes</text>"), std::string::npos);
  EXPECT_TRUE(std::regex_search(svg, std::regex("<path d=\"M[0-9.]+ [0-9.]+H[0-9.]+M[0-9.]+ "
                                                "[0-9.]+V[0-9.]+\"")))
      << "the cross on the searched place";
}

// ---- French phrases ----

TEST(DirectoryFormatTest, Distances) {
  EXPECT_EQ(FormatDistanceFr(0.004), "10 m");
  EXPECT_EQ(FormatDistanceFr(0.35), "350 m");
  EXPECT_EQ(FormatDistanceFr(3.24), "3,2 km");
  EXPECT_EQ(FormatDistanceFr(4.0), "4 km");
  EXPECT_EQ(FormatDistanceFr(12.6), "13 km");
}

TEST(DirectoryFormatTest, DatesAndNextChanges) {
  EXPECT_EQ(FormatDateFr("2026-12-24"), "24 décembre 2026");
  EXPECT_EQ(FormatDateFr("2027-01-01"), "1er janvier 2027");
  EXPECT_EQ(FormatDateFr("demain"), "demain");
  const TimePoint monday = *ParseIso("2026-11-23T09:00:00Z");  // 10 h in Paris
  EXPECT_EQ(ParisDate(monday), "2026-11-23");
  EXPECT_EQ(NextChangeFr(monday, *ParseIso("2026-11-23T11:00:00Z"), false), "jusqu'à 12 h");
  EXPECT_EQ(NextChangeFr(monday, *ParseIso("2026-11-23T12:30:00Z"), true), "ouvre à 13 h 30");
  EXPECT_EQ(NextChangeFr(monday, *ParseIso("2026-11-24T08:00:00Z"), true), "ouvre demain à 9 h");
  EXPECT_EQ(NextChangeFr(monday, *ParseIso("2026-11-27T08:00:00Z"), true), "ouvre vendredi à 9 h");
  EXPECT_EQ(NextChangeFr(monday, *ParseIso("2027-01-04T08:00:00Z"), true),
            "ouvre le 4 janvier 2027 à 9 h");
}

TEST(DirectoryFormatTest, StateOfHoursWithClosures) {
  const TimePoint monday = *ParseIso("2026-11-23T09:00:00Z");
  HoursState open = StateOfHours("Mo-Fr 09:00-12:00,13:30-17:00", "35238", {}, monday);
  EXPECT_EQ(open.kind, HoursState::Kind::kOpen);
  EXPECT_EQ(open.label, "Ouvert maintenant");
  EXPECT_EQ(open.next, "jusqu'à 12 h");
  EXPECT_EQ(open.today, "9 h – 12 h, 13 h 30 – 17 h");
  ASSERT_EQ(open.week.size(), 7u);
  EXPECT_EQ(open.week[0], "lundi : 9 h – 12 h, 13 h 30 – 17 h");
  EXPECT_EQ(open.week[6], "dimanche : fermé");

  HoursState closed = StateOfHours("Mo-Fr 09:00-12:00,13:30-17:00", "35238",
                                   {{"2026-11-20", "2026-11-30", "Travaux", true}}, monday);
  EXPECT_EQ(closed.kind, HoursState::Kind::kClosed);
  EXPECT_EQ(closed.label, "Fermé exceptionnellement");
  EXPECT_EQ(closed.closure, "Fermé du 20 novembre 2026 au 30 novembre 2026 : Travaux");

  EXPECT_EQ(StateOfHours("", "35238", {}, monday).kind, HoursState::Kind::kUnknown);
  EXPECT_EQ(StateOfHours("n'importe quoi", "35238", {}, monday).label, "Horaires non renseignés");
  EXPECT_EQ(StateOfSearch("ferme", "2026-11-23T12:30:00Z", "", monday).next, "ouvre à 13 h 30");
  EXPECT_EQ(StateOfSearch("ferme", "", "", monday).today, "fermé");
}

TEST(DirectoryFormatTest, ChannelsAccessibilityAndPhone) {
  directory::PasipLabel label;
  label.accueil_physique = true;
  label.accueil_telephonique = true;
  EXPECT_EQ(ChannelsFr(label), (std::vector<std::string>{"Sur place", "Par téléphone"}));
  EXPECT_EQ(ChannelsFr({}, {"a-distance"}).size(), 1u);
  directory::Accessibility a;
  a.pmr = true;
  a.langues = {"en", "ar"};
  a.langue_des_signes = true;
  const std::vector<std::string> text = AccessibilityFr(a);
  ASSERT_EQ(text.size(), 3u);
  EXPECT_EQ(text[0], "Accessible aux personnes en fauteuil roulant");
  EXPECT_EQ(text[1], "Langues parlées : anglais, arabe");
  EXPECT_EQ(TelHref("02 99 00 00 00"), "+33299000000");
  EXPECT_EQ(TelHref("+33 2 99 00 00 00"), "+33299000000");
}

// ---- Pages ----

class DirectoryPagesTest : public test_util::PageFixture {
 protected:
  DirectoryPagesTest()
      : PageFixture("2026-11-23T09:00:00Z", /*stamp_directory=*/true) {  // a Monday, 10 h in Paris
    options_.deployment_name = "Accueil 35";
    RegisterPages(router_, services_, options_);
    std::vector<territory::Commune> communes = {
        Commune("35238", "Rennes", 48.11198, -1.68186, 225081, {"35000", "35200", "35700"}),
        Commune("35115", "Fougères", 48.35247, -1.19431, 20418, {"35300"}),
        Commune("35188", "Montfort-sur-Meu", 48.12610, -1.96303, 6900, {"35160"}),
        Commune("35337", "Tinténiac", 48.32861, -1.83611, 3700, {"35190"}),
        Commune("35235", "Québriac", 48.34389, -1.83028, 1700, {"35190"}),
        Commune("35236", "Redon", 47.66097, -2.08009, 9300, {"35600"}),
    };
    communes.push_back(Commune("35130", "Hédé-Bazouges", 0, 0, 2267, {"35630"}));
    communes.back().latitude.reset();  // a centre unknown
    communes.back().longitude.reset();
    EXPECT_TRUE(territory_.UpsertCommunes(communes));
    ccas_ = CreateOrganisation("CCAS de Rennes");
    caf_ = CreateOrganisation("Caf d'Ille-et-Vilaine");
    CreateAccount("coord@exemple.fr", ccas_, identity::Role::kCoordination);
    CreateAccount("partenaire@exemple.fr", caf_, identity::Role::kPartenaire);
    CreateAccount("accueil@exemple.fr", ccas_, identity::Role::kAccueil);
    coordination_.user_id = 1;
    coordination_.memberships = {{ccas_, identity::Role::kCoordination, {}}};
    coordination_.second_factor_verified = true;
  }

  static territory::Commune Commune(std::string code, std::string name, double lat, double lon,
                                    std::int64_t population, std::vector<std::string> postcodes) {
    territory::Commune c;
    c.code = code;
    c.name = name;
    c.departement = code.substr(0, 2);
    c.region = "53";
    c.latitude = lat;
    c.longitude = lon;
    c.population = population;
    c.codes_postaux = std::move(postcodes);
    return c;
  }

  void CreateAccount(const std::string& email, identity::OrganisationId organisation,
                     identity::Role role) {
    PageFixture::CreateAccount(email, email.substr(0, email.find('@')), organisation, role);
  }

  static identity::Caller Anonymous() {
    identity::Caller caller;
    caller.csrf_token = "pre-session";
    return caller;
  }

  directory::Structure AddStructure(directory::Structure s) {
    auto created = directory_.CreateStructure(std::move(s), coordination_, {});
    EXPECT_TRUE(created) << created.error().ToString();
    return *created;
  }

  // The CCAS of Rennes, open Monday to Friday, with a referent.
  directory::Structure AddCcas() {
    directory::Structure s;
    s.nom = "CCAS de Rennes";
    s.adresse = "10 boulevard de la Démo";
    s.code_postal = "35000";
    s.commune = "Rennes";
    s.code_insee = "35238";
    s.latitude = 48.1105;
    s.longitude = -1.6800;
    s.telephone = "02 99 00 00 00";
    s.horaires_accueil = "Mo-Fr 09:00-12:00,13:30-17:00";
    s.organisation_id = ccas_;
    for (const directory::RefValue& c : directory::PasipCriteria()) {
      directory::SetCriterion(s.label, c.value, true);
    }
    s.accessibilite.pmr = true;
    s.accessibilite.langues = {"en"};
    s.referents = {{"Claude Référente", "Responsable", "02 99 11 11 11", ""}};
    s.arrets = {{"Parking de la gare", "35188", 48.1261, -1.9630, "We 09:00-12:00"}};
    return AddStructure(s);
  }

  directory::Structure AddFougeres() {
    directory::Structure s;
    s.nom = "Espace des solidarités de Fougères";
    s.code_insee = "35115";
    s.commune = "Fougères";
    s.latitude = 48.3525;
    s.longitude = -1.1943;
    s.horaires_accueil = "Tu 09:00-12:00";
    s.organisation_id = caf_;
    return AddStructure(s);
  }

  identity::OrganisationId ccas_ = 0;
  identity::OrganisationId caf_ = 0;
  identity::Principal coordination_;
};

TEST_F(DirectoryPagesTest, EveryDirectoryRouteDeclaresItsAction) {
  int count = 0;
  for (const http::Route& route : router_.routes()) {
    if (!route.pattern.starts_with("/annuaire")) continue;
    ++count;
    ASSERT_TRUE(identity::ParseAction(route.action)) << route.pattern;
    const bool reading = route.pattern == "/annuaire" || route.pattern == "/annuaire/communes" ||
                         route.pattern == "/annuaire/structures/{id}";
    EXPECT_EQ(route.action, reading ? "public" : "directory.write") << route.pattern;
  }
  EXPECT_EQ(count, 15);
}

TEST_F(DirectoryPagesTest, HomeAndEmptyFinderShowTheForm) {
  http::Response home = Get("/", Anonymous());
  ASSERT_EQ(home.status, 200);
  ExpectAccessiblePage(home.body, "/");
  EXPECT_NE(home.body.find("Où être accueilli ?</h2>"), std::string::npos);
  EXPECT_NE(home.body.find(">Commune ou code postal</label>"), std::string::npos);
  EXPECT_NE(home.body.find("data-suggestions=\"/annuaire/communes\""), std::string::npos);
  EXPECT_NE(home.body.find("<script src=\"/static/js/combobox.js\" defer></script>"),
            std::string::npos);
  EXPECT_NE(home.body.find(">Votre besoin</label>"), std::string::npos);
  EXPECT_NE(home.body.find("> Seulement les lieux ouverts maintenant</label>"), std::string::npos);
  EXPECT_NE(home.body.find("<option value=\"30\" selected>"), std::string::npos);
  EXPECT_EQ(home.body.find("name=\"vue\""), std::string::npos);  // professionals only

  http::Response finder = Get("/annuaire", Anonymous());
  ASSERT_EQ(finder.status, 200);
  ExpectAccessiblePage(finder.body, "/annuaire");
  EXPECT_NE(finder.body.find("<h1>Où être accueilli ?</h1>"), std::string::npos);
  EXPECT_EQ(finder.body.find("id=\"resultats\""), std::string::npos);
  EXPECT_NE(finder.body.find("aria-current=\"page\">Où être accueilli ?</a>"), std::string::npos);
}

TEST_F(DirectoryPagesTest, SearchAroundACommuneListsPlacesByDistance) {
  const directory::Structure ccas = AddCcas();
  const directory::Structure fougeres = AddFougeres();
  http::Response page = Get("/annuaire?commune=Rennes&categorie=&rayon=50", Anonymous());
  ASSERT_EQ(page.status, 200) << page.body;
  ExpectAccessiblePage(page.body, "résultats");
  EXPECT_NE(page.body.find("2 lieux trouvés à moins de 50 km de Rennes"), std::string::npos);
  const std::size_t first = page.body.find("/annuaire/structures/" + std::to_string(ccas.id));
  const std::size_t second = page.body.find("/annuaire/structures/" + std::to_string(fougeres.id));
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_NE(page.body.find("<strong>Ouvert maintenant</strong>, jusqu&apos;à 12 h"),
            std::string::npos);
  EXPECT_NE(page.body.find("Aujourd'hui : 9 h – 12 h, 13 h 30 – 17 h"), std::string::npos);
  EXPECT_NE(page.body.find("Aujourd'hui : fermé"), std::string::npos);
  EXPECT_NE(page.body.find("<strong>Fermé maintenant</strong>, ouvre demain à 9 h"),
            std::string::npos);
  EXPECT_NE(page.body.find("<a href=\"tel:+33299000000\">02 99 00 00 00</a>"), std::string::npos);
  EXPECT_NE(page.body.find("Sur place, Par téléphone"), std::string::npos);
  EXPECT_NE(page.body.find("Langues parlées : anglais"), std::string::npos);
  EXPECT_NE(page.body.find("Accueil PASIP"), std::string::npos);
  EXPECT_NE(page.body.find("<svg"), std::string::npos);
  EXPECT_NE(page.body.find("aria-label=\"1. CCAS de Rennes, à "), std::string::npos);
  EXPECT_NE(page.body.find("class=\"result-number\">2.</span>"), std::string::npos);
  EXPECT_EQ(page.body.find("Claude Référente"), std::string::npos);  // referents: professionals
  // The form keeps what was asked, with the commune's code.
  EXPECT_NE(page.body.find("name=\"code\" value=\"35238\""), std::string::npos);
  EXPECT_NE(page.body.find("<option value=\"50\" selected>"), std::string::npos);

  // Open now leaves out Fougères (open on Tuesdays).
  http::Response open = Get("/annuaire?commune=Rennes&rayon=50&ouvert=1", Anonymous());
  EXPECT_NE(open.body.find("1 lieu ouvert maintenant à moins de 50 km de Rennes"),
            std::string::npos);
  EXPECT_EQ(open.body.find("Fougères"), std::string::npos);
}

TEST_F(DirectoryPagesTest, PostcodesAndNamesTypedInFullAreResolved) {
  AddCcas();
  http::Response postcode = Get("/annuaire?commune=35200&rayon=10", Anonymous());
  EXPECT_EQ(postcode.status, 200);
  EXPECT_NE(postcode.body.find("à moins de 10 km de Rennes"), std::string::npos);
  http::Response label = Get("/annuaire?commune=rennes+%2835000%29&rayon=10", Anonymous());
  EXPECT_NE(label.body.find("à moins de 10 km de Rennes"), std::string::npos);
  // A code left in the form by a previous search does not win over a new name typed.
  http::Response changed = Get("/annuaire?commune=Foug%C3%A8res&code=35238&rayon=10", Anonymous());
  EXPECT_NE(changed.body.find("à moins de 10 km de Fougères"), std::string::npos);

  http::Response shared = Get("/annuaire?commune=35190&rayon=10", Anonymous());
  EXPECT_EQ(shared.status, 422);
  ExpectAccessiblePage(shared.body, "ambigu");
  EXPECT_NE(shared.body.find("Plusieurs communes correspondent"), std::string::npos);
  EXPECT_NE(shared.body.find("href=\"#f-commune\""), std::string::npos);
  EXPECT_NE(shared.body.find(">Tinténiac</a>"), std::string::npos);
  EXPECT_NE(shared.body.find("code=35235"), std::string::npos);

  http::Response unknown = Get("/annuaire?commune=Rzz&rayon=10", Anonymous());
  EXPECT_EQ(unknown.status, 422);
  EXPECT_NE(unknown.body.find("Nous ne trouvons pas la commune « Rzz »"), std::string::npos);
  EXPECT_NE(unknown.body.find("aria-invalid=\"true\""), std::string::npos);

  http::Response bad_radius = Get("/annuaire?commune=Rennes&rayon=7", Anonymous());
  EXPECT_EQ(bad_radius.status, 422);
  EXPECT_NE(bad_radius.body.find("href=\"#f-rayon\""), std::string::npos);
}

TEST_F(DirectoryPagesTest, ACommuneWithoutCentreListsPlacesByName) {
  AddFougeres();
  AddCcas();
  http::Response page = Get("/annuaire?commune=H%C3%A9d%C3%A9-Bazouges&rayon=10", Anonymous());
  ASSERT_EQ(page.status, 200) << page.body;
  ExpectAccessiblePage(page.body, "sans position");
  EXPECT_NE(page.body.find("Nous ne connaissons pas la position de Hédé-Bazouges"),
            std::string::npos);
  EXPECT_NE(page.body.find("2 lieux trouvés</h2>"), std::string::npos);
  EXPECT_LT(page.body.find(">CCAS de Rennes</a>"), page.body.find(">Espace des solidarités"));
}

TEST_F(DirectoryPagesTest, CommuneSuggestionsForTheCombobox) {
  http::Response response = Get("/annuaire/communes?q=ren", Anonymous());
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("data-code=\"35238\" data-label=\"Rennes (35000)\""),
            std::string::npos)
      << response.body;
  EXPECT_NE(response.body.find("35000, 35200, 35700 · Ille-et-Vilaine"), std::string::npos);
  // Codes and postcodes starting with 351: Fougères, Montfort-sur-Meu, Tinténiac, Québriac,
  // Hédé-Bazouges.
  EXPECT_EQ(Count(Get("/annuaire/communes?q=351", Anonymous()).body, "data-code="), 5);
  EXPECT_EQ(Count(Get("/annuaire/communes?q=r", Anonymous()).body, "data-code="), 0);
}

TEST_F(DirectoryPagesTest, PagesFollowTheCursorAndNumberOn) {
  for (int i = 0; i < 12; ++i) {
    directory::Structure s;
    s.nom = "Lieu numéro " + std::to_string(i + 10);
    s.code_insee = "35238";
    s.latitude = 48.11 + i * 0.01;
    s.longitude = -1.68;
    AddStructure(s);
  }
  http::Response first = Get("/annuaire?commune=Rennes&rayon=30", Anonymous());
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("12 lieux trouvés"), std::string::npos);
  EXPECT_NE(first.body.find("Résultats 1 à 10 sur 12"), std::string::npos);
  std::smatch next;
  ASSERT_TRUE(std::regex_search(first.body, next,
                                std::regex("<a href=\"(/annuaire\\?[^\"]*apres=[^\"]*)\" "
                                           "rel=\"next\">Résultats suivants</a>")));
  std::string href = next[1];
  href = std::regex_replace(href, std::regex("&amp;"), "&");
  http::Response second = Get(href, Anonymous());
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_NE(second.body.find("Résultats 11 à 12 sur 12"), std::string::npos);
  EXPECT_NE(second.body.find("<ol class=\"result-list\" start=\"11\">"), std::string::npos);
  EXPECT_NE(second.body.find("class=\"result-number\">11.</span>"), std::string::npos);
  EXPECT_NE(second.body.find(">Revenir aux premiers résultats</a>"), std::string::npos);
  EXPECT_EQ(second.body.find("rel=\"next\""), std::string::npos);
}

TEST_F(DirectoryPagesTest, NothingFoundSuggestsAWiderSearch) {
  AddFougeres();
  http::Response page = Get("/annuaire?commune=Redon&rayon=20&ouvert=1", Anonymous());
  ASSERT_EQ(page.status, 200);
  ExpectAccessiblePage(page.body, "vide");
  EXPECT_NE(page.body.find("0 lieu ouvert maintenant à moins de 20 km de Redon"),
            std::string::npos);
  EXPECT_NE(page.body.find(">Chercher jusqu&apos;à 30 km</a>"), std::string::npos);
  EXPECT_NE(page.body.find(">Montrer aussi les lieux fermés en ce moment</a>"), std::string::npos);
  EXPECT_EQ(page.body.find("<svg"), std::string::npos);
}

TEST_F(DirectoryPagesTest, PublicStructurePage) {
  const directory::Structure ccas = AddCcas();
  http::Response page = Get("/annuaire/structures/" + std::to_string(ccas.id), Anonymous());
  ASSERT_EQ(page.status, 200) << page.body;
  ExpectAccessiblePage(page.body, "fiche");
  EXPECT_NE(page.body.find("<h1>CCAS de Rennes</h1>"), std::string::npos);
  EXPECT_NE(page.body.find("<strong>Ouvert maintenant</strong>, jusqu&apos;à 12 h"),
            std::string::npos);
  EXPECT_NE(page.body.find("<li>lundi : 9 h – 12 h, 13 h 30 – 17 h</li>"), std::string::npos);
  EXPECT_NE(page.body.find("<li>samedi : fermé</li>"), std::string::npos);
  EXPECT_NE(page.body.find("sans rendez-vous"), std::string::npos);
  EXPECT_NE(page.body.find("Parking de la gare"), std::string::npos);
  EXPECT_NE(page.body.find("(Montfort-sur-Meu)"), std::string::npos);
  EXPECT_NE(page.body.find("mercredi : 9 h – 12 h"), std::string::npos);
  EXPECT_NE(page.body.find("2. Arrêt : Parking de la gare"), std::string::npos);  // the map
  EXPECT_NE(page.body.find("Accessible aux personnes en fauteuil roulant"), std::string::npos);
  EXPECT_NE(page.body.find("Reçoit toute personne, sans condition"), std::string::npos);
  EXPECT_EQ(page.body.find("Claude Référente"), std::string::npos);
  EXPECT_EQ(page.body.find("Pour les professionnels"), std::string::npos);
  EXPECT_EQ(page.body.find("Modifier la fiche"), std::string::npos);
  EXPECT_EQ(Get("/annuaire/structures/999", Anonymous()).status, 404);
  EXPECT_EQ(Get("/annuaire/structures/abc", Anonymous()).status, 404);
}

TEST_F(DirectoryPagesTest, APlaceShowsThePartnersPermanencesHeldThere) {
  const directory::Structure ccas = AddCcas();
  directory::Structure partner;
  partner.nom = "Caf d'Ille-et-Vilaine";
  partner.code_insee = "35238";
  partner.telephone = "02 99 00 00 50";
  partner.organisation_id = caf_;
  partner = AddStructure(partner);
  directory::Service prestations;
  prestations.structure_id = partner.id;
  prestations.nom = "Prestations familiales";
  prestations.description = "Informations sur les prestations familiales.";
  prestations.thematiques = {"famille--soutien-a-la-parentalite-et-a-leducation"};
  prestations.permanences = {{ccas.id, "Tu 09:00-12:00", "Sans rendez-vous"}};
  auto created = directory_.CreateService(prestations, coordination_, {});
  ASSERT_TRUE(created) << created.error().ToString();
  directory::Service draft = prestations;
  draft.nom = "Permanence en préparation";
  draft.publie = false;
  ASSERT_TRUE(directory_.CreateService(draft, coordination_, {}));

  const std::string path = "/annuaire/structures/" + std::to_string(ccas.id);
  http::Response page = Get(path, Anonymous());
  ASSERT_EQ(page.status, 200) << page.body;
  ExpectAccessiblePage(page.body, "partenaires");
  const std::size_t section =
      page.body.find("<h2 id=\"partenaires\">Permanences de partenaires dans ce lieu</h2>");
  ASSERT_NE(section, std::string::npos);
  // After the place's own services, with the partner's link, the service and its week.
  EXPECT_LT(page.body.find("<h2 id=\"services\">"), section);
  const std::string held = page.body.substr(section);
  EXPECT_NE(held.find("<a href=\"/annuaire/structures/" + std::to_string(partner.id) +
                      "\"><strong>Caf d&apos;Ille-et-Vilaine</strong></a>"),
            std::string::npos)
      << held;
  EXPECT_NE(held.find("#service-" + std::to_string(created->id) + "\">Prestations familiales</a>"),
            std::string::npos);
  EXPECT_NE(held.find("<li>mardi : 9 h – 12 h</li>"), std::string::npos);
  EXPECT_NE(held.find("<li>lundi : fermé</li>"), std::string::npos);
  EXPECT_NE(held.find("Fermé maintenant"), std::string::npos);  // Monday 10 h
  EXPECT_NE(held.find("Sans rendez-vous"), std::string::npos);
  EXPECT_NE(held.find("02 99 00 00 50"), std::string::npos);
  EXPECT_EQ(held.find("Permanence en préparation"), std::string::npos);

  // Professionals also see the draft, marked as such.
  http::Response pro = Get(path, SignedIn("accueil@exemple.fr"));
  ASSERT_EQ(pro.status, 200);
  ExpectAccessiblePage(pro.body, "partenaires pro");
  const std::string pro_held = pro.body.substr(pro.body.find("id=\"partenaires\""));
  EXPECT_NE(pro_held.find("Permanence en préparation</a> <span class=\"badge\">"),
            std::string::npos);

  // The partner's own page does not have the section; the place without partners neither.
  http::Response own = Get("/annuaire/structures/" + std::to_string(partner.id), Anonymous());
  EXPECT_EQ(own.body.find("Permanences de partenaires"), std::string::npos);
  EXPECT_NE(own.body.find("Permanences dans d'autres lieux"), std::string::npos);
}

TEST_F(DirectoryPagesTest, ProfessionalsSeeReferentsAndEditorsTheirLinks) {
  const directory::Structure ccas = AddCcas();
  directory::Structure hidden;
  hidden.nom = "Permanence réservée";
  hidden.publie = false;
  hidden = AddStructure(hidden);
  const std::string path = "/annuaire/structures/" + std::to_string(ccas.id);

  http::Response accueil = Get(path, SignedIn("accueil@exemple.fr"));
  ASSERT_EQ(accueil.status, 200);
  ExpectAccessiblePage(accueil.body, "accueil");
  EXPECT_NE(accueil.body.find("<th scope=\"row\">Claude Référente</th>"), std::string::npos);
  EXPECT_NE(accueil.body.find("Lieu géré par : CCAS de Rennes"), std::string::npos);
  EXPECT_EQ(accueil.body.find("Modifier la fiche"), std::string::npos);

  http::Response coordination = Get(path, SignedIn("coord@exemple.fr"));
  EXPECT_NE(coordination.body.find(">Modifier la fiche</a>"), std::string::npos);
  EXPECT_NE(coordination.body.find(">Ajouter un service</a>"), std::string::npos);

  http::Response partner = Get(path, SignedIn("partenaire@exemple.fr"));
  EXPECT_EQ(partner.body.find("Modifier la fiche"), std::string::npos);

  const std::string hidden_path = "/annuaire/structures/" + std::to_string(hidden.id);
  EXPECT_EQ(Get(hidden_path, Anonymous()).status, 404);
  http::Response shown = Get(hidden_path, SignedIn("accueil@exemple.fr"));
  EXPECT_EQ(shown.status, 200);
  EXPECT_NE(shown.body.find("visible que des professionnels"), std::string::npos);

  http::Response finder = Get("/annuaire", SignedIn("accueil@exemple.fr"));
  EXPECT_NE(finder.body.find("name=\"vue\""), std::string::npos);
  EXPECT_NE(finder.body.find("aria-current=\"page\">Annuaire</a>"), std::string::npos);
}

TEST_F(DirectoryPagesTest, HoursAreCheckedLive) {
  const identity::Caller coordination = SignedIn("coord@exemple.fr");
  http::Response ok =
      Call(http::Method::kGet, "/annuaire/horaires/verifier?horaires_accueil=Lu-Ve+9h-12h",
           coordination, "", true);
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body.find("<html"), std::string::npos);  // a fragment
  EXPECT_NE(ok.body.find("Horaires compris : <code>Mo-Fr 09:00-12:00</code>"), std::string::npos)
      << ok.body;
  EXPECT_NE(ok.body.find("Corrections faites"), std::string::npos);
  EXPECT_NE(ok.body.find("<li>vendredi : 9 h – 12 h</li>"), std::string::npos);
  EXPECT_EQ(ok.Header("Vary"), "HX-Request");

  http::Response bad =
      Call(http::Method::kGet,
           "/annuaire/horaires/verifier?arrets%5B0%5D.horaires=Mo-Fr+25%3A00-26%3A00", coordination,
           "", true);
  EXPECT_NE(bad.body.find("class=\"hours-error\">Horaires invalides au caractère"),
            std::string::npos)
      << bad.body;
  EXPECT_NE(bad.body.find("<mark>"), std::string::npos);

  http::Response page = Get("/annuaire/horaires/verifier?horaires=Sa+10h-12h", coordination);
  ASSERT_EQ(page.status, 200);
  ExpectAccessiblePage(page.body, "vérifier");
  EXPECT_NE(page.body.find("<li>samedi : 10 h – 12 h</li>"), std::string::npos);
  EXPECT_NE(page.body.find("hx-get=\"/annuaire/horaires/verifier\""), std::string::npos);
}

TEST_F(DirectoryPagesTest, CreateAStructureWithItsHoursThenAService) {
  const identity::Caller coordination = SignedIn("coord@exemple.fr");
  http::Response form = Get("/annuaire/structures/nouvelle", coordination);
  ASSERT_EQ(form.status, 200);
  ExpectAccessiblePage(form.body, "nouvelle");
  for (const std::string& expected : std::vector<std::string>{
           ">Nom du lieu</label>", "name=\"label.sans_condition\"", "name=\"arrets[1].horaires\"",
           "name=\"referents[0].nom\"", "name=\"avis[0].debut\"", "name=\"accessibilite.langues\"",
           "name=\"reseaux_porteurs\"", "hx-target=\"next .hours-feedback\"",
           "aria-live=\"polite\"", "value=\"" + std::to_string(caf_) + "\""}) {
    EXPECT_NE(form.body.find(expected), std::string::npos) << expected;
  }

  const std::string fields =
      "nom=Maison+des+solidarit%C3%A9s&code_insee=35238&latitude=48%2C11&longitude=-1%2C68"
      "&publie=1&label.sans_condition=1&accessibilite.pmr=oui&accessibilite.langues=ar"
      "&referents%5B0%5D.nom=Dominique&referents%5B0%5D.telephone=0299000000"
      "&referents%5B1%5D.nom=&arrets%5B0%5D.lieu=&arrets%5B0%5D.horaires=";
  http::Response invalid = Post("/annuaire/structures", coordination,
                                fields + "&horaires_accueil=Lu-Ve+9h-12h+et+puis+quoi");
  ASSERT_EQ(invalid.status, 422) << invalid.body;
  ExpectAccessiblePage(invalid.body, "refus");
  EXPECT_NE(invalid.body.find("href=\"#f-horaires_accueil\""), std::string::npos);
  EXPECT_NE(invalid.body.find("id=\"f-horaires_accueil-erreur\""), std::string::npos);
  EXPECT_NE(invalid.body.find("<mark>"), std::string::npos);  // the feedback, without script
  EXPECT_NE(invalid.body.find("value=\"Maison des solidarités\""), std::string::npos);

  http::Response created = Post("/annuaire/structures", coordination,
                                fields + "&horaires_accueil=du+lundi+au+vendredi+9h-12h");
  ASSERT_EQ(created.status, 303) << created.body;
  const std::string location(created.Header("Location"));
  ASSERT_TRUE(location.starts_with("/annuaire/structures/")) << location;
  const auto id = ParseId(location.substr(21, location.find('?') - 21));
  ASSERT_TRUE(id);
  auto stored = directory_store_.FindStructure(*id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->horaires_accueil, "Mo-Fr 09:00-12:00");
  EXPECT_EQ((*stored)->referents.size(), 1u);
  EXPECT_TRUE((*stored)->label.sans_condition);
  EXPECT_EQ((*stored)->accessibilite.pmr, true);
  EXPECT_EQ((*stored)->accessibilite.langues, std::vector<std::string>{"ar"});
  EXPECT_TRUE((*stored)->arrets.empty());
  EXPECT_EQ((*stored)->latitude, 48.11);
  http::Response shown = Get(location, coordination);
  EXPECT_NE(shown.body.find("C&apos;est enregistré"), std::string::npos);

  // Edit form: the stored values, then a service.
  const std::string base = "/annuaire/structures/" + std::to_string(*id);
  http::Response edit = Get(base + "/modifier", coordination);
  ASSERT_EQ(edit.status, 200);
  ExpectAccessiblePage(edit.body, "modifier");
  EXPECT_NE(edit.body.find("value=\"Mo-Fr 09:00-12:00\""), std::string::npos);
  EXPECT_NE(
      edit.body.find("id=\"f-accessibilite.pmr-oui\" name=\"accessibilite.pmr\" value=\"oui\" "
                     "checked"),
      std::string::npos);

  http::Response service_form = Get(base + "/services/nouveau", coordination);
  ASSERT_EQ(service_form.status, 200);
  ExpectAccessiblePage(service_form.body, "nouveau service");
  EXPECT_NE(service_form.body.find("<summary>Logement et hébergement"), std::string::npos)
      << "thématiques grouped by catégorie";
  http::Response missing = Post(base + "/services", coordination, "nom=Aide&description=");
  EXPECT_EQ(missing.status, 422);
  EXPECT_NE(missing.body.find("href=\"#f-description\""), std::string::npos);
  http::Response service =
      Post(base + "/services", coordination,
           "nom=Aide+aux+d%C3%A9marches+de+logement&description=Un+accompagnement+pour+le+logement"
           "&thematiques=logement-hebergement--louer-un-logement&publics="
           "tous-publics&modes_accueil=en-presentiel&frais=gratuit&publie=1&contacts_publics=1"
           "&horaires_accueil=Tu+14h-17h");
  ASSERT_EQ(service.status, 303) << service.body;
  EXPECT_NE(std::string(service.Header("Location")).find("?fait=service-cree#service-"),
            std::string::npos);
  http::Response with_service = Get(base, Anonymous());
  EXPECT_NE(with_service.body.find("Aide aux démarches de logement"), std::string::npos);
  EXPECT_NE(with_service.body.find("<li>mardi : 14 h – 17 h</li>"), std::string::npos);

  // The professional finder lists services found by their words.
  http::Response found = Get("/annuaire?commune=&q=logement&vue=services", coordination);
  ASSERT_EQ(found.status, 200);
  EXPECT_NE(found.body.find("Aide aux démarches de logement"), std::string::npos) << found.body;
  EXPECT_NE(found.body.find("Proposé par Maison des solidarités"), std::string::npos);
}

TEST_F(DirectoryPagesTest, PartnersEditOnlyTheirOrganisationsPlaces) {
  const directory::Structure ccas = AddCcas();
  const directory::Structure caf = AddFougeres();
  const identity::Caller partner = SignedIn("partenaire@exemple.fr");
  EXPECT_EQ(Get("/annuaire/structures/" + std::to_string(ccas.id) + "/modifier", partner).status,
            403);
  EXPECT_EQ(
      Post("/annuaire/structures/" + std::to_string(ccas.id) + "/modifier", partner, "nom=Pris")
          .status,
      403);
  http::Response own = Get("/annuaire/structures/" + std::to_string(caf.id) + "/modifier", partner);
  EXPECT_EQ(own.status, 200);
  // The organisation list offers theirs only.
  EXPECT_EQ(own.body.find(">CCAS de Rennes</option>"), std::string::npos);
  http::Response form = Get("/annuaire/structures/nouvelle", partner);
  EXPECT_NE(form.body.find("value=\"" + std::to_string(caf_) + "\" selected"), std::string::npos);
  http::Response no_organisation = Post("/annuaire/structures", partner, "nom=Permanence+Caf");
  EXPECT_EQ(no_organisation.status, 422);
  EXPECT_NE(no_organisation.body.find("href=\"#f-organisation_id\""), std::string::npos);
  http::Response elsewhere = Post("/annuaire/structures", partner,
                                  "nom=Permanence+Caf&organisation_id=" + std::to_string(ccas_));
  EXPECT_EQ(elsewhere.status, 403);
  http::Response created = Post("/annuaire/structures", partner,
                                "nom=Permanence+Caf&organisation_id=" + std::to_string(caf_));
  EXPECT_EQ(created.status, 303) << created.body;
}

TEST_F(DirectoryPagesTest, DeleteAServiceAfterConfirmation) {
  const directory::Structure ccas = AddCcas();
  directory::Service s;
  s.structure_id = ccas.id;
  s.nom = "Écrivain public";
  s.description = "Aide pour écrire des courriers.";
  auto created = directory_.CreateService(s, coordination_, {});
  ASSERT_TRUE(created) << created.error().ToString();
  const identity::Caller coordination = SignedIn("coord@exemple.fr");
  const std::string path = "/annuaire/services/" + std::to_string(created->id);
  http::Response edit = Get(path + "/modifier", coordination);
  ASSERT_EQ(edit.status, 200);
  ExpectAccessiblePage(edit.body, "modifier service");
  EXPECT_NE(edit.body.find(">Supprimer ce service</a>"), std::string::npos);
  http::Response confirm = Get(path + "/supprimer", coordination);
  ASSERT_EQ(confirm.status, 200);
  ExpectAccessiblePage(confirm.body, "confirmer");
  EXPECT_NE(confirm.body.find("<h1>Supprimer le service « Écrivain public » ?</h1>"),
            std::string::npos);
  EXPECT_EQ(Post(path + "/supprimer", SignedIn("partenaire@exemple.fr"), "").status, 403);
  http::Response deleted = Post(path + "/supprimer", coordination, "");
  ASSERT_EQ(deleted.status, 303);
  EXPECT_EQ(deleted.Header("Location"),
            "/annuaire/structures/" + std::to_string(ccas.id) + "?fait=service-supprime");
  EXPECT_NE(Get(std::string(deleted.Header("Location")), coordination)
                .body.find("Le service a été supprimé."),
            std::string::npos);
  EXPECT_EQ(Get(path + "/modifier", coordination).status, 404);
}

TEST_F(DirectoryPagesTest, ToUpdateListsTheLeastFreshFirst) {
  AddCcas();
  directory::Structure poor;
  poor.nom = "Fiche presque vide";
  AddStructure(poor);
  http::Response page = Get("/annuaire/a-mettre-a-jour", SignedIn("coord@exemple.fr"));
  ASSERT_EQ(page.status, 200);
  ExpectAccessiblePage(page.body, "à mettre à jour");
  EXPECT_NE(page.body.find("<caption>2 fiches"), std::string::npos);
  const std::size_t poor_at = page.body.find("Fiche presque vide");
  const std::size_t ccas_at = page.body.find("CCAS de Rennes");
  ASSERT_NE(poor_at, std::string::npos);
  ASSERT_NE(ccas_at, std::string::npos);
  EXPECT_LT(poor_at, ccas_at);
  EXPECT_NE(page.body.find("aucun contact"), std::string::npos) << page.body;

  http::Response dashboard = Get("/tableau-de-bord", SignedIn("coord@exemple.fr"));
  EXPECT_NE(dashboard.body.find("href=\"/annuaire/a-mettre-a-jour\""), std::string::npos);
  EXPECT_EQ(Get("/tableau-de-bord", SignedIn("accueil@exemple.fr"))
                .body.find("href=\"/annuaire/a-mettre-a-jour\""),
            std::string::npos);
}

}  // namespace
}  // namespace pasip::web
