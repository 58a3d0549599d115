// Reading communes from the files the territory is loaded from, and loading them.
//
// ParseCommunesCsv reads the CSV `code,nom,type,departement,region,zone,population,lat,lon`
// (the columns found by name in the header; `zone`, `coord_source`, `epci` and unknown
// columns are optional). The JSON sources (npm @etalab/decoupage-administratif,
// geo.api.gouv.fr) are read in app/territory_import.h, which hands each item to
// CommuneFromFields. Every reader keeps only current communes (Paris, Lyon and Marseille
// included, their arrondissements municipaux and the communes déléguées or associées
// skipped) and refuses a whole file at its first fault, naming the line or item and field.
// Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "domain/territory/model.h"
#include "domain/territory/ports.h"

namespace pasip::territory {

struct ParsedCommunes {
  std::vector<Commune> communes;          // current communes only, in file order, codes unique
  std::int64_t skipped = 0;               // arrondissements, communes déléguées or associées
  std::unordered_set<std::string> codes;  // codes read so far (AddParsedCommune)
};

// The fields of one record, as text (empty when absent), before checking.
struct CommuneFields {
  std::string code;
  std::string name;
  std::string kind;  // COG type; empty means commune-actuelle
  std::string departement;
  std::string region;
  std::string epci;
  std::string population;
  std::string latitude;
  std::string longitude;
  std::vector<std::string> codes_postaux;  // La Poste codes, when the source has them
};

// Converts and validates one record. Returns nullopt for a record that is not a current
// commune. `where` prefixes messages ("ligne 12", "élément 3"). Fails with kInvalidArgument
// naming the field (unknown type, population or coordinate not a number, ValidateCommune).
Result<std::optional<Commune>> CommuneFromFields(const CommuneFields& fields,
                                                 std::string_view where);

// Reads the CSV described above (UTF-8, optional BOM, `,` separator, RFC 4180 quotes, LF or
// CRLF). A non-empty `departement` keeps only that département's lines (the others are
// neither checked nor counted). Fails with kInvalidArgument: missing column in the header, a
// line with the wrong number of fields, a bad value (see CommuneFromFields), a code seen
// twice.
Result<ParsedCommunes> ParseCommunesCsv(std::string_view text, std::string_view departement = {});

// Adds `commune` to `parsed` unless its code was already read (kInvalidArgument then).
Status AddParsedCommune(ParsedCommunes& parsed, Commune commune, std::string_view where);

// True when `text` looks like JSON (its first significant character is `[` or `{`); the
// CSV reader is for everything else.
bool LooksLikeJson(std::string_view text);

struct ImportReport {
  std::int64_t created = 0;
  std::int64_t updated = 0;
  std::int64_t skipped = 0;
};

// Validates `parsed` again (callers may build it by hand) and stores it in one go: either
// every commune is written or none. Fails as ValidateCommune (the message names the
// commune's position) or as TerritoryStore::UpsertCommunes.
Result<ImportReport> ImportCommunes(TerritoryStore& store, const ParsedCommunes& parsed);

}  // namespace pasip::territory
