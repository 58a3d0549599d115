// PASIP label, data·inclusion ids, validation of structures and services, freshness score.
#include "domain/directory/model.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/text.h"
#include "domain/openinghours/holidays.h"
#include "domain/openinghours/opening_hours.h"
#include "domain/territory/model.h"

namespace pasip::directory {
namespace {

struct Criterion {
  std::string_view name;
  std::string_view label;
  bool PasipLabel::*member;
};

constexpr Criterion kCriteria[] = {
    {"sans_condition", "Reçoit toute personne, sans condition", &PasipLabel::sans_condition},
    {"ecoute_globale", "Écoute globale de la situation de la personne",
     &PasipLabel::ecoute_globale},
    {"information_droits", "Information sur les droits", &PasipLabel::information_droits},
    {"orientation", "Orientation vers le bon partenaire", &PasipLabel::orientation},
    {"accueil_physique", "Accueil physique", &PasipLabel::accueil_physique},
    {"accueil_telephonique", "Accueil téléphonique", &PasipLabel::accueil_telephonique},
    {"accueil_numerique", "Accueil numérique (courriel, formulaire, visio)",
     &PasipLabel::accueil_numerique},
    {"sans_rendez_vous", "Accueil sans rendez-vous", &PasipLabel::sans_rendez_vous},
    {"sur_rendez_vous", "Accueil sur rendez-vous", &PasipLabel::sur_rendez_vous},
    {"horaires_adaptes", "Horaires compatibles avec le travail (tôt, tard ou le samedi)",
     &PasipLabel::horaires_adaptes},
    {"accessible_pmr", "Accessible aux personnes à mobilité réduite", &PasipLabel::accessible_pmr},
    {"espace_confidentiel", "Espace confidentiel pour les entretiens",
     &PasipLabel::espace_confidentiel},
};

constexpr RefValue kCriteriaRefs[] = {
    {kCriteria[0].name, kCriteria[0].label},   {kCriteria[1].name, kCriteria[1].label},
    {kCriteria[2].name, kCriteria[2].label},   {kCriteria[3].name, kCriteria[3].label},
    {kCriteria[4].name, kCriteria[4].label},   {kCriteria[5].name, kCriteria[5].label},
    {kCriteria[6].name, kCriteria[6].label},   {kCriteria[7].name, kCriteria[7].label},
    {kCriteria[8].name, kCriteria[8].label},   {kCriteria[9].name, kCriteria[9].label},
    {kCriteria[10].name, kCriteria[10].label}, {kCriteria[11].name, kCriteria[11].label},
};

const Criterion* FindCriterion(std::string_view name) {
  for (const Criterion& c : kCriteria) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// Validation helpers. Each answers Ok() or the first failure, naming the field.

constexpr std::size_t kMaxText = 10000;
constexpr std::size_t kMaxUrl = 2083;

Status Invalid(std::string message, std::string field) {
  return Fail(InvalidArgument(std::move(message), std::move(field)));
}

std::string Indexed(std::string_view field, std::size_t i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n' && c != '\r' && c != '\t') || u == 0x7F;
  });
}

Status CheckText(std::string_view value, std::string_view field, std::size_t max_length) {
  if (!text::IsValidUtf8(value) || HasControlCharacter(value)) {
    return Invalid("Le texte contient des caractères non valides.", std::string(field));
  }
  if (text::Utf8Length(value) > max_length) {
    return Invalid(
        "Le texte est trop long (" + std::to_string(max_length) + " caractères au plus).",
        std::string(field));
  }
  return Ok();
}

Status CheckOptionalText(const std::optional<std::string>& value, std::string_view field) {
  return value ? CheckText(*value, field, kMaxText) : Ok();
}

Status CheckIdentifier(std::string_view value, std::string_view field, std::string_view what) {
  if (text::Trim(value).empty()) {
    return Invalid(std::string(what) + " est obligatoire.", std::string(field));
  }
  if (value.size() > 200) {
    return Invalid(std::string(what) + " est trop long (200 caractères au plus).",
                   std::string(field));
  }
  if (!text::IsValidUtf8(value) || std::any_of(value.begin(), value.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F;
      })) {
    return Invalid(std::string(what) + " ne doit contenir ni espace ni caractère spécial.",
                   std::string(field));
  }
  return Ok();
}

Status CheckName(std::string_view nom) {
  if (text::Trim(nom).empty()) return Invalid("Le nom est obligatoire.", "nom");
  PASIP_TRY(CheckText(nom, "nom", kMaxText));
  const std::size_t length = text::Utf8Length(text::Trim(nom));
  if (length < 3 || length > 150) {
    return Invalid("Le nom doit compter entre 3 et 150 caractères.", "nom");
  }
  if (text::Trim(nom).back() == '.') {
    return Invalid("Le nom ne doit pas se terminer par un point.", "nom");
  }
  return Ok();
}

Status CheckDescription(std::string_view description) {
  PASIP_TRY(CheckText(description, "description", kMaxText));
  const std::size_t length = text::Utf8Length(text::Trim(description));
  if (length < 5) {
    return Invalid("La description doit compter entre 5 et 10 000 caractères.", "description");
  }
  return Ok();
}

bool IsDate(std::string_view value) {
  openinghours::Date date;
  return openinghours::ParseDate(value, date);
}

Status CheckDate(std::string_view value, std::string field, std::string_view what) {
  if (!IsDate(value)) {
    return Invalid(std::string(what) + " doit être une date au format AAAA-MM-JJ.",
                   std::move(field));
  }
  return Ok();
}

// Luhn key of a SIRET; La Poste's establishments (SIREN 356000000) use a digit sum that is a
// multiple of 5 instead.
bool SiretKeyValid(std::string_view siret) {
  int sum = 0;
  if (siret.substr(0, 9) == "356000000") {
    for (char c : siret) sum += c - '0';
    return sum % 5 == 0;
  }
  for (std::size_t i = 0; i < siret.size(); ++i) {
    int digit = siret[siret.size() - 1 - i] - '0';
    if (i % 2 == 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 == 0;
}

Status CheckSiret(const std::optional<std::string>& siret) {
  if (!siret) return Ok();
  if (siret->size() != 14 || !IsDigits(*siret)) {
    return Invalid("Le numéro SIRET doit compter 14 chiffres.", "siret");
  }
  if (!SiretKeyValid(*siret)) {
    return Invalid("Le numéro SIRET n'est pas valide (sa clé de contrôle est fausse).", "siret");
  }
  return Ok();
}

Status CheckInsee(const std::optional<std::string>& code, std::string field) {
  if (code && !territory::IsInseeCode(*code)) {
    return Invalid(
        "Le code INSEE de la commune n'est pas valide (5 caractères, par exemple 35238).",
        std::move(field));
  }
  return Ok();
}

Status CheckPostcode(const std::optional<std::string>& code) {
  if (code && (code->size() != 5 || !IsDigits(*code))) {
    return Invalid("Le code postal doit compter 5 chiffres.", "code_postal");
  }
  return Ok();
}

Status CheckEmail(const std::optional<std::string>& email, std::string field) {
  if (email &&
      (email->size() > 254 || !text::IsValidUtf8(*email) || !text::LooksLikeEmail(*email))) {
    return Invalid("L'adresse de courriel n'est pas valide (par exemple nom@exemple.fr).",
                   std::move(field));
  }
  return Ok();
}

// One phone number: digits with the usual separators, 3 (short numbers such as 115) to 15
// digits (E.164's maximum).
Status CheckPhone(const std::optional<std::string>& phone, std::string field) {
  if (!phone) return Ok();
  int digits = 0;
  bool ok = true;
  for (char c : *phone) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != ' ' && c != '+' && c != '.' && c != '-' && c != '(' && c != ')') {
      ok = false;
    }
  }
  if (!ok || digits < 3 || digits > 15) {
    return Invalid(
        "Le numéro de téléphone n'est pas valide : un seul numéro, en chiffres (espaces, points, "
        "tirets, parenthèses et « + » acceptés).",
        std::move(field));
  }
  return Ok();
}

bool LooksLikeUrl(std::string_view url) {
  std::string_view rest;
  if (text::StartsWith(url, "https://")) {
    rest = url.substr(8);
  } else if (text::StartsWith(url, "http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const std::size_t host_end = rest.find_first_of("/?#");
  const std::string_view host = rest.substr(0, host_end);
  if (host.empty() || host.find('.') == std::string_view::npos) return false;
  return text::IsValidUtf8(url) && std::none_of(url.begin(), url.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return u <= 0x20 || u == 0x7F;
         });
}

Status CheckUrl(const std::optional<std::string>& url, std::string field, std::string_view what) {
  if (url && (url->size() > kMaxUrl || !LooksLikeUrl(*url))) {
    return Invalid(std::string(what) +
                       " doit être une adresse web complète commençant par https:// ou http://.",
                   std::move(field));
  }
  return Ok();
}

Status CheckCoordinates(const std::optional<double>& latitude,
                        const std::optional<double>& longitude, const std::string& prefix) {
  if (latitude.has_value() != longitude.has_value()) {
    return Invalid("La latitude et la longitude vont ensemble : indiquez les deux ou aucune.",
                   prefix + (latitude ? "longitude" : "latitude"));
  }
  if (latitude && (!std::isfinite(*latitude) || *latitude < -90 || *latitude > 90)) {
    return Invalid("La latitude doit être comprise entre -90 et 90.", prefix + "latitude");
  }
  if (longitude && (!std::isfinite(*longitude) || *longitude < -180 || *longitude > 180)) {
    return Invalid("La longitude doit être comprise entre -180 et 180.", prefix + "longitude");
  }
  return Ok();
}

Status CheckHours(std::string_view hours, std::string field) {
  auto parsed = openinghours::OpeningHours::Parse(hours);
  if (!parsed) return Invalid(parsed.error().message, std::move(field));
  return Ok();
}

Status CheckOptionalHours(const std::optional<std::string>& hours, std::string field) {
  return hours ? CheckHours(*hours, std::move(field)) : Ok();
}

std::string_view ReferentielNoun(Referentiel r) {
  switch (r) {
    case Referentiel::kThematique:
      return "une thématique";
    case Referentiel::kCategorie:
      return "une catégorie de thématiques";
    case Referentiel::kTypeService:
      return "un type de service";
    case Referentiel::kFrais:
      return "une valeur de frais";
    case Referentiel::kPublic:
      return "un public";
    case Referentiel::kModeAccueil:
      return "un mode d'accueil";
    case Referentiel::kModeMobilisation:
      return "un mode de mobilisation";
    case Referentiel::kPersonneMobilisatrice:
      return "une personne mobilisatrice (professionnels ou usagers)";
    case Referentiel::kReseauPorteur:
      return "un réseau porteur";
  }
  return "une valeur";
}

Status CheckValue(Referentiel r, std::string_view value, std::string field) {
  if (!IsValid(r, value)) {
    return Invalid("« " + std::string(value) + " » n'est pas " + std::string(ReferentielNoun(r)) +
                       " du référentiel data·inclusion.",
                   std::move(field));
  }
  return Ok();
}

Status CheckOptionalValue(Referentiel r, const std::optional<std::string>& value,
                          std::string field) {
  return value ? CheckValue(r, *value, std::move(field)) : Ok();
}

Status CheckDuplicates(const std::vector<std::string>& values, std::string_view field) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!seen.insert(values[i]).second) {
      return Invalid("La valeur « " + values[i] + " » est en double.", Indexed(field, i));
    }
  }
  return Ok();
}

Status CheckValues(Referentiel r, const std::vector<std::string>& values, std::string_view field) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    PASIP_TRY(CheckValue(r, values[i], Indexed(field, i)));
  }
  return CheckDuplicates(values, field);
}

// A zone d'éligibilité: a commune (INSEE code), a département, an EPCI (SIREN) or "france".
bool IsZone(std::string_view zone) {
  return zone == "france" || territory::IsInseeCode(zone) || territory::IsDepartementCode(zone) ||
         (zone.size() == 9 && IsDigits(zone));
}

Status CheckIdOption(const std::optional<std::int64_t>& id, std::string field) {
  if (id && *id <= 0)
    return Invalid("L'identifiant doit être un nombre positif.", std::move(field));
  return Ok();
}

Status CheckAccessibility(const Accessibility& a) {
  for (std::size_t i = 0; i < a.langues.size(); ++i) {
    if (!IsLanguageCode(a.langues[i])) {
      return Invalid("« " + a.langues[i] +
                         " » n'est pas un code de langue connu (ISO 639-1, par exemple « en » "
                         "pour l'anglais).",
                     Indexed("accessibilite.langues", i));
    }
  }
  return CheckDuplicates(a.langues, "accessibilite.langues");
}

Status CheckStops(const std::vector<ItinerantStop>& stops) {
  for (std::size_t i = 0; i < stops.size(); ++i) {
    const ItinerantStop& stop = stops[i];
    const std::string prefix = Indexed("arrets", i) + ".";
    if (text::Trim(stop.lieu).empty()) {
      return Invalid("Le lieu de l'arrêt est obligatoire.", prefix + "lieu");
    }
    PASIP_TRY(CheckText(stop.lieu, prefix + "lieu", 500));
    if (!stop.code_insee.empty() && !territory::IsInseeCode(stop.code_insee)) {
      return Invalid(
          "Le code INSEE de la commune de l'arrêt n'est pas valide (5 caractères, par exemple "
          "35238).",
          prefix + "code_insee");
    }
    PASIP_TRY(CheckCoordinates(stop.latitude, stop.longitude, prefix));
    if (!stop.latitude && stop.code_insee.empty()) {
      return Invalid("Indiquez la commune ou les coordonnées de l'arrêt.", prefix + "code_insee");
    }
    if (text::Trim(stop.horaires).empty()) {
      return Invalid("Les horaires de l'arrêt sont obligatoires.", prefix + "horaires");
    }
    PASIP_TRY(CheckHours(stop.horaires, prefix + "horaires"));
  }
  return Ok();
}

Status CheckReferents(const std::vector<Referent>& referents) {
  for (std::size_t i = 0; i < referents.size(); ++i) {
    const Referent& r = referents[i];
    const std::string prefix = Indexed("referents", i) + ".";
    if (text::Trim(r.nom).empty()) {
      return Invalid("Le nom du référent est obligatoire.", prefix + "nom");
    }
    PASIP_TRY(CheckText(r.nom, prefix + "nom", 200));
    PASIP_TRY(CheckText(r.fonction, prefix + "fonction", 200));
    if (r.telephone.empty() && r.courriel.empty()) {
      return Invalid("Indiquez un téléphone ou un courriel pour joindre le référent.",
                     prefix + "telephone");
    }
    if (!r.telephone.empty()) PASIP_TRY(CheckPhone(r.telephone, prefix + "telephone"));
    if (!r.courriel.empty()) PASIP_TRY(CheckEmail(r.courriel, prefix + "courriel"));
  }
  return Ok();
}

Status CheckNotices(const std::vector<Notice>& notices) {
  for (std::size_t i = 0; i < notices.size(); ++i) {
    const Notice& n = notices[i];
    const std::string prefix = Indexed("avis", i) + ".";
    PASIP_TRY(CheckDate(n.debut, prefix + "debut", "La date de début"));
    PASIP_TRY(CheckDate(n.fin, prefix + "fin", "La date de fin"));
    if (n.fin < n.debut) {
      return Invalid("La date de fin doit être le même jour ou après la date de début.",
                     prefix + "fin");
    }
    if (text::Trim(n.message).empty()) {
      return Invalid("Le message de l'avis est obligatoire.", prefix + "message");
    }
    PASIP_TRY(CheckText(n.message, prefix + "message", 1000));
  }
  return Ok();
}

Status CheckPermanences(const std::vector<Permanence>& permanences) {
  for (std::size_t i = 0; i < permanences.size(); ++i) {
    const Permanence& p = permanences[i];
    const std::string prefix = Indexed("permanences", i) + ".";
    if (p.host_structure_id <= 0) {
      return Invalid("Choisissez la structure qui accueille la permanence.",
                     prefix + "host_structure_id");
    }
    if (text::Trim(p.horaires).empty()) {
      return Invalid("Les horaires de la permanence sont obligatoires.", prefix + "horaires");
    }
    PASIP_TRY(CheckHours(p.horaires, prefix + "horaires"));
    PASIP_TRY(CheckText(p.precisions, prefix + "precisions", 1000));
  }
  return Ok();
}

// ---------------------------------------------------------------------------------------
// Freshness.

constexpr std::int64_t kFreshDays = 182;  // full weight up to six months
constexpr std::int64_t kStaleDays = 730;  // a quarter from two years on
constexpr double kStaleWeight = 0.25;

std::optional<std::int64_t> DayNumberOf(std::string_view date) {
  openinghours::Date d;
  if (!openinghours::ParseDate(date, d)) return std::nullopt;
  return openinghours::DayNumber(d);
}

// Scales the completeness by the age of the last update; fills age_days and the "stale"
// entry of `manques`.
void ApplyRecency(Freshness& f, double completeness, std::string_view date_maj,
                  std::string_view today) {
  const auto updated = DayNumberOf(date_maj);
  const auto now = DayNumberOf(today);
  double weight = kStaleWeight;
  if (!updated || !now) {
    f.manques.emplace_back("date de mise à jour inconnue");
  } else {
    f.age_days = std::max<std::int64_t>(0, *now - *updated);
    if (f.age_days <= kFreshDays) {
      weight = 1.0;
    } else if (f.age_days < kStaleDays) {
      const double t = static_cast<double>(f.age_days - kFreshDays) / (kStaleDays - kFreshDays);
      weight = 1.0 - t * (1.0 - kStaleWeight);
    }
    if (f.age_days > kFreshDays) f.manques.emplace_back("pas de mise à jour depuis plus de 6 mois");
  }
  f.score = std::clamp(completeness * weight, 0.0, 1.0);
}

bool NonEmpty(const std::optional<std::string>& s) { return s && !text::Trim(*s).empty(); }

}  // namespace

// ---------------------------------------------------------------------------------------

bool PasipLabel::Complete() const { return Count() == static_cast<int>(std::size(kCriteria)); }

int PasipLabel::Count() const {
  int n = 0;
  for (const Criterion& c : kCriteria) n += (this->*c.member) ? 1 : 0;
  return n;
}

std::span<const RefValue> PasipCriteria() { return kCriteriaRefs; }

bool SetCriterion(PasipLabel& label, std::string_view name, bool value) {
  const Criterion* c = FindCriterion(name);
  if (!c) return false;
  label.*(c->member) = value;
  return true;
}

std::optional<bool> GetCriterion(const PasipLabel& label, std::string_view name) {
  const Criterion* c = FindCriterion(name);
  if (!c) return std::nullopt;
  return label.*(c->member);
}

std::string DataInclusionId(std::string_view source, std::string_view source_id) {
  std::string id;
  id.reserve(source.size() + 2 + source_id.size());
  id.append(source).append("--").append(source_id);
  return id;
}

Status ValidateStructure(const Structure& s) {
  PASIP_TRY(CheckIdentifier(s.source, "source", "La source"));
  PASIP_TRY(CheckIdentifier(s.source_id, "source_id", "L'identifiant chez la source"));
  PASIP_TRY(CheckName(s.nom));
  PASIP_TRY(CheckDate(s.date_maj, "date_maj", "La date de mise à jour"));
  PASIP_TRY(CheckSiret(s.siret));
  if (s.description) PASIP_TRY(CheckDescription(*s.description));
  PASIP_TRY(CheckOptionalText(s.adresse, "adresse"));
  PASIP_TRY(CheckOptionalText(s.complement_adresse, "complement_adresse"));
  PASIP_TRY(CheckPostcode(s.code_postal));
  PASIP_TRY(CheckInsee(s.code_insee, "code_insee"));
  PASIP_TRY(CheckOptionalText(s.commune, "commune"));
  PASIP_TRY(CheckPhone(s.telephone, "telephone"));
  PASIP_TRY(CheckEmail(s.courriel, "courriel"));
  PASIP_TRY(CheckUrl(s.site_web, "site_web", "Le site web"));
  PASIP_TRY(CheckUrl(s.lien_source, "lien_source", "Le lien vers la source"));
  PASIP_TRY(CheckUrl(s.accessibilite_lieu, "accessibilite_lieu", "Le lien Acceslibre"));
  PASIP_TRY(CheckOptionalHours(s.horaires_accueil, "horaires_accueil"));
  PASIP_TRY(CheckCoordinates(s.latitude, s.longitude, ""));
  PASIP_TRY(CheckValues(Referentiel::kReseauPorteur, s.reseaux_porteurs, "reseaux_porteurs"));
  PASIP_TRY(CheckIdOption(s.organisation_id, "organisation_id"));
  PASIP_TRY(CheckIdOption(s.site_id, "site_id"));
  PASIP_TRY(CheckAccessibility(s.accessibilite));
  PASIP_TRY(CheckStops(s.arrets));
  PASIP_TRY(CheckReferents(s.referents));
  PASIP_TRY(CheckNotices(s.avis));
  return Ok();
}

Status ValidateService(const Service& s) {
  PASIP_TRY(CheckIdentifier(s.source, "source", "La source"));
  PASIP_TRY(CheckIdentifier(s.source_id, "source_id", "L'identifiant chez la source"));
  PASIP_TRY(CheckName(s.nom));
  if (text::Trim(s.description).empty()) {
    return Invalid("La description est obligatoire.", "description");
  }
  PASIP_TRY(CheckDescription(s.description));
  PASIP_TRY(CheckDate(s.date_maj, "date_maj", "La date de mise à jour"));
  PASIP_TRY(CheckOptionalValue(Referentiel::kTypeService, s.type, "type"));
  PASIP_TRY(CheckOptionalValue(Referentiel::kFrais, s.frais, "frais"));
  PASIP_TRY(CheckOptionalText(s.frais_precisions, "frais_precisions"));
  PASIP_TRY(CheckOptionalText(s.publics_precisions, "publics_precisions"));
  PASIP_TRY(CheckOptionalText(s.conditions_acces, "conditions_acces"));
  PASIP_TRY(CheckOptionalText(s.adresse, "adresse"));
  PASIP_TRY(CheckOptionalText(s.complement_adresse, "complement_adresse"));
  PASIP_TRY(CheckPostcode(s.code_postal));
  PASIP_TRY(CheckInsee(s.code_insee, "code_insee"));
  PASIP_TRY(CheckOptionalText(s.commune, "commune"));
  PASIP_TRY(CheckPhone(s.telephone, "telephone"));
  PASIP_TRY(CheckEmail(s.courriel, "courriel"));
  PASIP_TRY(CheckOptionalText(s.contact_nom_prenom, "contact_nom_prenom"));
  PASIP_TRY(CheckUrl(s.lien_mobilisation, "lien_mobilisation", "Le lien de mobilisation"));
  PASIP_TRY(CheckUrl(s.lien_source, "lien_source", "Le lien vers la source"));
  PASIP_TRY(CheckOptionalText(s.mobilisation_precisions, "mobilisation_precisions"));
  PASIP_TRY(CheckOptionalHours(s.horaires_accueil, "horaires_accueil"));
  PASIP_TRY(CheckCoordinates(s.latitude, s.longitude, ""));
  if (s.nombre_semaines && *s.nombre_semaines < 1) {
    return Invalid("Le nombre de semaines doit être d'au moins 1.", "nombre_semaines");
  }
  if (s.volume_horaire_hebdomadaire &&
      (!std::isfinite(*s.volume_horaire_hebdomadaire) || *s.volume_horaire_hebdomadaire < 0 ||
       *s.volume_horaire_hebdomadaire > 168)) {
    return Invalid("Le volume horaire hebdomadaire doit être compris entre 0 et 168 heures.",
                   "volume_horaire_hebdomadaire");
  }
  PASIP_TRY(CheckValues(Referentiel::kThematique, s.thematiques, "thematiques"));
  PASIP_TRY(CheckValues(Referentiel::kPublic, s.publics, "publics"));
  PASIP_TRY(CheckValues(Referentiel::kModeAccueil, s.modes_accueil, "modes_accueil"));
  PASIP_TRY(
      CheckValues(Referentiel::kModeMobilisation, s.modes_mobilisation, "modes_mobilisation"));
  PASIP_TRY(CheckValues(Referentiel::kPersonneMobilisatrice, s.mobilisable_par, "mobilisable_par"));
  for (std::size_t i = 0; i < s.zone_eligibilite.size(); ++i) {
    if (!IsZone(s.zone_eligibilite[i])) {
      return Invalid("« " + s.zone_eligibilite[i] +
                         " » n'est pas une zone d'éligibilité valide : code INSEE de commune (5 "
                         "caractères), code de département, SIREN d'EPCI (9 chiffres) ou "
                         "« france ».",
                     Indexed("zone_eligibilite", i));
    }
  }
  PASIP_TRY(CheckDuplicates(s.zone_eligibilite, "zone_eligibilite"));
  PASIP_TRY(CheckPermanences(s.permanences));
  return Ok();
}

Freshness ScoreService(const Service& s, std::string_view today) {
  Freshness f;
  double points = 0;
  auto award = [&](bool present, double weight, const char* missing) {
    if (present) {
      points += weight;
    } else {
      f.manques.emplace_back(missing);
    }
  };
  award(NonEmpty(s.telephone) || NonEmpty(s.courriel), 0.25,
        "aucun contact (téléphone ou courriel)");
  award(!text::Trim(s.description).empty(), 0.10, "pas de description");
  award(!s.thematiques.empty(), 0.20, "aucune thématique");
  award(!s.publics.empty(), 0.10, "aucun public précisé");
  award(!s.modes_accueil.empty(), 0.10, "aucun mode d'accueil");
  award(NonEmpty(s.horaires_accueil) ||
            std::any_of(s.permanences.begin(), s.permanences.end(),
                        [](const Permanence& p) { return !p.horaires.empty(); }),
        0.15, "pas d'horaires");
  award((s.latitude && s.longitude) || NonEmpty(s.code_insee) || !s.permanences.empty(), 0.10,
        "pas d'adresse localisée");
  ApplyRecency(f, points, s.date_maj, today);
  return f;
}

Freshness ScoreStructure(const Structure& s, std::span<const Service> services,
                         std::string_view today) {
  Freshness f;
  double points = 0;
  auto award = [&](bool present, double weight, const char* missing) {
    if (present) {
      points += weight;
    } else {
      f.manques.emplace_back(missing);
    }
  };
  auto any_service = [&](auto predicate) {
    return std::any_of(services.begin(), services.end(), predicate);
  };
  award(NonEmpty(s.telephone) || NonEmpty(s.courriel), 0.25,
        "aucun contact (téléphone ou courriel)");
  award(NonEmpty(s.description), 0.10, "pas de description");
  award(NonEmpty(s.horaires_accueil) ||
            any_service([](const Service& x) { return NonEmpty(x.horaires_accueil); }),
        0.15, "pas d'horaires");
  award((s.latitude && s.longitude) || NonEmpty(s.code_insee), 0.15, "pas d'adresse localisée");
  if (services.empty()) {
    f.manques.emplace_back("aucun service décrit");
  } else {
    award(any_service([](const Service& x) { return !x.thematiques.empty(); }), 0.15,
          "aucune thématique dans ses services");
    award(any_service([](const Service& x) { return !x.publics.empty(); }), 0.10,
          "aucun public précisé dans ses services");
    award(any_service([](const Service& x) { return !x.modes_accueil.empty(); }), 0.10,
          "aucun mode d'accueil dans ses services");
  }
  // The freshest of the structure's and its services' dates: editing a service is a review.
  std::string_view latest = s.date_maj;
  for (const Service& x : services) {
    if (IsDate(x.date_maj) && (!IsDate(latest) || x.date_maj > latest)) latest = x.date_maj;
  }
  ApplyRecency(f, points, latest, today);
  return f;
}

}  // namespace pasip::directory
