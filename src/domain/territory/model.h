// The territory reference (référentiel territorial): communes of the Code officiel
// géographique (COG) with their département, région, EPCI when known, population and
// centre, as the directory and the finder need them. Plain values; ValidateCommune checks
// one against the COG's shapes and answers in French, naming the field at fault.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pasip::territory {

// The COG's `type` of a commune. Only kCurrent (commune actuelle) is kept by the imports:
// Paris, Lyon and Marseille are current communes, their arrondissements municipaux are not.
enum class CommuneKind {
  kCurrent,                  // commune-actuelle
  kMunicipalArrondissement,  // arrondissement-municipal
  kDelegated,                // commune-deleguee
  kAssociated,               // commune-associee
};

// "commune-actuelle", "arrondissement-municipal"…, as the COG and the database spell them.
std::string_view CommuneKindName(CommuneKind kind);
// The kind named `name` (the names above); nullopt for anything else.
std::optional<CommuneKind> ParseCommuneKind(std::string_view name);

struct Commune {
  std::string code;                 // INSEE code: 5 characters, "35238", "2A004", "97101"
  std::string name;                 // "Rennes"
  std::string departement;          // "35", "2A", "971"
  std::string region;               // "53", "01" (Guadeloupe), "984" for some overseas territories
  std::optional<std::string> epci;  // SIREN of the intercommunality (9 digits), when known
  std::optional<std::int64_t> population;
  std::optional<double> latitude;  // centre, WGS 84; both coordinates or neither
  std::optional<double> longitude;
  CommuneKind kind = CommuneKind::kCurrent;
  // La Poste codes ("35000", "35200"…), when an import provided them (decoupage-administratif
  // and geo.api.gouv.fr do, the CSV does not); empty keeps the stored ones on re-import.
  std::vector<std::string> codes_postaux;

  bool operator==(const Commune&) const = default;
};

struct Departement {
  std::string code;                 // "35", "2A", "971"
  std::optional<std::string> name;  // "Ille-et-Vilaine", when an import provided it
  std::string region;

  bool operator==(const Departement&) const = default;
};

struct Region {
  std::string code;  // "53"

  bool operator==(const Region&) const = default;
};

// The French name of a département ("Ille-et-Vilaine"), from the COG's list; empty when the
// code is unknown.
std::string_view DepartementName(std::string_view code);

// Shapes of the COG codes: an INSEE code is two digits (or 2A/2B) then three digits; a
// département code is two digits, 2A, 2B or three digits starting with 97 or 98; a région
// code is two or three digits.
bool IsInseeCode(std::string_view code);
bool IsDepartementCode(std::string_view code);
bool IsRegionCode(std::string_view code);

// Checks every field of `commune`: codes well formed and consistent (the INSEE code starts
// with the département's), name present and valid UTF-8, population not negative,
// coordinates in range and given together. Fails with kInvalidArgument, the message in
// French and `field` naming the field ("code", "nom", "departement", "region", "epci",
// "population", "codes_postaux" (each of 5 digits), "latitude", "longitude").
Status ValidateCommune(const Commune& commune);

}  // namespace pasip::territory
