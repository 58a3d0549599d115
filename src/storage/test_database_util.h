// For tests that run on the throwaway PostgreSQL server of `make test` (PASIP_TEST_PG_URL):
// a database of their own beside the storage tests' one, and a schema reset. Header only;
// the SQL stays in src/storage. Not for production code.
#pragma once

#include <cctype>
#include <string>

#include "core/result.h"
#include "storage/database.h"

namespace pasip::storage::testing {

// "<base URL's database>_<suffix>" on the same server, created when missing; answers its URL.
inline Result<std::string> OwnTestDatabase(const std::string& base, const std::string& suffix) {
  const std::size_t slash = base.rfind('/');
  if (slash == std::string::npos) {
    return Fail(InvalidArgument("L'adresse PostgreSQL de test ne nomme pas de base."));
  }
  const std::string name = base.substr(slash + 1) + "_" + suffix;
  for (char ch : name) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')) {
      return Fail(InvalidArgument("Nom de base de test invalide : " + name));
    }
  }
  PASIP_ASSIGN_OR_RETURN(db, OpenDatabase(base));
  PASIP_ASSIGN_OR_RETURN(c, db->Acquire());
  PASIP_ASSIGN_OR_RETURN(found,
                         c->QueryOne("SELECT 1 FROM pg_database WHERE datname = ?", {Value(name)}));
  if (!found) PASIP_TRY(c->ExecuteScript("CREATE DATABASE " + name));
  return base.substr(0, slash + 1) + name;
}

// Empties the database: the main and audit schemas are dropped, public recreated.
inline Status ResetSchemas(const std::string& url) {
  PASIP_ASSIGN_OR_RETURN(db, OpenDatabase(url));
  PASIP_ASSIGN_OR_RETURN(c, db->Acquire());
  return c->ExecuteScript(
      "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; "
      "DROP SCHEMA IF EXISTS audit CASCADE;");
}

}  // namespace pasip::storage::testing
