#!/usr/bin/env bash
# TAP: the C functions answer in memory bounded by what they return, refuse
# what would explode with 54000 naming the limit, and stop within a second
# of a cancel or a statement_timeout.
#
# Memory: each call runs in a fresh backend after a small warm-up call; the
# peak of its private memory during the call is read from /proc
# (test/lib/measure.sh).  Stopping: test/lib/stop.sh.  Sizes are small enough for
# `make test`; bench/resources.sql runs the issue's full sizes.  Runs
# against the cluster named by PGHOST/PGPORT (tools/test.sh), as the user
# who may read that cluster's /proc entries (root, or the server's owner).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
db=mt_resources
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
. "$top/test/lib/tap.sh"

dropdb --if-exists -f $db 2>/dev/null
createdb $db || { echo "Bail out! cannot create a database"; exit 1; }
q -c 'CREATE EXTENSION mountaineer' -c 'SET client_min_messages = warning' \
  -c 'CREATE EXTENSION mountaineer_networks CASCADE' >/dev/null || { echo "Bail out! no extensions"; exit 1; }

chains="1000 10000 30000"        # panels in a line: a trace of n + 1 hops
pdus="10 30 100"                 # PDUs of 99 servers each under one power panel
hosts="1000 10000 100000"        # random /128s taken out of ::/0
spans="10000 100000 1000000"     # occupied rackspans
{
    cat "$top/test/lib/graphs.sql"
    for c in $chains; do echo "SELECT pg_temp.graph_chain('chain$c', $c);"; done
    echo "SELECT pg_temp.graph_chain('fan', 1000, 10);"     # 1,024 branches of ~1,011 hops
    for p in $pdus; do echo "SELECT pg_temp.graph_power('power$p', $p, 99);"; done
    cat <<'SQL'
CREATE TABLE arrays (name text PRIMARY KEY, c cidr[], r mountaineer.rackspan[]);
SELECT setseed(0.5);
SQL
    for h in $hosts; do
        echo "INSERT INTO arrays (name, c) SELECT 'hosts$h', array_agg(format('%s:%s:%s:%s:%s:%s:%s:%s/128', VARIADIC
                  (SELECT array_agg(to_hex((random() * 65535)::int)) FROM generate_series(1, 8) WHERE g > 0))::cidr)
              FROM generate_series(1, $h) g;"
    done
    for s in $spans; do
        echo "INSERT INTO arrays (name, r) SELECT 'spans$s', array_agg(mountaineer.rackspan(1 + (random() * 32000)::int,
                  1 + (random() * 5)::int, (ARRAY['front', 'rear', 'full'])[1 + (random() * 2)::int]))
              FROM generate_series(1, $s);"
    done
    cat <<'SQL'
INSERT INTO mountaineer.prefix (prefix, status) VALUES ('::/0', 'container'),
    ('2001:db8::1/128', 'active'), ('4000::/2', 'active'), ('fe80::1234/128', 'active');
VACUUM ANALYZE;
SQL
} >"$work/setup.sql"
q -f "$work/setup.sql" >/dev/null || { echo "Bail out! cannot build the graphs"; exit 1; }

# bounded LABEL WARM SQL EXPECTED KB-ALLOWED WHAT-IT-RETURNS
bounded() {
    # the bounds count on work_mem = 16MB (the result spills to disk past it)
    read -r kb out < <("$top/test/lib/measure.sh" $db "SET work_mem = '16MB'; $2" "$3")
    if [ "$kb" -lt 0 ]; then
        nok "$1: cannot read /proc of the backend (run as root or as the server's owner)"
    elif [ "$out" = "$4" ] && [ "$kb" -le "$5" ]; then
        ok "$1: $6 in $kb kB (bound $5 kB)"
    else
        nok "$1: returned '$out' (wanted '$4') in $kb kB (bound $5 kB)"
    fi
}

plan=$(( $(wc -w <<<"$chains $pdus $hosts $spans") + 1 + 2 + 10 ))
echo "1..$plan"

warm_trace="SELECT count(*) FROM mountaineer.cable_trace(md5('chain1000/src/eth0')::uuid)"
for c in $chains; do
    rows=$((c + 1))
    bounded "cable_trace along a $rows-hop chain" "$warm_trace" \
        "SELECT count(*) FROM mountaineer.cable_trace(md5('chain$c/src/eth0')::uuid)" \
        "$rows" $(( 2048 + rows )) "$rows rows (1 kB a row allowed)"
done
warm_impact="SELECT count(*) FROM mountaineer.impact(md5('power10/pdu1')::uuid)"
for p in $pdus; do
    devs=$((p * 100))
    bounded "impact of a power panel over $p PDUs ($((p * 200)) ports)" "$warm_impact" \
        "SELECT count(*) FROM mountaineer.impact(md5('power$p/panel')::uuid)" \
        "$devs" $(( 2048 + devs )) "$devs devices lost (1 kB a device allowed)"
done
for h in $hosts; do
    bounded "cidr_free('::/0') minus $h random /128s" "SELECT count(*) FROM mountaineer.cidr_free('::/0', '{::1/128}')" \
        "SELECT count(*) > $((h * 100)) FROM mountaineer.cidr_free('::/0', (SELECT c FROM arrays WHERE name = 'hosts$h'))" \
        t $(( 16384 + 4096 + h / 8 )) "over $((h * 100)) blocks (work_mem, as the result spills to disk, + 128 B an input)"
done
for s in $spans; do
    bounded "rackspan_free with $s occupied spans" "SELECT count(*) FROM mountaineer.rackspan_free('{U1}', 42)" \
        "SELECT count(*) > 0 FROM mountaineer.rackspan_free((SELECT r FROM arrays WHERE name = 'spans$s'), 32767, 'rear')" \
        t $(( 2048 + s * 24 / 1024 )) "its free runs (the input and one copy of it, 24 B an element, allowed)"
done
bounded "free_prefixes('::/0') with three children" "SELECT mountaineer.next_free_prefix('::/0', 64)" \
    "SELECT count(*) FROM mountaineer.free_prefixes('::/0')" 253 2048 "253 blocks (126 and 127 around the two /128s)"

# the limit, with its SQLSTATE and message
err=$(psql -X -At -d $db -v VERBOSITY=verbose -c "SELECT count(*) FROM mountaineer.cable_trace(md5('fan/src/eth0')::uuid)" 2>&1)
if grep -q "^ERROR:  54000: the trace from port $(q -c "SELECT md5('fan/src/eth0')::uuid") has more than 1000000 hops over its branches" <<<"$err"; then
    ok "cable_trace of 1,024 branches of ~1,011 hops: refused with 54000 naming the limit of 1,000,000 hops"
else
    nok "cable_trace past the limit: $err"
fi
err=$(psql -X -At -d $db -v VERBOSITY=verbose -c "SELECT count(*) FROM mountaineer.impact(md5('fan/src')::uuid)" 2>&1)
if grep -q "^ERROR:  54000: the trace from port .* has more than 1000000 hops" <<<"$err"; then
    ok "impact whose trace has more than 1,000,000 hops: refused with 54000"
else
    nok "impact past the trace limit: $err"
fi

# stopped HOW LABEL SQL: stopped 50 ms in by a cancel or a statement_timeout,
# SQL must end within a second: with 57014 (the inputs are chosen to run
# several times longer on this machine) or, on a machine fast enough to
# finish first, on its own
stopped() {
    local ms res
    read -r ms res < <("$top/test/lib/stop.sh" "$1" $db "$3")
    if [ "$res" = stopped ] && [ "$ms" -lt 1000 ]; then
        ok "$2: stopped by a $1, ${ms} ms after it"
    elif [ "$res" = finished ] && [ "$ms" -lt 1000 ]; then
        ok "$2: finished on its own before the $1 took effect (ended ${ms} ms after it)"
    else
        nok "$2: $1 took ${ms} ms: $res"
    fi
}
for how in cancel timeout; do
    stopped $how "cable_trace along 30,001 hops" "SELECT count(*) FROM mountaineer.cable_trace(md5('chain30000/src/eth0')::uuid)"
    stopped $how "impact over 10,000 devices" "SELECT count(*) FROM mountaineer.impact(md5('power100/panel')::uuid)"
    stopped $how "cidr_free('::/0') minus 100,000 /128s" \
        "SELECT count(*) FROM mountaineer.cidr_free('::/0', (SELECT c FROM arrays WHERE name = 'hosts100000'))"
    stopped $how "rackspan_free of 1,000,000 spans" \
        "SELECT count(*) FROM mountaineer.rackspan_free((SELECT r FROM arrays WHERE name = 'spans1000000'), 32767, 'rear')"
    stopped $how "free_prefixes('::/0')" "SELECT count(*) FROM mountaineer.free_prefixes('::/0')"
done
dropdb -f $db
