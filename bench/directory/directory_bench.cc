// The directory benchmark's program (bench/directory/run.sh drives it), two commands:
//
//   pasip_directory_bench generate --communes CSV --hours TXT --out DIR [--structures N]
//       [--services-per-structure K] [--seed S]
//     writes DIR/structures.json and DIR/services.json, a data·inclusion v1 feed of N
//     structures (default 25 000) with K services each (default 4). Deterministic: the same
//     inputs and seed give the same bytes. Structures are placed around real commune centres
//     drawn with a probability proportional to the population; their kinds (CCAS, épicerie
//     sociale, Restos du Cœur, mission locale…) choose plausible French names, réseaux
//     porteurs and the services they offer; every référentiel value comes from
//     directory::Values(); opening hours are real OSM strings drawn from the hours file.
//     Every record is checked with directory::ValidateStructure / ValidateService before
//     it is written.
//
//   pasip_directory_bench search --database URL [--queries N] [--warmup W]
//       [--max-seconds S] [--only TEXT]
//     times DirectoryService::Search in this process (the composition of `pasip serve`,
//     app::Application, on the given database, public view), for each query kind of
//     QueryKinds() (or those whose name contains TEXT): W warm-up runs, then N timed runs,
//     one at a time; with S, a kind stops its timed runs after S seconds and its warm-up
//     after S/5. Prints a Markdown table (kind, results, runs, p50, p90, p99, max, mean) on
//     standard output. The commune kinds need the communes imported (pasip import communes).
//
// Random numbers come from splitmix64 with our own reductions (not <random>'s
// distributions, whose results differ between standard libraries).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "api/directory_json.h"
#include "app/application.h"
#include "app/config.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/french.h"
#include "domain/directory/directory.h"
#include "domain/directory/model.h"

namespace pasip::bench {
namespace {

using directory::Referentiel;

// ---------------------------------------------------------------------------------------
// Deterministic random numbers.

class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0.
  std::size_t Below(std::size_t n) { return static_cast<std::size_t>(Unit() * n); }
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  // `count` distinct indexes of [0, n), in increasing order.
  std::vector<std::size_t> Distinct(std::size_t n, std::size_t count) {
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    count = std::min(count, n);
    for (std::size_t i = 0; i < count; ++i) std::swap(all[i], all[i + Below(n - i)]);
    all.resize(count);
    std::sort(all.begin(), all.end());
    return all;
  }

 private:
  std::uint64_t state_;
};

// ---------------------------------------------------------------------------------------
// What the generated records are made of.

// A service as structures of the kinds below offer it: name, type, thématiques (slugs of
// the référentiel, checked at start), description.
struct ServiceTemplate {
  std::string_view nom;
  std::string_view type;
  std::vector<std::string_view> thematiques;
  std::string_view description;
};

const std::vector<ServiceTemplate>& ServiceTemplates() {
  static const std::vector<ServiceTemplate> kTemplates = {
      {"Aide alimentaire",  // 0
       "aide-materielle",
       {"equipement-et-alimentation--alimentation"},
       "Distribution de colis alimentaires aux personnes et aux familles en difficulté, sur "
       "orientation d'un travailleur social ou sur simple demande."},
      {"Épicerie sociale et solidaire",  // 1
       "aide-materielle",
       {"equipement-et-alimentation--alimentation",
        "difficultes-financieres--ameliorer-sa-gestion-budgetaire"},
       "Produits alimentaires et d'hygiène à petit prix, avec un accompagnement budgétaire, "
       "pour les personnes aux revenus modestes."},
      {"Vestiaire solidaire",  // 2
       "aide-materielle",
       {"equipement-et-alimentation--habillement"},
       "Vêtements pour adultes et enfants, donnés ou vendus à petit prix, et chaussures selon "
       "les arrivages."},
      {"Accueil de jour et repas chauds",  // 3
       "aide-materielle",
       {"equipement-et-alimentation--alimentation", "remobilisation--lien-social"},
       "Accueil de jour avec repas chaud, café et petit-déjeuner, douches et bagagerie pour les "
       "personnes sans domicile ou en grande précarité."},
      {"Hébergement d'urgence",  // 4
       "accompagnement",
       {"logement-hebergement--rechercher-une-solution-dhebergement-temporaire"},
       "Mise à l'abri en hébergement d'urgence des personnes sans solution de logement, "
       "orientation par le 115 et le SIAO, accompagnement social pendant le séjour."},
      {"Accompagnement vers le logement",  // 5
       "accompagnement",
       {"logement-hebergement--louer-un-logement",
        "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"},
       "Aide à la demande de logement social, constitution du dossier, recherche d'un logement "
       "et accompagnement à l'entrée dans les lieux."},
      {"Prévention des expulsions locatives",  // 6
       "accompagnement",
       {"logement-hebergement--reduire-les-impayes-de-loyer",
        "logement-hebergement--se-maintenir-dans-le-logement"},
       "Accompagnement des locataires en situation d'impayés de loyer : plan d'apurement, "
       "demande au fonds de solidarité pour le logement, médiation avec le bailleur."},
      {"Accès aux droits et aux prestations",  // 7
       "accompagnement",
       {"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"},
       "Information et accompagnement pour l'accès aux droits : RSA, prime d'activité, "
       "complémentaire santé solidaire, aides au logement, allocations familiales."},
      {"Aide aux démarches administratives",  // 8
       "accompagnement",
       {"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-"
        "administratives",
        "numerique--acceder-a-des-services-en-ligne"},
       "Un agent vous aide à faire vos démarches en ligne : Caf, impôts, titres d'identité, "
       "assurance maladie, retraite, France Travail."},
      {"Permanence juridique gratuite",  // 9
       "information",
       {"difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-"
        "discrimination",
        "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-"
        "judiciaire"},
       "Un juriste ou un avocat vous informe gratuitement sur vos droits : famille, logement, "
       "travail, dettes, discriminations."},
      {"Écrivain public",  // 10
       "accompagnement",
       {"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-"
        "administratives"},
       "Aide à la lecture et à la rédaction de courriers, de dossiers et de formulaires "
       "administratifs, en toute confidentialité."},
      {"Conseil budgétaire et surendettement",  // 11
       "accompagnement",
       {"difficultes-financieres--ameliorer-sa-gestion-budgetaire",
        "difficultes-financieres--situation-dendettement-surendettement"},
       "Conseil budgétaire gratuit et confidentiel, aide au dossier de surendettement auprès "
       "de la Banque de France, médiation avec les créanciers."},
      {"Aide financière d'urgence",  // 12
       "aide-financiere",
       {"difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere"},
       "Secours financier ponctuel ou bons d'achat alimentaires après étude de la situation "
       "par un travailleur social."},
      {"Microcrédit personnel accompagné",  // 13
       "aide-financiere",
       {"mobilite--financer-ma-mobilite",
        "difficultes-financieres--acquerir-une-autonomie-"
        "budgetaire"},
       "Prêt de 300 à 8 000 euros pour financer un projet (véhicule, formation, équipement) "
       "quand la banque refuse, avec un suivi pendant le remboursement."},
      {"Atelier numérique pour débutants",  // 14
       "atelier",
       {"numerique--maitriser-les-fondamentaux-du-numerique"},
       "Apprendre à se servir d'un ordinateur, d'un smartphone, d'une messagerie et des sites "
       "des administrations, en petit groupe."},
      {"Accès libre à un ordinateur et à Internet",  // 15
       "aide-materielle",
       {"numerique--acceder-a-une-connexion-internet",
        "numerique--acceder-a-des-services-en-"
        "ligne"},
       "Ordinateurs, imprimante et scanner en libre accès, avec un médiateur numérique pour "
       "vous aider si besoin."},
      {"Cours de français pour adultes",  // 16
       "formation",
       {"lecture-ecriture-calcul--maitriser-le-francais"},
       "Ateliers sociolinguistiques et cours de français langue étrangère pour adultes, tous "
       "niveaux, en petits groupes."},
      {"Lutte contre l'illettrisme",  // 17
       "formation",
       {"lecture-ecriture-calcul--maitriser-le-francais",
        "lecture-ecriture-calcul--maitriser-le-calcul"},
       "Remise à niveau en lecture, écriture et calcul pour les adultes qui en ont besoin "
       "dans leur vie quotidienne ou leur travail."},
      {"Accompagnement vers l'emploi",  // 18
       "accompagnement",
       {"trouver-un-emploi--repondre-a-des-offres-demploi",
        "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi"},
       "Un conseiller vous aide à définir votre projet, à chercher des offres et à préparer "
       "vos entretiens d'embauche."},
      {"Atelier CV et lettre de motivation",  // 19
       "atelier",
       {"preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation",
        "trouver-un-emploi--convaincre-un-recruteur-en-entretien"},
       "Atelier collectif pour rédiger ou mettre à jour son CV et ses lettres de motivation."},
      {"Orientation et insertion des jeunes",  // 20
       "accompagnement",
       {"choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite",
        "se-former--trouver-sa-formation"},
       "Pour les 16-25 ans sortis de l'école : orientation, formation, emploi, santé, "
       "logement et mobilité, avec un conseiller attitré."},
      {"Aide au permis de conduire",  // 21
       "accompagnement",
       {"mobilite--preparer-un-permis", "mobilite--financer-ma-mobilite"},
       "Préparation au code et à la conduite, aide au financement du permis de conduire pour "
       "les personnes en insertion."},
      {"Location solidaire de véhicules",  // 22
       "aide-materielle",
       {"mobilite--acceder-a-un-vehicule"},
       "Location de voitures, de scooters et de vélos à petit prix pour se rendre au travail "
       "ou en formation."},
      {"Garage solidaire",  // 23
       "aide-materielle",
       {"mobilite--entretenir-reparer-son-vehicule"},
       "Entretien et réparation de véhicules à prix réduit pour les personnes aux revenus "
       "modestes."},
      {"Conseil en mobilité",  // 24
       "accompagnement",
       {"mobilite--etre-accompagne-dans-son-parcours-mobilite",
        "mobilite--mobilite-douce-partagee-collective"},
       "Un conseiller fait le point sur vos déplacements et trouve avec vous une solution : "
       "transports en commun, covoiturage, vélo, aides."},
      {"Accès aux soins et à la santé",  // 25
       "accompagnement",
       {"sante--acces-aux-soins"},
       "Permanence d'accès aux soins : ouverture des droits à l'assurance maladie, "
       "consultations, orientation vers un médecin traitant."},
      {"Consultation en addictologie",  // 26
       "accompagnement",
       {"sante--addictions"},
       "Consultations gratuites et anonymes pour les personnes en difficulté avec l'alcool, "
       "le tabac, le cannabis ou d'autres drogues, et pour leur entourage."},
      {"Écoute et soutien psychologique",  // 27
       "accompagnement",
       {"sante--sante-mentale", "remobilisation--bien-etre-confiance-en-soi"},
       "Entretiens avec un psychologue, sans frais, pour les personnes qui traversent une "
       "période difficile."},
      {"Aide au dossier MDPH",  // 28
       "accompagnement",
       {"sante--constituer-un-dossier-mdph-invalidite"},
       "Aide pour remplir une demande auprès de la maison départementale des personnes "
       "handicapées et suivre son dossier."},
      {"Soutien à la parentalité",  // 29
       "accompagnement",
       {"famille--soutien-a-la-parentalite-et-a-leducation"},
       "Lieu d'écoute et d'échange pour les parents, ateliers parents-enfants, médiation "
       "familiale."},
      {"Accueil des femmes victimes de violences",  // 30
       "accompagnement",
       {"famille--surmonter-conflits-separation-violence",
        "difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-"
        "discrimination"},
       "Écoute, information juridique, mise en sécurité et hébergement des femmes victimes de "
       "violences conjugales et de leurs enfants."},
      {"Garde d'enfants pour parents en insertion",  // 31
       "aide-materielle",
       {"famille--garde-denfants"},
       "Places en crèche réservées aux parents qui cherchent un emploi ou suivent une "
       "formation."},
      {"Soutien aux aidants familiaux",  // 32
       "accompagnement",
       {"famille--soutien-aidants", "famille--prise-en-charge-personne-dependante"},
       "Information, groupes de parole et solutions de répit pour les personnes qui "
       "accompagnent un proche âgé, malade ou handicapé."},
      {"Aide ménagère à domicile",  // 33
       "aide-materielle",
       {"equipement-et-alimentation--aide-menagere"},
       "Aide pour l'entretien du logement, les courses et les repas des personnes âgées ou "
       "handicapées vivant à domicile."},
      {"Ateliers de lien social",  // 34
       "atelier",
       {"remobilisation--lien-social", "remobilisation--activites-sportives-et-culturelles"},
       "Ateliers cuisine, jardin, sorties culturelles et sportives pour rompre l'isolement et "
       "reprendre confiance."},
      {"Bénévolat et engagement citoyen",  // 35
       "information",
       {"remobilisation--benevolat-action-citoyenne"},
       "Information sur les missions de bénévolat et de service civique près de chez vous."},
      {"Création d'entreprise : premier rendez-vous",  // 36
       "accompagnement",
       {"creer-une-entreprise--definir-son-projet-de-creation-dentreprise",
        "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise"},
       "Un conseiller examine votre idée de création d'entreprise, les aides possibles et les "
       "étapes à franchir."},
      {"Mobilité internationale",  // 37
       "information",
       {"souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger",
        "souvrir-a-linternational--sinformer-sur-les-aides-pour-travailler-a-letranger"},
       "Information sur les séjours, stages et emplois à l'étranger et sur les aides pour "
       "partir."},
      {"Électroménager et mobilier solidaires",  // 38
       "aide-materielle",
       {"equipement-et-alimentation--electromenager"},
       "Électroménager, meubles et vaisselle de seconde main, révisés et vendus à petit prix."},
      {"Accompagnement des personnes exilées",  // 39
       "accompagnement",
       {"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-"
        "citoyennete",
        "lecture-ecriture-calcul--maitriser-le-francais"},
       "Accompagnement des personnes réfugiées et demandeuses d'asile : démarches, "
       "apprentissage du français, accès aux droits et au logement."},
      {"Mesure d'accompagnement social personnalisé",  // 40
       "accompagnement",
       {"difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-"
        "adapte",
        "difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere"},
       "Accompagnement renforcé des personnes qui ont du mal à gérer leurs prestations "
       "sociales, pour retrouver une autonomie dans la gestion du budget."},
      {"Maintien dans l'emploi",  // 41
       "accompagnement",
       {"trouver-un-emploi--maintien-dans-lemploi",
        "choisir-un-metier--identifier-ses-points-forts-et-ses-competences"},
       "Aide aux salariés fragilisés par la maladie, le handicap ou une difficulté personnelle "
       "pour garder leur emploi."},
  };
  return kTemplates;
}

// A kind of structure: its name pattern ("{de}" is "de Rennes", "d'Angers", "du Mans"…),
// its réseau porteur (may be empty), its relative frequency and the services it offers.
struct StructureKind {
  std::string_view pattern;
  std::string_view reseau;
  std::string_view slug;  // for e-mail addresses and web sites
  int weight;
  std::vector<std::size_t> services;  // indexes into ServiceTemplates(), at least 4
  std::string_view description;
};

const std::vector<StructureKind>& StructureKinds() {
  static const std::vector<StructureKind> kKinds = {
      {"Centre communal d'action sociale {de}",
       "ccas-cias",
       "ccas",
       20,
       {7, 12, 8, 0, 5, 6, 11, 33, 32, 4},
       "Le CCAS accueille, informe et accompagne les habitants dans leurs démarches sociales."},
      {"Épicerie sociale {de}",
       "",
       "epicerie",
       6,
       {1, 0, 11, 34, 12},
       "Épicerie solidaire gérée par une association, sur orientation des services sociaux."},
      {"Secours populaire français, comité {de}",
       "secours-populaire",
       "spf",
       7,
       {0, 2, 3, 34, 35, 7, 38},
       "Comité local du Secours populaire : aide alimentaire, vestimentaire et accès aux "
       "vacances et à la culture."},
      {"Restos du Cœur, centre {de}",
       "restos-du-coeur",
       "restos",
       6,
       {0, 3, 2, 7, 16, 34, 8},
       "Centre de distribution des Restos du Cœur et ateliers d'aide à la personne."},
      {"Croix-Rouge française, unité locale {de}",
       "croix-rouge",
       "croixrouge",
       5,
       {0, 2, 3, 4, 34, 35, 27},
       "Unité locale de la Croix-Rouge : aide alimentaire, vestiboutique, maraudes et "
       "soutien aux personnes isolées."},
      {"Mission locale {de}",
       "mission-locale",
       "missionlocale",
       5,
       {20, 18, 19, 21, 24, 25, 5},
       "La mission locale accompagne les jeunes de 16 à 25 ans vers l'emploi et l'autonomie."},
      {"Centre social {de}",
       "fcsf",
       "centresocial",
       8,
       {14, 15, 16, 29, 34, 8, 10, 31},
       "Centre social ouvert à tous : accueil, activités pour les familles, ateliers et "
       "permanences."},
      {"Maison départementale des solidarités {de}",
       "maisons-des-solidarites",
       "mds",
       6,
       {7, 12, 29, 40, 6, 5, 28, 30},
       "Les travailleurs sociaux du Département vous reçoivent pour toute question sociale, "
       "familiale ou de santé."},
      {"Point-justice {de}",
       "points-justice",
       "pointjustice",
       3,
       {9, 10, 30, 7, 11},
       "Lieu d'accès au droit : informations juridiques gratuites et orientation."},
      {"Centre d'information sur les droits des femmes et des familles {de}",
       "cidff",
       "cidff",
       2,
       {30, 9, 29, 18, 7},
       "Le CIDFF informe les femmes et les familles sur leurs droits et les accompagne."},
      {"Centre d'hébergement et de réinsertion sociale {de}",
       "chrs",
       "chrs",
       3,
       {4, 3, 5, 25, 7, 26},
       "Hébergement et accompagnement des personnes et familles en grande difficulté."},
      {"Communauté Emmaüs {de}",
       "emmaus",
       "emmaus",
       2,
       {38, 2, 4, 34, 35},
       "Communauté de compagnons : accueil, hébergement et vente solidaire d'objets de "
       "seconde main."},
      {"Espace public numérique {de}",
       "espaces-publics-numeriques",
       "epn",
       5,
       {14, 15, 8, 19},
       "Lieu équipé d'ordinateurs, avec des médiateurs numériques pour apprendre et se faire "
       "aider."},
      {"Maison de l'emploi {de}",
       "maisons-de-l-emploi",
       "mde",
       4,
       {18, 19, 36, 41, 20, 21},
       "La maison de l'emploi réunit les acteurs de l'emploi et de la formation du bassin."},
      {"Centre de soins en addictologie {de}",
       "csapa",
       "csapa",
       2,
       {26, 27, 25, 4},
       "Centre de soins, d'accompagnement et de prévention en addictologie."},
      {"Plateforme mobilité {de}",
       "",
       "mobilite",
       3,
       {21, 22, 23, 24, 13},
       "Plateforme associative de mobilité pour les personnes en insertion."},
      {"Point conseil budget {de}",
       "points-conseil-budget",
       "pcb",
       3,
       {11, 12, 13, 7},
       "Conseil gratuit et confidentiel sur le budget, les dettes et le surendettement."},
      {"Association d'aide aux personnes exilées {de}",
       "",
       "exiles",
       2,
       {39, 16, 7, 9, 4},
       "Association d'accueil et d'accompagnement des personnes réfugiées et migrantes."},
  };
  return kKinds;
}

constexpr std::string_view kStreets[] = {
    "rue de la République",    "place de la Mairie",
    "rue Jean Jaurès",         "avenue du Général de Gaulle",
    "rue Victor Hugo",         "rue Pasteur",
    "boulevard de la Liberté", "rue des Écoles",
    "place de l'Église",       "rue du Stade",
    "allée des Tilleuls",      "rue de la Gare",
    "rue Jules Ferry",         "avenue Jean Moulin",
    "rue du Château",
};

constexpr std::string_view kConditions[] = {
    "Sur orientation d'un travailleur social.",
    "Sur rendez-vous, avec une pièce d'identité.",
    "Résider dans la commune ou l'intercommunalité.",
    "Sans condition, anonyme et gratuit.",
};

struct CommuneRow {
  std::string code, nom, departement, region;
  double latitude = 0, longitude = 0;
  std::int64_t population = 0;
};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(InvalidArgument("Impossible de lire " + path + ".", "fichier"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Current communes with coordinates and a population, from the COG CSV of ../shared/data.
Result<std::vector<CommuneRow>> ReadCommunes(const std::string& path) {
  PASIP_ASSIGN_OR_RETURN(text, ReadFile(path));
  csv::Reader reader(text);
  csv::Record record;
  std::map<std::string, std::size_t> column;
  PASIP_ASSIGN_OR_RETURN(has_header, reader.Next(record));
  if (!has_header) return Fail(InvalidArgument(path + " est vide.", "communes"));
  for (std::size_t i = 0; i < record.fields.size(); ++i) column[record.fields[i]] = i;
  for (const char* name :
       {"code", "nom", "type", "departement", "region", "population", "lat", "lon"}) {
    if (!column.count(name)) {
      return Fail(InvalidArgument(path + " : colonne « " + name + " » absente.", "communes"));
    }
  }
  std::vector<CommuneRow> communes;
  for (;;) {
    PASIP_ASSIGN_OR_RETURN(more, reader.Next(record));
    if (!more) break;
    if (csv::IsBlank(record) || record.fields.size() < column.size()) continue;
    const auto& f = record.fields;
    if (f[column["type"]] != "commune-actuelle" || f[column["lat"]].empty() ||
        f[column["lon"]].empty() || f[column["population"]].empty()) {
      continue;
    }
    CommuneRow c;
    c.code = f[column["code"]];
    c.nom = f[column["nom"]];
    c.departement = f[column["departement"]];
    c.region = f[column["region"]];
    c.latitude = std::stod(f[column["lat"]]);
    c.longitude = std::stod(f[column["lon"]]);
    c.population = std::stoll(f[column["population"]]);
    if (c.population > 0) communes.push_back(std::move(c));
  }
  if (communes.empty()) return Fail(InvalidArgument(path + " : aucune commune.", "communes"));
  return communes;
}

Result<std::vector<std::string>> ReadHours(const std::string& path) {
  PASIP_ASSIGN_OR_RETURN(text, ReadFile(path));
  std::vector<std::string> hours;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) hours.push_back(line);
  }
  if (hours.empty()) return Fail(InvalidArgument(path + " : aucun horaire.", "horaires"));
  return hours;
}

// "de Rennes", "d'Angers", "du Mans", "des Sables-d'Olonne", "de La Rochelle".
std::string De(std::string_view commune) {
  if (commune.starts_with("Le ")) return "du " + std::string(commune.substr(3));
  if (commune.starts_with("Les ")) return "des " + std::string(commune.substr(4));
  const std::string folded = text::FoldAccents(commune.substr(0, 4));
  if (!folded.empty() && std::string_view("aeiouy").find(folded[0]) != std::string_view::npos &&
      !commune.starts_with("L'")) {
    return "d'" + std::string(commune);
  }
  return "de " + std::string(commune);
}

// "Saint-Étienne" → "saint-etienne": lower-case ASCII letters, digits and hyphens.
std::string Slug(std::string_view name) {
  std::string slug;
  for (char c : text::FoldAccents(name)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      slug += c;
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

// 14 digits whose Luhn sum is a multiple of 10.
std::string Siret(Random& random) {
  std::string digits;
  for (int i = 0; i < 13; ++i) digits += static_cast<char>('0' + random.Below(10));
  for (int check = 0; check < 10; ++check) {
    const std::string candidate = digits + static_cast<char>('0' + check);
    int sum = 0;
    for (std::size_t i = 0; i < candidate.size(); ++i) {
      int d = candidate[candidate.size() - 1 - i] - '0';
      if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 == 0) return candidate;
  }
  return digits + "0";  // unreachable: one check digit always fits
}

// A French number with the regional prefix of the region (01 Île-de-France, 02 north-west,
// 03 north-east, 04 south-east, 05 south-west and overseas).
std::string Phone(Random& random, std::string_view region) {
  std::string_view prefix = "05";
  if (region == "11") {
    prefix = "01";
  } else if (region == "24" || region == "28" || region == "52" || region == "53") {
    prefix = "02";
  } else if (region == "27" || region == "32" || region == "44") {
    prefix = "03";
  } else if (region == "84" || region == "93" || region == "94") {
    prefix = "04";
  }
  std::string phone(prefix);
  for (int i = 0; i < 4; ++i) {
    char pair[4];
    std::snprintf(pair, sizeof pair, " %02d", static_cast<int>(random.Below(100)));
    phone += pair;
  }
  return phone;
}

// A date between 2023-06-01 and 2026-10-31.
std::string DateMaj(Random& random) {
  using namespace std::chrono;
  const sys_days first = year{2023} / June / 1;
  const sys_days last = year{2026} / October / 31;
  const sys_days day = first + days(random.Below(static_cast<std::size_t>((last - first).count())));
  const year_month_day ymd(day);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return out;
}

// Values of a référentiel: `count` distinct ones, in the référentiel's order.
std::vector<std::string> Some(Random& random, Referentiel r, std::size_t count) {
  const auto values = directory::Values(r);
  std::vector<std::string> out;
  for (std::size_t i : random.Distinct(values.size(), count)) {
    out.emplace_back(values[i].value);
  }
  return out;
}

struct GenerateOptions {
  std::string communes, hours, out;
  std::size_t structures = 25000;
  std::size_t services_per_structure = 4;
  std::uint64_t seed = 20261122;
};

Status CheckTemplates() {
  for (const ServiceTemplate& t : ServiceTemplates()) {
    if (!directory::IsValid(Referentiel::kTypeService, t.type)) {
      return Fail(InvalidArgument("Type inconnu : " + std::string(t.type), "type"));
    }
    for (std::string_view th : t.thematiques) {
      if (!directory::IsValid(Referentiel::kThematique, th)) {
        return Fail(InvalidArgument("Thématique inconnue : " + std::string(th), "thematiques"));
      }
    }
  }
  for (const StructureKind& k : StructureKinds()) {
    if (!k.reseau.empty() && !directory::IsValid(Referentiel::kReseauPorteur, k.reseau)) {
      return Fail(InvalidArgument("Réseau porteur inconnu : " + std::string(k.reseau), "reseau"));
    }
    if (k.services.size() < 4) {
      return Fail(
          InvalidArgument("Trop peu de services pour " + std::string(k.pattern), "services"));
    }
    for (std::size_t i : k.services) {
      if (i >= ServiceTemplates().size()) {
        return Fail(InvalidArgument("Service inconnu pour " + std::string(k.pattern), "services"));
      }
    }
  }
  return Ok();
}

int Generate(const GenerateOptions& options) {
  if (Status checked = CheckTemplates(); !checked) {
    std::fprintf(stderr, "generate : %s\n", checked.error().message.c_str());
    return 1;
  }
  auto communes = ReadCommunes(options.communes);
  auto hours = ReadHours(options.hours);
  if (!communes || !hours) {
    std::fprintf(stderr, "generate : %s\n",
                 (!communes ? communes.error() : hours.error()).message.c_str());
    return 1;
  }
  // Cumulative populations, to draw a commune with a probability proportional to its own.
  std::vector<double> cumulative;
  cumulative.reserve(communes->size());
  double total = 0;
  for (const CommuneRow& c : *communes) cumulative.push_back(total += c.population);
  int kind_total = 0;
  std::vector<int> kind_cumulative;
  for (const StructureKind& k : StructureKinds()) kind_cumulative.push_back(kind_total += k.weight);

  std::filesystem::create_directories(options.out);
  const std::filesystem::path dir(options.out);
  std::ofstream structures_out(dir / "structures.json", std::ios::binary);
  std::ofstream services_out(dir / "services.json", std::ios::binary);
  if (!structures_out || !services_out) {
    std::fprintf(stderr, "generate : impossible d'écrire dans %s\n", options.out.c_str());
    return 1;
  }
  structures_out << "[\n";
  services_out << "[\n";

  Random random(options.seed);
  constexpr std::string_view kSource = "generateur";
  std::size_t service_count = 0;
  std::map<std::string, int> used_names;  // for distinct structure names in a commune
  for (std::size_t n = 0; n < options.structures; ++n) {
    const double pick = random.Unit() * total;
    const CommuneRow& commune = (*communes)[static_cast<std::size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin())];
    const int kind_pick = static_cast<int>(random.Below(static_cast<std::size_t>(kind_total)));
    const StructureKind& kind = StructureKinds()[static_cast<std::size_t>(
        std::upper_bound(kind_cumulative.begin(), kind_cumulative.end(), kind_pick) -
        kind_cumulative.begin())];

    directory::Structure s;
    s.source = kSource;
    s.source_id = "s" + std::to_string(n + 1);
    std::string nom(kind.pattern);
    nom.replace(nom.find("{de}"), 4, De(commune.nom));
    if (const int seen = used_names[nom]++; seen > 0) {
      nom += " (antenne " + std::to_string(seen + 1) + ")";
    }
    s.nom = std::move(nom);
    s.date_maj = DateMaj(random);
    if (random.Chance(0.7)) s.siret = Siret(random);
    s.description = std::string(kind.description);
    s.adresse = std::to_string(1 + random.Below(120)) + " " +
                std::string(kStreets[random.Below(std::size(kStreets))]);
    s.code_insee = commune.code;
    s.commune = commune.nom;
    s.telephone = Phone(random, commune.region);
    const std::string commune_slug = Slug(commune.nom);
    s.courriel = std::string(kind.slug) + "." + commune_slug + "@exemple.fr";
    if (random.Chance(0.5)) {
      s.site_web = "https://www." + commune_slug + ".fr/" + std::string(kind.slug);
    }
    s.horaires_accueil = random.Pick(*hours);
    // Spread around the centre, wider for larger communes (Paris about 6 km, a village 0.6).
    const double radius_km = (0.5 + std::sqrt(static_cast<double>(commune.population)) / 250.0) *
                             std::sqrt(random.Unit());
    const double angle = random.Unit() * 2 * M_PI;
    s.latitude = std::round((commune.latitude + radius_km * std::cos(angle) / 111.2) * 1e6) / 1e6;
    s.longitude =
        std::round((commune.longitude + radius_km * std::sin(angle) /
                                            (111.2 * std::cos(commune.latitude * M_PI / 180))) *
                   1e6) /
        1e6;
    if (!kind.reseau.empty()) s.reseaux_porteurs.emplace_back(kind.reseau);
    if (Status valid = directory::ValidateStructure(s); !valid) {
      std::fprintf(stderr, "generate : structure %s refusée (%s) : %s\n", s.source_id.c_str(),
                   valid.error().field.c_str(), valid.error().message.c_str());
      return 1;
    }
    const std::string structure_id = directory::DataInclusionId(s.source, s.source_id);
    structures_out << (n ? ",\n" : "") << api::ToDataInclusion(s).dump();

    for (std::size_t t : random.Distinct(kind.services.size(), options.services_per_structure)) {
      const ServiceTemplate& tpl = ServiceTemplates()[kind.services[t]];
      directory::Service v;
      v.source = kSource;
      v.source_id = "v" + std::to_string(++service_count);
      v.nom = std::string(tpl.nom);
      v.description = std::string(tpl.description) + " " + s.nom + ", " + commune.nom + ".";
      v.date_maj = DateMaj(random);
      v.type = std::string(tpl.type);
      for (std::string_view th : tpl.thematiques) v.thematiques.emplace_back(th);
      if (random.Chance(0.3)) {  // one more, anywhere in the référentiel
        const auto all = directory::Values(Referentiel::kThematique);
        const std::string extra(all[random.Below(all.size())].value);
        if (std::find(v.thematiques.begin(), v.thematiques.end(), extra) == v.thematiques.end()) {
          v.thematiques.push_back(extra);
        }
      }
      if (random.Chance(0.25)) {
        v.publics = {"tous-publics"};
      } else {
        // Specific publics: "tous-publics" is never mixed with them.
        std::vector<std::string_view> specific;
        for (const directory::RefValue& p : directory::Values(Referentiel::kPublic)) {
          if (p.value != "tous-publics") specific.push_back(p.value);
        }
        for (std::size_t i : random.Distinct(specific.size(), 1 + random.Below(3))) {
          v.publics.emplace_back(specific[i]);
        }
      }
      if (random.Chance(0.85)) {
        v.frais = "gratuit";
      } else {
        v.frais = "payant";
        v.frais_precisions = "Participation de 1 à 5 euros selon les revenus.";
      }
      const double mode = random.Unit();
      v.modes_accueil = mode < 0.7   ? std::vector<std::string>{"en-presentiel"}
                        : mode < 0.8 ? std::vector<std::string>{"a-distance"}
                                     : std::vector<std::string>{"a-distance", "en-presentiel"};
      v.modes_mobilisation = Some(random, Referentiel::kModeMobilisation, 1 + random.Below(3));
      if (std::find(v.modes_mobilisation.begin(), v.modes_mobilisation.end(),
                    "utiliser-lien-mobilisation") != v.modes_mobilisation.end()) {
        v.lien_mobilisation =
            "https://www." + commune_slug + ".fr/" + std::string(kind.slug) + "/rendez-vous";
      }
      v.mobilisable_par = Some(random, Referentiel::kPersonneMobilisatrice, 1 + random.Below(2));
      const double zone = random.Unit();
      v.zone_eligibilite = {zone < 0.6    ? commune.departement
                            : zone < 0.85 ? commune.code
                                          : std::string("france")};
      if (random.Chance(0.3)) v.horaires_accueil = random.Pick(*hours);
      if (random.Chance(0.4)) v.telephone = Phone(random, commune.region);
      if (random.Chance(0.2)) {
        v.conditions_acces = std::string(kConditions[random.Below(std::size(kConditions))]);
      }
      if (Status valid = directory::ValidateService(v); !valid) {
        std::fprintf(stderr, "generate : service %s refusé (%s) : %s\n", v.source_id.c_str(),
                     valid.error().field.c_str(), valid.error().message.c_str());
        return 1;
      }
      services_out << (service_count > 1 ? ",\n" : "")
                   << api::ToDataInclusion(v, structure_id).dump();
    }
  }
  structures_out << "\n]\n";
  services_out << "\n]\n";
  structures_out.close();
  services_out.close();
  if (!structures_out || !services_out) {
    std::fprintf(stderr, "generate : écriture incomplète dans %s\n", options.out.c_str());
    return 1;
  }
  std::printf("%zu structures, %zu services\n", options.structures, service_count);
  return 0;
}

// ---------------------------------------------------------------------------------------
// In-process search latency.

struct QueryKind {
  std::string name;  // shown in the table
  directory::SearchQuery query;
  bool second_page = false;  // run the query once untimed, then time its next page
};

std::vector<QueryKind> QueryKinds() {
  auto base = [](std::string commune) {
    directory::SearchQuery q;
    q.entity = directory::Entity::kService;
    if (!commune.empty()) q.commune = std::move(commune);
    q.rayon_km = 30;
    q.limite = 20;
    q.facettes = true;
    return q;
  };
  // Tuesday 10 March 2026, 10:30 in Paris.
  const TimePoint tuesday = *ParseIso("2026-03-10T09:30:00Z");
  constexpr std::string_view kRennes = "35238", kMauriac = "15120", kParis = "75056";
  std::vector<QueryKind> kinds;
  kinds.push_back({"Rennes (35238), 30 km", base(std::string(kRennes))});
  {
    QueryKind k{"Rennes, 30 km, thématique alimentation", base(std::string(kRennes))};
    k.query.thematiques = {"equipement-et-alimentation--alimentation"};
    kinds.push_back(std::move(k));
  }
  {
    QueryKind k{"Rennes, 30 km, catégorie logement-hebergement", base(std::string(kRennes))};
    k.query.categories = {"logement-hebergement"};
    kinds.push_back(std::move(k));
  }
  {
    QueryKind k{"Rennes, 30 km, ouvert le mardi 10/03/2026 à 10 h 30", base(std::string(kRennes))};
    k.query.ouvert_a = tuesday;
    kinds.push_back(std::move(k));
  }
  {
    QueryKind k{"Rennes, 30 km, q « aide alimentaire »", base(std::string(kRennes))};
    k.query.q = "aide alimentaire";
    kinds.push_back(std::move(k));
  }
  kinds.push_back({"Rennes, 30 km, page 2 (apres)", base(std::string(kRennes)), true});
  kinds.push_back({"Mauriac (15120), 30 km", base(std::string(kMauriac))});
  {
    QueryKind k{"Mauriac, 30 km, thématique accès aux droits", base(std::string(kMauriac))};
    k.query.thematiques = {
        "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"};
    kinds.push_back(std::move(k));
  }
  {
    QueryKind k{"Mauriac, 30 km, q « hébergement urgence », ouvert mardi 10 h 30",
                base(std::string(kMauriac))};
    k.query.q = "hébergement urgence";
    k.query.ouvert_a = tuesday;
    kinds.push_back(std::move(k));
  }
  kinds.push_back({"Paris (75056), 30 km", base(std::string(kParis))});
  {
    QueryKind k{"Paris, 30 km, q « accès aux droits »", base(std::string(kParis))};
    k.query.q = "accès aux droits";
    kinds.push_back(std::move(k));
  }
  {
    QueryKind k{"France entière, q « accès aux droits » (tri par nom)", base("")};
    k.query.q = "accès aux droits";
    kinds.push_back(std::move(k));
  }
  return kinds;
}

struct SearchOptions {
  std::string database;
  int queries = 1000;
  int warmup = 100;
  double max_seconds = 0;  // > 0: stop a kind's timed queries after this long
  std::string only;        // non-empty: only the kinds whose name contains it
};

std::string Ms(double ns) {
  char out[32];
  std::snprintf(out, sizeof out, "%.2f", ns / 1e6);
  return out;
}

int SearchBench(const SearchOptions& options) {
  app::Config config;
  config.database_url = options.database;
  config.jobs = false;
  config.log_level = "warn";
  SystemClock clock;
  auto application = app::Application::Open(config, clock);
  if (!application) {
    std::fprintf(stderr, "search : %s\n", application.error().message.c_str());
    return 1;
  }
  directory::DirectoryService& directory = (*application)->services().directory;
  auto services = directory.store().Count(directory::Entity::kService);
  if (!services) {
    std::fprintf(stderr, "search : %s\n", services.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "search : %lld services dans %s\n", static_cast<long long>(*services),
               options.database.c_str());

  std::printf(
      "| requête (services, facettes, 20 par page) | résultats | requêtes | p50 | p90 | p99 | max "
      "| moyenne |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  bool all_under_target = true;
  using Steady = std::chrono::steady_clock;
  auto seconds_since = [](Steady::time_point t) {
    return std::chrono::duration<double>(Steady::now() - t).count();
  };
  for (QueryKind& kind : QueryKinds()) {
    if (kind.name.find(options.only) == std::string::npos) continue;
    if (kind.second_page) {
      auto first = directory.Search(kind.query, directory::View::kPublic);
      if (!first || !first->suivant) {
        std::fprintf(stderr, "search : %s : pas de seconde page\n", kind.name.c_str());
        return 1;
      }
      kind.query.apres = *first->suivant;
    }
    std::int64_t results = 0;
    // One timed search, in nanoseconds; nullopt (after a message) when it fails.
    auto run = [&]() -> std::optional<double> {
      const auto start = Steady::now();
      auto page = directory.Search(kind.query, directory::View::kPublic);
      const auto stop = Steady::now();
      if (!page) {
        std::fprintf(stderr, "search : %s : %s\n", kind.name.c_str(), page.error().message.c_str());
        return std::nullopt;
      }
      results = page->total;
      return static_cast<double>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count());
    };
    // Warm-up: `warmup` queries, or a fifth of the time limit.
    const auto warmup_start = Steady::now();
    for (int i = 0; i < options.warmup; ++i) {
      if (options.max_seconds > 0 && seconds_since(warmup_start) > options.max_seconds / 5) break;
      if (!run()) return 1;
    }
    std::vector<double> ns;
    ns.reserve(static_cast<std::size_t>(options.queries));
    const auto timed_start = Steady::now();
    for (int i = 0; i < options.queries; ++i) {
      if (i > 0 && options.max_seconds > 0 && seconds_since(timed_start) > options.max_seconds) {
        break;
      }
      const std::optional<double> took = run();
      if (!took) return 1;
      ns.push_back(*took);
    }
    std::sort(ns.begin(), ns.end());
    auto at = [&](double q) {
      const std::size_t rank = static_cast<std::size_t>(std::ceil(q * ns.size()));
      return ns[std::min(ns.size() - 1, rank == 0 ? 0 : rank - 1)];
    };
    const double mean = std::accumulate(ns.begin(), ns.end(), 0.0) / ns.size();
    if (at(0.99) >= 5e6) all_under_target = false;
    std::printf("| %s | %lld | %zu | %s ms | %s ms | %s ms | %s ms | %s ms |\n", kind.name.c_str(),
                static_cast<long long>(results), ns.size(), Ms(at(0.5)).c_str(),
                Ms(at(0.9)).c_str(), Ms(at(0.99)).c_str(), Ms(ns.back()).c_str(), Ms(mean).c_str());
    std::fflush(stdout);
  }
  std::printf(
      "\nPar ligne : jusqu'à %d requêtes d'échauffement, puis %d requêtes mesurées une à la "
      "fois",
      options.warmup, options.queries);
  if (options.max_seconds > 0) {
    std::printf(" (moins si elles dépassent %.0f s ; l'échauffement s'arrête à %.0f s)",
                options.max_seconds, options.max_seconds / 5);
  }
  std::printf(" ; cible p99 < 5 ms : %s.\n",
              all_under_target ? "atteinte sur toutes les lignes" : "pas sur toutes les lignes");
  return 0;
}

}  // namespace
}  // namespace pasip::bench

int main(int argc, char** argv) {
  CLI::App cli{"Banc d'essai de l'annuaire de pasip"};
  cli.require_subcommand(1);

  pasip::bench::GenerateOptions generate;
  auto* gen = cli.add_subcommand("generate", "Écrire un flux data·inclusion généré");
  gen->add_option("--communes", generate.communes, "CSV des communes (COG)")->required();
  gen->add_option("--hours", generate.hours, "Fichier d'horaires OSM, un par ligne")->required();
  gen->add_option("--out", generate.out, "Dossier de sortie")->required();
  gen->add_option("--structures", generate.structures, "Nombre de structures");
  gen->add_option("--services-per-structure", generate.services_per_structure,
                  "Services par structure");
  gen->add_option("--seed", generate.seed, "Graine");

  pasip::bench::SearchOptions search;
  auto* srch = cli.add_subcommand("search", "Mesurer la recherche dans le processus");
  srch->add_option("--database", search.database, "Base de données")->required();
  srch->add_option("--queries", search.queries, "Requêtes mesurées par type");
  srch->add_option("--warmup", search.warmup, "Requêtes d'échauffement par type");
  srch->add_option("--only", search.only, "Seulement les types dont le nom contient ce texte");
  srch->add_option("--max-seconds", search.max_seconds,
                   "Durée maximale des requêtes mesurées d'un type (0 : sans limite)");

  CLI11_PARSE(cli, argc, argv);
  if (gen->parsed()) return pasip::bench::Generate(generate);
  return pasip::bench::SearchBench(search);
}
