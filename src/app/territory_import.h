// Reading a communes file in any of the accepted formats, and importing it.
//
// The format is detected from the content: the CSV of ../shared/data/communes/ (see
// territory::ParseCommunesCsv); a JSON array whose items carry `codeDepartement` or
// `centre` (geo.api.gouv.fr `/communes?fields=nom,code,population,centre,codeDepartement,
// codeRegion`, optionally `codeEpci`); a JSON array whose items carry `departement`
// (npm @etalab/decoupage-administratif, data/communes.json, no coordinates). Both JSON
// sources may give `codesPostaux`, a list of La Poste codes.
#pragma once

#include <string_view>

#include "core/result.h"
#include "domain/territory/import.h"
#include "storage/database.h"

namespace pasip::app {

// Parses `text`. A non-empty `departement` ("35") keeps only that département's communes;
// the others are neither checked nor counted, and items keep their numbers in messages.
// Fails with kInvalidArgument naming the line (CSV) or the item (JSON, "élément 3", from 1)
// and the field: unreadable or truncated JSON, an unknown JSON shape, a missing or mistyped
// member (`codesPostaux` must be a list of texts), or a value the CSV reader would refuse.
Result<territory::ParsedCommunes> ParseCommunesText(std::string_view text,
                                                    std::string_view departement = {});

// Parses `text` and stores its communes in `db` in one transaction (re-import updates in
// place). Fails as ParseCommunesText or as territory::ImportCommunes.
Result<territory::ImportReport> ImportCommunesText(storage::Database& db, std::string_view text,
                                                   std::string_view departement = {});

}  // namespace pasip::app
