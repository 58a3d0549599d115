#include "domain/territory/import.h"

#include <charconv>
#include <cmath>
#include <map>

#include "core/text.h"

namespace pasip::territory {
namespace {

std::string_view SkipBom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

std::string Shown(std::string_view value) {
  std::string shown(value.substr(0, 40));
  if (!text::IsValidUtf8(shown)) shown = "?";
  return "« " + shown + " »";
}

Error At(std::string_view where, const Error& error) {
  return InvalidArgument(std::string(where) + " : " + error.message, error.field);
}

Result<std::optional<std::int64_t>> ParseCount(std::string_view value, std::string_view where,
                                               const char* field) {
  value = text::Trim(value);
  if (value.empty()) return std::optional<std::int64_t>();
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 0) {
    return Fail(InvalidArgument(std::string(where) + " : " + field + " " + Shown(value) +
                                    " n'est pas un nombre entier positif.",
                                field));
  }
  return std::optional<std::int64_t>(n);
}

Result<std::optional<double>> ParseCoordinate(std::string_view value, std::string_view where,
                                              const char* field) {
  value = text::Trim(value);
  if (value.empty()) return std::optional<double>();
  double d = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(d)) {
    return Fail(InvalidArgument(std::string(where) + " : " + field + " " + Shown(value) +
                                    " n'est pas un nombre décimal (point comme séparateur).",
                                field));
  }
  return std::optional<double>(d);
}

// One CSV record: its fields and the number of the line it starts on.
struct Record {
  std::vector<std::string> fields;
  std::size_t line = 0;
};

// Reads RFC 4180 records one at a time; a quoted field may hold commas, doubled quotes and
// line breaks.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  // False at the end of the text; an error for an unterminated quote.
  Result<bool> Next(Record& record) {
    record.fields.clear();
    if (pos_ >= text_.size()) return false;
    record.line = line_;
    std::string field;
    bool quoted = false;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (quoted) {
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      } else if (c == '"' && field.empty()) {
        quoted = true;
      } else if (c == ',') {
        record.fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        ++line_;
        break;
      } else if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') {
        continue;
      } else {
        field += c;
      }
    }
    if (quoted) {
      return Fail(InvalidArgument(
          "ligne " + std::to_string(record.line) + " : guillemet ouvrant sans guillemet fermant.",
          "fichier"));
    }
    record.fields.push_back(std::move(field));
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

bool IsBlank(const Record& record) {
  return record.fields.size() == 1 && text::Trim(record.fields[0]).empty();
}

}  // namespace

Result<std::optional<Commune>> CommuneFromFields(const CommuneFields& f, std::string_view where) {
  const std::string kind_name(text::Trim(f.kind));
  const auto kind = kind_name.empty() ? CommuneKind::kCurrent : ParseCommuneKind(kind_name);
  if (!kind) {
    return Fail(InvalidArgument(std::string(where) + " : type " + Shown(kind_name) +
                                    " inconnu (attendu : commune-actuelle, "
                                    "arrondissement-municipal, commune-deleguee ou "
                                    "commune-associee).",
                                "type"));
  }
  if (*kind != CommuneKind::kCurrent) return std::optional<Commune>();
  Commune c;
  c.code = std::string(text::Trim(f.code));
  c.name = std::string(text::Trim(f.name));
  c.departement = std::string(text::Trim(f.departement));
  c.region = std::string(text::Trim(f.region));
  c.kind = *kind;
  if (const auto epci = text::Trim(f.epci); !epci.empty()) c.epci = std::string(epci);
  PASIP_ASSIGN_OR_RETURN(population, ParseCount(f.population, where, "population"));
  c.population = population;
  PASIP_ASSIGN_OR_RETURN(latitude, ParseCoordinate(f.latitude, where, "latitude"));
  PASIP_ASSIGN_OR_RETURN(longitude, ParseCoordinate(f.longitude, where, "longitude"));
  c.latitude = latitude;
  c.longitude = longitude;
  if (auto valid = ValidateCommune(c); !valid) return Fail(At(where, valid.error()));
  return std::optional<Commune>(std::move(c));
}

Status AddParsedCommune(ParsedCommunes& parsed, Commune commune, std::string_view where) {
  if (!parsed.codes.insert(commune.code).second) {
    return Fail(InvalidArgument(
        std::string(where) + " : le code INSEE " + commune.code + " figure deux fois.", "code"));
  }
  parsed.communes.push_back(std::move(commune));
  return Ok();
}

Result<ParsedCommunes> ParseCommunesCsv(std::string_view text) {
  CsvReader reader(SkipBom(text));
  Record header;
  PASIP_ASSIGN_OR_RETURN(has_header, reader.Next(header));
  if (!has_header || IsBlank(header)) {
    return Fail(InvalidArgument("ligne 1 : en-tête absent (fichier vide).", "fichier"));
  }
  std::map<std::string, std::size_t> columns;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    columns.emplace(text::AsciiLower(text::Trim(header.fields[i])), i);
  }
  for (const char* required :
       {"code", "nom", "departement", "region", "population", "lat", "lon"}) {
    if (!columns.contains(required)) {
      return Fail(InvalidArgument(std::string("ligne 1 : colonne « ") + required +
                                      " » absente de l'en-tête (attendu : code,nom,type,"
                                      "departement,region,zone,population,lat,lon).",
                                  required));
    }
  }
  auto column = [&columns](const char* name) -> std::optional<std::size_t> {
    const auto it = columns.find(name);
    return it == columns.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  };
  const auto type = column("type"), epci = column("epci");

  ParsedCommunes parsed;
  Record record;
  while (true) {
    PASIP_ASSIGN_OR_RETURN(more, reader.Next(record));
    if (!more) break;
    if (IsBlank(record)) continue;
    const std::string where = "ligne " + std::to_string(record.line);
    if (record.fields.size() != header.fields.size()) {
      return Fail(InvalidArgument(where + " : " + std::to_string(record.fields.size()) +
                                      " champs au lieu de " + std::to_string(header.fields.size()) +
                                      ".",
                                  "fichier"));
    }
    const auto& v = record.fields;
    CommuneFields f;
    f.code = v[columns["code"]];
    f.name = v[columns["nom"]];
    f.departement = v[columns["departement"]];
    f.region = v[columns["region"]];
    f.population = v[columns["population"]];
    f.latitude = v[columns["lat"]];
    f.longitude = v[columns["lon"]];
    if (type) f.kind = v[*type];
    if (epci) f.epci = v[*epci];
    PASIP_ASSIGN_OR_RETURN(commune, CommuneFromFields(f, where));
    if (!commune) {
      ++parsed.skipped;
      continue;
    }
    PASIP_TRY(AddParsedCommune(parsed, std::move(*commune), where));
  }
  return parsed;
}

bool LooksLikeJson(std::string_view text) {
  text = text::Trim(SkipBom(text));
  return !text.empty() && (text.front() == '[' || text.front() == '{');
}

Result<ImportReport> ImportCommunes(TerritoryStore& store, const ParsedCommunes& parsed) {
  for (std::size_t i = 0; i < parsed.communes.size(); ++i) {
    if (auto valid = ValidateCommune(parsed.communes[i]); !valid) {
      return Fail(At("commune " + std::to_string(i + 1), valid.error()));
    }
  }
  PASIP_ASSIGN_OR_RETURN(counts, store.UpsertCommunes(parsed.communes));
  return ImportReport{counts.created, counts.updated, parsed.skipped};
}

}  // namespace pasip::territory
