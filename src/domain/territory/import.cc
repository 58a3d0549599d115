#include "domain/territory/import.h"

#include <charconv>
#include <cmath>
#include <map>

#include "core/csv.h"
#include "core/text.h"

namespace pasip::territory {
namespace {

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
  for (const std::string& postcode : f.codes_postaux) {
    c.codes_postaux.emplace_back(text::Trim(postcode));
  }
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

Result<ParsedCommunes> ParseCommunesCsv(std::string_view text, std::string_view departement) {
  csv::Reader reader(text);
  csv::Record header;
  PASIP_ASSIGN_OR_RETURN(has_header, reader.Next(header));
  if (!has_header || csv::IsBlank(header)) {
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
  csv::Record record;
  while (true) {
    PASIP_ASSIGN_OR_RETURN(more, reader.Next(record));
    if (!more) break;
    if (csv::IsBlank(record)) continue;
    const std::string where = "ligne " + std::to_string(record.line);
    if (record.fields.size() != header.fields.size()) {
      return Fail(InvalidArgument(where + " : " + std::to_string(record.fields.size()) +
                                      " champs au lieu de " + std::to_string(header.fields.size()) +
                                      ".",
                                  "fichier"));
    }
    const auto& v = record.fields;
    if (!departement.empty() && text::Trim(v[columns["departement"]]) != departement) continue;
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
  text = text::Trim(csv::SkipBom(text));
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
