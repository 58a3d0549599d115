#include "storage/directory_repository.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/french.h"
#include "core/text.h"

namespace pasip::storage {
namespace {

using directory::BulkCounts;
using directory::Candidate;
using directory::CandidateFilter;
using directory::Entity;
using directory::IndexData;
using directory::ItinerantStop;
using directory::Location;
using directory::Notice;
using directory::PasipLabel;
using directory::Permanence;
using directory::Referent;
using directory::Service;
using directory::ServiceRecord;
using directory::Structure;
using directory::StructureRecord;
using Json = nlohmann::json;

// Rows per multi-row INSERT (18 values each: far under both databases' parameter limits)
// and ids per IN (…) list.
constexpr std::size_t kBatchRows = 200;
constexpr std::size_t kIdBatch = 500;

// The tables of one entity, all literals.
struct EntityTables {
  const char* table;
  const char* tags;
  const char* locations;
  const char* id_column;  // of the tag and location tables
  const char* fts;        // SQLite only
};
constexpr EntityTables kStructureTables{"structures", "structure_tags", "structure_locations",
                                        "structure_id", "structures_fts"};
constexpr EntityTables kServiceTables{"services", "service_tags", "service_locations", "service_id",
                                      "services_fts"};
const EntityTables& TablesOf(Entity entity) {
  return entity == Entity::kStructure ? kStructureTables : kServiceTables;
}

// Columns written for each record, in the order AppendStructure / AppendService push them.
constexpr const char* kStructureWriteColumns[] = {
    "source",        "source_id",       "nom",         "date_maj",
    "siret",         "code_insee",      "code_postal", "latitude",
    "longitude",     "organisation_id", "site_id",     "publie",
    "data",          "updated_at",      "listed",      "sort_name",
    "index_payload", "search_document"};
constexpr const char* kServiceWriteColumns[] = {
    "structure_id", "source",     "source_id", "nom",           "date_maj",       "type",
    "frais",        "code_insee", "latitude",  "longitude",     "publie",         "data",
    "updated_at",   "listed",     "sort_name", "index_payload", "search_document"};
// Columns the index alone rewrites (ReindexStructure).
constexpr const char* kIndexColumns[] = {"listed", "sort_name", "index_payload", "search_document"};

constexpr char kStructureReadColumns[] =
    "id, source, source_id, nom, date_maj, siret, code_insee, code_postal, latitude, longitude, "
    "organisation_id, site_id, publie, data, updated_at";
constexpr char kServiceReadColumns[] =
    "id, structure_id, source, source_id, nom, date_maj, type, frais, code_insee, latitude, "
    "longitude, publie, data, updated_at";

// "(?, ?, …)" with n placeholders.
std::string Placeholders(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out + ")";
}

template <std::size_t N>
std::string JoinColumns(const char* const (&columns)[N]) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) out += (i == 0 ? "" : ", ") + std::string(columns[i]);
  return out;
}

// INSERT of `rows` records, answering (id, source, source_id) of each row written. With
// `upsert`, a row whose (source, source_id) exists rewrites it in place, unless every column
// but updated_at is unchanged: then nothing is written and no row answered (re-importing the
// same feed costs reads only, and updated_at keeps the date of the last real change).
template <std::size_t N>
std::string InsertSql(const char* table, const char* const (&columns)[N], std::size_t rows,
                      bool upsert) {
  std::string sql = std::string("INSERT INTO ") + table + " (" + JoinColumns(columns) + ") VALUES ";
  const std::string one = Placeholders(N);
  for (std::size_t i = 0; i < rows; ++i) sql += (i == 0 ? "" : ", ") + one;
  if (upsert) {
    std::string set, changed;
    for (const char* column : columns) {
      const std::string c(column);
      if (c == "source" || c == "source_id") continue;
      set += (set.empty() ? "" : ", ") + c + " = excluded." + c;
      if (c == "updated_at") continue;
      changed += (changed.empty() ? "" : " OR ") + std::string(table) + "." + c +
                 " IS DISTINCT FROM excluded." + c;
    }
    sql += " ON CONFLICT (source, source_id) DO UPDATE SET " + set + " WHERE " + changed;
  }
  return sql + " RETURNING id, source, source_id";
}

template <std::size_t N>
std::string UpdateSql(const char* table, const char* const (&columns)[N]) {
  std::string sql = std::string("UPDATE ") + table + " SET ";
  for (std::size_t i = 0; i < N; ++i) {
    sql += (i == 0 ? "" : ", ") + std::string(columns[i]) + " = ?";
  }
  return sql + " WHERE id = ?";
}

std::string Key(std::string_view source, std::string_view source_id) {
  std::string key(source);
  key += '\0';
  key += source_id;
  return key;
}

// --- The fields without a column, as JSON ---------------------------------------------

template <typename T>
struct OptionalText {
  const char* name;
  std::optional<std::string> T::*member;
};

constexpr OptionalText<Structure> kStructureTexts[] = {
    {"description", &Structure::description},
    {"adresse", &Structure::adresse},
    {"complement_adresse", &Structure::complement_adresse},
    {"commune", &Structure::commune},
    {"telephone", &Structure::telephone},
    {"courriel", &Structure::courriel},
    {"site_web", &Structure::site_web},
    {"lien_source", &Structure::lien_source},
    {"horaires_accueil", &Structure::horaires_accueil},
    {"accessibilite_lieu", &Structure::accessibilite_lieu},
};

constexpr OptionalText<Service> kServiceTexts[] = {
    {"frais_precisions", &Service::frais_precisions},
    {"publics_precisions", &Service::publics_precisions},
    {"conditions_acces", &Service::conditions_acces},
    {"adresse", &Service::adresse},
    {"complement_adresse", &Service::complement_adresse},
    {"code_postal", &Service::code_postal},
    {"commune", &Service::commune},
    {"telephone", &Service::telephone},
    {"courriel", &Service::courriel},
    {"contact_nom_prenom", &Service::contact_nom_prenom},
    {"lien_mobilisation", &Service::lien_mobilisation},
    {"lien_source", &Service::lien_source},
    {"mobilisation_precisions", &Service::mobilisation_precisions},
    {"horaires_accueil", &Service::horaires_accueil},
};

struct StringList {
  const char* name;
  std::vector<std::string> Service::*member;
};
constexpr StringList kServiceLists[] = {
    {"thematiques", &Service::thematiques},
    {"publics", &Service::publics},
    {"modes_accueil", &Service::modes_accueil},
    {"modes_mobilisation", &Service::modes_mobilisation},
    {"mobilisable_par", &Service::mobilisable_par},
    {"zone_eligibilite", &Service::zone_eligibilite},
};

struct LabelField {
  const char* name;
  bool PasipLabel::*member;
};
constexpr LabelField kLabelFields[] = {
    {"sans_condition", &PasipLabel::sans_condition},
    {"ecoute_globale", &PasipLabel::ecoute_globale},
    {"information_droits", &PasipLabel::information_droits},
    {"orientation", &PasipLabel::orientation},
    {"accueil_physique", &PasipLabel::accueil_physique},
    {"accueil_telephonique", &PasipLabel::accueil_telephonique},
    {"accueil_numerique", &PasipLabel::accueil_numerique},
    {"sans_rendez_vous", &PasipLabel::sans_rendez_vous},
    {"sur_rendez_vous", &PasipLabel::sur_rendez_vous},
    {"horaires_adaptes", &PasipLabel::horaires_adaptes},
    {"accessible_pmr", &PasipLabel::accessible_pmr},
    {"espace_confidentiel", &PasipLabel::espace_confidentiel},
};

template <typename T>
void PutOptional(Json& j, const char* name, const std::optional<T>& value) {
  if (value) j[name] = *value;
}

template <typename T>
std::optional<T> GetOptional(const Json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

template <typename T>
T GetOr(const Json& j, const char* name, T fallback) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

Json NoticesJson(const std::vector<Notice>& notices) {
  Json out = Json::array();
  for (const Notice& n : notices) out.push_back({n.debut, n.fin, n.message, n.fermeture});
  return out;
}

std::vector<Notice> NoticesFrom(const Json& j) {
  std::vector<Notice> out;
  out.reserve(j.size());
  for (const Json& n : j) {
    out.push_back({n.at(0).get<std::string>(), n.at(1).get<std::string>(),
                   n.at(2).get<std::string>(), n.at(3).get<bool>()});
  }
  return out;
}

Json StructureJson(const Structure& s) {
  Json j = Json::object();
  for (const auto& f : kStructureTexts) PutOptional(j, f.name, s.*f.member);
  j["reseaux_porteurs"] = s.reseaux_porteurs;
  Json label = Json::object();
  for (const auto& f : kLabelFields) label[f.name] = s.label.*f.member;
  j["label"] = std::move(label);
  Json access = {{"langues", s.accessibilite.langues},
                 {"langue_des_signes", s.accessibilite.langue_des_signes},
                 {"interpretariat", s.accessibilite.interpretariat}};
  PutOptional(access, "pmr", s.accessibilite.pmr);
  j["accessibilite"] = std::move(access);
  Json stops = Json::array();
  for (const ItinerantStop& a : s.arrets) {
    Json stop = {{"lieu", a.lieu}, {"code_insee", a.code_insee}, {"horaires", a.horaires}};
    PutOptional(stop, "latitude", a.latitude);
    PutOptional(stop, "longitude", a.longitude);
    stops.push_back(std::move(stop));
  }
  j["arrets"] = std::move(stops);
  Json referents = Json::array();
  for (const Referent& r : s.referents) {
    referents.push_back({{"nom", r.nom},
                         {"fonction", r.fonction},
                         {"telephone", r.telephone},
                         {"courriel", r.courriel}});
  }
  j["referents"] = std::move(referents);
  j["avis"] = NoticesJson(s.avis);
  return j;
}

void ReadStructureJson(const Json& j, Structure& s) {
  for (const auto& f : kStructureTexts) s.*f.member = GetOptional<std::string>(j, f.name);
  s.reseaux_porteurs = GetOr(j, "reseaux_porteurs", std::vector<std::string>{});
  if (const auto label = j.find("label"); label != j.end()) {
    for (const auto& f : kLabelFields) s.label.*f.member = GetOr(*label, f.name, false);
  }
  if (const auto access = j.find("accessibilite"); access != j.end()) {
    s.accessibilite.langues = GetOr(*access, "langues", std::vector<std::string>{});
    s.accessibilite.langue_des_signes = GetOr(*access, "langue_des_signes", false);
    s.accessibilite.interpretariat = GetOr(*access, "interpretariat", false);
    s.accessibilite.pmr = GetOptional<bool>(*access, "pmr");
  }
  if (const auto stops = j.find("arrets"); stops != j.end()) {
    for (const Json& a : *stops) {
      s.arrets.push_back({GetOr(a, "lieu", std::string()), GetOr(a, "code_insee", std::string()),
                          GetOptional<double>(a, "latitude"), GetOptional<double>(a, "longitude"),
                          GetOr(a, "horaires", std::string())});
    }
  }
  if (const auto referents = j.find("referents"); referents != j.end()) {
    for (const Json& r : *referents) {
      s.referents.push_back({GetOr(r, "nom", std::string()), GetOr(r, "fonction", std::string()),
                             GetOr(r, "telephone", std::string()),
                             GetOr(r, "courriel", std::string())});
    }
  }
  if (const auto notices = j.find("avis"); notices != j.end()) s.avis = NoticesFrom(*notices);
}

Json ServiceJson(const Service& s) {
  Json j = Json::object();
  j["description"] = s.description;
  for (const auto& f : kServiceTexts) PutOptional(j, f.name, s.*f.member);
  PutOptional(j, "nombre_semaines", s.nombre_semaines);
  PutOptional(j, "volume_horaire_hebdomadaire", s.volume_horaire_hebdomadaire);
  for (const auto& f : kServiceLists) j[f.name] = s.*f.member;
  j["contacts_publics"] = s.contacts_publics;
  Json permanences = Json::array();
  for (const Permanence& p : s.permanences) {
    permanences.push_back({{"structure_hote", p.host_structure_id},
                           {"horaires", p.horaires},
                           {"precisions", p.precisions}});
  }
  j["permanences"] = std::move(permanences);
  return j;
}

void ReadServiceJson(const Json& j, Service& s) {
  s.description = GetOr(j, "description", std::string());
  for (const auto& f : kServiceTexts) s.*f.member = GetOptional<std::string>(j, f.name);
  s.nombre_semaines = GetOptional<std::int64_t>(j, "nombre_semaines");
  s.volume_horaire_hebdomadaire = GetOptional<double>(j, "volume_horaire_hebdomadaire");
  for (const auto& f : kServiceLists) s.*f.member = GetOr(j, f.name, std::vector<std::string>{});
  s.contacts_publics = GetOr(j, "contacts_publics", true);
  if (const auto permanences = j.find("permanences"); permanences != j.end()) {
    for (const Json& p : *permanences) {
      s.permanences.push_back({GetOr<std::int64_t>(p, "structure_hote", 0),
                               GetOr(p, "horaires", std::string()),
                               GetOr(p, "precisions", std::string())});
    }
  }
}

// What FindCandidates hands back with each record (tags, locations, closures), in one text
// that decodes much faster than JSON, which matters when a search has thousands of
// candidates. Each element of a list starts with its separator: US before a tag, RS before a
// location or a closure (whose fields are separated by US); GS ends the tag and the location
// lists. Inside a value, ESC precedes any of these four bytes. Numbers are shortest
// round-trip decimals, booleans 0 or 1.
constexpr char kEscape = '\x1b', kGroup = '\x1d', kRecord = '\x1e', kUnit = '\x1f';

void AppendEscaped(std::string& out, std::string_view value) {
  for (const char ch : value) {
    if (ch == kEscape || ch == kGroup || ch == kRecord || ch == kUnit) out += kEscape;
    out += ch;
  }
}

void AppendNumber(std::string& out, double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

std::string EncodePayload(const IndexData& index) {
  std::string out;
  for (const std::string& tag : index.tags) {
    out += kUnit;
    AppendEscaped(out, tag);
  }
  out += kGroup;
  for (const Location& l : index.locations) {
    out += kRecord;
    AppendNumber(out, l.latitude);
    out += kUnit;
    AppendNumber(out, l.longitude);
    out += kUnit;
    AppendEscaped(out, l.code_insee);
    out += kUnit;
    AppendEscaped(out, l.horaires);
    out += kUnit;
    AppendEscaped(out, l.lieu);
    out += kUnit;
    out += l.itinerant ? '1' : '0';
  }
  out += kGroup;
  for (const Notice& n : index.closures) {
    out += kRecord;
    AppendEscaped(out, n.debut);
    out += kUnit;
    AppendEscaped(out, n.fin);
    out += kUnit;
    AppendEscaped(out, n.message);
    out += kUnit;
    out += n.fermeture ? '1' : '0';
  }
  return out;
}

// Reads EncodePayload's text; a malformed one is a schema bug (std::logic_error, like Row).
// Values are found by a scan for the next separator and copied in one assignment; only a
// value holding an escaped byte is copied byte by byte.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view text) : text_(text) {}

  bool Consume(char separator) {
    if (at_ < text_.size() && text_[at_] == separator) {
      ++at_;
      return true;
    }
    return false;
  }
  void Expect(char separator) {
    if (!Consume(separator)) throw std::logic_error("index_payload mal formé");
  }
  // The value up to the next separator, unescaped, into `out` (whose buffer is reused).
  void Text(std::string& out) {
    const std::size_t start = at_;
    const std::size_t end = ScanPlain();
    out.assign(text_.data() + start, end - start);
    if (at_ == text_.size() || text_[at_] != kEscape) return;
    while (at_ < text_.size()) {
      const char ch = text_[at_];
      if (ch == kGroup || ch == kRecord || ch == kUnit) break;
      if (ch == kEscape && ++at_ == text_.size()) break;
      out += text_[at_++];
    }
  }
  double Number() {
    const std::string_view text = Plain();
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      throw std::logic_error("index_payload mal formé");
    }
    return value;
  }
  bool Flag() { return Plain() == "1"; }
  // How many times `separator` occurs in the rest of the text before `stop`, escapes
  // ignored: an upper bound of a list's length, to reserve it.
  std::size_t CountBefore(char separator, char stop) const {
    std::size_t n = 0;
    for (std::size_t i = at_; i < text_.size() && text_[i] != stop; ++i) {
      n += text_[i] == separator;
    }
    return n;
  }

 private:
  static bool IsSpecial(char ch) {
    return ch == kEscape || ch == kGroup || ch == kRecord || ch == kUnit;
  }
  // Moves past the bytes before the next separator or escape; returns where it stopped.
  std::size_t ScanPlain() {
    while (at_ < text_.size() && !IsSpecial(text_[at_])) ++at_;
    return at_;
  }
  // A value that is written without escapes (a number or a flag), as a view of the text.
  std::string_view Plain() {
    const std::size_t start = at_;
    ScanPlain();
    if (at_ < text_.size() && text_[at_] == kEscape) {
      throw std::logic_error("index_payload mal formé");
    }
    return text_.substr(start, at_ - start);
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

void DecodePayload(std::string_view text, Candidate& c) {
  PayloadReader r(text);
  c.tags.reserve(r.CountBefore(kUnit, kGroup));
  while (r.Consume(kUnit)) r.Text(c.tags.emplace_back());
  r.Expect(kGroup);
  c.locations.reserve(r.CountBefore(kRecord, kGroup));
  while (r.Consume(kRecord)) {
    Location& l = c.locations.emplace_back();
    l.latitude = r.Number();
    r.Expect(kUnit);
    l.longitude = r.Number();
    r.Expect(kUnit);
    r.Text(l.code_insee);
    r.Expect(kUnit);
    r.Text(l.horaires);
    r.Expect(kUnit);
    r.Text(l.lieu);
    r.Expect(kUnit);
    l.itinerant = r.Flag();
  }
  r.Expect(kGroup);
  while (r.Consume(kRecord)) {
    Notice& n = c.closures.emplace_back();
    r.Text(n.debut);
    r.Expect(kUnit);
    r.Text(n.fin);
    r.Expect(kUnit);
    r.Text(n.message);
    r.Expect(kUnit);
    n.fermeture = r.Flag();
  }
}

// JSON text, or kInvalidArgument when a string is not valid UTF-8 (which PostgreSQL would
// refuse too).
Result<std::string> Dump(const Json& j) {
  try {
    return j.dump();
  } catch (const Json::exception&) {
    return Fail(InvalidArgument("Un champ contient un texte illisible (codage UTF-8 invalide)."));
  }
}

// A lexeme as one FTS5 token: the `ascii` tokenizer splits on ASCII punctuation, which
// e-mail, URL or number lexemes contain ("contact@ccas.fr", "1/3"), so every ASCII byte other
// than a letter or digit is written "_" and two hex digits ("_" being a token character).
std::string FtsToken(std::string_view lexeme) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(lexeme.size());
  for (const char ch : lexeme) {
    const auto byte = static_cast<unsigned char>(ch);
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || byte >= 0x80) {
      out += ch;
    } else {
      out += '_';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

// What the full-text index reads. SQLite: core/french's lexemes as FTS5 tokens, joined by
// spaces. PostgreSQL: the text itself, which `to_tsvector('pasip_french', …)` analyses the
// way core/french does.
std::string SearchDocument(Dialect dialect, std::string_view search_text) {
  if (dialect == Dialect::kPostgres) return std::string(search_text);
  std::string out;
  for (const std::string& lexeme : text::SearchLexemes(search_text)) {
    if (!out.empty()) out += ' ';
    out += FtsToken(lexeme);
  }
  return out;
}

// The tags to index: each once.
std::vector<std::string> DistinctTags(const IndexData& index) {
  std::vector<std::string> tags = index.tags;
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

// The values of the index columns (kIndexColumns order).
struct IndexValues {
  bool listed = true;
  std::string sort_name, payload, document;
};

IndexValues IndexValuesOf(Dialect dialect, const IndexData& index) {
  IndexValues v;
  v.listed = index.publie;
  v.sort_name = index.sort_name;
  v.payload = EncodePayload(index);
  v.document = SearchDocument(dialect, index.search_text);
  return v;
}

void AppendIndex(IndexValues&& index, std::vector<Value>& values) {
  values.emplace_back(index.listed);
  values.emplace_back(std::move(index.sort_name));
  values.emplace_back(std::move(index.payload));
  values.emplace_back(std::move(index.document));
}

// Appends the values of kStructureWriteColumns.
Status AppendStructure(Dialect dialect, const Structure& s, const IndexData& index,
                       std::vector<Value>& values) {
  PASIP_ASSIGN_OR_RETURN(data, Dump(StructureJson(s)));
  values.emplace_back(s.source);
  values.emplace_back(s.source_id);
  values.emplace_back(s.nom);
  values.emplace_back(s.date_maj);
  values.emplace_back(s.siret);
  values.emplace_back(s.code_insee);
  values.emplace_back(s.code_postal);
  values.emplace_back(s.latitude);
  values.emplace_back(s.longitude);
  values.emplace_back(s.organisation_id);
  values.emplace_back(s.site_id);
  values.emplace_back(s.publie);
  values.emplace_back(std::move(data));
  values.emplace_back(s.updated_at);
  AppendIndex(IndexValuesOf(dialect, index), values);
  return Ok();
}

// Appends the values of kServiceWriteColumns.
Status AppendService(Dialect dialect, const Service& s, const IndexData& index,
                     std::vector<Value>& values) {
  PASIP_ASSIGN_OR_RETURN(data, Dump(ServiceJson(s)));
  values.emplace_back(s.structure_id);
  values.emplace_back(s.source);
  values.emplace_back(s.source_id);
  values.emplace_back(s.nom);
  values.emplace_back(s.date_maj);
  values.emplace_back(s.type);
  values.emplace_back(s.frais);
  values.emplace_back(s.code_insee);
  values.emplace_back(s.latitude);
  values.emplace_back(s.longitude);
  values.emplace_back(s.publie);
  values.emplace_back(std::move(data));
  values.emplace_back(s.updated_at);
  AppendIndex(IndexValuesOf(dialect, index), values);
  return Ok();
}

Structure ToStructure(const Row& r) {
  Structure s;
  s.id = r.Int(0);
  s.source = r.Text(1);
  s.source_id = r.Text(2);
  s.nom = r.Text(3);
  s.date_maj = r.Text(4);
  s.siret = r.OptText(5);
  s.code_insee = r.OptText(6);
  s.code_postal = r.OptText(7);
  s.latitude = r.OptReal(8);
  s.longitude = r.OptReal(9);
  s.organisation_id = r.OptInt(10);
  s.site_id = r.OptInt(11);
  s.publie = r.Bool(12);
  ReadStructureJson(Json::parse(r.Text(13)), s);
  s.updated_at = r.Time(14);
  return s;
}

Service ToService(const Row& r) {
  Service s;
  s.id = r.Int(0);
  s.structure_id = r.Int(1);
  s.source = r.Text(2);
  s.source_id = r.Text(3);
  s.nom = r.Text(4);
  s.date_maj = r.Text(5);
  s.type = r.OptText(6);
  s.frais = r.OptText(7);
  s.code_insee = r.OptText(8);
  s.latitude = r.OptReal(9);
  s.longitude = r.OptReal(10);
  s.publie = r.Bool(11);
  ReadServiceJson(Json::parse(r.Text(12)), s);
  s.updated_at = r.Time(13);
  return s;
}

// Runs `sql_prefix` + "(?, …)" over `ids` in batches (DELETE … WHERE x IN, SELECT …),
// handing each batch's rows to `on_rows`.
template <typename OnRows>
Status ForIdBatches(Connection& c, const std::string& sql_prefix, std::span<const std::int64_t> ids,
                    OnRows on_rows) {
  std::vector<Value> values;
  for (std::size_t start = 0; start < ids.size(); start += kIdBatch) {
    const auto batch = ids.subspan(start, std::min(kIdBatch, ids.size() - start));
    values.assign(batch.begin(), batch.end());
    const std::string sql = sql_prefix + Placeholders(batch.size());
    PASIP_ASSIGN_OR_RETURN(rows, c.Query(sql, values));
    on_rows(rows);
  }
  return Ok();
}

// Replaces the tag and location rows of the records `items` (id, index); `replaced` are the
// ids that may have rows already.
Status WriteIndexRows(Connection& c, const EntityTables& t,
                      std::span<const std::pair<std::int64_t, const IndexData*>> items,
                      std::span<const std::int64_t> replaced) {
  const auto ignore = [](const Rows&) {};
  if (!replaced.empty()) {
    PASIP_TRY(ForIdBatches(c,
                           std::string("DELETE FROM ") + t.tags + " WHERE " + t.id_column + " IN ",
                           replaced, ignore));
    PASIP_TRY(ForIdBatches(
        c, std::string("DELETE FROM ") + t.locations + " WHERE " + t.id_column + " IN ", replaced,
        ignore));
  }
  std::vector<std::vector<Value>> tags, locations;
  for (const auto& [id, index] : items) {
    for (std::string& tag : DistinctTags(*index)) tags.push_back({id, std::move(tag)});
    for (const Location& l : index->locations) locations.push_back({id, l.latitude, l.longitude});
  }
  if (!tags.empty()) {
    const std::string columns[] = {t.id_column, "tag"};
    PASIP_TRY(c.BulkInsert(t.tags, columns, tags));
  }
  if (!locations.empty()) {
    const std::string columns[] = {t.id_column, "latitude", "longitude"};
    PASIP_TRY(c.BulkInsert(t.locations, columns, locations));
  }
  return Ok();
}

using WrittenIds = std::unordered_map<std::string, std::int64_t>;  // Key → id

// Writes `count` records in multi-row upserts on (source, source_id); append(i, values)
// pushes record i's values. Answers the id of every row written, by Key.
template <std::size_t N, typename Append>
Result<WrittenIds> UpsertRows(Connection& c, const char* table, const char* const (&columns)[N],
                              std::size_t count, Append append) {
  WrittenIds written;
  written.reserve(count);
  std::vector<Value> values;
  std::string full_batch;
  for (std::size_t start = 0; start < count; start += kBatchRows) {
    const std::size_t n = std::min(kBatchRows, count - start);
    values.clear();
    for (std::size_t i = start; i < start + n; ++i) PASIP_TRY(append(i, values));
    if (n == kBatchRows && full_batch.empty()) full_batch = InsertSql(table, columns, n, true);
    PASIP_ASSIGN_OR_RETURN(
        rows, c.Query(n == kBatchRows ? full_batch : InsertSql(table, columns, n, true), values));
    for (const Row& row : rows) written.emplace(Key(row.Text(1), row.Text(2)), row.Int(0));
  }
  return written;
}

std::string KeyOf(const StructureRecord& r) {
  return Key(r.structure.source, r.structure.source_id);
}
std::string KeyOf(const ServiceRecord& r) { return Key(r.service.source, r.service.source_id); }

// Counts the records just upserted as created or updated (by `known`, the ids stored before,
// which it completes) and writes the tag and location rows of those written; a record
// unchanged, absent from `written`, keeps its rows.
template <typename Record>
Status RecordWritten(Connection& c, const EntityTables& t, std::span<const Record> records,
                     const WrittenIds& written, WrittenIds& known, std::int64_t& created,
                     std::int64_t& updated) {
  std::vector<std::int64_t> replaced;
  std::vector<std::pair<std::int64_t, const IndexData*>> items;
  items.reserve(written.size());
  for (const Record& r : records) {
    const std::string key = KeyOf(r);
    const auto it = written.find(key);
    const auto before = known.find(key);
    if (before != known.end()) {
      ++updated;
      if (it == written.end()) continue;  // unchanged
      replaced.push_back(it->second);
    } else if (it == written.end()) {
      return Fail(Internal("Écriture groupée : un enregistrement n'a pas été écrit."));
    } else {
      ++created;
      known.emplace(key, it->second);
    }
    items.emplace_back(it->second, &r.index);
  }
  return WriteIndexRows(c, t, items, replaced);
}

TimePoint WholeSeconds(TimePoint t) { return FromUnixSeconds(ToUnixSeconds(t)); }

Status CheckSourceFree(Connection& c, const char* table, const std::string& source,
                       const std::string& source_id, std::int64_t id, const char* message) {
  PASIP_ASSIGN_OR_RETURN(row, c.QueryOne(std::string("SELECT id FROM ") + table +
                                             " WHERE source = ? AND source_id = ? AND id <> ?",
                                         {source, source_id, id}));
  if (row) return Fail(AlreadyExists(message, "source_id"));
  return Ok();
}

Error UnknownStructure(std::string message) {
  Error e = NotFound(std::move(message));
  e.field = "structure_id";
  return e;
}

// A lexeme as core/french produces them: one token, valid UTF-8, no space or control byte.
bool IsLexeme(std::string_view lexeme) {
  return !lexeme.empty() && text::IsValidUtf8(lexeme) &&
         std::none_of(lexeme.begin(), lexeme.end(),
                      [](char ch) { return static_cast<unsigned char>(ch) <= 0x20; });
}

}  // namespace

const Clock& SqlDirectoryStore::DefaultClock() {
  static const SystemClock clock;
  return clock;
}

// --- Writes ------------------------------------------------------------------------------

Result<Structure> SqlDirectoryStore::SaveStructure(Structure s, const IndexData& index) {
  s.updated_at = WholeSeconds(clock_.Now());
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  std::vector<Value> values;
  PASIP_TRY(AppendStructure(c->dialect(), s, index, values));
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_TRY(CheckSourceFree(*c, "structures", s.source, s.source_id, s.id,
                            "Une autre structure porte déjà cet identifiant pour cette source."));
  if (s.site_id) {
    PASIP_ASSIGN_OR_RETURN(
        taken,
        c->QueryOne("SELECT id FROM structures WHERE site_id = ? AND id <> ?", {*s.site_id, s.id}));
    if (taken) {
      return Fail(AlreadyExists("Ce lieu est déjà décrit par une autre structure.", "site_id"));
    }
  }
  const bool created = s.id == 0;
  if (created) {
    PASIP_ASSIGN_OR_RETURN(
        rows, c->Query(InsertSql("structures", kStructureWriteColumns, 1, false), values));
    s.id = rows.at(0).Int(0);
  } else {
    values.emplace_back(s.id);
    PASIP_ASSIGN_OR_RETURN(n, c->Execute(UpdateSql("structures", kStructureWriteColumns), values));
    if (n == 0) return Fail(NotFound("Cette structure n'existe pas."));
  }
  const std::pair<std::int64_t, const IndexData*> item{s.id, &index};
  PASIP_TRY(WriteIndexRows(*c, kStructureTables, {&item, 1},
                           created ? std::span<const std::int64_t>() : std::span(&s.id, 1)));
  PASIP_TRY(tx.Commit());
  return s;
}

Result<Service> SqlDirectoryStore::SaveService(Service s, const IndexData& index) {
  s.updated_at = WholeSeconds(clock_.Now());
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  std::vector<Value> values;
  PASIP_TRY(AppendService(c->dialect(), s, index, values));
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(structure,
                         c->QueryOne("SELECT id FROM structures WHERE id = ?", {s.structure_id}));
  if (!structure) return Fail(UnknownStructure("La structure de ce service n'existe pas."));
  PASIP_TRY(CheckSourceFree(*c, "services", s.source, s.source_id, s.id,
                            "Un autre service porte déjà cet identifiant pour cette source."));
  const bool created = s.id == 0;
  if (created) {
    PASIP_ASSIGN_OR_RETURN(rows,
                           c->Query(InsertSql("services", kServiceWriteColumns, 1, false), values));
    s.id = rows.at(0).Int(0);
  } else {
    values.emplace_back(s.id);
    PASIP_ASSIGN_OR_RETURN(n, c->Execute(UpdateSql("services", kServiceWriteColumns), values));
    if (n == 0) return Fail(NotFound("Ce service n'existe pas."));
  }
  const std::pair<std::int64_t, const IndexData*> item{s.id, &index};
  PASIP_TRY(WriteIndexRows(*c, kServiceTables, {&item, 1},
                           created ? std::span<const std::int64_t>() : std::span(&s.id, 1)));
  PASIP_TRY(tx.Commit());
  return s;
}

Status SqlDirectoryStore::ReindexStructure(directory::StructureId id, const IndexData& index) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  std::vector<Value> values;
  AppendIndex(IndexValuesOf(c->dialect(), index), values);
  values.emplace_back(id);
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(n, c->Execute(UpdateSql("structures", kIndexColumns), values));
  if (n == 0) return Fail(NotFound("Cette structure n'existe pas."));
  const std::pair<std::int64_t, const IndexData*> item{id, &index};
  PASIP_TRY(WriteIndexRows(*c, kStructureTables, {&item, 1}, std::span(&id, 1)));
  return tx.Commit();
}

Status SqlDirectoryStore::DeleteService(directory::ServiceId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  // Tags and locations follow by ON DELETE CASCADE, the SQLite full-text rows by trigger.
  PASIP_ASSIGN_OR_RETURN(n, c->Execute("DELETE FROM services WHERE id = ?", {id}));
  if (n == 0) return Fail(NotFound("Ce service n'existe pas."));
  return Ok();
}

Result<BulkCounts> SqlDirectoryStore::UpsertBulk(std::span<const StructureRecord> structures,
                                                 std::span<const ServiceRecord> services) {
  // Duplicates inside the call would make one row overwrite another in the same statement.
  std::unordered_set<std::string> seen;
  for (const auto& r : structures) {
    if (!seen.insert(Key(r.structure.source, r.structure.source_id)).second) {
      return Fail(InvalidArgument(
          "La structure « " + r.structure.source_id + " » figure deux fois.", "source_id"));
    }
  }
  seen.clear();
  for (const auto& r : services) {
    if (!seen.insert(Key(r.service.source, r.service.source_id)).second) {
      return Fail(InvalidArgument("Le service « " + r.service.source_id + " » figure deux fois.",
                                  "source_id"));
    }
  }

  const TimePoint now = WholeSeconds(clock_.Now());
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  const Dialect dialect = c->dialect();
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));

  // The ids stored under each (source, source_id) of the sources involved.
  const auto load_keys = [&](const char* table, const std::unordered_set<std::string>& sources,
                             WrittenIds& out) -> Status {
    for (const std::string& source : sources) {
      PASIP_ASSIGN_OR_RETURN(
          rows, c->Query(std::string("SELECT id, source_id FROM ") + table + " WHERE source = ?",
                         {source}));
      for (const Row& row : rows) out.emplace(Key(source, row.Text(1)), row.Int(0));
    }
    return Ok();
  };
  std::unordered_set<std::string> structure_sources, service_sources;
  for (const auto& r : structures) structure_sources.insert(r.structure.source);
  for (const auto& r : services) {
    service_sources.insert(r.service.source);
    if (r.service.structure_id == 0) structure_sources.insert(r.service.source);
  }
  WrittenIds structure_ids, service_ids;
  PASIP_TRY(load_keys("structures", structure_sources, structure_ids));
  PASIP_TRY(load_keys("services", service_sources, service_ids));

  BulkCounts counts;
  // Structures first, so that services can name them by source id.
  {
    std::vector<Structure> rows;
    rows.reserve(structures.size());
    for (const auto& r : structures) {
      rows.push_back(r.structure);
      rows.back().updated_at = now;
    }
    PASIP_ASSIGN_OR_RETURN(
        written, UpsertRows(*c, "structures", kStructureWriteColumns, rows.size(),
                            [&](std::size_t i, std::vector<Value>& values) {
                              return AppendStructure(dialect, rows[i], structures[i].index, values);
                            }));
    PASIP_TRY(RecordWritten(*c, kStructureTables, structures, written, structure_ids,
                            counts.structures_created, counts.structures_updated));
  }

  // Services: their structure by id (checked) or by the source id of a structure.
  std::vector<Service> rows;
  rows.reserve(services.size());
  std::unordered_set<std::int64_t> explicit_ids;
  for (const auto& r : services) {
    Service s = r.service;
    s.updated_at = now;
    if (s.structure_id == 0) {
      const auto found = structure_ids.find(Key(s.source, r.structure_source_id));
      if (found == structure_ids.end()) {
        return Fail(UnknownStructure("Service « " + s.source_id + " » : la structure « " +
                                     r.structure_source_id + " » est inconnue."));
      }
      s.structure_id = found->second;
    } else {
      explicit_ids.insert(s.structure_id);
    }
    rows.push_back(std::move(s));
  }
  if (!explicit_ids.empty()) {
    const std::vector<std::int64_t> wanted(explicit_ids.begin(), explicit_ids.end());
    std::unordered_set<std::int64_t> existing;
    PASIP_TRY(
        ForIdBatches(*c, "SELECT id FROM structures WHERE id IN ", wanted, [&](const Rows& found) {
          for (const Row& row : found) existing.insert(row.Int(0));
        }));
    for (const auto& r : services) {
      const std::int64_t id = r.service.structure_id;
      if (id != 0 && !existing.contains(id)) {
        return Fail(UnknownStructure("Service « " + r.service.source_id + " » : la structure n° " +
                                     std::to_string(id) + " n'existe pas."));
      }
    }
  }
  PASIP_ASSIGN_OR_RETURN(written, UpsertRows(*c, "services", kServiceWriteColumns, rows.size(),
                                             [&](std::size_t i, std::vector<Value>& values) {
                                               return AppendService(dialect, rows[i],
                                                                    services[i].index, values);
                                             }));
  PASIP_TRY(RecordWritten(*c, kServiceTables, services, written, service_ids,
                          counts.services_created, counts.services_updated));
  PASIP_TRY(tx.Commit());
  return counts;
}

// --- Reads -------------------------------------------------------------------------------

Result<std::optional<Structure>> SqlDirectoryStore::FindStructure(directory::StructureId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne(std::string("SELECT ") + kStructureReadColumns +
                                              " FROM structures WHERE id = ?",
                                          {id}));
  if (!row) return std::optional<Structure>();
  return std::optional<Structure>(ToStructure(*row));
}

Result<std::optional<Structure>> SqlDirectoryStore::FindStructureBySource(
    std::string_view source, std::string_view source_id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne(std::string("SELECT ") + kStructureReadColumns +
                                              " FROM structures WHERE source = ? AND source_id = ?",
                                          {source, source_id}));
  if (!row) return std::optional<Structure>();
  return std::optional<Structure>(ToStructure(*row));
}

Result<std::optional<Structure>> SqlDirectoryStore::FindStructureBySite(std::int64_t site_id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne(std::string("SELECT ") + kStructureReadColumns +
                                              " FROM structures WHERE site_id = ?",
                                          {site_id}));
  if (!row) return std::optional<Structure>();
  return std::optional<Structure>(ToStructure(*row));
}

Result<std::optional<Service>> SqlDirectoryStore::FindService(directory::ServiceId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne(std::string("SELECT ") + kServiceReadColumns + " FROM services WHERE id = ?",
                       {id}));
  if (!row) return std::optional<Service>();
  return std::optional<Service>(ToService(*row));
}

Result<std::vector<Service>> SqlDirectoryStore::ServicesOf(directory::StructureId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kServiceReadColumns +
                                            " FROM services WHERE structure_id = ? ORDER BY id",
                                        {id}));
  std::vector<Service> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(ToService(row));
  return out;
}

namespace {

// The records with `ids`, in the order given, unknown ids skipped.
template <typename T, typename Convert>
Result<std::vector<T>> LoadInOrder(Database& db, const std::string& select,
                                   std::span<const std::int64_t> ids, Convert convert) {
  std::vector<std::int64_t> distinct(ids.begin(), ids.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::unordered_map<std::int64_t, T> found;
  {
    PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
    PASIP_TRY(ForIdBatches(*c, select + " WHERE id IN ", distinct, [&](const Rows& rows) {
      for (const Row& row : rows) {
        T record = convert(row);
        const std::int64_t id = record.id;
        found.emplace(id, std::move(record));
      }
    }));
  }
  std::vector<T> out;
  out.reserve(ids.size());
  for (const std::int64_t id : ids) {
    if (const auto it = found.find(id); it != found.end()) out.push_back(it->second);
  }
  return out;
}

}  // namespace

Result<std::vector<Structure>> SqlDirectoryStore::LoadStructures(
    std::span<const directory::StructureId> ids) {
  return LoadInOrder<Structure>(
      db_, std::string("SELECT ") + kStructureReadColumns + " FROM structures", ids, ToStructure);
}

Result<std::vector<Service>> SqlDirectoryStore::LoadServices(
    std::span<const directory::ServiceId> ids) {
  return LoadInOrder<Service>(db_, std::string("SELECT ") + kServiceReadColumns + " FROM services",
                              ids, ToService);
}

Result<std::vector<Structure>> SqlDirectoryStore::ListStructures(
    directory::StructureId after, int limit, std::optional<std::int64_t> organisation_id) {
  std::vector<Structure> out;
  if (limit <= 0) return out;
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows, organisation_id
                ? c->Query(std::string("SELECT ") + kStructureReadColumns +
                               " FROM structures WHERE organisation_id = ? AND id > ? ORDER BY "
                               "id LIMIT ?",
                           {*organisation_id, after, limit})
                : c->Query(std::string("SELECT ") + kStructureReadColumns +
                               " FROM structures WHERE id > ? ORDER BY id LIMIT ?",
                           {after, limit}));
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(ToStructure(row));
  return out;
}

Result<std::vector<Service>> SqlDirectoryStore::ListServices(
    directory::ServiceId after, int limit, std::optional<std::int64_t> organisation_id) {
  std::vector<Service> out;
  if (limit <= 0) return out;
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows, organisation_id
                ? c->Query(std::string("SELECT ") + kServiceReadColumns +
                               " FROM services WHERE structure_id IN (SELECT id FROM structures "
                               "WHERE organisation_id = ?) AND id > ? ORDER BY id LIMIT ?",
                           {*organisation_id, after, limit})
                : c->Query(std::string("SELECT ") + kServiceReadColumns +
                               " FROM services WHERE id > ? ORDER BY id LIMIT ?",
                           {after, limit}));
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back(ToService(row));
  return out;
}

Result<std::int64_t> SqlDirectoryStore::Count(Entity entity) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne(std::string("SELECT COUNT(*) FROM ") + TablesOf(entity).table));
  return row ? row->Int(0) : 0;
}

Status SqlDirectoryStore::RefreshStatistics() {
  // SQLite plans well enough from its indexes alone (measured); PostgreSQL needs statistics.
  if (db_.dialect() != Dialect::kPostgres) return Ok();
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  return c->ExecuteScript(
      "ANALYZE structures, services, structure_tags, service_tags, structure_locations, "
      "service_locations");
}

Result<std::vector<Candidate>> SqlDirectoryStore::FindCandidates(Entity entity,
                                                                 const CandidateFilter& filter) {
  std::vector<Candidate> out;
  for (const auto& group : filter.tag_groups) {
    if (group.empty()) return out;  // "any of no tag" matches nothing
  }
  for (const std::string& lexeme : filter.lexemes) {
    if (!IsLexeme(lexeme)) {
      return Fail(
          InvalidArgument("La recherche contient un mot que l'index ne sait pas lire.", "q"));
    }
  }

  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  const bool sqlite = c->dialect() == Dialect::kSqlite;
  const EntityTables& t = TablesOf(entity);
  const std::string id_column(t.id_column);

  // Conditions on the record's row, and sets of ids from the index tables, each with its
  // values in the order of its placeholders.
  struct Clause {
    std::string sql;
    std::vector<Value> values;
  };
  std::vector<Clause> row_conditions, id_sets;
  if (!filter.include_unpublished) row_conditions.push_back({"r.listed = 1", {}});
  if (filter.structure_id) {
    row_conditions.push_back(
        {entity == Entity::kService ? "r.structure_id = ?" : "r.id = ?", {*filter.structure_id}});
  }
  // On SQLite with a box, each tag group is checked per record the box keeps, by the primary
  // key (id, tag): the set of every record in France having a common tag, which the
  // intersection would build first, costs much more than the few records in a box.
  const bool tags_per_record = sqlite && filter.box.has_value();
  for (const auto& group : filter.tag_groups) {
    Clause clause{tags_per_record
                      ? "EXISTS (SELECT 1 FROM " + std::string(t.tags) + " t WHERE t." + id_column +
                            " = r.id AND t.tag IN " + Placeholders(group.size()) + ")"
                      : "SELECT " + id_column + " FROM " + t.tags + " WHERE tag IN " +
                            Placeholders(group.size()),
                  {}};
    for (const std::string& tag : group) clause.values.emplace_back(tag);
    (tags_per_record ? row_conditions : id_sets).push_back(std::move(clause));
  }
  if (filter.box) {
    const auto& box = *filter.box;
    // A box across the antimeridian (min_lon > max_lon) is two longitude ranges.
    id_sets.push_back({"SELECT " + id_column + " FROM " + t.locations +
                           " WHERE latitude BETWEEN ? AND ? AND " +
                           (box.min_lon <= box.max_lon ? "longitude BETWEEN ? AND ?"
                                                       : "(longitude >= ? OR longitude <= ?)"),
                       {box.min_lat, box.max_lat, box.min_lon, box.max_lon}});
  }
  if (!filter.lexemes.empty() && !sqlite) {
    // A tsquery of the lexemes as they are (its input function does not analyse them again,
    // unlike to_tsquery): 'a' & 'b', quotes doubled and backslashes escaped. PostgreSQL
    // chooses between the GIN index and a filter of the rows the other conditions keep.
    std::string query;
    for (const std::string& lexeme : filter.lexemes) {
      query += query.empty() ? "'" : " & '";
      for (const char ch : lexeme) {
        if (ch == '\'' || ch == '\\') query += ch;
        query += ch;
      }
      query += '\'';
    }
    row_conditions.push_back({"r.search_vector @@ CAST(? AS tsquery)", {std::move(query)}});
  } else if (!filter.lexemes.empty() && filter.tag_groups.empty()) {
    // SQLite, text without tags: the FTS5 index (every term required, each quoted).
    std::string query;
    for (const std::string& lexeme : filter.lexemes) {
      query += (query.empty() ? "\"" : " \"") + FtsToken(lexeme) + "\"";
    }
    id_sets.push_back(
        {"SELECT rowid FROM " + std::string(t.fts) + " WHERE " + t.fts + " MATCH ?", {query}});
  } else if (!filter.lexemes.empty()) {
    // SQLite, text with tags: the tags keep few records, and reading each one's lexemes is
    // much cheaper than the FTS5 list of a common word (every record for "aide"): the
    // document is tokens between single spaces.
    for (const std::string& lexeme : filter.lexemes) {
      row_conditions.push_back(
          {"instr(' ' || r.search_document || ' ', ?) > 0", {" " + FtsToken(lexeme) + " "}});
    }
  }

  std::vector<Clause> conditions;
  if (sqlite && !id_sets.empty()) {
    // SQLite materialises every IN list anyway: intersecting them first means reading only
    // the records that pass all the index conditions.
    Clause in{"r.id IN (", {}};
    for (std::size_t i = 0; i < id_sets.size(); ++i) {
      in.sql += (i == 0 ? "" : " INTERSECT ") + id_sets[i].sql;
      in.values.insert(in.values.end(), id_sets[i].values.begin(), id_sets[i].values.end());
    }
    in.sql += ")";
    conditions.push_back(std::move(in));
  } else {
    // PostgreSQL plans the semi-joins better one by one.
    for (Clause& set : id_sets) {
      conditions.push_back({"r.id IN (" + set.sql + ")", std::move(set.values)});
    }
  }
  for (Clause& condition : row_conditions) conditions.push_back(std::move(condition));

  std::string sql = std::string("SELECT r.id, ") +
                    (entity == Entity::kService ? "r.structure_id" : "r.id") +
                    ", r.sort_name, r.date_maj, r.index_payload FROM " + t.table + " r";
  std::vector<Value> values;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    sql += (i == 0 ? " WHERE " : " AND ") + conditions[i].sql;
    values.insert(values.end(), conditions[i].values.begin(), conditions[i].values.end());
  }

  PASIP_ASSIGN_OR_RETURN(rows, c->Query(sql, values));
  out.reserve(rows.size());
  for (const Row& row : rows) {
    Candidate& candidate = out.emplace_back();
    candidate.id = row.Int(0);
    candidate.structure_id = row.Int(1);
    candidate.sort_name = row.Text(2);
    candidate.date_maj = row.Text(3);
    DecodePayload(row.Text(4), candidate);
  }
  return out;
}

}  // namespace pasip::storage
