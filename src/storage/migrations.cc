#include "storage/migrations.h"

#include <algorithm>
#include <cctype>

#include "core/embedded.h"

namespace pasip::storage::embedded_migrations {
const std::vector<pasip::EmbeddedFile>& Files();
}

namespace pasip::storage {
namespace {

// The audit series keeps its version table beside the log: in schema `audit` on
// PostgreSQL (which the application role may read, not write), in the audit file on SQLite.
std::string VersionTable(Series series, Dialect dialect) {
  if (series == Series::kMain) return "schema_migrations";
  return dialect == Dialect::kPostgres ? "audit.schema_migrations" : "audit_schema_migrations";
}

std::string Prefix(Series series, Dialect dialect) {
  std::string prefix = dialect == Dialect::kSqlite ? "sqlite/" : "postgres/";
  prefix += series == Series::kMain ? "main/" : "audit/";
  return prefix;
}

Result<bool> TableExists(Connection& c, std::string_view table) {
  if (c.dialect() == Dialect::kPostgres) {
    PASIP_ASSIGN_OR_RETURN(
        row, c.QueryOne("SELECT CASE WHEN to_regclass(?) IS NULL THEN 0 ELSE 1 END", {table}));
    return row && row->Int(0) == 1;
  }
  PASIP_ASSIGN_OR_RETURN(
      row,
      c.QueryOne("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", {table}));
  return row && row->Int(0) > 0;
}

// Creates the version table only when missing, so that an application role without the
// right to create tables can start on a migrated database.
Status EnsureVersionTable(Connection& c, Series series) {
  const std::string table = VersionTable(series, c.dialect());
  PASIP_ASSIGN_OR_RETURN(exists, TableExists(c, table));
  if (exists) return Ok();
  std::string script;
  if (series == Series::kAudit && c.dialect() == Dialect::kPostgres) {
    script = "CREATE SCHEMA IF NOT EXISTS audit;\n";
  }
  script += "CREATE TABLE IF NOT EXISTS " + table +
            " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
  return c.ExecuteScript(script);
}

Result<int> ReadVersion(Connection& c, Series series) {
  PASIP_ASSIGN_OR_RETURN(row, c.QueryOne("SELECT COALESCE(MAX(version), 0) FROM " +
                                         VersionTable(series, c.dialect())));
  return row ? static_cast<int>(row->Int(0)) : 0;
}

}  // namespace

std::vector<Migration> MigrationsFor(Series series, Dialect dialect) {
  const std::string prefix = Prefix(series, dialect);
  std::vector<Migration> out;
  for (const EmbeddedFile& f : embedded_migrations::Files()) {
    if (f.path.substr(0, prefix.size()) != prefix) continue;
    const std::string_view file = f.path.substr(prefix.size());  // "0001_identity.sql"
    Migration m;
    m.version = std::stoi(std::string(file.substr(0, 4)));
    m.name = std::string(file.substr(5, file.size() - 5 - 4));
    m.sql = f.content;
    out.push_back(m);
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

int LatestVersion(Series series, Dialect dialect) {
  const auto all = MigrationsFor(series, dialect);
  return all.empty() ? 0 : all.back().version;
}

Result<int> CurrentVersion(Database& db, Series series) {
  PASIP_ASSIGN_OR_RETURN(conn, db.Acquire());
  PASIP_TRY(EnsureVersionTable(*conn, series));
  return ReadVersion(*conn, series);
}

Result<int> Migrate(Database& db, Series series) {
  PASIP_ASSIGN_OR_RETURN(conn, db.Acquire());
  PASIP_TRY(EnsureVersionTable(*conn, series));
  int applied = 0;
  for (const Migration& m : MigrationsFor(series, db.dialect())) {
    PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*conn));
    if (db.dialect() == Dialect::kPostgres) {
      // Serialises concurrent starts; released at commit.
      PASIP_TRY(conn->Query("SELECT pg_advisory_xact_lock(7012016)"));
    }
    PASIP_ASSIGN_OR_RETURN(current, ReadVersion(*conn, series));
    if (current >= m.version) continue;
    if (m.version != current + 1) {
      return Fail(FailedPrecondition("Migration manquante avant la version " +
                                     std::to_string(m.version) + "."));
    }
    auto done = conn->ExecuteScript(m.sql);
    if (!done) {
      return Fail(Internal("La migration " + std::to_string(m.version) + " (" + m.name +
                           ") a échoué : " + done.error().message));
    }
    PASIP_TRY(conn->Execute("INSERT INTO " + VersionTable(series, db.dialect()) +
                                " (version, name, applied_at) VALUES (?, ?, ?)",
                            {m.version, m.name, SystemClock().Now()}));
    PASIP_TRY(tx.Commit());
    ++applied;
  }
  PASIP_TRY(CheckSchema(db, series));
  return applied;
}

Status CheckSchema(Database& db, Series series) {
  PASIP_ASSIGN_OR_RETURN(current, CurrentVersion(db, series));
  const int latest = LatestVersion(series, db.dialect());
  if (current > latest) {
    return Fail(FailedPrecondition("Le schéma de la base (version " + std::to_string(current) +
                                   ") est plus récent que ce programme (version " +
                                   std::to_string(latest) +
                                   ") : installez la version de pasip qui l'a créé."));
  }
  if (current < latest) {
    return Fail(FailedPrecondition("La base n'est pas à jour (version " + std::to_string(current) +
                                   " sur " + std::to_string(latest) +
                                   ") : lancez « pasip migrate »."));
  }
  return Ok();
}

Status GrantApplicationRole(Database& db, std::string_view role) {
  if (db.dialect() != Dialect::kPostgres) return Ok();
  if (!IsSqlIdentifier(role) || role.size() >= 64) {
    return Fail(InvalidArgument("Nom de rôle PostgreSQL invalide.", "database.app_role"));
  }
  const std::string r(role);
  PASIP_ASSIGN_OR_RETURN(conn, db.Acquire());
  return conn->ExecuteScript(
      "GRANT USAGE ON SCHEMA public TO " + r +
      ";\nGRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r +
      ";\nGRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + r +
      ";\nGRANT USAGE ON SCHEMA audit TO " + r + ";\nGRANT SELECT, INSERT ON audit.log TO " + r +
      ";\nGRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO " + r +
      ";\nGRANT SELECT ON audit.schema_migrations TO " + r +
      ";\nGRANT EXECUTE ON FUNCTION audit.purge(BIGINT) TO " + r +
      // Tables and sequences that later migrations create in `public` are granted too.
      ";\nALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON "
      "TABLES TO " +
      r + ";\nALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO " + r +
      ";\n");
}

}  // namespace pasip::storage
