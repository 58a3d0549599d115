#!/usr/bin/env bash
# Reception benchmark (issue 4 §7, see docs/benchmarks.md), on SQLite and PostgreSQL:
#   1. durable passage writes/s: N threads, one CreatePassage per transaction, against a
#      reference measured in the same run (one INSERT of one row of similar width per
#      transaction through the same Database API); SQLite in WAL with synchronous=FULL
#      (the driver's setting, printed), PostgreSQL with fsync and synchronous_commit on;
#   2. person search latency: FindByKeys with the keys of a name (matching.h KeysForSearch),
#      PASIP_BENCH_PERSONS persons (default 1 000 000, bulk-loaded);
#   3. timeline latency: ListPassages of one person, limit 50, PASIP_BENCH_PASSAGES passages
#      (default 10 000 000, bulk-loaded, 60 % named).
#
# PostgreSQL: a throwaway PostgreSQL 15 server of our own with its durable defaults (unlike
# scripts/with-postgres.sh, which turns fsync off for tests), in a temporary folder under
# build/ (on the disk, not a tmpfs), stopped and removed on exit. As root it runs as the
# system user pasip-test (scripts/setup.sh). Without PostgreSQL 15 only SQLite is measured.
#
# Writes build/bench-results/reception.md (and prints it); raw outputs in
# build/bench-results/reception/. Builds nothing: expects build/bin/pasip_reception_bench
# (`/tmp/nj pasip_reception_bench` or `make`).
#
# Environment: PASIP_BENCH_PERSONS, PASIP_BENCH_PASSAGES, BENCH_RX_THREADS (4),
# BENCH_RX_SECONDS (10 per write measure), BENCH_RX_QUERIES (1000), BENCH_RX_NO_POSTGRES=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

bench_bin=${PASIP_RECEPTION_BENCH_BIN:-$root/build/bin/pasip_reception_bench}
persons=${PASIP_BENCH_PERSONS:-1000000}
passages=${PASIP_BENCH_PASSAGES:-10000000}
threads=${BENCH_RX_THREADS:-4}
seconds=${BENCH_RX_SECONDS:-10}
queries=${BENCH_RX_QUERIES:-1000}
results_dir=$root/build/bench-results
raw=$results_dir/reception
report=$results_dir/reception.md
[ -x "$bench_bin" ] || {
  echo "bench accueil : $bench_bin introuvable ; construisez-le d'abord (pasip_reception_bench)." >&2
  exit 1
}

tmp=$(mktemp -d "$root/build/reception-bench.XXXXXX")
chmod 755 "$tmp"
pg_bin=${PASIP_PG_BIN:-/usr/lib/postgresql/15/bin}
as_server_user=()
[ "$(id -u)" -ne 0 ] || as_server_user=(runuser -u pasip-test --)
pg_started=0
cleanup() {
  if [ "$pg_started" -eq 1 ]; then
    "${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$raw"
rm -f "$raw"/*.txt

engines=(sqlite)
declare -A write_url data_url
write_url[sqlite]="sqlite://$tmp/writes.db"
data_url[sqlite]="sqlite://$tmp/data.db"
if [ -z "${BENCH_RX_NO_POSTGRES:-}" ] && [ -x "$pg_bin/initdb" ]; then
  if [ "$(id -u)" -eq 0 ]; then chown pasip-test: "$tmp"; fi
  "${as_server_user[@]}" "$pg_bin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$raw/initdb.txt" 2>&1
  port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  # Durable defaults (fsync, synchronous_commit, full_page_writes on); a little more memory
  # than the defaults, as any deployment would give.
  "${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c shared_buffers=256MB \
-c max_wal_size=4GB -c max_connections=50" start >/dev/null </dev/null
  pg_started=1
  for name in writes data; do
    "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -d "postgresql://postgres@127.0.0.1:$port/postgres" \
      -c "CREATE DATABASE bench_$name" </dev/null >/dev/null
  done
  engines+=(postgresql)
  write_url[postgresql]="postgresql://postgres@127.0.0.1:$port/bench_writes"
  data_url[postgresql]="postgresql://postgres@127.0.0.1:$port/bench_data"
else
  echo "bench accueil : PostgreSQL 15 absent ou écarté, mesures sur SQLite seulement." >&2
fi

field() { sed -nE "s/.*(^|[[:space:]])$1=([^[:space:]]+).*/\\2/p" <<<"$2"; }
group() { sed -E ':a; s/([0-9])([0-9]{3})($|[^0-9])/\1 \2\3/; ta' <<<"$1"; }
declare -A w s t load_s load_t
for engine in "${engines[@]}"; do
  echo "bench accueil : écritures durables ($engine, $threads fils, 2 × $seconds s)" >&2
  w[$engine]=$("$bench_bin" writes --database "${write_url[$engine]}" --threads "$threads" \
    --seconds "$seconds" | tee "$raw/writes-$engine.txt")
  echo "bench accueil : recherche de personnes ($engine, $persons personnes)" >&2
  s[$engine]=$("$bench_bin" search --database "${data_url[$engine]}" --persons "$persons" \
    --queries "$queries" 2>"$raw/search-load-$engine.txt" | tee "$raw/search-$engine.txt")
  echo "bench accueil : chronologie ($engine, $passages passages)" >&2
  t[$engine]=$("$bench_bin" timeline --database "${data_url[$engine]}" --passages "$passages" \
    --persons "$persons" --queries "$queries" 2>"$raw/timeline-load-$engine.txt" |
    tee "$raw/timeline-$engine.txt")
  load_s[$engine]=$(sed -nE 's/^chargé en (.*) s$/\1/p' "$raw/search-load-$engine.txt")
  load_t[$engine]=$(sed -nE 's/^chargé en (.*) s$/\1/p' "$raw/timeline-load-$engine.txt")
done

{
  echo "# Accueil : écritures durables, recherche de personnes, chronologie"
  echo
  echo "$(nproc) cœurs ($(sed -nE 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -sr) ; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') (arbre de travail non validé compris) ; SQLite $(pkg-config --modversion sqlite3 2>/dev/null || echo '?'), $("$pg_bin/postgres" --version 2>/dev/null || echo 'PostgreSQL absent'). Charge moyenne à la fin : $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "## 1. Écritures durables de passages ($threads fils, une transaction par passage, $seconds s par mesure)"
  echo
  echo "| base | passages/s (CreatePassage) | référence/s (INSERT d'une ligne) | rapport | verrou occupé > 5 s (réessayé) | durabilité |"
  echo "|---|---:|---:|---:|---:|---|"
  for e in "${engines[@]}"; do
    echo "| $e | $(group "$(field writes_per_s "${w[$e]}")") | $(group "$(field reference_per_s "${w[$e]}")") | $(field ratio "${w[$e]}") | $(field busy_retries "${w[$e]}") | $(awk '{ print $NF }' <<<"${w[$e]}") |"
  done
  echo
  echo "Un passage écrit : la ligne, 2 motifs et 2 actes (tables filles), clés étrangères et 3 index ; la référence : une ligne de 20 colonnes sans index ni clé étrangère. Chaque mesure : 1 s d'échauffement de chacune, puis deux moitiés alternées (référence, passages, référence, passages). Cible de l'issue : ≥ 2 000 passages/s."
  echo
  echo "## 2–3. Latences (une requête à la fois, $queries requêtes mesurées après $((queries / 10)) d'échauffement)"
  echo
  echo "| mesure | base | volume | chargement | p50 | p90 | p99 | max | résultats/requête |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for e in "${engines[@]}"; do
    echo "| recherche de personnes (FindByKeys, clés d'un nom) | $e | $(group "$persons") personnes | ${load_s[$e]:-déjà chargé} s | $(field p50_ms "${s[$e]}") ms | $(field p90_ms "${s[$e]}") ms | $(field p99_ms "${s[$e]}") ms | $(field max_ms "${s[$e]}") ms | $(awk -v r="$(field results "${s[$e]}")" -v q="$queries" 'BEGIN { printf "%.1f", r / q }') |"
  done
  for e in "${engines[@]}"; do
    echo "| chronologie (ListPassages d'une personne, 50 max) | $e | $(group "$passages") passages | ${load_t[$e]:-déjà chargé} s | $(field p50_ms "${t[$e]}") ms | $(field p90_ms "${t[$e]}") ms | $(field p99_ms "${t[$e]}") ms | $(field max_ms "${t[$e]}") ms | $(awk -v r="$(field results "${t[$e]}")" -v q="$queries" 'BEGIN { printf "%.1f", r / q }') |"
  done
  echo
  echo "Sorties brutes : build/bench-results/reception/."
} >"$report"
cat "$report"
