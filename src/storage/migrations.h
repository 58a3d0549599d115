// Versioned schema migrations, embedded in the binary, one series per database kind.
//
// Two series exist: "main" (business tables) and "audit" (the append-only audit log, in a
// separate SQLite file or the PostgreSQL schema `audit`). Each applied migration is
// recorded in its series' version table; each runs in its own transaction (PostgreSQL
// additionally takes an advisory lock so that several instances starting together apply
// it once). A database whose version is newer than the binary knows is refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/database.h"

namespace pasip::storage {

enum class Series { kMain, kAudit };

struct Migration {
  int version = 0;
  std::string name;
  std::string_view sql;
};

// Migrations of `series` for `dialect`, in version order.
std::vector<Migration> MigrationsFor(Series series, Dialect dialect);
int LatestVersion(Series series, Dialect dialect);

// The version recorded in the database (0 when none).
Result<int> CurrentVersion(Database& db, Series series);
// Applies what is missing; returns the number of migrations applied. Fails with
// kFailedPrecondition when the database is newer than this binary.
Result<int> Migrate(Database& db, Series series);
// Fails with kFailedPrecondition ("schéma plus récent…") when the database is newer than
// this binary, or when migrations are missing.
Status CheckSchema(Database& db, Series series);

// PostgreSQL only: gives `role` (the login role the application connects with) what it
// needs: all rights on the business tables, only INSERT and SELECT on audit.log, and the
// right to call audit.purge(). No-op on SQLite.
Status GrantApplicationRole(Database& db, std::string_view role);

}  // namespace pasip::storage
