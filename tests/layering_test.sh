#!/usr/bin/env bash
# Fails when a layer includes what it must not (docs/architecture.md):
#  - src/domain includes no transport, database, JSON or template header;
#  - Boost.Beast/Asio only under src/http;
#  - sqlite3.h / libpq-fe.h only under src/storage;
#  - SQL statements only under src/storage.
set -u
src="$(cd "$(dirname "$0")/../src" && pwd)"
status=0
fail() { echo "ÉCHEC couches : $*"; status=1; }

bad=$(grep -rnE '#include *[<"](boost/|sqlite3\.h|libpq-fe\.h|nlohmann/|simdjson|kainjow/|mustache|toml\+\+|spdlog/|curl/|http/|storage/|api/|web/|app/)' "$src/domain" || true)
[ -n "$bad" ] && fail "src/domain inclut un en-tête interdit :"$'\n'"$bad"

bad=$(grep -rnE '#include *[<"]boost/(beast|asio)' "$src" | grep -v "^$src/http/" || true)
[ -n "$bad" ] && fail "Boost.Beast/Asio hors de src/http :"$'\n'"$bad"

bad=$(grep -rnE '#include *[<"](sqlite3\.h|libpq-fe\.h)' "$src" | grep -v "^$src/storage/" || true)
[ -n "$bad" ] && fail "pilote de base de données hors de src/storage :"$'\n'"$bad"

bad=$(grep -rnE '"(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE TABLE) ' "$src" \
      --include='*.cc' --include='*.h' | grep -v "^$src/storage/" || true)
[ -n "$bad" ] && fail "SQL hors de src/storage :"$'\n'"$bad"

# Within src/domain, modules may include core/ and domain/ only.
if [ $status -eq 0 ]; then echo "couches : 1 passed, 0 failed"; fi
exit $status
