#!/usr/bin/env bash
# Orientation benchmark (issue 5, see docs/benchmarks.md), on SQLite and PostgreSQL:
#   1. e-mail delivery: PASIP_BENCH_MESSAGES messages (default 2 000) enqueued in the SQL outbox,
#      then sent by mail::Delivery::RunOnce loops with mail::SmtpTransport (libcurl, no
#      STARTTLS) to a local SMTP server (tests/smtp_server.py, Debian's python3-aiosmtpd);
#      reference in the same run: Python's smtplib sending as many messages of the same bytes
#      to the same server, one connection per message (smtp_reference.py). Interleaved
#      halves (reference, pasip, reference, pasip) after a warm-up of 50 each; every phase
#      checks that the server received exactly its messages, and pasip's Message-IDs are
#      checked unique;
#   2. partner inbox and agent list latency: OrientationStore::List over
#      PASIP_BENCH_ORIENTATIONS orientations (default 100 000, 50 recipient organisations,
#      20 orienting sites), against the bare SELECT id … LIMIT 51 of one inbox;
#   3. reminders sweep: Due(now, 200), 1 % of the orientations due, against SELECT count(*)
#      FROM orientations (the whole table);
#   4. measures: MeasureRows over one year, whole territory, against the same rows read
#      without the history.
# The first BENCH_OR_APPLY orientations (default 2 000) are written through
# SqlOrientationStore::Apply (timed), the rest bulk-loaded (see orientation_bench.cc).
#
# PostgreSQL: a throwaway PostgreSQL 15 server of our own with its durable defaults (fsync,
# synchronous_commit on), in a temporary folder under build/ (on the disk), stopped and removed
# on exit; as root it runs as the system user pasip-test (scripts/setup.sh). Without
# PostgreSQL 15 only SQLite is measured; without python3-aiosmtpd the e-mail measure is
# skipped. Only 127.0.0.1 is contacted.
#
# Writes build/bench-results/orientation.md (and prints it); raw outputs in
# build/bench-results/orientation/. Builds nothing: expects build/bin/pasip_orientation_bench
# (`cmake --build build --target pasip_orientation_bench` or `make`).
#
# Environment: PASIP_BENCH_MESSAGES, PASIP_BENCH_ORIENTATIONS, BENCH_OR_QUERIES (500),
# BENCH_OR_APPLY (2000), BENCH_OR_RUNS (5 MeasureRows runs), BENCH_OR_NO_POSTGRES=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

bench_bin=${PASIP_ORIENTATION_BENCH_BIN:-$root/build/bin/pasip_orientation_bench}
messages=${PASIP_BENCH_MESSAGES:-2000}
orientations=${PASIP_BENCH_ORIENTATIONS:-100000}
queries=${BENCH_OR_QUERIES:-500}
apply=${BENCH_OR_APPLY:-2000}
runs=${BENCH_OR_RUNS:-5}
python=/usr/bin/python3
results_dir=$root/build/bench-results
raw=$results_dir/orientation
report=$results_dir/orientation.md
[ -x "$bench_bin" ] || {
  echo "bench orientations : $bench_bin introuvable ; construisez-le d'abord (pasip_orientation_bench)." >&2
  exit 1
}

tmp=$(mktemp -d "$root/build/orientation-bench.XXXXXX")
chmod 755 "$tmp"
pg_bin=${PASIP_PG_BIN:-/usr/lib/postgresql/15/bin}
as_server_user=()
[ "$(id -u)" -ne 0 ] || as_server_user=(runuser -u pasip-test --)
pg_started=0
smtp_pid=
cleanup() {
  if [ -n "$smtp_pid" ]; then
    kill "$smtp_pid" 2>/dev/null || true
    wait "$smtp_pid" 2>/dev/null || true
  fi
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
declare -A mail_url data_url
mail_url[sqlite]="sqlite://$tmp/mail.db"
data_url[sqlite]="sqlite://$tmp/data.db"
if [ -z "${BENCH_OR_NO_POSTGRES:-}" ] && [ -x "$pg_bin/initdb" ]; then
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
  for name in mail data; do
    "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -d "postgresql://postgres@127.0.0.1:$port/postgres" \
      -c "CREATE DATABASE bench_$name" </dev/null >/dev/null
  done
  engines+=(postgresql)
  mail_url[postgresql]="postgresql://postgres@127.0.0.1:$port/bench_mail"
  data_url[postgresql]="postgresql://postgres@127.0.0.1:$port/bench_data"
else
  echo "bench orientations : PostgreSQL 15 absent ou écarté, mesures sur SQLite seulement." >&2
fi

# The local SMTP server: it writes each message it accepts as a file in $tmp/smtp before
# answering 250; after each phase the files are moved to $tmp/received/<phase> and counted.
smtp_port=
if "$python" -c 'import aiosmtpd' 2>/dev/null; then
  mkdir -p "$tmp/smtp" "$tmp/received"
  "$python" tests/smtp_server.py --port 0 --dir "$tmp/smtp" >"$tmp/smtp.port" \
    2>"$raw/smtp-server.txt" &
  smtp_pid=$!
  for _ in $(seq 100); do
    [ -s "$tmp/smtp.port" ] && break
    sleep 0.1
  done
  smtp_port=$(head -1 "$tmp/smtp.port")
  [ -n "$smtp_port" ] || { echo "bench orientations : le serveur SMTP n'a pas démarré" >&2; exit 1; }
  "$bench_bin" sample --out "$tmp/message.eml" >"$raw/sample.txt"
else
  echo "bench orientations : python3-aiosmtpd absent, pas de mesure d'envoi de courriels." >&2
fi
sender=ne-pas-repondre@pasip.example
recipient=accueil@mission-locale-artois.example

# collect PHASE EXPECTED: moves what the server received into received/PHASE, checks the count.
collect() {
  local dir=$tmp/received/$1 n
  mkdir -p "$dir"
  find "$tmp/smtp" -maxdepth 1 -name '*.eml' -exec mv -t "$dir" {} +
  n=$(find "$dir" -name '*.eml' | wc -l)
  if [ "$n" -ne "$2" ]; then
    echo "bench orientations : $1 : le serveur a reçu $n messages, $2 attendus" >&2
    exit 1
  fi
}
mean_size() { find "$@" -name '*.eml' -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s / NR }'; }
send_pasip() { "$bench_bin" mail --database "${mail_url[$1]}" --port "$smtp_port" --messages "$2"; }
send_reference() {
  "$python" bench/orientation/smtp_reference.py --port "$smtp_port" --message "$tmp/message.eml" \
    --count "$1" --sender "$sender" --to "$recipient"
}

field() { sed -nE "s/.*(^|[[:space:]])$1=([^[:space:]]+).*/\\2/p" <<<"$2"; }
group() { sed -E ':a; s/([0-9])([0-9]{3})($|[^0-9])/\1 \2\3/; ta' <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
declare -A m_rate r_rate m_enqueue m_size r_size m_ids
half=$((messages / 2))
for engine in "${engines[@]}"; do
  if [ -n "$smtp_port" ]; then
    echo "bench orientations : envoi de courriels ($engine, 2 × $messages messages)" >&2
    send_pasip "$engine" 50 >"$raw/mail-warmup-$engine.txt"
    collect "warmup-pasip-$engine" 50
    send_reference 50 >"$raw/mail-warmup-reference-$engine.txt"
    collect "warmup-reference-$engine" 50
    for round in 1 2; do
      count=$half
      [ "$round" -eq 1 ] || count=$((messages - half))
      send_reference "$count" >"$raw/mail-reference-$engine-$round.txt"
      collect "reference-$engine-$round" "$count"
      send_pasip "$engine" "$count" >"$raw/mail-pasip-$engine-$round.txt"
      collect "pasip-$engine-$round" "$count"
    done
    m_rate[$engine]=$(cat "$raw"/mail-pasip-"$engine"-[12].txt |
      awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += kv[2] } }
           END { printf "%.0f", v["messages"] / v["seconds"] }')
    r_rate[$engine]=$(cat "$raw"/mail-reference-"$engine"-[12].txt |
      awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += kv[2] } }
           END { printf "%.0f", v["messages"] / v["seconds"] }')
    m_enqueue[$engine]=$(cat "$raw"/mail-pasip-"$engine"-[12].txt |
      awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "enqueue_per_s") { s += kv[2]; n++ } } }
           END { printf "%.0f", s / n }')
    m_size[$engine]=$(mean_size "$tmp/received/pasip-$engine-1" "$tmp/received/pasip-$engine-2")
    r_size[$engine]=$(mean_size "$tmp/received/reference-$engine-1" "$tmp/received/reference-$engine-2")
    # Every message pasip sent arrived once: as many distinct Message-IDs as messages.
    m_ids[$engine]=$(cat "$tmp/received/pasip-$engine"-[12]/*.eml | grep -a '^Message-ID:' |
      sort -u | wc -l)
    if [ "${m_ids[$engine]}" -ne "$messages" ]; then
      echo "bench orientations : $engine : ${m_ids[$engine]} Message-ID distincts pour $messages messages" >&2
      exit 1
    fi
  fi
  echo "bench orientations : orientations ($engine, $orientations)" >&2
  "$bench_bin" data --database "${data_url[$engine]}" --orientations "$orientations" \
    --apply "$apply" --queries "$queries" --runs "$runs" 2>"$raw/data-load-$engine.txt" |
    tee "$raw/data-$engine.txt" >&2
done

line() { grep "^$1 " "$raw/data-$2.txt" || true; }
label() {
  case "$1" in
    sqlite) echo "SQLite (WAL, synchronous=FULL)" ;;
    postgresql) echo "PostgreSQL (fsync, synchronous_commit on)" ;;
  esac
}
{
  echo "# Orientations : envoi des courriels, boîte partenaire, rappels, mesures"
  echo
  echo "$(nproc) cœurs ($(sed -nE 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -sr) ; commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') (arbre de travail non validé compris) ; SQLite $(pkg-config --modversion sqlite3 2>/dev/null || echo '?'), $("$pg_bin/postgres" --version 2>/dev/null || echo 'PostgreSQL absent'), $(curl --version 2>/dev/null | head -1 | cut -d' ' -f1-2), Python $("$python" -c 'import platform; print(platform.python_version())') et aiosmtpd $("$python" -c 'import aiosmtpd; print(aiosmtpd.__version__)' 2>/dev/null || echo absent). Charge moyenne à la fin : $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  if [ -n "$smtp_port" ]; then
    echo "## 1. Envoi des courriels ($(group "$messages") messages de chaque côté, en deux moitiés alternées après 50 d'échauffement)"
    echo
    echo "| file d'envoi | pasip messages/s (Delivery::RunOnce + SmtpTransport) | référence messages/s (smtplib) | rapport | reçus pasip + référence | taille moyenne pasip / référence | mise en file/s (Enqueue) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for e in "${engines[@]}"; do
      echo "| $(label "$e") | $(group "${m_rate[$e]}") | $(group "${r_rate[$e]}") | $(ratio "${m_rate[$e]}" "${r_rate[$e]}") | $(group "$messages") + $(group "$messages") ✔ | ${m_size[$e]} / ${r_size[$e]} octets | $(group "${m_enqueue[$e]}") |"
    done
    echo
    echo "Une connexion SMTP par message des deux côtés (comme libcurl), sans TLS, vers le même serveur aiosmtpd sur 127.0.0.1 ; pasip réclame les messages par lots de 50 (bail) et marque chacun envoyé dans sa propre transaction durable. Le serveur a reçu exactement les messages attendus à chaque phase ; Message-ID de pasip tous distincts."
    echo
  fi
  echo "## 2–4. Orientations ($(group "$orientations") orientations, 2 événements chacune ; une requête à la fois, $queries de chaque sorte après $((queries / 10)) d'échauffement)"
  echo
  echo "| base | écrites par Apply | Apply/s (1 transaction durable chacune) | chargées en masse | lignes/s en masse |"
  echo "|---|---:|---:|---:|---:|"
  for e in "${engines[@]}"; do
    l=$(line load "$e")
    echo "| $(label "$e") | $(group "$(field apply "$l")") | $(group "$(field apply_per_s "$l")") | $(group "$(field bulk "$l")") | $(group "$(field bulk_per_s "$l")") |"
  done
  echo
  echo "| mesure | base | p50 | p99 | référence | réf. p50 | réf. p99 | rapport p50 | rapport p99 | résultats/requête |"
  echo "|---|---|---:|---:|---|---:|---:|---:|---:|---:|"
  row() { # label name reference-name reference-label engine
    local l r
    l=$(line "$2" "$5")
    r=$(line "$3" "$5")
    echo "| $1 | $5 | $(field p50_ms "$l") ms | $(field p99_ms "$l") ms | $4 | $(field p50_ms "$r") ms | $(field p99_ms "$r") ms | $(ratio "$(field p50_ms "$l")" "$(field p50_ms "$r")") | $(ratio "$(field p99_ms "$l")" "$(field p99_ms "$r")") | $(awk -v a="$(field results "$l")" -v q="$(field queries "$l")" 'BEGIN { printf "%.0f", a / q }') |"
  }
  bare="SELECT id … LIMIT 51"
  for e in "${engines[@]}"; do
    row "boîte partenaire (List, 51 plus récentes)" inbox reference_inbox "$bare" "$e"
    row "boîte partenaire, filtre rendez-vous" inbox_rdv reference_inbox "$bare" "$e"
    row "boîte partenaire, 2e page (keyset)" inbox_page2 reference_inbox "$bare" "$e"
    row "liste de l'agent (organisation orienteuse)" agent reference_inbox "$bare" "$e"
    row "rappels : Due(now, 200)" due reference_count "SELECT count(*) (toute la table)" "$e"
    row "mesures : MeasureRows sur un an, tout le territoire ($runs passages : p50 = médiane, p99 = max)" measures reference_measures "mêmes lignes sans l'historique" "$e"
  done
  echo
  echo "Apply : une transaction durable par orientation (la ligne et ses 2 événements), un seul fil ; le temps d'une synchronisation disque varie beaucoup sur une machine partagée. Le chargement en masse écrit les mêmes lignes (relues et comparées à l'original par Find et EventsOf, pour les deux chemins)."
  echo
  echo "Ce que cela montre : le coût des requêtes du module rapporté à une requête nue sur les mêmes index, mesurées en alternance dans la même exécution. Ce qui n'est pas mesuré : la couche HTTP, les droits et le rendu des pages (voir les autres bancs), la concurrence entre expéditeurs ou entre requêtes, un serveur SMTP distant (latence réseau, TLS, authentification), et le chargement de $(group "$orientations") orientations une à une par Apply (seules les $(group "$apply") premières le sont, le reste en masse)."
  echo
  echo "Sorties brutes : build/bench-results/orientation/."
} >"$report"
cat "$report"
