#!/usr/bin/env bash
# Opening-hours benchmark: `pasip hours eval` against npm `opening_hours` (the reference
# implementation), on the 617 real strings of ../shared/data/opening_hours/ (Auvergne-
# Rhône-Alpes). Speed (evaluations/s) and agreement (state, next change) line by line.
#
# Input: every string × a fixed set of instants of 2026 (Europe/Paris civil times expressed
# in UTC: weekdays and weekends, public holidays, both DST change days, 00:30 / 08:00 /
# 10:00 / 12:15 / 15:30 / 18:59 / 23:59), commune 69123 (Lyon). One evaluation = state + next change.
#
# Timing:
#   pasip      process wall time of `pasip hours eval` on the input repeated BENCH_OH_REPEAT
#              times, minus the wall time of a run on empty input (start-up); best of
#              BENCH_OH_RUNS runs. Includes reading stdin and writing stdout.
#   reference  the evaluation loop inside node (module load and file I/O excluded) on the
#              same repeated input, best of BENCH_OH_RUNS runs. Both sides parse each
#              distinct string once and keep it for the whole run.
# Agreement is computed on one pass (no repetition).
#
# Writes build/bench-results/opening_hours.md (table, then the first 20 disagreements) and
# the raw inputs/outputs beside it in build/bench-results/opening_hours/. Builds nothing:
# expects build/bin/pasip (`make`) and node_modules/opening_hours (`npm install`).
#
# Environment: PASIP_BIN (default build/bin/pasip), BENCH_OH_REPEAT (10), BENCH_OH_RUNS (3),
# BENCH_OH_DATA (default ../shared/data/opening_hours/hinaura_horaires_osm_617.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

pasip_bin=${PASIP_BIN:-$root/build/bin/pasip}
data=${BENCH_OH_DATA:-$root/../shared/data/opening_hours/hinaura_horaires_osm_617.txt}
repeat=${BENCH_OH_REPEAT:-10}
runs=${BENCH_OH_RUNS:-3}
commune=69123
results_dir=$root/build/bench-results
work=$results_dir/opening_hours
report=$results_dir/opening_hours.md

if [ ! -f "$data" ]; then
  echo "bench horaires : $data absent (dossier shared/ non disponible), banc d'essai ignoré." >&2
  exit 0
fi
[ -x "$pasip_bin" ] || {
  echo "bench horaires : $pasip_bin introuvable ; construisez d'abord pasip avec « make »." >&2
  exit 1
}
command -v node >/dev/null 2>&1 || {
  echo "bench horaires : node introuvable ; installez Node.js (voir scripts/setup.sh)." >&2
  exit 1
}
[ -f "$root/node_modules/opening_hours/package.json" ] || {
  echo "bench horaires : node_modules/opening_hours absent ; lancez « npm install » (ou npm ci)." >&2
  exit 1
}
[ -f /usr/share/zoneinfo/Europe/Paris ] || {
  echo "bench horaires : fuseau Europe/Paris absent ; installez le paquet tzdata." >&2
  exit 1
}

mkdir -p "$work"

# --- instants: Europe/Paris civil times of 2026, converted to UTC ---------------------------
# 2026-01-05 lundi, 2026-02-07 samedi, 2026-03-29 dimanche (passage à l'heure d'été),
# 2026-04-15 mercredi, 2026-05-14 jeudi de l'Ascension (férié), 2026-07-14 mardi (fête
# nationale), 2026-09-18 vendredi, 2026-10-25 dimanche (retour à l'heure d'hiver),
# 2026-12-25 vendredi (Noël).
# Guard against a date(1) without time-zone support: 2026-07-14 08:00 is 06:00 UTC (CEST).
[ "$(date -u -d 'TZ="Europe/Paris" 2026-07-14 08:00' +%H)" = 06 ] || {
  echo "bench horaires : conversion Europe/Paris → UTC incorrecte (GNU date et tzdata requis)." >&2
  exit 1
}
dates="2026-01-05 2026-02-07 2026-03-29 2026-04-15 2026-05-14 2026-07-14 2026-09-18 2026-10-25 2026-12-25"
times="00:30 08:00 10:00 12:15 15:30 18:59 23:59"
instants=()
for d in $dates; do
  for t in $times; do
    instants+=("$(date -u -d "TZ=\"Europe/Paris\" $d $t" +%Y-%m-%dT%H:%M:%SZ)")
  done
done

input=$work/input.tsv
tr -d '\r' <"$data" | awk -v commune="$commune" -v list="${instants[*]}" '
  BEGIN { n = split(list, at, " ") }
  NF { for (i = 1; i <= n; i++) printf "%s\t%s\t%s\n", $0, at[i], commune }' >"$input"
strings=$(tr -d '\r' <"$data" | awk 'NF' | wc -l)
lines=$(wc -l <"$input")
repeated=$work/input-repeated.tsv
: >"$repeated"
for _ in $(seq 1 "$repeat"); do cat "$input" >>"$repeated"; done
evaluations=$((lines * repeat))

now() { date +%s%N; }
best() { sort -n | head -1; }  # smallest of the numbers on stdin

# --- pasip -----------------------------------------------------------------------------------
echo "bench horaires : pasip, $evaluations évaluations × $runs" >&2
"$pasip_bin" hours eval <"$input" >"$work/pasip.tsv"
startup_ns=$(for _ in $(seq 1 "$runs"); do
  t0=$(now); "$pasip_bin" hours eval </dev/null >/dev/null; echo $(($(now) - t0))
done | best)
pasip_ns=$(for _ in $(seq 1 "$runs"); do
  t0=$(now); "$pasip_bin" hours eval <"$repeated" >/dev/null; echo $(($(now) - t0))
done | best)

# --- reference -------------------------------------------------------------------------------
echo "bench horaires : opening_hours (npm), $evaluations évaluations × $runs" >&2
TZ=Europe/Paris node "$root/bench/opening_hours/reference.mjs" "$input" "$work/reference.tsv" 1 \
  >/dev/null
ref_line=
ref_s=
for _ in $(seq 1 "$runs"); do
  line=$(TZ=Europe/Paris node "$root/bench/opening_hours/reference.mjs" "$repeated" \
    "$work/reference-repeated.tsv" 1 | grep '^REFERENCE ' | tail -1)
  s=$(sed -nE 's/.* seconds=([0-9.]+).*/\1/p' <<<"$line")
  if [ -z "$ref_s" ] || awk -v a="$s" -v b="$ref_s" 'BEGIN { exit !(a < b) }'; then
    ref_s=$s ref_line=$line
  fi
done
ref_version=$(sed -nE 's/.* version=([^ ]+).*/\1/p' <<<"$ref_line")
ref_evaluations=$(sed -nE 's/.* evaluations=([0-9]+).*/\1/p' <<<"$ref_line")
[ "$ref_evaluations" = "$evaluations" ] || {
  echo "bench horaires : la référence a fait $ref_evaluations évaluations au lieu de $evaluations" >&2
  exit 1
}
rm -f "$work/reference-repeated.tsv" "$repeated"

# --- comparison and report -------------------------------------------------------------------
if [ "$(wc -l <"$work/pasip.tsv")" -ne "$lines" ] || [ "$(wc -l <"$work/reference.tsv")" -ne "$lines" ]; then
  echo "bench horaires : nombre de lignes de sortie inattendu (voir $work)" >&2
  exit 1
fi
pasip_rate=$(awk -v n="$evaluations" -v t="$pasip_ns" -v s="$startup_ns" \
  'BEGIN { d = (t - s) / 1e9; printf "%.0f", (d > 0 ? n / d : 0) }')
pasip_rate_raw=$(awk -v n="$evaluations" -v t="$pasip_ns" 'BEGIN { printf "%.0f", n / (t / 1e9) }')
ref_rate=$(awk -v n="$evaluations" -v t="$ref_s" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')

# paste: hours, instant, commune, pasip state, pasip next/msg, reference state, reference next/msg
paste "$input" "$work/pasip.tsv" "$work/reference.tsv" | awk -F'\t' \
  -v report="$report" -v lines="$lines" -v strings="$strings" -v evaluations="$evaluations" \
  -v prate="$pasip_rate" -v prate_raw="$pasip_rate_raw" -v rrate="$ref_rate" \
  -v startup_ms="$(awk -v s="$startup_ns" 'BEGIN { printf "%.1f", s / 1e6 }')" \
  -v rversion="$ref_version" -v ninstants="${#instants[@]}" -v repeat="$repeat" -v runs="$runs" \
  -v cores="$(nproc)" -v nodever="$(node --version)" '
  function md(s) { gsub(/\|/, "\\|", s); return s }
  function paris(iso,   cmd, out) {  # "2026-07-14T06:00:00Z" -> "mar. 14/07 08:00" (Paris)
    if (iso == "") return ""
    cmd = "LC_ALL=C TZ=Europe/Paris date -d \"" iso "\" +\"%a %d/%m %H:%M\""
    cmd | getline out; close(cmd); return out
  }
  function answer(state, nxt) {
    if (state == "error") return "erreur : " nxt
    if (state == "exception") return "exception : " nxt
    return state (nxt == "" ? " (pas de changement)" : " → " nxt " (" paris(nxt) ")")
  }
  {
    perr = ($4 == "error"); rerr = ($6 == "error")
    if ($4 == "exception") { pexc++; perr = 1 }
    if ($6 == "exception") { rexc++; rerr = 1 }  # the library threw on a string it parsed
    if ($4 == "error" && !(($1) in pfail)) { pfail[$1] = 1; npfail++ }
    if ($6 == "error" && !(($1) in rfail)) { rfail[$1] = 1; nrfail++ }
    if (!perr && !rerr) {
      both++
      same_state = ($4 == $6); same_next = ($5 == $7)
      state_ok += same_state; next_ok += same_next
    } else {
      same_state = ($4 == "error" && $6 == "error"); same_next = same_state
    }
    if (!(same_state && same_next)) {
      ndis++
      if (!(($1) in dis_string)) { dis_string[$1] = 1; ndis_strings++ }
      if (ndis <= 20) {
        list[ndis] = sprintf("| %d | `%s` | %s (%s) | %s | %s |", ndis, md($1), $2, paris($2),
                             md(answer($4, $5)), md(answer($6, $7)))
      }
    }
  }
  END {
    pct_state = both ? 100 * state_ok / both : 0
    pct_next = both ? 100 * next_ok / both : 0
    ratio = rrate > 0 ? prate / rrate : 0
    printf "# Horaires d'\''ouverture : pasip contre npm opening_hours\n\n" > report
    printf "%d chaînes × %d instants de 2026 (heure de Paris : semaine, week-end, jours fériés, changements d'\''heure ; 00:30, 08:00, 10:00, 12:15, 15:30, 18:59, 23:59) = %d évaluations distinctes, commune 69123 (Lyon). Une évaluation = état + prochain changement (horizon 366 jours).\n\n", strings, ninstants, lines >> report
    print "| pasip éval./s | référence éval./s | rapport pasip/référence | accord sur l'\''état | accord sur le prochain changement | chaînes refusées par pasip | chaînes refusées par la référence |" >> report
    print "|---:|---:|---:|---:|---:|---:|---:|" >> report
    printf "| %d | %d | %.1f× | %.2f %% (%d/%d) | %.2f %% (%d/%d) | %d | %d |\n\n", prate, rrate, ratio,
      pct_state, state_ok, both, pct_next, next_ok, both, npfail + 0, nrfail + 0 >> report
    printf "- Vitesse : %d évaluations (entrée répétée %d fois), meilleur de %d passages. pasip : temps réel du processus `pasip hours eval` (lecture de stdin et écriture de stdout comprises) moins le démarrage à vide (%s ms) ; sans cette soustraction : %d éval./s. Référence : boucle d'\''évaluation dans node, chargement du module et fichiers exclus. Les deux analysent chaque chaîne distincte une seule fois.\n", evaluations, repeat, runs, startup_ms, prate_raw >> report
    printf "- Accord : calculé sur les %d lignes où les deux côtés ont analysé et évalué la chaîne ; %d lignes en désaccord au total (%d chaînes distinctes), refus compris. Exceptions levées pendant l'\''évaluation d'\''une chaîne acceptée : %d lignes côté référence, %d côté pasip.\n", both, ndis + 0, ndis_strings + 0, rexc + 0, pexc + 0 >> report
    printf "- Référence : opening_hours %s (mode 0, adresse {country_code: fr, state: Auvergne-Rhône-Alpes}), node %s lancé avec TZ=Europe/Paris ; %d cœurs.\n", rversion, nodever, cores >> report
    printf "- Entrées et sorties brutes : build/bench-results/opening_hours/ (input.tsv, pasip.tsv, reference.tsv).\n\n" >> report
    if (ndis == 0) {
      print "Aucun désaccord." >> report
    } else {
      printf "## Premiers désaccords (%d sur %d)\n\n", (ndis < 20 ? ndis : 20), ndis >> report
      print "| # | horaires | instant UTC (Paris) | pasip | référence |" >> report
      print "|---:|---|---|---|---|" >> report
      for (i = 1; i <= ndis && i <= 20; i++) print list[i] >> report
    }
  }'
cat "$report"
