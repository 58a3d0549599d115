#!/usr/bin/env bash
# `pasip hours eval` and `pasip hours check` end to end: one answer line per input line,
# errors as "error<TAB>message", the normalised string and the week in French.
# Usage: hours_cli_test.sh PASIP_BINARY
set -u
pasip="$1"
status=0
fail() { echo "ÉCHEC hours : $*"; status=1; }

input=$'Mo-Fr 08:30-12:00,13:30-17:00; PH off\t2026-04-03T10:00:00+02:00\t57463\n'
input+=$'Mo-Fr 08:30-12:00,13:30-17:00; PH off\t2026-04-03T10:00:00+02:00\t75056\n'
input+=$'24/7\t2026-01-01T00:00:00Z\n'
input+=$'Mo-Fr 9:00-12:00\t2026-01-01T00:00:00Z\n'
input+=$'Mo-Fr 09:00-12:00\tdemain\n'
expected=$'closed\t2026-04-07T06:30:00Z\n'
expected+=$'open\t2026-04-03T10:00:00Z\n'
expected+=$'open\t\n'
expected+=$'error\tHoraires invalides au caractère 7 : heure attendue au format HH:MM (par exemple 09:00), au lieu de « 9:00 ».\n'
expected+=$'error\tInstant illisible : « demain » (attendu : 2026-03-02T09:00:00Z).'
got=$(printf '%s' "$input" | "$pasip" hours eval)
[ "$got" = "$expected" ] || fail "eval :"$'\n'"$got"

got=$("$pasip" hours check 'Lu-Ve 9h-12h, fermé les jours fériés')
echo "$got" | head -1 | grep -qx 'Mo-Fr 09:00-12:00; PH off' || fail "check :"$'\n'"$got"
echo "$got" | grep -q '« Lu » remplacé par « Mo »' || fail "check sans changements :"$'\n'"$got"
echo "$got" | grep -qE '^(mardi : 9 h – 12 h|mardi : fermé \(jour férié\))$' || fail "semaine :"$'\n'"$got"

"$pasip" hours check 'Mo-Fr 09:00-12:00 zz' >/dev/null 2>&1 && fail "check accepte une chaîne invalide"
[ $status -eq 0 ] && echo "hours : 1 passed, 0 failed"
exit $status
