#!/usr/bin/env bash
# Keeps the directory benchmark working (ctest directory_bench_smoke), on the small fixtures
# of bench/directory/testdata/ (no ../shared needed): the generator is deterministic and its
# feed imports without a reject through `pasip import data-inclusion`; the in-process search
# timer runs every query kind and prints one table row per kind.
#
#   bench/directory/smoke_test.sh PASIP_BIN PASIP_DIRECTORY_BENCH_BIN
set -euo pipefail
pasip_bin=$1
bench_bin=$2
testdata=$(cd "$(dirname "$0")/testdata" && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "directory_bench_smoke : $*" >&2
  exit 1
}

generate() {
  "$bench_bin" generate --communes "$testdata/communes.csv" --hours "$testdata/hours.txt" \
    --structures 200 --out "$1" >/dev/null
}
generate "$tmp/a"
generate "$tmp/b"
cmp -s "$tmp/a/structures.json" "$tmp/b/structures.json" || fail "structures.json diffère d'une génération à l'autre"
cmp -s "$tmp/a/services.json" "$tmp/b/services.json" || fail "services.json diffère d'une génération à l'autre"
"$bench_bin" generate --communes "$testdata/communes.csv" --hours "$testdata/hours.txt" \
  --structures 200 --seed 7 --out "$tmp/c" >/dev/null
! cmp -s "$tmp/a/services.json" "$tmp/c/services.json" || fail "la graine ne change pas le flux"
# Only current communes: the arrondissement of the fixture is never used.
! grep -q '"code_insee":"75101"' "$tmp/a/structures.json" || fail "un arrondissement a été tiré"

db="sqlite://$tmp/t.db"
"$pasip_bin" import communes "$testdata/communes.csv" --database "$db" >/dev/null
"$pasip_bin" import data-inclusion --structures "$tmp/a/structures.json" \
  --services "$tmp/a/services.json" --database "$db" >"$tmp/import.txt" 2>&1 ||
  { cat "$tmp/import.txt" >&2; fail "l'import du flux généré a échoué"; }
grep -q '^Structures : 200 lues, 200 créées' "$tmp/import.txt" || { cat "$tmp/import.txt" >&2; fail "structures"; }
grep -q '^Services : 800 lus, 800 créés' "$tmp/import.txt" || { cat "$tmp/import.txt" >&2; fail "services"; }
grep -q '^Lignes refusées : 0 ; alertes : 0\.' "$tmp/import.txt" || { cat "$tmp/import.txt" >&2; fail "rejets ou alertes"; }

"$bench_bin" search --database "$db" --queries 3 --warmup 1 >"$tmp/search.md" 2>"$tmp/search.err" ||
  { cat "$tmp/search.err" >&2; fail "la mesure de la recherche a échoué"; }
rows=$(grep -c '^| [^r-]' "$tmp/search.md" || true)
[ "$rows" -eq 12 ] || { cat "$tmp/search.md" >&2; fail "12 lignes de mesure attendues, $rows obtenues"; }
grep -q '^| Rennes (35238), 30 km | [1-9][0-9]* | 3 |' "$tmp/search.md" ||
  { cat "$tmp/search.md" >&2; fail "aucun résultat autour de Rennes"; }
echo "directory_bench_smoke : OK"
