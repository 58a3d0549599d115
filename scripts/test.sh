#!/usr/bin/env bash
# Runs every test of pasip on an already built tree (`make test` builds first):
#   1. format: clang-format --dry-run -Werror over the C++ sources known to git;
#   2. ctest: unit, HTTP and storage contract tests, on SQLite and on a throwaway
#      PostgreSQL 15 started by scripts/with-postgres.sh (PASIP_TEST_PG_URL);
#   3. browser: Playwright + Debian's Chromium + axe-core (tests/e2e/*.test.mjs).
# Every step runs even when an earlier one failed; the exit status is non-zero if any failed.
# The last line is "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build_dir=${PASIP_BUILD_DIR:-build}
case $build_dir in /*) ;; *) build_dir=$root/$build_dir ;; esac
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

step_names=()
step_results=()
total_passed=0
total_failed=0

# record NAME STATUS PASSED FAILED: a step that failed without reporting any failed test
# (crash, missing binary) counts as one failure so the total never hides it.
record() {
  local name=$1 status=$2 passed=${3:-0} failed=${4:-0}
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$status" -eq 0 ] && [ "$failed" -ne 0 ]; then status=1; fi
  step_names+=("$name")
  if [ "$status" -eq 0 ]; then
    step_results+=("ok      ($passed passed)")
  else
    step_results+=("ÉCHEC   ($passed passed, $failed failed)")
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

banner() { printf '\n===== %s =====\n' "$1"; }

# --- 1. format ------------------------------------------------------------------------------
banner "format (clang-format --dry-run -Werror)"
sources=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files plus new files not ignored, so a forgotten `git add` is checked too.
  while IFS= read -r -d '' f; do
    [ -f "$f" ] && sources+=("$f")
  done < <(git ls-files -z --cached --others --exclude-standard -- \
    'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' 'bench/*.h' 'bench/*.cc' | sort -zu)
else
  while IFS= read -r -d '' f; do sources+=("$f"); done \
    < <(find src tests bench -type f \( -name '*.h' -o -name '*.cc' \) -print0 | sort -z)
fi
unformatted=()
for f in "${sources[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if [ ${#unformatted[@]} -eq 0 ]; then
  echo "${#sources[@]} fichiers, tous formatés"
  record format 0 1 0
else
  echo "fichiers non formatés (lancez « make format ») :"
  printf '  %s\n' "${unformatted[@]}"
  clang-format --dry-run -Werror "${unformatted[0]}" 2>&1 | head -20
  record format 1 0 1
fi

# --- 2. ctest (SQLite and PostgreSQL) -------------------------------------------------------
banner "ctest (SQLite et PostgreSQL)"
if [ ! -f "$build_dir/CTestTestfile.cmake" ]; then
  echo "pas d'arbre de construction dans $build_dir : lancez « make » d'abord"
  record ctest 1 0 1
elif [ ! -x scripts/with-postgres.sh ]; then
  echo "scripts/with-postgres.sh manque : impossible de lancer PostgreSQL pour les tests"
  record ctest 1 0 1
else
  scripts/with-postgres.sh ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 600 \
    2>&1 | tee "$logs/ctest.log"
  status=${PIPESTATUS[0]}
  # "100% tests passed, 0 tests failed out of 42"
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$logs/ctest.log" | tail -1)
  failed=$(sed -nE 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/p' <<<"$line")
  total=$(sed -nE 's/.* tests failed out of ([0-9]+).*/\1/p' <<<"$line")
  failed=${failed:-0}
  total=${total:-0}
  if [ "$total" -eq 0 ] && [ "$status" -eq 0 ]; then
    echo "ctest n'a exécuté aucun test"
    status=1
  fi
  record ctest "$status" $((total - failed)) "$failed"
fi

# --- 3. browser tests -----------------------------------------------------------------------
banner "navigateur (Playwright + Chromium + axe-core)"
e2e_files=(tests/e2e/*.test.mjs)
if [ ! -x "$build_dir/bin/pasip" ]; then
  echo "$build_dir/bin/pasip manque : lancez « make » d'abord"
  record browser 1 0 1
elif [ ! -e "${e2e_files[0]}" ]; then
  echo "aucun fichier tests/e2e/*.test.mjs"
  record browser 1 0 1
else
  PASIP_BIN="$build_dir/bin/pasip" \
    timeout 900 node --test --test-timeout=300000 --test-reporter=spec "${e2e_files[@]}" 2>&1 | tee "$logs/e2e.log"
  status=${PIPESTATUS[0]}
  # spec reporter: "ℹ pass 5"; TAP: "# pass 5".
  count() { sed -nE "s/^(ℹ|#) $1 ([0-9]+)\$/\\2/p" "$logs/e2e.log" | tail -1; }
  passed=$(count pass)
  failed=$(count fail)
  cancelled=$(count cancelled)
  passed=${passed:-0}
  failed=$(( ${failed:-0} + ${cancelled:-0} ))
  if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$status" -eq 0 ]; then
    echo "node --test n'a exécuté aucun test"
    status=1
  fi
  record browser "$status" "$passed" "$failed"
fi

# --- summary --------------------------------------------------------------------------------
banner "résumé"
exit_status=0
for i in "${!step_names[@]}"; do
  printf '  %-8s %s\n' "${step_names[$i]}" "${step_results[$i]}"
  case ${step_results[$i]} in ok*) ;; *) exit_status=1 ;; esac
done
echo "tests: $total_passed passed, $total_failed failed"
exit "$exit_status"
