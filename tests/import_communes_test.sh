#!/usr/bin/env bash
# `pasip import communes` end to end on a fresh SQLite database: a small CSV imported twice
# (created, then updated in place), a geo.api.gouv.fr JSON, a malformed file refused with
# exit status 2 and a French message naming the line and field, changing nothing, and the
# decoupage-administratif JSON with its postcodes (a bad one refused, naming the field).
# Usage: import_communes_test.sh PASIP_BINARY
set -u
pasip="$1"
status=0
fail() { echo "ÉCHEC import communes : $*"; status=1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="sqlite://$dir/main.db"

cat >"$dir/communes.csv" <<'CSV'
code,nom,type,departement,region,zone,population,lat,lon,coord_source
35238,Rennes,commune-actuelle,35,53,metro,225081,48.11198,-1.68186,essai
35047,Bain-de-Bretagne,commune-actuelle,35,53,metro,7500,47.84,-1.68,essai
75056,Paris,commune-actuelle,75,11,metro,2100000,48.86,2.34,essai
75101,Paris 1er Arrondissement,arrondissement-municipal,75,11,metro,15000,48.86,2.33,essai
CSV

got=$("$pasip" import communes "$dir/communes.csv" --database "$db" 2>&1)
[ "$got" = "Communes : 3 créées, 0 mises à jour, 1 ignorées (arrondissements, communes déléguées ou associées)." ] ||
  fail "premier import :"$'\n'"$got"
got=$("$pasip" import communes "$dir/communes.csv" --database "$db" 2>&1)
[ "$got" = "Communes : 0 créées, 3 mises à jour, 1 ignorées (arrondissements, communes déléguées ou associées)." ] ||
  fail "second import :"$'\n'"$got"

cat >"$dir/geo.json" <<'JSON'
[{"nom": "Acigné", "code": "35001", "population": 7000,
  "centre": {"type": "Point", "coordinates": [-1.54, 48.13]},
  "codeDepartement": "35", "codeRegion": "53"},
 {"nom": "Rennes", "code": "35238", "population": 230000, "codeDepartement": "35",
  "codeRegion": "53"}]
JSON
got=$("$pasip" import communes "$dir/geo.json" --database "$db" 2>&1)
echo "$got" | grep -q '^Communes : 1 créées, 1 mises à jour' || fail "JSON :"$'\n'"$got"

printf 'code,nom,type,departement,region,zone,population,lat,lon\n35002,Amanlis,commune-actuelle,35,53,metro,1700,48.0,-1.47\n35003,Andouillé,commune-actuelle,35,53,metro,beaucoup,48.2,-1.3\n' >"$dir/bad.csv"
got=$("$pasip" import communes "$dir/bad.csv" --database "$db" 2>&1)
code=$?
[ $code -eq 2 ] || fail "fichier invalide : code de sortie $code au lieu de 2"
echo "$got" | grep -q 'ligne 3 : population « beaucoup » n.est pas un nombre entier positif' ||
  fail "message :"$'\n'"$got"
echo "$got" | grep -q '(champ : population)' || fail "champ :"$'\n'"$got"

"$pasip" import communes "$dir/absent.csv" --database "$db" >/dev/null 2>&1
[ $? -eq 2 ] || fail "fichier absent accepté"

# Nothing of the refused file was written: its good line is still new afterwards.
head -2 "$dir/bad.csv" >"$dir/good.csv"
got=$("$pasip" import communes "$dir/good.csv" --database "$db" 2>&1)
echo "$got" | grep -q '^Communes : 1 créées, 0 mises à jour' || fail "après refus :"$'\n'"$got"

# The npm package's JSON (an excerpt of decoupage-administratif 6.0.0), with postcodes; a
# commune déléguée is skipped.
data="$(cd "$(dirname "$0")" && pwd)/data/communes"
got=$("$pasip" import communes "$data/decoupage-administratif-extrait.json" --database "$db" 2>&1)
[ "$got" = "Communes : 4 créées, 2 mises à jour, 1 ignorées (arrondissements, communes déléguées ou associées)." ] ||
  fail "decoupage-administratif :"$'\n'"$got"
printf '[{"code": "35003", "nom": "Andouillé-Neuville", "departement": "35", "region": "53",\n  "codesPostaux": ["35250", "3525"]}]\n' >"$dir/bad-postcode.json"
got=$("$pasip" import communes "$dir/bad-postcode.json" --database "$db" 2>&1)
code=$?
[ $code -eq 2 ] || fail "code postal invalide : code de sortie $code au lieu de 2"
echo "$got" | grep -q 'élément 1 : code postal invalide pour la commune 35003 : « 3525 »' ||
  fail "message du code postal :"$'\n'"$got"
echo "$got" | grep -q '(champ : codes_postaux)' || fail "champ du code postal :"$'\n'"$got"

[ $status -eq 0 ] && echo "import communes : 1 passed, 0 failed"
exit $status
