#include "storage/territory_repository.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_set>

#include "core/french.h"
#include "core/text.h"

namespace pasip::storage {
namespace {

using territory::Commune;

constexpr char kCommuneColumns[] =
    "code, name, departement, region, epci, population, latitude, longitude, kind, "
    "codes_postaux";
constexpr std::size_t kCommuneColumnCount = 10;
// Rows per INSERT: few round trips, and well under both databases' parameter limits.
constexpr std::size_t kBatchRows = 200;
// Codes per DELETE … IN (…) of the terms.
constexpr std::size_t kTermBatch = 500;

// "INSERT … VALUES (?, …), (?, …) ON CONFLICT (code) DO UPDATE …" for `rows` rows, from
// literals only.
std::string UpsertSql(std::size_t rows) {
  std::string sql = std::string("INSERT INTO communes (") + kCommuneColumns + ") VALUES ";
  for (std::size_t i = 0; i < rows; ++i) {
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }
  // A value the source lacks (NULL) keeps the stored one: decoupage-administratif has no
  // coordinates, the CSV no EPCI, and importing one must not erase what another gave.
  sql +=
      " ON CONFLICT (code) DO UPDATE SET name = excluded.name, departement = "
      "excluded.departement, region = excluded.region, epci = COALESCE(excluded.epci, "
      "communes.epci), population = COALESCE(excluded.population, communes.population), "
      "latitude = COALESCE(excluded.latitude, communes.latitude), longitude = "
      "COALESCE(excluded.longitude, communes.longitude), kind = excluded.kind, codes_postaux = "
      "COALESCE(excluded.codes_postaux, communes.codes_postaux)";
  return sql;
}

// Postcodes are stored space-separated, NULL when no source gave any.
std::vector<std::string> PostcodesFrom(std::string_view stored) {
  std::vector<std::string> out;
  for (std::string& code : text::Split(stored, ' ')) {
    if (!code.empty()) out.push_back(std::move(code));
  }
  return out;
}

Value PostcodesValue(const std::vector<std::string>& codes) {
  if (codes.empty()) return Value();
  std::string joined;
  for (const std::string& code : codes) joined += (joined.empty() ? "" : " ") + code;
  return Value(std::move(joined));
}

Commune ToCommune(const Row& r) {
  Commune c;
  c.code = r.Text(0);
  c.name = r.Text(1);
  c.departement = r.Text(2);
  c.region = r.Text(3);
  c.epci = r.OptText(4);
  c.population = r.OptInt(5);
  c.latitude = r.OptReal(6);
  c.longitude = r.OptReal(7);
  c.kind = territory::ParseCommuneKind(r.Text(8)).value_or(territory::CommuneKind::kCurrent);
  c.codes_postaux = PostcodesFrom(r.OptText(9).value_or(""));
  return c;
}

// The COG name of a département, or NULL when the code is not in the list.
std::optional<std::string> NameOf(const std::string& code) {
  const std::string_view name = territory::DepartementName(code);
  if (name.empty()) return std::nullopt;
  return std::string(name);
}

void AppendValues(const Commune& c, std::vector<Value>& values) {
  values.emplace_back(c.code);
  values.emplace_back(c.name);
  values.emplace_back(c.departement);
  values.emplace_back(c.region);
  values.emplace_back(c.epci);
  values.emplace_back(c.population);
  values.emplace_back(c.latitude);
  values.emplace_back(c.longitude);
  values.emplace_back(territory::CommuneKindName(c.kind));
  values.push_back(PostcodesValue(c.codes_postaux));
}

// The autocompletion terms of a commune: its folded name from each word start ("saint
// malo", "malo"), its INSEE code in lower case and its postcodes.
std::vector<std::string> TermsOf(std::string_view code, std::string_view name,
                                 std::string_view postcodes) {
  std::vector<std::string> terms;
  const std::string folded = text::FoldForPrefix(name);
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (i == 0 || folded[i - 1] == ' ') terms.push_back(folded.substr(i));
  }
  terms.push_back(text::AsciiLower(code));
  for (std::string& postcode : PostcodesFrom(postcodes)) terms.push_back(std::move(postcode));
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

// Writes the terms of every commune that has none (just upserted, or stored before the
// terms existed).
Status IndexMissingTerms(Connection& c) {
  PASIP_ASSIGN_OR_RETURN(
      rows, c.Query("SELECT code, name, codes_postaux FROM communes c WHERE NOT EXISTS "
                    "(SELECT 1 FROM commune_terms t WHERE t.code = c.code)"));
  std::vector<std::array<Value, 2>> terms;
  for (const Row& row : rows) {
    const std::string code = row.Text(0);
    for (std::string& term : TermsOf(code, row.Text(1), row.OptText(2).value_or(""))) {
      terms.push_back({Value(std::move(term)), Value(code)});
    }
  }
  // Two first searches may fill them at once: the second one's rows are already there.
  std::vector<Value> values;
  for (std::size_t start = 0; start < terms.size(); start += kTermBatch) {
    const std::size_t n = std::min(kTermBatch, terms.size() - start);
    std::string sql = "INSERT INTO commune_terms (term, code) VALUES ";
    values.clear();
    for (std::size_t i = 0; i < n; ++i) {
      sql += i == 0 ? "(?, ?)" : ", (?, ?)";
      values.push_back(std::move(terms[start + i][0]));
      values.push_back(std::move(terms[start + i][1]));
    }
    sql += " ON CONFLICT (term, code) DO NOTHING";
    PASIP_TRY(c.Execute(sql, values));
  }
  return Ok();
}

}  // namespace

Result<territory::UpsertCounts> SqlTerritoryStore::UpsertCommunes(
    std::span<const Commune> communes) {
  std::unordered_set<std::string> codes;
  std::set<std::string> regions;
  std::map<std::string, std::string> departements;  // code → région
  for (const auto& c : communes) {
    if (!codes.insert(c.code).second) {
      return Fail(InvalidArgument("le code INSEE " + c.code + " figure deux fois.", "code"));
    }
    regions.insert(c.region);
    departements[c.departement] = c.region;
  }

  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(existing, c->Query("SELECT code FROM communes"));
  territory::UpsertCounts counts;
  std::unordered_set<std::string> known;
  for (const auto& row : existing) known.insert(row.Text(0));
  for (const auto& commune : communes) {
    (known.contains(commune.code) ? counts.updated : counts.created)++;
  }

  for (const auto& region : regions) {
    PASIP_TRY(c->Execute("INSERT INTO regions (code) VALUES (?) ON CONFLICT (code) DO NOTHING",
                         {region}));
  }
  for (const auto& [code, region] : departements) {
    PASIP_TRY(
        c->Execute("INSERT INTO departements (code, name, region) VALUES (?, ?, ?) ON CONFLICT "
                   "(code) DO UPDATE SET region = excluded.region, name = "
                   "COALESCE(excluded.name, departements.name)",
                   {code, NameOf(code), region}));
  }

  const std::string full_batch = UpsertSql(kBatchRows);
  std::vector<Value> values;
  values.reserve(kBatchRows * kCommuneColumnCount);
  for (std::size_t start = 0; start < communes.size(); start += kBatchRows) {
    const auto batch = communes.subspan(start, std::min(kBatchRows, communes.size() - start));
    values.clear();
    for (const auto& commune : batch) AppendValues(commune, values);
    const std::string sql = batch.size() == kBatchRows ? full_batch : UpsertSql(batch.size());
    PASIP_TRY(c->Execute(sql, std::span<const Value>(values)));
  }
  // The terms of the communes rewritten go, then every commune without terms gets them.
  for (std::size_t start = 0; start < communes.size(); start += kTermBatch) {
    const auto batch = communes.subspan(start, std::min(kTermBatch, communes.size() - start));
    values.clear();
    std::string sql = "DELETE FROM commune_terms WHERE code IN (";
    for (std::size_t i = 0; i < batch.size(); ++i) {
      sql += i == 0 ? "?" : ", ?";
      values.emplace_back(batch[i].code);
    }
    sql += ")";
    PASIP_TRY(c->Execute(sql, std::span<const Value>(values)));
  }
  PASIP_TRY(IndexMissingTerms(*c));
  PASIP_TRY(tx.Commit());
  return counts;
}

Result<std::optional<Commune>> SqlTerritoryStore::FindCommune(std::string_view code) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne(std::string("SELECT ") + kCommuneColumns + " FROM communes WHERE code = ?",
                       {code}));
  if (!row) return std::optional<Commune>();
  return std::optional<Commune>(ToCommune(*row));
}

Result<std::vector<Commune>> SqlTerritoryStore::ListCommunes(std::string_view departement) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kCommuneColumns +
                                            " FROM communes WHERE departement = ? ORDER BY code",
                                        {departement}));
  std::vector<Commune> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(ToCommune(row));
  return out;
}

Result<std::vector<territory::Departement>> SqlTerritoryStore::ListDepartements() {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows,
                         c->Query("SELECT code, name, region FROM departements ORDER BY code"));
  std::vector<territory::Departement> out;
  for (const auto& row : rows) out.push_back({row.Text(0), row.OptText(1), row.Text(2)});
  return out;
}

Result<std::int64_t> SqlTerritoryStore::CountCommunes() {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne("SELECT COUNT(*) FROM communes"));
  return row ? row->Int(0) : 0;
}

Result<std::vector<Commune>> SqlTerritoryStore::SearchCommunes(std::string_view query, int limit) {
  std::vector<Commune> out;
  std::string prefix = text::FoldForPrefix(query);
  if (prefix.empty() || limit <= 0) return out;
  // "saint " or "saint-": a whole word, not "saintes" (typographic dashes and apostrophes
  // folded first).
  const std::string folded = text::FoldAccents(query);
  if (const char last = folded.empty() ? ' ' : folded.back();
      last == ' ' || last == '-' || last == '\'') {
    prefix += ' ';
  }

  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  if (!terms_complete_.load()) {
    PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
    PASIP_TRY(IndexMissingTerms(*c));
    PASIP_TRY(tx.Commit());
    terms_complete_ = true;
  }
  // Terms are compared byte by byte (COLLATE "C" on PostgreSQL): those starting with
  // `prefix` are at least `prefix` and below `prefix` followed by the last code point.
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query(std::string("SELECT ") + kCommuneColumns +
                         " FROM communes WHERE code IN (SELECT code FROM commune_terms WHERE "
                         "term >= ? AND term < ?) ORDER BY COALESCE(population, -1) DESC, code "
                         "LIMIT ?",
                     {prefix, prefix + "\U0010FFFF", limit}));
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(ToCommune(row));
  return out;
}

}  // namespace pasip::storage
