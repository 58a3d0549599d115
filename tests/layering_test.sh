#!/usr/bin/env bash
# Fails when a layer includes what it must not (docs/architecture.md):
#  - src/core includes nothing of pasip but core/;
#  - src/domain includes only core/ and domain/, and no transport, database, JSON,
#    template, configuration or logging header;
#  - Boost.Beast/Asio only under src/http;
#  - sqlite3.h / libpq-fe.h, and SQL statements, only under src/storage;
#  - libcurl only under src/mail.
# Usage: layering_test.sh [SRC_DIR] (default: the project's src/).
set -u
src="${1:-$(cd "$(dirname "$0")/../src" && pwd)}"
status=0
fail() { echo "ÉCHEC couches : $*"; status=1; }
pasip_dirs='core|domain|storage|http|api|web|jobs|mail|app|server|cli'

bad=$(grep -rnE "#include *\"($pasip_dirs)/" "$src/core" | grep -vE '#include *"core/' || true)
[ -n "$bad" ] && fail "src/core inclut une autre couche :"$'\n'"$bad"

bad=$(grep -rnE "#include *\"($pasip_dirs)/" "$src/domain" | grep -vE '#include *"(core|domain)/' || true)
[ -n "$bad" ] && fail "src/domain inclut une couche supérieure :"$'\n'"$bad"

bad=$(grep -rnE '#include *[<"](boost/|sqlite3\.h|libpq-fe\.h|nlohmann/|simdjson|kainjow/|mustache|toml\+\+|spdlog/|curl/|uriparser/|CLI/)' "$src/domain" || true)
[ -n "$bad" ] && fail "src/domain inclut un en-tête de transport, base, JSON ou gabarit :"$'\n'"$bad"

bad=$(grep -rnE '#include *[<"]boost/(beast|asio)' "$src" | grep -v "^$src/http/" || true)
[ -n "$bad" ] && fail "Boost.Beast/Asio hors de src/http :"$'\n'"$bad"

bad=$(grep -rnE '#include *[<"](sqlite3\.h|libpq-fe\.h)' "$src" | grep -v "^$src/storage/" || true)
[ -n "$bad" ] && fail "pilote de base de données hors de src/storage :"$'\n'"$bad"

bad=$(grep -rnE '#include *[<"]curl/' "$src" | grep -v "^$src/mail/" || true)
[ -n "$bad" ] && fail "libcurl hors de src/mail :"$'\n'"$bad"

bad=$(grep -rnE '"(SELECT|INSERT INTO|UPDATE [a-z_.]+ SET|DELETE FROM|CREATE TABLE) ' "$src" \
      --include='*.cc' --include='*.h' | grep -v "^$src/storage/" || true)
[ -n "$bad" ] && fail "SQL hors de src/storage :"$'\n'"$bad"

if [ $status -eq 0 ]; then echo "couches : 1 passed, 0 failed"; fi
exit $status
