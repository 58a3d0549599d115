// Filling the directory from files and writing it out: a data·inclusion v1 feed (structures
// and services, JSON, JSON Lines or CSV), the ANCT list of France services (CSV), and the
// data·inclusion export of the published records.
//
// Imports check every row (the JSON readers of api/directory_json.h, then
// directory::ValidateStructure / ValidateService against the référentiels, then the
// references between rows) and refuse a bad row alone, with its position, id, field and a
// French reason; the good rows are upserted by (source, source_id) through
// DirectoryStore::UpsertBulk, structures then services, in batches each written in one
// transaction (a row is written whole or not at all), then the touched structures are
// reindexed. A re-import updates in place and keeps what pasip adds to a record (PASIP
// label, referents, notices, organisation, publication…). Not thread-safe per call; calls
// on distinct data may run concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/directory/directory.h"
#include "domain/directory/ports.h"
#include "storage/database.h"

namespace pasip::app {

// A refused row, or a row imported with a reservation (warning).
struct ImportIssue {
  std::string fichier;   // the file's name as given
  std::string position;  // "ligne 12" (CSV, JSON Lines) or "élément 3" (JSON array, from 1)
  std::string id;        // the record's data·inclusion id, when it could be read
  std::string champ;     // the field at fault ("thematiques[1]"), may be empty
  std::string raison;    // French, plain words
  bool operator==(const ImportIssue&) const = default;
};

struct DirectoryImportReport {
  std::int64_t structures_lues = 0;  // rows read, refused ones included
  std::int64_t services_lus = 0;
  directory::BulkCounts counts;      // created / updated
  std::vector<ImportIssue> rejets;   // rows not imported
  std::vector<ImportIssue> alertes;  // rows imported with a reservation
  std::int64_t structures_reindexees = 0;
};

// Called as the work advances: `what` is "structures", "services" or "index".
using ImportProgress =
    std::function<void(std::string_view what, std::int64_t done, std::int64_t total)>;

struct ImportOptions {
  int batch_size = 2000;    // rows per transaction
  ImportProgress progress;  // may be empty
};

// One input file: its name (for the report) and its whole content.
struct ImportFile {
  std::string name;
  std::string text;
};

struct DataInclusionInput {
  std::optional<ImportFile> structures;
  std::optional<ImportFile> services;
  // When set: the source of records that carry none; a record of another source is refused.
  std::string source;
};

// Imports a data·inclusion feed. Each file is a JSON array of records (or an object whose
// `items` is one, as data·inclusion's API answers), JSON Lines, or CSV whose header names
// the schema's members (lists as a JSON array or comma-separated values); the format is
// detected from the content. A service is refused when its structure is neither in the file
// nor in the directory, and a record whose id was already read in the same file (the first
// one counts); opening hours the strict parser refuses but openinghours::Normalise repairs
// are kept repaired, with a warning. Fails
// (nothing written) with kInvalidArgument when a file cannot be read at all (JSON syntax,
// unterminated CSV quote, no header, neither file given); fails with the store's error when
// a batch cannot be written — the batches before it stay written, and the report is lost.
Result<DirectoryImportReport> ImportDataInclusion(storage::Database& db,
                                                  directory::DirectoryService& directory,
                                                  const DataInclusionInput& input,
                                                  const ImportOptions& options = {});

// The ANCT list (columns id_fs, insee_dep, lib_fs, adresse, complement_adresse, insee_com,
// code_postal, lib_com, latitude, longitude, mail, telephone, h_lundi … h_samedi,
// prise_rdv, commentaire, type_fs, format_fs, groupe_fs, labellisation_fs): one structure
// (source "france-services", source_id = id_fs, réseau porteur "france-service") and one
// service ("Accompagnement aux démarches administratives") per row. Hours that cannot be
// converted, and a phone, e-mail, address or coordinates the checks refuse, are left out
// with a warning rather than losing the site; a second address in `mail` is dropped with a
// warning; other faults refuse the row. `date_maj` is the list's date
// ("2024-08-01"). Fails as ImportDataInclusion (missing column: kInvalidArgument naming it).
Result<DirectoryImportReport> ImportFranceServices(storage::Database& db,
                                                   directory::DirectoryService& directory,
                                                   const ImportFile& file,
                                                   std::string_view date_maj,
                                                   const ImportOptions& options = {});

// The list's date from its file name ("liste-fs-20240801.csv" → "2024-08-01"), or "" when
// the name holds no such date.
std::string DateFromFileName(std::string_view name);

struct ExportReport {
  std::int64_t structures = 0;
  std::int64_t services = 0;
};

// Writes `dir`/structures.json and `dir`/services.json: JSON arrays of data·inclusion v1
// records (api::ToDataInclusion), published records only (a service only when its structure
// is published too), read page by page so that memory does not grow with the directory.
// Each file is written beside and renamed at the end. Creates `dir` if needed. Fails with
// kInvalidArgument (field "out") when the folder or a file cannot be written, or with the
// store's error.
Result<ExportReport> ExportDataInclusion(directory::DirectoryStore& store,
                                         const std::filesystem::path& dir, int page_size = 1000);

// The rejects (or warnings) as CSV: fichier,position,id,champ,raison (with a header line);
// a cell a spreadsheet would take for a formula is prefixed with an apostrophe.
std::string IssuesCsv(const std::vector<ImportIssue>& issues);

// The same as a text table with aligned columns, at most `limit` rows, then a line
// "… et N autres".
std::string IssuesTable(const std::vector<ImportIssue>& issues, std::size_t limit);

// One line of the progress bar, without line end: "Import : 12 000 / 100 000 services
// [#####               ] 12 %" ("Index : … structures" for `what` = "index").
std::string ProgressLine(std::string_view what, std::int64_t done, std::int64_t total,
                         int width = 20);

// 12000 → "12 000".
std::string GroupThousands(std::int64_t n);

}  // namespace pasip::app
