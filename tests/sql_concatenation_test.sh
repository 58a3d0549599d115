#!/usr/bin/env bash
# security.md S11: parameterised SQL only. Every statement the repositories run may be
# glued together only from string literals and from the trusted pieces listed below
# (column lists and table names fixed in the code, WHERE fragments built from literals,
# role names checked by IsSqlIdentifier); values always go through `?` placeholders.
# The test extracts each call to Query/QueryOne/Execute/ExecuteScript/InsertReturningId in
# src/storage (drivers and tests aside) and fails on any other operand of `+`.
# Usage: sql_concatenation_test.sh [SRC_DIR]
set -u
src="${1:-$(cd "$(dirname "$0")/../src" && pwd)}"
allowed='^(std::string\("[^"]*"\)|k[A-Z][A-Za-z]*Columns|Table\(\)|VersionTable\([a-z_., ()]*\)|table|where|lock|r|script)$'
status=0
checked=0
for file in "$src"/storage/*.cc; do
  case "$file" in *_test.cc) continue ;; esac
  # One statement per record: from the call to the next ';' (calls span several lines).
  statements=$(awk '
    /(Query|QueryOne|Execute|ExecuteScript|InsertReturningId)\(/ { collecting = 1; text = "" }
    collecting { text = text " " $0; if ($0 ~ /;[[:space:]]*$/) { print text; collecting = 0 } }
  ' "$file")
  while IFS= read -r statement; do
    [ -z "$statement" ] && continue
    checked=$((checked + 1))
    # Drop string literals' contents and the bound values (from the first '{'), then list
    # what stands beside each '+'.
    stripped=$(sed -E 's/"([^"\\]|\\.)*"/""/g; s/\{.*//' <<<"$statement")
    operands=$(grep -oE '(\+ *[A-Za-z_][A-Za-z0-9_:]*(\([^()]*(\([^()]*\))?[^()]*\))?|[A-Za-z_][A-Za-z0-9_:]*(\([^()]*\))? *\+)' <<<"$stripped" |
      sed -E 's/^\+ *//; s/ *\+$//')
    while IFS= read -r operand; do
      [ -z "$operand" ] && continue
      if ! grep -qE "$allowed" <<<"$operand"; then
        echo "ÉCHEC SQL construit avec « $operand » dans $(basename "$file") : $statement"
        status=1
      fi
    done <<<"$operands"
  done <<<"$statements"
done
if [ "$checked" -eq 0 ]; then
  echo "ÉCHEC : aucune requête trouvée dans $src/storage"
  exit 1
fi
if [ $status -eq 0 ]; then echo "$checked requêtes vérifiées : 1 passed, 0 failed"; fi
exit $status
