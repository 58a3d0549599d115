#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 server, then removes it.
#
#   scripts/with-postgres.sh ctest --test-dir build --output-on-failure
#
# The server lives in a fresh temporary directory, listens on 127.0.0.1 only, on the first
# free port from 54320, and trusts local connections (tests only). The command sees
#   PASIP_TEST_PG_URL        postgresql://postgres@127.0.0.1:PORT/pasip_test
#   PASIP_TEST_PG_ADMIN_URL  postgresql://postgres@127.0.0.1:PORT/postgres
# The server is stopped and its directory deleted whatever happens; the script exits with
# the command's status. PostgreSQL refuses to run as root: as root, the server runs as the
# system user pasip-test (created by scripts/setup.sh). Needs no terminal (CI=true is fine).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage : $0 COMMANDE [ARGUMENTS…]" >&2
  exit 2
fi

pg_bin="${PASIP_PG_BIN:-/usr/lib/postgresql/15/bin}"
for tool in initdb pg_ctl psql; do
  if [ ! -x "$pg_bin/$tool" ]; then
    echo "with-postgres : $pg_bin/$tool introuvable (paquet postgresql-15 installé ?)" >&2
    exit 2
  fi
done

as_server_user=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id pasip-test >/dev/null 2>&1; then
    echo "with-postgres : l'utilisateur système pasip-test manque (lancez scripts/setup.sh)" >&2
    exit 2
  fi
  as_server_user=(runuser -u pasip-test --)
fi

data_dir="$(mktemp -d "${TMPDIR:-/tmp}/pasip-pg.XXXXXXXX")"
log_file="$data_dir.log"
started=0

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local status=$?
  if [ "$started" -eq 1 ]; then
    "${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$data_dir/data" -m immediate stop \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$data_dir" "$log_file"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" -eq 0 ]; then
  chown pasip-test: "$data_dir"
  touch "$log_file"
  chown pasip-test: "$log_file"
fi

"${as_server_user[@]}" "$pg_bin/initdb" -D "$data_dir/data" -U postgres --auth=trust \
  -E UTF8 --locale=C.UTF-8 --no-sync >"$log_file" 2>&1 || {
  cat "$log_file" >&2
  echo "with-postgres : initdb a échoué" >&2
  exit 1
}

# The first port from 54320 that nobody listens on. Another run may take it between the
# probe and the start: then pg_ctl fails and we try the next one.
port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

port=54320
attempts=0
while :; do
  while ! port_is_free "$port"; do port=$((port + 1)); done
  # The Unix socket goes in the data directory, so no system directory is needed.
  if "${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$data_dir/data" -l "$log_file" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data_dir -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off" start >/dev/null 2>&1 </dev/null; then
    started=1
    break
  fi
  attempts=$((attempts + 1))
  if [ "$attempts" -ge 5 ]; then
    cat "$log_file" >&2
    echo "with-postgres : le serveur PostgreSQL n'a pas démarré" >&2
    exit 1
  fi
  port=$((port + 1))
done

admin_url="postgresql://postgres@127.0.0.1:$port/postgres"
"$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$admin_url" -c "CREATE DATABASE pasip_test" \
  </dev/null >/dev/null

export PASIP_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/pasip_test"
export PASIP_TEST_PG_ADMIN_URL="$admin_url"

# Not `exec`: the trap must still stop the server. `|| status=$?` keeps set -e from exiting.
status=0
"$@" || status=$?
exit "$status"
