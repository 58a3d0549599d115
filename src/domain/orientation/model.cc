// The orientation lifecycle table, the référentiels and the draft validation.
#include "domain/orientation/model.h"

#include <algorithm>
#include <set>

#include "core/clock.h"
#include "core/text.h"
#include "domain/directory/model.h"

namespace pasip::orientation {
namespace {

struct StatusInfo {
  Status status;
  std::string_view name;
  std::string_view label;
  // Words for error messages: "une orientation <adjective>".
  std::string_view adjective;
};

constexpr StatusInfo kStatuses[] = {
    {Status::kDraft, "brouillon", "Brouillon", "en brouillon"},
    {Status::kSent, "envoyee", "Envoyée", "envoyée"},
    {Status::kReceived, "recue", "Reçue par le partenaire", "reçue"},
    {Status::kAccepted, "acceptee", "Acceptée", "acceptée"},
    {Status::kReoriented, "reorientee", "Réorientée", "réorientée"},
    {Status::kRefused, "refusee", "Refusée", "refusée"},
    {Status::kAppointmentProposed, "rdv_propose", "Rendez-vous proposé",
     "avec un rendez-vous proposé"},
    {Status::kAppointmentSet, "rdv_fixe", "Rendez-vous fixé", "avec un rendez-vous fixé"},
    {Status::kPersonReceived, "personne_recue", "Personne reçue", "dont la personne a été reçue"},
    {Status::kNoShow, "personne_non_venue", "Personne non venue",
     "dont la personne n'est pas venue"},
    {Status::kCancelled, "annulee", "Annulée", "annulée"},
    {Status::kExpired, "expiree", "Expirée (sans réponse)", "expirée"},
    {Status::kClosed, "cloturee", "Clôturée", "clôturée"},
};

struct StepInfo {
  Step step;
  std::string_view name;
  std::string_view label;
  std::string_view verb;  // "Impossible de <verb> une orientation …"
  bool orienting, recipient, system;
};

constexpr StepInfo kSteps[] = {
    {Step::kSend, "envoyer", "Envoyer", "envoyer", true, false, false},
    {Step::kOpen, "ouvrir", "Ouvrir", "ouvrir", false, true, false},
    {Step::kAccept, "accepter", "Accepter", "accepter", false, true, false},
    {Step::kRefuse, "refuser", "Refuser", "refuser", false, true, false},
    {Step::kReorient, "reorienter", "Réorienter", "réorienter", true, true, false},
    {Step::kProposeAppointment, "proposer_rdv", "Proposer un rendez-vous",
     "proposer un rendez-vous pour", true, true, false},
    {Step::kSetAppointment, "fixer_rdv", "Fixer le rendez-vous", "fixer un rendez-vous pour", true,
     true, false},
    {Step::kPersonReceived, "personne_recue", "Personne reçue", "noter la personne reçue pour",
     true, true, false},
    {Step::kNoShow, "personne_non_venue", "Personne non venue", "noter la personne non venue pour",
     true, true, false},
    {Step::kCancel, "annuler", "Annuler", "annuler", true, false, false},
    {Step::kRemind, "rappel", "Rappel", "relancer automatiquement", false, false, true},
    {Step::kExpire, "expirer", "Expiration", "faire expirer", false, false, true},
    {Step::kRelaunch, "relancer", "Relancer", "relancer", true, false, false},
    {Step::kClose, "cloturer", "Clôturer", "clôturer", true, false, false},
};

const StatusInfo& InfoOf(Status s) {
  for (const StatusInfo& i : kStatuses) {
    if (i.status == s) return i;
  }
  return kStatuses[0];
}

const StepInfo& InfoOf(Step s) {
  for (const StepInfo& i : kSteps) {
    if (i.step == s) return i;
  }
  return kSteps[0];
}

constexpr Choice kModes[] = {
    {"information", "Information : la personne se rend seule chez le partenaire"},
    {"accompagnee", "Accompagnée : l'agent s'assure que la personne sera reçue"},
};
constexpr Choice kAccompagnements[] = {
    {"rdv_demande", "Demande de rendez-vous au partenaire"},
    {"rdv_pris", "Rendez-vous pris pour la personne"},
    {"appel", "Appel au partenaire en présence de la personne"},
    {"physique", "Accompagnement physique de la personne"},
};
constexpr Choice kRefusalReasons[] = {
    {"hors_competence", "La demande ne relève pas de notre service"},
    {"conditions", "La personne ne remplit pas les conditions d'accès"},
    {"hors_territoire", "La personne habite hors de notre territoire"},
    {"complet", "Plus de place ou de créneau disponible"},
    {"deja_suivie", "La personne est déjà accompagnée par ailleurs"},
    {"injoignable", "La personne n'a pas pu être jointe"},
    {"incomplete", "La demande est incomplète"},
    {"autre", "Autre motif (préciser en commentaire)"},
};
constexpr Choice kReorientReasons[] = {
    {"service_plus_adapte", "Un autre service est plus adapté"},
    {"hors_territoire", "Un autre service couvre le lieu de vie de la personne"},
    {"delai", "Un autre service peut recevoir la personne plus vite"},
    {"autre", "Autre motif (préciser en commentaire)"},
};
constexpr Choice kCancelReasons[] = {
    {"demande_resolue", "La demande a été résolue autrement"},
    {"personne_renonce", "La personne ne souhaite plus être orientée"},
    {"erreur", "Orientation faite par erreur"},
    {"doublon", "Orientation en double"},
    {"autre", "Autre motif (préciser en commentaire)"},
};
constexpr Choice kShareableFields[] = {
    {"nom_affiche", "Nom"},
    {"prenoms", "Prénoms"},
    {"nom_usage", "Nom d'usage"},
    {"date_naissance", "Date de naissance"},
    {"telephone", "Téléphone"},
    {"courriel", "Adresse e-mail"},
    {"adresse", "Adresse"},
    {"commune_code", "Commune (code INSEE)"},
    {"langues", "Langues parlées"},
    {"besoins_accessibilite", "Besoins d'accessibilité"},
    {"foyer", "Composition du foyer"},
};

// pasip's own motives and the data·inclusion thématiques of the services that handle them.
struct MotifThematiques {
  std::string_view motif;
  std::initializer_list<std::string_view> thematiques;
};
constexpr std::string_view kAccesDroits =
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits";
constexpr std::string_view kDemarches =
    "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives";
const MotifThematiques kMotifThematiques[] = {
    {"droits--rsa", {kAccesDroits}},
    {"droits--prime-activite", {kAccesDroits}},
    {"droits--css", {kAccesDroits, "sante--acces-aux-soins"}},
    {"droits--aah", {kAccesDroits, "sante--constituer-un-dossier-mdph-invalidite"}},
    {"droits--retraite-aspa", {kAccesDroits}},
    {"droits--aides-logement",
     {kAccesDroits,
      "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"}},
    {"droits--prestations-familiales", {kAccesDroits}},
    {"droits--chomage",
     {kAccesDroits, "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi"}},
    {"droits--titre-sejour", {kDemarches}},
    {"droits--domiciliation", {kDemarches}},
    {"urgence--alimentaire", {"equipement-et-alimentation--alimentation"}},
    {"urgence--hebergement",
     {"logement-hebergement--rechercher-une-solution-dhebergement-temporaire"}},
    {"urgence--violences", {"famille--surmonter-conflits-separation-violence"}},
    {"urgence--sante", {"sante--acces-aux-soins"}},
};

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::size_t Chars(std::string_view s) { return text::Utf8Length(s); }

}  // namespace

std::string_view StatusName(Status s) { return InfoOf(s).name; }
std::string_view StatusLabel(Status s) { return InfoOf(s).label; }
std::optional<Status> ParseStatus(std::string_view name) {
  for (const StatusInfo& i : kStatuses) {
    if (i.name == name) return i.status;
  }
  return std::nullopt;
}

bool AwaitsAnswer(Status s) { return s == Status::kSent || s == Status::kReceived; }

bool IsFinal(Status s) {
  switch (s) {
    case Status::kPersonReceived:
    case Status::kNoShow:
    case Status::kRefused:
    case Status::kReoriented:
    case Status::kCancelled:
    case Status::kClosed:
      return true;
    default:
      return false;
  }
}

std::string_view StepName(Step s) { return InfoOf(s).name; }
std::string_view StepLabel(Step s) { return InfoOf(s).label; }
std::optional<Step> ParseStep(std::string_view name) {
  for (const StepInfo& i : kSteps) {
    if (i.name == name) return i.step;
  }
  return std::nullopt;
}

bool SideMay(Side side, Step step) {
  const StepInfo& i = InfoOf(step);
  switch (side) {
    case Side::kOrienting:
      return i.orienting;
    case Side::kRecipient:
      return i.recipient;
    case Side::kSystem:
      return i.system;
  }
  return false;
}

std::optional<Status> Next(Status from, Step step) {
  using S = Status;
  auto in = [from](std::initializer_list<Status> set) {
    return std::find(set.begin(), set.end(), from) != set.end();
  };
  switch (step) {
    case Step::kSend:
      if (from == S::kDraft) return S::kSent;
      break;
    case Step::kOpen:
      if (from == S::kSent) return S::kReceived;
      break;
    case Step::kAccept:
      if (in({S::kSent, S::kReceived})) return S::kAccepted;
      break;
    case Step::kRefuse:
      if (in({S::kSent, S::kReceived, S::kAccepted})) return S::kRefused;
      break;
    case Step::kReorient:
      // The recipient before an outcome; the orienting agent after a refusal or expiry too.
      if (in({S::kSent, S::kReceived, S::kAccepted, S::kRefused, S::kExpired})) {
        return S::kReoriented;
      }
      break;
    case Step::kProposeAppointment:
      if (in({S::kSent, S::kReceived, S::kAccepted, S::kAppointmentProposed})) {
        return S::kAppointmentProposed;
      }
      break;
    case Step::kSetAppointment:
      if (in({S::kSent, S::kReceived, S::kAccepted, S::kAppointmentProposed, S::kAppointmentSet})) {
        return S::kAppointmentSet;
      }
      break;
    case Step::kPersonReceived:
      if (in({S::kAccepted, S::kAppointmentProposed, S::kAppointmentSet, S::kNoShow})) {
        return S::kPersonReceived;
      }
      break;
    case Step::kNoShow:
      if (in({S::kAccepted, S::kAppointmentProposed, S::kAppointmentSet})) return S::kNoShow;
      break;
    case Step::kCancel:
      if (in({S::kDraft, S::kSent, S::kReceived, S::kAccepted, S::kAppointmentProposed,
              S::kAppointmentSet, S::kExpired})) {
        return S::kCancelled;
      }
      break;
    case Step::kRemind:
      if (AwaitsAnswer(from)) return from;
      break;
    case Step::kExpire:
      if (AwaitsAnswer(from)) return S::kExpired;
      break;
    case Step::kRelaunch:
      if (in({S::kSent, S::kReceived, S::kExpired})) return S::kSent;
      break;
    case Step::kClose:
      if (in({S::kPersonReceived, S::kNoShow, S::kRefused, S::kReoriented, S::kCancelled,
              S::kExpired})) {
        return S::kClosed;
      }
      break;
  }
  return std::nullopt;
}

Error ImpossibleStep(Status from, Step step) {
  std::string_view verb = InfoOf(step).verb;
  // French elision: "d'accepter", "de refuser".
  bool vowel =
      !verb.empty() &&
      (std::string_view("aeiou").find(verb[0]) != std::string_view::npos || verb.starts_with("é"));
  return FailedPrecondition(std::string(vowel ? "Impossible d'" : "Impossible de ") +
                            std::string(verb) + " une orientation " +
                            std::string(InfoOf(from).adjective) + ".");
}

std::span<const Choice> Modes() { return kModes; }
std::span<const Choice> Accompagnements() { return kAccompagnements; }
std::span<const Choice> RefusalReasons() { return kRefusalReasons; }
std::span<const Choice> ReorientReasons() { return kReorientReasons; }
std::span<const Choice> CancelReasons() { return kCancelReasons; }
std::span<const Choice> ShareableFields() { return kShareableFields; }

std::string_view LabelOf(std::span<const Choice> choices, std::string_view code) {
  for (const Choice& c : choices) {
    if (c.code == code) return c.label;
  }
  return "";
}
bool IsChoice(std::span<const Choice> choices, std::string_view code) {
  return std::any_of(choices.begin(), choices.end(),
                     [code](const Choice& c) { return c.code == code; });
}

pasip::Status ValidateDraft(const Orientation& o, const reception::Catalogue& catalogue) {
  if (o.motifs.empty()) {
    return Fail(InvalidArgument("Indiquez au moins un motif de l'orientation.", "motifs"));
  }
  if (o.motifs.size() > 20) {
    return Fail(InvalidArgument("Une orientation a au plus 20 motifs.", "motifs"));
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < o.motifs.size(); ++i) {
    std::string field = "motifs[" + std::to_string(i) + "]";
    if (catalogue.Motif(o.motifs[i]) == nullptr) {
      return Fail(InvalidArgument("Motif inconnu : « " + o.motifs[i] + " ».", field));
    }
    if (!seen.insert(o.motifs[i]).second) {
      return Fail(InvalidArgument("Ce motif est indiqué deux fois.", field));
    }
  }
  std::string_view demande = text::Trim(o.demande);
  if (demande.empty()) {
    return Fail(InvalidArgument("Décrivez ce qui est demandé au partenaire.", "demande"));
  }
  if (Chars(o.demande) > 2000) {
    return Fail(InvalidArgument("La demande fait au plus 2 000 caractères.", "demande"));
  }
  if (!reception::IsChoice(reception::Urgences(), o.urgence)) {
    return Fail(
        InvalidArgument("Urgence inconnue : choisissez aucune, urgente ou danger "
                        "immédiat.",
                        "urgence"));
  }
  if (!IsChoice(Modes(), o.mode)) {
    return Fail(InvalidArgument("Mode inconnu : choisissez information ou accompagnée.", "mode"));
  }
  if (o.mode == "accompagnee") {
    if (!IsChoice(Accompagnements(), o.accompagnement)) {
      return Fail(InvalidArgument(
          "Précisez l'accompagnement : demande de rendez-vous, rendez-vous pris, appel au "
          "partenaire ou accompagnement physique.",
          "accompagnement"));
    }
  } else if (!o.accompagnement.empty()) {
    return Fail(InvalidArgument(
        "L'accompagnement ne se précise que pour une orientation accompagnée.", "accompagnement"));
  }
  if (!o.echeance.empty() && !IsDate(o.echeance)) {
    return Fail(InvalidArgument("L'échéance est une date AAAA-MM-JJ.", "echeance"));
  }
  std::set<std::string_view> fields;
  for (std::size_t i = 0; i < o.champs_partages.size(); ++i) {
    std::string field = "champs_partages[" + std::to_string(i) + "]";
    if (!IsChoice(ShareableFields(), o.champs_partages[i])) {
      return Fail(InvalidArgument(
          "Ce champ ne peut pas être partagé : « " + o.champs_partages[i] + " ».", field));
    }
    if (!fields.insert(o.champs_partages[i]).second) {
      return Fail(InvalidArgument("Ce champ est indiqué deux fois.", field));
    }
  }
  if (!o.person_id) {
    if (!o.champs_partages.empty()) {
      return Fail(InvalidArgument(
          "Une orientation anonyme ne partage aucune donnée personnelle : retirez les champs "
          "partagés ou choisissez le dossier de la personne.",
          "champs_partages"));
    }
    if (o.mode != "information") {
      return Fail(InvalidArgument(
          "Une orientation anonyme est une simple information : la personne se rend seule "
          "chez le partenaire.",
          "mode"));
    }
    if (!o.consentement.empty()) {
      return Fail(
          InvalidArgument("Le consentement ne se recueille que pour une personne avec un dossier.",
                          "consentement"));
    }
  } else if (o.consentement != "informee" && o.consentement != "opposition") {
    return Fail(InvalidArgument(
        "Indiquez si la personne a été informée du partage et l'accepte, ou s'y oppose.",
        "consentement"));
  }
  return {};
}

std::vector<std::string> ThematiquesForMotifs(std::span<const std::string> motifs) {
  std::vector<std::string> out;
  auto add = [&out](std::string_view t) {
    if (std::find(out.begin(), out.end(), t) == out.end()) out.emplace_back(t);
  };
  for (const std::string& m : motifs) {
    if (directory::IsValid(directory::Referentiel::kThematique, m)) {
      add(m);
      continue;
    }
    for (const MotifThematiques& mt : kMotifThematiques) {
      if (mt.motif != m) continue;
      for (std::string_view t : mt.thematiques) add(t);
    }
  }
  return out;
}

std::vector<SharedValue> ShareOf(const reception::Person& person,
                                 std::span<const std::string> fields) {
  std::vector<SharedValue> out;
  for (const Choice& c : ShareableFields()) {
    if (std::find(fields.begin(), fields.end(), c.code) == fields.end()) continue;
    std::string value;
    if (c.code == "nom_affiche") {
      value = person.nom_affiche;
    } else if (c.code == "prenoms") {
      value = person.prenoms;
    } else if (c.code == "nom_usage") {
      value = person.nom_usage;
    } else if (c.code == "date_naissance") {
      value = person.date_naissance;
    } else if (c.code == "telephone") {
      value = person.telephone;
    } else if (c.code == "courriel") {
      value = person.courriel;
    } else if (c.code == "adresse") {
      value = person.adresse;
    } else if (c.code == "commune_code") {
      value = person.commune_code;
    } else if (c.code == "langues") {
      for (const std::string& l : person.langues) value += (value.empty() ? "" : ", ") + l;
    } else if (c.code == "besoins_accessibilite") {
      value = person.besoins_accessibilite;
    } else if (c.code == "foyer") {
      for (const reception::HouseholdMember& m : person.foyer) {
        if (!value.empty()) value += " ; ";
        value += std::string(reception::LabelOf(reception::Relations(), m.relation));
        if (!m.prenom.empty()) value += " " + m.prenom;
        if (!m.date_naissance.empty()) value += " (né·e le " + m.date_naissance + ")";
      }
    }
    out.push_back({std::string(c.code), std::move(value)});
  }
  return out;
}

}  // namespace pasip::orientation
