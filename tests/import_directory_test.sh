#!/usr/bin/env bash
# `pasip import data-inclusion`, `pasip import france-services` and `pasip export
# data-inclusion` end to end on a fresh SQLite database, with the fixtures of
# tests/data/directory/: summaries, the rejects table and CSV, exit statuses (0 all rows
# imported, 3 some refused, 2 unreadable input), idempotence, and an export that
# re-imports without a reject.
# Usage: import_directory_test.sh PASIP_BINARY
set -u
pasip="$1"
data="$(cd "$(dirname "$0")" && pwd)/data/directory"
status=0
fail() { echo "ÉCHEC import annuaire : $*"; status=1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="sqlite://$dir/main.db"

# data·inclusion JSON: 6 + 5 imported, 13 rows refused (exit 3), rejects listed.
"$pasip" import data-inclusion --structures "$data/structures.json" \
  --services "$data/services.json" --database "$db" --rejets "$dir/rejets.csv" \
  >"$dir/out" 2>"$dir/err"
code=$?
[ $code -eq 3 ] || fail "JSON : code de sortie $code au lieu de 3"
grep -q '^Structures : 12 lues, 6 créées, 0 mises à jour\.$' "$dir/out" ||
  fail "JSON, résumé :"$'\n'"$(cat "$dir/out")"
grep -q '^Services : 12 lus, 5 créés, 0 mis à jour\.$' "$dir/out" ||
  fail "JSON, résumé des services :"$'\n'"$(cat "$dir/out")"
grep -q '^Lignes refusées : 13 ; alertes : 1\.$' "$dir/out" || fail "JSON, total :"$'\n'"$(cat "$dir/out")"
grep -q '^Lignes refusées :$' "$dir/err" || fail "tableau des rejets absent :"$'\n'"$(cat "$dir/err")"
grep -q 'élément 6 .*essai--nom-court .*nom .*Le nom doit compter entre 3 et 150 caractères\.' \
  "$dir/err" || fail "rejet du nom court absent :"$'\n'"$(cat "$dir/err")"
grep -q 'essai--orphelin .*structure_id .*est inconnue' "$dir/err" ||
  fail "rejet du service sans structure absent"
[ "$(head -1 "$dir/rejets.csv")" = "fichier,position,id,champ,raison" ] || fail "en-tête du CSV des rejets"
[ "$(wc -l <"$dir/rejets.csv")" -eq 14 ] || fail "CSV des rejets : $(wc -l <"$dir/rejets.csv") lignes"
grep -q 'services.json,élément 2,essai--ccas-theme-inconnu,thematiques\[1\],' "$dir/rejets.csv" ||
  fail "CSV des rejets :"$'\n'"$(cat "$dir/rejets.csv")"
# Not a terminal: no progress bar.
if grep -q 'Import :' "$dir/err"; then fail "barre de progression hors terminal"; fi

# Again: everything updated in place.
"$pasip" import data-inclusion --structures "$data/structures.json" \
  --services "$data/services.json" --database "$db" >"$dir/out" 2>/dev/null
grep -q '^Structures : 12 lues, 0 créées, 6 mises à jour\.$' "$dir/out" ||
  fail "second import :"$'\n'"$(cat "$dir/out")"
grep -q '^Services : 12 lus, 0 créés, 5 mis à jour\.$' "$dir/out" ||
  fail "second import, services :"$'\n'"$(cat "$dir/out")"

# CSV.
"$pasip" import data-inclusion --structures "$data/structures.csv" \
  --services "$data/services.csv" --database "$db" >"$dir/out" 2>"$dir/err"
code=$?
[ $code -eq 3 ] || fail "CSV : code de sortie $code au lieu de 3"
grep -q '^Structures : 6 lues, 3 créées' "$dir/out" || fail "CSV :"$'\n'"$(cat "$dir/out")"
grep -q 'ligne 5 .*latitude .*doit être un nombre (« quarante-huit »)' "$dir/err" ||
  fail "CSV, rejet de la latitude :"$'\n'"$(cat "$dir/err")"

# France services: nothing refused but one row, warnings printed, exit 3; then 0 rejects
# with a clean file.
"$pasip" import france-services "$data/france_services_liste-fs-20240801.csv" \
  --database "$db" >"$dir/out" 2>"$dir/err"
code=$?
[ $code -eq 3 ] || fail "France services : code de sortie $code au lieu de 3"
grep -q '^Structures : 10 lues, 9 créées, 0 mises à jour\.$' "$dir/out" ||
  fail "France services :"$'\n'"$(cat "$dir/out")"
grep -q '^Alertes' "$dir/err" || fail "France services : alertes absentes"
grep -q 'lieu importé sans horaires' "$dir/err" || fail "France services : alerte des horaires"
grep -v '"9","35"' "$data/france_services_liste-fs-20240801.csv" >"$dir/fs-20240801.csv"
"$pasip" import france-services "$dir/fs-20240801.csv" --database "$db" >"$dir/out" 2>/dev/null
code=$?
[ $code -eq 0 ] || fail "France services sans rejet : code de sortie $code"
grep -q '^Structures : 9 lues, 0 créées, 9 mises à jour\.$' "$dir/out" ||
  fail "France services, second import :"$'\n'"$(cat "$dir/out")"

# Unreadable input: exit 2, French message naming the file, nothing written.
printf '[{"id": "t--1", "source": "t", "nom": "Lieu", "date_maj": "2026-01-01"}' >"$dir/tronque.json"
"$pasip" import data-inclusion --structures "$dir/tronque.json" --database "$db" >"$dir/out" 2>"$dir/err"
code=$?
[ $code -eq 2 ] || fail "JSON tronqué : code de sortie $code au lieu de 2"
grep -q 'tronque.json : JSON tronqué' "$dir/err" || fail "JSON tronqué :"$'\n'"$(cat "$dir/err")"
"$pasip" import data-inclusion --database "$db" >/dev/null 2>&1
[ $? -eq 2 ] || fail "import sans fichier accepté"
"$pasip" import france-services "$dir/absent.csv" --database "$db" >/dev/null 2>&1
[ $? -eq 2 ] || fail "fichier absent accepté"

# Export, then re-import into an empty database: no reject, same counts.
"$pasip" export data-inclusion --out "$dir/export" --database "$db" >"$dir/out" 2>&1 ||
  fail "export :"$'\n'"$(cat "$dir/out")"
grep -q '^Export data·inclusion : 18 structures, 17 services' "$dir/out" ||
  fail "export :"$'\n'"$(cat "$dir/out")"
[ -s "$dir/export/structures.json" ] && [ -s "$dir/export/services.json" ] || fail "fichiers exportés absents"
"$pasip" import data-inclusion --structures "$dir/export/structures.json" \
  --services "$dir/export/services.json" --database "sqlite://$dir/copy.db" >"$dir/out" 2>&1
code=$?
[ $code -eq 0 ] || fail "réimport de l'export : code $code"$'\n'"$(cat "$dir/out")"
grep -q '^Structures : 18 lues, 18 créées' "$dir/out" || fail "réimport :"$'\n'"$(cat "$dir/out")"

[ $status -eq 0 ] && echo "import annuaire : 1 passed, 0 failed"
exit $status
