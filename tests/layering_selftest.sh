#!/usr/bin/env bash
# Proves that layering_test.sh fails on each kind of violation (so that its success on the
# real tree means something), and passes on a clean tree.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

tree() {  # a clean miniature of src/
  rm -rf "$work/src"
  mkdir -p "$work/src"/{core,domain/x,storage,http,api,mail}
  echo '#include "core/result.h"' >"$work/src/domain/x/x.h"
  echo '#include "domain/x/x.h"' >"$work/src/storage/repo.cc"
  echo '#include <boost/beast.hpp>' >"$work/src/http/server.cc"
  echo 'auto q = "SELECT id FROM t";' >"$work/src/storage/repo.cc"
  echo '#include <curl/curl.h>' >"$work/src/mail/smtp.cc"
}

expect() {  # expect pass|fail DESCRIPTION
  if "$here/layering_test.sh" "$work/src" >/dev/null 2>&1; then got=pass; else got=fail; fi
  if [ "$got" = "$1" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "ÉCHEC : $2 (attendu $1, obtenu $got)"
  fi
}

tree; expect pass "arbre propre"
tree; echo '#include <nlohmann/json.hpp>' >>"$work/src/domain/x/x.h"; expect fail "JSON dans domain"
tree; echo '#include "storage/database.h"' >>"$work/src/domain/x/x.h"; expect fail "storage dans domain"
tree; echo '#include "domain/x/x.h"' >>"$work/src/core/c.h"; expect fail "domain dans core"
tree; echo '#include <boost/asio.hpp>' >"$work/src/api/a.cc"; expect fail "Asio hors de http"
tree; echo '#include <sqlite3.h>' >"$work/src/api/a.cc"; expect fail "sqlite3.h hors de storage"
tree; echo 'auto q = "DELETE FROM users WHERE id = ?";' >"$work/src/api/a.cc"; expect fail "SQL hors de storage"
tree; echo '#include <curl/curl.h>' >"$work/src/api/a.cc"; expect fail "curl hors de mail"
tree; echo '#include "mail/smtp.h"' >>"$work/src/domain/x/x.h"; expect fail "mail dans domain"

# The SQL concatenation check (security.md S11) on the same miniature tree.
expect_sql() {
  if "$here/sql_concatenation_test.sh" "$work/src" >/dev/null 2>&1; then got=pass; else got=fail; fi
  if [ "$got" = "$1" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "ÉCHEC : $2 (attendu $1, obtenu $got)"
  fi
}
tree
printf '%s\n' 'auto r = c->Query(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?",' \
  '                    {id});' >"$work/src/storage/repo.cc"
expect_sql pass "colonnes constantes et valeur liée"
printf '%s\n' 'auto r = c->Query("SELECT id FROM users WHERE name = '"'"'" + name + "'"'"'");' \
  >>"$work/src/storage/repo.cc"
expect_sql fail "valeur collée dans le SQL"

# The NIR schema check (security.md S14).
mkdir -p "$work/migrations"
printf 'CREATE TABLE people (\n  id INTEGER PRIMARY KEY,\n  display_name TEXT\n);\n' \
  >"$work/migrations/0001_people.sql"
if "$here/schema_test.sh" "$work/migrations" >/dev/null 2>&1; then passed=$((passed + 1)); else
  failed=$((failed + 1)); echo "ÉCHEC : schéma sans NIR refusé"; fi
printf 'ALTER TABLE people ADD COLUMN\n  nir TEXT;\n' >"$work/migrations/0002_nir.sql"
if "$here/schema_test.sh" "$work/migrations" >/dev/null 2>&1; then
  failed=$((failed + 1)); echo "ÉCHEC : colonne nir acceptée"; else passed=$((passed + 1)); fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
