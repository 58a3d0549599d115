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
