#include "app/demo.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>

#include "app/territory_import.h"
#include "core/crypto.h"
#include "core/text.h"
#include "domain/directory/directory.h"
#include "domain/reception/reception.h"
#include "domain/territory/import.h"

namespace pasip::app {
namespace {

constexpr std::string_view kDepartement = "35";
constexpr std::string_view kRegion = "53";
constexpr std::string_view kSource = "pasip";

// ---------------------------------------------------------------------------------------
// Communes.

// The communes the demo uses (its sites, the bus's stops, the partners), as the COG 2026,
// La Poste's centres and the npm package give them, so that the demo works without either.
struct DemoCommune {
  std::string_view code;
  std::string_view name;
  std::int64_t population;
  double lat;
  double lon;
  std::string_view codes_postaux;  // space-separated
};

constexpr DemoCommune kCommunes[] = {
    {"35238", "Rennes", 230890, 48.11198, -1.68186, "35000 35200 35700"},
    {"35115", "Fougères", 20307, 48.35247, -1.19431, "35300"},
    {"35236", "Redon", 9542, 47.66097, -2.08009, "35600"},
    {"35288", "Saint-Malo", 47439, 48.64004, -1.98061, "35400"},
    {"35012", "Bain-de-Bretagne", 7674, 47.83029, -1.67650, "35470"},
    {"35188", "Montfort-sur-Meu", 6810, 48.12610, -1.96303, "35160"},
    {"35360", "Vitré", 19365, 48.11408, -1.19371, "35500"},
    {"35297", "Saint-Méen-le-Grand", 4653, 48.19256, -2.19498, "35290"},
    {"35223", "Plélan-le-Grand", 4076, 47.99687, -2.07990, "35380"},
    {"35051", "Cesson-Sévigné", 18761, 48.12023, -1.59714, "35510"},
    {"35047", "Bruz", 19683, 48.02618, -1.74817, "35170"},
    {"35281", "Saint-Jacques-de-la-Lande", 13800, 48.07556, -1.72405, "35136"},
    {"35093", "Dinard", 10772, 48.62418, -2.06198, "35800"},
    {"35085", "Combourg", 6411, 48.40836, -1.74519, "35270"},
    {"35136", "Janzé", 8649, 47.94290, -1.50039, "35150"},
    {"35126", "Guichen", 9412, 47.96539, -1.79026, "35580"},
    {"35130", "Hédé-Bazouges", 2267, 48.30188, -1.77748, "35630"},
    {"35095", "Dol-de-Bretagne", 5829, 48.53641, -1.74136, "35120"},
    {"35125", "La Guerche-de-Bretagne", 4554, 47.94426, -1.24422, "35130"},
    {"35152", "Liffré", 9339, 48.20410, -1.51421, "35340"},
};

const DemoCommune* FindDemoCommune(std::string_view code) {
  for (const DemoCommune& c : kCommunes) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

territory::Commune ToCommune(const DemoCommune& d) {
  territory::Commune c;
  c.code = std::string(d.code);
  c.name = std::string(d.name);
  c.departement = std::string(kDepartement);
  c.region = std::string(kRegion);
  c.population = d.population;
  c.latitude = d.lat;
  c.longitude = d.lon;
  for (const auto& postcode : text::Split(d.codes_postaux, ' ')) {
    c.codes_postaux.emplace_back(postcode);
  }
  return c;
}

Result<std::string> ReadSource(const std::filesystem::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  if (in) out << in.rdbuf();
  if (!in || in.bad()) {
    return Fail(
        InvalidArgument(std::string(what) + " illisible : " + path.string() + ".", "fichier"));
  }
  return out.str();
}

Result<std::vector<territory::Commune>> ParseSource(const std::filesystem::path& path,
                                                    const char* what) {
  PASIP_ASSIGN_OR_RETURN(text, ReadSource(path, what));
  auto parsed = ParseCommunesText(text, kDepartement);
  if (!parsed) {
    return Fail(
        InvalidArgument(std::string(what) + " " + path.string() + " : " + parsed.error().message,
                        parsed.error().field));
  }
  return std::move(parsed->communes);
}

// ---------------------------------------------------------------------------------------
// Organisations, sites and accounts.

struct DemoSite {
  const char* name;
  const char* address;
  const char* commune;
  double lat;
  double lon;
};

struct DemoOrganisation {
  const char* name;
  const char* kind;
  std::vector<DemoSite> sites;
};

// Invented organisations in real communes of Ille-et-Vilaine, at plausible points of
// their towns.
const std::vector<DemoOrganisation>& Organisations() {
  static const std::vector<DemoOrganisation> orgs = {
      {"Département d'Ille-et-Vilaine (démo)",
       "departements",
       {{"Espace départemental des solidarités de Rennes (démo)", "1 rue de l'Exemple", "35238",
         48.10520, -1.67020},
        {"Espace départemental des solidarités de Fougères (démo)", "2 place Fictive", "35115",
         48.35080, -1.19950},
        {"Espace départemental des solidarités de Redon (démo)", "3 quai Imaginaire", "35236",
         47.65150, -2.08420}}},
      {"CCAS de Rennes (démo)",
       "ccas-cias",
       {{"CCAS de Rennes — accueil central (démo)", "10 boulevard de la Démo", "35238", 48.11380,
         -1.68030}}},
      {"CCAS de Saint-Malo (démo)",
       "ccas-cias",
       {{"CCAS de Saint-Malo (démo)", "5 rue du Rempart fictif", "35288", 48.64340, -1.99210}}},
      {"France services de Bain-de-Bretagne (démo)",
       "france-service",
       {{"France services de Bain-de-Bretagne (démo)", "8 place de la Mairie fictive", "35012",
         47.83190, -1.68060},
        {"France services itinérante — arrêt de Montfort-sur-Meu (démo)", "Parking de la gare",
         "35188", 48.13730, -1.95960}}},
      {"Association Solidarité Vitré (démo)",
       "associations",
       {{"Accueil de jour de Vitré (démo)", "12 rue des Tanneurs fictive", "35360", 48.12370,
         -1.20910}}},
      {"Caf d'Ille-et-Vilaine (démo)",
       "caf",
       {{"Caf — point d'accueil de Rennes (démo)", "20 cours Fictif", "35238", 48.10410,
         -1.67350}}},
  };
  return orgs;
}

const DemoSite* FindDemoSite(std::string_view name) {
  for (const DemoOrganisation& o : Organisations()) {
    for (const DemoSite& s : o.sites) {
      if (name == s.name) return &s;
    }
  }
  return nullptr;
}

struct DemoUser {
  const char* role;
  const char* name;
  int organisation;  // index in Organisations()
};

// The organisation (index in Organisations()) whose site receives the demo's reception data:
// the CCAS de Rennes, where the demo accueil agent works.
constexpr std::size_t kReceptionOrganisation = 1;

constexpr DemoUser kUsers[] = {
    {"accueil", "Camille Agent (démo)", 1},      {"social", "Dominique Travailleur (démo)", 0},
    {"partenaire", "Alex Partenaire (démo)", 5}, {"coordination", "Sacha Coordination (démo)", 0},
    {"admin", "Morgan Admin (démo)", 0},
};

std::string DemoEmail(const std::string& role) { return role + "@demo.pasip.fr"; }
std::string DemoPassword(const std::string& role) { return "demo-" + role + "-pasip"; }
// A fixed secret per role, so that the printed secret stays valid across runs.
std::string DemoTotpSecret(const std::string& role) {
  return crypto::Base32Encode(crypto::Sha256("pasip-demo-totp-" + role).substr(0, 20));
}

// ---------------------------------------------------------------------------------------
// The directory.

using Strings = std::vector<std::string_view>;

struct ServiceSpec {
  std::string_view key;  // appended to the structure's key for the source_id
  std::string_view nom;
  std::string_view description;
  std::string_view type;
  Strings thematiques;
  Strings publics;
  Strings modes_accueil = {"en-presentiel"};
  Strings modes_mobilisation = {"se-presenter", "telephoner"};
  Strings mobilisable_par = {"usagers", "professionnels"};
  std::string_view frais = "gratuit";
  std::string_view horaires = {};    // empty: the structure's
  std::string_view conditions = {};  // conditions_acces
  // Eligibility: "commune" for the structure's commune; empty for the département.
  std::string_view zone = {};
  std::string_view telephone = {};
  bool contacts_publics = true;
  // A permanence held in another structure of the demo (its key), with its hours.
  std::string_view host = {};
  std::string_view host_horaires = {};
  std::string_view host_precisions = {};
};

struct StopSpec {
  std::string_view lieu;
  std::string_view commune;
  double dlat;  // from the commune's centre, degrees
  double dlon;
  std::string_view horaires;
};

struct StructureSpec {
  std::string_view key;  // source_id
  std::string_view nom;
  std::string_view site = {};  // the demo site it is (name), or empty for a partner
  // A partner's commune, address and position (offset from the commune's centre).
  std::string_view commune = {};
  std::string_view adresse = {};
  double dlat = 0;
  double dlon = 0;
  bool a_distance = false;  // reached by phone only: no address, not on the map
  std::string_view reseau = {};
  std::string_view telephone = {};
  std::string_view courriel = {};
  std::string_view horaires = {};
  std::string_view description = {};
  Strings label = {};  // PASIP criteria met; {"*"} for all
  Strings langues = {"fr"};
  bool langue_des_signes = false;
  bool interpretariat = false;
  std::optional<bool> pmr = {};
  std::vector<directory::Referent> referents = {};
  std::vector<StopSpec> arrets = {};
  bool fermeture_noel = false;        // closed over the coming Christmas holidays
  std::string_view information = {};  // a notice for the coming month
  int age_jours = 0;                  // date_maj, in days before today
  std::vector<ServiceSpec> services = {};
};

// Services that several partners of one kind deliver alike.
ServiceSpec MissionLocaleEmploi() {
  return {.key = "emploi",
          .nom = "Accompagnement des jeunes vers l'emploi",
          .description =
              "Un conseiller suit chaque jeune de 16 à 25 ans : projet professionnel, "
              "CV, candidatures, Contrat d'engagement jeune.",
          .type = "accompagnement",
          .thematiques = {"trouver-un-emploi--repondre-a-des-offres-demploi",
                          "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation",
                          "choisir-un-metier--identifier-ses-points-forts-et-ses-competences"},
          .publics = {"jeunes"},
          .modes_accueil = {"en-presentiel", "a-distance"},
          .conditions = "Avoir entre 16 et 25 ans."};
}

ServiceSpec MissionLocaleVieQuotidienne() {
  return {.key = "vie-quotidienne",
          .nom = "Logement, santé et mobilité des jeunes",
          .description =
              "Information et aide pour trouver un logement, se soigner, passer le "
              "permis ou financer ses déplacements.",
          .type = "information",
          .thematiques = {"logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-"
                          "logement",
                          "sante--acces-aux-soins", "mobilite--financer-ma-mobilite"},
          .publics = {"jeunes"}};
}

ServiceSpec DistributionAlimentaire(std::string_view horaires) {
  return {.key = "distribution",
          .nom = "Distribution alimentaire",
          .description =
              "Colis alimentaires et produits d'hygiène pour les personnes et familles "
              "aux revenus modestes, après un premier entretien d'inscription.",
          .type = "aide-materielle",
          .thematiques = {"equipement-et-alimentation--alimentation"},
          .publics = {"familles", "personnes-en-situation-durgence",
                      "beneficiaires-des-minimas-sociaux"},
          .modes_mobilisation = {"se-presenter"},
          .horaires = horaires,
          .conditions = "Inscription sur justificatifs de ressources."};
}

ServiceSpec ConseilBudget() {
  return {.key = "budget",
          .nom = "Conseil budgétaire gratuit et confidentiel",
          .description =
              "Faire le point sur son budget, prévenir les impayés, monter un dossier "
              "de surendettement, avec un conseiller.",
          .type = "accompagnement",
          .thematiques = {"difficultes-financieres--ameliorer-sa-gestion-budgetaire",
                          "difficultes-financieres--situation-dendettement-surendettement",
                          "difficultes-financieres--prevenir-une-degradation-de-la-situation-"
                          "financiere"},
          .publics = {"tous-publics"},
          .modes_accueil = {"en-presentiel", "a-distance"},
          .modes_mobilisation = {"telephoner", "envoyer-un-courriel"}};
}

const std::vector<StructureSpec>& Structures() {
  static const std::vector<StructureSpec> specs = {
      // The demo's sites.
      {.key = "demo-eds-rennes",
       .nom = "Espace départemental des solidarités de Rennes (démo)",
       .site = "Espace départemental des solidarités de Rennes (démo)",
       .reseau = "departements",
       .telephone = "02 99 00 10 10",
       .courriel = "eds-rennes@example.org",
       .horaires = "Mo-We,Fr 08:30-12:30,13:30-17:30; Th 08:30-12:30,13:30-19:00; PH off",
       .description = "Accueil social de proximité du Département : écoute, accès aux droits, "
                      "accompagnement social, protection de l'enfance, autonomie.",
       .label = {"*"},
       .langues = {"fr", "en", "ar"},
       .interpretariat = true,
       .pmr = true,
       .referents = {{"Nolwenn Exemple", "Responsable de l'accueil", "02 99 00 10 11",
                      "nolwenn.exemple@example.org"},
                     {"Karim Fictif", "Travailleur social référent des partenaires",
                      "02 99 00 10 12", "karim.fictif@example.org"}},
       .age_jours = 12,
       .services = {{.key = "accueil",
                     .nom = "Premier accueil social inconditionnel",
                     .description = "Écoute de toute personne, sans condition, information sur "
                                    "ses droits et orientation vers le bon interlocuteur.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-pour-lacces-aux-droits",
                                     "difficultes-administratives-ou-juridiques--"
                                     "accompagnement-aux-demarches-administratives"},
                     .publics = {"tous-publics"},
                     .modes_accueil = {"en-presentiel", "a-distance"}},
                    {.key = "budget",
                     .nom = "Accompagnement budgétaire",
                     .description = "Un conseiller en économie sociale et familiale aide à "
                                    "équilibrer le budget et à prévenir les dettes.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-financieres--ameliorer-sa-gestion-budgetaire",
                                     "difficultes-financieres--acquerir-une-autonomie-budgetaire"},
                     .publics = {"tous-publics"},
                     .modes_mobilisation = {"telephoner"}},
                    {.key = "parentalite",
                     .nom = "Soutien à la parentalité",
                     .description = "Consultations de puériculture, entretiens avec une "
                                    "sage-femme, conseils éducatifs pour les parents.",
                     .type = "accompagnement",
                     .thematiques = {"famille--soutien-a-la-parentalite-et-a-leducation"},
                     .publics = {"familles"},
                     .horaires = "Tu,Th 09:00-12:00; PH off"}}},
      {.key = "demo-eds-fougeres",
       .nom = "Espace départemental des solidarités de Fougères (démo)",
       .site = "Espace départemental des solidarités de Fougères (démo)",
       .reseau = "departements",
       .telephone = "02 99 00 11 10",
       .courriel = "eds-fougeres@example.org",
       .horaires = "Mo-Fr 09:00-12:00,13:30-17:00; PH off",
       .description = "Accueil social du Département pour le pays de Fougères.",
       .label = {"sans_condition", "ecoute_globale", "information_droits", "orientation",
                 "accueil_physique", "accueil_telephonique", "sans_rendez_vous", "sur_rendez_vous",
                 "accessible_pmr", "espace_confidentiel"},
       .pmr = true,
       .referents = {{"Maëlle Démo", "Secrétaire d'accueil", "02 99 00 11 11", ""}},
       .age_jours = 40,
       .services = {{.key = "accueil",
                     .nom = "Premier accueil social inconditionnel",
                     .description = "Écoute, information sur les droits et orientation, sans "
                                    "rendez-vous le matin.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-pour-lacces-aux-droits"},
                     .publics = {"tous-publics"}},
                    {.key = "autonomie",
                     .nom = "Aide aux personnes âgées et à leurs aidants",
                     .description = "Information sur l'allocation personnalisée d'autonomie, "
                                    "l'aide à domicile et le soutien aux aidants.",
                     .type = "information",
                     .thematiques = {"famille--prise-en-charge-personne-dependante",
                                     "famille--soutien-aidants"},
                     .publics = {"seniors"}}}},
      {.key = "demo-eds-redon",
       .nom = "Espace départemental des solidarités de Redon (démo)",
       .site = "Espace départemental des solidarités de Redon (démo)",
       .reseau = "departements",
       .telephone = "02 99 00 12 10",
       .horaires = "Mo-Fr 09:00-12:00,13:30-17:00; PH off",
       .label = {"sans_condition", "ecoute_globale", "information_droits", "orientation",
                 "accueil_physique", "accueil_telephonique", "sur_rendez_vous"},
       .pmr = false,
       .age_jours = 150,
       .services = {{.key = "accueil",
                     .nom = "Premier accueil social inconditionnel",
                     .description = "Accueil et orientation de toute personne du pays de Redon.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-pour-lacces-aux-droits"},
                     .publics = {"tous-publics"}},
                    {.key = "logement",
                     .nom = "Aide au maintien dans le logement",
                     .description = "Fonds de solidarité pour le logement : aide en cas "
                                    "d'impayés de loyer ou d'énergie.",
                     .type = "aide-financiere",
                     .thematiques = {"logement-hebergement--reduire-les-impayes-de-loyer",
                                     "logement-hebergement--se-maintenir-dans-le-logement"},
                     .publics = {"tous-publics"},
                     .mobilisable_par = {"professionnels"}}}},
      {.key = "demo-ccas-rennes",
       .nom = "CCAS de Rennes — accueil central (démo)",
       .site = "CCAS de Rennes — accueil central (démo)",
       .reseau = "ccas-cias",
       .telephone = "02 99 00 20 10",
       .courriel = "ccas-accueil@example.org",
       .horaires = "Mo-Fr 09:00-17:00; Sa 09:00-12:00; PH off",
       .description = "Accueil social de la Ville de Rennes : domiciliation, aides facultatives, "
                      "aide alimentaire d'urgence.",
       .label = {"*"},
       .langues = {"fr", "en"},
       .langue_des_signes = true,
       .pmr = true,
       .referents = {{"Erwan Modèle", "Chef du service accueil", "02 99 00 20 11",
                      "erwan.modele@example.org"}},
       .age_jours = 5,
       .services = {{.key = "domiciliation",
                     .nom = "Domiciliation administrative",
                     .description = "Une adresse pour recevoir son courrier et faire valoir ses "
                                    "droits, pour les personnes sans domicile stable.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-aux-demarches-administratives"},
                     .publics = {"personnes-en-situation-durgence"},
                     .zone = "commune"},
                    {.key = "aide-alimentaire",
                     .nom = "Aide alimentaire d'urgence",
                     .description = "Bons alimentaires remis le jour même après un entretien.",
                     .type = "aide-materielle",
                     .thematiques = {"equipement-et-alimentation--alimentation"},
                     .publics = {"personnes-en-situation-durgence", "familles"},
                     .modes_mobilisation = {"se-presenter"},
                     .zone = "commune"},
                    {.key = "aides-facultatives",
                     .nom = "Aides financières facultatives",
                     .description = "Secours ponctuels pour faire face à une dépense imprévue, "
                                    "après évaluation par un travailleur social.",
                     .type = "aide-financiere",
                     .thematiques = {"difficultes-financieres--prevenir-une-degradation-de-la-"
                                     "situation-financiere"},
                     .publics = {"tous-publics"},
                     .mobilisable_par = {"professionnels"},
                     .zone = "commune",
                     .telephone = "02 99 00 20 15",
                     .contacts_publics = false}}},
      {.key = "demo-ccas-saint-malo",
       .nom = "CCAS de Saint-Malo (démo)",
       .site = "CCAS de Saint-Malo (démo)",
       .reseau = "ccas-cias",
       .telephone = "02 99 00 30 10",
       .courriel = "ccas-saint-malo@example.org",
       .horaires = "Mo-Fr 08:30-12:00,13:30-17:00; PH off",
       .label = {"sans_condition", "ecoute_globale", "information_droits", "orientation",
                 "accueil_physique", "accueil_telephonique", "accueil_numerique",
                 "sans_rendez_vous", "sur_rendez_vous", "espace_confidentiel"},
       .pmr = true,
       .referents = {{"Sophie Essai", "Conseillère sociale", "02 99 00 30 11",
                      "sophie.essai@example.org"}},
       .fermeture_noel = true,
       .age_jours = 60,
       .services = {{.key = "accueil",
                     .nom = "Accueil et accès aux droits",
                     .description = "Information sur les aides sociales, aide aux dossiers, "
                                    "orientation vers les partenaires.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-pour-lacces-aux-droits"},
                     .publics = {"tous-publics"},
                     .zone = "commune"},
                    {.key = "numerique",
                     .nom = "Démarches en ligne accompagnées",
                     .description = "Un poste et un agent pour faire ses démarches sur "
                                    "internet (CAF, impôts, ANTS).",
                     .type = "accompagnement",
                     .thematiques = {"numerique--acceder-a-des-services-en-ligne"},
                     .publics = {"tous-publics", "seniors"},
                     .horaires = "Mo,We 14:00-17:00",
                     .zone = "commune"}}},
      {.key = "demo-france-services-bain",
       .nom = "France services de Bain-de-Bretagne (démo)",
       .site = "France services de Bain-de-Bretagne (démo)",
       .reseau = "france-service",
       .telephone = "02 99 00 40 10",
       .courriel = "france-services-bain@example.org",
       .horaires = "Mo-Fr 09:00-12:00,13:30-17:30; Sa 09:00-12:00; PH off",
       .description = "Un seul lieu pour les démarches avec la Caf, France Travail, l'Assurance "
                      "maladie, les impôts, l'ANTS et La Poste.",
       .label = {"*"},
       .langues = {"fr", "en"},
       .pmr = true,
       .referents = {{"Yann Démo", "Animateur France services", "02 99 00 40 11",
                      "yann.demo@example.org"}},
       .information = "Nouveau : un conseiller numérique reçoit le mardi après-midi, sans "
                      "rendez-vous.",
       .age_jours = 20,
       .services = {{.key = "demarches",
                     .nom = "Accompagnement aux démarches administratives",
                     .description = "Aide pour les dossiers de la Caf, de l'Assurance maladie, "
                                    "des impôts, de France Travail et de l'ANTS.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-aux-demarches-administratives",
                                     "numerique--acceder-a-des-services-en-ligne"},
                     .publics = {"tous-publics"}},
                    {.key = "poste-libre",
                     .nom = "Poste informatique en libre accès",
                     .description = "Ordinateur, imprimante et scanner pour ses démarches.",
                     .type = "aide-materielle",
                     .thematiques = {"numerique--acceder-a-une-connexion-internet"},
                     .publics = {"tous-publics"},
                     .modes_mobilisation = {"se-presenter"}},
                    {.key = "ateliers",
                     .nom = "Ateliers numériques",
                     .description = "Apprendre à se servir d'un ordinateur et d'une messagerie, "
                                    "en petit groupe.",
                     .type = "atelier",
                     .thematiques = {"numerique--maitriser-les-fondamentaux-du-numerique"},
                     .publics = {"tous-publics", "seniors"},
                     .horaires = "Tu 14:00-16:00"}}},
      {.key = "demo-france-services-itinerante",
       .nom = "France services itinérante de Brocéliande (démo)",
       .site = "France services itinérante — arrêt de Montfort-sur-Meu (démo)",
       .reseau = "france-service",
       .telephone = "02 99 00 41 10",
       .courriel = "bus-france-services@example.org",
       .horaires = "We[1,3] 09:00-12:00; PH off",
       .description = "Le bus France services vient dans les communes : démarches "
                      "administratives et numériques, sans rendez-vous.",
       .label = {"sans_condition", "ecoute_globale", "information_droits", "orientation",
                 "accueil_physique", "accueil_telephonique", "sans_rendez_vous", "accessible_pmr"},
       .pmr = true,
       .arrets = {{"Parking de la gare", "35188", 0.0112, 0.00343, "We[1,3] 09:00-12:00; PH off"},
                  {"Place de la mairie", "35297", 0.0010, -0.0015, "We[2,4] 09:00-12:00; PH off"},
                  {"Place du marché", "35223", -0.0008, 0.0012, "Th 14:00-17:00; PH off"}},
       .age_jours = 30,
       .services = {{.key = "demarches",
                     .nom = "Démarches administratives au bus France services",
                     .description = "Aide aux démarches en ligne et aux dossiers, à chaque "
                                    "arrêt du bus.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-aux-demarches-administratives",
                                     "numerique--acceder-a-des-services-en-ligne"},
                     .publics = {"tous-publics"},
                     .modes_mobilisation = {"se-presenter"}},
                    {.key = "numerique",
                     .nom = "Initiation au numérique",
                     .description = "Prendre en main une tablette ou un téléphone, créer une "
                                    "adresse de courriel.",
                     .type = "atelier",
                     .thematiques = {"numerique--maitriser-les-fondamentaux-du-numerique"},
                     .publics = {"seniors", "tous-publics"}}}},
      {.key = "demo-accueil-de-jour-vitre",
       .nom = "Accueil de jour de Vitré (démo)",
       .site = "Accueil de jour de Vitré (démo)",
       .reseau = "",
       .telephone = "02 99 00 50 10",
       .horaires = "Mo-Fr 09:00-12:00; We 14:00-17:00",
       .description = "Un lieu pour se poser, prendre un café, une douche, laver son linge et "
                      "rencontrer un travailleur social.",
       .label = {"sans_condition", "ecoute_globale", "orientation", "accueil_physique",
                 "sans_rendez_vous"},
       .age_jours = 760,
       .services = {{.key = "accueil-de-jour",
                     .nom = "Accueil de jour",
                     .description = "Café, douches, laverie et bagagerie pour les personnes "
                                    "sans domicile.",
                     .type = "aide-materielle",
                     .thematiques = {"remobilisation--lien-social",
                                     "equipement-et-alimentation--habillement"},
                     .publics = {"personnes-en-situation-durgence"},
                     .modes_mobilisation = {"se-presenter"},
                     .zone = "commune"},
                    {.key = "ecoute",
                     .nom = "Écoute et orientation",
                     .description = "Un travailleur social reçoit sans rendez-vous et oriente "
                                    "vers l'hébergement ou les soins.",
                     .type = "information",
                     .thematiques = {"logement-hebergement--rechercher-une-solution-"
                                     "dhebergement-temporaire",
                                     "sante--acces-aux-soins"},
                     .publics = {"personnes-en-situation-durgence"}}}},
      {.key = "demo-caf-rennes",
       .nom = "Caf — point d'accueil de Rennes (démo)",
       .site = "Caf — point d'accueil de Rennes (démo)",
       .reseau = "caf",
       .telephone = "02 99 00 60 10",
       .horaires = "Mo-Fr 08:30-16:30; PH off",
       .description = "Accueil des allocataires : prestations familiales, logement, RSA, prime "
                      "d'activité, sur rendez-vous l'après-midi.",
       .label = {"information_droits", "orientation", "accueil_physique", "accueil_telephonique",
                 "accueil_numerique", "sur_rendez_vous", "accessible_pmr", "espace_confidentiel"},
       .langues = {"fr", "en"},
       .pmr = true,
       .referents = {{"Alexis Fictif", "Conseiller partenaires", "02 99 00 60 11",
                      "alexis.fictif@example.org"}},
       .age_jours = 25,
       .services = {{.key = "prestations",
                     .nom = "Information sur les prestations de la Caf",
                     .description = "Comprendre ses droits, déclarer un changement de "
                                    "situation, suivre un dossier.",
                     .type = "information",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-pour-lacces-aux-droits",
                                     "famille--soutien-a-la-parentalite-et-a-leducation"},
                     .publics = {"familles", "beneficiaires-des-minimas-sociaux"},
                     .modes_accueil = {"en-presentiel", "a-distance"},
                     .modes_mobilisation = {"telephoner", "utiliser-lien-mobilisation"}},
                    {.key = "permanence-saint-malo",
                     .nom = "Permanence de la Caf au CCAS de Saint-Malo",
                     .description = "Un conseiller de la Caf reçoit au CCAS de Saint-Malo, sur "
                                    "rendez-vous pris par le CCAS.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-pour-lacces-aux-droits"},
                     .publics = {"familles", "beneficiaires-des-minimas-sociaux"},
                     .modes_mobilisation = {"telephoner"},
                     .mobilisable_par = {"professionnels"},
                     .zone = "",
                     .telephone = "02 99 00 60 15",
                     .contacts_publics = false,
                     .host = "demo-ccas-saint-malo",
                     .host_horaires = "Tu 09:00-12:00; PH off",
                     .host_precisions = "Sur rendez-vous, pris auprès de l'accueil du CCAS."}}},

      // Partners of other kinds, for a realistic map.
      {.key = "demo-mission-locale-rennes",
       .nom = "Mission locale – Rennes (démo)",
       .site = {},
       .commune = "35238",
       .adresse = "7 rue de l'Avenir fictive",
       .dlat = -0.0042,
       .dlon = 0.0061,
       .reseau = "mission-locale",
       .telephone = "02 99 00 70 10",
       .courriel = "mission-locale-rennes@example.org",
       .horaires = "Mo-Fr 09:00-12:30,13:30-17:30; PH off",
       .label = {"accueil_physique", "accueil_telephonique", "sur_rendez_vous", "sans_rendez_vous"},
       .age_jours = 45,
       .services = {MissionLocaleEmploi(), MissionLocaleVieQuotidienne()}},
      {.key = "demo-mission-locale-saint-malo",
       .nom = "Mission locale – Saint-Malo (démo)",
       .commune = "35288",
       .adresse = "4 avenue des Jeunes fictive",
       .dlat = 0.0021,
       .dlon = -0.0037,
       .reseau = "mission-locale",
       .telephone = "02 99 00 70 20",
       .horaires = "Mo-Fr 09:00-12:00,13:30-17:30",
       .age_jours = 90,
       .services = {MissionLocaleEmploi()}},
      {.key = "demo-mission-locale-fougeres",
       .nom = "Mission locale – Fougères (démo)",
       .commune = "35115",
       .adresse = "9 rue du Projet fictive",
       .dlat = 0.0025,
       .dlon = 0.0030,
       .reseau = "mission-locale",
       .telephone = "02 99 00 70 30",
       .horaires = "Mo-Th 09:00-12:00,13:30-17:30; Fr 09:00-12:00",
       .age_jours = 70,
       .services = {MissionLocaleEmploi(), MissionLocaleVieQuotidienne()}},
      {.key = "demo-mission-locale-redon",
       .nom = "Mission locale – Redon (démo)",
       .commune = "35236",
       .adresse = "2 quai de l'Avenir fictif",
       .dlat = 0.0031,
       .dlon = 0.0040,
       .reseau = "mission-locale",
       .telephone = "02 99 00 70 40",
       .horaires = "Mo-Fr 09:00-12:00,14:00-17:00",
       .age_jours = 120,
       .services = {MissionLocaleEmploi()}},
      {.key = "demo-restos-rennes",
       .nom = "Restos du cœur – Rennes (démo)",
       .commune = "35238",
       .adresse = "15 rue de la Solidarité fictive",
       .dlat = 0.0085,
       .dlon = -0.0120,
       .reseau = "restos-du-coeur",
       .telephone = "02 99 00 71 10",
       .horaires = "Tu,Th 13:30-16:30; Sa 09:00-12:00",
       .label = {"sans_condition", "accueil_physique", "sans_rendez_vous", "horaires_adaptes"},
       .age_jours = 15,
       .services = {DistributionAlimentaire("Tu,Th 13:30-16:30; Sa 09:00-12:00")}},
      {.key = "demo-restos-redon",
       .nom = "Restos du cœur – Redon (démo)",
       .commune = "35236",
       .adresse = "6 rue du Partage fictive",
       .dlat = -0.0030,
       .dlon = -0.0025,
       .reseau = "restos-du-coeur",
       .horaires = "Tu,Fr 14:00-16:30",
       .age_jours = 100,
       .services = {DistributionAlimentaire("Tu,Fr 14:00-16:30")}},
      {.key = "demo-restos-vitre",
       .nom = "Restos du cœur – Vitré (démo)",
       .commune = "35360",
       .adresse = "3 allée du Cœur fictive",
       .dlat = -0.0055,
       .dlon = 0.0042,
       .reseau = "restos-du-coeur",
       .horaires = "We 09:00-12:00; Fr 14:00-17:00",
       .age_jours = 80,
       .services = {DistributionAlimentaire("We 09:00-12:00; Fr 14:00-17:00")}},
      {.key = "demo-restos-la-guerche",
       .nom = "Restos du cœur – La Guerche-de-Bretagne (démo)",
       .commune = "35125",
       .adresse = "2 rue de la Halle fictive",
       .dlat = 0.0015,
       .dlon = -0.0022,
       .reseau = "restos-du-coeur",
       .horaires = "Th 14:00-16:30",
       .age_jours = 85,
       .services = {DistributionAlimentaire("Th 14:00-16:30")}},
      {.key = "demo-france-services-dol",
       .nom = "France services – Dol-de-Bretagne (démo)",
       .commune = "35095",
       .adresse = "Espace public, 6 rue Fictive",
       .dlat = -0.0012,
       .dlon = 0.0016,
       .reseau = "france-service",
       .telephone = "02 99 00 42 10",
       .courriel = "france-services-dol@example.org",
       .horaires = "Mo-Fr 09:00-12:30; Tu,Th 13:30-18:30; PH off",
       .label = {"sans_condition", "information_droits", "orientation", "accueil_physique",
                 "accueil_telephonique", "accueil_numerique", "sans_rendez_vous", "sur_rendez_vous",
                 "horaires_adaptes", "accessible_pmr"},
       .pmr = true,
       .age_jours = 14,
       .services = {{.key = "demarches",
                     .nom = "Accompagnement aux démarches administratives",
                     .description = "Aide pour les dossiers de la Caf, de l'Assurance maladie, "
                                    "des impôts, de France Travail et de l'ANTS.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-aux-demarches-administratives",
                                     "numerique--acceder-a-des-services-en-ligne"},
                     .publics = {"tous-publics"}}}},
      {.key = "demo-secours-populaire-saint-malo",
       .nom = "Secours populaire – Saint-Malo (démo)",
       .commune = "35288",
       .adresse = "11 rue de l'Entraide fictive",
       .dlat = -0.0060,
       .dlon = 0.0050,
       .reseau = "secours-populaire",
       .horaires = "Mo,We 14:00-17:00",
       .age_jours = 800,
       .services = {{.key = "aide-alimentaire",
                     .nom = "Aide alimentaire et vestimentaire",
                     .description = "Libre-service alimentaire et vestiaire solidaire.",
                     .type = "aide-materielle",
                     .thematiques = {"equipement-et-alimentation--alimentation",
                                     "equipement-et-alimentation--habillement"},
                     .publics = {"tous-publics"},
                     .modes_mobilisation = {"se-presenter"}}}},
      {.key = "demo-secours-populaire-fougeres",
       .nom = "Secours populaire – Fougères (démo)",
       .commune = "35115",
       .adresse = "5 rue Fraternité fictive",
       .dlat = -0.0035,
       .dlon = -0.0041,
       .reseau = "secours-populaire",
       .telephone = "02 99 00 72 20",
       .horaires = "Tu 14:00-17:00; Sa 10:00-12:00",
       .age_jours = 200,
       .services = {{.key = "vacances",
                     .nom = "Départs en vacances et sorties familiales",
                     .description = "Journées à la mer et séjours pour les familles qui ne "
                                    "partent pas.",
                     .type = "aide-materielle",
                     .thematiques = {"remobilisation--activites-sportives-et-culturelles",
                                     "remobilisation--lien-social"},
                     .publics = {"familles"}}}},
      {.key = "demo-pcb-rennes",
       .nom = "Point conseil budget – Rennes (démo)",
       .commune = "35238",
       .adresse = "22 rue de l'Équilibre fictive",
       .dlat = 0.0040,
       .dlon = 0.0105,
       .reseau = "points-conseil-budget",
       .telephone = "02 99 00 73 10",
       .courriel = "pcb-rennes@example.org",
       .horaires = "Mo-Fr 09:00-12:00,14:00-17:00; Th 17:00-19:00",
       .label = {"sans_condition", "information_droits", "accueil_physique", "accueil_telephonique",
                 "accueil_numerique", "sur_rendez_vous", "horaires_adaptes", "espace_confidentiel"},
       .age_jours = 35,
       .services = {ConseilBudget()}},
      {.key = "demo-pcb-saint-malo",
       .nom = "Point conseil budget – Saint-Malo (démo)",
       .commune = "35288",
       .adresse = "8 rue de la Prévoyance fictive",
       .dlat = 0.0045,
       .dlon = 0.0020,
       .reseau = "points-conseil-budget",
       .telephone = "02 99 00 73 20",
       .horaires = "Tu,Th 09:00-12:00,14:00-17:00",
       .age_jours = 55,
       .services = {ConseilBudget()}},
      {.key = "demo-cidff-rennes",
       .nom = "CIDFF d'Ille-et-Vilaine – Rennes (démo)",
       .commune = "35238",
       .adresse = "3 place des Droits fictive",
       .dlat = -0.0012,
       .dlon = -0.0062,
       .reseau = "cidff",
       .telephone = "02 99 00 74 10",
       .courriel = "cidff@example.org",
       .horaires = "Mo-Fr 09:00-12:30,13:30-17:00; PH off",
       .langues = {"fr", "en", "ar"},
       .interpretariat = true,
       .pmr = true,
       .age_jours = 10,
       .services = {{.key = "juridique",
                     .nom = "Information juridique des femmes et des familles",
                     .description = "Juristes pour le droit de la famille, le divorce, les "
                                    "violences, les droits des étrangers.",
                     .type = "information",
                     .thematiques = {"famille--surmonter-conflits-separation-violence",
                                     "difficultes-administratives-ou-juridiques--"
                                     "connaitre-ses-droits-face-a-une-discrimination"},
                     .publics = {"femmes", "familles"},
                     .modes_accueil = {"en-presentiel", "a-distance"}},
                    {.key = "emploi",
                     .nom = "Accompagnement vers l'emploi des femmes",
                     .description = "Ateliers et suivi individuel pour reprendre un emploi ou "
                                    "une formation.",
                     .type = "accompagnement",
                     .thematiques = {"trouver-un-emploi--repondre-a-des-offres-demploi",
                                     "se-former--trouver-sa-formation"},
                     .publics = {"femmes"}}}},
      {.key = "demo-pimms-saint-jacques",
       .nom = "PIMMS médiation – Saint-Jacques-de-la-Lande (démo)",
       .commune = "35281",
       .adresse = "1 square de la Médiation fictive",
       .dlat = 0.0018,
       .dlon = 0.0024,
       .reseau = "pimms-mediation",
       .telephone = "02 99 00 75 10",
       .horaires = "Mo-Fr 09:00-12:30,13:30-17:30; Sa 09:00-12:00; PH off",
       .label = {"sans_condition", "ecoute_globale", "information_droits", "orientation",
                 "accueil_physique", "accueil_telephonique", "sans_rendez_vous",
                 "horaires_adaptes"},
       .langues = {"fr", "ar"},
       .age_jours = 65,
       .services = {{.key = "mediation",
                     .nom = "Médiation avec les services publics",
                     .description = "Aide pour les factures d'énergie et d'eau, les transports, "
                                    "les démarches en ligne.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-aux-demarches-administratives",
                                     "numerique--acceder-a-des-services-en-ligne"},
                     .publics = {"tous-publics", "residents-qpv-frr"}}}},
      {.key = "demo-maison-emploi-redon",
       .nom = "Maison de l'emploi – Redon (démo)",
       .commune = "35236",
       .adresse = "4 rue des Métiers fictive",
       .dlat = 0.0060,
       .dlon = -0.0045,
       .reseau = "maisons-de-l-emploi",
       .telephone = "02 99 00 76 10",
       .horaires = "Mo-Fr 09:00-12:00,13:30-17:00",
       .age_jours = 95,
       .services = {{.key = "emploi",
                     .nom = "Espace emploi et offres locales",
                     .description = "Offres d'emploi du pays de Redon, ateliers CV et "
                                    "rencontres avec des employeurs.",
                     .type = "atelier",
                     .thematiques = {"trouver-un-emploi--repondre-a-des-offres-demploi",
                                     "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-"
                                     "de-motivation"},
                     .publics = {"demandeurs-emploi"}}}},
      {.key = "demo-point-justice-rennes",
       .nom = "Point justice – Rennes (démo)",
       .commune = "35238",
       .adresse = "6 rue du Palais fictive",
       .dlat = 0.0025,
       .dlon = -0.0020,
       .reseau = "points-justice",
       .telephone = "02 99 00 77 10",
       .horaires = "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
       .pmr = true,
       .age_jours = 30,
       .services = {{.key = "consultations",
                     .nom = "Consultations juridiques gratuites",
                     .description = "Avocats, notaires et conciliateurs reçoivent sur "
                                    "rendez-vous.",
                     .type = "information",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "prendre-en-compte-une-problematique-judiciaire"},
                     .publics = {"tous-publics"},
                     .modes_mobilisation = {"telephoner"}}}},
      {.key = "demo-croix-rouge-dinard",
       .nom = "Croix-Rouge – Dinard (démo)",
       .commune = "35093",
       .adresse = "2 rue de la Plage fictive",
       .dlat = -0.0020,
       .dlon = 0.0030,
       .reseau = "croix-rouge",
       .horaires = "We,Sa 09:30-12:00",
       .age_jours = 140,
       .services = {{.key = "vestiboutique",
                     .nom = "Vestiboutique",
                     .description = "Vêtements à petits prix, ouverte à tous.",
                     .type = "aide-materielle",
                     .thematiques = {"equipement-et-alimentation--habillement"},
                     .publics = {"tous-publics"},
                     .modes_mobilisation = {"se-presenter"},
                     .frais = "payant"}}},
      {.key = "demo-france-travail-cesson",
       .nom = "France Travail – Cesson-Sévigné (démo)",
       .commune = "35051",
       .adresse = "10 rue de l'Emploi fictive",
       .dlat = 0.0015,
       .dlon = -0.0035,
       .reseau = "france-travail",
       .horaires = "Mo-We 08:30-16:30; Th 08:30-12:30; Fr 08:30-15:30; PH off",
       .pmr = true,
       .age_jours = 8,
       .services = {{.key = "inscription",
                     .nom = "Inscription et accompagnement des demandeurs d'emploi",
                     .description = "S'inscrire, actualiser sa situation, être suivi par un "
                                    "conseiller.",
                     .type = "accompagnement",
                     .thematiques = {"trouver-un-emploi--repondre-a-des-offres-demploi",
                                     "preparer-sa-candidature--organiser-ses-demarches-de-"
                                     "recherche-demploi"},
                     .publics = {"demandeurs-emploi"},
                     .modes_accueil = {"en-presentiel", "a-distance"},
                     .modes_mobilisation = {"utiliser-lien-mobilisation", "se-presenter"}}}},
      {.key = "demo-conseiller-numerique-bruz",
       .nom = "Conseiller numérique – médiathèque de Bruz (démo)",
       .commune = "35047",
       .adresse = "1 place des Livres fictive",
       .dlat = 0.0010,
       .dlon = 0.0020,
       .reseau = "conseillers-numeriques",
       .courriel = "numerique-bruz@example.org",
       .horaires = "Tu 14:00-18:00; Sa 10:00-12:00",
       .age_jours = 50,
       .services = {{.key = "ateliers",
                     .nom = "Ateliers et rendez-vous numériques",
                     .description = "Apprendre à utiliser un ordinateur, un smartphone, les "
                                    "services publics en ligne.",
                     .type = "atelier",
                     .thematiques = {"numerique--maitriser-les-fondamentaux-du-numerique",
                                     "numerique--acceder-a-des-services-en-ligne"},
                     .publics = {"tous-publics", "seniors"},
                     .modes_mobilisation = {"envoyer-un-courriel", "se-presenter"}}}},
      {.key = "demo-cpam-rennes",
       .nom = "Assurance maladie – accueil de Rennes (démo)",
       .commune = "35238",
       .adresse = "30 boulevard de la Santé fictif",
       .dlat = -0.0075,
       .dlon = -0.0040,
       .reseau = "cpam",
       .horaires = "Mo-Fr 08:30-16:30; PH off",
       .pmr = true,
       .age_jours = 22,
       .services = {{.key = "droits-sante",
                     .nom = "Accès aux droits santé",
                     .description = "Complémentaire santé solidaire, carte Vitale, "
                                    "remboursements, médecin traitant.",
                     .type = "information",
                     .thematiques = {"sante--acces-aux-soins"},
                     .publics = {"tous-publics"},
                     .modes_accueil = {"en-presentiel", "a-distance"},
                     .modes_mobilisation = {"utiliser-lien-mobilisation", "telephoner"}}}},
      {.key = "demo-mdph-rennes",
       .nom = "Maison départementale des personnes handicapées – Rennes (démo)",
       .commune = "35238",
       .adresse = "13 avenue de l'Autonomie fictive",
       .dlat = 0.0120,
       .dlon = 0.0080,
       .reseau = "mdph",
       .telephone = "02 99 00 78 10",
       .horaires = "Mo-Fr 09:00-12:00,13:30-16:30; PH off",
       .langue_des_signes = true,
       .pmr = true,
       .age_jours = 75,
       .services = {{.key = "dossier",
                     .nom = "Constituer un dossier MDPH",
                     .description = "Aide pour remplir la demande de compensation du handicap "
                                    "et suivre son dossier.",
                     .type = "accompagnement",
                     .thematiques = {"sante--constituer-un-dossier-mdph-invalidite"},
                     .publics = {"personnes-en-situation-de-handicap"}}}},
      {.key = "demo-centre-social-janze",
       .nom = "Centre social – Janzé (démo)",
       .commune = "35136",
       .adresse = "2 rue du Lien fictive",
       .dlat = 0.0012,
       .dlon = -0.0018,
       .reseau = "fcsf",
       .telephone = "02 99 00 79 10",
       .horaires = "Mo-Fr 09:00-12:00,14:00-18:00; We 18:00-20:00",
       .label = {"sans_condition", "ecoute_globale", "orientation", "accueil_physique",
                 "accueil_telephonique", "sans_rendez_vous", "horaires_adaptes"},
       .age_jours = 18,
       .services = {{.key = "lien-social",
                     .nom = "Ateliers collectifs et lien social",
                     .description = "Cuisine, couture, sorties familiales : des activités pour "
                                    "rencontrer d'autres habitants.",
                     .type = "atelier",
                     .thematiques = {"remobilisation--lien-social",
                                     "remobilisation--bien-etre-confiance-en-soi"},
                     .publics = {"tous-publics", "familles"}},
                    {.key = "francais",
                     .nom = "Ateliers de français",
                     .description = "Apprendre le français à l'oral et à l'écrit, en groupe.",
                     .type = "formation",
                     .thematiques = {"lecture-ecriture-calcul--maitriser-le-francais"},
                     .publics = {"personnes-exilees", "tous-publics"},
                     .horaires = "Mo,Th 14:00-16:00"}}},
      {.key = "demo-emmaus-hede",
       .nom = "Emmaüs – Hédé-Bazouges (démo)",
       .commune = "35130",
       .adresse = "Lieu-dit Fictif",
       .dlat = 0.0080,
       .dlon = 0.0060,
       .reseau = "emmaus",
       .horaires = "We,Sa 14:00-18:00",
       .age_jours = 110,
       .services = {{.key = "boutique",
                     .nom = "Boutique solidaire",
                     .description = "Meubles, électroménager et vaisselle à petits prix.",
                     .type = "aide-materielle",
                     .thematiques = {"equipement-et-alimentation--electromenager"},
                     .publics = {"tous-publics"},
                     .modes_mobilisation = {"se-presenter"},
                     .frais = "payant"}}},
      {.key = "demo-siao-35",
       .nom = "SIAO d'Ille-et-Vilaine – 115 (démo)",
       .commune = "35238",
       .a_distance = true,
       .reseau = "siao",
       .telephone = "115",
       .horaires = "24/7",
       .label = {"sans_condition", "ecoute_globale", "orientation", "accueil_telephonique",
                 "horaires_adaptes"},
       .age_jours = 3,
       .services = {{.key = "hebergement",
                     .nom = "Hébergement d'urgence (115)",
                     .description = "Appeler le 115, jour et nuit, pour une mise à l'abri.",
                     .type = "aide-materielle",
                     .thematiques = {"logement-hebergement--rechercher-une-solution-"
                                     "dhebergement-temporaire"},
                     .publics = {"personnes-en-situation-durgence"},
                     .modes_accueil = {"a-distance"},
                     .modes_mobilisation = {"telephoner"},
                     .telephone = "115"}}},
      {.key = "demo-msa-combourg",
       .nom = "MSA – permanence de Combourg (démo)",
       .commune = "35085",
       .adresse = "Mairie, 1 place Fictive",
       .dlat = 0.0005,
       .dlon = 0.0008,
       .reseau = "mutualite-sociale-agricole",
       .horaires = "Th 09:00-12:00",
       .age_jours = 130,
       .services = {{.key = "droits",
                     .nom = "Prestations et accompagnement des agriculteurs",
                     .description = "Santé, famille, retraite et aides en cas de difficulté "
                                    "pour les assurés agricoles.",
                     .type = "information",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-pour-lacces-aux-droits"},
                     .publics = {"actifs", "familles"},
                     .modes_mobilisation = {"telephoner"}}}},
      {.key = "demo-cmp-redon",
       .nom = "Centre médico-psychologique adultes – Redon (démo)",
       .commune = "35236",
       .adresse = "1 allée des Tilleuls fictive",
       .dlat = 0.0090,
       .dlon = 0.0050,
       .reseau = "cmp",
       .telephone = "02 99 00 80 10",
       .horaires = "Mo-Fr 09:00-17:00; PH off",
       .age_jours = 60,
       .services = {{.key = "consultations",
                     .nom = "Consultations en santé mentale",
                     .description = "Psychiatres, psychologues et infirmiers, sur rendez-vous, "
                                    "sans avance de frais.",
                     .type = "accompagnement",
                     .thematiques = {"sante--sante-mentale"},
                     .publics = {"tous-publics"},
                     .modes_mobilisation = {"telephoner"}}}},
      {.key = "demo-ccas-vitre",
       .nom = "CCAS de Vitré (démo)",
       .commune = "35360",
       .adresse = "5 place de la Mairie fictive",
       .dlat = 0.0035,
       .dlon = -0.0050,
       .reseau = "ccas-cias",
       .telephone = "02 99 00 81 10",
       .horaires = "Mo-Fr 08:30-12:00,13:30-17:30; PH off",
       .label = {"sans_condition", "ecoute_globale", "information_droits", "orientation",
                 "accueil_physique", "accueil_telephonique", "sans_rendez_vous", "sur_rendez_vous",
                 "accessible_pmr", "espace_confidentiel"},
       .pmr = true,
       .age_jours = 28,
       .services = {{.key = "accueil",
                     .nom = "Accueil social et aides facultatives",
                     .description = "Écoute, aides d'urgence et instruction des demandes "
                                    "d'aide sociale.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-pour-lacces-aux-droits",
                                     "difficultes-financieres--prevenir-une-degradation-de-la-"
                                     "situation-financiere"},
                     .publics = {"tous-publics"},
                     .zone = "commune"}}},
      {.key = "demo-ccas-liffre",
       .nom = "CCAS de Liffré (démo)",
       .commune = "35152",
       .adresse = "Hôtel de ville, rue Fictive",
       .dlat = 0.0008,
       .dlon = 0.0012,
       .reseau = "ccas-cias",
       .telephone = "02 99 00 82 10",
       .horaires = "Mo-Fr 09:00-12:00; Tu 14:00-17:00",
       .age_jours = 160,
       .services = {{.key = "accueil",
                     .nom = "Accueil social de la commune",
                     .description = "Aide aux démarches, aide alimentaire et portage de repas "
                                    "pour les aînés.",
                     .type = "accompagnement",
                     .thematiques = {"difficultes-administratives-ou-juridiques--"
                                     "accompagnement-aux-demarches-administratives",
                                     "equipement-et-alimentation--alimentation"},
                     .publics = {"tous-publics", "seniors"},
                     .zone = "commune"}}},
  };
  return specs;
}

std::string FormatDate(const CivilTime& t) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(t.year), t.month,
                t.day);
  return buffer;
}

std::string DaysBefore(TimePoint today, int days) {
  return FormatDate(ToParisCivil(today - std::chrono::hours(24) * days));
}

// The Christmas holidays to announce: those under way, or the next ones.
directory::Notice ChristmasClosure(TimePoint today) {
  const CivilTime now = ToParisCivil(today);
  const std::int64_t year = (now.month == 1 && now.day <= 2) ? now.year - 1 : now.year;
  directory::Notice n;
  n.debut = FormatDate({year, 12, 24});
  n.fin = FormatDate({year + 1, 1, 2});
  n.message =
      "Fermeture pendant les fêtes de fin d'année, du 24 décembre au 2 janvier inclus. En "
      "urgence : le 115, ou l'Espace départemental des solidarités de Rennes.";
  n.fermeture = true;
  return n;
}

// A position near `centre`: five decimals (about a metre), as the sources write them.
double Near(double centre, double offset) { return std::round((centre + offset) * 1e5) / 1e5; }

std::vector<std::string> ToStrings(const Strings& values) { return {values.begin(), values.end()}; }

std::optional<std::string> Optional(std::string_view value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

// What the demo knows of a commune: the stored one (loaded by LoadDemoCommunes), else its
// own table.
class CommuneLookup {
 public:
  explicit CommuneLookup(territory::TerritoryStore& store) : store_(store) {}

  Result<territory::Commune> Get(std::string_view code) {
    const auto cached = cache_.find(std::string(code));
    if (cached != cache_.end()) return cached->second;
    PASIP_ASSIGN_OR_RETURN(stored, store_.FindCommune(code));
    territory::Commune c;
    const DemoCommune* known = FindDemoCommune(code);
    if (stored) {
      c = *stored;
      if (!c.latitude && known) {
        c.latitude = known->lat;
        c.longitude = known->lon;
      }
    } else if (known) {
      c = ToCommune(*known);
    } else {
      return Fail(Internal("commune " + std::string(code) + " inconnue de la démonstration."));
    }
    return cache_.emplace(std::string(code), std::move(c)).first->second;
  }

 private:
  territory::TerritoryStore& store_;
  std::map<std::string, territory::Commune, std::less<>> cache_;
};

struct BuiltStructure {
  directory::Structure structure;
  std::vector<directory::Service> services;
  std::vector<std::string_view> hosts;  // per service: the host structure's key, or empty
};

Result<BuiltStructure> Build(const StructureSpec& spec, TimePoint today, CommuneLookup& communes,
                             const std::map<std::string, identity::Site, std::less<>>& sites) {
  BuiltStructure built;
  directory::Structure& s = built.structure;
  s.source = std::string(kSource);
  s.source_id = std::string(spec.key);
  s.nom = std::string(spec.nom);
  s.date_maj = DaysBefore(today, spec.age_jours);
  std::string commune_code(spec.commune);
  std::optional<double> lat, lon;
  if (!spec.site.empty()) {
    const DemoSite* site = FindDemoSite(spec.site);
    if (!site) {
      return Fail(Internal("lieu de démonstration inconnu : " + std::string(spec.site) + "."));
    }
    commune_code = site->commune;
    s.adresse = site->address;
    lat = site->lat;
    lon = site->lon;
    if (const auto stored = sites.find(spec.site); stored != sites.end()) {
      s.site_id = stored->second.id;
      s.organisation_id = stored->second.organisation_id;
    }
  } else {
    s.adresse = Optional(spec.adresse);
  }
  PASIP_ASSIGN_OR_RETURN(commune, communes.Get(commune_code));
  if (!lat && commune.latitude && !spec.a_distance) {
    lat = Near(*commune.latitude, spec.dlat);
    lon = Near(*commune.longitude, spec.dlon);
  }
  s.latitude = lat;
  s.longitude = lon;
  s.code_insee = commune.code;
  s.commune = commune.name;
  if (!commune.codes_postaux.empty()) s.code_postal = commune.codes_postaux.front();
  s.telephone = Optional(spec.telephone);
  s.courriel = Optional(spec.courriel);
  s.horaires_accueil = Optional(spec.horaires);
  s.description = Optional(spec.description);
  if (!spec.reseau.empty()) s.reseaux_porteurs = {std::string(spec.reseau)};
  for (std::string_view criterion : spec.label) {
    if (criterion == "*") {
      for (const auto& c : directory::PasipCriteria()) {
        directory::SetCriterion(s.label, c.value, true);
      }
    } else if (!directory::SetCriterion(s.label, criterion, true)) {
      return Fail(Internal("critère PASIP inconnu : " + std::string(criterion) + "."));
    }
  }
  s.accessibilite.langues = ToStrings(spec.langues);
  s.accessibilite.langue_des_signes = spec.langue_des_signes;
  s.accessibilite.interpretariat = spec.interpretariat;
  s.accessibilite.pmr = spec.pmr;
  s.referents = spec.referents;
  for (const StopSpec& stop : spec.arrets) {
    PASIP_ASSIGN_OR_RETURN(place, communes.Get(stop.commune));
    directory::ItinerantStop a;
    a.lieu = std::string(stop.lieu) + ", " + place.name;
    a.code_insee = place.code;
    if (place.latitude) {
      a.latitude = Near(*place.latitude, stop.dlat);
      a.longitude = Near(*place.longitude, stop.dlon);
    }
    a.horaires = std::string(stop.horaires);
    s.arrets.push_back(std::move(a));
  }
  if (spec.fermeture_noel) s.avis.push_back(ChristmasClosure(today));
  if (!spec.information.empty()) {
    s.avis.push_back(
        {DaysBefore(today, 0), DaysBefore(today, -30), std::string(spec.information), false});
  }
  PASIP_TRY(directory::ValidateStructure(s));

  for (const ServiceSpec& spec_service : spec.services) {
    directory::Service v;
    v.source = std::string(kSource);
    v.source_id = std::string(spec.key) + "-" + std::string(spec_service.key);
    v.nom = std::string(spec_service.nom);
    v.description = std::string(spec_service.description);
    v.date_maj = s.date_maj;
    v.type = Optional(spec_service.type);
    v.frais = Optional(spec_service.frais);
    v.conditions_acces = Optional(spec_service.conditions);
    v.thematiques = ToStrings(spec_service.thematiques);
    v.publics = ToStrings(spec_service.publics);
    v.modes_accueil = ToStrings(spec_service.modes_accueil);
    v.modes_mobilisation = ToStrings(spec_service.modes_mobilisation);
    v.mobilisable_par = ToStrings(spec_service.mobilisable_par);
    v.zone_eligibilite = {spec_service.zone == "commune" ? commune.code
                                                         : std::string(kDepartement)};
    v.horaires_accueil = Optional(spec_service.horaires);
    v.telephone = Optional(spec_service.telephone);
    v.contacts_publics = spec_service.contacts_publics;
    if (!spec_service.host.empty()) {
      // The host's id is known once it is stored: CreateDemoDirectory fills it in.
      v.permanences.push_back(
          {0, std::string(spec_service.host_horaires), std::string(spec_service.host_precisions)});
    } else {
      PASIP_TRY(directory::ValidateService(v));
    }
    built.services.push_back(std::move(v));
    built.hosts.push_back(spec_service.host);
  }
  return built;
}

// Adds `commune` to `communes`, or completes the one with its code.
void Merge(std::map<std::string, territory::Commune>& communes, territory::Commune commune) {
  auto [it, inserted] = communes.try_emplace(commune.code, commune);
  if (inserted) return;
  territory::Commune& known = it->second;
  if (!known.latitude && commune.latitude) {
    known.latitude = commune.latitude;
    known.longitude = commune.longitude;
  }
  if (known.codes_postaux.empty()) known.codes_postaux = std::move(commune.codes_postaux);
  if (!known.population) known.population = commune.population;
}

}  // namespace

DemoSources FindDemoSources(const std::filesystem::path& executable) {
  std::error_code ec;
  std::filesystem::path exe = executable;
  if (exe.empty()) exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  DemoSources found;
  if (ec || exe.empty()) return found;
  const std::filesystem::path package = std::filesystem::path("node_modules") / "@etalab" /
                                        "decoupage-administratif" / "data" / "communes.json";
  const std::filesystem::path csv =
      std::filesystem::path("shared") / "data" / "communes" / "communes_cog2026_coords_laposte.csv";
  for (std::filesystem::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (found.communes_json.empty() && std::filesystem::is_regular_file(dir / package, ec)) {
      found.communes_json = dir / package;
    }
    if (found.coordinates_csv.empty() && std::filesystem::is_regular_file(dir / csv, ec)) {
      found.coordinates_csv = dir / csv;
    }
    if (dir == dir.parent_path()) break;
  }
  return found;
}

Result<DemoCommunes> LoadDemoCommunes(territory::TerritoryStore& store,
                                      const DemoSources& sources) {
  DemoCommunes report;
  std::map<std::string, territory::Commune> communes;
  if (!sources.communes_json.empty()) {
    PASIP_ASSIGN_OR_RETURN(listed, ParseSource(sources.communes_json, "Fichier des communes"));
    for (auto& c : listed) Merge(communes, std::move(c));
  } else {
    report.notes.emplace_back(
        "Paquet npm @etalab/decoupage-administratif introuvable (installez-le avec « npm ci ») : "
        "seules les communes des lieux de la démonstration sont chargées.");
  }
  if (!sources.coordinates_csv.empty()) {
    PASIP_ASSIGN_OR_RETURN(located,
                           ParseSource(sources.coordinates_csv, "Fichier des coordonnées"));
    const bool listed = !sources.communes_json.empty();
    for (auto& c : located) {
      // The package is the reference for the list of communes; the CSV only adds positions.
      if (listed && !communes.contains(c.code)) continue;
      Merge(communes, std::move(c));
    }
  } else {
    report.notes.emplace_back(
        "Fichier des coordonnées des communes absent "
        "(../shared/data/communes/communes_cog2026_coords_laposte.csv) : seules les communes "
        "des lieux de la démonstration sont placées sur la carte.");
  }
  for (const DemoCommune& known : kCommunes) Merge(communes, ToCommune(known));

  territory::ParsedCommunes parsed;
  for (auto& [code, c] : communes) {
    if (c.latitude) ++report.with_coordinates;
    if (!c.codes_postaux.empty()) ++report.with_postcodes;
    PASIP_TRY(territory::AddParsedCommune(parsed, std::move(c), "commune " + code));
  }
  report.communes = static_cast<std::int64_t>(parsed.communes.size());
  PASIP_TRY(territory::ImportCommunes(store, parsed));
  return report;
}

Result<DemoDirectory> CreateDemoDirectory(Application& app, TimePoint today) {
  Services& s = app.services();
  directory::DirectoryService& service = s.directory;
  directory::DirectoryStore& store = service.store();
  PASIP_ASSIGN_OR_RETURN(site_list, s.identity.ListSites({}));
  std::map<std::string, identity::Site, std::less<>> sites;
  for (auto& site : site_list) sites.emplace(site.name, std::move(site));

  CommuneLookup communes(s.territory);
  std::vector<BuiltStructure> built;
  DemoDirectory counts;
  for (const StructureSpec& spec : Structures()) {
    PASIP_ASSIGN_OR_RETURN(one, Build(spec, today, communes, sites));
    counts.services += static_cast<std::int64_t>(one.services.size());
    built.push_back(std::move(one));
  }
  counts.structures = static_cast<std::int64_t>(built.size());
  // A site's structure was created with the site (DirectoryService::SiteSaved): the demo's
  // record of that site rewrites it, under its source id.
  std::map<std::string, std::string, std::less<>> source_ids;  // spec key → source_id
  for (BuiltStructure& b : built) {
    const std::string key = b.structure.source_id;
    if (b.structure.site_id) {
      PASIP_ASSIGN_OR_RETURN(existing, store.FindStructureBySite(*b.structure.site_id));
      if (existing) b.structure.source_id = existing->source_id;
    }
    source_ids.emplace(key, b.structure.source_id);
  }

  // The index is computed here and written with the records, in one transaction per pass
  // (DirectoryService::Reindex would write each record on its own). First pass: every
  // structure and the services held at its own address.
  std::vector<directory::StructureRecord> structures;
  std::vector<directory::ServiceRecord> services;
  std::vector<std::size_t> with_permanences;
  for (std::size_t i = 0; i < built.size(); ++i) {
    const BuiltStructure& b = built[i];
    PASIP_ASSIGN_OR_RETURN(commune, communes.Get(b.structure.code_insee.value_or("")));
    std::vector<directory::Service> own;
    for (std::size_t j = 0; j < b.services.size(); ++j) {
      if (!b.hosts[j].empty()) continue;
      own.push_back(b.services[j]);
      services.push_back({b.services[j], b.structure.source_id,
                          service.IndexOfService(b.services[j], b.structure, {}, commune)});
    }
    if (own.size() != b.services.size()) with_permanences.push_back(i);
    structures.push_back({b.structure, service.IndexOfStructure(b.structure, own, commune)});
  }
  PASIP_TRY(store.UpsertBulk(structures, services));

  // Second pass: permanences name their host by id, known now; their structures are
  // indexed again with them (they are also met at the host's address).
  structures.clear();
  services.clear();
  for (std::size_t i : with_permanences) {
    BuiltStructure& b = built[i];
    PASIP_ASSIGN_OR_RETURN(commune, communes.Get(b.structure.code_insee.value_or("")));
    std::vector<directory::Service> hosted;
    for (std::size_t j = 0; j < b.services.size(); ++j) {
      if (b.hosts[j].empty()) continue;
      const auto host_source = source_ids.find(b.hosts[j]);
      if (host_source == source_ids.end()) {
        return Fail(Internal("structure hôte inconnue : " + std::string(b.hosts[j])));
      }
      PASIP_ASSIGN_OR_RETURN(host, store.FindStructureBySource(kSource, host_source->second));
      if (!host) return Fail(Internal("structure hôte absente : " + std::string(b.hosts[j])));
      for (auto& permanence : b.services[j].permanences) permanence.host_structure_id = host->id;
      PASIP_TRY(directory::ValidateService(b.services[j]));
      const std::vector<directory::Structure> hosts = {*host};
      services.push_back({b.services[j], b.structure.source_id,
                          service.IndexOfService(b.services[j], b.structure, hosts, commune)});
    }
    structures.push_back({b.structure, service.IndexOfStructure(b.structure, b.services, commune)});
  }
  PASIP_TRY(store.UpsertBulk(structures, services));
  return counts;
}

namespace {

struct DemoPerson {
  const char* nom_affiche;
  const char* nom_naissance;
  const char* prenoms;
  const char* date_naissance;
  const char* sexe;
  const char* telephone;
  const char* commune;
};

// Invented people (names chosen as common, not as anyone's).
constexpr DemoPerson kDemoPersons[] = {
    {"Mme Martin", "Martin", "Sylvie", "1968-04-12", "femme", "06 00 00 00 01", "35238"},
    {"M. Diallo", "Diallo", "Mamadou", "1990-09-03", "homme", "06 00 00 00 02", "35238"},
    {"Mme Le Goff", "Le Goff", "Annaïg", "1957-01-27", "femme", "", "35238"},
    {"M. Petit", "Petit", "Jean-Pierre", "1982-06-30", "homme", "06 00 00 00 04", "35206"},
};

struct DemoPassage {
  int days_ago;
  int hour;
  const char* canal;
  const char* motif;
  const char* acte;
  int person;  // index in kDemoPersons, -1 = anonymous
};

constexpr DemoPassage kDemoPassages[] = {
    {13, 9, "physique_sans_rdv", "droits--rsa", "information", -1},
    {13, 10, "telephone", "droits--aides-logement", "information", -1},
    {12, 14, "physique_sans_rdv", "urgence--alimentaire", "aide-urgence", 1},
    {11, 9, "physique_sans_rdv", "droits--rsa", "aide-demarches", 0},
    {10, 11, "courriel", "droits--prime-activite", "information", -1},
    {9, 15, "physique_sans_rdv", "droits--domiciliation", "orientation-externe", -1},
    {8, 9, "telephone", "droits--rsa", "verification-droits", -1},
    {7, 10, "physique_rdv", "droits--retraite-aspa", "aide-demarches", 2},
    {6, 14, "physique_sans_rdv", "droits--css", "aide-numerique", -1},
    {5, 9, "physique_sans_rdv", "droits--rsa", "information", -1},
    {4, 16, "telephone", "urgence--hebergement", "orientation-externe", -1},
    {3, 10, "physique_sans_rdv", "droits--prestations-familiales", "information", 3},
    {2, 11, "visio", "droits--chomage", "information", -1},
    {1, 9, "physique_sans_rdv", "droits--rsa", "aide-demarches", 0},
};

}  // namespace

namespace {

// The first service of a demo structure whose name starts with `prefix`.
Result<std::optional<directory::Service>> DemoService(Services& s, std::string_view structure_key,
                                                      std::string_view prefix) {
  PASIP_ASSIGN_OR_RETURN(structure,
                         s.directory.store().FindStructureBySource(kSource, structure_key));
  if (!structure) return std::optional<directory::Service>();
  PASIP_ASSIGN_OR_RETURN(services, s.directory.store().ServicesOf(structure->id));
  for (directory::Service& service : services) {
    if (service.nom.starts_with(prefix)) return std::optional<directory::Service>(service);
  }
  return std::optional<directory::Service>();
}

// Orientations from the CCAS de Rennes, through the OrientationService as the demo agents
// (accueil) and partner (Caf) would make them. E-mails they queue stay in the outbox until an
// SMTP server is configured.
Result<std::int64_t> CreateDemoOrientations(Application& app, const identity::Principal& agent,
                                            const std::vector<reception::PersonId>& persons,
                                            TimePoint now) {
  Services& s = app.services();
  PASIP_ASSIGN_OR_RETURN(caf, DemoService(s, "demo-caf-rennes", "Information sur les prestations"));
  PASIP_ASSIGN_OR_RETURN(pcb, DemoService(s, "demo-pcb-rennes", ""));
  PASIP_ASSIGN_OR_RETURN(partner_user, s.identity.FindUserByEmail(DemoEmail("partenaire")));
  if (!caf || !pcb || !partner_user || persons.size() < 2) return 0;
  identity::Principal partner;
  partner.user_id = partner_user->id;
  partner.memberships = partner_user->memberships;
  partner.second_factor_verified = true;
  const audit::Context agent_ctx{agent.user_id, "demo"};
  const audit::Context partner_ctx{partner.user_id, "demo"};
  PASIP_ASSIGN_OR_RETURN(
      passages, s.reception.ListPassages({{}, {}, {}, {}, persons[0], {}, 1}, agent, agent_ctx));
  std::int64_t made = 0;

  orientation::Draft rsa;
  if (!passages.empty()) rsa.passage_id = passages.front().id;
  rsa.person_id = persons[0];
  rsa.service_id = caf->id;
  rsa.motifs = {"droits--rsa"};
  rsa.demande =
      "Instruction de la demande de RSA : la personne a ses trois derniers bulletins de salaire.";
  rsa.mode = "accompagnee";
  rsa.accompagnement = "rdv_demande";
  rsa.champs_partages = {"nom_affiche", "telephone"};
  rsa.consentement = "informee";
  rsa.envoyer = true;
  PASIP_ASSIGN_OR_RETURN(first, s.orientation.Create(rsa, agent, agent_ctx));
  ++made;
  PASIP_TRY(s.orientation.Get(first.orientation.id, partner, partner_ctx));
  PASIP_TRY(s.orientation.Take(first.orientation.id, orientation::Step::kAccept, {}, partner,
                               partner_ctx));
  orientation::StepInput rdv;
  CivilTime at = ToParisCivil(now + std::chrono::days(3));
  at.hour = 14;
  at.minute = 30;
  at.second = 0;
  rdv.rdv_date = FromParisCivil(at);
  rdv.rdv_lieu = "Caf — point d'accueil de Rennes, 20 cours Fictif";
  PASIP_TRY(s.orientation.Take(first.orientation.id, orientation::Step::kSetAppointment, rdv,
                               partner, partner_ctx));

  orientation::Draft family;
  family.person_id = persons[1];
  family.service_id = caf->id;
  family.motifs = {"droits--prestations-familiales"};
  family.demande = "Ouverture des prestations familiales après l'arrivée d'un deuxième enfant.";
  family.champs_partages = {"nom_affiche"};
  family.consentement = "informee";
  family.envoyer = true;
  PASIP_TRY(s.orientation.Create(family, agent, agent_ctx));
  ++made;

  orientation::Draft budget;
  budget.service_id = pcb->id;
  budget.motifs = {"droits--aides-logement"};
  budget.demande = "Conseil budgétaire : retards de loyer depuis deux mois.";
  budget.envoyer = true;
  PASIP_TRY(s.orientation.Create(budget, agent, agent_ctx));
  ++made;
  return made;
}

}  // namespace

Result<DemoReception> CreateDemoReception(Application& app, TimePoint now) {
  Services& s = app.services();
  DemoReception out;
  PASIP_ASSIGN_OR_RETURN(orgs, s.identity.ListOrganisations({}));
  const std::string& org_name = Organisations()[kReceptionOrganisation].name;
  const auto org = std::find_if(orgs.begin(), orgs.end(), [&](const identity::Organisation& o) {
    return o.name == org_name;
  });
  if (org == orgs.end()) return out;
  PASIP_ASSIGN_OR_RETURN(sites, s.identity.ListSites({org->id, ""}));
  PASIP_ASSIGN_OR_RETURN(agent, s.identity.FindUserByEmail(DemoEmail("accueil")));
  if (sites.empty() || !agent) return out;
  const identity::Site& site = sites.front();
  PASIP_ASSIGN_OR_RETURN(existing,
                         s.reception.store().ListPassages({{site.id}, {}, {}, {}, {}, {}, 1}));
  if (!existing.empty()) return out;

  identity::Principal who;
  who.user_id = agent->id;
  who.memberships = agent->memberships;
  who.second_factor_verified = true;
  const audit::Context ctx{agent->id, "demo"};
  const reception::Catalogue& catalogue = s.reception.catalogue();

  std::vector<reception::PersonId> persons;
  for (const DemoPerson& d : kDemoPersons) {
    reception::Person p;
    p.nom_affiche = d.nom_affiche;
    p.nom_naissance = d.nom_naissance;
    p.prenoms = d.prenoms;
    p.date_naissance = d.date_naissance;
    p.sexe = d.sexe;
    p.telephone = d.telephone;
    p.commune_code = d.commune;
    p.nationalite = "francaise";
    PASIP_ASSIGN_OR_RETURN(saved, s.reception.CreatePerson(p, org->id, true, who, ctx));
    if (!saved.person) return Fail(Internal("dossier de démonstration non créé"));
    persons.push_back(saved.person->id);
    ++out.persons;
  }
  reception::Consent consent;
  consent.person_id = persons[0];
  consent.objet = "Situation pour la demande de RSA";
  consent.destinataires = "Caf d'Ille-et-Vilaine";
  consent.portee = "Cette démarche";
  PASIP_TRY(s.reception.AddConsent(consent, who, ctx));
  reception::Note note;
  note.person_id = persons[0];
  note.visibilite = "generale";
  note.texte = "Dossier RSA commencé ; revient avec ses trois derniers bulletins de salaire.";
  PASIP_TRY(s.reception.AddNote(note, who, ctx));

  const CivilTime today = ToParisCivil(now);
  for (const DemoPassage& d : kDemoPassages) {
    if (!catalogue.Motif(d.motif) || !catalogue.Acte(d.acte)) continue;  // a custom catalogue
    CivilTime at = today;
    at.hour = static_cast<unsigned>(d.hour);
    at.minute = 0;
    at.second = 0;
    reception::Passage p;
    p.site_id = site.id;
    p.debut = FromParisCivil(at) - std::chrono::days(d.days_ago);
    p.fin = p.debut + std::chrono::minutes(20);
    p.canal = d.canal;
    p.motifs = {d.motif};
    p.actes = {"ecoute", d.acte};
    p.resultat = d.person >= 0 ? "suivi" : "reponse_immediate";
    if (d.person >= 0) p.person_id = persons[static_cast<std::size_t>(d.person)];
    PASIP_TRY(s.reception.RecordPassage(p, who, ctx));
    ++out.passages;
  }
  PASIP_TRY(s.reception.TakeTicket(site.id, "droits--rsa", std::nullopt, who, ctx));
  PASIP_TRY(s.reception.TakeTicket(site.id, "droits--aides-logement", std::nullopt, who, ctx));
  out.tickets = 2;
  PASIP_ASSIGN_OR_RETURN(orientations, CreateDemoOrientations(app, who, persons, now));
  out.orientations = orientations;
  return out;
}

Result<std::vector<DemoAccount>> CreateDemoTerritory(Application& app, const DemoSources& sources) {
  Services& s = app.services();
  const audit::Context system{0, "demo"};
  std::vector<DemoAccount> accounts;
  for (const DemoUser& u : kUsers) {
    const auto role = identity::ParseRole(u.role);
    DemoAccount a{u.role, DemoEmail(u.role), DemoPassword(u.role),
                  identity::RoleRequiresSecondFactor(*role) ? DemoTotpSecret(u.role) : ""};
    accounts.push_back(a);
  }
  PASIP_ASSIGN_OR_RETURN(existing, s.identity.FindUserByEmail(DemoEmail("admin")));
  if (!existing) {
    // Never mix invented data into a database that already holds real organisations (nor
    // duplicate a demo whose creation was interrupted).
    PASIP_ASSIGN_OR_RETURN(organisations, s.identity.ListOrganisations({}));
    if (!organisations.empty()) {
      return Fail(FailedPrecondition(
          "Cette base contient déjà des organisations : le territoire de démonstration ne se "
          "crée que dans une base vide."));
    }
  }

  PASIP_ASSIGN_OR_RETURN(loaded, LoadDemoCommunes(s.territory, sources));
  spdlog::info(
      "Communes d'Ille-et-Vilaine : {} chargées, dont {} avec coordonnées et {} avec "
      "codes postaux.",
      loaded.communes, loaded.with_coordinates, loaded.with_postcodes);
  for (const std::string& note : loaded.notes) spdlog::warn("{}", note);

  if (!existing) {
    for (const DemoOrganisation& o : Organisations()) {
      identity::Organisation org;
      org.name = o.name;
      org.kind = o.kind;
      PASIP_ASSIGN_OR_RETURN(created, s.organisations.Create(org, system));
      for (const DemoSite& site : o.sites) {
        identity::Site st;
        st.organisation_id = created.id;
        st.name = site.name;
        st.address = site.address;
        st.commune_code = site.commune;
        st.latitude = site.lat;
        st.longitude = site.lon;
        PASIP_TRY(s.organisations.CreateSite(st, system));
      }
    }
    PASIP_ASSIGN_OR_RETURN(orgs, s.identity.ListOrganisations({}));
    std::map<std::string, identity::OrganisationId> org_ids;
    for (const auto& o : orgs) org_ids[o.name] = o.id;
    for (std::size_t i = 0; i < std::size(kUsers); ++i) {
      const DemoUser& u = kUsers[i];
      identity::NewUser nu;
      nu.email = accounts[i].email;
      nu.display_name = u.name;
      nu.password = accounts[i].password;
      nu.memberships = {{org_ids.at(Organisations()[static_cast<std::size_t>(u.organisation)].name),
                         *identity::ParseRole(u.role),
                         {}}};
      // The social worker also holds a permanence at the CCAS, where the accueil agent hands
      // people over to them (the binôme of the pre-reception queue).
      if (std::string_view(u.role) == "social") {
        nu.memberships.push_back({org_ids.at(Organisations()[kReceptionOrganisation].name),
                                  identity::Role::kSocial,
                                  {}});
      }
      PASIP_ASSIGN_OR_RETURN(created, s.accounts.CreateUser(nu, system));
      if (!accounts[i].totp_secret.empty()) {
        PASIP_TRY(s.identity.SetTotpSecret(created.id, accounts[i].totp_secret));
      }
    }
  }

  PASIP_ASSIGN_OR_RETURN(
      first, s.directory.store().FindStructureBySource(kSource, Structures().front().key));
  if (!existing || !first) {
    PASIP_ASSIGN_OR_RETURN(directory, CreateDemoDirectory(app, SystemClock().Now()));
    spdlog::info("Annuaire de démonstration : {} structures et {} services.", directory.structures,
                 directory.services);
  }
  PASIP_ASSIGN_OR_RETURN(reception, CreateDemoReception(app, app.services().clock.Now()));
  if (reception.passages > 0) {
    spdlog::info(
        "Accueil de démonstration : {} dossiers, {} passages, {} tickets en attente, {} "
        "orientations.",
        reception.persons, reception.passages, reception.tickets, reception.orientations);
  }
  return accounts;
}

}  // namespace pasip::app
