#include "app/directory_import.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "api/directory_json.h"
#include "core/csv.h"
#include "core/text.h"
#include "domain/openinghours/normaliser.h"
#include "domain/openinghours/opening_hours.h"
#include "storage/territory_repository.h"

namespace pasip::app {
namespace {

using nlohmann::json;
namespace dir = directory;

constexpr std::string_view kFranceServicesSource = "france-services";

// ---------------------------------------------------------------------------------------
// Reading files into records.

// One record of a file: its JSON object, or why it could not be read.
struct RawRecord {
  std::string position;
  bool readable = true;
  json object;     // an object when readable
  Error error;     // why not, otherwise
  std::string id;  // the id read anyway from an unreadable CSV row, for the report
};

using RecordVisitor = std::function<void(RawRecord&&)>;

Error FileError(const ImportFile& file, std::string message) {
  return InvalidArgument(file.name + " : " + std::move(message), "fichier");
}

RawRecord Unreadable(std::string position, std::string message, std::string field = {}) {
  RawRecord r;
  r.position = std::move(position);
  r.readable = false;
  r.error = InvalidArgument(std::move(message), std::move(field));
  return r;
}

RawRecord ParsedRecord(std::string position, std::string_view text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Unreadable(std::move(position), "JSON illisible.");
  if (!value.is_object()) {
    return Unreadable(std::move(position), "un objet JSON est attendu pour chaque enregistrement.");
  }
  RawRecord r;
  r.position = std::move(position);
  r.object = std::move(value);
  return r;
}

// A JSON array, element by element: each element is cut out of the text (strings and
// nesting followed) and parsed alone, so that memory stays bounded by the largest element
// and a malformed element is refused alone.
Status ReadJsonArray(const ImportFile& file, std::string_view text, const RecordVisitor& visit) {
  std::size_t pos = text.find('[') + 1;
  const auto skip_blanks = [&] {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t')) {
      ++pos;
    }
  };
  skip_blanks();
  if (pos < text.size() && text[pos] == ']') {
    ++pos;
  } else {
    for (std::size_t index = 1;; ++index) {
      const std::size_t start = pos;
      int depth = 0;
      bool in_string = false;
      for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (in_string) {
          if (c == '\\') {
            ++pos;
          } else if (c == '"') {
            in_string = false;
          }
          continue;
        }
        if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (depth == 0) break;
          --depth;
        } else if (c == ',' && depth == 0) {
          break;
        }
      }
      if (pos >= text.size()) {
        return Fail(FileError(file, "JSON tronqué : le tableau n'est pas fermé (élément " +
                                        std::to_string(index) + ")."));
      }
      const char end = text[pos];
      if (end != ',' && end != ']') {
        return Fail(FileError(file, "JSON illisible après l'élément " + std::to_string(index) +
                                        " (« " + std::string(1, end) + " » inattendu)."));
      }
      const std::string_view element = text::Trim(text.substr(start, pos - start));
      const std::string position = "élément " + std::to_string(index);
      if (element.empty()) {
        visit(Unreadable(position, "élément vide."));
      } else {
        visit(ParsedRecord(position, element));
      }
      ++pos;
      if (end == ']') break;
      skip_blanks();
    }
  }
  skip_blanks();
  if (pos < text.size()) {
    return Fail(FileError(file, "texte après la fin du tableau JSON."));
  }
  return Ok();
}

Status ReadJsonLines(std::string_view text, const RecordVisitor& visit) {
  std::size_t line = 1;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view content = text::Trim(text.substr(pos, end - pos));
    if (!content.empty()) visit(ParsedRecord("ligne " + std::to_string(line), content));
    pos = end + 1;
    ++line;
  }
  return Ok();
}

// Members whose CSV cell holds a list, a decimal or an integer.
bool IsListMember(std::string_view name) {
  static const std::set<std::string_view> kLists = {
      "reseaux_porteurs",   "thematiques",     "publics",         "modes_accueil",
      "modes_mobilisation", "mobilisable_par", "zone_eligibilite"};
  return kLists.contains(name);
}
bool IsDecimalMember(std::string_view name) {
  return name == "latitude" || name == "longitude" || name == "volume_horaire_hebdomadaire";
}

std::optional<double> ParseDecimal(std::string_view value) {
  std::string text(text::Trim(value));
  if (text.find('.') == std::string::npos) std::replace(text.begin(), text.end(), ',', '.');
  if (!text.empty() && text.front() == '+') text.erase(0, 1);
  double d = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(d)) {
    return std::nullopt;
  }
  return d;
}

std::string Shown(std::string_view value) {
  std::string shown(value.substr(0, 60));
  if (!text::IsValidUtf8(shown)) shown = "?";
  return "« " + shown + (value.size() > 60 ? "… »" : " »");
}

// One CSV cell as the JSON value of member `name`.
Result<json> CellValue(std::string_view name, std::string_view cell) {
  const std::string_view value = text::Trim(cell);
  if (value.empty()) return json(nullptr);
  if (!text::IsValidUtf8(value)) {
    return Fail(InvalidArgument("Le champ « " + std::string(name) + " » n'est pas du texte UTF-8.",
                                std::string(name)));
  }
  if (IsListMember(name)) {
    if (value.front() == '[') {
      json list = json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (list.is_discarded() || !list.is_array()) {
        return Fail(InvalidArgument(
            "Le champ « " + std::string(name) + " » n'est pas une liste JSON lisible.",
            std::string(name)));
      }
      return list;
    }
    json list = json::array();
    for (const auto& item : text::Split(value, ',')) {
      const std::string_view v = text::Trim(item);
      if (!v.empty()) list.push_back(std::string(v));
    }
    return list;
  }
  if (IsDecimalMember(name)) {
    const auto d = ParseDecimal(value);
    if (!d) {
      return Fail(InvalidArgument(
          "Le champ « " + std::string(name) + " » doit être un nombre (" + Shown(value) + ").",
          std::string(name)));
    }
    return json(*d);
  }
  if (name == "nombre_semaines") {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size()) {
      return Fail(InvalidArgument(
          "Le champ « nombre_semaines » doit être un nombre entier (" + Shown(value) + ").",
          "nombre_semaines"));
    }
    return json(n);
  }
  return json(std::string(value));
}

Status ReadCsv(const ImportFile& file, std::string_view text, const RecordVisitor& visit) {
  csv::Reader reader(text, csv::DetectSeparator(text));
  csv::Record header;
  auto first = reader.Next(header);
  if (!first) return Fail(FileError(file, first.error().message));
  if (!*first || csv::IsBlank(header)) return Fail(FileError(file, "fichier vide."));
  std::vector<std::string> names;
  for (const auto& h : header.fields) names.push_back(text::AsciiLower(text::Trim(h)));
  const auto id_column = std::find(names.begin(), names.end(), "id");
  if (id_column == names.end()) {
    return Fail(FileError(file,
                          "ligne 1 : colonne « id » absente de l'en-tête (les colonnes "
                          "portent les noms du schéma data·inclusion)."));
  }
  csv::Record record;
  while (true) {
    auto more = reader.Next(record);
    if (!more) return Fail(FileError(file, more.error().message));
    if (!*more) break;
    if (csv::IsBlank(record)) continue;
    const std::string position = "ligne " + std::to_string(record.line);
    const std::size_t id_index = static_cast<std::size_t>(id_column - names.begin());
    const std::string id =
        id_index < record.fields.size() && text::IsValidUtf8(record.fields[id_index])
            ? std::string(text::Trim(record.fields[id_index]))
            : std::string();
    if (record.fields.size() != names.size()) {
      RawRecord raw =
          Unreadable(position, std::to_string(record.fields.size()) + " champs au lieu de " +
                                   std::to_string(names.size()) + ".");
      raw.id = id;
      visit(std::move(raw));
      continue;
    }
    RawRecord raw;
    raw.position = position;
    raw.object = json::object();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i].empty()) continue;
      auto value = CellValue(names[i], record.fields[i]);
      if (!value) {
        raw = Unreadable(position, value.error().message, value.error().field);
        raw.id = id;
        break;
      }
      raw.object[names[i]] = std::move(*value);
    }
    visit(std::move(raw));
  }
  return Ok();
}

// Reads `file` in whichever format its content shows.
Status ReadRecords(const ImportFile& file, const RecordVisitor& visit) {
  const std::string_view text = file.text;
  const std::string_view start = text::Trim(csv::SkipBom(text));
  if (start.empty()) return Ok();
  if (start.front() == '[') return ReadJsonArray(file, text, visit);
  if (start.front() == '{') {
    // One document (a single record, or an API page {"items": […]}), else JSON Lines.
    if (json::accept(start)) {
      json document = json::parse(start);
      const auto items = document.find("items");
      if (items != document.end() && items->is_array()) {
        for (std::size_t i = 0; i < items->size(); ++i) {
          RawRecord r;
          r.position = "élément " + std::to_string(i + 1);
          if ((*items)[i].is_object()) {
            r.object = std::move((*items)[i]);
          } else {
            r = Unreadable(r.position, "un objet JSON est attendu pour chaque enregistrement.");
          }
          visit(std::move(r));
        }
        return Ok();
      }
      RawRecord r;
      r.position = "élément 1";
      r.object = std::move(document);
      visit(std::move(r));
      return Ok();
    }
    return ReadJsonLines(csv::SkipBom(text), visit);
  }
  return ReadCsv(file, text, visit);
}

// ---------------------------------------------------------------------------------------
// Rows checked and ready to store.

struct Key {
  std::string source, source_id;
  auto operator<=>(const Key&) const = default;
};

struct StructureRow {
  ImportIssue where;  // fichier, position, id
  dir::Structure structure;
};

struct ServiceRow {
  ImportIssue where;
  dir::Service service;
  Key structure;  // resolved: in the file or stored
};

ImportIssue Issue(const ImportIssue& where, const Error& error) {
  ImportIssue issue = where;
  issue.champ = error.field;
  issue.raison = error.message;
  return issue;
}

ImportIssue Issue(const ImportIssue& where, std::string field, std::string reason) {
  ImportIssue issue = where;
  issue.champ = std::move(field);
  issue.raison = std::move(reason);
  return issue;
}

// Hours that the strict parser refuses but the normaliser repairs are kept repaired, with a
// warning; other validation failures refuse the row.
template <typename Record, typename Validate>
Status ValidateWithRepairs(Record& record, const ImportIssue& where, Validate validate,
                           std::vector<ImportIssue>& warnings) {
  auto valid = validate(record);
  if (!valid && valid.error().field == "horaires_accueil" && record.horaires_accueil) {
    const auto normalised = openinghours::Normalise(*record.horaires_accueil);
    if (openinghours::OpeningHours::Parse(normalised.text)) {
      warnings.push_back(Issue(where, "horaires_accueil",
                               "horaires corrigés : « " + *record.horaires_accueil +
                                   " » lu comme « " + normalised.text + " »."));
      record.horaires_accueil = normalised.text;
      valid = validate(record);
    }
  }
  return valid;
}

// What the store already holds, and what the rows will make of it.
class Upserter {
 public:
  Upserter(storage::Database& db, dir::DirectoryService& directory, const ImportOptions& options,
           DirectoryImportReport& report)
      : territory_(db),
        directory_(directory),
        store_(directory.store()),
        options_(options),
        report_(report) {}

  Result<std::optional<dir::Structure>> StoredStructure(const Key& key) {
    const auto it = stored_structures_.find(key);
    if (it != stored_structures_.end()) return it->second;
    PASIP_ASSIGN_OR_RETURN(found, store_.FindStructureBySource(key.source, key.source_id));
    stored_structures_.emplace(key, found);
    return found;
  }

  // Writes `structures` then `services` (each service's structure is in `structures` or
  // stored) with their index, then reindexes the structures whose index this import cannot
  // compute alone: those whose own record is not in it, those with stored services it does
  // not carry, and those with partner permanences (their hosts' names are indexed).
  Status Run(std::vector<StructureRow>& structures, std::vector<ServiceRow>& services) {
    // Structures: merged into what is stored, so that pasip's additions survive.
    std::map<Key, dir::Structure*> by_key;
    for (auto& row : structures) {
      const Key key{row.structure.source, row.structure.source_id};
      PASIP_ASSIGN_OR_RETURN(stored, StoredStructure(key));
      if (stored) row.structure = MergeStructure(*stored, std::move(row.structure));
      by_key[key] = &row.structure;
    }
    std::map<Key, std::vector<const dir::Service*>> services_of;
    for (auto& row : services) {
      PASIP_TRY(MergeService(row));
      services_of[row.structure].push_back(&row.service);
    }
    std::set<Key> reindex;
    for (const auto& [key, structure] : by_key) {
      if (structure->id == 0) continue;  // new: every service it has is in this import
      PASIP_ASSIGN_OR_RETURN(stored_services, StoredServices(structure->id));
      std::set<Key> carried;
      for (const dir::Service* svc : services_of[key])
        carried.insert({svc->source, svc->source_id});
      for (const auto& [service_key, service] : *stored_services) {
        if (!carried.contains(service_key)) reindex.insert(key);
      }
    }
    for (const auto& [key, list] : services_of) {
      if (!by_key.contains(key)) reindex.insert(key);
      for (const dir::Service* svc : list) {
        if (!svc->permanences.empty()) reindex.insert(key);
      }
    }

    const int batch = std::max(1, options_.batch_size);
    std::vector<dir::StructureRecord> structure_batch;
    for (std::size_t i = 0; i < structures.size(); ++i) {
      const dir::Structure& s = structures[i].structure;
      std::vector<dir::Service> own;
      for (const dir::Service* svc : services_of[Key{s.source, s.source_id}]) own.push_back(*svc);
      PASIP_ASSIGN_OR_RETURN(commune, CommuneOf(s.code_insee));
      structure_batch.push_back({s, directory_.IndexOfStructure(s, own, commune)});
      if (static_cast<int>(structure_batch.size()) == batch || i + 1 == structures.size()) {
        PASIP_ASSIGN_OR_RETURN(counts, store_.UpsertBulk(structure_batch, {}));
        report_.counts.structures_created += counts.structures_created;
        report_.counts.structures_updated += counts.structures_updated;
        structure_batch.clear();
        Progress("structures", static_cast<std::int64_t>(i + 1),
                 static_cast<std::int64_t>(structures.size()));
      }
    }

    // Services: their structure's id is known now (stored before, or just written).
    std::vector<dir::ServiceRecord> service_batch;
    for (std::size_t i = 0; i < services.size(); ++i) {
      ServiceRow& row = services[i];
      PASIP_ASSIGN_OR_RETURN(structure, CurrentStructure(row.structure, by_key));
      row.service.structure_id = structure.id;
      const auto& code = row.service.code_insee ? row.service.code_insee : structure.code_insee;
      PASIP_ASSIGN_OR_RETURN(commune, CommuneOf(code));
      service_batch.push_back({row.service, row.structure.source_id,
                               directory_.IndexOfService(row.service, structure, {}, commune)});
      if (static_cast<int>(service_batch.size()) == batch || i + 1 == services.size()) {
        PASIP_ASSIGN_OR_RETURN(counts, store_.UpsertBulk({}, service_batch));
        report_.counts.services_created += counts.services_created;
        report_.counts.services_updated += counts.services_updated;
        service_batch.clear();
        Progress("services", static_cast<std::int64_t>(i + 1),
                 static_cast<std::int64_t>(services.size()));
      }
    }

    std::vector<dir::StructureId> ids;
    for (const Key& key : reindex) {
      PASIP_ASSIGN_OR_RETURN(structure, CurrentStructure(key, by_key));
      ids.push_back(structure.id);
    }
    constexpr std::size_t kReindexChunk = 200;
    for (std::size_t i = 0; i < ids.size(); i += kReindexChunk) {
      const std::size_t n = std::min(kReindexChunk, ids.size() - i);
      PASIP_TRY(directory_.Reindex(std::span<const dir::StructureId>(ids).subspan(i, n)));
      Progress("index", static_cast<std::int64_t>(i + n), static_cast<std::int64_t>(ids.size()));
    }
    report_.structures_reindexees = static_cast<std::int64_t>(ids.size());
    return directory_.store().RefreshStatistics();
  }

 private:
  void Progress(std::string_view what, std::int64_t done, std::int64_t total) {
    if (options_.progress) options_.progress(what, done, total);
  }

  Result<std::optional<territory::Commune>> CommuneOf(const std::optional<std::string>& code) {
    if (!code) return std::optional<territory::Commune>();
    const auto it = communes_.find(*code);
    if (it != communes_.end()) return it->second;
    PASIP_ASSIGN_OR_RETURN(found, territory_.FindCommune(*code));
    communes_.emplace(*code, found);
    return found;
  }

  // The stored record with the data·inclusion members of `incoming`.
  static dir::Structure MergeStructure(dir::Structure stored, dir::Structure incoming) {
    incoming.id = stored.id;
    incoming.organisation_id = stored.organisation_id;
    incoming.site_id = stored.site_id;
    incoming.label = std::move(stored.label);
    incoming.accessibilite = std::move(stored.accessibilite);
    incoming.arrets = std::move(stored.arrets);
    incoming.referents = std::move(stored.referents);
    incoming.avis = std::move(stored.avis);
    incoming.publie = stored.publie;
    incoming.updated_at = stored.updated_at;
    return incoming;
  }

  // The structure `key` as it is now, with its id (read back once when this import wrote it).
  Result<dir::Structure> CurrentStructure(const Key& key,
                                          const std::map<Key, dir::Structure*>& by_key) {
    const auto it = by_key.find(key);
    if (it != by_key.end() && it->second->id != 0) return *it->second;
    if (it != by_key.end()) stored_structures_.erase(key);  // written since it was looked up
    PASIP_ASSIGN_OR_RETURN(stored, StoredStructure(key));
    if (!stored) return Fail(Internal("Structure introuvable pendant l'import."));
    if (it != by_key.end()) {
      it->second->id = stored->id;
      return *it->second;
    }
    return std::move(*stored);
  }

  // The services stored for structure `id`, by (source, source_id); loaded once.
  Result<const std::map<Key, dir::Service>*> StoredServices(dir::StructureId id) {
    auto it = stored_services_.find(id);
    if (it == stored_services_.end()) {
      PASIP_ASSIGN_OR_RETURN(list, store_.ServicesOf(id));
      std::map<Key, dir::Service> by_source;
      for (auto& s : list) by_source.emplace(Key{s.source, s.source_id}, std::move(s));
      it = stored_services_.emplace(id, std::move(by_source)).first;
    }
    return &it->second;
  }

  // A service of a stored structure keeps what pasip added to it.
  Status MergeService(ServiceRow& row) {
    PASIP_ASSIGN_OR_RETURN(stored_structure, StoredStructure(row.structure));
    if (!stored_structure) return Ok();
    PASIP_ASSIGN_OR_RETURN(stored_services, StoredServices(stored_structure->id));
    const auto found = stored_services->find(Key{row.service.source, row.service.source_id});
    if (found == stored_services->end()) return Ok();
    const dir::Service& stored = found->second;
    row.service.id = stored.id;
    row.service.contacts_publics = stored.contacts_publics;
    row.service.permanences = stored.permanences;
    row.service.publie = stored.publie;
    row.service.updated_at = stored.updated_at;
    return Ok();
  }

  storage::SqlTerritoryStore territory_;
  dir::DirectoryService& directory_;
  dir::DirectoryStore& store_;
  const ImportOptions& options_;
  DirectoryImportReport& report_;
  std::map<Key, std::optional<dir::Structure>> stored_structures_;
  std::map<dir::StructureId, std::map<Key, dir::Service>> stored_services_;
  std::unordered_map<std::string, std::optional<territory::Commune>> communes_;
};

// Gives a record without `source` the import's, and refuses one of another source.
std::optional<Error> ApplySource(json& object, const std::string& source) {
  if (source.empty()) return std::nullopt;
  const auto it = object.find("source");
  if (it == object.end() || it->is_null() ||
      (it->is_string() && text::Trim(it->get_ref<const std::string&>()).empty())) {
    object["source"] = source;
    return std::nullopt;
  }
  if (it->is_string() && text::Trim(it->get_ref<const std::string&>()) != source) {
    return InvalidArgument("La source « " + std::string(text::Trim(it->get<std::string>())) +
                               " » n'est pas celle de l'import (« " + source + " »).",
                           "source");
  }
  return std::nullopt;
}

std::string IdOf(const json& object) {
  const auto it = object.find("id");
  if (it != object.end() && it->is_string()) return std::string(text::Trim(it->get<std::string>()));
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<DirectoryImportReport> ImportDataInclusion(storage::Database& db,
                                                  dir::DirectoryService& directory,
                                                  const DataInclusionInput& input,
                                                  const ImportOptions& options) {
  if (!input.structures && !input.services) {
    return Fail(
        InvalidArgument("Indiquez un fichier de structures, de services, ou les deux.", "fichier"));
  }
  DirectoryImportReport report;
  Upserter upserter(db, directory, options, report);

  // Structures: read, checked, one per key.
  std::vector<StructureRow> structures;
  std::map<Key, std::string> structure_positions;  // every key read, accepted or not
  std::map<std::string, Key> structure_by_di_id;   // accepted ones
  if (input.structures) {
    const ImportFile& file = *input.structures;
    PASIP_TRY(ReadRecords(file, [&](RawRecord&& raw) {
      ++report.structures_lues;
      ImportIssue where{file.name, raw.position, raw.id, "", ""};
      if (!raw.readable) {
        report.rejets.push_back(Issue(where, raw.error));
        return;
      }
      where.id = IdOf(raw.object);
      if (auto refused = ApplySource(raw.object, input.source)) {
        report.rejets.push_back(Issue(where, *refused));
        return;
      }
      auto structure = api::StructureFromDataInclusion(raw.object);
      if (!structure) {
        report.rejets.push_back(Issue(where, structure.error()));
        return;
      }
      const Key key{structure->source, structure->source_id};
      const auto [seen, first] = structure_positions.emplace(key, raw.position);
      if (!first) {
        report.rejets.push_back(Issue(where, "id",
                                      "Identifiant déjà présent dans le fichier (" + seen->second +
                                          ") : seule la première ligne compte."));
        return;
      }
      if (auto valid =
              ValidateWithRepairs(*structure, where, dir::ValidateStructure, report.alertes);
          !valid) {
        report.rejets.push_back(Issue(where, valid.error()));
        return;
      }
      structure_by_di_id[dir::DataInclusionId(key.source, key.source_id)] = key;
      structures.push_back({where, std::move(*structure)});
    }));
  }
  std::set<Key> accepted_structures;
  for (const auto& row : structures) {
    accepted_structures.insert(Key{row.structure.source, row.structure.source_id});
  }

  // Services: read, checked, their structure found.
  std::vector<ServiceRow> services;
  if (input.services) {
    const ImportFile& file = *input.services;
    std::map<Key, std::string> positions;
    Status lookup_failure = Ok();
    PASIP_TRY(ReadRecords(file, [&](RawRecord&& raw) {
      ++report.services_lus;
      ImportIssue where{file.name, raw.position, raw.id, "", ""};
      if (!raw.readable) {
        report.rejets.push_back(Issue(where, raw.error));
        return;
      }
      where.id = IdOf(raw.object);
      if (auto refused = ApplySource(raw.object, input.source)) {
        report.rejets.push_back(Issue(where, *refused));
        return;
      }
      std::string structure_source_id;
      auto service = api::ServiceFromDataInclusion(raw.object, structure_source_id);
      if (!service) {
        report.rejets.push_back(Issue(where, service.error()));
        return;
      }
      const Key key{service->source, service->source_id};
      const auto [seen, first] = positions.emplace(key, raw.position);
      if (!first) {
        report.rejets.push_back(Issue(where, "id",
                                      "Identifiant déjà présent dans le fichier (" + seen->second +
                                          ") : seule la première ligne compte."));
        return;
      }
      if (auto valid = ValidateWithRepairs(*service, where, dir::ValidateService, report.alertes);
          !valid) {
        report.rejets.push_back(Issue(where, valid.error()));
        return;
      }
      // The structure: in this import (same source, or by its data·inclusion id), else
      // stored.
      const std::string written = raw.object.value("structure_id", std::string());
      Key structure{service->source, structure_source_id};
      if (!accepted_structures.contains(structure)) {
        if (const auto it = structure_by_di_id.find(std::string(text::Trim(written)));
            it != structure_by_di_id.end()) {
          structure = it->second;
        }
      }
      if (!accepted_structures.contains(structure)) {
        if (structure_positions.contains(structure)) {
          report.rejets.push_back(Issue(where, "structure_id",
                                        "La structure « " + std::string(text::Trim(written)) +
                                            " » a été refusée (" + structure_positions[structure] +
                                            ")."));
          return;
        }
        auto stored = upserter.StoredStructure(structure);
        if (!stored) {
          if (lookup_failure) lookup_failure = Fail(stored.error());
          return;
        }
        if (!*stored) {
          report.rejets.push_back(
              Issue(where, "structure_id",
                    "La structure « " + std::string(text::Trim(written)) +
                        " » est inconnue : ni dans le fichier des structures ni dans "
                        "l'annuaire."));
          return;
        }
      }
      services.push_back({where, std::move(*service), structure});
    }));
    PASIP_TRY(lookup_failure);
  }

  PASIP_TRY(upserter.Run(structures, services));
  return report;
}

// ---------------------------------------------------------------------------------------
// France services.

namespace {

constexpr std::array<const char*, 6> kDayColumns = {"h_lundi", "h_mardi",    "h_mercredi",
                                                    "h_jeudi", "h_vendredi", "h_samedi"};

constexpr const char* kServiceDescription =
    "Un accompagnement gratuit, par des agents formés, pour les démarches administratives du "
    "quotidien : prestations sociales, santé, retraite, emploi, impôts, papiers d'identité, "
    "permis de conduire et carte grise, accès au droit, courrier. Les agents travaillent avec "
    "les partenaires nationaux (Caf, Assurance maladie, Assurance retraite, MSA, France "
    "Travail, Finances publiques, ministères de l'Intérieur et de la Justice, La Poste) et "
    "aident à utiliser les services en ligne.";

// The thématiques of the France services offer: access to rights and digital procedures.
const std::vector<std::string>& FranceServicesThematiques() {
  static const std::vector<std::string> kValues = [] {
    std::vector<std::string> values;
    for (const char* v :
         {"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-"
          "administratives",
          "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
          "numerique--acceder-a-des-services-en-ligne"}) {
      if (dir::IsValid(dir::Referentiel::kThematique, v)) values.emplace_back(v);
    }
    return values;
  }();
  return kValues;
}

std::string FormatNote(std::string_view format) {
  const std::string lower = text::AsciiLower(format);
  if (lower.starts_with("bus")) {
    return "Bus France services : l'accueil se fait dans un bus qui va de commune en commune, "
           "à jours fixes ; l'adresse est celle de son point de rattachement. Renseignez-vous "
           "sur ses arrêts et ses jours de passage.";
  }
  if (lower.starts_with("itin")) {
    return "France services itinérante : l'accueil a lieu dans plusieurs communes, à jours "
           "fixes ; l'adresse est celle du point de rattachement. Renseignez-vous sur les lieux "
           "et les horaires.";
  }
  if (lower.starts_with("multisites")) {
    return "Cet espace accueille le public sur plusieurs sites.";
  }
  if (lower.find("antenne") != std::string::npos) {
    return "Cet espace a une ou plusieurs antennes.";
  }
  return {};
}

// The addresses in a `mail` cell ("a@x.fr - b@x.fr"): separators are spaces, commas,
// semicolons, slashes and dashes between spaces.
std::vector<std::string> Emails(std::string_view cell) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    const std::string_view v = text::Trim(current);
    if (!v.empty() && v != "-") out.emplace_back(v);
    current.clear();
  };
  for (const char c : cell) {
    if (c == ' ' || c == ',' || c == ';' || c == '/' || c == '\t') {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return out;
}

std::optional<std::string> NonBlank(std::string_view value) {
  const std::string_view v = text::Trim(value);
  return v.empty() ? std::nullopt : std::optional<std::string>(std::string(v));
}

// Fields a France services row may lose, with a warning, rather than lose the site.
bool IsDroppable(std::string_view field) {
  return field == "horaires_accueil" || field == "courriel" || field == "telephone" ||
         field == "latitude" || field == "longitude" || field == "code_postal" ||
         field == "complement_adresse" || field == "adresse";
}

template <typename Record>
void Drop(Record& r, std::string_view field) {
  if (field == "horaires_accueil") r.horaires_accueil.reset();
  if (field == "courriel") r.courriel.reset();
  if (field == "telephone") r.telephone.reset();
  if (field == "latitude" || field == "longitude") {
    r.latitude.reset();
    r.longitude.reset();
  }
  if (field == "code_postal") r.code_postal.reset();
  if (field == "complement_adresse") r.complement_adresse.reset();
  if (field == "adresse") r.adresse.reset();
}

// Validates `record`, dropping a faulty optional field with a warning (at most a few times).
template <typename Record, typename Validate>
Status ValidateDropping(Record& record, const ImportIssue& where, Validate validate,
                        std::vector<ImportIssue>& warnings) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto valid = validate(record);
    if (valid || !IsDroppable(valid.error().field)) return valid;
    warnings.push_back(
        Issue(where, valid.error().field, valid.error().message + " Valeur non importée."));
    Drop(record, valid.error().field);
  }
  return validate(record);
}

}  // namespace

std::string DateFromFileName(std::string_view name) {
  const std::size_t slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  for (std::size_t i = 0; i + 8 <= name.size(); ++i) {
    const std::string_view digits = name.substr(i, 8);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    if ((i > 0 && std::isdigit(static_cast<unsigned char>(name[i - 1]))) ||
        (i + 8 < name.size() && std::isdigit(static_cast<unsigned char>(name[i + 8])))) {
      continue;
    }
    const std::string date = std::string(digits.substr(0, 4)) + "-" +
                             std::string(digits.substr(4, 2)) + "-" +
                             std::string(digits.substr(6, 2));
    openinghours::Date parsed;
    if (openinghours::ParseDate(date, parsed) && parsed.year >= 2000 && parsed.year <= 2200) {
      return date;
    }
  }
  return {};
}

Result<DirectoryImportReport> ImportFranceServices(storage::Database& db,
                                                   dir::DirectoryService& directory,
                                                   const ImportFile& file,
                                                   std::string_view date_maj,
                                                   const ImportOptions& options) {
  csv::Reader reader(file.text, csv::DetectSeparator(file.text));
  csv::Record header;
  auto first = reader.Next(header);
  if (!first) return Fail(FileError(file, first.error().message));
  if (!*first || csv::IsBlank(header)) return Fail(FileError(file, "fichier vide."));
  std::map<std::string, std::size_t> columns;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    columns.emplace(text::AsciiLower(text::Trim(header.fields[i])), i);
  }
  for (const char* required : {"id_fs", "lib_fs", "adresse", "insee_com", "code_postal", "lib_com",
                               "latitude", "longitude", "mail", "telephone", "h_lundi", "h_mardi",
                               "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi", "format_fs"}) {
    if (!columns.contains(required)) {
      return Fail(InvalidArgument(file.name + " : ligne 1 : colonne « " + required +
                                      " » absente de l'en-tête (liste France services de "
                                      "l'ANCT attendue).",
                                  required));
    }
  }

  DirectoryImportReport report;
  Upserter upserter(db, directory, options, report);
  std::vector<StructureRow> structures;
  std::vector<ServiceRow> services;
  std::map<std::string, std::string> positions;
  csv::Record record;
  while (true) {
    auto more = reader.Next(record);
    if (!more) return Fail(FileError(file, more.error().message));
    if (!*more) break;
    if (csv::IsBlank(record)) continue;
    ++report.structures_lues;
    ++report.services_lus;
    ImportIssue where{file.name, "ligne " + std::to_string(record.line), "", "", ""};
    if (record.fields.size() != header.fields.size()) {
      report.rejets.push_back(Issue(where, "fichier",
                                    std::to_string(record.fields.size()) + " champs au lieu de " +
                                        std::to_string(header.fields.size()) + "."));
      continue;
    }
    const auto cell = [&](const char* name) -> std::string_view {
      const auto it = columns.find(name);
      return it == columns.end() ? std::string_view() : text::Trim(record.fields[it->second]);
    };
    bool utf8 = true;
    for (const auto& f : record.fields) utf8 = utf8 && text::IsValidUtf8(f);
    if (!utf8) {
      report.rejets.push_back(Issue(where, "fichier", "La ligne n'est pas du texte UTF-8."));
      continue;
    }
    const std::string id_fs(cell("id_fs"));
    if (id_fs.empty()) {
      report.rejets.push_back(Issue(where, "id_fs", "L'identifiant id_fs est vide."));
      continue;
    }
    where.id = dir::DataInclusionId(kFranceServicesSource, id_fs);
    if (const auto [seen, inserted] = positions.emplace(id_fs, where.position); !inserted) {
      report.rejets.push_back(Issue(where, "id_fs",
                                    "Identifiant déjà présent dans le fichier (" + seen->second +
                                        ") : seule la première ligne compte."));
      continue;
    }

    dir::Structure s;
    s.source = std::string(kFranceServicesSource);
    s.source_id = id_fs;
    s.nom = std::string(cell("lib_fs"));
    while (!s.nom.empty() && s.nom.back() == '.') s.nom.pop_back();
    s.date_maj = std::string(date_maj);
    s.adresse = NonBlank(cell("adresse"));
    s.complement_adresse = NonBlank(cell("complement_adresse"));
    s.code_postal = NonBlank(cell("code_postal"));
    s.code_insee = NonBlank(cell("insee_com"));
    s.commune = NonBlank(cell("lib_com"));
    s.telephone = NonBlank(cell("telephone"));
    s.reseaux_porteurs = {"france-service"};
    const auto latitude = ParseDecimal(cell("latitude"));
    const auto longitude = ParseDecimal(cell("longitude"));
    if (latitude && longitude) {
      s.latitude = latitude;
      s.longitude = longitude;
    } else if (!cell("latitude").empty() || !cell("longitude").empty()) {
      report.alertes.push_back(Issue(where, "latitude",
                                     "Coordonnées illisibles (" + Shown(cell("latitude")) + ", " +
                                         Shown(cell("longitude")) + ") : lieu importé sans."));
    }
    const auto emails = Emails(cell("mail"));
    if (!emails.empty()) {
      s.courriel = emails.front();
      if (emails.size() > 1) {
        report.alertes.push_back(
            Issue(where, "courriel",
                  "Plusieurs adresses de courriel : seule « " + emails.front() + " » est gardée."));
      }
    }
    std::array<std::string, 7> days;
    for (std::size_t d = 0; d < kDayColumns.size(); ++d) days[d] = cell(kDayColumns[d]);
    days[6] = cell("h_dimanche");
    if (auto hours = openinghours::FromFranceServices(days)) {
      s.horaires_accueil = std::move(*hours);
    } else {
      report.alertes.push_back(Issue(
          where, hours.error().field.empty() ? "horaires_accueil" : hours.error().field,
          "Horaires non convertis (" + hours.error().message + ") : lieu importé sans horaires."));
    }

    // Descriptions, in plain words, from the list's columns.
    const std::string format_note = FormatNote(cell("format_fs"));
    std::string description = text::AsciiLower(cell("type_fs")) == "antenne"
                                  ? "Antenne d'un espace France services"
                                  : "Espace France services";
    description +=
        " : un lieu unique, labellisé par l'État, pour être accompagné dans ses démarches "
        "administratives.";
    if (!format_note.empty()) description += " " + format_note;
    if (const auto label = cell("labellisation_fs"); !label.empty()) {
      description += " " + std::string(label) + ".";
    }
    s.description = description;

    dir::Service svc;
    svc.source = s.source;
    svc.source_id = id_fs + "-accompagnement";
    svc.nom = "Accompagnement aux démarches administratives";
    svc.description = kServiceDescription;
    if (!format_note.empty()) svc.description += " " + format_note;
    if (text::AsciiLower(cell("prise_rdv")) == "oui") {
      svc.description += " Prise de rendez-vous proposée.";
    }
    if (const auto comment = cell("commentaire"); !comment.empty()) {
      svc.description += " Précisions de l'espace : " + std::string(comment);
    }
    svc.date_maj = s.date_maj;
    svc.type = "accompagnement";
    svc.frais = "gratuit";
    svc.thematiques = FranceServicesThematiques();
    if (dir::IsValid(dir::Referentiel::kPublic, "tous-publics")) svc.publics = {"tous-publics"};
    svc.mobilisable_par = {"usagers", "professionnels"};
    svc.zone_eligibilite = {"france"};

    const auto s_valid = ValidateDropping(s, where, dir::ValidateStructure, report.alertes);
    if (!s_valid) {
      report.rejets.push_back(Issue(where, s_valid.error()));
      continue;
    }
    // The service is met where the structure is, with its (checked) contacts and hours.
    svc.adresse = s.adresse;
    svc.complement_adresse = s.complement_adresse;
    svc.code_postal = s.code_postal;
    svc.code_insee = s.code_insee;
    svc.commune = s.commune;
    svc.latitude = s.latitude;
    svc.longitude = s.longitude;
    svc.telephone = s.telephone;
    svc.courriel = s.courriel;
    svc.horaires_accueil = s.horaires_accueil;
    svc.modes_accueil = {"en-presentiel"};
    if (svc.telephone) svc.modes_accueil.push_back("a-distance");
    svc.modes_mobilisation = {"se-presenter"};
    if (svc.telephone) svc.modes_mobilisation.push_back("telephoner");
    if (svc.courriel) svc.modes_mobilisation.push_back("envoyer-un-courriel");
    if (auto v = dir::ValidateService(svc); !v) {
      report.rejets.push_back(Issue(where, v.error()));
      continue;
    }
    const Key key{s.source, s.source_id};
    structures.push_back({where, std::move(s)});
    ImportIssue service_where = where;
    service_where.id = dir::DataInclusionId(svc.source, svc.source_id);
    services.push_back({service_where, std::move(svc), key});
  }

  PASIP_TRY(upserter.Run(structures, services));
  return report;
}

// ---------------------------------------------------------------------------------------
// Export.

namespace {

// A JSON array written one item at a time into `path`.tmp, renamed to `path` at the end.
class ArrayFile {
 public:
  explicit ArrayFile(std::filesystem::path path) : path_(std::move(path)) {
    tmp_ = path_;
    tmp_ += ".tmp";
    out_.open(tmp_, std::ios::binary | std::ios::trunc);
    if (out_) out_ << "[";
  }
  ~ArrayFile() {
    if (!finished_) {
      out_.close();
      std::error_code ignored;
      std::filesystem::remove(tmp_, ignored);
    }
  }

  Status Check() const {
    if (out_) return Ok();
    return Fail(InvalidArgument("Impossible d'écrire « " + tmp_.string() + " ».", "out"));
  }

  void Add(const json& item) {
    out_ << (count_ == 0 ? "\n" : ",\n")
         << item.dump(-1, ' ', false, json::error_handler_t::replace);
    ++count_;
  }

  Status Finish() {
    out_ << (count_ == 0 ? "]\n" : "\n]\n");
    out_.close();
    PASIP_TRY(Check());
    std::error_code error;
    std::filesystem::rename(tmp_, path_, error);
    if (error) {
      return Fail(InvalidArgument("Impossible d'écrire « " + path_.string() + " ».", "out"));
    }
    finished_ = true;
    return Ok();
  }

  std::int64_t count() const { return count_; }

 private:
  std::filesystem::path path_, tmp_;
  std::ofstream out_;
  std::int64_t count_ = 0;
  bool finished_ = false;
};

}  // namespace

Result<ExportReport> ExportDataInclusion(dir::DirectoryStore& store,
                                         const std::filesystem::path& folder, int page_size) {
  page_size = std::max(1, page_size);
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error || !std::filesystem::is_directory(folder)) {
    return Fail(
        InvalidArgument("Impossible de créer le dossier « " + folder.string() + " ».", "out"));
  }
  ExportReport report;
  {
    ArrayFile file(folder / "structures.json");
    PASIP_TRY(file.Check());
    dir::StructureId after = 0;
    while (true) {
      PASIP_ASSIGN_OR_RETURN(page, store.ListStructures(after, page_size));
      for (const auto& s : page) {
        if (s.publie) file.Add(api::ToDataInclusion(s));
      }
      if (page.empty()) break;
      after = page.back().id;
      PASIP_TRY(file.Check());
      if (static_cast<int>(page.size()) < page_size) break;
    }
    PASIP_TRY(file.Finish());
    report.structures = file.count();
  }
  {
    ArrayFile file(folder / "services.json");
    PASIP_TRY(file.Check());
    dir::ServiceId after = 0;
    while (true) {
      PASIP_ASSIGN_OR_RETURN(page, store.ListServices(after, page_size));
      std::vector<dir::StructureId> ids;
      for (const auto& s : page) ids.push_back(s.structure_id);
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      PASIP_ASSIGN_OR_RETURN(structures, store.LoadStructures(ids));
      std::unordered_map<dir::StructureId, const dir::Structure*> by_id;
      for (const auto& s : structures) by_id.emplace(s.id, &s);
      for (const auto& svc : page) {
        const auto it = by_id.find(svc.structure_id);
        if (!svc.publie || it == by_id.end() || !it->second->publie) continue;
        file.Add(api::ToDataInclusion(
            svc, dir::DataInclusionId(it->second->source, it->second->source_id)));
      }
      if (page.empty()) break;
      after = page.back().id;
      PASIP_TRY(file.Check());
      if (static_cast<int>(page.size()) < page_size) break;
    }
    PASIP_TRY(file.Finish());
    report.services = file.count();
  }
  return report;
}

std::string IssuesCsv(const std::vector<ImportIssue>& issues) {
  // A cell a spreadsheet would run as a formula is prefixed with an apostrophe.
  const auto cell = [](const std::string& value) {
    if (!value.empty() && (value.front() == '=' || value.front() == '+' || value.front() == '@' ||
                           value.front() == '-')) {
      return "'" + value;
    }
    return value;
  };
  std::string out;
  const std::vector<std::string> header{"fichier", "position", "id", "champ", "raison"};
  csv::AppendRow(out, header);
  for (const auto& i : issues) {
    const std::vector<std::string> row{cell(i.fichier), cell(i.position), cell(i.id), cell(i.champ),
                                       cell(i.raison)};
    csv::AppendRow(out, row);
  }
  return out;
}

std::string IssuesTable(const std::vector<ImportIssue>& issues, std::size_t limit) {
  const std::size_t shown = std::min(limit, issues.size());
  std::vector<std::array<std::string, 5>> rows;
  rows.push_back({"fichier", "position", "id", "champ", "raison"});
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& x = issues[i];
    rows.push_back({x.fichier, x.position, x.id, x.champ, x.raison});
  }
  for (auto& row : rows) {
    for (auto& cell : row) {
      std::replace_if(
          cell.begin(), cell.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; },
          ' ');
      if (!text::IsValidUtf8(cell)) cell = "?";
    }
  }
  std::array<std::size_t, 4> widths{};
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], text::Utf8Length(row[c]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < widths.size(); ++c) {
      out += row[c];
      out.append(widths[c] - text::Utf8Length(row[c]) + 2, ' ');
    }
    out += row[4];
    out += '\n';
  }
  if (issues.size() > shown) {
    out +=
        "… et " + GroupThousands(static_cast<std::int64_t>(issues.size() - shown)) + " autres.\n";
  }
  return out;
}

std::string GroupThousands(std::int64_t n) {
  const bool negative = n < 0;
  std::string digits = std::to_string(negative ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string ProgressLine(std::string_view what, std::int64_t done, std::int64_t total, int width) {
  const bool index = what == "index";
  const double ratio =
      total <= 0 ? 1.0
                 : std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
  const int filled = static_cast<int>(ratio * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(width - filled), ' ');
  return std::string(index ? "Index" : "Import") + " : " + GroupThousands(done) + " / " +
         GroupThousands(total) + " " + std::string(index ? "structures" : what) + " [" + bar +
         "] " + std::to_string(static_cast<int>(ratio * 100)) + " %";
}

}  // namespace pasip::app
