#include "storage/territory_repository.h"

#include <map>
#include <set>
#include <unordered_set>

namespace pasip::storage {
namespace {

using territory::Commune;

constexpr char kCommuneColumns[] =
    "code, name, departement, region, epci, population, latitude, longitude, kind";
constexpr std::size_t kCommuneColumnCount = 9;
// Rows per INSERT: few round trips, and well under both databases' parameter limits.
constexpr std::size_t kBatchRows = 200;

// "INSERT … VALUES (?, …), (?, …) ON CONFLICT (code) DO UPDATE …" for `rows` rows, from
// literals only.
std::string UpsertSql(std::size_t rows) {
  std::string sql = std::string("INSERT INTO communes (") + kCommuneColumns + ") VALUES ";
  for (std::size_t i = 0; i < rows; ++i) {
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }
  // A value the source lacks (NULL) keeps the stored one: decoupage-administratif has no
  // coordinates, the CSV no EPCI, and importing one must not erase what another gave.
  sql +=
      " ON CONFLICT (code) DO UPDATE SET name = excluded.name, departement = "
      "excluded.departement, region = excluded.region, epci = COALESCE(excluded.epci, "
      "communes.epci), population = COALESCE(excluded.population, communes.population), "
      "latitude = COALESCE(excluded.latitude, communes.latitude), longitude = "
      "COALESCE(excluded.longitude, communes.longitude), kind = excluded.kind";
  return sql;
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
  return c;
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
        c->Execute("INSERT INTO departements (code, region) VALUES (?, ?) ON CONFLICT (code) DO "
                   "UPDATE SET region = excluded.region",
                   {code, region}));
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

}  // namespace pasip::storage
