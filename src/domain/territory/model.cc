#include "domain/territory/model.h"

#include <cmath>

#include "core/text.h"

namespace pasip::territory {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return !s.empty();
}

// What users can read of a bad value: the text itself, shortened.
std::string Quoted(std::string_view value) {
  std::string shown(value.substr(0, 40));
  if (!text::IsValidUtf8(shown)) shown = "?";
  return "« " + shown + " »";
}

// The COG's names of the départements, and of the collectivités d'outre-mer that the COG
// files list with département codes (975, 977, 978, 984, 986 to 989), by code.
struct NamedCode {
  std::string_view code;
  std::string_view name;
};
constexpr NamedCode kDepartements[] = {
    {"01", "Ain"},
    {"02", "Aisne"},
    {"03", "Allier"},
    {"04", "Alpes-de-Haute-Provence"},
    {"05", "Hautes-Alpes"},
    {"06", "Alpes-Maritimes"},
    {"07", "Ardèche"},
    {"08", "Ardennes"},
    {"09", "Ariège"},
    {"10", "Aube"},
    {"11", "Aude"},
    {"12", "Aveyron"},
    {"13", "Bouches-du-Rhône"},
    {"14", "Calvados"},
    {"15", "Cantal"},
    {"16", "Charente"},
    {"17", "Charente-Maritime"},
    {"18", "Cher"},
    {"19", "Corrèze"},
    {"21", "Côte-d'Or"},
    {"22", "Côtes-d'Armor"},
    {"23", "Creuse"},
    {"24", "Dordogne"},
    {"25", "Doubs"},
    {"26", "Drôme"},
    {"27", "Eure"},
    {"28", "Eure-et-Loir"},
    {"29", "Finistère"},
    {"2A", "Corse-du-Sud"},
    {"2B", "Haute-Corse"},
    {"30", "Gard"},
    {"31", "Haute-Garonne"},
    {"32", "Gers"},
    {"33", "Gironde"},
    {"34", "Hérault"},
    {"35", "Ille-et-Vilaine"},
    {"36", "Indre"},
    {"37", "Indre-et-Loire"},
    {"38", "Isère"},
    {"39", "Jura"},
    {"40", "Landes"},
    {"41", "Loir-et-Cher"},
    {"42", "Loire"},
    {"43", "Haute-Loire"},
    {"44", "Loire-Atlantique"},
    {"45", "Loiret"},
    {"46", "Lot"},
    {"47", "Lot-et-Garonne"},
    {"48", "Lozère"},
    {"49", "Maine-et-Loire"},
    {"50", "Manche"},
    {"51", "Marne"},
    {"52", "Haute-Marne"},
    {"53", "Mayenne"},
    {"54", "Meurthe-et-Moselle"},
    {"55", "Meuse"},
    {"56", "Morbihan"},
    {"57", "Moselle"},
    {"58", "Nièvre"},
    {"59", "Nord"},
    {"60", "Oise"},
    {"61", "Orne"},
    {"62", "Pas-de-Calais"},
    {"63", "Puy-de-Dôme"},
    {"64", "Pyrénées-Atlantiques"},
    {"65", "Hautes-Pyrénées"},
    {"66", "Pyrénées-Orientales"},
    {"67", "Bas-Rhin"},
    {"68", "Haut-Rhin"},
    {"69", "Rhône"},
    {"70", "Haute-Saône"},
    {"71", "Saône-et-Loire"},
    {"72", "Sarthe"},
    {"73", "Savoie"},
    {"74", "Haute-Savoie"},
    {"75", "Paris"},
    {"76", "Seine-Maritime"},
    {"77", "Seine-et-Marne"},
    {"78", "Yvelines"},
    {"79", "Deux-Sèvres"},
    {"80", "Somme"},
    {"81", "Tarn"},
    {"82", "Tarn-et-Garonne"},
    {"83", "Var"},
    {"84", "Vaucluse"},
    {"85", "Vendée"},
    {"86", "Vienne"},
    {"87", "Haute-Vienne"},
    {"88", "Vosges"},
    {"89", "Yonne"},
    {"90", "Territoire de Belfort"},
    {"91", "Essonne"},
    {"92", "Hauts-de-Seine"},
    {"93", "Seine-Saint-Denis"},
    {"94", "Val-de-Marne"},
    {"95", "Val-d'Oise"},
    {"971", "Guadeloupe"},
    {"972", "Martinique"},
    {"973", "Guyane"},
    {"974", "La Réunion"},
    {"975", "Saint-Pierre-et-Miquelon"},
    {"976", "Mayotte"},
    {"977", "Saint-Barthélemy"},
    {"978", "Saint-Martin"},
    {"984", "Terres australes et antarctiques françaises"},
    {"986", "Wallis et Futuna"},
    {"987", "Polynésie française"},
    {"988", "Nouvelle-Calédonie"},
    {"989", "Île de Clipperton"},
};

}  // namespace

std::string_view CommuneKindName(CommuneKind kind) {
  switch (kind) {
    case CommuneKind::kCurrent:
      return "commune-actuelle";
    case CommuneKind::kMunicipalArrondissement:
      return "arrondissement-municipal";
    case CommuneKind::kDelegated:
      return "commune-deleguee";
    case CommuneKind::kAssociated:
      return "commune-associee";
  }
  return "commune-actuelle";
}

std::optional<CommuneKind> ParseCommuneKind(std::string_view name) {
  for (CommuneKind kind : {CommuneKind::kCurrent, CommuneKind::kMunicipalArrondissement,
                           CommuneKind::kDelegated, CommuneKind::kAssociated}) {
    if (CommuneKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view DepartementName(std::string_view code) {
  for (const NamedCode& d : kDepartements) {
    if (d.code == code) return d.name;
  }
  return {};
}

bool IsInseeCode(std::string_view code) {
  if (code.size() != 5 || !AllDigits(code.substr(2))) return false;
  return AllDigits(code.substr(0, 2)) || code.substr(0, 2) == "2A" || code.substr(0, 2) == "2B";
}

bool IsDepartementCode(std::string_view code) {
  if (code == "2A" || code == "2B") return true;
  if (code.size() == 2) return AllDigits(code) && code != "00" && code != "20";
  return code.size() == 3 && AllDigits(code) && (code[1] == '7' || code[1] == '8') &&
         code[0] == '9';
}

bool IsRegionCode(std::string_view code) {
  return (code.size() == 2 || code.size() == 3) && AllDigits(code);
}

Status ValidateCommune(const Commune& c) {
  if (!IsInseeCode(c.code)) {
    return Fail(InvalidArgument("code INSEE invalide : " + Quoted(c.code) +
                                    " (attendu : 5 caractères, par exemple 35238 ou 2A004).",
                                "code"));
  }
  if (text::Trim(c.name).empty()) {
    return Fail(InvalidArgument("nom de la commune " + c.code + " absent.", "nom"));
  }
  if (!text::IsValidUtf8(c.name) || c.name.size() > 200) {
    return Fail(InvalidArgument(
        "nom de la commune " + c.code + " illisible (UTF-8 attendu, 200 octets au plus).", "nom"));
  }
  if (!IsDepartementCode(c.departement)) {
    return Fail(InvalidArgument("code de département invalide : " + Quoted(c.departement) +
                                    " (attendu : 35, 2A ou 971 par exemple).",
                                "departement"));
  }
  if (!text::StartsWith(c.code, c.departement)) {
    return Fail(InvalidArgument(
        "le code INSEE " + c.code + " n'appartient pas au département " + c.departement + ".",
        "departement"));
  }
  if (!IsRegionCode(c.region)) {
    return Fail(InvalidArgument("code de région invalide : " + Quoted(c.region) +
                                    " (attendu : 2 ou 3 chiffres, par exemple 53).",
                                "region"));
  }
  if (c.epci && (c.epci->size() != 9 || !AllDigits(*c.epci))) {
    return Fail(InvalidArgument(
        "code EPCI invalide : " + Quoted(*c.epci) + " (attendu : SIREN à 9 chiffres).", "epci"));
  }
  if (c.population && *c.population < 0) {
    return Fail(
        InvalidArgument("population négative pour la commune " + c.code + ".", "population"));
  }
  for (std::size_t i = 0; i < c.codes_postaux.size(); ++i) {
    const std::string& postcode = c.codes_postaux[i];
    if (postcode.size() != 5 || !AllDigits(postcode)) {
      return Fail(InvalidArgument("code postal invalide pour la commune " + c.code + " : " +
                                      Quoted(postcode) +
                                      " (attendu : 5 chiffres, par exemple "
                                      "35000).",
                                  "codes_postaux"));
    }
  }
  if (c.latitude.has_value() != c.longitude.has_value()) {
    return Fail(InvalidArgument("coordonnées incomplètes pour la commune " + c.code +
                                    " : latitude et longitude vont "
                                    "ensemble.",
                                c.latitude ? "longitude" : "latitude"));
  }
  if (c.latitude && !(std::isfinite(*c.latitude) && *c.latitude >= -90 && *c.latitude <= 90)) {
    return Fail(InvalidArgument(
        "latitude hors limites pour la commune " + c.code + " (entre -90 et 90).", "latitude"));
  }
  if (c.longitude &&
      !(std::isfinite(*c.longitude) && *c.longitude >= -180 && *c.longitude <= 180)) {
    return Fail(InvalidArgument(
        "longitude hors limites pour la commune " + c.code + " (entre -180 et 180).", "longitude"));
  }
  return Ok();
}

}  // namespace pasip::territory
