#!/usr/bin/env bash
# Helper of bench/resources.sql: for each row of resource_call, the peak
# memory (test/lib/measure.sh), the time (in a fresh backend, after the
# warm-up) and the time to stop after a cancel and a statement_timeout
# (test/lib/stop.sh); a row with a peer has the peer's call measured alike
# (and not stopped).  Writes bench_result.  PGDATABASE is the bench database.
set -euo pipefail
db=$PGDATABASE
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
ms_of() {   # ms_of WARM CALL: milliseconds of CALL in a fresh backend after WARM
    psql -X -At -q -d "$db" <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
$1 \g /dev/null
\timing on
$2 \g /dev/null
SQL
}
record() {  # record WHAT OURS PEER UNIT
    q -v what="$1" -v ours="$2" -v peer="${3:-}" -v unit="$4" <<'SQL'
INSERT INTO bench_result (bench, what, ours, peer, unit, lower_is_better)
VALUES ('resources', :'what', :'ours', nullif(:'peer', '')::numeric, :'unit', true);
SQL
}
q -F $'\t' -c "SELECT what, warm, call, rows, coalesce(peer, '') FROM resource_call" |
while IFS=$'\t' read -r what warm call rows peer; do
    read -r kb n < <(test/lib/measure.sh "$db" "$warm" "$call")
    ms=$(ms_of "$warm" "$call")
    if [ -n "$peer" ]; then
        read -r pkb pn < <(test/lib/measure.sh "$db" "$warm" "$peer")
        [ "$n" = "$pn" ] || { echo "resources: the peer returned '$pn', ours '$n'"; continue; }
        record "$what: peak memory ($n $rows)" "$kb" "$pkb" kB
        record "$what: time" "$ms" "$(ms_of "$warm" "$peer")" ms
        continue
    fi
    record "$what: peak memory ($n $rows)" "$kb" "" kB
    record "$what: time" "$ms" "" ms
    read -r c cres < <(test/lib/stop.sh cancel "$db" "$call")
    read -r t tres < <(test/lib/stop.sh timeout "$db" "$call")
    if [ "$cres" = stopped ] && [ "$tres" = stopped ]; then
        record "$what: ends after a cancel / a statement_timeout 50 ms in" "$(( c > t ? c : t ))" "" "ms (the worse)"
    else
        echo "resources: $what was not stopped 50 ms in (it takes $ms ms): cancel: $cres; timeout: $tres"
    fi
done
