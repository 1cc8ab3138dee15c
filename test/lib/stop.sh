#!/usr/bin/env bash
# stop.sh cancel|timeout DB SQL
# Starts SQL in DB and stops it 50 ms in, by pg_cancel_backend or by
# statement_timeout = 50ms, and prints how many milliseconds it then took to
# end, and "stopped" when it ended with 57014, "finished" when it had ended
# on its own first, or else its error.
# Used by test/resources.sh and bench/resources.sql.
set -uo pipefail
how=$1 db=$2 sql=$3 tag="stop-$$-$RANDOM"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
q() { psql -X -q -At -d "$db" "$@"; }
if [ "$how" = timeout ]; then
    t0=$(date +%s%N)
    PGOPTIONS='-c statement_timeout=50ms' psql -X -At -d "$db" -c "/* $tag */ $sql" >"$out" 2>&1 &
    job=$!
    t0=$(( t0 + 50000000 ))    # the timeout fires 50 ms after the statement starts
else
    psql -X -At -d "$db" -c "/* $tag */ $sql" >"$out" 2>&1 &
    job=$!
    pid=
    for _ in $(seq 200); do
        pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '/* $tag */%' AND state = 'active'")
        [ -n "$pid" ] && break
        sleep 0.01
    done
    sleep 0.05
    t0=$(date +%s%N)
    q -c "SELECT pg_cancel_backend(${pid:-0})" >/dev/null
fi
wait $job
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
if grep -q 'canceling statement due to \(user request\|statement timeout\)' "$out"; then
    echo "$ms stopped"
elif ! grep -q ERROR "$out"; then
    echo "$ms finished"
else
    echo "$ms $(head -1 "$out")"
fi
