#!/usr/bin/env bash
# HTTP benchmark of pasip against nginx on the same machine (see docs/benchmarks.md).
# Starts pasip (demo database in a temporary folder, 2 threads) and nginx (2 workers) on free
# 127.0.0.1 ports, serves from nginx static files whose bodies are pasip's answers byte for
# byte, and runs wrk (2 threads, 10 s) at 64 and 512 connections on:
#   /healthz        unauthenticated, tiny text
#   /api/v1/moi     authenticated small JSON (session cookie of the coordination demo account)
# Prints a Markdown table (requests/s, p99 latency, errors, pasip/nginx ratio), also written to
# build/bench-results/results.md with the raw wrk outputs beside it. Only 127.0.0.1 is ever
# contacted; both servers are stopped on exit.
#
# Environment: PASIP_BIN (default build/bin/pasip), BENCH_DURATION (10s),
# BENCH_CONNECTIONS ("64 512"), PASIP_BENCH_SKIP_BUILD=1 (do not run `make` first).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64 512}
pasip_bin=${PASIP_BIN:-$root/build/bin/pasip}
results_dir=$root/build/bench-results

# --- tools: wrk, nginx and curl from Debian, installed only when missing --------------------
nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || [ ! -x /usr/sbin/nginx ] || nginx_bin=/usr/sbin/nginx
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[ -n "$nginx_bin" ] || missing+=(nginx-light)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installation de ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  # The nginx package starts a system-wide server on port 80 when installed; this benchmark
  # runs its own, so service start-up is refused for the duration of the installation.
  policy_added=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod 755 /usr/sbin/policy-rc.d
    policy_added=1
  fi
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" || status=$?
  [ -z "$policy_added" ] || "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d
  [ "${status:-0}" -eq 0 ] || exit "$status"
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
fi

if [ -z "${PASIP_BENCH_SKIP_BUILD:-}" ] && [ -z "${PASIP_BIN:-}" ]; then
  make all
fi
[ -x "$pasip_bin" ] || { echo "bench: $pasip_bin introuvable, lancez « make »" >&2; exit 1; }

# --- temporary folder and clean-up ---------------------------------------------------------
tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx workers may run as another user and must read the static files
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on, from the ephemeral-free range 20000-59999.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "bench: aucun port libre trouvé" >&2
  return 1
}

# wait_for_url LOGFILE PID: the URL the server prints once it listens.
wait_for_url() {
  local log=$1 pid=$2 url=
  for _ in $(seq 1 300); do
    url=$(grep -oE 'http://127\.0\.0\.1:[1-9][0-9]*' "$log" | head -1 || true)
    if [ -n "$url" ]; then echo "$url"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bench: le serveur n'a pas démarré :" >&2
  cat "$log" >&2
  return 1
}

json_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# --- pasip ---------------------------------------------------------------------------------
database="sqlite://$tmp/bench.db"
"$pasip_bin" demo --database "$database" >"$tmp/accounts.tsv"
IFS=$'\t' read -r _ email password _ < <(awk -F'\t' '$1 == "coordination"' "$tmp/accounts.tsv")
[ -n "${email:-}" ] || { echo "bench: pas de compte coordination dans la sortie de pasip demo" >&2; exit 1; }

"$pasip_bin" serve --database "$database" --listen 127.0.0.1:0 --threads 2 \
  >"$tmp/pasip.log" 2>&1 &
pids+=($!)
pasip_url=$(wait_for_url "$tmp/pasip.log" "${pids[-1]}")

status=$(curl -sS -o /dev/null -w '%{http_code}' -c "$tmp/jar" -H 'Content-Type: application/json' \
  -d "{\"email\":$(json_string "$email"),\"password\":$(json_string "$password")}" \
  "$pasip_url/api/v1/session")
case $status in 200 | 204) ;; *) echo "bench: connexion refusée ($status)" >&2; exit 1 ;; esac
# The cookie is Secure: read it from the jar (Netscape format, HttpOnly lines prefixed
# "#HttpOnly_") rather than relying on curl sending it over plain HTTP.
session=$(awk -F'\t' '$6 == "__Host-pasip" { print $7 }' "$tmp/jar" | tail -1)
[ -n "$session" ] || { echo "bench: pas de cookie __Host-pasip" >&2; exit 1; }
cookie="Cookie: __Host-pasip=$session"

# --- nginx serving pasip's bodies as static files ------------------------------------------
www=$tmp/www
mkdir -p "$www/api/v1" "$tmp/nginx/tmp"
fetch() {  # fetch PATH [HEADER]: saves pasip's body under www/PATH, fails unless 200
  local code
  code=$(curl -sS -o "$www$1" -w '%{http_code}' ${2:+-H "$2"} "$pasip_url$1")
  [ "$code" = 200 ] || { echo "bench: GET $1 a répondu $code" >&2; exit 1; }
}
fetch /healthz
fetch /api/v1/moi "$cookie"
chmod -R a+rX "$www"

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
    location = /healthz { types { } default_type text/plain; }
    location = /api/v1/moi { types { } default_type application/json; }
  }
}
EOF
"$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" \
  >"$tmp/nginx.log" 2>&1 &
pids+=($!)
nginx_url=http://127.0.0.1:$nginx_port
for _ in $(seq 1 50); do
  curl -s -o /dev/null "$nginx_url/healthz" && break
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$tmp/nginx.log" "$tmp/nginx/error.log" >&2; exit 1; }
  sleep 0.1
done

# --- measurements --------------------------------------------------------------------------
mkdir -p "$results_dir"
# measure NAME URL [HEADER]: runs wrk, keeps its output, echoes the BENCH line's fields.
measure() {
  local name=$1 url=$2 header=${3:-} c=$4 out
  out="$results_dir/wrk-$name-c$c.txt"
  wrk -t2 -c"$c" -d"$duration" --timeout 5s --latency -s "$root/bench/report.lua" \
    ${header:+-H "$header"} "$url" >"$out" 2>&1
  grep '^BENCH ' "$out" | tail -1
}
field() { sed -nE "s/.*[[:space:]]$1=([^[:space:]]+).*/\\1/p" <<<"$2"; }
errors() {
  echo "$(( $(field connect "$1") + $(field read "$1") + $(field write "$1") + $(field timeout "$1") + $(field status "$1") ))"
}

echo "bench: échauffement" >&2
wrk -t2 -c64 -d2s "$pasip_url/healthz" >/dev/null
wrk -t2 -c64 -d2s "$nginx_url/healthz" >/dev/null

table=$results_dir/results.md
{
  echo "| route | connections | pasip req/s | pasip p99 | pasip errors | nginx req/s | nginx p99 | nginx errors | pasip/nginx |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$table"
for target in healthz moi; do
  case $target in
    healthz) path=/healthz header= ;;
    moi) path=/api/v1/moi header=$cookie ;;
  esac
  for c in $connections; do
    echo "bench: $path, $c connexions, $duration par serveur" >&2
    p=$(measure "pasip-$target" "$pasip_url$path" "$header" "$c")
    n=$(measure "nginx-$target" "$nginx_url$path" "$header" "$c")
    [ -n "$p" ] && [ -n "$n" ] || { echo "bench: wrk n'a pas produit de résultat (voir $results_dir)" >&2; exit 1; }
    ratio=$(awk -v a="$(field rps "$p")" -v b="$(field rps "$n")" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '| `%s` | %s | %s | %s ms | %s | %s | %s ms | %s | %s |\n' "$path" "$c" \
      "$(field rps "$p")" "$(field p99_ms "$p")" "$(errors "$p")" \
      "$(field rps "$n")" "$(field p99_ms "$n")" "$(errors "$n")" "$ratio" >>"$table"
  done
done

{
  echo
  echo "Body sizes: /healthz $(wc -c <"$www/healthz") B, /api/v1/moi $(wc -c <"$www/api/v1/moi") B."
  echo "wrk -t2 -d$duration --timeout 5s; pasip --threads 2; nginx worker_processes 2, access_log off;"
  echo "$(nproc) cores, $(uname -sr), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $("$nginx_bin" -v 2>&1)."
  echo "Errors = socket errors (connect, read, write, timeout) + non-2xx/3xx answers."
} >>"$table"
cat "$table"
