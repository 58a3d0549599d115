#!/usr/bin/env bash
# security.md S14: no social security number (NIR) in the schema. Fails when a migration
# declares a column whose name points to one. A legal purpose that needs the NIR must first
# be listed in docs and this test changed on purpose.
# Usage: schema_test.sh [MIGRATIONS_DIR]
set -u
dir="${1:-$(cd "$(dirname "$0")/../src/storage/migrations" && pwd)}"
files=$(find "$dir" -name '*.sql' | sort)
[ -n "$files" ] || { echo "ÉCHEC : aucune migration dans $dir"; exit 1; }
bad=$(grep -inE '^[[:space:]]*[a-z_]*(nir|secu|securite_sociale|social_security|ssn|num_ss)[a-z_]*[[:space:]]+(text|integer|bigint|varchar|char)' $files || true)
if [ -n "$bad" ]; then
  echo "ÉCHEC : colonne de type NIR dans le schéma :"
  echo "$bad"
  exit 1
fi
echo "$(echo "$files" | wc -l) migrations sans NIR : 1 passed, 0 failed"
