#!/usr/bin/env bash
# Directory benchmark (issue 3 §7, see docs/benchmarks.md), one run of each measure:
#   1. `pasip import france-services` of the ANCT list (2 845 rows) into SQLite and PostgreSQL;
#   2. `pasip import data-inclusion` of a generated feed of 25 000 structures and 100 000
#      services (bench/directory/directory_bench.cc, deterministic) into SQLite and PostgreSQL;
#   3. DirectoryService::Search latency in-process at 100 000 services, on both databases
#      (`pasip_directory_bench search`: 12 query kinds, p50/p90/p99);
#   4. GET /api/v1/services?commune=35238&rayon_km=30&thematiques=… with wrk against
#      `pasip serve --threads 2` (SQLite, 100 000 services) and against nginx serving pasip's
#      answer as a static file, same run;
#   5. the server's memory (VmRSS, VmHWM of /proc/PID/status) after the wrk run.
# Import times are the wall time of the whole `pasip import` process (start-up and
# migrations included); the communes are imported first, untimed.
#
# PostgreSQL: when PASIP_TEST_PG_ADMIN_URL is unset, the script runs itself again under
# scripts/with-postgres.sh (a throwaway server: fsync and synchronous_commit off); it creates
# its two databases and drops them at the end. Without PostgreSQL 15 the PostgreSQL lines
# are skipped with a message.
#
# Writes build/bench-results/directory.md (and prints it); raw outputs in
# build/bench-results/directory/. Only 127.0.0.1 is contacted; every process it starts and
# its temporary folder are removed on exit. Builds nothing: expects build/bin/pasip and
# build/bin/pasip_directory_bench (`make`), wrk, nginx and curl (bench/run.sh installs them).
# Skipped with a message when ../shared/data is absent.
#
# Environment: PASIP_BIN, PASIP_DIRECTORY_BENCH_BIN, BENCH_DIR_DATA (../shared/data),
# BENCH_DIR_QUERIES (1000 timed queries per kind), BENCH_DIR_WARMUP (100),
# BENCH_DIR_KIND_SECONDS (10: time limit of one kind's timed queries), BENCH_DURATION (10s),
# BENCH_CONNECTIONS (64), BENCH_DIR_NO_POSTGRES=1 (SQLite only).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

pasip_bin=${PASIP_BIN:-$root/build/bin/pasip}
bench_bin=${PASIP_DIRECTORY_BENCH_BIN:-$root/build/bin/pasip_directory_bench}
data=${BENCH_DIR_DATA:-$root/../shared/data}
queries=${BENCH_DIR_QUERIES:-1000}
warmup=${BENCH_DIR_WARMUP:-100}
kind_seconds=${BENCH_DIR_KIND_SECONDS:-10}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
results_dir=$root/build/bench-results
raw=$results_dir/directory
report=$results_dir/directory.md

communes_csv=$data/communes/communes_cog2026_coords_laposte.csv
fs_csv=$data/services/france_services_liste-fs-20240801.csv
hours_txt=$data/opening_hours/hinaura_horaires_osm_617.txt
for f in "$communes_csv" "$fs_csv" "$hours_txt"; do
  if [ ! -f "$f" ]; then
    echo "bench annuaire : $f absent (dossier shared/ non disponible), banc d'essai ignoré." >&2
    exit 0
  fi
done
for b in "$pasip_bin" "$bench_bin"; do
  [ -x "$b" ] || { echo "bench annuaire : $b introuvable ; construisez d'abord avec « make »." >&2; exit 1; }
done
nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || [ ! -x /usr/sbin/nginx ] || nginx_bin=/usr/sbin/nginx
for tool in wrk curl; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "bench annuaire : $tool introuvable ; lancez bench/run.sh (qui installe wrk, nginx et curl) ou « apt-get install wrk nginx-light curl »." >&2
    exit 1
  }
done
[ -n "$nginx_bin" ] || {
  echo "bench annuaire : nginx introuvable ; lancez bench/run.sh ou « apt-get install nginx-light »." >&2
  exit 1
}

# --- PostgreSQL: a throwaway server unless one was given --------------------------------------
pg_bin=${PASIP_PG_BIN:-/usr/lib/postgresql/15/bin}
if [ -z "${PASIP_TEST_PG_ADMIN_URL:-}" ] && [ -z "${BENCH_DIR_NO_POSTGRES:-}" ]; then
  if [ -x "$pg_bin/initdb" ] && [ -z "${BENCH_DIR_WRAPPED:-}" ]; then
    status=0
    BENCH_DIR_WRAPPED=1 scripts/with-postgres.sh "$root/bench/directory/run.sh" "$@" || status=$?
    exit "$status"
  fi
  echo "bench annuaire : PostgreSQL 15 absent ($pg_bin), mesures sur SQLite seulement." >&2
fi
pg_admin=${PASIP_TEST_PG_ADMIN_URL:-}
[ -z "${BENCH_DIR_NO_POSTGRES:-}" ] || pg_admin=
psql_bin=$(command -v psql || echo "$pg_bin/psql")

# --- temporary folder, processes and databases, all removed on exit ---------------------------
tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx workers may run as another user and must read the static file
pids=()
pg_databases=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for db in "${pg_databases[@]}"; do
    "$psql_bin" -X -q -d "$pg_admin" -c "DROP DATABASE IF EXISTS $db" </dev/null >/dev/null 2>&1 || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$raw"
rm -f "$raw"/*.txt "$raw"/*.md "$raw"/*.json
now() { date +%s%N; }
script_start=$(now)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
seconds() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e9 }'; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", (ns > 0 ? n / (ns / 1e9) : 0) }'; }
# 125000 → "125 000", as in the rest of docs/benchmarks.md.
group() { sed -E ':a; s/([0-9])([0-9]{3})($|[^0-9])/\1 \2\3/; ta' <<<"$1"; }

engines=(sqlite)
declare -A fs_url big_url
fs_url[sqlite]="sqlite://$tmp/fs.db"
big_url[sqlite]="sqlite://$tmp/big.db"
if [ -n "$pg_admin" ]; then
  # Two databases of our own on the server, dropped on exit.
  engines+=(postgresql)
  for name in fs big; do
    pg_databases+=("pasip_bench_dir_${name}_$$")
    "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$pg_admin" \
      -c "CREATE DATABASE pasip_bench_dir_${name}_$$" </dev/null >/dev/null
  done
  fs_url[postgresql]="${pg_admin%/*}/pasip_bench_dir_fs_$$"
  big_url[postgresql]="${pg_admin%/*}/pasip_bench_dir_big_$$"
fi

# --- the generated feed -----------------------------------------------------------------------
echo "bench annuaire : génération de 25 000 structures et 100 000 services" >&2
t0=$(now)
"$bench_bin" generate --communes "$communes_csv" --hours "$hours_txt" --out "$tmp/gen" \
  >"$raw/generate.txt"
generate_ns=$(($(now) - t0))
gen_bytes=$(($(stat -c %s "$tmp/gen/structures.json") + $(stat -c %s "$tmp/gen/services.json")))

# --- imports ----------------------------------------------------------------------------------
# import_run NAME URL ARGS…: times `pasip import ARGS --database URL`; exit 0 or 3 (rejects)
# accepted; echoes the nanoseconds. Output in $raw/import-NAME.txt.
import_run() {
  local name=$1 url=$2 t0 status=0
  shift 2
  t0=$(now)
  "$pasip_bin" import "$@" --database "$url" >"$raw/import-$name.txt" 2>&1 || status=$?
  local ns=$(($(now) - t0))
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    echo "bench annuaire : pasip import $* a échoué ($status) :" >&2
    tail -20 "$raw/import-$name.txt" >&2
    exit 1
  fi
  echo "$ns"
}
# counts NAME: "N + M créés, K + L mis à jour" (structures + services) from an import's
# summary lines ("Structures : 2 845 lues, 2 845 créées, 0 mises à jour.").
counts() {
  awk '/^(Structures|Services) : / {
         gsub(/ /, "", $0); split($0, f, /[:,]/)
         c[++n] = f[3] + 0; u[n] = f[4] + 0
       }
       END { printf "%d + %d créés, %d + %d mis à jour", c[1], c[2], u[1], u[2] }' "$raw/import-$1.txt"
}
rows_read() {  # rows read (structures + services) by an import
  awk '/^(Structures|Services) : / { gsub(/ /, "", $0); split($0, f, /[:,]/); n += f[2] + 0 }
       END { print n + 0 }' "$raw/import-$1.txt"
}
rejects() {
  sed -nE 's/^Lignes refusées : ([0-9 ]+) ; alertes : ([0-9 ]+)\./\1/p' "$raw/import-$1.txt" | tr -d ' '
}
warnings() {
  sed -nE 's/^Lignes refusées : ([0-9 ]+) ; alertes : ([0-9 ]+)\./\2/p' "$raw/import-$1.txt" | tr -d ' '
}

declare -A fs_ns big_ns communes_ns
for engine in "${engines[@]}"; do
  for url in "${fs_url[$engine]}" "${big_url[$engine]}"; do
    echo "bench annuaire : communes dans $engine" >&2
    t0=$(now)
    "$pasip_bin" import communes "$communes_csv" --database "$url" >"$raw/communes-$engine.txt" 2>&1
    communes_ns[$engine]=$(($(now) - t0))
  done
  echo "bench annuaire : import france-services ($engine)" >&2
  fs_ns[$engine]=$(import_run "fs-$engine" "${fs_url[$engine]}" france-services "$fs_csv")
  echo "bench annuaire : import data-inclusion de 125 000 lignes ($engine)" >&2
  big_ns[$engine]=$(import_run "big-$engine" "${big_url[$engine]}" data-inclusion \
    --structures "$tmp/gen/structures.json" --services "$tmp/gen/services.json")
  [ "$(rejects "big-$engine")" = 0 ] || {
    echo "bench annuaire : des lignes générées ont été refusées ($engine), voir $raw/import-big-$engine.txt" >&2
    exit 1
  }
done

# --- in-process search ------------------------------------------------------------------------
declare -A search_file
pg_analyzed=
for engine in "${engines[@]}"; do
  echo "bench annuaire : recherche dans le processus ($engine)" >&2
  if [ "$engine" = postgresql ]; then
    # Whether autovacuum has analysed the imported tables yet: the plans depend on it.
    pg_analyzed=$("$psql_bin" -X -A -t -d "${big_url[postgresql]}" -c \
      "SELECT coalesce(greatest(last_analyze, last_autoanalyze)::text, 'jamais') FROM pg_stat_user_tables WHERE relname = 'services'" </dev/null)
  fi
  search_file[$engine]=$raw/search-$engine.md
  "$bench_bin" search --database "${big_url[$engine]}" --queries "$queries" --warmup "$warmup" \
    --max-seconds "$kind_seconds" >"${search_file[$engine]}"
done

# --- HTTP: pasip against nginx serving pasip's answer -----------------------------------------
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench annuaire : aucun port libre trouvé" >&2
  return 1
}

"$pasip_bin" serve --database "${big_url[sqlite]}" --listen 127.0.0.1:0 --threads 2 \
  >"$tmp/pasip.log" 2>&1 &
pids+=($!)
pasip_pid=${pids[-1]}
pasip_url=
for _ in $(seq 1 300); do
  pasip_url=$(grep -oE 'http://127\.0\.0\.1:[1-9][0-9]*' "$tmp/pasip.log" | head -1 || true)
  [ -z "$pasip_url" ] || break
  kill -0 "$pasip_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$pasip_url" ] || { echo "bench annuaire : pasip n'a pas démarré :" >&2; cat "$tmp/pasip.log" >&2; exit 1; }
memory() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pasip_pid/status"; }  # kB
rss_start=$(memory VmRSS)

path=/api/v1/services
query="commune=35238&rayon_km=30&thematiques=equipement-et-alimentation--alimentation"
www=$tmp/www
mkdir -p "$www/api/v1" "$tmp/nginx/tmp"
code=$(curl -sS -o "$www$path" -w '%{http_code}' "$pasip_url$path?$query")
[ "$code" = 200 ] || { echo "bench annuaire : GET $path?$query a répondu $code" >&2; exit 1; }
chmod -R a+rX "$www"
body_bytes=$(stat -c %s "$www$path")
items=$(grep -o '"distance_km"' "$www$path" | wc -l)
cp "$www$path" "$raw/answer.json"

nginx_port=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $tmp/nginx/tmp/body;
  proxy_temp_path $tmp/nginx/tmp/proxy;
  fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
  uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
  scgi_temp_path $tmp/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $www;
    location = $path { types { } default_type application/json; }
  }
}
EOF
"$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" \
  >"$tmp/nginx.log" 2>&1 &
pids+=($!)
nginx_url=http://127.0.0.1:$nginx_port
for _ in $(seq 1 50); do
  curl -s -o /dev/null "$nginx_url$path" && break
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$tmp/nginx.log" "$tmp/nginx/error.log" >&2; exit 1; }
  sleep 0.1
done
cmp -s "$www$path" <(curl -sS "$nginx_url$path?$query") || {
  echo "bench annuaire : nginx ne sert pas la réponse de pasip" >&2
  exit 1
}

measure() {  # measure NAME URL: the BENCH line of wrk's report.lua
  local out="$raw/wrk-$1.txt"
  wrk -t2 -c"$connections" -d"$duration" --timeout 5s --latency -s "$root/bench/report.lua" \
    "$2" >"$out" 2>&1
  grep '^BENCH ' "$out" | tail -1
}
field() { sed -nE "s/.*[[:space:]]$1=([^[:space:]]+).*/\\1/p" <<<"$2"; }
errors() {
  echo "$(($(field connect "$1") + $(field read "$1") + $(field write "$1") + $(field timeout "$1") + $(field status "$1")))"
}
echo "bench annuaire : échauffement HTTP" >&2
wrk -t2 -c"$connections" -d2s "$pasip_url$path?$query" >/dev/null
wrk -t2 -c"$connections" -d2s "$nginx_url$path?$query" >/dev/null
echo "bench annuaire : wrk $duration, $connections connexions, pasip puis nginx" >&2
p=$(measure pasip "$pasip_url$path?$query")
n=$(measure nginx "$nginx_url$path?$query")
if [ -z "$p" ] || [ -z "$n" ]; then
  echo "bench annuaire : wrk n'a pas produit de résultat (voir $raw)" >&2
  exit 1
fi
rss_after=$(memory VmRSS)
hwm_after=$(memory VmHWM)
ratio=$(awk -v a="$(field rps "$p")" -v b="$(field rps "$n")" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')

# --- report -----------------------------------------------------------------------------------
mib() { awk -v kb="$1" 'BEGIN { printf "%.0f", kb / 1024 }'; }
fs_rows=$(awk '/^Structures : / { gsub(/ /, "", $0); split($0, f, /[:,]/); print f[2] + 0 }' \
  "$raw/import-fs-sqlite.txt")
{
  echo "# Annuaire : imports, recherche, HTTP, mémoire"
  echo
  echo "$(nproc) cœurs ($(sed -nE 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -sr), $(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 / 1024)) Gio ; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') (arbre de travail non validé compris) ; SQLite $(pkg-config --modversion sqlite3 2>/dev/null || echo '?'), $("$pg_bin/postgres" --version 2>/dev/null || echo 'PostgreSQL absent'), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $("$nginx_bin" -v 2>&1)."
  echo
  echo "Charge moyenne (1, 5, 15 min) au début : $load_start ; à la fin : $(cut -d' ' -f1-3 /proc/loadavg). Durée totale du script : $(seconds $(($(now) - script_start))) s."
  echo
  echo "## 1–2. Imports (temps réel du processus \`pasip import\`)"
  echo
  echo "| import | base | durée | lignes/s | enregistrements/s | résultat |"
  echo "|---|---|---:|---:|---:|---|"
  for engine in "${engines[@]}"; do
    ns=${fs_ns[$engine]}
    echo "| France services ($(group "$fs_rows") lignes CSV → $(group "$fs_rows") structures + $(group "$fs_rows") services) | $engine | $(seconds "$ns") s | $(group "$(rate "$fs_rows" "$ns")") | $(group "$(rate $((2 * fs_rows)) "$ns")") | $(counts "fs-$engine"), $(rejects "fs-$engine") refus, $(warnings "fs-$engine") alertes |"
  done
  for engine in "${engines[@]}"; do
    ns=${big_ns[$engine]}
    rows=$(rows_read "big-$engine")
    echo "| généré ($(group "$rows") objets JSON : 25 000 structures + 100 000 services) | $engine | $(seconds "$ns") s | $(group "$(rate "$rows" "$ns")") | $(group "$(rate "$rows" "$ns")") | $(counts "big-$engine"), $(rejects "big-$engine") refus, $(warnings "big-$engine") alertes |"
  done
  echo
  echo "Génération du flux (hors import) : $(seconds "$generate_ns") s, $(group "$((gen_bytes / 1024 / 1024))") Mio de JSON. Import préalable des communes (non compté) : $(for e in "${engines[@]}"; do printf '%s %s s ; ' "$e" "$(seconds "${communes_ns[$e]}")"; done)"
  echo
  for engine in "${engines[@]}"; do
    echo "## 3. Recherche dans le processus, 100 000 services, $engine"
    echo
    [ "$engine" != postgresql ] || {
      echo "Dernière analyse de la table services (ANALYZE ou autovacuum) avant la mesure : $pg_analyzed."
      echo
    }
    cat "${search_file[$engine]}"
    echo
  done
  echo "## 4. HTTP : pasip contre nginx (même réponse, même passage)"
  echo
  echo "\`GET $path?$query\` : $(group "$body_bytes") octets, $items résultats ; wrk -t2 -c$connections -d$duration --timeout 5s après 2 s d'échauffement de chaque serveur ; pasip --threads 2 sur SQLite ; nginx worker_processes 2, access_log off."
  echo
  echo "| serveur | req/s | p50 | p90 | p99 | erreurs |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "| pasip | $(field rps "$p") | $(field p50_ms "$p") ms | $(field p90_ms "$p") ms | $(field p99_ms "$p") ms | $(errors "$p") |"
  echo "| nginx (fichier statique) | $(field rps "$n") | $(field p50_ms "$n") ms | $(field p90_ms "$n") ms | $(field p99_ms "$n") ms | $(errors "$n") |"
  echo
  echo "Rapport pasip/nginx : **$ratio** (cible ≥ 0,5)."
  echo
  echo "## 5. Mémoire du serveur (100 000 services)"
  echo
  echo "| moment | VmRSS | VmHWM |"
  echo "|---|---:|---:|"
  echo "| après le démarrage | $(mib "$rss_start") Mio | |"
  echo "| après wrk | $(mib "$rss_after") Mio | $(mib "$hwm_after") Mio |"
  echo
  echo "Sorties brutes : build/bench-results/directory/."
} >"$report"
cat "$report"
