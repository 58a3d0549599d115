#include "domain/identity/model.h"

#include <algorithm>
#include <array>

namespace pasip::identity {
namespace {

// Réseaux porteurs of the data·inclusion v1 référentiel (GIP Plateforme de l'inclusion,
// Licence Ouverte 2.0), plus "associations" and "autre" for the local associations and
// partners the national list does not name.
constexpr NamedValue kKinds[] = {
    {"60000-rebonds", "60 000 Rebonds"},
    {"aci", "Structures d’Insertion par l’Activité Économique - Ateliers et Chantiers d’Insertion"},
    {"action-logement", "Action Logement"},
    {"adie", "Association pour le Droit à l’Initiative Économique"},
    {"afpa", "Agence Nationale pour la Formation Professionnelle des Adultes"},
    {"agefiph", "Agefiph"},
    {"ai", "Associations Intermédiaires"},
    {"aidants-connect", "Aidants Connect"},
    {"alliance-villes-emploi", "Alliance Villes Emploi"},
    {"anlci", "Agence Nationale de Lutte Contre l’Illettrisme"},
    {"apprentis-dauteuil", "Apprentis d’Auteuil"},
    {"ase", "Aide Sociale à l’Enfance"},
    {"banques-alimentaires", "Banques Alimentaires"},
    {"caarud",
     "Centres d’Accueil et d’Accompagnement à la Réduction de Risques pour Usagers de Drogues"},
    {"cada", "Centres d’Accueil de Demandeurs d’Asile"},
    {"caf", "Caisse d’Allocations Familiales"},
    {"campus-connecte", "Campus Connecté"},
    {"cap-emploi-reseau-cheops", "CAP Emploi - Réseau CHEOPS"},
    {"cava", "Centres d’Adaptation à la Vie Active"},
    {"ccas-cias",
     "Les Centres Communaux d’Action Sociale et les Centres Intercommunaux d’Action Sociale"},
    {"chambres-consulaires", "Chambres Consulaires"},
    {"chantier-ecole", "Réseau Chantier École"},
    {"chrs", "Centres d’Hébergement et de Réinsertion Sociale"},
    {"chu", "Centres d’Hébergement d’Urgence"},
    {"cidff", "Centres d’Information sur les Droits des Femmes et des Familles"},
    {"cmp", "Centres Médico-Psychologiques"},
    {"cms", "Centres Médico-Sociaux"},
    {"cnam", "Conservatoire National des Arts et Métiers"},
    {"collectif-emploi", "Collectif Emploi"},
    {"communes", "Communes, mairies, communautés de communes, etc."},
    {"conseillers-numeriques", "Conseillers Numériques"},
    {"coorace", "Fédération COORACE"},
    {"cpam", "Caisses Primaires d’Assurance Maladie"},
    {"cph", "Centres Provisoires d’Hébergement"},
    {"creches-avip", "Crèches à Vocation d’Insertion Professionnelle"},
    {"crepi", "CREPI"},
    {"cresus", "Fédération Française des Associations CRÉSUS"},
    {"croix-rouge", "Croix-Rouge"},
    {"csapa", "Centres de Soins, d’Accompagnement et de Prévention en Addictologie"},
    {"delegataire-conseil-departemental", "Organisation délégataire d’un Conseil Départemental"},
    {"departements", "Départements et Services Départementaux"},
    {"duo-for-a-job", "DUO for a JOB"},
    {"ea", "Entreprises Adaptées"},
    {"eatt", "Entreprises Adaptées de Travail Temporaire"},
    {"ecoles-de-la-deuxieme-chance", "Écoles de la 2ᵉ Chance"},
    {"egee", "Association EGEE"},
    {"ei", "Structures d’Insertion par l’Activité Économique - Entreprises d’Insertion"},
    {"eiti",
     "Structures d’Insertion par l’Activité Économique - Entreprises d’Insertion par le Travail "
     "Indépendant"},
    {"emmaus", "Emmaüs"},
    {"epide", "EPIDE"},
    {"esat", "Établissement et Service d’Accompagnement par le Travail"},
    {"espaces-publics-numeriques", "Espaces Publics Numériques"},
    {"etcld", "Expérimentation Territoriale contre le Chômage de Longue Durée"},
    {"etti",
     "Structures d’Insertion par l’Activité Économique - Entreprises de Travail Temporaire "
     "d’Insertion"},
    {"fabrique-de-territoire", "Fabrique de Territoire"},
    {"face", "Fondation FACE"},
    {"fcsf", "Fédération des Centres Sociaux et Socioculturels de France"},
    {"federation-des-acteurs-de-la-solidarite", "Fédération des Acteurs de la Solidarité"},
    {"federation-professionnelle-femmes", "Fédération Professionnelle pour les Femmes"},
    {"france-active", "France Active"},
    {"france-service", "France Service"},
    {"france-travail", "France Travail"},
    {"french-tech", "French Tech"},
    {"geiq", "GEIQ"},
    {"grandes-ecoles-du-numerique", "Grandes Écoles du Numérique"},
    {"huda", "Hébergement d’Urgence pour Demandeurs d’Asile"},
    {"hup", "Association H’UP"},
    {"inae", "INAÉ Nouvelle Aquitaine"},
    {"initiative-france", "Initiative France"},
    {"konexio", "Association Konexio"},
    {"la-cravate-solidaire", "La Cravate Solidaire"},
    {"la-poste", "La Poste"},
    {"les-premieres", "Les Premières"},
    {"maison-departementale-de-lautonomie", "Maisons Départementales de l’Autonomie"},
    {"maisons-de-l-emploi", "Maisons de l’Emploi"},
    {"maisons-des-solidarites", "Maisons Départementales des Solidarités (MDS)"},
    {"mdph", "Maisons Départementales pour les Personnes Handicapées (MDPH)"},
    {"mission-locale", "Mission Locale"},
    {"mjc", "Maisons des Jeunes et de la Culture"},
    {"mobin", "Mob’In"},
    {"msap", "Maisons de Services Au Public"},
    {"mutualite-sociale-agricole", "Mutualité Sociale Agricole"},
    {"nqt", "Association NQT"},
    {"pimms-mediation", "Point Information Médiation Multi Services"},
    {"pjj", "Protection Judiciaire de la Jeunesse"},
    {"plie", "Plans Locaux pour l’Insertion et l’Emploi"},
    {"points-conseil-budget", "Points Conseil Budget"},
    {"points-justice", "Points Justice"},
    {"positive-planet", "Positive Planet"},
    {"regions", "Régions, Préfectures et services régionaux"},
    {"reseau-app", "Réseau APP"},
    {"reseau-bge", "Réseau BGE"},
    {"reseau-entreprendre", "Réseau Entreprendre"},
    {"reseau-information-jeunesse", "Réseau Information Jeunesse"},
    {"residences-fjt", "Résidences - Foyers Jeunes Travailleurs"},
    {"ressourceries", "Ressourceries"},
    {"restos-du-coeur", "Restos du Coeur"},
    {"secours-populaire", "Secours Populaire"},
    {"siao", "Services Intégrés d’Accueil et d’Orientation"},
    {"simplon", "Simplon"},
    {"singa", "Association SINGA"},
    {"snc", "Solidarité Nouvelle Face au Chômage"},
    {"spip", "Services Pénitentiaires d’Insertion et de Probation"},
    {"tous-tes-possibles", "Tous Tes Possibles"},
    {"unaf", "Union Nationale de l’Aide aux Familles"},
    {"unea", "Union Nationale des Entreprises Adaptées"},
    {"unis-cite", "UnisCité"},
    {"wimoov", "Wimoov"},
    {"associations", "Associations"},
    {"autre", "Autre"},
};

}  // namespace

std::span<const NamedValue> ReseauxPorteurs() {
  static_assert(kKinds[std::size(kKinds) - 2].value == "associations" &&
                kKinds[std::size(kKinds) - 1].value == "autre");
  return std::span<const NamedValue>(kKinds, std::size(kKinds) - 2);
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAccueil:
      return "accueil";
    case Role::kSocial:
      return "social";
    case Role::kPartenaire:
      return "partenaire";
    case Role::kCoordination:
      return "coordination";
    case Role::kAdmin:
      return "admin";
  }
  return "accueil";
}

std::string_view RoleLabel(Role role) {
  switch (role) {
    case Role::kAccueil:
      return "Agent d'accueil";
    case Role::kSocial:
      return "Travailleur social";
    case Role::kPartenaire:
      return "Partenaire";
    case Role::kCoordination:
      return "Coordination";
    case Role::kAdmin:
      return "Administration";
  }
  return "";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

bool RoleRequiresSecondFactor(Role role) { return role == Role::kAdmin || role == Role::kSocial; }

bool IsOrganisationKind(std::string_view value) {
  return std::any_of(std::begin(kKinds), std::end(kKinds),
                     [&](const NamedValue& k) { return k.value == value; });
}

std::string_view OrganisationKindLabel(std::string_view value) {
  for (const NamedValue& k : kKinds) {
    if (k.value == value) return k.label;
  }
  return value;
}

std::vector<std::pair<std::string_view, std::string_view>> OrganisationKinds() {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  for (const NamedValue& k : kKinds) out.emplace_back(k.value, k.label);
  return out;
}

bool User::RequiresSecondFactor() const {
  return std::any_of(memberships.begin(), memberships.end(),
                     [](const Membership& m) { return RoleRequiresSecondFactor(m.role); });
}

bool User::HasRole(Role role) const {
  return std::any_of(memberships.begin(), memberships.end(),
                     [&](const Membership& m) { return m.role == role; });
}

}  // namespace pasip::identity
