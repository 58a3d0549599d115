#include "app/territory_import.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "storage/territory_repository.h"

namespace pasip::app {
namespace {

using nlohmann::json;
using territory::CommuneFields;

enum class JsonShape { kGeoApi, kDecoupage };

// Shortest text that reads back as `value`.
std::string NumberText(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

// Reads member `name` of `item` as text into `out`. Absent or null leaves `out` empty; a
// number is written out (populations, or codes some tools emit as numbers) only when
// `numbers` is true. Anything else is refused naming the member.
Status Member(const json& item, const char* name, std::string& out, const std::string& where,
              bool numbers = false) {
  const auto it = item.find(name);
  if (it == item.end() || it->is_null()) return Ok();
  if (it->is_string()) {
    out = it->get<std::string>();
    return Ok();
  }
  if (numbers && it->is_number_integer()) {
    out = std::to_string(it->get<std::int64_t>());
    return Ok();
  }
  if (numbers && it->is_number()) {
    out = NumberText(it->get<double>());
    return Ok();
  }
  return Fail(InvalidArgument(
      where + " : « " + name + " » doit être " + (numbers ? "un nombre." : "un texte."), name));
}

// Reads `codesPostaux`, an array of texts; absent or null leaves `out` empty. The codes
// themselves are checked by territory::ValidateCommune.
Status Postcodes(const json& item, std::vector<std::string>& out, const std::string& where) {
  const auto it = item.find("codesPostaux");
  if (it == item.end() || it->is_null()) return Ok();
  if (!it->is_array()) {
    return Fail(InvalidArgument(where + " : « codesPostaux » doit être une liste de codes postaux.",
                                "codesPostaux"));
  }
  for (const json& code : *it) {
    if (!code.is_string()) {
      return Fail(InvalidArgument(
          where + " : « codesPostaux » doit contenir des textes (\"35000\").", "codesPostaux"));
    }
    out.push_back(code.get<std::string>());
  }
  return Ok();
}

Status Required(const std::string& value, const char* name, const std::string& where) {
  if (!value.empty()) return Ok();
  return Fail(InvalidArgument(where + " : « " + name + " » absent.", name));
}

Result<CommuneFields> FieldsOf(const json& item, JsonShape shape, const std::string& where) {
  if (!item.is_object()) {
    return Fail(InvalidArgument(where + " : un objet JSON est attendu.", "fichier"));
  }
  CommuneFields f;
  PASIP_TRY(Member(item, "code", f.code, where));
  PASIP_TRY(Required(f.code, "code", where));
  PASIP_TRY(Member(item, "nom", f.name, where));
  PASIP_TRY(Required(f.name, "nom", where));
  PASIP_TRY(Member(item, "type", f.kind, where));
  PASIP_TRY(Member(item, "population", f.population, where, true));
  PASIP_TRY(Postcodes(item, f.codes_postaux, where));
  if (shape == JsonShape::kDecoupage) {
    PASIP_TRY(Member(item, "departement", f.departement, where));
    PASIP_TRY(Required(f.departement, "departement", where));
    PASIP_TRY(Member(item, "region", f.region, where));
    PASIP_TRY(Required(f.region, "region", where));
    return f;
  }
  PASIP_TRY(Member(item, "codeDepartement", f.departement, where));
  PASIP_TRY(Required(f.departement, "codeDepartement", where));
  PASIP_TRY(Member(item, "codeRegion", f.region, where));
  PASIP_TRY(Required(f.region, "codeRegion", where));
  PASIP_TRY(Member(item, "codeEpci", f.epci, where));
  const auto centre = item.find("centre");
  if (centre != item.end() && !centre->is_null()) {
    // GeoJSON Point: coordinates are [longitude, latitude].
    const auto coordinates = centre->is_object() ? centre->find("coordinates") : centre->end();
    if (coordinates == centre->end() || !coordinates->is_array() || coordinates->size() != 2 ||
        !(*coordinates)[0].is_number() || !(*coordinates)[1].is_number()) {
      return Fail(InvalidArgument(
          where + " : « centre » doit être un point GeoJSON {\"coordinates\": [lon, lat]}.",
          "centre"));
    }
    f.longitude = NumberText((*coordinates)[0].get<double>());
    f.latitude = NumberText((*coordinates)[1].get<double>());
  }
  return f;
}

}  // namespace

Result<territory::ParsedCommunes> ParseCommunesText(std::string_view text,
                                                    std::string_view departement) {
  if (!territory::LooksLikeJson(text)) return territory::ParseCommunesCsv(text, departement);
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    return Fail(InvalidArgument(
        "JSON illisible ou tronqué à l'octet " + std::to_string(e.byte) + ".", "fichier"));
  }
  if (!document.is_array()) {
    return Fail(InvalidArgument("un tableau JSON de communes est attendu.", "fichier"));
  }
  territory::ParsedCommunes parsed;
  if (document.empty()) return parsed;
  const json& first = document.front();
  JsonShape shape;
  if (first.is_object() && (first.contains("codeDepartement") || first.contains("centre"))) {
    shape = JsonShape::kGeoApi;
  } else if (first.is_object() && first.contains("departement")) {
    shape = JsonShape::kDecoupage;
  } else {
    return Fail(InvalidArgument(
        "élément 1 : format JSON inconnu (attendu : « codeDepartement » de geo.api.gouv.fr ou "
        "« departement » de decoupage-administratif).",
        "fichier"));
  }
  const char* departement_member = shape == JsonShape::kGeoApi ? "codeDepartement" : "departement";
  for (std::size_t i = 0; i < document.size(); ++i) {
    if (!departement.empty() && document[i].is_object()) {
      const auto it = document[i].find(departement_member);
      if (it != document[i].end() && it->is_string() &&
          it->get_ref<const std::string&>() != departement) {
        continue;
      }
    }
    const std::string where = "élément " + std::to_string(i + 1);
    PASIP_ASSIGN_OR_RETURN(fields, FieldsOf(document[i], shape, where));
    PASIP_ASSIGN_OR_RETURN(commune, territory::CommuneFromFields(fields, where));
    if (!commune) {
      ++parsed.skipped;
      continue;
    }
    PASIP_TRY(territory::AddParsedCommune(parsed, std::move(*commune), where));
  }
  return parsed;
}

Result<territory::ImportReport> ImportCommunesText(storage::Database& db, std::string_view text,
                                                   std::string_view departement) {
  PASIP_ASSIGN_OR_RETURN(parsed, ParseCommunesText(text, departement));
  storage::SqlTerritoryStore store(db);
  return territory::ImportCommunes(store, parsed);
}

}  // namespace pasip::app
